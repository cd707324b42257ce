#pragma once

#include <QObject>

class QSocketNotifier;

namespace loadscope {

//! A Linux epoll set behind one QSocketNotifier, so that a worker thread keeps its Qt event
//! loop while its cost grows with the sockets that are ready, not with the sockets it holds
//! (Qt's dispatchers rebuild a poll set of every notifier on each iteration; NOTES.md).
//! Level-triggered. Lives on, and must only be used from, the thread that created it.
class EpollLoop final : public QObject
{
    Q_OBJECT
public:
    //! Receives the events of the descriptors registered with a token.
    class Handler
    {
    public:
        virtual ~Handler() = default;
        //! Called for each ready descriptor; @p events are EPOLLIN/EPOLLOUT/EPOLLERR/... bits.
        virtual void epollEvent(quint64 token, quint32 events) = 0;
    };

    //! Creates the epoll set; check isValid() (fails only when the process is out of fds).
    explicit EpollLoop(Handler *handler, QObject *parent = nullptr);
    ~EpollLoop() override;
    Q_DISABLE_COPY_MOVE(EpollLoop)

    //! True when the epoll descriptor could be created.
    bool isValid() const { return m_epollFd >= 0; }
    //! Adds @p fd with @p events; @p token comes back in Handler::epollEvent. errno on failure.
    bool add(int fd, quint32 events, quint64 token);
    //! Changes the events (and token) of a registered @p fd.
    bool modify(int fd, quint32 events, quint64 token);
    //! Removes @p fd (closing an fd removes it too; call this first when the fd may be dup'ed).
    void remove(int fd);
    //! Processes every ready event now without blocking (also called on notifier activation).
    void drain();

private:
    Handler *m_handler;
    int m_epollFd = -1;
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace loadscope
