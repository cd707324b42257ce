// Benchmark (run by hand, not by CTest): the history at scale (issue #13).
//   cmake --build build/dev --target bench_history loadscope-cli
//   QT_QPA_PLATFORM=offscreen build/dev/tests/bench_history [--sizes=100,1000,10000]
//       [--run-seconds=10] [--repeat=3] [--keep-dbs=DIR]
// One real run of the built-in sample API (three endpoints, --run-seconds long) is stored by
// loadscope-cli; every database is that run copied N times over ten tests (samples,
// histograms and recommendations with it) plus a pair of one-hour runs (3,600 intervals of the
// same endpoints, the second 10 % slower). For each size: `history list` and `history trend`
// as separate processes (wall time and peak RSS, median of --repeat), the time from creating
// the main window (offscreen) to the History table holding its first page, the time to open one
// run in the run viewer and the time to compare the two one-hour runs in the Compare place
// (read and compared off the GUI thread) with the GUI thread's longest stall meanwhile.
// Figures are printed as they are and as ratios to the smallest size. Nothing passes or fails.

#include <algorithm>
#include <cstdio>
#include <fcntl.h>
#include <functional>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTimer>

#include "compare/compareplace.h"
#include "history/historyplace.h"
#include "history/resultstablemodel.h"
#include "history/runviewer.h"
#include "mainwindow.h"
#include "session/sampletarget.h"
#include "stallprobe.h"
#include "store/historystore.h"
#include "store/intervalcodec.h"
#include "testsupport.h"

extern char **environ;

using namespace loadscope;

namespace {

//! loadscope-cli to measure (--cli=PATH: e.g. a copy of an older build's).
QString s_cli;

struct ProcessCost
{
    double ms = 0;
    double rssMb = 0;
    int exitCode = -1;
};

//! Runs @p args as a child process with output discarded: wall time and its peak RSS. The RSS
//! comes from GNU time (package "time"): a child spawned by this process would count this
//! process's pages until its exec, and rusage keeps that high-water mark across it.
ProcessCost measureProcess(const QStringList &args, const QString &scratch)
{
    const QString rssFile = scratch + QStringLiteral("/rss.txt");
    QStringList command{QStringLiteral("/usr/bin/time"), QStringLiteral("-f"), QStringLiteral("%M"),
                        QStringLiteral("-o"), rssFile};
    command += args;
    QList<QByteArray> storage;
    for (const QString &arg : std::as_const(command))
        storage.append(arg.toLocal8Bit());
    std::vector<char *> argv;
    for (QByteArray &arg : storage)
        argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    QElapsedTimer clock;
    clock.start();
    pid_t pid = 0;
    ProcessCost cost;
    const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0)
        return cost;
    int status = 0;
    waitpid(pid, &status, 0);
    cost.ms = double(clock.nsecsElapsed()) / 1e6;
    cost.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    QFile file(rssFile);
    if (file.open(QIODevice::ReadOnly)) {
        // The last line holds %M (a failing command adds a "Command exited" line before it).
        const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
        cost.rssMb = lines.last().trimmed().toDouble() / 1024.0;
    }
    return cost;
}

//! Runs s_cli with @p args: its exit code and standard error.
std::pair<int, QString> runCli(const QStringList &args, int timeoutMs)
{
    QProcess process;
    process.start(s_cli, args);
    if (!process.waitForFinished(timeoutMs))
        return {-1, QStringLiteral("did not finish")};
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardError())};
}

//! CPU time of this process so far (every thread, user and system), in milliseconds: what a
//! step costs whatever the machine's load, where wall time on a busy machine is mostly waiting.
double processCpuMs()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto ms = [](const timeval &t) {
        return double(t.tv_sec) * 1e3 + double(t.tv_usec) / 1e3;
    };
    return ms(usage.ru_utime) + ms(usage.ru_stime);
}

double median(QList<double> values)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    return values.at(values.size() / 2);
}

