#pragma once

#include <QString>
#include <QStringList>

namespace loadscope::test {

//! Path of the built loadscope-cli executable.
QString cliPath();

//! Result of running loadscope-cli in a child process.
struct CliRun
{
    int exitCode = -1;
    QString out;
    QString err;
};

//! Runs loadscope-cli with @p args (bounded by @p timeoutMs) and collects its output.
CliRun runCli(const QStringList &args, int timeoutMs = 60000, const QStringList &extraEnv = {});

} // namespace loadscope::test
