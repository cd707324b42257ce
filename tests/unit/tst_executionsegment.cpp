#include <QSet>

#include "plan/executionsegment.h"
#include "testmain.h"

using namespace loadscope;

class TestExecutionSegment : public QObject
{
    Q_OBJECT

private slots:
    void parsesIOverN()
    {
        QString error;
        const auto segment = ExecutionSegment::parse(u"2/7", &error);
        QVERIFY(segment);
        QCOMPARE(segment->index, 2);
        QCOMPARE(segment->count, 7);
        QCOMPARE(segment->toString(), QStringLiteral("2/7"));
        QVERIFY(ExecutionSegment::parse(u"0/1", &error)->isWhole());
    }

    void refusesBadSegments_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("says");
        QTest::newRow("index = count") << "4/4"
                                       << "from 0 to 3";
        QTest::newRow("negative") << "-1/4"
                                  << "from 0 to 3";
        QTest::newRow("zero segments") << "0/0"
                                       << "from 1 to";
        QTest::newRow("no slash") << "3"
                                  << "is not I/N";
        QTest::newRow("words") << "one/two"
                               << "is not I/N";
        QTest::newRow("k6 fraction form") << "0:1/4"
                                          << "is not I/N";
    }
    void refusesBadSegments()
    {
        QFETCH(QString, text);
        QFETCH(QString, says);
        QString error;
        QVERIFY(!ExecutionSegment::parse(text, &error));
        QVERIFY2(error.contains(says), qPrintable(error));
    }

    void tenVusOverFourAgentsAreThreeThreeTwoTwo()
    {
        const QList<qint64> expected{3, 3, 2, 2}; // by hand: 10 = 4·2 + 2 left over for 0 and 1
        for (int i = 0; i < 4; ++i)
            QCOMPARE(ExecutionSegment({i, 4}).share(10), expected[i]);
    }

    void sharesAddUpToEveryTotalForAwkwardCounts()
    {
        for (int count : {1, 2, 3, 7, 13, 64}) {
            for (qint64 total = 0; total <= 200; ++total) {
                qint64 sum = 0;
                qint64 previous = total + 1;
                for (int i = 0; i < count; ++i) {
                    const qint64 share = ExecutionSegment{i, count}.share(total);
                    // Earlier segments never get less than later ones: the same agent always
                    // gets the same part, and parts differ by at most one.
                    QVERIFY(share <= previous);
                    QVERIFY(share >= total / count && share <= total / count + 1);
                    previous = share;
                    sum += share;
                }
                QCOMPARE(sum, total);
            }
        }
    }

    void aRampAddsUpAtEveryMoment()
    {
        // ramping-vus 0 → 10 over 10 s, then 10 → 3 over 7 s: the plan's count at each moment
        // is split, so 3 agents together run exactly the plan's VUs every millisecond.
        LoadModel load;
        load.executor = Executor::RampingVus;
        load.stages = {{10000, 10}, {7000, 3}};
        for (qint64 ms = 0; ms <= load.totalDurationMs(); ms += 37) {
            const qint64 planned = std::lround(load.targetAt(ms));
            qint64 sum = 0;
            for (int i = 0; i < 3; ++i)
                sum += ExecutionSegment{i, 3}.share(planned);
            QCOMPARE(sum, planned);
        }
    }

    void arrivalsAreStripedOverSegments()
    {
        // Arrival n belongs to segment n % N: every arrival to exactly one agent, and each
        // agent's count is its share of the arrivals so far, at every point of the schedule.
        const int count = 7;
        QList<qint64> own(count, 0);
        for (qint64 n = 0; n < 1000; ++n) {
            int owners = 0;
            for (int i = 0; i < count; ++i) {
                if (ExecutionSegment{i, count}.owns(n)) {
                    ++owners;
                    ++own[i];
                }
            }
            QCOMPARE(owners, 1);
            for (int i = 0; i < count; ++i)
                QCOMPARE(own[i], ExecutionSegment({i, count}).share(n + 1));
        }
        QCOMPARE(ExecutionSegment({3, 7}).globalIndex(2), qint64(17)); // 3 + 7·2
    }

    void dataRowsArePartitioned()
    {
        const QList<QString> rows{QStringLiteral("r0"), QStringLiteral("r1"), QStringLiteral("r2"),
                                  QStringLiteral("r3"), QStringLiteral("r4"), QStringLiteral("r5"),
                                  QStringLiteral("r6")};
        QCOMPARE(
            ExecutionSegment({0, 3}).ownItems(rows),
            QList<QString>({QStringLiteral("r0"), QStringLiteral("r3"), QStringLiteral("r6")}));
        QCOMPARE(ExecutionSegment({1, 3}).ownItems(rows),
                 QList<QString>({QStringLiteral("r1"), QStringLiteral("r4")}));
        QCOMPARE(ExecutionSegment({2, 3}).ownItems(rows),
                 QList<QString>({QStringLiteral("r2"), QStringLiteral("r5")}));
        // Disjoint and complete for an awkward split too.
        QSet<QString> seen;
        for (int i = 0; i < 5; ++i) {
            for (const QString &row : ExecutionSegment{i, 5}.ownItems(rows)) {
                QVERIFY2(!seen.contains(row), qPrintable(row));
                seen.insert(row);
            }
        }
        QCOMPARE(seen.size(), rows.size());
    }

    void splitsTheLoadModel()
    {
        LoadModel open;
        open.executor = Executor::ConstantArrivalRate;
        open.rate = 1000;
        open.preAllocatedVus = 10;
        open.maxVus = 101;
        const LoadModel part = ExecutionSegment{3, 4}.load(open);
        QCOMPARE(part.rate, 250.0);
        QCOMPARE(part.preAllocatedVus, 2); // 10 = 3 + 3 + 2 + 2
        QCOMPARE(part.maxVus, 25);         // 101 = 26 + 25 + 25 + 25
        QCOMPARE(ExecutionSegment({0, 4}).load(open).maxVus, 26);

        LoadModel ramp;
        ramp.executor = Executor::RampingVus;
        ramp.startVus = 5;
        ramp.stages = {{1000, 10}, {1000, 1}};
        const LoadModel first = ExecutionSegment{0, 4}.load(ramp);
        QCOMPARE(first.startVus, 2);
        QCOMPARE(first.stages[0].target, 3.0);
        QCOMPARE(first.stages[1].target, 1.0);
        QCOMPARE(ExecutionSegment({1, 4}).load(ramp).stages[1].target, 0.0);

        LoadModel rates;
        rates.executor = Executor::RampingArrivalRate;
        rates.startRate = 30;
        rates.stages = {{1000, 90}};
        const LoadModel third = ExecutionSegment{2, 3}.load(rates);
        QCOMPARE(third.startRate, 10.0);
        QCOMPARE(third.stages[0].target, 30.0);
    }

    void namesWhatCannotBeSplit()
    {
        TestPlan plan;
        plan.load.executor = Executor::ConstantArrivalRate;
        plan.load.maxVus = 3;
        plan.dataFile = QStringLiteral("users.csv");
        const QStringList problems = ExecutionSegment{0, 4}.problems(plan, 2);
        QCOMPARE(problems.size(), 2);
        QVERIFY2(problems[0].startsWith(QLatin1String("load.maxVUs: 3 VUs")),
                 qPrintable(problems[0]));
        QVERIFY2(problems[1].startsWith(QLatin1String("dataFile: users.csv has 2 data rows")) &&
                     problems[1].contains(QLatin1String("segment 2/4")),
                 qPrintable(problems[1]));
        QVERIFY(ExecutionSegment({0, 3}).problems(plan, 3).isEmpty());
        QVERIFY(ExecutionSegment().problems(plan, 0).isEmpty()); // the whole plan splits nothing
    }
};

LOADSCOPE_TEST_MAIN(TestExecutionSegment)
#include "tst_executionsegment.moc"
