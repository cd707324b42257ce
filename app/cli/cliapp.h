#pragma once

#include <QStringList>

class QTextStream;

namespace loadscope {

//! Exit codes of loadscope-cli (DESIGN.md §4.1; 98/99 as k6).
enum CliExit : int
{
    ExitPassed = 0,
    ExitRunFailed = 1,
    ExitUsage = 2,
    ExitRegression = 98,
    ExitThresholds = 99,
};

//! Runs loadscope-cli with @p arguments (arguments[0] is the program name); returns the exit code.
int runCli(const QStringList &arguments, QTextStream &out, QTextStream &err);

} // namespace loadscope
