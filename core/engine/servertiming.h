#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace loadscope {

//! One metric of a Server-Timing header (`name;dur=3.1;desc="x"`).
struct ServerTimingEntry
{
    QByteArray name;
    double durMs = 0.0;  //!< milliseconds; meaningful only when hasDur
    bool hasDur = false; //!< false when dur is missing or not a finite number
    QByteArray desc;     //!< unquoted and unescaped description; empty when absent
};

//! A parsed metric pointing into the header text (no allocation); see forEachServerTiming().
struct ServerTimingView
{
    QByteArrayView name;
    double durMs = 0.0;
    bool hasDur = false;
    QByteArrayView desc; //!< raw: a quoted desc still has its escapes (quotes are stripped)
};

//! Calls @p visit(@p context, metric) for each metric of the Server-Timing value @p header
//! (several headers joined by ", " are fine). Follows the W3C grammar: metrics separated by
//! commas outside quoted strings, parameters after ';', the first dur/desc wins, a dur that is
//! not a finite number is ignored, an entry without a name is skipped. Allocation-free.
void forEachServerTiming(QByteArrayView header, void *context,
                         void (*visit)(void *context, const ServerTimingView &metric));

//! Parses a Server-Timing value into entries (convenient; allocates the list and names).
QList<ServerTimingEntry> parseServerTiming(QByteArrayView header);

} // namespace loadscope
