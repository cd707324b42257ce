#pragma once

#include <memory>

#include <QList>
#include <QString>

#include "metrics/runmetrics.h"

class QTemporaryFile;

namespace loadscope {

//! Where a running engine puts the intervals it no longer needs in memory: a temporary file
//! of IntervalSample values, appended as the run goes and read back once at its end, so that a
//! long soak holds a bounded tail of its timeline instead of ~2.4 KB per interval for its whole
//! length. The file is removed when the spill is destroyed or cleared.
class TimelineSpill
{
public:
    TimelineSpill();
    ~TimelineSpill();
    TimelineSpill(const TimelineSpill &) = delete;
    TimelineSpill &operator=(const TimelineSpill &) = delete;

    //! Writes @p samples after the ones already spilled. False, with the reason in @p error and
    //! nothing taken, when the file cannot be created or written (a full disk): the caller keeps
    //! them in memory then.
    bool append(const QList<IntervalSample> &samples, QString *error);
    //! The samples spilled so far, in order, followed by nothing else; the file is removed. False
    //! with the reason when they cannot be read back (what could be read is in @p samples).
    bool takeAll(QList<IntervalSample> *samples, QString *error);
    //! Drops what was spilled (a new run).
    void clear();
    int count() const { return m_count; }

private:
    std::unique_ptr<QTemporaryFile> m_file;
    int m_count = 0;
};

} // namespace loadscope
