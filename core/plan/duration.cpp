#include "duration.h"

#include <cmath>

namespace loadscope {

namespace {

constexpr double kMaxMs = double(kMaxDurationMs);

std::optional<qint64> fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return std::nullopt;
}

double unitMs(QStringView unit, bool *ok)
{
    *ok = true;
    if (unit == u"ms")
        return 1;
    if (unit == u"s")
        return 1000;
    if (unit == u"m")
        return 60.0 * 1000;
    if (unit == u"h")
        return 3600.0 * 1000;
    if (unit == u"d")
        return 24.0 * 3600 * 1000;
    if (unit == u"us" || unit == u"\u00b5s")
        return 0.001;
    if (unit == u"ns")
        return 0.000001;
    *ok = false;
    return 0;
}

} // namespace

std::optional<qint64> parseDurationMs(QStringView text, QString *error)
{
    const QStringView s = text.trimmed();
    if (s.isEmpty())
        return fail(error, QStringLiteral("empty duration"));
    if (s.startsWith(u'-'))
        return fail(error, QStringLiteral("a duration must not be negative"));

    // A bare number means seconds (the command line's --duration=30).
    bool bare = false;
    const double seconds = s.toDouble(&bare);
    if (bare) {
        if (!std::isfinite(seconds) || seconds < 0 || seconds * 1000 > kMaxMs)
            return fail(error, QStringLiteral("duration out of range"));
        return qint64(std::llround(seconds * 1000));
    }

    double total = 0;
    qsizetype i = 0;
    while (i < s.size()) {
        const qsizetype numberStart = i;
        while (i < s.size() && (s[i].isDigit() || s[i] == u'.'))
            ++i;
        if (i == numberStart)
            return fail(error, QStringLiteral("expected a number at position %1").arg(i));
        bool ok = false;
        const double value = s.mid(numberStart, i - numberStart).toDouble(&ok);
        if (!ok)
            return fail(
                error,
                QStringLiteral("bad number \"%1\"").arg(s.mid(numberStart, i - numberStart)));
        const qsizetype unitStart = i;
        while (i < s.size() && !s[i].isDigit() && s[i] != u'.')
            ++i;
        const QStringView unit = s.mid(unitStart, i - unitStart);
        if (unit.isEmpty())
            return fail(error, QStringLiteral("missing unit after \"%1\" (use ms, s, m, h or d)")
                                   .arg(s.mid(numberStart, i - numberStart)));
        bool known = false;
        const double factor = unitMs(unit, &known);
        if (!known)
            return fail(error,
                        QStringLiteral("unknown unit \"%1\" (use ms, s, m, h or d)").arg(unit));
        total += value * factor;
        if (total > kMaxMs)
            return fail(error, QStringLiteral("duration out of range"));
    }
    return qint64(std::llround(total));
}

QString formatDurationMs(qint64 ms)
{
    if (ms == 0)
        return QStringLiteral("0s");
    QString out;
    if (ms < 0) {
        out += u'-';
        ms = -ms;
    }
    const qint64 hours = ms / 3600000;
    const qint64 minutes = ms / 60000 % 60;
    const qint64 seconds = ms / 1000 % 60;
    const qint64 millis = ms % 1000;
    // Whole days stay in hours, as Go's time.Duration prints them; every k6 version reads "h".
    if (hours)
        out += QString::number(hours) + u'h';
    if (minutes)
        out += QString::number(minutes) + u'm';
    if (seconds)
        out += QString::number(seconds) + u's';
    if (millis)
        out += QString::number(millis) + QLatin1String("ms");
    return out;
}

} // namespace loadscope
