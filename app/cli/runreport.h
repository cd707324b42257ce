#pragma once

#include <QString>

#include "metrics/runmetrics.h"
#include "plan/testplan.h"

class QTextStream;

namespace loadscope {

//! The live progress of `loadscope-cli run`: a redrawn bar with rps, p95 and errors on a
//! terminal, one line per interval otherwise, nothing with --quiet.
class ProgressPrinter
{
public:
    ProgressPrinter(QTextStream &out, const TestPlan &plan, bool tty, bool quiet);

    void started(const QString &baseUrl, qint64 resultId);
    void interval(const IntervalSample &sample, double elapsedSec);
    void note(const QString &text);
    //! Ends the redrawn line so the summary starts on a fresh one.
    void finishLine();

private:
    QTextStream &m_out;
    const TestPlan &m_plan;
    bool m_tty;
    bool m_quiet;
    bool m_lineOpen = false;
};

//! The end-of-run summary (k6-like): totals, latency, endpoints, Server-Timing, thresholds.
void printRunSummary(QTextStream &out, const TestPlan &plan, const RunSummary &summary,
                     const QString &baseUrl, qint64 resultId, const QString &dbPath);

} // namespace loadscope
