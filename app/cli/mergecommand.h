#pragma once

#include <QStringList>

class QTextStream;

namespace loadscope {

//! `loadscope-cli merge FILE... [--db=FILE|--no-db] [--format=...] [--output-file=F]`: one run
//! from the results of N scale-out agents (DESIGN.md §4.4).
int mergeCommand(const QStringList &args, QTextStream &out, QTextStream &err);

} // namespace loadscope
