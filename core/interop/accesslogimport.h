#pragma once

#include <optional>

#include <QString>

#include "interop/accesslogformat.h"
#include "interop/planimport.h"

namespace loadscope {

//! The access-log format an import names: "nginx" and "apache" read @p logFormat in that
//! server's syntax (default: its combined format), "combined" the combined format both write.
//! Nothing with @p error for another name or a format that cannot be read.
std::optional<AccessLogFormat> accessLogFormatFor(const QString &name, const QString &logFormat,
                                                  QString *error);

//! A replay plan from an access log (`plan import LOG --format=access-log`): the observed route
//! mix as the steps of one iteration (20 slots shared out by each route's share of the
//! requests, one concrete URL of the route each), and the observed arrival curve as
//! ramping-arrival-rate stages (at most 60, each the mean rate of its slice of the log) times
//! @p scale. The plan has no base URL: the log does not say which host it was.
std::optional<ImportResult> replayPlanFromAccessLog(const QString &path,
                                                    const AccessLogFormat &format, double scale,
                                                    QString *error);

} // namespace loadscope
