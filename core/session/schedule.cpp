#include "schedule.h"

#include <array>
#include <bitset>

#include <QCryptographicHash>
#include <QDir>
#include <QFile>

#include "metrics/runmetrics.h"
#include "store/historystore.h"

namespace loadscope {
namespace {

constexpr int kDefaultHour = 3;

QString readText(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

//! One of cron's five fields: its range and, for month and weekday, its names.
struct CronFieldSpec
{
    const char *name;
    int min;
    int max;
    std::array<const char *, 12> names; //!< names[i] is value min + i; nullptr ends
};

const std::array<CronFieldSpec, 5> kCronFields{{
    {"minute", 0, 59, {}},
    {"hour", 0, 23, {}},
    {"day of month", 1, 31, {}},
    {"month",
     1,
     12,
     {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
    // 7 is Sunday too; it is folded onto 0 after parsing.
    {"day of week", 0, 7, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
}};

//! A parsed cron field: the values it matches, and whether it was written as "*..." (cron's
//! rule for day of month and day of week looks at that, not at the values).
struct CronField
{
    std::bitset<64> values;
    bool star = false;
};

std::optional<int> cronValue(const QString &text, const CronFieldSpec &spec)
{
    bool ok = false;
    const int number = text.toInt(&ok);
    if (ok)
        return number >= spec.min && number <= spec.max ? std::optional<int>(number) : std::nullopt;
    for (std::size_t i = 0; i < spec.names.size() && spec.names[i]; ++i)
        if (text.compare(QLatin1String(spec.names[i]), Qt::CaseInsensitive) == 0)
            return spec.min + static_cast<int>(i);
    return std::nullopt;
}

std::optional<CronField> parseCronField(const QString &text, const CronFieldSpec &spec,
                                        QString *error)
{
    const auto fail = [&](const QString &why) {
        *error = QStringLiteral("cron ") + QLatin1String(spec.name) + QStringLiteral(" field \"") +
                 text + QStringLiteral("\": ") + why;
        return std::nullopt;
    };
    CronField field;
    field.star = text.startsWith(u'*');
    for (const QString &element : text.split(u',')) {
        QString range = element;
        int step = 1;
        const qsizetype slash = element.indexOf(u'/');
        if (slash >= 0) {
            bool ok = false;
            step = element.mid(slash + 1).toInt(&ok);
            if (!ok || step < 1 || step > spec.max)
                return fail(QStringLiteral("the step after '/' must be a number from 1 to ") +
                            QString::number(spec.max));
            range = element.left(slash);
        }
        int first = spec.min;
        int last = spec.max;
        if (range != QLatin1String("*")) {
            const qsizetype dash = range.indexOf(u'-');
            const auto low = cronValue(dash >= 0 ? range.left(dash) : range, spec);
            const auto high = dash >= 0 ? cronValue(range.mid(dash + 1), spec) : low;
            if (!low || !high)
                return fail(QStringLiteral("\"") + range +
                            QStringLiteral("\" is not a value from ") + QString::number(spec.min) +
                            QStringLiteral(" to ") + QString::number(spec.max) +
                            (spec.names[0] ? QStringLiteral(" or a name") : QString()));
            if (*high < *low)
                return fail(QStringLiteral("the range ") + range +
                            QStringLiteral(" runs backwards"));
            first = *low;
            // "5/15" means from 5 to the end in steps of 15 (as cronie and croniter read it).
            last = dash < 0 && slash >= 0 ? spec.max : *high;
        }
        for (int v = first; v <= last; v += step)
            field.values.set(static_cast<std::size_t>(v));
    }
    return field;
}

//! The cron fields of the schedule, parsed; weekday 7 folded onto 0.
std::optional<std::array<CronField, 5>> parseCron(const QString &expression, QString *error)
{
    QString text = expression.simplified();
    static const std::array<std::pair<const char *, const char *>, 7> macros{{
        {"@hourly", "0 * * * *"},
        {"@daily", "0 0 * * *"},
        {"@midnight", "0 0 * * *"},
        {"@weekly", "0 0 * * 0"},
        {"@monthly", "0 0 1 * *"},
        {"@yearly", "0 0 1 1 *"},
        {"@annually", "0 0 1 1 *"},
    }};
    if (text.startsWith(u'@')) {
        const auto macro = std::find_if(macros.begin(), macros.end(), [&](const auto &m) {
            return text.compare(QLatin1String(m.first), Qt::CaseInsensitive) == 0;
        });
        if (macro == macros.end()) {
            *error = QStringLiteral("cron expression \"") + expression +
                     QStringLiteral("\": only @hourly, @daily, @weekly, @monthly and @yearly "
                                    "name a calendar");
            return std::nullopt;
        }
        text = QLatin1String(macro->second);
    }
    const QStringList parts = text.split(u' ');
    if (parts.size() == 1) {
        *error = QStringLiteral("\"") + expression +
                 QStringLiteral("\" is neither daily, weekly, monthly nor a cron expression "
                                "(five fields: minute hour day-of-month month day-of-week)");
        return std::nullopt;
    }
    if (parts.size() != 5) {
        *error = QStringLiteral("cron expression \"") + expression + QStringLiteral("\" has ") +
                 QString::number(parts.size()) +
                 QStringLiteral(" fields; it needs five: minute hour day-of-month month "
                                "day-of-week");
        return std::nullopt;
    }
    std::array<CronField, 5> fields;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        auto field = parseCronField(parts[static_cast<qsizetype>(i)], kCronFields[i], error);
        if (!field)
            return std::nullopt;
        fields[i] = *field;
    }
    if (fields[4].values.test(7)) {
        fields[4].values.reset(7);
        fields[4].values.set(0);
    }
    return fields;
}

//! A systemd calendar component for @p values: "*" when it holds the whole range, else a
//! list in which runs of three or more become "a..b".
QString calendarComponent(const std::bitset<64> &values, int min, int max, int width)
{
    bool all = true;
    for (int v = min; v <= max && all; ++v)
        all = values.test(static_cast<std::size_t>(v));
    if (all)
        return QStringLiteral("*");
    QStringList parts;
    const auto number = [width](int v) { return QString::number(v).rightJustified(width, u'0'); };
    for (int v = min; v <= max; ++v) {
        if (!values.test(static_cast<std::size_t>(v)))
            continue;
        int end = v;
        while (end + 1 <= max && values.test(static_cast<std::size_t>(end + 1)))
            ++end;
        if (end - v >= 2) {
            parts << number(v) + QStringLiteral("..") + number(end);
        } else {
            for (int w = v; w <= end; ++w)
                parts << number(w);
        }
        v = end;
    }
    return parts.join(u',');
}

QString weekdayComponent(const std::bitset<64> &values)
{
    // systemd's week starts on Monday; cron's 0 is Sunday.
    static const std::array<const char *, 7> names{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    QStringList parts;
    for (int i = 0; i < 7; ++i)
        if (values.test(static_cast<std::size_t>((i + 1) % 7)))
            parts << QLatin1String(names[static_cast<std::size_t>(i)]);
    return parts.join(u',');
}

bool isCalendarWord(const QString &every)
{
    return every == QLatin1String("daily") || every == QLatin1String("weekly") ||
           every == QLatin1String("monthly");
}

//! The time of day of a daily/weekly/monthly schedule; a cron expression must not have one.
std::optional<QTime> timeOfDay(const Schedule &schedule, QString *error)
{
    if (!isCalendarWord(schedule.every)) {
        if (schedule.at.isValid()) {
            *error = QStringLiteral("--at applies to daily, weekly and monthly; a cron "
                                    "expression carries its own time");
            return std::nullopt;
        }
        return QTime();
    }
    return schedule.at.isValid() ? schedule.at : QTime(kDefaultHour, 0);
}

bool hasControlCharacters(const QString &text)
{
    return std::any_of(text.begin(), text.end(), [](QChar c) { return c.unicode() < 0x20; });
}

//! @p arg as one word of a systemd command line: in double quotes, with C escapes for '\'
//! and '"', and '%' and '$' doubled so that neither specifiers nor variables expand.
QString systemdWord(const QString &arg)
{
    QString word;
    for (const QChar c : arg) {
        if (c == u'\\' || c == u'"')
            word += u'\\';
        else if (c == u'%' || c == u'$')
            word += c;
        word += c;
    }
    return u'"' + word + u'"';
}

//! @p arg for /bin/sh in a crontab: single-quoted, and '%' (a newline to cron) escaped.
QString crontabWord(const QString &arg)
{
    QString word = arg;
    word.replace(u'\'', QStringLiteral("'\\''"));
    word.replace(u'%', QStringLiteral("\\%"));
    return u'\'' + word + u'\'';
}

QString keyValue(const char *key, const QString &value)
{
    return QStringLiteral("X-Loadscope-") + QLatin1String(key) + u'=' + value + u'\n';
}

std::optional<QString> checkSchedule(const Schedule &schedule, QString *error)
{
    if (schedule.test.trimmed().isEmpty()) {
        *error = QStringLiteral("a schedule needs the name of a stored test");
        return std::nullopt;
    }
    for (const QString *text : {&schedule.test, &schedule.dbPath, &schedule.program}) {
        if (hasControlCharacters(*text)) {
            *error = QStringLiteral("\"") + *text +
                     QStringLiteral("\" holds a control character (a unit file is line-based)");
            return std::nullopt;
        }
    }
    return QString();
}

} // namespace

QString Schedule::unitName() const
{
    QString slug;
    const QString lower = test.toLower();
    for (const QChar c : lower) {
        const bool keep = (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9');
        if (keep)
            slug += c;
        else if (!slug.endsWith(u'-'))
            slug += u'-';
    }
    while (slug.endsWith(u'-'))
        slug.chop(1);
    while (slug.startsWith(u'-'))
        slug.remove(0, 1);
    if (slug != test) {
        const QByteArray hash = QCryptographicHash::hash(test.toUtf8(), QCryptographicHash::Sha1);
        slug += (slug.isEmpty() ? QString() : QStringLiteral("-")) +
                QString::fromLatin1(hash.toHex().left(8));
    }
    return QStringLiteral("loadscope-") + slug;
}

QStringList Schedule::command() const
{
    QStringList args{program, QStringLiteral("run"), QStringLiteral("--test=") + test};
    if (!dbPath.isEmpty())
        args << QStringLiteral("--db=") + dbPath;
    args << QStringLiteral("--scheduled") << QStringLiteral("--quiet");
    if (failOnRegression)
        args << QStringLiteral("--fail-on-regression");
    return args;
}

std::optional<QStringList> onCalendarFor(const Schedule &schedule, QString *error)
{
    const auto at = timeOfDay(schedule, error);
    if (!at)
        return std::nullopt;
    if (isCalendarWord(schedule.every)) {
        const QString time = at->toString(QStringLiteral("HH:mm")) + QStringLiteral(":00");
        if (schedule.every == QLatin1String("daily"))
            return QStringList{QStringLiteral("*-*-* ") + time};
        if (schedule.every == QLatin1String("weekly"))
            return QStringList{QStringLiteral("Mon *-*-* ") + time};
        return QStringList{QStringLiteral("*-*-01 ") + time};
    }
    const auto fields = parseCron(schedule.every, error);
    if (!fields)
        return std::nullopt;
    const QString time = calendarComponent((*fields)[1].values, 0, 23, 2) + u':' +
                         calendarComponent((*fields)[0].values, 0, 59, 2) + QStringLiteral(":00");
    const QString month = calendarComponent((*fields)[3].values, 1, 12, 2);
    const QString day = calendarComponent((*fields)[2].values, 1, 31, 2);
    const CronField &weekday = (*fields)[4];
    const QString weekdays = weekdayComponent(weekday.values);
    const QString anyDay = QStringLiteral("*-") + month + QStringLiteral("-* ") + time;
    if ((*fields)[2].star && weekday.star)
        return QStringList{anyDay};
    if ((*fields)[2].star)
        return QStringList{weekdays + u' ' + anyDay};
    const QString onDay = QStringLiteral("*-") + month + u'-' + day + u' ' + time;
    if (weekday.star)
        return QStringList{onDay};
    // cron runs when either the day of month or the day of week matches; systemd would need
    // both in one expression, so the timer gets one of each (OnCalendar= lines add up).
    return QStringList{onDay, weekdays + u' ' + anyDay};
}

std::optional<QString> cronFieldsFor(const Schedule &schedule, QString *error)
{
    const auto at = timeOfDay(schedule, error);
    if (!at)
        return std::nullopt;
    if (isCalendarWord(schedule.every)) {
        const QString time = QString::number(at->minute()) + u' ' + QString::number(at->hour());
        if (schedule.every == QLatin1String("daily"))
            return time + QStringLiteral(" * * *");
        if (schedule.every == QLatin1String("weekly"))
            return time + QStringLiteral(" * * 1");
        return time + QStringLiteral(" 1 * *");
    }
    if (!parseCron(schedule.every, error))
        return std::nullopt;
    return schedule.every.simplified();
}

QString serviceUnitText(const Schedule &schedule)
{
    QStringList words;
    for (const QString &arg : schedule.command())
        words << systemdWord(arg);
    QString description = schedule.test;
    description.replace(u'%', QStringLiteral("%%"));
    return QStringLiteral("# ") + schedule.unitName() +
           QStringLiteral(".service\n# written by `loadscope-cli schedule add`\n"
                          "[Unit]\nDescription=Loadscope scheduled run of ") +
           description + u'\n' + keyValue("Test", schedule.test) +
           QStringLiteral("\n[Service]\nType=oneshot\nExecStart=") + words.join(u' ') + u'\n';
}

std::optional<QString> timerUnitText(const Schedule &schedule, QString *error)
{
    if (!checkSchedule(schedule, error))
        return std::nullopt;
    const auto calendars = onCalendarFor(schedule, error);
    if (!calendars)
        return std::nullopt;
    QString description = schedule.test;
    description.replace(u'%', QStringLiteral("%%"));
    QString text = QStringLiteral("# ") + schedule.unitName() +
                   QStringLiteral(".timer\n# written by `loadscope-cli schedule add`; "
                                  "`loadscope-cli schedule remove` deletes it\n"
                                  "[Unit]\nDescription=Loadscope scheduled baseline of ") +
                   description + u'\n';
    text += keyValue("Test", schedule.test) + keyValue("Every", schedule.every);
    if (isCalendarWord(schedule.every))
        text += keyValue("At", timeOfDay(schedule, error)->toString(QStringLiteral("HH:mm")));
    text += keyValue("FailOnRegression",
                     schedule.failOnRegression ? QStringLiteral("yes") : QStringLiteral("no"));
    text += keyValue("Db", schedule.dbPath) + keyValue("Program", schedule.program);
    text += QStringLiteral("\n[Timer]\n");
    for (const QString &calendar : *calendars)
        text += QStringLiteral("OnCalendar=") + calendar + u'\n';
    // A run missed while the machine was off starts when it is back.
    text += QStringLiteral("Persistent=true\nUnit=") + schedule.unitName() +
            QStringLiteral(".service\n\n[Install]\nWantedBy=timers.target\n");
    return text;
}

std::optional<QString> crontabLine(const Schedule &schedule, QString *error)
{
    if (!checkSchedule(schedule, error))
        return std::nullopt;
    const auto fields = cronFieldsFor(schedule, error);
    if (!fields)
        return std::nullopt;
    QStringList words;
    for (const QString &arg : schedule.command())
        words << crontabWord(arg);
    return *fields + u' ' + words.join(u' ');
}

std::optional<Schedule> scheduleFromUnits(const QString &timerText, const QString &serviceText)
{
    Schedule schedule;
    bool sawTest = false;
    for (const QString &text : {timerText, serviceText}) {
        for (const QString &line : text.split(u'\n')) {
            if (!line.startsWith(QLatin1String("X-Loadscope-")))
                continue;
            const qsizetype eq = line.indexOf(u'=');
            if (eq < 0)
                continue;
            const QString key = line.mid(12, eq - 12);
            const QString value = line.mid(eq + 1);
            if (key == QLatin1String("Test")) {
                schedule.test = value;
                sawTest = true;
            } else if (key == QLatin1String("Every")) {
                schedule.every = value;
            } else if (key == QLatin1String("At")) {
                schedule.at = QTime::fromString(value, QStringLiteral("HH:mm"));
            } else if (key == QLatin1String("FailOnRegression")) {
                schedule.failOnRegression = value == QLatin1String("yes");
            } else if (key == QLatin1String("Db")) {
                schedule.dbPath = value;
            } else if (key == QLatin1String("Program")) {
                schedule.program = value;
            }
        }
    }
    if (!sawTest || schedule.every.isEmpty())
        return std::nullopt;
    return schedule;
}

QString userUnitDirectory()
{
    QString base = qEnvironmentVariable("XDG_CONFIG_HOME");
    if (base.isEmpty())
        base = QDir::homePath() + QStringLiteral("/.config");
    return base + QStringLiteral("/systemd/user");
}

QList<std::pair<QString, Schedule>> installedSchedules(const QString &directory)
{
    QList<std::pair<QString, Schedule>> schedules;
    const QDir dir(directory.isEmpty() ? userUnitDirectory() : directory);
    for (const QString &timer :
         dir.entryList({QStringLiteral("loadscope-*.timer")}, QDir::Files, QDir::Name)) {
        const QString unit = timer.chopped(6);
        const auto schedule =
            scheduleFromUnits(readText(dir.filePath(timer)),
                              readText(dir.filePath(unit + QStringLiteral(".service"))));
        if (schedule)
            schedules.append({unit, *schedule});
    }
    return schedules;
}

QString lastScheduledRun(HistoryStore &store, const QString &testName)
{
    const auto test = store.findTestByName(testName);
    if (!test)
        return QStringLiteral("(test not in this history)");
    // The newest scheduled run from the trigger column (schema version 7): one indexed row,
    // no summary read, however long the history (the GUI asks on every selection).
    ResultFilter filter;
    filter.testId = test->id;
    filter.trigger = QStringLiteral("schedule");
    filter.limit = 1;
    const QList<ResultRecord> records = store.listResultRows(filter);
    if (records.isEmpty())
        return QStringLiteral("none yet");
    const ResultRecord &record = records.constFirst();
    const QString &verdict = record.figures.verdict;
    return u'#' + QString::number(record.id) + u' ' +
           record.startedAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")) + u' ' +
           resultStatusToString(record.status) +
           (verdict.isEmpty() ? QString() : QStringLiteral(", ") + verdict);
}

QString describeSchedule(const Schedule &schedule)
{
    QString text = schedule.every;
    if (schedule.at.isValid())
        text += QStringLiteral(" at ") + schedule.at.toString(QStringLiteral("HH:mm"));
    if (schedule.failOnRegression)
        text += QStringLiteral(", failing on a regression");
    return text;
}

} // namespace loadscope
