#pragma once

#include <algorithm>

#include <QElapsedTimer>
#include <QTimer>

namespace loadscope::test {

//! Fires every 10 ms on the thread that owns it and keeps the worst lateness: the longest time
//! that thread's event loop did not answer (benchmarks' GUI-thread stall figure).
class StallProbe
{
public:
    StallProbe()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(10);
        QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            if (m_last > 0)
                m_worstNs = std::max(m_worstNs, now - m_last - 10'000'000);
            m_last = now;
        });
    }
    void start()
    {
        m_worstNs = 0;
        m_last = 0;
        m_clock.start();
        m_timer.start();
    }
    //! Stops and answers the worst lateness in milliseconds.
    double stopMs()
    {
        m_timer.stop();
        return double(m_worstNs) / 1e6;
    }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    qint64 m_worstNs = 0;
};

} // namespace loadscope::test
