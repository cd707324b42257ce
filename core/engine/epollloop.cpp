#include "epollloop.h"

#include <array>
#include <sys/epoll.h>
#include <unistd.h>

#include <QSocketNotifier>

#include "engine/steadyclock.h"

namespace loadscope {

namespace {
constexpr int kMaxEvents = 256;
// Bounds one activation so timers and queued calls still run under a constant stream of events:
// by rounds, and by time, as one HTTP/2 event may carry a hundred responses (64 rounds of those
// kept the worker's interval snapshots and its stop request waiting for seconds).
constexpr int kMaxRoundsPerActivation = 64;
constexpr qint64 kMaxActivationNs = 2000000;
} // namespace

EpollLoop::EpollLoop(Handler *handler, QObject *parent)
    : QObject(parent)
    , m_handler(handler)
    , m_epollFd(epoll_create1(EPOLL_CLOEXEC))
{
    if (m_epollFd < 0)
        return;
    m_notifier = new QSocketNotifier(m_epollFd, QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &EpollLoop::drain);
}

EpollLoop::~EpollLoop()
{
    delete m_notifier;
    if (m_epollFd >= 0)
        ::close(m_epollFd);
}

bool EpollLoop::add(int fd, quint32 events, quint64 token)
{
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = token;
    return epoll_ctl(m_epollFd, EPOLL_CTL_ADD, fd, &ev) == 0;
}

bool EpollLoop::modify(int fd, quint32 events, quint64 token)
{
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = token;
    return epoll_ctl(m_epollFd, EPOLL_CTL_MOD, fd, &ev) == 0;
}

void EpollLoop::remove(int fd)
{
    epoll_event ev{}; // ignored, but kernels before 2.6.9 wanted non-null
    epoll_ctl(m_epollFd, EPOLL_CTL_DEL, fd, &ev);
}

void EpollLoop::drain()
{
    if (m_epollFd < 0)
        return;
    std::array<epoll_event, kMaxEvents> events;
    const qint64 startNs = steadyNowNs();
    for (int round = 0; round < kMaxRoundsPerActivation; ++round) {
        const int n = epoll_wait(m_epollFd, events.data(), kMaxEvents, 0);
        if (n <= 0)
            return; // empty (or EINTR: the notifier fires again if anything is left)
        for (int i = 0; i < n; ++i)
            m_handler->epollEvent(events[static_cast<size_t>(i)].data.u64,
                                  events[static_cast<size_t>(i)].events);
        if (steadyNowNs() - startNs > kMaxActivationNs)
            return; // level-triggered: the notifier fires again for what is left
    }
}

} // namespace loadscope
