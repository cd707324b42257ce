#pragma once

#include <optional>

#include <QByteArray>
#include <QString>

#include "interop/planimport.h"

namespace loadscope {

//! Imports a Postman collection v2.1: requests of nested folders become ordered steps named
//! "Folder / Request"; collection variables become plan variables ({{name}} is the same
//! syntax) and a leading {{baseUrl}}-like variable the plan's base URL; bearer, basic and
//! API-key auth (inherited from folders and the collection) become headers or query
//! parameters; raw, urlencoded, form-data and GraphQL bodies are kept. Pre-request and test
//! scripts, file bodies and Postman's dynamic variables ({{$guid}}) are listed as left out.
//! @p environment is an exported Postman environment ({"values": [{key, value, enabled}]});
//! its enabled values override the collection's variables, as in Postman.
std::optional<ImportResult> importPostman(const QByteArray &bytes, QString *error,
                                          const QByteArray &environment = {});

} // namespace loadscope
