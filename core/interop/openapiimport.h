#pragma once

#include <optional>

#include <QByteArray>
#include <QString>

#include "interop/planimport.h"

namespace loadscope {

//! Imports an OpenAPI 3.0 or 3.1 document, JSON or YAML: one step per operation in document
//! order, named by its operationId; the first server URL (with its variables' defaults) as
//! the base URL; path, required query and header parameters from their examples, defaults
//! or schema; a request body from the example or generated from the schema ($ref resolved);
//! a status check from the first documented 2xx response. Bearer and API-key security become
//! a header with a {{variable}}; what has no plan equivalent is listed as left out.
std::optional<ImportResult> importOpenApi(const QByteArray &bytes, QString *error);

} // namespace loadscope
