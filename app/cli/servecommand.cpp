#include "servecommand.h"

#include <atomic>
#include <csignal>

#include <QCoreApplication>
#include <QHostAddress>
#include <QTextStream>
#include <QTimer>

#include "cli/cliapp.h"
#include "cli/commandline.h"
#include "rest/apitoken.h"
#include "rest/restapiserver.h"
#include "store/historystore.h"

namespace loadscope {
namespace {

constexpr quint16 kDefaultPort = 8787;

std::atomic<int> g_stopRequests{0};

extern "C" void onStopSignal(int signalNumber)
{
    g_stopRequests.fetch_add(1);
    std::signal(signalNumber, SIG_DFL); // a second signal ends the process at once
}

QString hostForUrl(const QHostAddress &address)
{
    const QString text = address.toString();
    return address.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + text + u']' : text;
}

} // namespace

int serveCommand(const QStringList &args, QTextStream &out, QTextStream &err)
{
    SubcommandLine line(QStringLiteral("serve"),
                        QStringLiteral("Serve the REST API (DESIGN.md §4.2) over the history "
                                       "database; every request needs "
                                       "\"Authorization: Bearer <token>\"."));
    line.addOption(QCommandLineOption(
        QStringLiteral("bind"),
        QStringLiteral("Address to listen on (default 127.0.0.1). Any other than loopback needs "
                       "--token."),
        QStringLiteral("ADDR")));
    line.addOption(
        QCommandLineOption(QStringLiteral("port"),
                           QStringLiteral("Port to listen on (default 8787; 0 = any free port)."),
                           QStringLiteral("N")));
    line.addOption(QCommandLineOption(
        QStringLiteral("token"),
        QStringLiteral("Bearer token clients must send (default: the one stored in the "
                       "configuration directory, generated at the first start)."),
        QStringLiteral("T")));
    line.addOption(QCommandLineOption(
        QStringLiteral("allow-files"),
        QStringLiteral("Folder whose files plans sent over the API may name (bodyFile, "
                       "dataFile); default: none."),
        QStringLiteral("DIR")));
    line.addOption(QCommandLineOption(
        QStringLiteral("allow-targets"),
        QStringLiteral("CIDR range, address or host name runs started over the API may send "
                       "traffic to, besides loopback (repeatable, or a comma list)."),
        QStringLiteral("CIDR|HOST")));
    line.addDbOption();
    int code = 0;
    if (!line.parse(args, out, err, &code))
        return code;
    const QCommandLineParser &p = line.parser();

    const QString bind = p.isSet(QStringLiteral("bind")) ? p.value(QStringLiteral("bind"))
                                                         : QStringLiteral("127.0.0.1");
    const QHostAddress address(bind);
    if (address.isNull())
        return line.usageError(err, QStringLiteral("--bind: \"") + bind +
                                        QStringLiteral("\" is not an IP address"));
    quint16 port = kDefaultPort;
    if (p.isSet(QStringLiteral("port"))) {
        bool ok = false;
        const uint value = p.value(QStringLiteral("port")).toUInt(&ok);
        if (!ok || value > 65535)
            return line.usageError(err, QStringLiteral("--port: \"") +
                                            p.value(QStringLiteral("port")) +
                                            QStringLiteral("\" is not a port number (0-65535)"));
        port = quint16(value);
    }
    const bool explicitToken = p.isSet(QStringLiteral("token"));
    const QString givenToken = p.value(QStringLiteral("token"));
    if (explicitToken && givenToken.trimmed().size() < 16)
        return line.usageError(err, QStringLiteral("--token: use at least 16 characters"));
    // Checked before anything is opened or bound: a token generated on this machine and kept in
    // a local file is not meant to guard a port others can reach.
    if (!address.isLoopback() && !explicitToken)
        return line.usageError(
            err, QStringLiteral("--bind: refusing to serve on ") + bind +
                     QStringLiteral(", which is not a loopback address, without an explicit "
                                    "--token=T (the API runs load tests on request; choose the "
                                    "token deliberately and keep it secret)"));

    RestApiOptions options;
    {
        QString why;
        QStringList targets;
        for (const QString &value : p.values(QStringLiteral("allow-targets")))
            targets += value.split(u',', Qt::SkipEmptyParts);
        if (!options.sandbox.allowTargets(targets, &why))
            return line.usageError(err, why);
        if (p.isSet(QStringLiteral("allow-files")) &&
            !options.sandbox.allowFiles(p.value(QStringLiteral("allow-files")), &why))
            return line.usageError(err, why);
    }

    std::unique_ptr<HistoryStore> store = openStoreFor(p, err, line.command());
    if (!store)
        return ExitUsage;

    QString token = givenToken.trimmed();
    QString tokenPath;
    bool generated = false;
    if (!explicitToken) {
        QString error;
        token = loadOrCreateApiToken(&tokenPath, &error, &generated);
        if (token.isEmpty()) {
            err << "loadscope-cli serve: " << error << '\n';
            return ExitRunFailed;
        }
    }

    options.token = token;
    RestApiServer server(store.get(), options);
    QString error;
    const quint16 bound = server.listen(address, port, &error);
    if (bound == 0) {
        err << "loadscope-cli serve: " << error << '\n';
        return ExitRunFailed;
    }
    const QString base = QStringLiteral("http://") + hostForUrl(address) + u':' +
                         QString::number(bound) + QString::fromLatin1(RestApiServer::kPrefix);
    out << "Loadscope REST API listening on " << base << '\n';
    if (explicitToken)
        out << "  token: the one given with --token\n";
    else if (generated)
        out << "  token: generated now and stored in " << tokenPath << " (owner-only):\n    "
            << token << '\n';
    else
        out << "  token: stored in " << tokenPath << " (read it with: cat " << tokenPath << ")\n";
    out << "  runs may target: " << options.sandbox.targetRule().section(u' ', 1) << '\n'
        << "  plans may name files: "
        << (options.sandbox.filesDir().isEmpty()
                ? QStringLiteral("none")
                : QStringLiteral("under ") + options.sandbox.filesDir())
        << '\n';
    out << "  history: " << store->path() << '\n'
        << "  try: curl -H \"Authorization: Bearer $TOKEN\" " << base << "/tests\n"
        << "Press Ctrl+C to stop.\n";
    out.flush();

    g_stopRequests = 0;
    std::signal(SIGINT, onStopSignal);
    std::signal(SIGTERM, onStopSignal);
    bool stopping = false;
    QTimer signalPoll;
    QObject::connect(&signalPoll, &QTimer::timeout, &server, [&server, &stopping, &out] {
        if (g_stopRequests.load() == 0 || stopping)
            return;
        stopping = true;
        if (!server.isRunning()) {
            QCoreApplication::exit(0);
            return;
        }
        out << "stopping: finishing the running test (result " << server.runningResultId()
            << ")…\n";
        out.flush();
        server.stopRun(QStringLiteral("the REST API server was stopped"));
    });
    QObject::connect(&server, &RestApiServer::runFinished, &server, [&stopping] {
        if (stopping)
            QCoreApplication::exit(0);
    });
    signalPoll.start(100);
    QCoreApplication::exec();
    signalPoll.stop();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    out << "stopped\n";
    return ExitPassed;
}

} // namespace loadscope
