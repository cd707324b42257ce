#include "testsupport.h"

#include <memory>
#include <vector>

#include <QDateTime>
#include <QDeadlineTimer>
#include <QDir>
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

QStringList runSegmentAgents(const QString &planPath, int count, const QString &dir,
                             int startDelayMs)
{
    const QString startAt =
        QDateTime::currentDateTimeUtc().addMSecs(startDelayMs).toString(Qt::ISODateWithMs);
    std::vector<std::unique_ptr<QProcess>> agents;
    QStringList files;
    for (int i = 0; i < count; ++i) {
        const QString file =
            QDir(dir).filePath(QStringLiteral("agent-%1-of-%2.json").arg(i).arg(count));
        files << file;
        auto process = std::make_unique<QProcess>();
        process->setProgram(cliPath());
        process->setArguments({QStringLiteral("run"), planPath,
                               QStringLiteral("--segment=%1/%2").arg(i).arg(count),
                               QStringLiteral("--start-at=") + startAt, QStringLiteral("--quiet"),
                               QStringLiteral("--output-file=") + file});
        process->start();
        agents.push_back(std::move(process));
    }
    for (int i = 0; i < count; ++i) {
        QProcess &p = *agents[size_t(i)];
        if (!p.waitForFinished(120000) || p.exitCode() != 0) {
            qWarning("agent %d/%d: exit %d\n%s\n%s", i, count, p.exitCode(),
                     p.readAllStandardOutput().constData(), p.readAllStandardError().constData());
            return {};
        }
    }
    return files;
}

} // namespace loadscope::test
