#include "tlscontext.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <sys/socket.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace loadscope {

namespace {

//! OpenSSL's read buffer with read-ahead: what one recv(2) may bring in.
constexpr size_t kReadAheadBytes = 64 * 1024;

// A socket BIO of our own: OpenSSL's writes with write(2), which raises SIGPIPE when the
// server has closed the connection; send(MSG_NOSIGNAL) does not, like the plain-HTTP path.
int socketOf(BIO *bio)
{
    return int(reinterpret_cast<std::intptr_t>(BIO_get_data(bio)));
}

int bioWrite(BIO *bio, const char *data, int size)
{
    BIO_clear_retry_flags(bio);
    const ssize_t n = ::send(socketOf(bio), data, size_t(size), MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        BIO_set_retry_write(bio);
    return int(n);
}

int bioRead(BIO *bio, char *data, int size)
{
    BIO_clear_retry_flags(bio);
    const ssize_t n = ::recv(socketOf(bio), data, size_t(size), 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        BIO_set_retry_read(bio);
    return int(n);
}

long bioCtrl(BIO *, int command, long, void *)
{
    return command == BIO_CTRL_FLUSH || command == BIO_CTRL_DUP ? 1 : 0;
}

int bioCreate(BIO *bio)
{
    BIO_set_init(bio, 1);
    return 1;
}

int bioDestroy(BIO *)
{
    return 1;
}

const BIO_METHOD *socketMethod()
{
    static BIO_METHOD *method = [] {
        BIO_METHOD *m = BIO_meth_new(
            BIO_get_new_index() | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR, "loadscope socket");
        if (m == nullptr)
            return m;
        BIO_meth_set_write(m, &bioWrite);
        BIO_meth_set_read(m, &bioRead);
        BIO_meth_set_ctrl(m, &bioCtrl);
        BIO_meth_set_create(m, &bioCreate);
        BIO_meth_set_destroy(m, &bioDestroy);
        return m;
    }();
    return method;
}

QString opensslErrors()
{
    QString text;
    char buffer[256];
    while (const unsigned long code = ERR_get_error()) {
        const char *reason = ERR_reason_error_string(code);
        if (reason == nullptr) {
            ERR_error_string_n(code, buffer, sizeof buffer);
            reason = buffer;
        }
        if (!text.isEmpty())
            text += QLatin1String("; ");
        text += QString::fromLatin1(reason);
    }
    return text;
}

TlsStatus statusOf(ssl_st *ssl, int rc, int savedErrno, int *sysError)
{
    switch (SSL_get_error(ssl, rc)) {
    case SSL_ERROR_WANT_READ:
        return TlsStatus::WantRead;
    case SSL_ERROR_WANT_WRITE:
        return TlsStatus::WantWrite;
    case SSL_ERROR_ZERO_RETURN:
        return TlsStatus::Closed;
    case SSL_ERROR_SYSCALL:
        if (ERR_peek_error() != 0)
            return TlsStatus::Failed;
        *sysError = savedErrno;
        return savedErrno == 0 ? TlsStatus::Closed : TlsStatus::SysError;
    default:
        return TlsStatus::Failed;
    }
}

} // namespace

TlsContext::TlsContext(const QByteArray &host, bool insecureSkipVerify, const QByteArray &alpn,
                       bool readAhead)
    : m_host(host)
    , m_insecure(insecureSkipVerify)
{
    unsigned char probe[sizeof(in6_addr)];
    m_hostIsIp = inet_pton(AF_INET, host.constData(), probe) == 1 ||
                 inet_pton(AF_INET6, host.constData(), probe) == 1;
    ERR_clear_error();
    m_ctx = SSL_CTX_new(TLS_client_method());
    if (m_ctx == nullptr || socketMethod() == nullptr) {
        m_error = QStringLiteral("cannot set up TLS: ") + opensslErrors();
        return;
    }
    SSL_CTX_set_min_proto_version(m_ctx, TLS1_2_VERSION);
    // A server that drops the connection without close_notify ends a close-delimited body,
    // as browsers and wrk accept; it is not a TLS error.
    SSL_CTX_set_options(m_ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_mode(m_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (readAhead) {
        // Without it OpenSSL asks the socket for 5 header bytes, then for the record: two
        // recv(2) per record, and nginx's HTTP/2 sends one record per response.
        SSL_CTX_set_read_ahead(m_ctx, 1);
        SSL_CTX_set_default_read_buffer_len(m_ctx, kReadAheadBytes);
    }
    SSL_CTX_set_alpn_protos(m_ctx, reinterpret_cast<const unsigned char *>(alpn.constData()),
                            unsigned(alpn.size()));
    if (!m_insecure) {
        SSL_CTX_set_default_verify_paths(m_ctx);
        SSL_CTX_set_verify(m_ctx, SSL_VERIFY_PEER, nullptr);
    } else {
        SSL_CTX_set_verify(m_ctx, SSL_VERIFY_NONE, nullptr);
    }
    SSL_CTX_set_ex_data(m_ctx, 0, this);
    SSL_CTX_set_session_cache_mode(m_ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(m_ctx, &TlsContext::onNewSession);
    ERR_clear_error();
}

TlsContext::~TlsContext()
{
    if (m_session != nullptr)
        SSL_SESSION_free(m_session);
    if (m_ctx != nullptr)
        SSL_CTX_free(m_ctx);
}

int TlsContext::onNewSession(ssl_st *ssl, ssl_session_st *session)
{
    auto *self = static_cast<TlsContext *>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), 0));
    if (self == nullptr)
        return 0;
    // One target per transport: the newest session is the one worth resuming.
    if (self->m_session != nullptr)
        SSL_SESSION_free(self->m_session);
    self->m_session = session;
    ++self->m_sessionsReceived;
    return 1; // we keep the reference
}

ssl_st *TlsContext::open(int fd, QString *error)
{
    ERR_clear_error();
    SSL *ssl = m_ctx != nullptr ? SSL_new(m_ctx) : nullptr;
    BIO *bio = ssl != nullptr ? BIO_new(socketMethod()) : nullptr;
    if (bio == nullptr) {
        *error =
            QStringLiteral("cannot set up TLS: ") + (m_ctx == nullptr ? m_error : opensslErrors());
        if (ssl != nullptr)
            SSL_free(ssl);
        return nullptr;
    }
    BIO_set_data(bio, reinterpret_cast<void *>(std::intptr_t(fd)));
    SSL_set_bio(ssl, bio, bio);
    // SNI carries names only; an IP address is still checked against the certificate.
    if (!m_hostIsIp)
        SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char *>(m_host.constData())); // SSL_set_tlsext_host_name, no C cast
    if (!m_insecure) {
        X509_VERIFY_PARAM *param = SSL_get0_param(ssl);
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        const int ok = m_hostIsIp ? X509_VERIFY_PARAM_set1_ip_asc(param, m_host.constData())
                                  : X509_VERIFY_PARAM_set1_host(param, m_host.constData(), 0);
        if (ok != 1) {
            *error = QStringLiteral("cannot set up TLS host verification for %1: %2")
                         .arg(QString::fromLatin1(m_host), opensslErrors());
            SSL_free(ssl);
            return nullptr;
        }
    }
    if (m_session != nullptr && SSL_SESSION_is_resumable(m_session))
        SSL_set_session(ssl, m_session);
    SSL_set_connect_state(ssl);
    return ssl;
}

void TlsContext::release(ssl_st *ssl)
{
    // Freed without the shutdown flags, OpenSSL marks the session not resumable (it assumes
    // the connection failed); the close is deliberate, so keep the session usable.
    SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_free(ssl);
}

TlsStatus TlsContext::handshake(ssl_st *ssl, int *sysError)
{
    const int rc = SSL_do_handshake(ssl);
    if (rc == 1)
        return TlsStatus::Done;
    return statusOf(ssl, rc, errno, sysError);
}

TlsStatus TlsContext::read(ssl_st *ssl, char *buffer, int capacity, int *bytes, int *sysError)
{
    const int rc = SSL_read(ssl, buffer, capacity);
    if (rc > 0) {
        *bytes = rc;
        return TlsStatus::Done;
    }
    *bytes = 0;
    return statusOf(ssl, rc, errno, sysError);
}

TlsStatus TlsContext::write(ssl_st *ssl, const char *data, int size, int *bytes, int *sysError)
{
    const int rc = SSL_write(ssl, data, size);
    if (rc > 0) {
        *bytes = rc;
        return TlsStatus::Done;
    }
    *bytes = 0;
    return statusOf(ssl, rc, errno, sysError);
}

bool TlsContext::hasPending(ssl_st *ssl)
{
    return SSL_has_pending(ssl) != 0;
}

QByteArray TlsContext::alpnSelected(ssl_st *ssl)
{
    const unsigned char *name = nullptr;
    unsigned int length = 0;
    SSL_get0_alpn_selected(ssl, &name, &length);
    return QByteArray(reinterpret_cast<const char *>(name), qsizetype(length));
}

bool TlsContext::sessionReused(ssl_st *ssl)
{
    return SSL_session_reused(ssl) != 0;
}

QString TlsContext::failureText(ssl_st *ssl, const QString &peer, bool inHandshake)
{
    const long verify = ssl != nullptr ? SSL_get_verify_result(ssl) : long(X509_V_OK);
    if (inHandshake && verify != X509_V_OK) {
        ERR_clear_error();
        return QStringLiteral("certificate verify failed for %1: %2")
            .arg(peer, QString::fromLatin1(X509_verify_cert_error_string(verify)));
    }
    QString reason = opensslErrors();
    if (reason.isEmpty())
        reason = QStringLiteral("unknown TLS error");
    return (inHandshake ? QStringLiteral("TLS handshake with %1 failed: %2")
                        : QStringLiteral("TLS error on the connection to %1: %2"))
        .arg(peer, reason);
}

} // namespace loadscope
