#pragma once

#include <memory>

#include <QString>
#include <QThread>

namespace loadscope {

//! Deleter for ThreadHandle: stops the event loop, waits for the thread to end, deletes it.
struct ThreadDeleter
{
    void operator()(QThread *thread) const
    {
        if (!thread)
            return;
        thread->quit();
        thread->wait();
        delete thread;
    }
};

//! RAII owner of a QThread: destroying the handle quits and joins the thread first, so a
//! worker object can never outlive the loop it runs on (qBittorrent's utils/thread.h).
using ThreadHandle = std::unique_ptr<QThread, ThreadDeleter>;

//! Creates a (not yet started) thread named \a name, so it shows up in debuggers and top -H.
inline ThreadHandle makeThread(const QString &name)
{
    ThreadHandle thread(new QThread);
    thread->setObjectName(name);
    return thread;
}

} // namespace loadscope
