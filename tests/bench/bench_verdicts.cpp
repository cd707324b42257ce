// Benchmark (run by hand, not by CTest): how often the comparison verdict cries wolf, and how
// often it sees a real slowdown. Series of short real runs through loadscope-cli, stored in a
// history database, compared as `history compare` compares them:
//   build/dev/tests/bench_verdicts [--pairs=3] [--seconds=10] [--base-latency=100]
//                                  [--effects=10,20,50] [--vus=10] [--nginx-rate=500]
//                                  [--monitor] [--no-nginx] [--default-spread=3,5]
//                                  [--explain] [--keep-dbs=DIR] [--reanalyse=DIR]
// Per pair index i it runs, interleaved so that drift of the machine hits every series alike:
// A_i and A'_i against `loadscope-cli demo --latency-ms=BASE` (a child process), B_e,i against
// the same port with the latency raised by each effect e (BASE·(1 + e)), then N_i and N'_i at a
// fixed arrival rate against nginx on loopback. Then it compares
//   A/A:  (A_i, A'_i) and (N_i, N'_i), and every other pair of same-target runs,
//   A/B:  (A_i, B_e,i) and every (A_j, B_e,i),
// once with each default run-to-run spread asked for (--default-spread, percent) and once with the
// other A runs as history, and prints
// per row the verdict counts and the rate that matters: false alarms (regression or
// improvement) for A/A, detected regressions for A/B. Without --monitor the runs skip resource
// sampling: on a shared machine at full CPU every monitored run is (rightly) marked saturated,
// and the verdict is "inconclusive" by design; --monitor measures that instead.
// Nothing here passes or fails.

#include <cstdio>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QTemporaryDir>

#include "analysis/runcomparison.h"
#include "referenceserver.h"
#include "session/sampletarget.h"
#include "session/storedrun.h"
#include "store/historystore.h"
#include "testsupport.h"

using namespace loadscope;
using namespace loadscope::test;

namespace {

struct Settings
{
    int pairs = 3;
    int seconds = 10;
    int baseLatencyMs = 100;
    QList<int> effectsPct{10, 20, 50};
    int vus = 10;
    int nginxRate = 500;
    bool monitor = false;
    bool nginx = true;
    QList<double> defaultSpreadsPct{ComparisonOptions().defaultRunToRunPct};
    bool explain = false; //!< print the metrics behind every regression or improvement
    QString keepDir;      //!< when set, the runs' databases are kept there (demo.db, nginx.db)
    //! When set, nothing is run: the databases a --keep-dbs run left there are compared again
    //! (runs told apart by their labels), e.g. after a change to the noise model.
    QString reanalyseDir;
};

//! The runs a --keep-dbs bench left in @p path, by label: A<i>, A'<i>, B<e>.<i>, N<i>, N'<i>.
QMap<QString, qint64> labelledRuns(const QString &path)
{
    QMap<QString, qint64> byLabel;
    HistoryStore store;
    QString error;
    if (!QFile::exists(path) || !store.open(path, &error))
        return byLabel;
    for (const ResultRecord &r : store.listResults())
        byLabel.insert(r.versionLabel, r.id);
    return byLabel;
}

//! One run through the CLI into @p db; its result id, or 0.
qint64 runOnce(const Settings &s, const QString &baseUrl, const QString &db, const QString &tag,
               const QStringList &extra, const QString &output)
{
    QStringList args{QStringLiteral("run"),
                     QStringLiteral("--type=API_LATENCY"),
                     QStringLiteral("--base-url=") + baseUrl,
                     QStringLiteral("--endpoint=/api/health"),
                     QStringLiteral("--duration=%1").arg(s.seconds),
                     QStringLiteral("--concurrency=%1").arg(s.vus),
                     QStringLiteral("--threads=1"),
                     QStringLiteral("--db=") + db,
                     QStringLiteral("--quiet"),
                     QStringLiteral("--version-label=") + tag,
                     QStringLiteral("--output-file=") + output};
    if (!s.monitor)
        args << QStringLiteral("--no-monitor");
    const CliRun run = runCli(args + extra, (s.seconds + 60) * 1000);
    QFile file(output);
    if (run.exitCode != 0 || !file.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "run %s exited %d:\n%s%s\n", qPrintable(tag), run.exitCode,
                     qPrintable(run.out), qPrintable(run.err));
        return 0;
    }
    const QJsonObject result =
        QJsonDocument::fromJson(file.readAll()).object().value(QStringLiteral("result")).toObject();
    std::printf("  %-8s p95 %7.3f ms  %8.1f req/s\n", qPrintable(tag),
                result.value(QStringLiteral("latencyMs"))
                    .toObject()
                    .value(QStringLiteral("p95"))
                    .toDouble(),
                result.value(QStringLiteral("totals"))
                    .toObject()
                    .value(QStringLiteral("throughputRps"))
                    .toDouble());
    std::fflush(stdout);
    return result.value(QStringLiteral("id")).toInteger();
}

