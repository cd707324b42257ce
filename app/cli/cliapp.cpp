#include "cliapp.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QTextStream>
#include <QTimer>

#include "cli/commandline.h"
#include "cli/historycommand.h"
#include "cli/importcommand.h"
#include "cli/mergecommand.h"
#include "cli/plancommand.h"
#include "cli/runoptions.h"
#include "cli/schedulecommand.h"
#include "cli/servecommand.h"
#include "sample/sampleapihost.h"

namespace loadscope {
namespace {

const char *const kUsage =
    "Usage: loadscope-cli <command> [options]\n"
    "\n"
    "Loadscope: design, run, store and compare load tests of HTTP APIs.\n"
    "\n"
    "Commands:\n"
    "  run [PLAN.json]        run a test plan or a test type preset\n"
    "  demo                   serve the built-in SmartMarket sample API\n"
    "  serve                  serve the REST API\n"
    "  history list           list stored runs\n"
    "  history show ID        show one stored run\n"
    "  history compare ID ID...  compare stored runs\n"
    "  import FILE...         import k6, JMeter or Locust results\n"
    "  plan import FILE       make a plan from curl, HAR, Postman or OpenAPI\n"
    "  export-k6 PLAN.json    write a plan as a k6 script\n"
    "  schedule add TEST      run a stored test daily, weekly, monthly or on a cron calendar\n"
    "  export-k8s PLAN.json   write a plan as a Kubernetes Indexed Job of N agents\n"
    "  merge FILE...          merge scale-out agents' results into one run\n"
    "\n"
    "Options:\n"
    "  -h, --help             show this help (or a command's: loadscope-cli run --help)\n"
    "  -v, --version          show the version\n"
    "\n"
    "Exit codes: 0 passed, 1 run failed, 2 bad usage or input, 98 regression against the\n"
    "baseline, 99 thresholds crossed.\n";

int demoCommand(const QStringList &args, QTextStream &out, QTextStream &err)
{
    SubcommandLine line(QStringLiteral("demo"),
                        QStringLiteral("Serve the built-in SmartMarket sample API on loopback."));
    line.addValueOption("port", "Port to listen on (default 8080; 0 = any free port).", "N");
    line.addValueOption("bind", "Address to listen on (default 127.0.0.1).", "ADDR");
    line.addValueOption("latency-ms", "Added latency per request.", "N");
    line.addValueOption("jitter-ms", "Random extra latency in [0, N] ms.", "N");
    line.addValueOption("error-rate", "Fraction of requests answered with 500 (0..1).", "F");
    line.addValueOption("stall-every", "Stall all requests every SECONDS.", "SECONDS");
    line.addValueOption("stall-ms", "Length of each stall.", "N");
    line.addValueOption("capacity",
                        "Serve at most RPS requests/s, first come first served; the excess waits.",
                        "RPS");
    line.addValueOption("capacity-queue",
                        "Requests that may wait for --capacity (default: one second's worth); "
                        "beyond, 503.",
                        "N");
    line.addValueOption("duration", "Stop after this many seconds (default: until Ctrl+C).",
                        "SECONDS");
    int code = 0;
    if (!line.parse(args, out, err, &code))
        return code;
    const QCommandLineParser &p = line.parser();
    const auto number = [&](const char *name, double min, double max, double fallback,
                            double *value) {
        const QString option = QString::fromLatin1(name);
        if (!p.isSet(option)) {
            *value = fallback;
            return true;
        }
        bool ok = false;
        *value = p.value(option).toDouble(&ok);
        if (ok && *value >= min && *value <= max)
            return true;
        line.usageError(err, QStringLiteral("--") + option + QStringLiteral(": \"") +
                                 p.value(option) + QStringLiteral("\" is not a number from ") +
                                 QString::number(min) + QStringLiteral(" to ") +
                                 QString::number(max));
        return false;
    };
    double port = 0, latency = 0, jitter = 0, errorRate = 0, stallEvery = 0, stallMs = 0,
           duration = 0, capacity = 0, capacityQueue = 0;
    if (!number("port", 0, 65535, 8080, &port) || !number("latency-ms", 0, 600000, 0, &latency) ||
        !number("jitter-ms", 0, 600000, 0, &jitter) || !number("error-rate", 0, 1, 0, &errorRate) ||
        !number("stall-every", 0, 86400, 0, &stallEvery) ||
        !number("stall-ms", 0, 600000, 0, &stallMs) || !number("duration", 0, 1e7, 0, &duration) ||
        !number("capacity", 0, 1e7, 0, &capacity) ||
        !number("capacity-queue", 0, 1e8, 0, &capacityQueue))
        return ExitUsage;
    const QString bind = p.value(QStringLiteral("bind"));
    const QHostAddress address(bind.isEmpty() ? QStringLiteral("127.0.0.1") : bind);
    if (address.isNull())
        return line.usageError(err, QStringLiteral("--bind: \"") + bind +
                                        QStringLiteral("\" is not an IP address"));
    SampleApiOptions options;
    options.latencyMs = int(latency);
    options.jitterMs = int(jitter);
    options.errorRate = errorRate;
    options.stallEverySec = stallEvery;
    options.stallMs = int(stallMs);
    options.capacityRps = capacity;
    options.capacityQueue = int(capacityQueue);
    if (capacityQueue > 0 && capacity <= 0)
        return line.usageError(err, QStringLiteral("--capacity-queue needs --capacity"));
    SampleApiHost host(options);
    QString error;
    if (host.start(address, quint16(port), &error) == 0) {
        err << "loadscope-cli demo: " << error << '\n';
        return ExitRunFailed;
    }
    out << "SmartMarket sample API listening on http://" << address.toString() << ':' << host.port()
        << "\n"
        << "  GET  /api/health\n  POST /api/bridge/predict      {\"symbol\":\"AAPL\"}\n"
        << "  POST /api/bridge/model/reload\n  POST /api/signals             "
           "{\"symbol\":\"AAPL\"}\n"
        << "  POST /api/strategy/execute    "
           "{\"symbol\":\"AAPL\",\"signal\":{\"action\":\"buy\",\"strength\":0.8}}\n"
        << (capacity > 0 ? QStringLiteral("Capacity %1 req/s, first come first served; at most %2 "
                                          "waiting, beyond that 503.\n")
                               .arg(capacity)
                               .arg(capacityQueue > 0 ? QString::number(capacityQueue)
                                                      : QStringLiteral("one second's worth"))
                         : QString())
        << "Press Ctrl+C to stop.\n";
    out.flush();
    if (duration > 0)
        QTimer::singleShot(int(duration * 1000), qApp, [] { QCoreApplication::exit(0); });
    QCoreApplication::exec();
    return ExitPassed;
}

} // namespace

int runCli(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    const QStringList args = arguments.mid(1);
    if (args.isEmpty()) {
        err << kUsage;
        return ExitUsage;
    }
    const QString command = args.first();
    const QStringList rest = args.mid(1);
    if (command == QLatin1String("-h") || command == QLatin1String("--help") ||
        command == QLatin1String("help")) {
        out << kUsage;
        return ExitPassed;
    }
    if (command == QLatin1String("-v") || command == QLatin1String("--version")) {
        out << "loadscope-cli " << LOADSCOPE_VERSION << '\n';
        return ExitPassed;
    }
    if (command == QLatin1String("run"))
        return runCommand(rest, out, err);
    if (command == QLatin1String("demo"))
        return demoCommand(rest, out, err);
    if (command == QLatin1String("serve"))
        return serveCommand(rest, out, err);
    if (command == QLatin1String("history"))
        return historyCommand(rest, out, err);
    if (command == QLatin1String("import"))
        return importCommand(rest, out, err);
    if (command == QLatin1String("plan"))
        return planCommand(rest, out, err);
    if (command == QLatin1String("export-k6"))
        return exportK6Command(rest, out, err);
    if (command == QLatin1String("schedule"))
        return scheduleCommand(rest, out, err);
    if (command == QLatin1String("export-k8s"))
        return exportK8sCommand(rest, out, err);
    if (command == QLatin1String("merge"))
        return mergeCommand(rest, out, err);
    if (command.startsWith(u'-'))
        err << "loadscope-cli: unknown option '" << command << "' (options follow a command)\n";
    else
        err << "loadscope-cli: unknown command '" << command << "'\n";
    err << "Try 'loadscope-cli --help'.\n";
    return ExitUsage;
}

} // namespace loadscope
