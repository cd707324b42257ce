#include "screenshottour.h"

#include <QDir>
#include <QTimer>

#include "compare/compareplace.h"
#include "design/designplace.h"
#include "history/historyplace.h"
#include "mainwindow.h"
#include "plan/planpresets.h"
#include "run/runplace.h"

namespace loadscope {

namespace {

constexpr int kIntervalsBeforeRunShot = 4;

} // namespace

ScreenshotTour::ScreenshotTour(MainWindow *window, const QString &dir, QObject *parent)
    : QObject(parent)
    , m_window(window)
    , m_dir(dir)
    , m_tick(new QTimer(this))
{
    m_tick->setInterval(100);
    connect(m_tick, &QTimer::timeout, this, &ScreenshotTour::onTick);
    connect(m_window->runPlace(), &RunPlace::runFinished, this, &ScreenshotTour::onRunFinished);
}

void ScreenshotTour::start()
{
    if (!QDir().mkpath(m_dir)) {
        fail(tr("cannot create %1").arg(m_dir));
        return;
    }
    startRun(QStringLiteral("v1.0"));
}

void ScreenshotTour::startRun(const QString &versionLabel)
{
    // LOAD_TEST with its stages compressed: the ramp, the hold and the ramp-down all show.
    TestPlan plan = presetPlan(TestType::LoadTest);
    plan.versionLabel = versionLabel;
    const qint64 ms = qint64(m_runSeconds) * 1000;
    plan.load.stages = {{ms * 2 / 10, 10}, {ms * 3 / 10, 30}, {ms * 3 / 10, 30}, {ms * 2 / 10, 0}};
    plan.load.gracefulRampDownMs = 2000;
    // A little think time keeps the target far from saturation on a small machine, so the
    // latency the charts show is the target's and not the CPU queue's.
    for (Step &step : plan.steps)
        step.thinkTimeMs = 20;
    m_window->designPlace()->setPlan(plan);
    m_window->designPlace()->validateNow();
    if (!m_window->runPlan()) {
        fail(tr("the tour's run did not start"));
        return;
    }
    m_tick->start();
}

void ScreenshotTour::onTick()
{
    RunPlace *run = m_window->runPlace();
    // Mid-way through the second run: its baseline (the first) shows as the ghost series.
    if (!m_runShot && m_runIds.size() == 1 && run->drainedIntervals() >= kIntervalsBeforeRunShot) {
        m_runShot = true;
        if (!shoot(MainWindow::RunPlaceIndex, QStringLiteral("run")))
            return;
    }
}

void ScreenshotTour::onRunFinished(qint64 resultId)
{
    if (m_done)
        return;
    m_tick->stop();
    m_runIds.append(resultId);
    if (m_runIds.size() == 1) {
        if (m_betweenRuns)
            m_betweenRuns();
        // Leave the finished run on screen for a moment, as a person would see it.
        QTimer::singleShot(200, this, [this] { startRun(QStringLiteral("v1.1")); });
        return;
    }
    if (!m_runShot) { // a very fast machine: take it at the end rather than never
        m_runShot = true;
        if (!shoot(MainWindow::RunPlaceIndex, QStringLiteral("run")))
            return;
    }
    // The finished run with its summary: not one of the four places, but worth a look.
    if (!shoot(MainWindow::RunPlaceIndex, QStringLiteral("run-finished")))
        return;
    QTimer::singleShot(200, this, &ScreenshotTour::finishTour);
}

void ScreenshotTour::finishTour()
{
    HistoryPlace *history = m_window->historyPlace();
    history->reload();
    history->selectResult(m_runIds.constLast());
    if (!shoot(MainWindow::DesignPlaceIndex, QStringLiteral("design")) ||
        !shoot(MainWindow::HistoryPlaceIndex, QStringLiteral("history")))
        return;
    if (!m_window->compareRuns(m_runIds)) {
        fail(tr("comparing runs %1 and %2 failed").arg(m_runIds.value(0)).arg(m_runIds.value(1)));
        return;
    }
    if (!shoot(MainWindow::ComparePlaceIndex, QStringLiteral("compare")))
        return;
    m_done = true;
    emit finished(true, QString());
}

bool ScreenshotTour::shoot(int place, const QString &name)
{
    QString error;
    const QString path = QDir(m_dir).filePath(name + QStringLiteral(".png"));
    if (!m_window->grabPlace(place, path, &error)) {
        fail(error);
        return false;
    }
    m_written.append(path);
    return true;
}

void ScreenshotTour::fail(const QString &error)
{
    if (m_done)
        return;
    m_done = true;
    m_tick->stop();
    emit finished(false, error);
}

} // namespace loadscope
