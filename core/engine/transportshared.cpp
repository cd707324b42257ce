#include "transportshared.h"

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

} // namespace loadscope
