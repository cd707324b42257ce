#pragma once

#include <QStringList>

class QTextStream;

namespace loadscope {

//! `loadscope-cli schedule add|list|remove`: stored tests run on a calendar (systemd user
//! timers, or a printed crontab line).
int scheduleCommand(const QStringList &args, QTextStream &out, QTextStream &err);

} // namespace loadscope
