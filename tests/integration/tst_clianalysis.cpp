// The analysis seen from the command line: the verdict against a baseline (exit 98 with
// --fail-on-regression), recommendations in the result, history compare / trend / pin.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include "sample/sampleapihost.h"
#include "testmain.h"
#include "testsupport.h"

using namespace loadscope;
using loadscope::test::CliRun;
using loadscope::test::runCli;

namespace {

QString describe(const CliRun &run)
{
    return QStringLiteral("exit %1\n--- stdout\n%2\n--- stderr\n%3")
        .arg(run.exitCode)
        .arg(run.out, run.err);
}

QJsonObject readResult(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll())
        .object()
        .value(QStringLiteral("result"))
        .toObject();
}

} // namespace

class TestCliAnalysis : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_db;

    CliRun runAgainst(const SampleApiHost &host, const QStringList &extra, const QString &output)
    {
        // 10 intervals, the fewest a verdict is drawn from; without the monitor a machine busy
        // with other work cannot make the runs "saturated" and the verdict "inconclusive".
        QStringList args{QStringLiteral("run"),
                         QStringLiteral("--type=API_LATENCY"),
                         QStringLiteral("--base-url=") + host.baseUrl().toString(),
                         QStringLiteral("--duration=12"),
                         QStringLiteral("--no-monitor"),
                         QStringLiteral("--concurrency=2"),
                         QStringLiteral("--db=") + m_db,
                         QStringLiteral("--quiet"),
                         QStringLiteral("--output-file=") + output};
        return runCli(args + extra, 60000);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_db = m_dir.filePath(QStringLiteral("history.db"));
    }

    void regressionAgainstTheBaselineExits98()
    {
        SampleApiHost fast;
        SampleApiOptions slowOptions;
        slowOptions.latencyMs = 25;
        SampleApiHost slow(slowOptions);
        QString error;
        QVERIFY2(fast.start(QHostAddress::LocalHost, 0, &error) != 0, qPrintable(error));
        QVERIFY2(slow.start(QHostAddress::LocalHost, 0, &error) != 0, qPrintable(error));

        const QString first = m_dir.filePath(QStringLiteral("first.json"));
        const CliRun baseline = runAgainst(fast, {}, first);
        QVERIFY2(baseline.exitCode == 0, qPrintable(describe(baseline)));
        // The first run of a test has nothing to compare with, and says so.
        QVERIFY(readResult(first)
                    .value(QStringLiteral("comparison"))
                    .toObject()
                    .contains(QStringLiteral("note")));
        QVERIFY(readResult(first).value(QStringLiteral("recommendations")).isArray());

        // The same test, now 25 ms slower per request: a regression of p50/p95 far beyond any
        // noise floor. Without --fail-on-regression it is reported but passes.
        const QString second = m_dir.filePath(QStringLiteral("second.json"));
        const CliRun reported = runAgainst(slow, {}, second);
        QVERIFY2(reported.exitCode == 0, qPrintable(describe(reported)));
        QVERIFY2(reported.out.contains(QStringLiteral("Against the baseline")),
                 qPrintable(describe(reported)));
        const QJsonObject comparison =
            readResult(second).value(QStringLiteral("comparison")).toObject();
        QCOMPARE(comparison.value(QStringLiteral("verdict")).toString(),
                 QStringLiteral("regression"));

        const QString third = m_dir.filePath(QStringLiteral("third.json"));
        const CliRun gated = runAgainst(
            slow, {QStringLiteral("--fail-on-regression"), QStringLiteral("--baseline=1")}, third);
        QVERIFY2(gated.exitCode == 98, qPrintable(describe(gated)));
        QVERIFY(gated.err.contains(QStringLiteral("regression")));

        // Against the previous (equally slow) run there is no regression.
        const QString fourth = m_dir.filePath(QStringLiteral("fourth.json"));
        const CliRun same = runAgainst(
            slow, {QStringLiteral("--fail-on-regression"), QStringLiteral("--baseline=last")},
            fourth);
        QVERIFY2(same.exitCode == 0, qPrintable(describe(same)));
        QVERIFY(readResult(fourth)
                    .value(QStringLiteral("comparison"))
                    .toObject()
                    .value(QStringLiteral("verdict")) != QStringLiteral("regression"));
    }

    void historyCompareTrendAndPin()
    {
        // Uses the four runs stored by the previous test.
        const CliRun md = runCli({QStringLiteral("history"), QStringLiteral("compare"),
                                  QStringLiteral("1"), QStringLiteral("2"),
                                  QStringLiteral("--format=md"), QStringLiteral("--db=") + m_db});
        QVERIFY2(md.exitCode == 0, qPrintable(describe(md)));
        QVERIFY(md.out.contains(QStringLiteral("| Metric |")));
        QVERIFY(md.out.contains(QStringLiteral("**regression**")));

        const CliRun json = runCli(
            {QStringLiteral("history"), QStringLiteral("compare"), QStringLiteral("1"),
             QStringLiteral("1"), QStringLiteral("--format=json"), QStringLiteral("--db=") + m_db});
        QVERIFY2(json.exitCode == 0, qPrintable(describe(json)));
        // A run compared with itself: no significant change.
        QCOMPARE(QJsonDocument::fromJson(json.out.toUtf8())
                     .object()
                     .value(QStringLiteral("verdict"))
                     .toString(),
                 QStringLiteral("no significant change"));

        const CliRun missing =
            runCli({QStringLiteral("history"), QStringLiteral("compare"), QStringLiteral("1"),
                    QStringLiteral("99"), QStringLiteral("--db=") + m_db});
        QCOMPARE(missing.exitCode, 2);
        QVERIFY(missing.err.contains(QStringLiteral("99")));

        const CliRun trend =
            runCli({QStringLiteral("history"), QStringLiteral("trend"),
                    QStringLiteral("API latency"), QStringLiteral("--metric=p50"),
                    QStringLiteral("--format=json"), QStringLiteral("--db=") + m_db});
        QVERIFY2(trend.exitCode == 0, qPrintable(describe(trend)));
        const QJsonObject t = QJsonDocument::fromJson(trend.out.toUtf8()).object();
        QCOMPARE(t.value(QStringLiteral("points")).toArray().size(), 4);

        const CliRun pin = runCli({QStringLiteral("history"), QStringLiteral("pin"),
                                   QStringLiteral("2"), QStringLiteral("--db=") + m_db});
        QVERIFY2(pin.exitCode == 0, qPrintable(describe(pin)));
        const CliRun list =
            runCli({QStringLiteral("history"), QStringLiteral("list"),
                    QStringLiteral("--format=json"), QStringLiteral("--db=") + m_db});
        QVERIFY(list.exitCode == 0);
        QCOMPARE(QJsonDocument::fromJson(list.out.toUtf8()).array().size(), 4);
    }
};

LOADSCOPE_TEST_MAIN(TestCliAnalysis)
#include "tst_clianalysis.moc"
