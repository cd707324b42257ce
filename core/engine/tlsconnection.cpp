// HttpConnection's TLS steps (handshake, encrypted reads and writes), kept apart from the
// plain-HTTP path in httpconnection.cpp, which only branches to them on m_ssl.
#include <cstring>
#include <ctime>
#include <sys/epoll.h>

#include "engine/epollloop.h"
#include "engine/httpconnection.h"
#include "engine/leanhttptransport.h"
#include "engine/tlscontext.h"

namespace loadscope {

namespace {

qint64 steadyNowNs()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

QString errnoText(int error)
{
    return QString::fromLocal8Bit(strerror(error));
}

} // namespace

void HttpConnection::watchWrite(bool write)
{
    if (write == m_wantWrite)
        return;
    m_wantWrite = write;
    m_transport->m_loop->modify(
        m_fd, write ? EPOLLIN | EPOLLOUT | EPOLLRDHUP : EPOLLIN | EPOLLRDHUP, token());
}

void HttpConnection::startHandshake()
{
    TlsContext *tls = m_transport->tlsContext();
    QString error;
    m_ssl = tls->open(m_fd, &error);
    if (m_ssl == nullptr) {
        fail(ErrorClass::Tls, error);
        return;
    }
    m_state = State::Handshaking;
    m_tlsStartNs = steadyNowNs();
    continueHandshake();
}

void HttpConnection::continueHandshake()
{
    int sysError = 0;
    switch (TlsContext::handshake(m_ssl, &sysError)) {
    case TlsStatus::Done:
        m_result.timing.tlsHandshakingUs = (steadyNowNs() - m_tlsStartNs) / 1000;
        ++m_tlsHandshakes;
        m_tlsResumed = TlsContext::sessionReused(m_ssl);
        watchWrite(false);
        startWrite();
        return;
    case TlsStatus::WantRead:
        watchWrite(false);
        return;
    case TlsStatus::WantWrite:
        watchWrite(true);
        return;
    case TlsStatus::Closed:
        fail(ErrorClass::Tls, QStringLiteral("TLS handshake with %1 failed: the server closed the "
                                             "connection (is it serving TLS on this port?)")
                                  .arg(m_transport->targetText()));
        return;
    case TlsStatus::SysError:
        fail(ErrorClass::Tls, QStringLiteral("TLS handshake with %1 failed: %2")
                                  .arg(m_transport->targetText(), errnoText(sysError)));
        return;
    case TlsStatus::Failed:
        fail(ErrorClass::Tls, TlsContext::failureText(m_ssl, m_transport->targetText(), true));
        return;
    }
}

bool HttpConnection::continueTlsWrite()
{
    const char *data = m_request.constData();
    const qint64 size = m_request.size();
    while (m_written < size) {
        int n = 0;
        int sysError = 0;
        const int chunk = int(qMin<qint64>(size - m_written, 1 << 30));
        switch (TlsContext::write(m_ssl, data + m_written, chunk, &n, &sysError)) {
        case TlsStatus::Done:
            m_written += n;
            continue;
        case TlsStatus::WantRead: // a renegotiation wants the peer's answer: retry on either
        case TlsStatus::WantWrite:
            watchWrite(true);
            return false;
        case TlsStatus::Closed:
            onSocketError(EPIPE);
            return false;
        case TlsStatus::SysError:
            onSocketError(sysError);
            return false;
        case TlsStatus::Failed:
            fail(ErrorClass::Tls, TlsContext::failureText(m_ssl, m_transport->targetText(), false));
            return false;
        }
    }
    return true;
}

void HttpConnection::onTlsReadable()
{
    if (m_wantWrite && m_state == State::Reading)
        watchWrite(false); // a read that wanted to write has had its chance
    char *buffer = m_transport->readBuffer();
    const int capacity = m_transport->readBufferSize();
    for (;;) {
        int n = 0;
        int sysError = 0;
        switch (TlsContext::read(m_ssl, buffer, capacity, &n, &sysError)) {
        case TlsStatus::Done:
            if (m_result.bytesIn == 0)
                m_firstByteNs = steadyNowNs();
            m_result.bytesIn += n;
            if (feed(buffer, n) || !TlsContext::hasPending(m_ssl))
                return; // finished, or OpenSSL holds nothing more (epoll reports the rest)
            continue;
        case TlsStatus::WantRead:
            return;
        case TlsStatus::WantWrite:
            watchWrite(true);
            return;
        case TlsStatus::Closed:
            onEof();
            return;
        case TlsStatus::SysError:
            onSocketError(sysError);
            return;
        case TlsStatus::Failed:
            fail(ErrorClass::Tls, TlsContext::failureText(m_ssl, m_transport->targetText(), false));
            return;
        }
    }
}

} // namespace loadscope
