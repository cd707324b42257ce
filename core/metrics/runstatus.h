#pragma once

#include <optional>

#include <QString>

namespace loadscope {

//! Life cycle of one run, from the engine's summary to the history's row; spelled 'running',
//! 'completed', 'failed', 'aborted' in JSON and SQL.
enum class ResultStatus
{
    Running,
    Completed,
    Failed,
    Aborted
};

//! The stored spelling of \a status.
QString resultStatusToString(ResultStatus status);
//! Parses the stored spelling; std::nullopt for anything else.
std::optional<ResultStatus> resultStatusFromString(const QString &text);

} // namespace loadscope
