#include "testsupport.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>

namespace loadscope::test {

QString cliPath()
{
    return QStringLiteral(LOADSCOPE_CLI_PATH);
}

CliRun runCli(const QStringList &args, int timeoutMs, const QStringList &extraEnv,
              const QString &workDir)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("LOADSCOPE_DB"));
    for (const QString &assignment : extraEnv) {
        const qsizetype eq = assignment.indexOf(u'=');
        env.insert(assignment.left(eq), assignment.mid(eq + 1));
    }
    process.setProcessEnvironment(env);
    if (!workDir.isEmpty())
        process.setWorkingDirectory(workDir);
    process.start(cliPath(), args);
    CliRun run;
    if (!process.waitForStarted(10000)) {
        run.err = QStringLiteral("could not start ") + cliPath();
        return run;
    }
    process.closeWriteChannel();
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        run.err = QStringLiteral("timed out");
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

QString startServe(QProcess &process, const QStringList &args, const QString &configDir,
                   int timeoutMs)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("LOADSCOPE_DB"));
    env.insert(QStringLiteral("LOADSCOPE_CONFIG_DIR"), configDir);
    process.setProcessEnvironment(env);
    process.start(cliPath(), QStringList{QStringLiteral("serve")} + args);
    if (!process.waitForStarted(10000))
        return {};
    static const QRegularExpression listening(
        QStringLiteral("listening on (http://127\\.0\\.0\\.1:\\d+/api/performance)"));
    QByteArray out;
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        out += process.readAllStandardOutput();
        const QRegularExpressionMatch match = listening.match(QString::fromUtf8(out));
        if (match.hasMatch())
            return match.captured(1);
        if (process.state() != QProcess::Running)
            return {};
        process.waitForReadyRead(int(qBound(qint64(1), deadline.remainingTime(), qint64(1000))));
    }
    return {};
}

QByteArray readFileBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace loadscope::test
