#include "plancommand.h"

#include <cstdio>

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QTextStream>
#include <QUrl>

#include "cli/cliapp.h"
#include "cli/commandline.h"
#include "interop/accesslogimport.h"
#include "interop/k6export.h"
#include "interop/k8sexport.h"
#include "interop/planimport.h"
#include "plan/duration.h"
#include "plan/planjson.h"
#include "plan/planvalidator.h"

namespace loadscope {

namespace {

//! Writes @p bytes to @p fileName, or to @p out when it is empty; false after an error message.
bool writeOutput(const QByteArray &bytes, const QString &fileName, const QString &command,
                 QTextStream &out, QTextStream &err)
{
    if (fileName.isEmpty()) {
        out << QString::fromUtf8(bytes);
        out.flush();
        return true;
    }
    QSaveFile file(fileName);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        err << "loadscope-cli " << command << ": cannot write " << fileName << ": "
            << file.errorString() << '\n';
        return false;
    }
    return true;
}

void addOutputFileOption(SubcommandLine &line, const char *what)
{
    line.addOption(QCommandLineOption(
        QStringList{QStringLiteral("output-file"), QStringLiteral("outputFile")},
        QStringLiteral("Write the %1 here instead of stdout.").arg(QString::fromLatin1(what)),
        QStringLiteral("FILE")));
}

//! Prints what an import took and left out (stderr: stdout stays the plan), checks the plan
//! and writes it; the exit code.
int finishImport(SubcommandLine &line, const ImportResult &imported, const QString &name,
                 QTextStream &out, QTextStream &err)
{
    const QStringList problems = planErrors(imported.plan);
    if (!problems.isEmpty()) {
        for (const QString &problem : problems)
            err << "loadscope-cli plan import: " << name << ": the imported plan: " << problem
                << '\n';
        return ExitUsage;
    }
    for (const QString &taken : imported.taken)
        err << "taken: " << taken << '\n';
    for (const QString &left : imported.leftOut)
        err << "left out: " << left << '\n';
    err.flush();
    const QString output = line.parser().value(QStringLiteral("output-file"));
    if (!writeOutput(planToJsonBytes(imported.plan, true), output, line.command(), out, err))
        return ExitUsage;
    if (!output.isEmpty())
        err << "plan with " << imported.plan.steps.size() << " steps written to " << output << '\n';
    return ExitPassed;
}

//! `plan import LOG --format=access-log`: a replay plan of the log's route mix and arrivals.
int replayPlan(SubcommandLine &line, QTextStream &out, QTextStream &err)
{
    const QCommandLineParser &p = line.parser();
    const QString source = p.positionalArguments().constFirst();
    if (source == QLatin1String("-"))
        return line.usageError(err, QStringLiteral("an access log is read from a file (it can "
                                                   "be large), not from stdin"));
    double scale = 1;
    if (p.isSet(QStringLiteral("scale"))) {
        bool ok = false;
        scale = p.value(QStringLiteral("scale")).toDouble(&ok);
        if (!ok || !(scale > 0))
            return line.usageError(err, QStringLiteral("--scale: \"") +
                                            p.value(QStringLiteral("scale")) +
                                            QStringLiteral("\" is not a positive number"));
    }
    // The syntax tells the server: nginx names $variables, Apache %directives.
    const QString spec = p.value(QStringLiteral("log-format"));
    const QString dialect = spec.contains(u'$') ? QStringLiteral("nginx")
                            : spec.isEmpty()    ? QStringLiteral("combined")
                                                : QStringLiteral("apache");
    QString error;
    const auto format = accessLogFormatFor(dialect, spec, &error);
    if (!format)
        return line.usageError(err, error);
    const auto imported = replayPlanFromAccessLog(source, *format, scale, &error);
    if (!imported) {
        err << "loadscope-cli plan import: " << error << '\n';
        return ExitUsage;
    }
    return finishImport(line, *imported, source, out, err);
}

int planImport(const QStringList &args, QTextStream &out, QTextStream &err)
{
    SubcommandLine line(QStringLiteral("plan import"),
                        QStringLiteral("Make a loadscope.plan/1 JSON from curl commands, a HAR "
                                       "file, a Postman collection or an OpenAPI document."));
    line.addOption(QCommandLineOption(QStringLiteral("format"),
                                      QStringLiteral("auto (default), curl, har, postman, "
                                                     "openapi or access-log (a replay plan)."),
                                      QStringLiteral("FORMAT")));
    line.addValueOption("log-format",
                        "access-log: the server's nginx log_format or Apache LogFormat string "
                        "(default: the combined format).",
                        "FMT");
    line.addValueOption("scale", "access-log: multiply the observed arrival rate by K.", "K");
    line.addOption(QCommandLineOption(QStringLiteral("include-host"),
                                      QStringLiteral("HAR: keep requests to this host too "
                                                     "(repeatable)."),
                                      QStringLiteral("H")));
    line.addOption(QCommandLineOption(QStringLiteral("environment"),
                                      QStringLiteral("Postman: an exported environment whose "
                                                     "values override the collection's."),
                                      QStringLiteral("FILE")));
    addOutputFileOption(line, "plan");
    line.addPositional(QStringLiteral("FILE"), QStringLiteral("Source file, or - for stdin."),
                       QStringLiteral("FILE|-"));
    int code = 0;
    if (!line.parse(args, out, err, &code))
        return code;
    const QCommandLineParser &p = line.parser();
    if (p.positionalArguments().size() != 1)
        return line.usageError(err, QStringLiteral("give one source file (or - for stdin)"));
    if (p.value(QStringLiteral("format"))
            .compare(QLatin1String("access-log"), Qt::CaseInsensitive) == 0)
        return replayPlan(line, out, err);
    if (p.isSet(QStringLiteral("log-format")) || p.isSet(QStringLiteral("scale")))
        return line.usageError(err, QStringLiteral("--log-format and --scale apply to "
                                                   "--format=access-log"));
    ImportOptions options;
    if (p.isSet(QStringLiteral("format"))) {
        const auto format = planSourceFromString(p.value(QStringLiteral("format")));
        if (!format)
            return line.usageError(err, QStringLiteral("--format: \"") +
                                            p.value(QStringLiteral("format")) +
                                            QStringLiteral("\" is not auto, curl, har, postman "
                                                           "or openapi"));
        options.format = *format;
    }
    options.includeHosts = p.values(QStringLiteral("include-host"));
    if (p.isSet(QStringLiteral("environment"))) {
        QFile environment(p.value(QStringLiteral("environment")));
        if (!environment.open(QIODevice::ReadOnly))
            return line.usageError(err, QStringLiteral("--environment: ") + environment.fileName() +
                                            QStringLiteral(": ") + environment.errorString());
        options.postmanEnvironment = environment.readAll();
    }
    const QString source = p.positionalArguments().constFirst();
    QByteArray bytes;
    if (source == QLatin1String("-")) {
        QFile in;
        if (!in.open(stdin, QIODevice::ReadOnly))
            return line.usageError(err, QStringLiteral("cannot read stdin"));
        bytes = in.readAll();
        options.sourceName = QStringLiteral("stdin");
    } else {
        QFile in(source);
        if (!in.open(QIODevice::ReadOnly)) {
            err << "loadscope-cli plan import: " << source << ": " << in.errorString() << '\n';
            return ExitUsage;
        }
        bytes = in.readAll();
        options.sourceName = QFileInfo(source).fileName();
    }
    const QString name = source == QLatin1String("-") ? QStringLiteral("stdin") : source;
    QString error;
    const auto imported = importPlan(bytes, options, &error);
    if (!imported) {
        err << "loadscope-cli plan import: " << name << ": " << error << '\n';
        return ExitUsage;
    }
    return finishImport(line, *imported, name, out, err);
}

} // namespace

