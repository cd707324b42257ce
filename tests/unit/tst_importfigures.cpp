// The figures an import produces, pinned: every per-request fixture under tests/data/import and
// a generated 40 s JMeter CSV (intervals opened, closed and their accumulators reused) are
// parsed, and their result object (timeline included) and whole-run histograms must be the
// same bytes as when the importers were first measured. Speed work on the importers, the run
// builder or the histogram must leave these unchanged; a changed figure is a behaviour change
// to make on purpose (the test prints the new digest and writes the document to compare).
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>

#include "interop/resultimport.h"
#include "interop/resultjson.h"
#include "metrics/runmetrics.h"
#include "testmain.h"

using namespace loadscope;

namespace {

QString fixture(const QString &name)
{
    return QStringLiteral(LOADSCOPE_TEST_DATA_DIR "/import/") + name;
}

// 20,000 JMeter samples over 40 s and 7 endpoints, latencies spread over three decades, every
// 53rd a 500, a few written out of order (as JMeter writes by end time).
QByteArray generatedJmeterCsv()
{
    QByteArray out = "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,"
                     "success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,"
                     "IdleTime,Connect\n";
    const qint64 t0 = 1'795'000'000'000LL;
    for (qint64 i = 0; i < 20'000; ++i) {
        const qint64 ms = t0 + i * 2 - (i % 101 == 0 ? 900 : 0);
        const qint64 elapsed = 1 + (i * 7919) % 997 + (i % 13 == 0 ? (i * 31) % 4000 : 0);
        const bool fail = i % 53 == 0;
        const QByteArray name = QByteArrayLiteral("ep") + QByteArray::number(i % 7);
        out += QByteArray::number(ms) + ',' + QByteArray::number(elapsed) + ',' + name +
               (fail ? ",500,Internal Server Error,Thread Group 1-1,text,false,,"
                     : ",200,OK,Thread Group 1-1,text,true,,") +
               QByteArray::number(512 + i % 900) + ",120,20," + QByteArray::number(1 + i % 20) +
               ",http://127.0.0.1:8080/" + name + ',' + QByteArray::number(elapsed / 2) + ",0," +
               QByteArray::number(i % 3) + '\n';
    }
    return out;
}

// Everything the store keeps of a run, as one document.
QByteArray figuresOf(const RunSummary &summary)
{
    QJsonObject histograms;
    histograms.insert(QStringLiteral("duration"),
                      QString::fromLatin1(summary.duration.serialize().toBase64()));
    for (const EndpointSummary &endpoint : summary.endpoints)
        histograms.insert(QStringLiteral("endpoint ") + endpoint.name,
                          QString::fromLatin1(endpoint.duration.serialize().toBase64()));
    for (auto it = summary.timings.cbegin(); it != summary.timings.cend(); ++it)
        histograms.insert(QStringLiteral("timing ") + it.key(),
                          QString::fromLatin1(it.value().serialize().toBase64()));
    QJsonObject document;
    document.insert(QStringLiteral("result"), resultObject(summary, 0, QString(), true));
    document.insert(QStringLiteral("histograms"), histograms);
    return QJsonDocument(document).toJson(QJsonDocument::Indented);
}

} // namespace

class TestImportFigures : public QObject
{
    Q_OBJECT

private slots:
    void figuresUnchanged_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QByteArray>("digest"); // SHA-256 of figuresOf(), hex
        const auto row = [](const char *name, const char *digest) {
            QTest::newRow(name) << QString::fromLatin1(name) << QByteArray(digest);
        };
        row("k6-groups-checks.ndjson",
            "5cfc1338a19742784ec49226d0348736c3c0b70e001062cc4d0a0389bd585617");
        // Whole-second timestamps: since the last interval keeps its whole second (it was cut
        // to 1 ms, t 2.001 and 1000 req/s), this fixture's digest is a new one.
        row("k6-extra-tags.csv",
            "c28f9aba4b64ece93a69f100cd2cfd9f945680a0e33a4a46e821ec24ab64abd6");
        row("k6-rfc3339.csv", "db9dec51f695e86e46a9b956d1735181aba9e6a781d860eb9e939da0fcc43939");
        row("k6-unix-milli.csv",
            "6d1a889aeddfac5b0f7a11ffcf2ab559f57e1c9d79fcca593f8361236580a936");
        row("jmeter-header.csv",
            "9c6a30803410703fe60a6a71ca409bc5e0a96f44f693523d5204cedb26a23f7f");
        row("jmeter-noheader.jtl",
            "9c6a30803410703fe60a6a71ca409bc5e0a96f44f693523d5204cedb26a23f7f");
        row("jmeter-subsamples.xml",
            "e663383520a4334ec15f90968120466128e78078c9766d6b8e3e5e404069ec97");
        row("jmeter-subset.tsv",
            "b2dba0a00d7817ba818388a0ba8422c61d95a894bb121a4491e994983807b24c");
        row("generated-jmeter.csv",
            "f2dfe8ddecff8727f13111eea7ca84d14838c7b06bcaeebb1123e4a845ebee67");
    }

    void figuresUnchanged()
    {
        QFETCH(QString, file);
        QFETCH(QByteArray, digest);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QString path = fixture(file);
        if (file.startsWith(QLatin1String("generated-"))) {
            path = dir.filePath(file);
            QFile out(path);
            QVERIFY(out.open(QIODevice::WriteOnly));
            QVERIFY(out.write(generatedJmeterCsv()) > 0);
        }
        ParsedResult parsed;
        ImportReport report;
        QVERIFY2(parseResultFile(path, {}, &parsed, &report), qPrintable(report.error));
        QVERIFY(parsed.summary.totals.requests > 0);
        const QByteArray figures = figuresOf(parsed.summary);
        const QByteArray actual =
            QCryptographicHash::hash(figures, QCryptographicHash::Sha256).toHex();
        if (actual != digest) {
            const QString written = QDir::temp().filePath(file + QStringLiteral(".figures.json"));
            QFile out(written);
            if (out.open(QIODevice::WriteOnly))
                out.write(figures);
            qWarning("%s: figures digest %s, written to %s", qPrintable(file), actual.constData(),
                     qPrintable(written));
        }
        QCOMPARE(actual, digest);
    }
};

LOADSCOPE_TEST_MAIN(TestImportFigures)
#include "tst_importfigures.moc"
