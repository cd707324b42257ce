#pragma once

#include <memory>
#include <vector>

#include <QByteArray>
#include <QList>
#include <QNetworkProxy>
#include <QNetworkRequest>
#include <QObject>
#include <QString>
#include <QUrl>

#include "engine/httptypes.h"
#include "engine/leanhttptransport.h"
#include "engine/transport.h"
#include "engine/transportshared.h"

class QNetworkAccessManager;

namespace loadscope {

class QnamConnection;

//! A transport over Qt's network stack (QNetworkAccessManager) for what the lean client does
//! not do: HTTP/2 (ALPN over TLS; h2c by upgrade, or by prior knowledge on request, over
//! cleartext) and proxies. About 30x the CPU per request of the lean path (NOTES.md), so
//! only plans that need it use it. One per worker thread, created and used on that thread.
//!
//! Timings are approximate, as QNetworkReply reports them: connecting runs from
//! socketStartedConnecting to encrypted() (TLS, so it includes the handshake, and
//! tlsHandshaking stays 0) or requestSent(); sending until requestSent(); waiting until the
//! first metaDataChanged()/readyRead(); receiving until finished(). Byte counts are
//! estimated from the headers and bodies (QNAM does not expose the wire bytes).
class QnamTransport final : public QObject, public HttpTransport
{
    Q_OBJECT
public:
    //! Transport-wide settings.
    struct Options
    {
        int requestTimeoutMs = 60000;          //!< send() -> finished, else ErrorClass::Timeout
        qint64 maxCapturedBodyBytes = 1 << 20; //!< captured bodies are cut here
        QByteArray hostHeader;                 //!< Host header value; empty: Qt's own
        bool insecureSkipVerify = false;       //!< TLS: accept any certificate
        bool http2 = false;                    //!< allow HTTP/2 (Http2AllowedAttribute)
        //! With http2 on an http:// target: start with the HTTP/2 preface (h2c prior
        //! knowledge, Http2DirectAttribute) instead of the HTTP/1.1 Upgrade: h2c request,
        //! which falls back to HTTP/1.1 on servers that do not speak h2c.
        bool h2cPriorKnowledge = false;
        QString proxy; //!< "http://[user:pass@]host:port" or "socks5://..."; empty: none
    };

    explicit QnamTransport(const LeanHttpTransport::Target &target, const Options &options,
                           QObject *parent = nullptr);
    ~QnamTransport() override;
    Q_DISABLE_COPY_MOVE(QnamTransport)

    const Options &options() const { return m_options; }
    //! The origin requests go to ("https://host:port").
    QUrl origin() const { return m_origin; }
    //! Why the proxy URL is unusable (empty when it is fine); every request then fails.
    QString proxyError() const { return m_proxyError; }
    //! The proxy the managers use (NoProxy without one).
    QNetworkProxy proxy() const { return m_proxy; }

    //! Keeps @p request for send(); QNAM adds Host, Content-Length and Connection itself.
    PreparedRequest prepare(const HttpRequestData &request) const override;
    //! The QNetworkRequest made for @p request (URL, headers, HTTP/2 and TLS attributes).
    QNetworkRequest networkRequest(const HttpRequestData &request) const;
    HttpTransportConnection *createConnection() override;
    int inFlight() const override { return m_inFlight.count(); }
    int abortAll() override;
    //! abortAll() and drops the managers' idle connections.
    void closeAll() override;
    //! The managers made so far (HTTP/1.1 allows 6 connections per host and manager, so
    //! without HTTP/2 every 6 connections get a manager of their own).
    int managerCount() const { return int(m_managers.size()); }

private:
    friend class QnamConnection;
    QNetworkAccessManager *managerFor(int connectionIndex);

    Options m_options;
    bool m_tls = false;
    QUrl m_origin;
    QByteArray m_originPrefix; // "http://host:port", encoded; the target path is appended
    QString m_targetText;
    QNetworkProxy m_proxy;
    QString m_proxyError;
    std::vector<QNetworkAccessManager *> m_managers;
    std::vector<std::unique_ptr<QnamConnection>> m_connections;
    InFlightDeadlines m_inFlight;
};

} // namespace loadscope