int planCommand(const QStringList &args, QTextStream &out, QTextStream &err)
{
    if (!args.isEmpty() && args.first() == QLatin1String("import"))
        return planImport(args.mid(1), out, err);
    const bool help = !args.isEmpty() && (args.first() == QLatin1String("--help") ||
                                          args.first() == QLatin1String("-h"));
    (help ? out : err)
        << "Usage: loadscope-cli plan import FILE|- "
           "[--format=auto|curl|har|postman|openapi|access-log] [--include-host=H]... "
           "[--log-format=FMT] [--scale=K] "
           "[--environment=FILE] [--output-file=F]\n";
    if (!help && !args.isEmpty())
        err << "loadscope-cli plan: unknown subcommand '" << args.first() << "'\n";
    return help ? ExitPassed : ExitUsage;
}

int exportK6Command(const QStringList &args, QTextStream &out, QTextStream &err)
{
    SubcommandLine line(QStringLiteral("export-k6"),
                        QStringLiteral("Write a plan as a k6 script."));
    addOutputFileOption(line, "script");
    line.addPositional(QStringLiteral("PLAN"), QStringLiteral("Plan JSON file."),
                       QStringLiteral("PLAN.json"));
    int code = 0;
    if (!line.parse(args, out, err, &code))
        return code;
    const QCommandLineParser &p = line.parser();
    if (p.positionalArguments().size() != 1)
        return line.usageError(err, QStringLiteral("give one plan file"));
    const QString planFile = p.positionalArguments().constFirst();
    QString error;
    const auto plan = planFromFile(planFile, &error);
    if (!plan) {
        for (const QString &problem : error.split(u'\n', Qt::SkipEmptyParts))
            err << planFile << ": " << problem << '\n';
        return ExitUsage;
    }
    const QString output = p.value(QStringLiteral("output-file"));
    // k6 open() reads paths relative to the script: written so from where it will be.
    TestPlan relative = *plan;
    const QDir scriptDir(output.isEmpty() ? QDir::currentPath() : QFileInfo(output).absolutePath());
    if (!relative.dataFile.isEmpty())
        relative.dataFile = scriptDir.relativeFilePath(relative.dataFile);
    for (Step &step : relative.steps) {
        if (!step.bodyFile.isEmpty())
            step.bodyFile = scriptDir.relativeFilePath(step.bodyFile);
    }
    const K6Script script = exportK6(relative);
    if (!writeOutput(script.script.toUtf8(), output, line.command(), out, err))
        return ExitUsage;
    for (const QString &note : script.notExpressed)
        err << "not expressed in k6: " << note << '\n';
    if (!output.isEmpty())
        err << "k6 script written to " << output << '\n';
    return ExitPassed;
}

