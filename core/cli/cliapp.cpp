#include "cliapp.h"

#include <QTextStream>

#include "cli/commandline.h"
#include "cli/historycommand.h"
#include "cli/runoptions.h"

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
    "  import FILE            import k6, JMeter or Locust results\n"
    "  export-k6 PLAN.json    write a plan as a k6 script\n"
    "\n"
    "Options:\n"
    "  -h, --help             show this help (or a command's: loadscope-cli run --help)\n"
    "  -v, --version          show the version\n"
    "\n"
    "Exit codes: 0 passed, 1 run failed, 2 bad usage or input, 98 regression against the\n"
    "baseline, 99 thresholds crossed.\n";

int notAvailableYet(const QString &command, const QString &what, QTextStream &err)
{
    err << "loadscope-cli " << command << ": not available yet (" << what
        << " has not landed in this build)\n";
    return ExitUsage;
}

int demoCommand(const QStringList &args, QTextStream &out, QTextStream &err)
{
    SubcommandLine line(QStringLiteral("demo"),
                        QStringLiteral("Serve the built-in SmartMarket sample API on loopback."));
    const auto opt = [&line](const char *name, const char *help, const char *value) {
        line.addOption(QCommandLineOption(QString::fromLatin1(name), QString::fromLatin1(help),
                                          QString::fromLatin1(value)));
    };
    opt("port", "Port to listen on (0 = any free port).", "N");
    opt("latency-ms", "Added latency per request.", "N");
    opt("jitter-ms", "Random jitter added to the latency.", "N");
    opt("error-rate", "Fraction of requests answered with 500.", "F");
    opt("stall-every", "Stall all requests every SECONDS.", "SECONDS");
    opt("stall-ms", "Length of each stall.", "N");
    int code = 0;
    if (!line.parse(args, out, err, &code))
        return code;
    return notAvailableYet(line.command(), QStringLiteral("the sample API"), err);
}

int serveCommand(const QStringList &args, QTextStream &out, QTextStream &err)
{
    SubcommandLine line(QStringLiteral("serve"), QStringLiteral("Serve the REST API."));
    line.addOption(QCommandLineOption(QStringLiteral("bind"),
                                      QStringLiteral("Address to bind (default 127.0.0.1)."),
                                      QStringLiteral("ADDR")));
    line.addOption(QCommandLineOption(QStringLiteral("port"), QStringLiteral("Port to listen on."),
                                      QStringLiteral("N")));
    line.addOption(QCommandLineOption(QStringLiteral("token"),
                                      QStringLiteral("Bearer token clients must send."),
                                      QStringLiteral("T")));
    line.addDbOption();
    int code = 0;
    if (!line.parse(args, out, err, &code))
        return code;
    return notAvailableYet(line.command(), QStringLiteral("the REST API"), err);
}

int importCommand(const QStringList &args, QTextStream &out, QTextStream &err)
{
    SubcommandLine line(QStringLiteral("import"),
                        QStringLiteral("Import k6, JMeter or Locust results into the history."));
    line.addOption(QCommandLineOption(QStringLiteral("format"),
                                      QStringLiteral("k6-json, k6-csv, jmeter-jtl or locust-csv."),
                                      QStringLiteral("FORMAT")));
    line.addDbOption();
    line.addPositional(QStringLiteral("FILE"), QStringLiteral("Results file to import."),
                       QStringLiteral("FILE"));
    int code = 0;
    if (!line.parse(args, out, err, &code))
        return code;
    return notAvailableYet(line.command(), QStringLiteral("importing results"), err);
}

int exportK6Command(const QStringList &args, QTextStream &out, QTextStream &err)
{
    SubcommandLine line(QStringLiteral("export-k6"),
                        QStringLiteral("Write a plan as a k6 script."));
    line.addPositional(QStringLiteral("PLAN"), QStringLiteral("Plan JSON file."),
                       QStringLiteral("PLAN.json"));
    int code = 0;
    if (!line.parse(args, out, err, &code))
        return code;
    return notAvailableYet(line.command(), QStringLiteral("k6 export"), err);
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
    if (command == QLatin1String("-h") || command == QLatin1String("--help")
        || command == QLatin1String("help")) {
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
    if (command == QLatin1String("export-k6"))
        return exportK6Command(rest, out, err);
    if (command.startsWith(u'-'))
        err << "loadscope-cli: unknown option '" << command << "' (options follow a command)\n";
    else
        err << "loadscope-cli: unknown command '" << command << "'\n";
    err << "Try 'loadscope-cli --help'.\n";
    return ExitUsage;
}

} // namespace loadscope
