#include "mergecommand.h"

#include <QFileInfo>
#include <QTextStream>

#include "cli/cliapp.h"
#include "cli/commandline.h"
#include "cli/runreport.h"
#include "interop/resultjson.h"
#include "interop/resultwriters.h"
#include "interop/runmerge.h"
#include "store/historystore.h"

namespace loadscope {

int mergeCommand(const QStringList &args, QTextStream &out, QTextStream &err)
{
    SubcommandLine line(
        QStringLiteral("merge"),
        QStringLiteral("Merge the results of scale-out agents (run --segment=I/N) into one run: "
                       "counters summed, HDR histograms merged exactly, thresholds evaluated "
                       "again. A file may also be an agent's `kubectl logs` (its last line)."));
    line.addValueOption({QStringLiteral("output-file"), QStringLiteral("outputFile")},
                        "Write the merged result here.", "FILE");
    line.addValueOption(
        "format",
        "Output file format: json, csv, junit, html or md (default: from the file's extension, "
        "else json).",
        "FORMAT");
    line.addDbOption();
    line.addFlag({QStringLiteral("no-db")}, "Do not store the merged run in the history.");
    line.addPositional(QStringLiteral("FILE"),
                       QStringLiteral("Agent result files (JSON), one per segment."),
                       QStringLiteral("FILE..."));
    int code = 0;
    if (!line.parse(args, out, err, &code))
        return code;
    const QCommandLineParser &p = line.parser();
    const QStringList files = p.positionalArguments();
    if (files.isEmpty())
        return line.usageError(err, QStringLiteral("no agent result to merge"));
    const QString outputFile = p.value(QStringLiteral("output-file"));
    ResultFormat format = ResultFormat::Json;
    if (p.isSet(QStringLiteral("format"))) {
        const auto named = resultFormatFromName(p.value(QStringLiteral("format")));
        if (!named)
            return line.usageError(
                err, QStringLiteral("--format: \"") + p.value(QStringLiteral("format")) +
                         QStringLiteral("\" is not json, csv, junit, html or md"));
        format = *named;
    } else if (!outputFile.isEmpty()) {
        format = resultFormatFromName(QFileInfo(outputFile).suffix()).value_or(ResultFormat::Json);
    }
    if (p.isSet(QStringLiteral("no-db")) && p.isSet(QStringLiteral("db")))
        return line.usageError(err, QStringLiteral("--db and --no-db contradict each other"));

    QString error;
    const auto merged = mergeAgentFiles(files, &error);
    if (!merged)
        return line.usageError(err, error);

    qint64 resultId = 0;
    std::unique_ptr<HistoryStore> store;
    if (!p.isSet(QStringLiteral("no-db"))) {
        store = openStoreFor(p, err, line.command());
        if (!store)
            return ExitUsage;
        bool duplicate = false;
        resultId = store->storeImportedResult(mergedResultForStore(*merged), &duplicate);
        if (resultId <= 0) {
            err << "loadscope-cli merge: the merged run was NOT stored in " << store->path() << ": "
                << store->lastError() << '\n';
            return ExitRunFailed;
        }
        if (duplicate) {
            out << "  these agents' results are stored already, as run #" << resultId << '\n';
        } else {
            const QList<Recommendation> recommendations = recommendationsFromJson(
                merged->summary.extras.recommendations.value_or(QJsonArray()));
            if (!recommendations.isEmpty())
                store->addRecommendations(resultId, recommendations);
            if (!store->flush()) {
                err << "loadscope-cli merge: the recommendations were not stored: "
                    << store->lastError() << '\n';
            }
        }
    }

    const RunSummary &summary = merged->summary;
    printRunSummary(out, merged->plan, summary, summary.target, resultId,
                    store ? store->path() : QString());
    if (!outputFile.isEmpty()) {
        const QJsonObject document =
            resultDocument(merged->plan, summary, resultId, merged->plan.versionLabel);
        if (!writeResult(format, outputFile, document, &error)) {
            err << "loadscope-cli merge: " << error << '\n';
            return ExitRunFailed;
        }
        out << "  result written to " << outputFile << '\n';
    }
    out.flush();
    if (summary.status == ResultStatus::Failed || summary.totals.requests == 0) {
        err << "loadscope-cli merge: the merged run failed: "
            << (summary.errorDetails.isEmpty() ? QStringLiteral("no request completed")
                                               : summary.errorDetails)
            << '\n';
        return ExitRunFailed;
    }
    return summary.thresholdsPassed() ? ExitPassed : ExitThresholds;
}

} // namespace loadscope
