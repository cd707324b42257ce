#pragma once

#include <QStringList>

class QTextStream;

namespace loadscope {

//! `loadscope-cli import FILE... [--format=...] [--test=NAME] [--version-label=V] [--db=FILE]`.
int importCommand(const QStringList &args, QTextStream &out, QTextStream &err);

} // namespace loadscope
