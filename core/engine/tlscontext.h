#pragma once

#include <QByteArray>
#include <QString>
#include <QtGlobal>

// OpenSSL's types, declared here so that its headers stay private to core.
struct ssl_st;
struct ssl_ctx_st;
struct ssl_session_st;

namespace loadscope {

//! What a non-blocking TLS operation on a socket came to.
enum class TlsStatus
{
    Done,      //!< handshake finished, or bytes were read/written
    WantRead,  //!< wait for the socket to become readable, then call again
    WantWrite, //!< wait for the socket to become writable, then call again
    Closed,    //!< the peer closed the connection (close_notify or a plain EOF)
    SysError,  //!< the socket failed; the errno value is given alongside
    Failed,    //!< a TLS protocol or certificate error; failureText() says which
};

//! The client side of TLS for one target, with OpenSSL on the transport's own non-blocking
//! sockets: one SSL_CTX (TLS 1.2+, ALPN http/1.1 or the protocols given, the system's CA store,
//! peer and host name verification unless skipped) and the newest session kept for resumption on
//! reconnects. Used from one thread only, like the transport that owns it.
class TlsContext final
{
public:
    //! @p host is the SNI name and the name (or IP address) the certificate must match;
    //! @p alpn the protocols offered, in ALPN wire format (length-prefixed names). With
    //! @p readAhead, OpenSSL reads the socket in large pieces (many records per recv) instead of
    //! a record header and then its body; the caller must then drain hasPending() bytes, which
    //! epoll does not report (the HTTP/2 client, whose server sends a record per response).
    TlsContext(const QByteArray &host, bool insecureSkipVerify,
               const QByteArray &alpn = QByteArrayLiteral("\x08http/1.1"), bool readAhead = false);
    ~TlsContext();
    Q_DISABLE_COPY_MOVE(TlsContext)

    //! False when OpenSSL could not set up the context; errorString() says why.
    bool isValid() const { return m_ctx != nullptr; }
    QString errorString() const { return m_error; }
    //! True when certificates are not verified.
    bool skipsVerification() const { return m_insecure; }
    //! Sessions handed out by servers so far (TLS 1.3 tickets or 1.2 sessions).
    int sessionsReceived() const { return m_sessionsReceived; }

    //! A client SSL object on the connected non-blocking socket @p fd (SNI, host check and the
    //! cached session set); nullptr with @p error filled on failure. Free it with release().
    ssl_st *open(int fd, QString *error);
    //! Frees @p ssl (no close_notify: the socket is closed right after); its session stays
    //! resumable.
    static void release(ssl_st *ssl);

    //! Drives the handshake one step.
    static TlsStatus handshake(ssl_st *ssl, int *sysError);
    //! Reads decrypted bytes into @p buffer; *@p bytes > 0 when status is Done.
    static TlsStatus read(ssl_st *ssl, char *buffer, int capacity, int *bytes, int *sysError);
    //! Writes @p size bytes (or part of them); *@p bytes > 0 when status is Done.
    static TlsStatus write(ssl_st *ssl, const char *data, int size, int *bytes, int *sysError);
    //! True when OpenSSL holds bytes already read from the socket (epoll will not report them).
    static bool hasPending(ssl_st *ssl);
    //! The protocol the server picked by ALPN ("h2", "http/1.1"); empty when it picked none.
    static QByteArray alpnSelected(ssl_st *ssl);
    //! True when the finished handshake resumed a cached session.
    static bool sessionReused(ssl_st *ssl);
    //! Why the last operation on @p ssl failed (the certificate verify result when that is
    //! the cause), naming @p peer; empties OpenSSL's error queue.
    static QString failureText(ssl_st *ssl, const QString &peer, bool inHandshake);

private:
    static int onNewSession(ssl_st *ssl, ssl_session_st *session);

    ssl_ctx_st *m_ctx = nullptr;
    ssl_session_st *m_session = nullptr;
    QByteArray m_host;
    bool m_hostIsIp = false;
    bool m_insecure = false;
    int m_sessionsReceived = 0;
    QString m_error;
};

} // namespace loadscope
