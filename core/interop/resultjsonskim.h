#pragma once

#include <vector>

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>

// Reading a large result file without a QJsonDocument of all of it: the members of an object
// are found by their byte spans (strings and nested values skipped, not built), so a caller
// parses only the members it needs and can stream the rest (the agent's histogram records).

namespace loadscope {

//! One member of a JSON object: its key as written (escapes not undone) and its value's span.
struct JsonMember
{
    QByteArrayView key;
    qsizetype begin = 0; //!< first byte of the value in the text
    qsizetype end = 0;   //!< one past its last byte
};

//! The members of the object that starts at @p begin of @p text (after whitespace), in order;
//! @p objectEnd (if given) one past its closing brace. False when the text there is not a
//! well-formed object at this level (values are only skipped: a broken nested value is found
//! by whoever parses it).
bool jsonObjectMembers(QByteArrayView text, qsizetype begin, std::vector<JsonMember> *out,
                       qsizetype *objectEnd = nullptr);

//! The member called @p key, or nullptr.
const JsonMember *findMember(const std::vector<JsonMember> &members, QByteArrayView key);

//! The object made of @p members of @p text but those in @p leaveOut, parsed by QJsonDocument;
//! false with its error when that fails.
bool parseMembers(QByteArrayView text, const std::vector<JsonMember> &members,
                  const std::vector<QByteArrayView> &leaveOut, QJsonObject *out, QString *error);

} // namespace loadscope
