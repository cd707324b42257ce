#include "transportshared.h"

#include <cerrno>
#include <cstring>

#include "engine/steadyclock.h"

namespace loadscope {

InFlightDeadlines::InFlightDeadlines(QObject *owner, int tickMs,
                                     std::function<void(qint64 nowNs)> checkDeadlines)
    : m_timer(new QTimer(owner))
    , m_checkDeadlines(std::move(checkDeadlines))
{
    m_timer->setInterval(tickMs);
    QObject::connect(m_timer, &QTimer::timeout, owner, [this] { tick(); });
}

void InFlightDeadlines::tick()
{
    if (m_inFlight == 0) {
        m_timer->stop();
        return;
    }
    m_checkDeadlines(steadyNowNs());
}

void fillPhaseTiming(RequestTiming &t, qint64 writeStartNs, qint64 writeEndNs, qint64 firstByteNs,
                     qint64 endNs)
{
    if (writeStartNs == 0)
        return; // never got to send: only connecting (if anything) is meaningful
    const qint64 writeEnd = writeEndNs != 0 ? writeEndNs : (firstByteNs != 0 ? firstByteNs : endNs);
    t.sendingUs = qMax<qint64>(0, writeEnd - writeStartNs) / 1000;
    if (firstByteNs != 0) {
        t.waitingUs = qMax<qint64>(0, firstByteNs - writeEnd) / 1000;
        t.receivingUs = qMax<qint64>(0, endNs - qMax(firstByteNs, writeEnd)) / 1000;
    } else {
        t.waitingUs = qMax<qint64>(0, endNs - writeEnd) / 1000;
    }
    t.durationUs = t.sendingUs + t.waitingUs + t.receivingUs;
}

QString connectErrorText(const QString &peer, int error)
{
    return error == ECONNREFUSED ? QStringLiteral("connection refused by %1").arg(peer)
                                 : QStringLiteral("cannot connect to %1: %2")
                                       .arg(peer, QString::fromLocal8Bit(strerror(error)));
}

} // namespace loadscope
