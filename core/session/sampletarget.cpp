#include "sampletarget.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>

#ifdef Q_OS_LINUX
#include <csignal>
#include <sys/prctl.h>
#endif

namespace loadscope {

SampleTargetProcess::SampleTargetProcess(const QString &program)
    : m_program(program.isEmpty() ? defaultProgram() : program)
{}

SampleTargetProcess::~SampleTargetProcess()
{
    stop();
}

QString SampleTargetProcess::defaultProgram()
{
    const QString fromEnv = qEnvironmentVariable("LOADSCOPE_CLI");
    if (!fromEnv.isEmpty())
        return fromEnv;
    const QString self = QCoreApplication::applicationFilePath();
    if (QFileInfo(self).fileName() == QLatin1String("loadscope-cli"))
        return self;
    const QString beside =
        QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("loadscope-cli"));
    return beside; // start() says so when it is not there
}

bool SampleTargetProcess::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

bool SampleTargetProcess::start(const QStringList &demoOptions, QString *error)
{
    stop();
    return launch(demoOptions, 0, error);
}

bool SampleTargetProcess::restart(const QStringList &demoOptions, QString *error)
{
    const quint16 port = m_port;
    stop();
    return launch(demoOptions, port, error);
}

bool SampleTargetProcess::launch(const QStringList &demoOptions, quint16 port, QString *error)
{
    QString dummy;
    QString &why = error ? *error : dummy;
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
#ifdef Q_OS_LINUX
    // The child must not outlive a generator that was killed.
    m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
#endif
    const QStringList args = QStringList{QStringLiteral("demo"), QStringLiteral("--bind=127.0.0.1"),
                                         QStringLiteral("--port=") + QString::number(port)} +
                             demoOptions;
    if (!QFileInfo(m_program).isExecutable()) {
        why = m_program +
              QStringLiteral(" is not an executable (set LOADSCOPE_CLI to loadscope-cli)");
        m_process.reset();
        return false;
    }
    m_process->start(m_program, args, QIODevice::ReadOnly);
    if (!m_process->waitForStarted(10000)) {
        why = m_program + QStringLiteral(": ") + m_process->errorString();
        m_process.reset();
        return false;
    }
    // The demo prints "... listening on http://127.0.0.1:PORT" once it is bound.
    static const QRegularExpression listening(
        QStringLiteral("listening on (http://[0-9.]+:([0-9]+))"));
    QByteArray banner;
    QDeadlineTimer deadline(10000);
    while (!deadline.hasExpired()) {
        if (m_process->canReadLine() ||
            m_process->waitForReadyRead(int(deadline.remainingTime()))) {
            banner += m_process->readAll();
            const QRegularExpressionMatch m = listening.match(QString::fromUtf8(banner));
            if (m.hasMatch()) {
                m_target.baseUrl = m.captured(1);
                m_target.pid = m_process->processId();
                m_port = quint16(m.captured(2).toUInt());
                return true;
            }
        }
        if (m_process->state() != QProcess::Running)
            break;
    }
    why = QStringLiteral("the sample API (") + m_program + QStringLiteral(" demo) did not start");
    if (m_process->state() != QProcess::Running)
        why += QStringLiteral(": it exited with code ") + QString::number(m_process->exitCode());
    stop();
    return false;
}

void SampleTargetProcess::stop()
{
    if (m_process) {
        if (m_process->state() != QProcess::NotRunning) {
            m_process->terminate();
            if (!m_process->waitForFinished(3000)) {
                m_process->kill();
                m_process->waitForFinished(3000);
            }
        }
        m_process.reset();
    }
    m_target = DefaultTarget();
}

} // namespace loadscope
