#include "historyloop.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTextStream>

#include "cli/cliapp.h"
#include "cli/commandline.h"
#include "plan/planjson.h"
#include "session/changelog.h"
#include "store/historystore.h"

namespace loadscope {
std::optional<StoredTest> findTest(HistoryStore &store, const QString &test)
{
    bool isId = false;
    const qint64 id = test.toLongLong(&isId);
    return isId ? store.test(id) : store.findTestByName(test);
}

void printChangeLog(HistoryStore &store, qint64 testId, QTextStream &out)
{
    const QList<ChangeEffect> effects = changeEffects(store, testId);
    if (effects.isEmpty())
        return;
    out << "Changes (annotations) and their measured effect:\n";
    for (const ChangeEffect &e : effects) {
        const Annotation &a = e.annotation;
        out << "  " << a.at.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")) << "  "
            << a.note;
        if (!a.author.isEmpty())
            out << " (" << a.author << ')';
        if (!a.link.isEmpty())
            out << " <" << a.link << '>';
        out << '\n';
        if (e.measured.isEmpty()) {
            out << "      "
                << (e.afterId == 0 ? "no completed run since" : "no completed run before it")
                << ": nothing to measure yet\n";
            continue;
        }
        out << "      #" << e.beforeId << " -> #" << e.afterId << ": p95 "
            << formatDeltaPercent(e.measured.value(QLatin1String("p95")).toObject())
            << ", throughput "
            << formatDeltaPercent(e.measured.value(QLatin1String("throughput")).toObject())
            << ", error rate "
            << formatDeltaPercent(e.measured.value(QLatin1String("errorRate")).toObject())
            << "  => " << e.measured.value(QLatin1String("verdict")).toString() << '\n';
    }
}

QJsonArray changeLogJson(HistoryStore &store, qint64 testId)
{
    QJsonArray array;
    for (const ChangeEffect &e : changeEffects(store, testId))
        array.append(e.toJson());
    return array;
}

int historyAnnotate(const QStringList &args, QTextStream &out, QTextStream &err)
{
    SubcommandLine line(QStringLiteral("history annotate"),
                        QStringLiteral("Record what changed: on a run (ID), or on a test at a "
                                       "time between two runs (--test, --at)."));
    line.addValueOption("note", "What changed (required).", "TEXT");
    line.addValueOption("author", "Who changed it (default: $USER).", "NAME");
    line.addValueOption("link", "A link or commit.", "URL");
    line.addValueOption("test", "Annotate this test (id or name) instead of a run.", "TEST");
    line.addValueOption("at", "With --test: when the change happened (RFC 3339; default now).",
                        "TIME");
    line.addDbOption();
    line.addPositional(QStringLiteral("ID"), QStringLiteral("The run the change is on."),
                       QStringLiteral("[ID]"));
    int code = 0;
    if (!line.parse(args, out, err, &code))
        return code;
    const QCommandLineParser &p = line.parser();
    Annotation a;
    a.note = p.value(QStringLiteral("note")).trimmed();
    if (a.note.isEmpty())
        return line.usageError(err, QStringLiteral("--note is required"));
    a.author = p.isSet(QStringLiteral("author")) ? p.value(QStringLiteral("author"))
                                                 : qEnvironmentVariable("USER");
    a.link = p.value(QStringLiteral("link"));
    const QStringList positional = p.positionalArguments();
    const bool onTest = p.isSet(QStringLiteral("test"));
    if (onTest == (positional.size() == 1) || positional.size() > 1)
        return line.usageError(err, QStringLiteral("give either a run ID or --test"));
    auto store = openStoreFor(p, err, line.command());
    if (!store)
        return ExitUsage;
    if (onTest) {
        const auto test = findTest(*store, p.value(QStringLiteral("test")));
        if (!test)
            return line.usageError(err, QStringLiteral("--test: no stored test \"") +
                                            p.value(QStringLiteral("test")) + u'"');
        a.testId = test->id;
        if (p.isSet(QStringLiteral("at"))) {
            a.at = QDateTime::fromString(p.value(QStringLiteral("at")), Qt::ISODateWithMs);
            if (!a.at.isValid())
                return line.usageError(err, QStringLiteral("--at: \"") +
                                                p.value(QStringLiteral("at")) +
                                                QStringLiteral("\" is not an RFC 3339 time"));
        }
    } else {
        bool ok = false;
        a.resultId = positional.first().toLongLong(&ok);
        if (!ok || a.resultId <= 0)
            return line.usageError(err, QStringLiteral("\"") + positional.first() +
                                            QStringLiteral("\" is not a run ID"));
    }
    const qint64 id = store->addAnnotation(a);
    if (id <= 0) {
        err << "loadscope-cli history annotate: " << store->lastError() << '\n';
        return ExitUsage;
    }
    out << "annotation #" << id << " stored"
        << (a.resultId > 0 ? QStringLiteral(" on run #") + QString::number(a.resultId)
                           : QStringLiteral(" on the test"))
        << '\n';
    return ExitPassed;
}

int historyRecommendations(const QStringList &args, QTextStream &out, QTextStream &err)
{
    SubcommandLine line(QStringLiteral("history recommendations"),
                        QStringLiteral("A test's recommendations with their follow-up, critical "
                                       "first (open ones only unless --all)."));
    line.addFlag({QStringLiteral("all")}, "Also the applied and dismissed ones.");
    line.addFormatOption({QStringLiteral("text"), QStringLiteral("json")});
    line.addDbOption();
    line.addPositional(QStringLiteral("TEST"), QStringLiteral("Test id or name."),
                       QStringLiteral("TEST"));
    int code = 0;
    if (!line.parse(args, out, err, &code))
        return code;
    const QCommandLineParser &p = line.parser();
    if (p.positionalArguments().size() != 1)
        return line.usageError(err, QStringLiteral("expects one test id or name"));
    const auto format = line.format(err);
    if (!format)
        return ExitUsage;
    auto store = openStoreFor(p, err, line.command());
    if (!store)
        return ExitUsage;
    const QString testRef = p.positionalArguments().constFirst();
    const auto test = findTest(*store, testRef);
    if (!test)
        return line.usageError(err, QStringLiteral("no stored test \"") + testRef + u'"');
    const QList<RecommendationFollowUp> list =
        store->testRecommendations(test->id, !p.isSet(QStringLiteral("all")));
    if (*format == QLatin1String("json")) {
        QJsonArray array;
        for (const RecommendationFollowUp &f : list)
            array.append(f.toJson());
        out << QJsonDocument(array).toJson(QJsonDocument::Indented);
        return ExitPassed;
    }
    if (list.isEmpty())
        out << "no " << (p.isSet(QStringLiteral("all")) ? "" : "open ") << "recommendations for \""
            << test->name << "\"\n";
    for (const RecommendationFollowUp &f : list) {
        out << '#' << f.recommendation.id << "  [" << f.recommendation.impact << "] "
            << f.recommendation.title << "  (from run #" << f.resultId << ", " << f.state;
        if (f.state == QLatin1String("applied"))
            out << " in #" << f.appliedResultId;
        if (!f.reason.isEmpty())
            out << ": " << f.reason;
        out << ")\n      " << estimateBesideMeasurement(f) << '\n';
    }
    return ExitPassed;
}

int historyRecommendation(const QStringList &args, QTextStream &out, QTextStream &err)
{
    SubcommandLine line(QStringLiteral("history recommendation"),
                        QStringLiteral("Follow a recommendation up: applied in the run that tests "
                                       "it (its measured gain is stored beside the estimate), "
                                       "dismissed with a reason, or open again."));
    line.addValueOption("applied-in", "The run that tests the recommendation.", "RUN");
    line.addValueOption("dismiss", "Dismiss it, saying why.", "REASON");
    line.addFlag({QStringLiteral("reopen")}, "Mark it open again.");
    line.addValueOption("note", "With --applied-in: what was done.", "TEXT");
    line.addDbOption();
    line.addPositional(QStringLiteral("ID"), QStringLiteral("The recommendation's id."),
                       QStringLiteral("ID"));
    int code = 0;
    if (!line.parse(args, out, err, &code))
        return code;
    const QCommandLineParser &p = line.parser();
    bool ok = false;
    const qint64 id = p.positionalArguments().value(0).toLongLong(&ok);
    if (p.positionalArguments().size() != 1 || !ok || id <= 0)
        return line.usageError(err, QStringLiteral("expects one recommendation id"));
    const int actions = int(p.isSet(QStringLiteral("applied-in"))) +
                        int(p.isSet(QStringLiteral("dismiss"))) +
                        int(p.isSet(QStringLiteral("reopen")));
    if (actions != 1)
        return line.usageError(err,
                               QStringLiteral("give one of --applied-in, --dismiss, --reopen"));
    auto store = openStoreFor(p, err, line.command());
    if (!store)
        return ExitUsage;
    const auto followUp = store->recommendationFollowUp(id);
    if (!followUp)
        return line.usageError(err,
                               QStringLiteral("there is no recommendation ") + QString::number(id));
    QString state = QStringLiteral("open");
    qint64 applied = 0;
    QString reason;
    QJsonObject measured;
    if (p.isSet(QStringLiteral("applied-in"))) {
        applied = p.value(QStringLiteral("applied-in")).toLongLong(&ok);
        if (!ok || applied <= 0)
            return line.usageError(err, QStringLiteral("--applied-in: \"") +
                                            p.value(QStringLiteral("applied-in")) +
                                            QStringLiteral("\" is not a run ID"));
        state = QStringLiteral("applied");
        reason = p.value(QStringLiteral("note"));
        // The measurement the estimate is held against: the run it came from vs the run
        // that tests it, with the verdict's noise model.
        QString error;
        measured = measuredChange(*store, followUp->resultId, applied, &error);
        if (measured.isEmpty())
            return line.usageError(err, QStringLiteral("--applied-in: ") + error);
    } else if (p.isSet(QStringLiteral("dismiss"))) {
        state = QStringLiteral("dismissed");
        reason = p.value(QStringLiteral("dismiss"));
    }
    if (!store->setRecommendationState(id, state, applied, reason, measured)) {
        err << "loadscope-cli history recommendation: " << store->lastError() << '\n';
        return ExitUsage;
    }
    const auto updated = store->recommendationFollowUp(id);
    out << "recommendation #" << id << " \"" << followUp->recommendation.title << "\": " << state
        << (applied > 0 ? QStringLiteral(" in run #") + QString::number(applied) : QString())
        << '\n';
    if (updated && state == QLatin1String("applied"))
        out << "  " << estimateBesideMeasurement(*updated) << '\n';
    return ExitPassed;
}

} // namespace loadscope
