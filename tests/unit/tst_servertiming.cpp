#include "engine/servertiming.h"
#include "testmain.h"

using namespace loadscope;

class TestServerTiming : public QObject
{
    Q_OBJECT

private slots:
    void standardHeader()
    {
        const auto entries = parseServerTiming("inference;dur=3.1;desc=\"x\", other;dur=0");
        QCOMPARE(entries.size(), 2);
        QCOMPARE(entries[0].name, QByteArray("inference"));
        QVERIFY(entries[0].hasDur);
        QCOMPARE(entries[0].durMs, 3.1);
        QCOMPARE(entries[0].desc, QByteArray("x"));
        QCOMPARE(entries[1].name, QByteArray("other"));
        QVERIFY(entries[1].hasDur);
        QCOMPARE(entries[1].durMs, 0.0);
        QVERIFY(entries[1].desc.isEmpty());
    }

    void quotedStringWithCommasAndEscapes()
    {
        const auto entries = parseServerTiming("a;desc=\"one, two; \\\"three\\\"\";dur=5, b;dur=1");
        QCOMPARE(entries.size(), 2);
        QCOMPARE(entries[0].name, QByteArray("a"));
        QCOMPARE(entries[0].desc, QByteArray("one, two; \"three\""));
        QCOMPARE(entries[0].durMs, 5.0);
        QCOMPARE(entries[1].name, QByteArray("b"));
        QCOMPARE(entries[1].durMs, 1.0);
    }

    void missingAndBadDurations()
    {
        const auto entries =
            parseServerTiming("cache, db;dur=abc, x;dur=, y;dur=1.5ms, z;dur=\"2.5\", w;dur=nan");
        QCOMPARE(entries.size(), 6);
        for (int i : {0, 1, 2, 3, 5}) {
            QVERIFY2(!entries[i].hasDur, entries[i].name.constData());
            QCOMPARE(entries[i].durMs, 0.0);
        }
        QVERIFY(entries[4].hasDur);
        QCOMPARE(entries[4].durMs, 2.5);
    }

    void whitespaceCaseAndFirstParameterWins()
    {
        const auto entries =
            parseServerTiming("  total ; DUR = 12.25 ; dur=99 ;desc=first;desc=second ,");
        QCOMPARE(entries.size(), 1);
        QCOMPARE(entries[0].name, QByteArray("total"));
        QCOMPARE(entries[0].durMs, 12.25);
        QCOMPARE(entries[0].desc, QByteArray("first"));
    }

    void emptyAndDegenerate()
    {
        QVERIFY(parseServerTiming("").isEmpty());
        QVERIFY(parseServerTiming(" , ,, ").isEmpty());
        QVERIFY(parseServerTiming(";dur=3").isEmpty()); // no name
        const auto unterminated = parseServerTiming("a;desc=\"open, b;dur=1");
        QCOMPARE(unterminated.size(), 1); // the open quote swallows the rest, nothing crashes
        QCOMPARE(unterminated[0].name, QByteArray("a"));
        const auto exponent = parseServerTiming("e;dur=1e3, neg;dur=-2");
        QCOMPARE(exponent.size(), 2);
        QCOMPARE(exponent[0].durMs, 1000.0);
        QCOMPARE(exponent[1].durMs, -2.0);
    }

    void joinedHeadersAndViews()
    {
        // The transport joins several Server-Timing headers with ", ".
        const QByteArray joined = "inference;dur=3.1, model-load;dur=0";
        int count = 0;
        double total = 0;
        struct Ctx
        {
            int *count;
            double *total;
        } ctx{&count, &total};
        forEachServerTiming(joined, &ctx, [](void *c, const ServerTimingView &m) {
            auto *x = static_cast<Ctx *>(c);
            ++*x->count;
            *x->total += m.durMs;
        });
        QCOMPARE(count, 2);
        QCOMPARE(total, 3.1);
    }

    void parseSpeed()
    {
        const QByteArray header = "inference;dur=3.1;desc=\"model\", model-load;dur=0, db;dur=12.5";
        QBENCHMARK
        {
            int n = 0;
            forEachServerTiming(
                header, &n, [](void *c, const ServerTimingView &) { ++*static_cast<int *>(c); });
            QCOMPARE(n, 3);
        }
    }
};

LOADSCOPE_TEST_MAIN(TestServerTiming)
#include "tst_servertiming.moc"
