#pragma once

#include <QStringList>

class QTextStream;

namespace loadscope {

//! `loadscope-cli serve`: the REST API of DESIGN.md §4.2.
int serveCommand(const QStringList &args, QTextStream &out, QTextStream &err);

} // namespace loadscope
