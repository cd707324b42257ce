#pragma once

#include <optional>
#include <utility>

#include <QString>
#include <QStringList>
#include <QTime>

namespace loadscope {

//! A stored test run again on a calendar (`loadscope-cli schedule add`): the baseline of the
//! optimization loop. On Linux it lives as a systemd user timer (a .service and a .timer pair);
//! the units carry the schedule's own fields as X-Loadscope-* keys, so the unit files are the
//! only record and `schedule list` reads them back.
struct Schedule
{
    QString test;  //!< the stored test's name (`run --test=NAME` finds its plan)
    QString every; //!< daily, weekly, monthly or a five-field cron expression
    QTime at;      //!< time of day for daily/weekly/monthly (default 03:00)
    bool failOnRegression = false;
    QString dbPath;  //!< the history the scheduled runs are stored in
    QString program; //!< absolute path of loadscope-cli

    //! "loadscope-" and the test name reduced to [a-z0-9-], with a short hash when the
    //! reduction lost characters (two tests never share a unit).
    QString unitName() const;
    //! The command the timer starts, as arguments (program first).
    QStringList command() const;
};

//! Checks every/at and returns the OnCalendar= values of the timer (two when a cron expression
//! restricts both day of month and day of week, which cron ORs and systemd would AND).
std::optional<QStringList> onCalendarFor(const Schedule &schedule, QString *error);
//! The five cron fields of the schedule (a cron expression as given, normalised).
std::optional<QString> cronFieldsFor(const Schedule &schedule, QString *error);

//! The unit files, ready to write; empty strings with @p error when the schedule is invalid.
QString serviceUnitText(const Schedule &schedule);
std::optional<QString> timerUnitText(const Schedule &schedule, QString *error);
//! One crontab line: the cron fields and the command, quoted for /bin/sh and cron's '%'.
std::optional<QString> crontabLine(const Schedule &schedule, QString *error);

//! Reads a schedule back from its .timer and .service texts (the X-Loadscope-* keys).
std::optional<Schedule> scheduleFromUnits(const QString &timerText, const QString &serviceText);

//! $XDG_CONFIG_HOME/systemd/user, else ~/.config/systemd/user.
QString userUnitDirectory();
//! The schedules whose units are in @p directory (userUnitDirectory() when empty), with their
//! unit names.
QList<std::pair<QString, Schedule>> installedSchedules(const QString &directory = {});

//! "daily at 03:00, failing on a regression".
QString describeSchedule(const Schedule &schedule);

class HistoryStore;
//! "#12 2026-12-02 03:00 completed, regression" for the newest scheduled run of the test,
//! "none yet" without one.
QString lastScheduledRun(HistoryStore &store, const QString &testName);

} // namespace loadscope
