#pragma once

#include <memory>

#include <QString>
#include <QStringList>

class QProcess;

namespace loadscope {

//! A target a front end started for plans without a base URL (the built-in sample API): where
//! it listens and, when it is a local process of its own, its PID, so that the resource monitor
//! measures the target apart from the generator.
struct DefaultTarget
{
    QString baseUrl;
    qint64 pid = 0; //!< 0: unknown (found from the port), or the target shares our process
};

//! The built-in SmartMarket sample API in a child process (`loadscope-cli demo --port=0`),
//! started on a free loopback port. Running it apart keeps the target's CPU out of the
//! generator's process and its threads off the generator's event loops. The child dies with us
//! (PR_SET_PDEATHSIG) and is stopped on destruction. Use from one thread.
class SampleTargetProcess final
{
    Q_DISABLE_COPY_MOVE(SampleTargetProcess)

public:
    //! @p program is the loadscope-cli executable; empty: defaultProgram().
    explicit SampleTargetProcess(const QString &program = QString());
    ~SampleTargetProcess();

    //! Starts the child with `demo` options such as "--latency-ms=3" and waits (up to 10 s)
    //! until it listens; false with the reason in @p error.
    bool start(const QStringList &demoOptions = {}, QString *error = nullptr);
    //! Stops the child and starts it again with @p demoOptions on the same port.
    bool restart(const QStringList &demoOptions, QString *error = nullptr);
    void stop();

    bool isRunning() const;
    DefaultTarget target() const { return m_target; }
    quint16 port() const { return m_port; }
    QString program() const { return m_program; }

    //! $LOADSCOPE_CLI, else the running executable when it is loadscope-cli, else loadscope-cli
    //! beside it (the GUI and the CLI are installed side by side).
    static QString defaultProgram();

private:
    bool launch(const QStringList &demoOptions, quint16 port, QString *error);

    QString m_program;
    std::unique_ptr<QProcess> m_process;
    DefaultTarget m_target;
    quint16 m_port = 0;
};

} // namespace loadscope
