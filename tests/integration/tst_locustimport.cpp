// Real Locust (Debian's python3-locust) run headless for a few seconds against the built-in
// sample API on loopback, its three CSV files imported with `loadscope-cli import PREFIX`, and
// the stored run checked against Locust's own numbers read straight from its files.
#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>

#include "referenceserver.h"
#include "sample/sampleapihost.h"
#include "session/storedrun.h"
#include "store/historystore.h"
#include "testmain.h"
#include "testsupport.h"

using namespace loadscope;
using namespace loadscope::test;

namespace {

//! A Locust CSV file as rows of fields (Locust's numbers and these names hold no commas).
struct Csv
{
    QStringList header;
    QList<QStringList> rows;

    QString value(const QStringList &row, const char *column) const
    {
        return row.value(header.indexOf(QLatin1String(column)));
    }
    const QStringList *rowNamed(const QString &type, const QString &name) const
    {
        for (const QStringList &row : rows) {
            if (value(row, "Type") == type && value(row, "Name") == name)
                return &row;
        }
        return nullptr;
    }
};

Csv readCsv(const QString &path)
{
    Csv csv;
    const QList<QByteArray> lines = readFileBytes(path).split('\n');
    for (const QByteArray &line : lines) {
        if (line.trimmed().isEmpty())
            continue;
        const QStringList fields = QString::fromUtf8(line.trimmed()).split(u',');
        if (csv.header.isEmpty())
            csv.header = fields;
        else
            csv.rows.append(fields);
    }
    return csv;
}

} // namespace

class TestLocustImport : public QObject
{
    Q_OBJECT

private slots:
    void realLocustRunImportsAsLocustSaidIt()
    {
        const QString locust = QStandardPaths::findExecutable(QStringLiteral("locust"));
        QVERIFY2(!locust.isEmpty(), "locust is not installed (packaging/setup-deps.sh installs "
                                    "python3-locust)");
        SampleApiHost api;
        QString error;
        QVERIFY2(api.start(QHostAddress::LocalHost, 0, &error) > 0, qPrintable(error));
        const quint16 closed = freeLoopbackPort(); // nothing listens: connection refused
        QTemporaryDir dir;
        const QString script = dir.filePath(QStringLiteral("locustfile.py"));
        QFile file(script);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QStringLiteral(
                       "import locust.stats\n"
                       "from locust import HttpUser, task, constant\n"
                       "# The history is flushed every 10 s by default: every second here, so a\n"
                       "# short run has one.\n"
                       "locust.stats.CSV_STATS_FLUSH_INTERVAL_SEC = 1\n"
                       "class Api(HttpUser):\n"
                       "    wait_time = constant(0.005)\n"
                       "    @task(6)\n"
                       "    def health(self):\n"
                       "        self.client.get('/api/health')\n"
                       "    @task(2)\n"
                       "    def missing(self):\n"
                       "        self.client.get('/api/missing')\n"
                       "    @task(1)\n"
                       "    def refused(self):\n"
                       "        self.client.get('http://127.0.0.1:%1/refused', name='/refused')\n")
                       .arg(closed)
                       .toUtf8());
        file.close();
        const QString prefix = dir.filePath(QStringLiteral("smoke"));
        QProcess run;
        run.setProcessChannelMode(QProcess::MergedChannels);
        run.start(locust,
                  {QStringLiteral("-f"), script, QStringLiteral("--headless"), QStringLiteral("-u"),
                   QStringLiteral("4"), QStringLiteral("-r"), QStringLiteral("4"),
                   QStringLiteral("-t"), QStringLiteral("5s"), QStringLiteral("-H"),
                   api.baseUrl().toString(), QStringLiteral("--csv=") + prefix,
                   QStringLiteral("--exit-code-on-error"), QStringLiteral("0")});
        QVERIFY2(run.waitForFinished(60000), "locust did not finish within 60 s");
        const QByteArray output = run.readAll();
        QVERIFY2(run.exitStatus() == QProcess::NormalExit && run.exitCode() == 0,
                 output.right(2000).constData());

        const Csv stats = readCsv(prefix + QStringLiteral("_stats.csv"));
        const Csv history = readCsv(prefix + QStringLiteral("_stats_history.csv"));
        const Csv failures = readCsv(prefix + QStringLiteral("_failures.csv"));
        const QStringList *overall = stats.rowNamed(QString(), QStringLiteral("Aggregated"));
        QVERIFY(overall);
        QVERIFY2(stats.value(*overall, "Request Count").toLongLong() > 50, output.right(2000));

