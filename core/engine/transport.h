#pragma once

#include <functional>
#include <memory>

#include <QByteArray>
#include <QString>

#include "engine/httptypes.h"

namespace loadscope {

class HttpTransportConnection;
struct Http2Request;

//! A request made ready for sending once, so that the hot path neither formats nor copies
//! anything per request. Cheap to copy (implicitly shared).
struct PreparedRequest
{
    QByteArray bytes;    //!< the complete HTTP/1.1 request (lean transport)
    bool isHead = false; //!< a HEAD request: the response carries no body whatever its headers say
    //! The request as given, for transports that build their own messages (Qt network).
    std::shared_ptr<const HttpRequestData> request;
    //! Non-empty: the request must not go out; send() fails it as ErrorClass::Check with this.
    QString refusal;
    int maxRedirects = 10; //!< redirects the lean transport follows (HttpRequestData's)
    //! The request as HTTP/2 header fields and body (lean HTTP/2 transport).
    std::shared_ptr<const Http2Request> http2;
    bool isValid() const
    {
        return !bytes.isEmpty() || request != nullptr || http2 != nullptr || !refusal.isEmpty();
    }
};

//! Receives finished requests without a std::function per request (the engine's hot path).
class HttpTransportSink
{
public:
    virtual ~HttpTransportSink() = default;
    //! @p result may be moved from. Called on the transport's thread, never from inside send().
    virtual void requestFinished(HttpTransportConnection *connection, quint64 tag,
                                 HttpResult &result) = 0;
};

//! One client connection (one virtual user's): at most one request in flight.
class HttpTransportConnection
{
public:
    //! Called once per send() with the outcome; @p result may be moved from.
    using Callback = std::function<void(HttpResult &result)>;

    virtual ~HttpTransportConnection() = default;
    //! Sends @p request; @p sink->requestFinished(this, @p tag, result) is called exactly once,
    //! later (never from inside send()). Returns false (and calls nothing) when a request is
    //! already in flight or @p request is invalid. @p captureResponse keeps headers and body.
    virtual bool send(const PreparedRequest &request, bool captureResponse, HttpTransportSink *sink,
                      quint64 tag = 0) = 0;
    //! As above with a callback (convenient; the sink overload avoids a std::function).
    virtual bool send(const PreparedRequest &request, bool captureResponse, Callback callback) = 0;
    //! True while a request is in flight.
    virtual bool isBusy() const = 0;
    //! Drops the in-flight request, if any, without calling back.
    virtual void abort() = 0;
};

//! What the load worker needs from a transport (the lean HTTP/1.1 client or Qt's network
//! stack). One per worker thread, created and used on that thread.
class HttpTransport
{
public:
    virtual ~HttpTransport() = default;
    //! Builds what send() needs from @p request, once.
    virtual PreparedRequest prepare(const HttpRequestData &request) const = 0;
    //! A new connection owned by the transport; valid until the transport dies.
    virtual HttpTransportConnection *createConnection() = 0;
    //! Requests currently in flight over all connections.
    virtual int inFlight() const = 0;
    //! Drops every in-flight request (no callback is called); returns how many were dropped.
    virtual int abortAll() = 0;
    //! abortAll() and closes idle connections too; connections stay usable.
    virtual void closeAll() = 0;
};

} // namespace loadscope
