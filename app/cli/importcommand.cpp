#include "importcommand.h"

#include <QTextStream>

#include "cli/cliapp.h"
#include "cli/commandline.h"
#include "interop/resultimport.h"
#include "store/historystore.h"

namespace loadscope {

int importCommand(const QStringList &args, QTextStream &out, QTextStream &err)
{
    SubcommandLine line(QStringLiteral("import"),
                        QStringLiteral("Import k6, JMeter or Locust results, or web-server access "
                                       "logs (real users), into the history: each file becomes "
                                       "one run."));
    line.addFormatOption(importFormatNames());
    line.addOption(QCommandLineOption(QStringLiteral("test"),
                                      QStringLiteral("Test the runs belong to (default: the"
                                                     " file's base name)."),
                                      QStringLiteral("NAME")));
    line.addOption(QCommandLineOption(QStringLiteral("version-label"),
                                      QStringLiteral("Version label of the imported runs."),
                                      QStringLiteral("V")));
    line.addValueOption(
        "log-format",
        "Access logs (--format=nginx|apache): the server's log_format / LogFormat string "
        "(default: the combined format). $request_time or %D gives the latency.",
        "FMT");
    line.addDbOption();
    line.addPositional(QStringLiteral("FILE"), QStringLiteral("Results file(s) to import."),
                       QStringLiteral("FILE..."));
    int code = 0;
    if (!line.parse(args, out, err, &code))
        return code;
    const QCommandLineParser &p = line.parser();
    const QStringList files = p.positionalArguments();
    if (files.isEmpty())
        return line.usageError(err, QStringLiteral("no file to import"));
    const auto format = line.format(err);
    if (!format)
        return ExitUsage;
    ResultImportOptions options;
    options.format = importFormatFromName(*format).value_or(ImportFormat::Auto);
    options.testName = p.value(QStringLiteral("test"));
    options.versionLabel = p.value(QStringLiteral("version-label"));
    options.logFormat = p.value(QStringLiteral("log-format"));
    if (!options.logFormat.isEmpty() && options.format != ImportFormat::Nginx &&
        options.format != ImportFormat::Apache)
        return line.usageError(err,
                               QStringLiteral("--log-format needs --format=nginx or "
                                              "--format=apache (the syntax it is written in)"));

    auto store = openStoreFor(p, err, line.command());
    if (!store)
        return ExitUsage;
    int exit = ExitPassed;
    for (const QString &file : files) {
        const ImportReport report = importResultFile(*store, file, options);
        if (!report.ok) {
            err << "loadscope-cli import: " << report.error << '\n';
            exit = ExitUsage;
            continue;
        }
        out << report.summaryLine() << '\n';
        for (const QString &note : report.notes)
            out << "  note: " << note << '\n';
        out.flush();
    }
    return exit;
}

} // namespace loadscope