int exportK8sCommand(const QStringList &args, QTextStream &out, QTextStream &err)
{
    SubcommandLine line(QStringLiteral("export-k8s"),
                        QStringLiteral("Write a plan as a Kubernetes ConfigMap and an Indexed Job "
                                       "of N agents, each running one segment of it from a "
                                       "common start; `loadscope-cli merge` makes one run of "
                                       "their results."));
    line.addValueOption("agents", "Number of agents (pods), one segment each.", "N");
    line.addValueOption("image",
                        "Container image with loadscope-cli (default "
                        "localhost/loadscope-cli:latest, see packaging/container/).",
                        "IMG");
    line.addValueOption("namespace", "Namespace of the objects (default: default).", "NS");
    line.addValueOption("start-delay",
                        "The agents start together this long after the export (default 30s): "
                        "time for the pods to be scheduled and pull the image.",
                        "DURATION");
    line.addValueOption("report-to",
                        "A Loadscope REST endpoint the agents POST their results to, e.g. "
                        "http://workbench:8080/api/performance/results/merge (default: each "
                        "agent prints its result as the last line of its log).",
                        "URL");
    line.addValueOption({QStringLiteral("base-url"), QStringLiteral("baseUrl")},
                        "Target base URL as the pods reach it (default: the plan's).", "URL");
    line.addValueOption("cpu", "CPU each agent requests (default 1).", "CPU");
    line.addValueOption("memory", "Memory each agent requests (default 256Mi).", "MEM");
    line.addFormatOption({QStringLiteral("yaml"), QStringLiteral("json")});
    addOutputFileOption(line, "manifest");
    line.addPositional(QStringLiteral("PLAN"), QStringLiteral("Plan JSON file."),
                       QStringLiteral("PLAN.json"));
    int code = 0;
    if (!line.parse(args, out, err, &code))
        return code;
    const QCommandLineParser &p = line.parser();
    if (p.positionalArguments().size() != 1)
        return line.usageError(err, QStringLiteral("give one plan file"));
    const auto format = line.format(err);
    if (!format)
        return ExitUsage;
    K8sExportOptions options;
    bool ok = false;
    options.agents = p.value(QStringLiteral("agents")).toInt(&ok);
    if (!p.isSet(QStringLiteral("agents")) || !ok || options.agents < 1)
        return line.usageError(err, QStringLiteral("--agents: give the number of agents (1 or "
                                                   "more), e.g. --agents=4"));
    if (p.isSet(QStringLiteral("image")))
        options.image = p.value(QStringLiteral("image"));
    if (p.isSet(QStringLiteral("namespace"))) {
        options.namespaceName = p.value(QStringLiteral("namespace"));
        if (kubernetesName(options.namespaceName, 63) != options.namespaceName)
            return line.usageError(err, QStringLiteral("--namespace: \"") + options.namespaceName +
                                            QStringLiteral("\" is not a DNS-1123 label "
                                                           "(lower case, digits, '-')"));
    }
    qint64 delayMs = 30000;
    if (p.isSet(QStringLiteral("start-delay"))) {
        QString why;
        const auto parsed = parseDurationMs(p.value(QStringLiteral("start-delay")), &why);
        if (!parsed || *parsed < 0)
            return line.usageError(err, QStringLiteral("--start-delay: ") +
                                            (why.isEmpty() ? QStringLiteral("negative") : why));
        delayMs = *parsed;
    }
    options.startAt = QDateTime::currentDateTimeUtc().addMSecs(delayMs);
    options.reportTo = p.value(QStringLiteral("report-to"));
    if (!options.reportTo.isEmpty()) {
        const QUrl url(options.reportTo, QUrl::StrictMode);
        if (!url.isValid() ||
            (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
            return line.usageError(err, QStringLiteral("--report-to: \"") + options.reportTo +
                                            QStringLiteral("\" is not an http(s) URL"));
    }
    if (p.isSet(QStringLiteral("cpu")))
        options.cpu = p.value(QStringLiteral("cpu"));
    if (p.isSet(QStringLiteral("memory")))
        options.memory = p.value(QStringLiteral("memory"));

    const QString planFile = p.positionalArguments().constFirst();
    QString error;
    auto plan = planFromFile(planFile, &error);
    if (!plan) {
        for (const QString &problem : error.split(u'\n', Qt::SkipEmptyParts))
            err << planFile << ": " << problem << '\n';
        return ExitUsage;
    }
    if (p.isSet(QStringLiteral("base-url")))
        plan->baseUrl = p.value(QStringLiteral("base-url"));
    const auto manifest = k8sManifest(*plan, options, &error);
    if (!manifest)
        return line.usageError(err, planFile + QStringLiteral(": ") + error);
    const QByteArray bytes =
        *format == QLatin1String("json") ? manifestToJson(*manifest) : manifestToYaml(*manifest);
    const QString output = p.value(QStringLiteral("output-file"));
    if (!writeOutput(bytes, output, line.command(), out, err))
        return ExitUsage;
    err << options.agents << " agents start at " << options.startAt.toString(Qt::ISODateWithMs)
        << "; apply before then (kubectl apply -f), then merge their results ("
        << (options.reportTo.isEmpty()
                ? QStringLiteral("kubectl logs job/") + kubernetesName(plan->name) +
                      QStringLiteral(" per pod, last line")
                : options.reportTo)
        << ")\n";
    return ExitPassed;
}

} // namespace loadscope
