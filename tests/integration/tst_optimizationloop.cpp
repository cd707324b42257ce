#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QTemporaryDir>

#include "rest/restapiserver.h"
#include "session/sampletarget.h"
#include "store/historystore.h"
#include "testmain.h"
#include "testsupport.h"

using namespace loadscope;
using loadscope::test::CliRun;
using loadscope::test::runCli;

namespace {

const QString kTest = QStringLiteral("checkout");

QString describe(const CliRun &run)
{
    return QStringLiteral("exit %1\n--- stdout\n%2\n--- stderr\n%3")
        .arg(run.exitCode)
        .arg(run.out, run.err);
}

qint64 storedRunId(const CliRun &run)
{
    static const QRegularExpression id(QStringLiteral("stored\\s+run #(\\d+)"));
    return id.match(run.out).captured(1).toLongLong();
}

} // namespace

//! The change log and recommendation follow-up, measured against a target whose answer is known:
//! the sample API at 20 ms, unchanged for two runs (no significant change), then at 2 ms after
//! an annotated change (an improvement of about 90 % in p95).
class TestOptimizationLoop : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    SampleTargetProcess m_sample{test::cliPath()};
    QList<qint64> m_runs;

    QString db() const { return m_dir.filePath(QStringLiteral("history.db")); }

    CliRun runOnce(const QStringList &extra = {})
    {
        return runCli(QStringList{QStringLiteral("run"), QStringLiteral("--type=API_LATENCY"),
                                  QStringLiteral("--base-url=") + m_sample.target().baseUrl,
                                  QStringLiteral("--endpoint=/api/health"),
                                  QStringLiteral("--duration=12"), QStringLiteral("--vus=4"),
                                  QStringLiteral("--no-monitor"), QStringLiteral("--quiet"),
                                  QStringLiteral("--baseline=none"),
                                  QStringLiteral("--db=") + db()} +
                          extra,
                      120000);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QString error;
        QVERIFY2(m_sample.start({QStringLiteral("--latency-ms=20")}, &error), qPrintable(error));
        // The plan's name is the test's; a threshold on p95 is its performance budget.
        for (int i = 0; i < 2; ++i) {
            const CliRun run = runOnce({QStringLiteral("--threshold=p(95)<15")});
            QVERIFY2(run.exitCode == 99, qPrintable(describe(run))); // 20 ms > 15 ms budget
            m_runs << storedRunId(run);
        }
        // A change that changes nothing, noted on the test between run 2 and run 3.
        QVERIFY(m_sample.restart({QStringLiteral("--latency-ms=20")}, &error));
        HistoryStore store;
        QVERIFY2(store.open(db(), &error), qPrintable(error));
        const auto test = store.findTestByName(QStringLiteral("API latency"));
        QVERIFY(test);
        Annotation noOp;
        noOp.testId = test->id;
        noOp.note = QStringLiteral("restarted the service, same build");
        QVERIFY(store.addAnnotation(noOp) > 0);
        store.close();
        const CliRun third = runOnce({QStringLiteral("--threshold=p(95)<15")});
        QVERIFY2(third.exitCode == 99, qPrintable(describe(third)));
        m_runs << storedRunId(third);
        // The real change: 20 ms -> 2 ms, noted on the run that tests it.
        QVERIFY(m_sample.restart({QStringLiteral("--latency-ms=2")}, &error));
        const CliRun fourth = runOnce({QStringLiteral("--threshold=p(95)<15"),
                                       QStringLiteral("--note=cache the health check")});
        QVERIFY2(fourth.exitCode == 0, qPrintable(describe(fourth)));
        m_runs << storedRunId(fourth);
        QCOMPARE(m_runs.size(), 4);
        QVERIFY(!m_runs.contains(0));
    }

    void trendPrintsEachChangeWithItsMeasuredEffect()
    {
        const CliRun trend = runCli({QStringLiteral("history"), QStringLiteral("trend"),
                                     QStringLiteral("API latency"), QStringLiteral("--format=json"),
                                     QStringLiteral("--db=") + db()});
        QVERIFY2(trend.exitCode == 0, qPrintable(describe(trend)));
        const QJsonObject json = QJsonDocument::fromJson(trend.out.toUtf8()).object();
        const QJsonArray changes = json.value(QLatin1String("changes")).toArray();
        QCOMPARE(changes.size(), 2);
        // The change that changed nothing measures as nothing.
        const QJsonObject noOp = changes[0].toObject();
        QCOMPARE(noOp.value(QLatin1String("before")).toInteger(), m_runs[1]);
        QCOMPARE(noOp.value(QLatin1String("after")).toInteger(), m_runs[2]);
        QCOMPARE(noOp.value(QLatin1String("measured")).toObject().value(QLatin1String("verdict")),
                 QJsonValue(QStringLiteral("no significant change")));
        // The cache: from ~20 ms to ~2 ms.
        const QJsonObject cache = changes[1].toObject();
        QCOMPARE(cache.value(QLatin1String("note")).toString(),
                 QStringLiteral("cache the health check"));
        QCOMPARE(cache.value(QLatin1String("resultId")).toInteger(), m_runs[3]);
        const QJsonObject measured = cache.value(QLatin1String("measured")).toObject();
        QCOMPARE(measured.value(QLatin1String("verdict")).toString(),
                 QStringLiteral("improvement"));
        const double p95 = measured.value(QLatin1String("p95"))
                               .toObject()
                               .value(QLatin1String("relDeltaPct"))
                               .toDouble();
        QVERIFY2(p95 < -60, qPrintable(QString::number(p95)));
        QCOMPARE(
            json.value(QLatin1String("budget")).toObject().value(QLatin1String("limit")).toDouble(),
            15.0);

        const CliRun text = runCli({QStringLiteral("history"), QStringLiteral("trend"),
                                    QStringLiteral("API latency"), QStringLiteral("--db=") + db()});
        QVERIFY2(text.out.contains(QLatin1String("cache the health check")) &&
                     text.out.contains(QLatin1String("=> improvement")) &&
                     text.out.contains(QLatin1String("Budget (the test's threshold "
                                                     "http_req_duration: p(95)<15)")) &&
                     text.out.count(QLatin1String("over budget")) == 3,
                 qPrintable(describe(text)));
    }

    void appliedRecommendationKeepsEstimateAndMeasurement()
    {
        QString error;
        HistoryStore store;
        QVERIFY2(store.open(db(), &error), qPrintable(error));
        Recommendation medium;
        medium.area = QStringLiteral("caching");
        medium.impact = QStringLiteral("medium");
        medium.title = QStringLiteral("Cache the health check");
        medium.estimatedImprovement = QStringLiteral("p95 -50 %");
        Recommendation critical = medium;
        critical.impact = QStringLiteral("critical");
        critical.title = QStringLiteral("Fix the connection pool");
        store.addRecommendations(m_runs[1], {medium, critical});
        QVERIFY(store.flush());
        store.close();

        const CliRun open = runCli({QStringLiteral("history"), QStringLiteral("recommendations"),
                                    QStringLiteral("API latency"), QStringLiteral("--format=json"),
                                    QStringLiteral("--db=") + db()});
        QVERIFY2(open.exitCode == 0, qPrintable(describe(open)));
        QJsonArray list = QJsonDocument::fromJson(open.out.toUtf8()).array();
        QJsonArray ours;
        for (const QJsonValue &r : list)
            if (r.toObject().value(QLatin1String("area")) == QLatin1String("caching"))
                ours.append(r);
        QCOMPARE(ours.size(), 2);
        // Critical impact first.
        QCOMPARE(ours[0].toObject().value(QLatin1String("impact")).toString(),
                 QStringLiteral("critical"));
        const qint64 cacheId = ours[1].toObject().value(QLatin1String("id")).toInteger();

        const CliRun noReason = runCli({QStringLiteral("history"), QStringLiteral("recommendation"),
                                        QString::number(cacheId), QStringLiteral("--dismiss="),
                                        QStringLiteral("--db=") + db()});
        QCOMPARE(noReason.exitCode, 2);
        const CliRun wrongRun = runCli(
            {QStringLiteral("history"), QStringLiteral("recommendation"), QString::number(cacheId),
             QStringLiteral("--applied-in=999"), QStringLiteral("--db=") + db()});
        QCOMPARE(wrongRun.exitCode, 2);

        const CliRun applied = runCli({QStringLiteral("history"), QStringLiteral("recommendation"),
                                       QString::number(cacheId),
                                       QStringLiteral("--applied-in=") + QString::number(m_runs[3]),
                                       QStringLiteral("--db=") + db()});
        QVERIFY2(applied.exitCode == 0 &&
                     applied.out.contains(QLatin1String("estimated: p95 -50 %")),
                 qPrintable(describe(applied)));
        QVERIFY2(store.open(db(), HistoryStore::OpenMode::ReadOnly, &error), qPrintable(error));
        const auto followUp = store.recommendationFollowUp(cacheId);
        QVERIFY(followUp);
        QCOMPARE(followUp->state, QStringLiteral("applied"));
        QCOMPARE(followUp->appliedResultId, m_runs[3]);
        QCOMPARE(followUp->recommendation.estimatedImprovement, QStringLiteral("p95 -50 %"));
        // The measurement is run #2 (where it was drawn) against run #4, as the verdict sees it.
        QCOMPARE(followUp->measured.value(QLatin1String("baseline")).toInteger(), m_runs[1]);
        QCOMPARE(followUp->measured.value(QLatin1String("verdict")).toString(),
                 QStringLiteral("improvement"));
        QVERIFY(followUp->measured.value(QLatin1String("p95"))
                    .toObject()
                    .value(QLatin1String("relDeltaPct"))
                    .toDouble() < -60);
        // No longer open.
        for (const RecommendationFollowUp &f : store.testRecommendations(followUp->testId, true))
            QVERIFY(f.recommendation.id != cacheId);
    }

    void annotationsOverRest()
    {
        QString error;
        HistoryStore store;
        QVERIFY2(store.open(db(), &error), qPrintable(error));
        RestApiOptions options;
        options.token = QStringLiteral("t0ken");
        RestApiServer server(&store, options);
        const quint16 port = server.listen(QHostAddress::LocalHost, 0, &error);
        QVERIFY2(port != 0, qPrintable(error));
        QNetworkAccessManager network;
        network.setProxy(QNetworkProxy::NoProxy);
        const auto call = [&](const QByteArray &method, const QString &path,
                              const QByteArray &body) {
            QNetworkRequest request(
                QUrl(QStringLiteral("http://127.0.0.1:%1/api/performance%2").arg(port).arg(path)));
            request.setRawHeader("Authorization", "Bearer t0ken");
            request.setHeader(QNetworkRequest::ContentTypeHeader,
                              QByteArrayLiteral("application/json"));
            QNetworkReply *reply = network.sendCustomRequest(request, method, body);
            const bool done = QTest::qWaitFor([reply] { return reply->isFinished(); }, 20000);
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            const QJsonDocument json = QJsonDocument::fromJson(reply->readAll());
            reply->deleteLater();
            return std::make_pair(done ? status : 0, json);
        };
        const QString runPath = QStringLiteral("/results/%1/annotations").arg(m_runs[2]);
        const auto created = call("POST", runPath, R"({"note": "tuned the GC", "author": "ana"})");
        QCOMPARE(created.first, 201);
        QCOMPARE(created.second.object().value(QLatin1String("resultId")).toInteger(), m_runs[2]);
        const auto empty = call("POST", runPath, R"({"note": "  "})");
        QCOMPARE(empty.first, 400);
        const auto listed = call("GET", runPath, {});
        QCOMPARE(listed.first, 200);
        QCOMPARE(listed.second.object().value(QLatin1String("annotations")).toArray().size(), 1);
        const qint64 testId = store.result(m_runs[2])->testId;
        const auto log = call("GET", QStringLiteral("/tests/%1/annotations").arg(testId), {});
        QCOMPARE(log.first, 200);
        QCOMPARE(log.second.object().value(QLatin1String("annotations")).toArray().size(), 3);
        const auto wrong = call("DELETE", runPath, {});
        QCOMPARE(wrong.first, 405);
    }
};

LOADSCOPE_TEST_MAIN(TestOptimizationLoop)
#include "tst_optimizationloop.moc"