struct Tally
{
    int regression = 0;
    int improvement = 0;
    int none = 0;
    int inconclusive = 0;
    int total() const { return regression + improvement + none + inconclusive; }
    void add(MetricDelta::Verdict v)
    {
        switch (v) {
        case MetricDelta::Regression:
            ++regression;
            break;
        case MetricDelta::Improvement:
            ++improvement;
            break;
        case MetricDelta::Inconclusive:
            ++inconclusive;
            break;
        default:
            ++none;
        }
    }
};

//! The stored runs of one database, read once.
class Runs
{
public:
    bool open(const QString &path)
    {
        QString error;
        if (!m_store.open(path, &error)) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return false;
        }
        return true;
    }
    const RunForComparison &run(qint64 id)
    {
        auto it = m_runs.find(id);
        if (it == m_runs.end()) {
            QString error;
            const auto stored = loadStoredRun(m_store, id, &error);
            it = m_runs.insert(id, stored ? stored->forComparison() : RunForComparison());
            m_summaries.insert(id, stored ? m_store.result(id)->summary : QJsonObject());
        }
        return *it;
    }
    //! Summaries of @p ids without the candidate's: the history of a CI job on this plan, the
    //! baseline included (as `history compare` does).
    QList<QJsonObject> history(const QList<qint64> &ids, qint64 candidate)
    {
        QList<QJsonObject> list;
        for (qint64 id : ids) {
            if (id == candidate)
                continue;
            run(id);
            list.append(m_summaries.value(id));
        }
        return list;
    }
    MetricDelta::Verdict verdict(qint64 a, qint64 b, const QList<QJsonObject> &history)
    {
        const RunComparison c = compareRuns(run(a), {run(b)}, options, history);
        if (explain &&
            (c.overall == MetricDelta::Regression || c.overall == MetricDelta::Improvement)) {
            for (const MetricDelta &d : c.perCandidate.value(0)) {
                if (d.verdict == MetricDelta::Regression || d.verdict == MetricDelta::Improvement)
                    std::printf("    #%lld -> #%lld %s%s: %.4g -> %.4g (%+.1f %%, p %.3g, "
                                "adjusted %.3g, run-to-run %.2g)\n",
                                qlonglong(a), qlonglong(b), qPrintable(d.metric),
                                d.key ? " (key)" : "", d.base, d.candidate, d.relDeltaPct, d.pValue,
                                d.pAdjusted, d.runToRun);
            }
        }
        return c.overall;
    }

    ComparisonOptions options;
    bool explain = false;

private:
    HistoryStore m_store;
    QMap<qint64, RunForComparison> m_runs;
    QMap<qint64, QJsonObject> m_summaries;
};

void printRow(const char *target, const QString &what, const char *noise, const Tally &t, bool aa)
{
    const int hits = aa ? t.regression + t.improvement : t.regression;
    std::printf("| %-6s | %-24s | %-8s | %5d | %4d | %4d | %4d | %4d | %5.1f %% %s |\n", target,
                qPrintable(what), noise, t.total(), t.regression, t.improvement, t.none,
                t.inconclusive, t.total() > 0 ? 100.0 * hits / t.total() : 0.0,
                aa ? "false alarms" : "detected");
}

