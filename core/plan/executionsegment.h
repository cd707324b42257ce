#pragma once

#include <optional>

#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>
#include <QtGlobal>

#include "plan/testplan.h"

namespace loadscope {

//! Segment I (0-based) of N equal execution segments of a plan, as k6's --execution-segment
//! splits a test over several machines (DESIGN.md §4.4).
//!
//! Everything the plan counts — VUs, arrivals, CSV data rows — is numbered globally and
//! striped: item n belongs to segment n % N. So segment I holds share(total) of any total
//! (10 VUs over 4 agents: 3, 3, 2, 2), the same agent always gets the same share, and since
//! the split applies to the plan's count at each moment (not to each stage's end points), the
//! N segments add up to the plan exactly at every moment of a ramp. The whole plan is segment
//! 0/1.
struct ExecutionSegment
{
    int index = 0; //!< I, 0-based
    int count = 1; //!< N

    //! The whole plan (0/1): nothing is split.
    bool isWhole() const { return count == 1; }
    //! "I/N".
    QString toString() const;
    //! Parses "I/N" (0 ≤ I < N, 1 ≤ N ≤ kMaxCount); the message says what is wrong.
    static std::optional<ExecutionSegment> parse(QStringView text, QString *error);
    static constexpr int kMaxCount = 10000;

    //! This segment's part of @p total striped items: total / N, plus one for the first
    //! total % N segments. The N parts add up to @p total.
    qint64 share(qint64 total) const { return total / count + (index < total % count ? 1 : 0); }
    //! Whether global item @p n (0-based VU, arrival or data row number) is this segment's.
    bool owns(qint64 n) const { return n % count == index; }
    //! The global number of this segment's local item @p local (0-based): I + N × local.
    qint64 globalIndex(qint64 local) const { return index + qint64(count) * local; }
    //! The fraction of a rate this segment carries over time: 1 / N.
    double fraction() const { return 1.0 / double(count); }

    //! This segment's items of @p items (those at positions it owns), in order.
    template<typename T> QList<T> ownItems(const QList<T> &items) const
    {
        QList<T> own;
        own.reserve(qsizetype(share(items.size())));
        for (qsizetype i = index; i < items.size(); i += count)
            own.append(items[i]);
        return own;
    }

    //! The load this segment applies, for display and limits: VUs, start VUs, stage targets of
    //! ramping-vus and preAllocatedVUs/maxVUs as share() of the plan's, rates as rate / N.
    //! (The engine does not run this model: it splits the whole plan's count at each moment,
    //! which a ramp between shares of stage ends would not match exactly.)
    LoadModel load(const LoadModel &whole) const;
    //! Why @p plan cannot be split into this segment's N parts (field named), empty when it can:
    //! an open model needs at least one VU per segment, a data file at least one row.
    QStringList problems(const TestPlan &plan, qsizetype dataRows = -1) const;

    bool operator==(const ExecutionSegment &o) const
    {
        return index == o.index && count == o.count;
    }
    bool operator!=(const ExecutionSegment &o) const { return !(*this == o); }
};

} // namespace loadscope
