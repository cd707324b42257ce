// When a run's generator counts as saturated (resources.generatorCpuPct.saturated, what a
// scale-out agent reports to `merge`): only when the generator itself was busy, for a good part
// of the run. A machine busy with other processes used to flag every interval of an idle agent.
#include <QJsonArray>
#include <QJsonObject>
#include <QSignalSpy>

#include "monitor/resourcesample.h"
#include "plan/planjson.h"
#include "sample/sampleapihost.h"
#include "session/runsession.h"
#include "testmain.h"

using namespace loadscope;

namespace {

ResourceSample sample(bool flagged, double generatorCpuPct, double machineCpuPct)
{
    ResourceSample s;
    s.generatorSaturated = flagged;
    s.generator.valid = true;
    s.generator.cpuPct = generatorCpuPct;
    s.machineCpuPct = machineCpuPct;
    return s;
}

TestPlan plan(const QJsonObject &load, const QString &baseUrl)
{
    QString error;
    auto p = planFromJson(QJsonObject{{QStringLiteral("name"), QStringLiteral("saturation")},
                                      {QStringLiteral("testType"), QStringLiteral("LOAD_TEST")},
                                      {QStringLiteral("baseUrl"), baseUrl},
                                      {QStringLiteral("steps"),
                                       QJsonArray{QJsonObject{{QStringLiteral("path"),
                                                               QStringLiteral("/api/health")}}}},
                                      {QStringLiteral("load"), load}},
                          &error);
    if (!p)
        qFatal("plan: %s", qPrintable(error));
    p->threads = 1; // one worker: a busy one is a busy core
    return *p;
}

} // namespace

class TestGeneratorSaturation : public QObject
{
    Q_OBJECT

private:
    SampleApiHost m_host;

    //! Runs @p p with the resource monitor on; the summary's resources.generatorCpuPct.
    QJsonObject generatorFigures(const TestPlan &p)
    {
        RunSession session(nullptr);
        QSignalSpy finished(&session, &RunSession::finished);
        QString error;
        if (!session.start(p, &error)) {
            qWarning("start: %s", qPrintable(error));
            return {};
        }
        if (!finished.wait(60000))
            return {};
        const auto summary = finished.first().first().value<RunSummary>();
        return summary.extras.resources.value(QStringLiteral("generatorCpuPct")).toObject();
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_host.start(QHostAddress::LocalHost, 0, &error) != 0, qPrintable(error));
    }

    void theRule()
    {
        // A busy machine alone (other processes: an idle agent on a shared node) is not the
        // generator's saturation, however often the monitor flags its intervals.
        QVERIFY(!RunSession::generatorBusy(sample(true, 1.0, 100.0)));
        QVERIFY(!RunSession::generatorBusy(sample(true, 0.0, 99.0)));
        // The generator's own thread or process at the limit is.
        QVERIFY(RunSession::generatorBusy(sample(true, 96.0, 60.0)));
        QVERIFY(RunSession::generatorBusy(sample(true, 180.0, 97.0)));
        // The monitor's thresholds decide; CPU it did not flag is headroom.
        QVERIFY(!RunSession::generatorBusy(sample(false, 85.0, 50.0)));
        // Starved by the machine's other processes, a busy generator still works half a core.
        QVERIFY(RunSession::generatorBusy(sample(true, 55.0, 100.0)));
        QVERIFY(!RunSession::generatorBusy(sample(true, 20.0, 100.0)));
        ResourceSample unread = sample(true, 99.0, 99.0);
        unread.generator.valid = false;
        QVERIFY(!RunSession::generatorBusy(unread));

        // Sustained: a quarter of the intervals, not one second of start-up.
        QVERIFY(!RunSession::generatorSaturated(0, 0));
        QVERIFY(!RunSession::generatorSaturated(0, 10));
        QVERIFY(!RunSession::generatorSaturated(1, 10));
        QVERIFY(!RunSession::generatorSaturated(2, 9));
        QVERIFY(RunSession::generatorSaturated(3, 12));
        QVERIFY(RunSession::generatorSaturated(1, 3));
        QVERIFY(RunSession::generatorSaturated(10, 10));
    }

    void aLightPlanIsNotSaturated()
    {
        // 5 requests a second: the generator idles at a few % of a core, whatever else the
        // machine runs meanwhile.
        const QJsonObject figures = generatorFigures(
            plan(QJsonObject{{QStringLiteral("executor"), QStringLiteral("constant-arrival-rate")},
                             {QStringLiteral("rate"), 5},
                             {QStringLiteral("duration"), QStringLiteral("4s")},
                             {QStringLiteral("preAllocatedVUs"), 2},
                             {QStringLiteral("maxVUs"), 4}},
                 m_host.baseUrl().toString()));
        QVERIFY2(figures.contains(QStringLiteral("saturated")),
                 QJsonDocument(figures).toJson().constData());
        QCOMPARE(figures[QStringLiteral("saturated")].toBool(), false);
        QCOMPARE(figures[QStringLiteral("saturatedIntervals")].toInt(), 0);
        QVERIFY(figures[QStringLiteral("avg")].toDouble() < 50.0);
    }

    void aBusyGeneratorIsSaturated()
    {
        // 64 VUs without think time on one worker thread, against a target inside this very
        // process: the worker and the target's thread keep the process at the limit of a core
        // (or at what the machine leaves it, when other processes keep the cores busy).
        const QJsonObject figures = generatorFigures(
            plan(QJsonObject{{QStringLiteral("executor"), QStringLiteral("constant-vus")},
                             {QStringLiteral("vus"), 64},
                             {QStringLiteral("duration"), QStringLiteral("4s")}},
                 m_host.baseUrl().toString()));
        QVERIFY2(figures[QStringLiteral("saturated")].toBool(),
                 QJsonDocument(figures).toJson().constData());
        QVERIFY(figures[QStringLiteral("saturatedIntervals")].toInt() >= 1);
        QVERIFY(figures[QStringLiteral("max")].toDouble() >= 50.0);
    }
};

LOADSCOPE_TEST_MAIN(TestGeneratorSaturation)
#include "tst_generatorsaturation.moc"
