#pragma once

#include <QDialog>

namespace loadscope {

class HistoryStore;
class LiveCharts;
class RunSummaryPanel;

//! A stored run shown again: the Run place's charts over its timeline (read-only) and its
//! summary, recommendations and verdict against the baseline.
class RunViewer final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunViewer)

public:
    //! @p store is not owned and must outlive the viewer.
    explicit RunViewer(HistoryStore *store, QWidget *parent = nullptr);

    //! Loads run @p resultId; false with @p error when it cannot be read.
    bool showRun(qint64 resultId, QString *error = nullptr);

    LiveCharts *charts() const { return m_charts; }
    RunSummaryPanel *summaryPanel() const { return m_summary; }

private:
    HistoryStore *m_store;
    LiveCharts *m_charts = nullptr;
    RunSummaryPanel *m_summary = nullptr;
};

} // namespace loadscope
