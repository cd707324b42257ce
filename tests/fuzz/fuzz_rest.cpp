// The REST API's request path: request bytes sent over a real loopback connection to a
// RestApiServer (QHttpServer's parser, the connection guard, authentication, routing, the JSON
// bodies of tests and runs, the sandbox) over a real SQLite history in a scratch folder. The
// client writes the input, half-closes and reads until the server closes, so every request in
// the input (several may be pipelined) has been handled when the next input starts. A run an
// input starts (only loopback targets pass the sandbox; plans without a base URL go to a
// refusing loopback port) is stopped before the next input.
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QHostAddress>
#include <QTemporaryDir>

#include "fuzzsupport.h"
#include "rest/restapiserver.h"
#include "store/historystore.h"

namespace {

struct Harness
{
    QTemporaryDir dir;
    loadscope::HistoryStore store;
    std::unique_ptr<loadscope::RestApiServer> server;
    int refusing = -1; // bound, never listening: runs' default target refuses at once
    quint16 port = 0;

    Harness()
    {
        loadscope::fuzz::app();
        QString error;
        if (!store.open(dir.filePath(QStringLiteral("history.db")), &error))
            __builtin_trap();
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        refusing = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (refusing < 0 || ::bind(refusing, reinterpret_cast<sockaddr *>(&addr), len) != 0 ||
            ::getsockname(refusing, reinterpret_cast<sockaddr *>(&addr), &len) != 0)
            __builtin_trap();
        loadscope::RestApiOptions options;
        options.token = QStringLiteral("fuzz-token");
        options.maxBodyBytes = 64 * 1024;
        options.defaultBaseUrl = QStringLiteral("http://127.0.0.1:%1").arg(ntohs(addr.sin_port));
        server = std::make_unique<loadscope::RestApiServer>(&store, options);
        port = server->listen(QHostAddress::LocalHost, 0, &error);
        if (port == 0)
            __builtin_trap();
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static Harness *harness = new Harness;
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(harness->port);
    // Loopback: the kernel completes the handshake without the server's event loop.
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0)
        __builtin_trap();
    size_t sent = 0;
    bool closed = false;
    char sink[16384];
    const auto exchange = [&] {
        while (sent < size) {
            const ssize_t n = ::send(fd, data + sent, size - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n > 0)
                sent += size_t(n);
            else if (n < 0 && errno == EAGAIN)
                break;
            else
                sent = size; // the server closed (413, refused): nothing more goes out
        }
        if (sent >= size)
            ::shutdown(fd, SHUT_WR);
        for (;;) {
            const ssize_t n = ::recv(fd, sink, sizeof sink, MSG_DONTWAIT);
            if (n > 0)
                continue;
            if (n == 0 || errno != EAGAIN)
                closed = true;
            break;
        }
        return closed;
    };
    if (!loadscope::fuzz::pumpUntil(exchange, 20000))
        __builtin_trap(); // the server neither answered nor closed a finished request
    ::close(fd);
    if (harness->server->isRunning()) {
        harness->server->stopRun(QStringLiteral("fuzz input done"));
        if (!loadscope::fuzz::pumpUntil([] { return !harness->server->isRunning(); }, 20000))
            __builtin_trap(); // a stopped run that never ends
    }
    return 0;
}
