// The lean transport's response path: bytes from a server through HttpConnection's llhttp
// parser and state machine (keep-alive reuse, interim 1xx, redirects, HEAD, limits, early
// close), over one end of a socketpair adopted as the connection's socket so that recv(),
// epoll and the event loop are the real ones. Input: a flags byte (bit 0 capture the
// response, bit 1 HEAD, bit 2 follow redirects), a chunk byte (0: everything in one write,
// else the size of each write, read by the client before the next one: split reads), then the
// server's bytes. When a response completes on a kept-alive connection with bytes left, the
// next request goes out on it (at most three).
#include <cstddef>
#include <cstdint>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/httpconnection.h"
#include "engine/leanhttptransport.h"
#include "fuzzsupport.h"

namespace {

using loadscope::HttpConnection;
using loadscope::HttpResult;
using loadscope::LeanHttpTransport;

//! A loopback port bound but never listened on: the reconnects a response can cause (after a
//! close, on a redirect) are refused at once, on this machine.
quint16 refusingPort()
{
    static const quint16 port = [] {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr *>(&addr), len) != 0 ||
            ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) != 0)
            __builtin_trap();
        return ntohs(addr.sin_port); // fd stays open for the process's life
    }();
    return port;
}

LeanHttpTransport &transport()
{
    static LeanHttpTransport *instance = [] {
        loadscope::fuzz::app();
        LeanHttpTransport::Target target;
        target.port = refusingPort();
        LeanHttpTransport::Options options;
        options.maxHeaderBytes = 4096; // small limits, so that inputs reach them
        options.maxHeaderCount = 40;
        options.maxCapturedBodyBytes = 512;
        options.requestTimeoutMs = 5000;
        options.connectTimeoutMs = 5000;
        return new LeanHttpTransport(target, options);
    }();
    return *instance;
}

qsizetype pendingBytes(int fd)
{
    int n = 0;
    return ::ioctl(fd, FIONREAD, &n) == 0 ? n : 0;
}

void discardRequest(int fd)
{
    char sink[4096];
    while (::recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0) {
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    LeanHttpTransport &lean = transport();
    static HttpConnection *connection = lean.createConnection();
    const uint8_t flags = data[0];
    const size_t chunk = data[1] == 0 ? size : data[1];
    const char *bytes = reinterpret_cast<const char *>(data + 2);
    const size_t total = size - 2;

    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) != 0)
        return 0;
    if (!connection->adoptConnectedSocket(pair[0])) {
        ::close(pair[0]);
        ::close(pair[1]);
        return 0;
    }
    const int server = pair[1];

    loadscope::HttpRequestData request;
    request.method = (flags & 2) ? QByteArrayLiteral("HEAD") : QByteArrayLiteral("GET");
    request.target = QByteArrayLiteral("/fuzz");
    request.maxRedirects = (flags & 4) ? 2 : 0;
    const loadscope::PreparedRequest prepared = lean.prepare(request);

    size_t sent = 0;
    bool serverClosed = false;
    for (int round = 0; round < 3 && !serverClosed; ++round) {
        bool done = false;
        HttpResult result;
        if (!connection->send(prepared, (flags & 1) != 0, [&](HttpResult &r) {
                result = std::move(r);
                done = true;
            }))
            __builtin_trap(); // an idle connection takes a request
        while (!done && sent < total) {
            discardRequest(server);
            const size_t n = qMin(chunk, total - sent);
            const ssize_t w = ::send(server, bytes + sent, n, MSG_NOSIGNAL);
            if (w <= 0)
                break; // the client closed its end, or the buffer is full: it reads on below
            sent += size_t(w);
            // Split reads: the client reads this write before the next one arrives.
            if (!loadscope::fuzz::pumpUntil(
                    [&] { return done || !connection->isOpen() || pendingBytes(pair[0]) == 0; }))
                __builtin_trap();
        }
        if (!done) {
            ::shutdown(server, SHUT_WR); // the server closes: the response ends or is cut short
            serverClosed = true;
            if (!loadscope::fuzz::pumpUntil([&] { return done; }))
                __builtin_trap(); // a request that never ends: a hang in the state machine
        }
        if (result.body.size() > lean.options().maxCapturedBodyBytes)
            __builtin_trap();
        if (result.error == loadscope::ErrorClass::None && result.status < 100)
            __builtin_trap(); // a success needs a real status
        if (!connection->isOpen() || sent >= total)
            break;
    }
    ::close(server);
    return 0;
}
