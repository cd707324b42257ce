#pragma once

#include <functional>

#include <QHash>
#include <QList>
#include <QWidget>

#include "history/runexport.h"
#include "store/storetypes.h"

class QComboBox;
class QDragEnterEvent;
class QDropEvent;
class QLineEdit;
class QPushButton;
class QTableView;

namespace loadscope {

class HistoryJobs;
class HistoryStore;
class ResultsFilterProxy;
class ResultsTableModel;
class RunDetails;

//! The History place (DESIGN.md §4.3): stored runs in a sortable, filterable table, the
//! selected run's figures and charts, baseline pinning, deletion and export.
class HistoryPlace final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryPlace)

public:
    //! Asks the user a yes/no question; injectable so tests need no modal dialog.
    using ConfirmFunction = std::function<bool(const QString &question)>;

    //! @p store is not owned; it must outlive the place. Reads happen on this thread.
    explicit HistoryPlace(HistoryStore *store, QWidget *parent = nullptr);

    void setConfirmFunction(ConfirmFunction confirm);

    //! Ids of the selected runs, in table order.
    QList<qint64> selectedResultIds() const;
    //! Selects the run @p id (clearing the filters if they hide it); false if it is unknown.
    bool selectResult(qint64 id);

    //! Pins the single selected run as its test's baseline.
    bool pinSelectedAsBaseline();
    //! Deletes the selected runs after confirmation; the number deleted.
    int deleteSelected();
    //! Writes run @p id in @p format to @p path; on failure @p error says why.
    bool exportRun(qint64 id, ResultFormat format, const QString &path, QString *error = nullptr);

    //! The verdict of run @p id against its baseline ("regression", ...); empty: no baseline or
    //! not computed yet (verdictsSettled() says which).
    QString verdictOf(qint64 id) const;
    //! True once every loaded row's verdict is known (they are computed in the background).
    bool verdictsSettled() const;
    HistoryJobs *jobs() const { return m_jobs; }
    QPushButton *compareButton() const { return m_compareButton; }
    QPushButton *openButton() const { return m_openButton; }

    ResultsTableModel *model() const { return m_model; }
    ResultsFilterProxy *proxy() const { return m_proxy; }
    QTableView *view() const { return m_view; }
    RunDetails *details() const { return m_details; }
    QLineEdit *textFilter() const { return m_text; }
    QComboBox *typeFilter() const { return m_type; }
    QComboBox *statusFilter() const { return m_status; }
    QComboBox *sourceFilter() const { return m_source; }
    QLineEdit *versionFilter() const { return m_version; }
    QComboBox *dateFilter() const { return m_date; }

    //! Asks what to delete (History ▸ Clean up…), prunes and vacuums; the runs deleted.
    int cleanUp();
    //! Prunes with @p request and vacuums (no dialog); the runs deleted, -1 on failure.
    int cleanUp(const PruneRequest &request);

    //! Imports k6 / JMeter result files as runs (historyimport.cpp), with a cancellable progress
    //! dialog for large files; selects the last one. One line per file: what became of it.
    QStringList importFiles(const QStringList &paths);

public slots:
    //! Re-reads the runs from the store, keeping the selection where possible.
    void reload();

signals:
    //! The selected runs changed (several may be selected, for Compare).
    void selectionChanged(const QList<qint64> &resultIds);
    //! The user asked to compare the selected runs (two or more).
    void compareRequested(const QList<qint64> &resultIds);
    //! The user asked to see run @p resultId again (double-click or Open).
    void openRequested(qint64 resultId);
    //! A store operation failed; @p message says which and why.
    void errorOccurred(const QString &message);
    //! The history was read again: its number of runs and file size (for a status bar).
    void historyStatsChanged(const loadscope::StoreStats &stats);

protected:
    //! Result files dropped on the place are imported.
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QWidget *createFilterBar();
    //! Measures the columns' contents (after a reset), then fitColumns().
    void sizeColumns();
    //! Shows as many columns at their contents' width as the view has room for (never a
    //! sideways scroll bar): the least needed are hidden on a narrow view, the test name
    //! stretches and elides.
    void fitColumns();
    void onSelectionChanged();
    void applyDateFilter();
    void exportSelected(ResultFormat format);
    void fail(const QString &message);
    void connectJobs();
    void requestVerdicts(int firstRow);
    void onTrendReady(quint64 generation, qint64 testId, const QList<ResultRecord> &runs);

    HistoryStore *m_store;
    ConfirmFunction m_confirm;
    ResultsTableModel *m_model = nullptr;
    ResultsFilterProxy *m_proxy = nullptr;
    QTableView *m_view = nullptr;
    QList<int> m_contentWidths; //!< per column, measured by sizeColumns()
    RunDetails *m_details = nullptr;
    QLineEdit *m_text = nullptr;
    QComboBox *m_type = nullptr;
    QComboBox *m_status = nullptr;
    QComboBox *m_source = nullptr;
    QLineEdit *m_version = nullptr;
    QComboBox *m_date = nullptr;
    QPushButton *m_pin = nullptr;
    QPushButton *m_delete = nullptr;
    QPushButton *m_export = nullptr;
    QPushButton *m_compareButton = nullptr;
    QPushButton *m_openButton = nullptr;
    //! Verdicts and trends are computed here, off the GUI thread; null without a store.
    HistoryJobs *m_jobs = nullptr;
    //! The run shown in the details with its samples, until its trend arrives.
    qint64 m_shownId = 0;
    QList<ResultSample> m_shownSamples;
};

} // namespace loadscope
