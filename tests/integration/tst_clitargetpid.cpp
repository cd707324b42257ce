// Whose CPU is whose: a default run (the sample API as a child process) reports the
// generator's and the target's PIDs, and they differ; a cheap target is never advised on.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include "testmain.h"
#include "testsupport.h"

using loadscope::test::CliRun;
using loadscope::test::runCli;

class TestCliTargetPid : public QObject
{
    Q_OBJECT

private slots:
    void defaultRunTargetIsAnotherProcess()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString out = dir.filePath(QStringLiteral("r.json"));
        const CliRun run =
            runCli({QStringLiteral("run"), QStringLiteral("--duration=3"),
                    QStringLiteral("--no-db"), QStringLiteral("--output-file=") + out});
        QVERIFY2(run.exitCode == 0 || run.exitCode == 99, qPrintable(run.err + run.out));
        QFile file(out);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject result = QJsonDocument::fromJson(file.readAll())
                                       .object()
                                       .value(QStringLiteral("result"))
                                       .toObject();
        const QJsonObject resources = result.value(QStringLiteral("resources")).toObject();
        const qint64 generatorPid =
            qint64(resources.value(QStringLiteral("generatorPid")).toDouble());
        const qint64 targetPid = qint64(resources.value(QStringLiteral("targetPid")).toDouble());
        QVERIFY2(generatorPid > 0 && targetPid > 0, QJsonDocument(resources).toJson().constData());
        QVERIFY2(generatorPid != targetPid, QJsonDocument(resources).toJson().constData());
        QVERIFY(resources.value(QStringLiteral("targetCpuPct")).isObject());
        // /api/health is cheap: whatever the generator's state, the target is not advised on.
        const QJsonArray recommendations =
            result.value(QStringLiteral("recommendations")).toArray();
        for (const QJsonValue &r : recommendations) {
            const QString title = r.toObject().value(QStringLiteral("title")).toString();
            QVERIFY2(!title.startsWith(QStringLiteral("Target CPU saturated")), qPrintable(title));
        }
    }
};

LOADSCOPE_TEST_MAIN(TestCliTargetPid)
#include "tst_clitargetpid.moc"
