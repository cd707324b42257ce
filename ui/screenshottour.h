#pragma once

#include <functional>

#include <QList>
#include <QObject>
#include <QString>

class QTimer;

namespace loadscope {

class MainWindow;

//! `loadscope --screenshot-dir DIR`: runs a short built-in test twice through the real
//! window and saves design.png, run.png (mid-way through the second run, whose
//! baseline is the first), history.png and compare.png into DIR.
//! Works offscreen. Emits finished() once, with an error message when something failed.
class ScreenshotTour final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScreenshotTour)

public:
    ScreenshotTour(MainWindow *window, const QString &dir, QObject *parent = nullptr);

    //! Called between the two runs (e.g. to slow the sample API so the comparison says
    //! something); optional.
    void setBetweenRuns(std::function<void()> betweenRuns)
    {
        m_betweenRuns = std::move(betweenRuns);
    }
    //! Seconds each run lasts (default 10).
    void setRunSeconds(int seconds) { m_runSeconds = seconds; }
    //! Starts the tour (returns at once).
    void start();
    //! The PNG files written so far.
    QStringList written() const { return m_written; }

signals:
    void finished(bool ok, const QString &error);

private:
    void startRun(const QString &versionLabel);
    void onTick();
    void onRunFinished(qint64 resultId);
    void finishTour();
    bool shoot(int place, const QString &name);
    void fail(const QString &error);

    MainWindow *m_window;
    QString m_dir;
    std::function<void()> m_betweenRuns;
    int m_runSeconds = 10;
    QTimer *m_tick = nullptr;
    QList<qint64> m_runIds;
    QStringList m_written;
    bool m_runShot = false;
    bool m_done = false;
};

} // namespace loadscope