//! Runs the event loop until @p done or @p timeoutMs; false on timeout. The loop sleeps between
//! events as a GUI's does (a 5 ms timer wakes it to look again): a loop polling without rest
//! would take a core from the background threads being timed.
bool waitUntil(const std::function<bool()> &done, int timeoutMs = 120000)
{
    QElapsedTimer clock;
    clock.start();
    QTimer wake;
    wake.start(5);
    while (!done()) {
        if (clock.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    }
    return true;
}

bool exec(QSqlQuery &query, const char *what)
{
    if (query.exec())
        return true;
    std::fprintf(stderr, "%s: %s\n", what, qPrintable(query.lastError().text()));
    return false;
}

bool exec(const QSqlDatabase &db, const QString &sql)
{
    QSqlQuery query(db);
    if (query.exec(sql))
        return true;
    std::fprintf(stderr, "%s: %s\n", qPrintable(sql.left(60)),
                 qPrintable(query.lastError().text()));
    return false;
}

const char kResultCopy[] =
    "INSERT INTO performance_test_results(test_id, test_type, status, started_at, ended_at,"
    " version_label, plan_json, summary_json, error_details)"
    " SELECT ?, test_type, status, ?, ?, ?, plan_json, %1, error_details"
    " FROM performance_test_results WHERE id = ?";

//! Copies the samples, histograms and recommendations of run @p from onto run @p to, the
//! samples @p repeats times @p period seconds apart with latencies times @p slower.
bool copyRunData(const QSqlDatabase &db, qint64 from, qint64 to, int repeats = 1, double period = 0,
                 double slower = 1.0)
{
    QSqlQuery samples(db);
    samples.prepare(QStringLiteral(
        "INSERT INTO result_samples(result_id, t_sec, endpoint, requests, errors, bytes_in,"
        " bytes_out, active_vus, rps, mean_ms, p50_ms, p90_ms, p95_ms, p99_ms, p999_ms, max_ms,"
        " data_json) SELECT ?, t_sec + ?, endpoint, requests, errors, bytes_in, bytes_out,"
        " active_vus, rps, mean_ms * ?, p50_ms * ?, p90_ms * ?, p95_ms * ?, p99_ms * ?,"
        " p999_ms * ?, max_ms * ?, data_json FROM result_samples WHERE result_id = ?"
        " ORDER BY t_sec, id"));
    for (int k = 0; k < repeats; ++k) {
        samples.addBindValue(to);
        samples.addBindValue(k * period);
        for (int i = 0; i < 7; ++i)
            samples.addBindValue(slower);
        samples.addBindValue(from);
        if (!exec(samples, "copying samples"))
            return false;
    }
    QSqlQuery histograms(db);
    histograms.prepare(QStringLiteral(
        "INSERT INTO result_histograms(result_id, endpoint, metric, blob)"
        " SELECT ?, endpoint, metric, blob FROM result_histograms WHERE result_id = ?"));
    histograms.addBindValue(to);
    histograms.addBindValue(from);
    if (!exec(histograms, "copying histograms"))
        return false;
    QSqlQuery recommendations(db);
    recommendations.prepare(QStringLiteral(
        "INSERT INTO optimization_recommendations(result_id, area, impact, title, detail,"
        " implementation, estimated_improvement, evidence_json, created_at)"
        " SELECT ?, area, impact, title, detail, implementation, estimated_improvement,"
        " evidence_json, created_at FROM optimization_recommendations WHERE result_id = ?"));
    recommendations.addBindValue(to);
    recommendations.addBindValue(from);
    return exec(recommendations, "copying recommendations");
}

struct Built
{
    QList<qint64> hourPair;
    qint64 openId = 0;
};

//! Fills the copy of the template at @p path up to @p runs runs of ten tests plus the
//! one-hour pair (test "soak").
std::optional<Built> populate(const QString &path, int runs)
{
    Built built;
    const QString name = QStringLiteral("bench-populate");
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        ok = db.open() && exec(db, QStringLiteral("PRAGMA foreign_keys = ON")) &&
             exec(db, QStringLiteral("BEGIN"));
        QSqlQuery first(db);
        qint64 templateId = 0;
        qint64 templateTest = 0;
        if (ok &&
            first.exec(QStringLiteral("SELECT id, test_id FROM performance_test_results"
                                      " ORDER BY id LIMIT 1")) &&
            first.next()) {
            templateId = first.value(0).toLongLong();
            templateTest = first.value(1).toLongLong();
        }
        ok = ok && templateId > 0;
        QList<qint64> tests{templateTest};
        for (int t = 1; ok && t <= 10; ++t) {
            QSqlQuery test(db);
            test.prepare(QStringLiteral(
                "INSERT INTO performance_tests(name, test_type, plan_json, created_at,"
                " updated_at) SELECT ?, test_type, plan_json, created_at, updated_at"
                " FROM performance_tests WHERE id = ?"));
            test.addBindValue(t == 10 ? QStringLiteral("soak")
                                      : QStringLiteral("bench test %1").arg(t));
            test.addBindValue(templateTest);
            ok = exec(test, "adding a test");
            tests.append(test.lastInsertId().toLongLong());
        }
        const QDateTime start = QDateTime::currentDateTimeUtc().addSecs(-60LL * (runs + 10));
        QSqlQuery copy(db);
        copy.prepare(QString::fromLatin1(kResultCopy).arg(QStringLiteral("summary_json")));
        for (int i = 1; ok && i < runs; ++i) {
            const QDateTime at = start.addSecs(60LL * i);
            copy.addBindValue(tests.at(i % 10));
            copy.addBindValue(at.toString(Qt::ISODateWithMs));
            copy.addBindValue(at.addSecs(10).toString(Qt::ISODateWithMs));
            copy.addBindValue(QStringLiteral("v1.%1").arg(i / 100));
            copy.addBindValue(templateId);
            ok = exec(copy, "copying a run");
            const qint64 id = copy.lastInsertId().toLongLong();
            ok = ok && copyRunData(db, templateId, id);
            if (i == runs / 2)
                built.openId = id;
        }
        // The one-hour pair: the template's intervals 360 times, 10 s apart.
        QSqlQuery hour(db);
        hour.prepare(QString::fromLatin1(kResultCopy)
                         .arg(QStringLiteral("json_set(summary_json, '$.durationSec', 3600.0)")));
        for (int k = 0; ok && k < 2; ++k) {
            const QDateTime at = QDateTime::currentDateTimeUtc().addSecs(-7200 + 3600 * k);
            hour.addBindValue(tests.at(10));
            hour.addBindValue(at.toString(Qt::ISODateWithMs));
            hour.addBindValue(at.addSecs(3600).toString(Qt::ISODateWithMs));
            hour.addBindValue(QStringLiteral("soak-%1").arg(k + 1));
            hour.addBindValue(templateId);
            ok = exec(hour, "copying a one-hour run");
            const qint64 id = hour.lastInsertId().toLongLong();
            ok = ok && copyRunData(db, templateId, id, 360, 10.0, k == 0 ? 1.0 : 1.1);
            built.hourPair.append(id);
        }
        if (built.openId == 0)
            built.openId = templateId;
        // The copies' interval records (schema version 7) from their rows, as the migration
        // fills them: a record holds its time and latencies, so SQL cannot shift and scale it.
        QSqlQuery records(db);
        if (ok &&
            records.exec(QStringLiteral("SELECT 1 FROM sqlite_master"
                                        " WHERE name = 'result_intervals'")) &&
            records.next()) {
            records.finish();
            QString error;
            ok = exec(db, QStringLiteral("DELETE FROM result_intervals")) &&
                 IntervalCodec::fillFromSamples(db, &error);
            if (!error.isEmpty())
                std::fprintf(stderr, "interval records: %s\n", qPrintable(error));
        }
        records.finish();
        ok = ok && exec(db, QStringLiteral("COMMIT"));
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    if (!ok)
        return std::nullopt;
    return built;
}

bool verdictsSettled(const HistoryPlace &place);

struct Figures
{
    int runs = 0;
    ProcessCost list;
    ProcessCost trend;
    double windowMs = 0;    //!< main window created and shown
    double firstPageMs = 0; //!< ... and the History table holds rows
    double openMs = 0;
    double compareMs = 0;      //!< compareInBackground() until the comparison is shown
    double compareCpuMs = 0;   //!< ... and the CPU time this process spent meanwhile
    double compareStallMs = 0; //!< the GUI thread's longest stall meanwhile
};

Figures measure(const QString &path, const Built &built, int runs, int repeat,
                const QString &scratch)
{
    Figures f;
    f.runs = runs;
    QList<double> listMs, listRss, trendMs, trendRss;
    for (int r = 0; r < repeat; ++r) {
        const ProcessCost list =
            measureProcess({s_cli, QStringLiteral("history"), QStringLiteral("list"),
                            QStringLiteral("--db=") + path},
                           scratch);
        const ProcessCost trend =
            measureProcess({s_cli, QStringLiteral("history"), QStringLiteral("trend"),
                            QStringLiteral("bench test 1"), QStringLiteral("--db=") + path},
                           scratch);
        if (list.exitCode != 0 || trend.exitCode != 0)
            std::fprintf(stderr, "history list/trend exited with %d/%d\n", list.exitCode,
                         trend.exitCode);
        listMs << list.ms;
        listRss << list.rssMb;
        trendMs << trend.ms;
        trendRss << trend.rssMb;
    }
    f.list = {median(listMs), median(listRss), 0};
    f.trend = {median(trendMs), median(trendRss), 0};

    // The GUI as main.cpp starts it: open the store, create the window, show it.
    QElapsedTimer clock;
    clock.start();
    HistoryStore store;
    QString error;
    if (!store.open(path, &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return f;
    }
    {
        MainWindow window(&store, DefaultTarget{});
        window.show();
        window.setCurrentPlace(MainWindow::HistoryPlaceIndex);
        f.windowMs = double(clock.nsecsElapsed()) / 1e6;
        waitUntil([&] { return window.historyPlace()->model()->rowCount() > 0; });
        QCoreApplication::processEvents(); // the first page painted
        f.firstPageMs = double(clock.nsecsElapsed()) / 1e6;
        // Opening and comparing are timed alone: the first page's verdicts, computed in the
        // background since the window showed, are in first (builds before had none pending).
        waitUntil([&] { return verdictsSettled(*window.historyPlace()); });

        QList<double> openMs;
        for (int r = 0; r < repeat; ++r) {
            RunViewer viewer(&store);
            clock.restart();
            if (!viewer.showRun(built.openId, &error))
                std::fprintf(stderr, "open: %s\n", qPrintable(error));
            openMs << double(clock.nsecsElapsed()) / 1e6;
        }
        f.openMs = median(openMs);

        QList<double> compareMs;
        QList<double> compareCpuMs;
        QList<double> stallMs;
        for (int r = 0; r < repeat; ++r) {
            ComparePlace place(&store);
            place.resize(1200, 800);
            QObject::connect(&place, &ComparePlace::comparisonFinished, &place,
                             [](quint64, bool ok, const QString &why) {
                                 if (!ok)
                                     std::fprintf(stderr, "compare: %s\n", qPrintable(why));
                             });
            // The GUI thread's longest stall (a 10 ms timer's lateness), from the request (its
            // own call included) to the comparison shown.
            test::StallProbe probe;
            probe.start();
            clock.restart();
            const double cpuBefore = processCpuMs();
            place.compareInBackground(built.hourPair);
            waitUntil([&] { return place.pendingComparisons() == 0; });
            compareMs << double(clock.nsecsElapsed()) / 1e6;
            compareCpuMs << processCpuMs() - cpuBefore;
            stallMs << probe.stopMs();
        }
        f.compareMs = median(compareMs);
        f.compareCpuMs = median(compareCpuMs);
        f.compareStallMs = median(stallMs);
    }
    return f;
}

//! The History place has no verdict left to compute (always true before they were computed in
//! the background, when the place had no such notion).
template<typename Place>
auto verdictsSettledOf(const Place &place, int) -> decltype(place.verdictsSettled())
{
    return place.verdictsSettled();
}

template<typename Place> bool verdictsSettledOf(const Place &, long)
{
    return true;
}

bool verdictsSettled(const HistoryPlace &place)
{
    return verdictsSettledOf(place, 0);
}

QString ratio(double value, double reference)
{
    return reference > 0 ? QString::number(value / reference, 'f', 2) + u'x' : QStringLiteral("-");
}

} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_QPA_PLATFORM", qgetenv("QT_QPA_PLATFORM").isEmpty() ? QByteArray("offscreen")
                                                                    : qgetenv("QT_QPA_PLATFORM"));
    QApplication app(argc, argv);
    QList<int> sizes{100, 1000, 10000};
    int runSeconds = 10;
    int repeat = 3;
    QString keep;
    for (const QString &arg : QCoreApplication::arguments().mid(1)) {
        if (arg.startsWith(QLatin1String("--sizes="))) {
            sizes.clear();
            for (const QString &n : arg.mid(8).split(u','))
                sizes << n.toInt();
        } else if (arg.startsWith(QLatin1String("--run-seconds="))) {
            runSeconds = arg.mid(14).toInt();
        } else if (arg.startsWith(QLatin1String("--repeat="))) {
            repeat = std::max(1, arg.mid(9).toInt());
        } else if (arg.startsWith(QLatin1String("--cli="))) {
            s_cli = arg.mid(6);
        } else if (arg.startsWith(QLatin1String("--keep-dbs="))) {
            keep = arg.mid(11);
        } else {
            std::fprintf(stderr, "unknown argument %s\n", qPrintable(arg));
            return 2;
        }
    }
    if (s_cli.isEmpty())
        s_cli = test::cliPath();
    QTemporaryDir scratch;
    const QDir dir(keep.isEmpty() ? scratch.path() : keep);
    QDir().mkpath(dir.path());
    const QString templ = dir.filePath(QStringLiteral("template.db"));
    QFile::remove(templ);
    std::fprintf(stderr, "recording one %d s run of the sample API...\n", runSeconds);
    const auto [recordedCode, recordedErr] = runCli(
        {QStringLiteral("run"), QStringLiteral("--type=LOAD_TEST"),
         QStringLiteral("--endpoint=/api/health"), QStringLiteral("--endpoint=/api/signals"),
         QStringLiteral("--endpoint=/api/bridge/predict"),
         QStringLiteral("--duration=%1").arg(runSeconds), QStringLiteral("--concurrency=10"),
         QStringLiteral("--rate=300"), QStringLiteral("--quiet"), QStringLiteral("--db=") + templ},
        runSeconds * 1000 + 60000);
    if (recordedCode != 0 && recordedCode != 99) {
        std::fprintf(stderr, "the template run failed (%d): %s\n", recordedCode,
                     qPrintable(recordedErr));
        return 1;
    }

    QList<Figures> all;
    for (const int runs : std::as_const(sizes)) {
        const QString path = dir.filePath(QStringLiteral("history-%1.db").arg(runs));
        QFile::remove(path);
        QFile::copy(templ, path);
        QElapsedTimer built;
        built.start();
        const auto pair = populate(path, runs);
        if (!pair) {
            std::fprintf(stderr, "could not build %s\n", qPrintable(path));
            return 1;
        }
        std::fprintf(stderr, "%d runs: built in %.1f s (%.0f MB), measuring...\n", runs,
                     double(built.elapsed()) / 1000.0, double(QFileInfo(path).size()) / 1048576.0);
        all.append(measure(path, *pair, runs, repeat, scratch.path()));
    }

    std::printf("| runs | list ms | list MB | trend ms | trend MB | window shown ms |"
                " GUI first page ms | open run ms | compare 2×1 h ms | compare CPU ms |"
                " compare GUI stall ms |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (const Figures &f : std::as_const(all)) {
        std::printf(
            "| %d | %.0f | %.1f | %.0f | %.1f | %.0f | %.0f | %.1f | %.0f | %.0f | %.0f |\n",
            f.runs, f.list.ms, f.list.rssMb, f.trend.ms, f.trend.rssMb, f.windowMs, f.firstPageMs,
            f.openMs, f.compareMs, f.compareCpuMs, f.compareStallMs);
    }
    std::printf("\nAs ratios to %d runs:\n\n", all.first().runs);
    std::printf("| runs | list time | list RSS | trend time | GUI first page | open run |"
                " compare |\n|---|---|---|---|---|---|---|\n");
    const Figures &ref = all.first();
    for (const Figures &f : std::as_const(all)) {
        std::printf("| %d | %s | %s | %s | %s | %s | %s |\n", f.runs,
                    qPrintable(ratio(f.list.ms, ref.list.ms)),
                    qPrintable(ratio(f.list.rssMb, ref.list.rssMb)),
                    qPrintable(ratio(f.trend.ms, ref.trend.ms)),
                    qPrintable(ratio(f.firstPageMs, ref.firstPageMs)),
                    qPrintable(ratio(f.openMs, ref.openMs)),
                    qPrintable(ratio(f.compareMs, ref.compareMs)));
    }
    return 0;
}