        const QString db = dir.filePath(QStringLiteral("h.db"));
        const CliRun imported =
            runCli({QStringLiteral("import"), prefix, QStringLiteral("--db=") + db});
        QVERIFY2(imported.exitCode == 0 && imported.out.contains(QLatin1String("locust-csv")),
                 qPrintable(imported.out + imported.err));

        HistoryStore store;
        QVERIFY(store.open(db));
        const QList<ResultRecord> records = store.listResults();
        QCOMPARE(records.size(), 1);
        QCOMPARE(records[0].source.tool, QStringLiteral("Locust"));
        const auto stored = loadStoredRun(store, records[0].id, &error);
        QVERIFY2(stored, qPrintable(error));
        const RunSummary &s = stored->summary;

        // Counts and endpoints as Locust counted them.
        QCOMPARE(s.totals.requests, stats.value(*overall, "Request Count").toLongLong());
        QCOMPARE(s.totals.errors, stats.value(*overall, "Failure Count").toLongLong());
        QCOMPARE(s.endpoints.size(), stats.rows.size() - 1);
        for (const EndpointSummary &e : s.endpoints) {
            const QStringList *row = stats.rowNamed(e.method, e.path);
            QVERIFY2(row, qPrintable(e.name));
            QCOMPARE(e.totals.requests, stats.value(*row, "Request Count").toLongLong());
            QCOMPARE(e.totals.errors, stats.value(*row, "Failure Count").toLongLong());
        }
        // Failures by message: the 404s are http4xx, the closed port connect errors. (The
        // message may hold commas; Occurrences is the last field.)
        qint64 refused = 0, notFound = 0;
        for (const QStringList &row : failures.rows) {
            if (failures.value(row, "Name") == QLatin1String("/refused"))
                refused += row.last().toLongLong();
            if (failures.value(row, "Name") == QLatin1String("/api/missing"))
                notFound += row.last().toLongLong();
        }
        QVERIFY2(refused > 0 && notFound > 0,
                 readFileBytes(prefix + QStringLiteral("_failures.csv")).constData());
        QCOMPARE(s.totals.errorsByClass[size_t(ErrorClass::Connect)], refused);
        QCOMPARE(s.totals.errorsByClass[size_t(ErrorClass::Http4xx)], notFound);

        // The timeline: one interval per history row after Locust's all-zero first one.
        QSet<QString> seconds;
        qint64 firstTotal = -1;
        for (const QStringList &row : history.rows) {
            seconds.insert(history.value(row, "Timestamp"));
            if (firstTotal < 0)
                firstTotal = history.value(row, "Total Request Count").toLongLong();
        }
        QVERIFY2(seconds.size() >= 3, "Locust wrote under three history rows");
        QCOMPARE(s.timeline.size(), seconds.size() - (firstTotal == 0 ? 1 : 0));
        qint64 inTimeline = 0;
        for (const IntervalSample &i : s.timeline)
            inTimeline += i.overall.totals.requests;
        QCOMPARE(inTimeline,
                 history.value(history.rows.last(), "Total Request Count").toLongLong());

        // Percentiles equal Locust's own, as stored; none was recomputed.
        QVERIFY(s.duration.isEmpty());
        const QJsonObject latency = records[0].summary.value(QLatin1String("latencyMs")).toObject();
        const QList<QPair<const char *, const char *>> columns{{"p50", "50%"},
                                                               {"p90", "90%"},
                                                               {"p95", "95%"},
                                                               {"p99", "99%"},
                                                               {"p999", "99.9%"},
                                                               {"max", "Max Response Time"},
                                                               {"avg", "Average Response Time"}};
        for (const auto &[key, column] : columns) {
            QCOMPARE(latency.value(QLatin1String(key)).toDouble(),
                     stats.value(*overall, column).toDouble());
        }
        const QJsonArray endpoints = records[0].summary.value(QLatin1String("endpoints")).toArray();
        for (const QJsonValue &value : endpoints) {
            const QJsonObject e = value.toObject();
            const QStringList *row = stats.rowNamed(e.value(QLatin1String("method")).toString(),
                                                    e.value(QLatin1String("path")).toString());
            QVERIFY(row);
            QCOMPARE(e.value(QLatin1String("latencyMs"))
                         .toObject()
                         .value(QLatin1String("p95"))
                         .toDouble(),
                     stats.value(*row, "95%").toDouble());
        }
    }
};

LOADSCOPE_TEST_MAIN(TestLocustImport)
#include "tst_locustimport.moc"
