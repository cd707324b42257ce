#pragma once

#include <QStringList>

class QTextStream;

namespace loadscope {

//! `loadscope-cli history list | show ID | compare ID ID...`.
int historyCommand(const QStringList &args, QTextStream &out, QTextStream &err);

} // namespace loadscope
