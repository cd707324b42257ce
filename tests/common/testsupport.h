#pragma once

#include <QString>
#include <QStringList>

class QProcess;

namespace loadscope::test {

//! Path of the built loadscope-cli executable.
QString cliPath();

//! The bytes of the file at @p path; empty when it cannot be read.
QByteArray readFileBytes(const QString &path);

//! Result of running loadscope-cli in a child process.
struct CliRun
{
    int exitCode = -1;
    QString out;
    QString err;
};

//! Runs loadscope-cli with @p args (bounded by @p timeoutMs) and collects its output;
//! @p extraEnv are NAME=VALUE assignments, @p workDir the working directory (else ours).
CliRun runCli(const QStringList &args, int timeoutMs = 60000, const QStringList &extraEnv = {},
              const QString &workDir = {});

//! Starts `loadscope-cli serve` with @p args in @p process, its configuration (token file)
//! under @p configDir, and waits for it to listen: the API's base URL
//! ("http://127.0.0.1:PORT/api/performance"), empty when it did not come up in @p timeoutMs.
QString startServe(QProcess &process, const QStringList &args, const QString &configDir,
                   int timeoutMs = 20000);

//! Runs @p count agents of plan @p planPath as separate `loadscope-cli run --segment=I/N`
//! processes that start together @p startDelayMs from now (`--start-at`), each writing
//! `agent-I-of-N.json` under @p dir: their result files, empty when one failed (said).
QStringList runSegmentAgents(const QString &planPath, int count, const QString &dir,
                             int startDelayMs);

} // namespace loadscope::test
