#pragma once

#include <functional>

#include <QObject>
#include <QString>
#include <QTimer>

#include "engine/transport.h"

namespace loadscope {

//! Whom a connection tells when its request ends — a sink (the engine's hot path) or a
//! callback — and the telling, exactly once per send(). Both transports' connections keep one.
class ResultRecipient
{
public:
    void set(HttpTransportSink *sink, quint64 tag)
    {
        m_sink = sink;
        m_tag = tag;
        m_callback = nullptr;
    }
    void set(HttpTransportConnection::Callback callback)
    {
        m_sink = nullptr;
        m_callback = std::move(callback);
    }
    //! Forgets the recipient: the request was dropped and nobody is called.
    void clear()
    {
        m_sink = nullptr;
        m_callback = nullptr;
    }
    //! Hands @p result to the recipient. The recipient is taken out first: the callee may send
    //! the next request on @p from at once.
    void deliver(HttpTransportConnection *from, HttpResult &result)
    {
        HttpTransportSink *sink = m_sink;
        const quint64 tag = m_tag;
        HttpTransportConnection::Callback callback = std::move(m_callback);
        clear();
        if (sink)
            sink->requestFinished(from, tag, result);
        else if (callback)
            callback(result);
    }

private:
    HttpTransportSink *m_sink = nullptr;
    quint64 m_tag = 0;
    HttpTransportConnection::Callback m_callback;
};

//! A transport's count of requests in flight and its deadline tick: a timer that runs while
//! any request is in flight and on each tick hands the steady clock to @p checkDeadlines (each
//! connection fails its own request once past its deadline).
class InFlightDeadlines
{
public:
    InFlightDeadlines(QObject *owner, int tickMs, std::function<void(qint64 nowNs)> checkDeadlines);

    void started()
    {
        ++m_inFlight;
        if (!m_timer->isActive())
            m_timer->start();
    }
    void ended() { --m_inFlight; }
    int count() const { return m_inFlight; }

private:
    void tick();

    QTimer *m_timer;
    std::function<void(qint64)> m_checkDeadlines;
    int m_inFlight = 0;
};

//! Fills @p timing's sending, waiting, receiving and duration from steady-clock times (ns):
//! writing started at @p writeStartNs (0: never sent, nothing is filled) and ended at
//! @p writeEndNs (0: not finished), the first response byte came at @p firstByteNs (0: none),
//! and the request ended at @p endNs. Shared by the HTTP/1.1 and HTTP/2 lean clients.
void fillPhaseTiming(RequestTiming &timing, qint64 writeStartNs, qint64 writeEndNs,
                     qint64 firstByteNs, qint64 endNs);

//! "connection refused by PEER" for ECONNREFUSED, else "cannot connect to PEER: strerror".
QString connectErrorText(const QString &peer, int error);

} // namespace loadscope
