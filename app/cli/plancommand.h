#pragma once

#include <QStringList>

class QTextStream;

namespace loadscope {

//! `loadscope-cli plan import FILE|- [--format=...] [--include-host=H]... [--output-file=F]`.
int planCommand(const QStringList &args, QTextStream &out, QTextStream &err);

//! `loadscope-cli export-k6 PLAN.json [--output-file=script.js]`.
int exportK6Command(const QStringList &args, QTextStream &out, QTextStream &err);

} // namespace loadscope
