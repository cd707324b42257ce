#include "runstatus.h"

namespace loadscope {

QString resultStatusToString(ResultStatus status)
{
    switch (status) {
    case ResultStatus::Running:
        return QStringLiteral("running");
    case ResultStatus::Completed:
        return QStringLiteral("completed");
    case ResultStatus::Failed:
        return QStringLiteral("failed");
    case ResultStatus::Aborted:
        return QStringLiteral("aborted");
    }
    return QStringLiteral("failed");
}

std::optional<ResultStatus> resultStatusFromString(const QString &text)
{
    for (auto status : {ResultStatus::Running, ResultStatus::Completed, ResultStatus::Failed,
                        ResultStatus::Aborted}) {
        if (resultStatusToString(status) == text)
            return status;
    }
    return std::nullopt;
}

} // namespace loadscope