//! Runs the series into @p dir's demo.db and nginx.db, interleaved; their ids by series.
int runSeries(const Settings &s, const QDir &dir, QList<qint64> &a, QList<qint64> &a2,
              QMap<int, QList<qint64>> &b, QList<qint64> &n, QList<qint64> &n2)
{
    const QString output = dir.filePath(QStringLiteral("result.json"));
    const QString demoDb = dir.filePath(QStringLiteral("demo.db"));
    const QString nginxDb = dir.filePath(QStringLiteral("nginx.db"));
    SampleTargetProcess demo(cliPath());
    QString error;
    const auto latency = [&](int ms) {
        return QStringList{QStringLiteral("--latency-ms=%1").arg(ms)};
    };
    if (!demo.start(latency(s.baseLatencyMs), &error)) {
        std::fprintf(stderr, "demo: %s\n", qPrintable(error));
        return 1;
    }
    NginxServer nginx;
    if (s.nginx && !nginx.start(&error)) {
        std::fprintf(stderr, "nginx: %s\n", qPrintable(error));
        return 1;
    }
    const QString demoUrl = demo.target().baseUrl;
    std::printf("%d pair(s) of %d s runs, %d VUs on one worker thread, resource monitor %s\n"
                "demo --latency-ms=%d on %s; effects",
                s.pairs, s.seconds, s.vus, s.monitor ? "on" : "off", s.baseLatencyMs,
                qPrintable(demoUrl));
    QMap<int, int> effectLatency; // effect % → latency ms
    for (int e : std::as_const(s.effectsPct)) {
        effectLatency.insert(e, int(std::lround(s.baseLatencyMs * (1 + e / 100.0))));
        std::printf(" +%d %% = %d ms", e, effectLatency.value(e));
    }
    if (s.nginx)
        std::printf("; nginx %s at %d req/s", qPrintable(nginx.baseUrl()), s.nginxRate);
    std::printf("\n");

    const auto failed = [] {
        std::fprintf(stderr, "a run failed: stopping\n");
        return 1;
    };
    for (int i = 1; i <= s.pairs; ++i) {
        std::printf("pair %d\n", i);
        const qint64 first = runOnce(s, demoUrl, demoDb, QStringLiteral("A%1").arg(i), {}, output);
        if (first <= 0)
            return failed();
        a.append(first);
        for (auto it = effectLatency.cbegin(); it != effectLatency.cend(); ++it) {
            if (!demo.restart(latency(it.value()), &error)) {
                std::fprintf(stderr, "demo: %s\n", qPrintable(error));
                return 1;
            }
            const qint64 id = runOnce(s, demoUrl, demoDb,
                                      QStringLiteral("B%1.%2").arg(it.key()).arg(i), {}, output);
            if (id <= 0)
                return failed();
            b[it.key()].append(id);
        }
        if (!effectLatency.isEmpty() && !demo.restart(latency(s.baseLatencyMs), &error)) {
            std::fprintf(stderr, "demo: %s\n", qPrintable(error));
            return 1;
        }
        const qint64 second =
            runOnce(s, demoUrl, demoDb, QStringLiteral("A'%1").arg(i), {}, output);
        if (second <= 0)
            return failed();
        a2.append(second);
        if (s.nginx) {
            const QStringList rate{QStringLiteral("--rate=%1").arg(s.nginxRate)};
            const qint64 x =
                runOnce(s, nginx.baseUrl(), nginxDb, QStringLiteral("N%1").arg(i), rate, output);
            const qint64 y =
                runOnce(s, nginx.baseUrl(), nginxDb, QStringLiteral("N'%1").arg(i), rate, output);
            if (x <= 0 || y <= 0)
                return failed();
            n.append(x);
            n2.append(y);
        }
    }

    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    Settings s;
    for (const QString &arg : app.arguments().mid(1)) {
        if (arg.startsWith(QLatin1String("--pairs=")))
            s.pairs = arg.mid(8).toInt();
        else if (arg.startsWith(QLatin1String("--seconds=")))
            s.seconds = arg.mid(10).toInt();
        else if (arg.startsWith(QLatin1String("--base-latency=")))
            s.baseLatencyMs = arg.mid(15).toInt();
        else if (arg.startsWith(QLatin1String("--vus=")))
            s.vus = arg.mid(6).toInt();
        else if (arg.startsWith(QLatin1String("--nginx-rate=")))
            s.nginxRate = arg.mid(13).toInt();
        else if (arg == QLatin1String("--monitor"))
            s.monitor = true;
        else if (arg == QLatin1String("--no-nginx"))
            s.nginx = false;
        else if (arg == QLatin1String("--explain"))
            s.explain = true;
        else if (arg.startsWith(QLatin1String("--keep-dbs=")))
            s.keepDir = arg.mid(11);
        else if (arg.startsWith(QLatin1String("--reanalyse=")))
            s.reanalyseDir = arg.mid(12);
        else if (arg.startsWith(QLatin1String("--default-spread="))) {
            s.defaultSpreadsPct.clear();
            for (const QString &v : arg.mid(17).split(u','))
                s.defaultSpreadsPct.append(v.toDouble());
        } else if (arg.startsWith(QLatin1String("--effects="))) {
            s.effectsPct.clear();
            for (const QString &n : arg.mid(10).split(u','))
                s.effectsPct.append(n.toInt());
        } else {
            std::fprintf(stderr, "unknown argument %s\n", qPrintable(arg));
            return 2;
        }
    }
    if (s.pairs < 1 || s.seconds < 1 || s.baseLatencyMs < 1) {
        std::fprintf(stderr, "--pairs, --seconds and --base-latency must be positive\n");
        return 2;
    }
    QTemporaryDir scratch;
    QDir dir(s.keepDir.isEmpty() ? scratch.path() : s.keepDir);
    if (!dir.mkpath(QStringLiteral("."))) {
        std::fprintf(stderr, "cannot create %s\n", qPrintable(dir.path()));
        return 2;
    }
    QList<qint64> a, a2, n, n2;
    QMap<int, QList<qint64>> b;
    if (!s.reanalyseDir.isEmpty()) {
        const QDir kept(s.reanalyseDir);
        const QMap<QString, qint64> demoLabels = labelledRuns(kept.filePath(QStringLiteral("demo.db")));
        const QMap<QString, qint64> nginxLabels =
            labelledRuns(kept.filePath(QStringLiteral("nginx.db")));
        for (int i = 1; demoLabels.contains(QStringLiteral("A%1").arg(i)); ++i) {
            a.append(demoLabels.value(QStringLiteral("A%1").arg(i)));
            a2.append(demoLabels.value(QStringLiteral("A'%1").arg(i)));
            if (nginxLabels.contains(QStringLiteral("N%1").arg(i))) {
                n.append(nginxLabels.value(QStringLiteral("N%1").arg(i)));
                n2.append(nginxLabels.value(QStringLiteral("N'%1").arg(i)));
            }
        }
        s.pairs = int(a.size());
        for (auto it = demoLabels.cbegin(); it != demoLabels.cend(); ++it) {
            const int effect = it.key().mid(1).section(u'.', 0, 0).toInt();
            if (!it.key().startsWith(u'B') || b.contains(effect))
                continue;
            for (int i = 1; i <= s.pairs; ++i)
                b[effect].append(demoLabels.value(QStringLiteral("B%1.%2").arg(effect).arg(i)));
        }
        s.nginx = n.size() == a.size() && !n.isEmpty();
        if (s.pairs == 0 || a2.contains(0)) {
            std::fprintf(stderr, "no runs labelled A1, A'1, ... in %s\n",
                         qPrintable(kept.filePath(QStringLiteral("demo.db"))));
            return 2;
        }
        for (const QList<qint64> &ids : std::as_const(b)) {
            if (ids.contains(0)) {
                std::fprintf(stderr, "the kept runs are not complete pairs\n");
                return 2;
            }
        }
        std::printf("%d pair(s) kept in %s, compared again\n", s.pairs, qPrintable(kept.path()));
    } else {
        const int status = runSeries(s, dir, a, a2, b, n, n2);
        if (status != 0)
            return status;
    }
    const QString demoDb = QDir(s.reanalyseDir.isEmpty() ? dir.path() : s.reanalyseDir)
                               .filePath(QStringLiteral("demo.db"));
    const QString nginxDb = QDir(s.reanalyseDir.isEmpty() ? dir.path() : s.reanalyseDir)
                                .filePath(QStringLiteral("nginx.db"));

    Runs demoRuns;
    if (!demoRuns.open(demoDb))
        return 1;
    const QList<qint64> allA = a + a2;
    std::printf(
        "\n| target | comparison               | noise    | pairs | reg. | imp. | none | inc. "
        "| rate |\n|---|---|---|---:|---:|---:|---:|---:|---|\n");
    // Each default spread asked for, then the plan's own history as the noise model.
    QList<double> noiseModels = s.defaultSpreadsPct;
    noiseModels.append(-1);
    for (const double spread : std::as_const(noiseModels)) {
        const bool useHistory = spread < 0;
        const QByteArray noiseText =
            useHistory ? QByteArray("history") : "default " + QByteArray::number(spread) + '%';
        const char *noise = noiseText.constData();
        ComparisonOptions options;
        if (!useHistory)
            options.defaultRunToRunPct = spread;
        demoRuns.options = options;
        demoRuns.explain = s.explain;
        const auto historyFor = [&](Runs &runs, const QList<qint64> &ids, qint64 candidate) {
            return useHistory ? runs.history(ids, candidate) : QList<QJsonObject>();
        };
        Tally paired, all;
        for (int i = 0; i < s.pairs; ++i)
            paired.add(demoRuns.verdict(a[i], a2[i], historyFor(demoRuns, allA, a2[i])));
        for (int i = 0; i < allA.size(); ++i)
            for (int j = i + 1; j < allA.size(); ++j)
                all.add(demoRuns.verdict(allA[i], allA[j], historyFor(demoRuns, allA, allA[j])));
        printRow("demo", QStringLiteral("A/A (A_i, A'_i)"), noise, paired, true);
        printRow("demo", QStringLiteral("A/A every pair"), noise, all, true);
        for (auto it = b.cbegin(); it != b.cend(); ++it) {
            Tally p, every;
            for (int i = 0; i < s.pairs; ++i)
                p.add(demoRuns.verdict(a[i], it.value()[i], historyFor(demoRuns, allA, 0)));
            for (qint64 base : allA)
                for (qint64 cand : it.value())
                    every.add(demoRuns.verdict(base, cand, historyFor(demoRuns, allA, 0)));
            printRow("demo", QStringLiteral("A/B +%1 % (A_i, B_i)").arg(it.key()), noise, p, false);
            printRow("demo", QStringLiteral("A/B +%1 % every A").arg(it.key()), noise, every,
                     false);
        }
        if (s.nginx) {
            Runs nginxRuns;
            if (!nginxRuns.open(nginxDb))
                return 1;
            nginxRuns.options = options;
            nginxRuns.explain = s.explain;
            const QList<qint64> allN = n + n2;
            Tally np, nall;
            for (int i = 0; i < s.pairs; ++i)
                np.add(nginxRuns.verdict(n[i], n2[i], historyFor(nginxRuns, allN, n2[i])));
            for (int i = 0; i < allN.size(); ++i)
                for (int j = i + 1; j < allN.size(); ++j)
                    nall.add(
                        nginxRuns.verdict(allN[i], allN[j], historyFor(nginxRuns, allN, allN[j])));
            printRow("nginx", QStringLiteral("A/A (N_i, N'_i)"), noise, np, true);
            printRow("nginx", QStringLiteral("A/A every pair"), noise, nall, true);
        }
    }
    std::printf(
        "\nreg./imp.: regression / improvement verdicts; inc.: inconclusive. A/A rows count "
        "both as false alarms, A/B rows count regressions as detected.\n");
    return 0;
}
