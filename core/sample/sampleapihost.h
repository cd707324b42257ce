#pragma once

#include <memory>

#include <QHostAddress>
#include <QString>
#include <QUrl>

#include "sample/sampleapiserver.h"

class QThread;

namespace loadscope {

//! Runs a SampleApiServer on a thread of its own so that serving never loads the caller's
//! event loop (the GUI's or the CLI engine's). Stops on destruction. Use from one thread.
class SampleApiHost final
{
    Q_DISABLE_COPY_MOVE(SampleApiHost)

public:
    explicit SampleApiHost(const SampleApiOptions &options = {});
    ~SampleApiHost();

    //! Starts the thread and the server; returns the bound port, or 0 with @p error set.
    quint16 start(const QHostAddress &address = QHostAddress::LocalHost, quint16 port = 0,
                  QString *error = nullptr);
    //! Stops the server and joins its thread; pending delayed replies are dropped.
    void stop();

    bool isRunning() const { return m_server != nullptr; }
    //! The bound port, 0 when not running.
    quint16 port() const { return m_port; }
    //! "http://127.0.0.1:PORT" (the bound address; loopback for an any-address bind).
    QUrl baseUrl() const;

    //! Thread-safe; applies at once when running, else at start().
    void setOptions(const SampleApiOptions &options);
    SampleApiOptions options() const;
    //! Counters of the running server (empty when stopped).
    SampleApiCounters counters() const;

private:
    std::unique_ptr<QThread> m_thread;
    SampleApiServer *m_server = nullptr; // lives on m_thread
    SampleApiOptions m_options;
    QHostAddress m_address;
    quint16 m_port = 0;
};

} // namespace loadscope
