#include "historyplace.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QResizeEvent>
#include <QScrollArea>
#include <QSplitter>
#include <QStyle>
#include <QTableView>
#include <QVBoxLayout>

#include "compare/runanalysis.h"
#include "design/formwidgets.h"
#include "history/historyjobs.h"
#include "history/resultsfilterproxy.h"
#include "history/resultstablemodel.h"
#include "history/rundetails.h"
#include "plan/testplan.h"
#include "store/historystore.h"

namespace loadscope {

HistoryPlace::HistoryPlace(HistoryStore *store, QWidget *parent)
    : QWidget(parent)
    , m_store(store)
    , m_model(new ResultsTableModel(this))
    , m_proxy(new ResultsFilterProxy(this))
{
    m_confirm = [this](const QString &question) {
        return QMessageBox::question(this, tr("Loadscope"), question) == QMessageBox::Yes;
    };
    m_model->setStore(store);
    m_proxy->setSourceModel(m_model);
    connectJobs();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->addWidget(createFilterBar());

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(QStringLiteral("historySplitter"));
    splitter->setChildrenCollapsible(false);
    auto *left = new QWidget(splitter);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 4, 0);
    m_view = new QTableView(left);
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(ResultsTableModel::StartedColumn, Qt::DescendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->setVisible(false);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 10);
    m_view->horizontalHeader()->setHighlightSections(false);
    m_view->setTextElideMode(Qt::ElideRight);
    m_view->viewport()->installEventFilter(this); // fitColumns() on a resize
    leftLayout->addWidget(m_view, 1);

    auto *actions = new QHBoxLayout;
    m_pin = new QPushButton(tr("Pin as baseline"), left);
    m_pin->setToolTip(tr("Compare later runs of this test against this one"));
    m_delete = new QPushButton(style()->standardIcon(QStyle::SP_TrashIcon), tr("Delete…"), left);
    m_export = new QPushButton(tr("Export"), left);
    auto *exportMenu = new QMenu(m_export);
    exportMenu->addAction(tr("JSON (summary, plan and samples)…"), this,
                          [this] { exportSelected(ResultFormat::Json); });
    exportMenu->addAction(tr("CSV (samples)…"), this,
                          [this] { exportSelected(ResultFormat::Csv); });
    exportMenu->addAction(tr("Markdown (summary table)…"), this,
                          [this] { exportSelected(ResultFormat::Markdown); });
    exportMenu->addAction(tr("HTML report…"), this, [this] { exportSelected(ResultFormat::Html); });
    m_export->setMenu(exportMenu);
    auto *refresh =
        new QPushButton(style()->standardIcon(QStyle::SP_BrowserReload), tr("Refresh"), left);
    refresh->setShortcut(QKeySequence::Refresh);
    m_openButton = new QPushButton(tr("Open"), left);
    m_openButton->setToolTip(tr("See the run's charts, summary and recommendations again "
                                "(double-click)"));
    m_compareButton = new QPushButton(tr("Compare"), left);
    m_compareButton->setToolTip(tr("Compare the selected runs (two or more; Ctrl-click to "
                                   "select several)"));
    actions->addWidget(m_openButton);
    actions->addWidget(m_compareButton);
    actions->addWidget(m_pin);
    actions->addWidget(m_delete);
    actions->addWidget(m_export);
    actions->addStretch();
    actions->addWidget(refresh);
    leftLayout->addLayout(actions);

    m_details = new RunDetails(splitter);
    m_details->setStore(store);
    splitter->addWidget(left);
    // The details (charts, trend, figures) scroll when the window is short (1024×640).
    splitter->addWidget(scrollable(m_details, splitter));
    m_details->setMinimumWidth(300);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 0);
    splitter->setSizes({960, 400});
    layout->addWidget(splitter, 1);

    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &HistoryPlace::onSelectionChanged);
    connect(m_pin, &QPushButton::clicked, this, &HistoryPlace::pinSelectedAsBaseline);
    connect(m_compareButton, &QPushButton::clicked, this, [this] {
        const QList<qint64> ids = selectedResultIds();
        if (ids.size() >= 2)
            emit compareRequested(ids);
    });
    connect(m_openButton, &QPushButton::clicked, this, [this] {
        const QList<qint64> ids = selectedResultIds();
        if (ids.size() == 1)
            emit openRequested(ids.first());
    });
    connect(m_view, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        if (index.isValid())
            emit openRequested(index.data(ResultsTableModel::ResultIdRole).toLongLong());
    });
    connect(m_delete, &QPushButton::clicked, this, &HistoryPlace::deleteSelected);
    connect(refresh, &QPushButton::clicked, this, &HistoryPlace::reload);
    setAcceptDrops(true); // result files dropped here are imported (historyimport.cpp)
    reload();
}

QWidget *HistoryPlace::createFilterBar()
{
    auto *bar = new QWidget(this);
    auto *layout = new QHBoxLayout(bar);
    layout->setContentsMargins(0, 0, 0, 4);
    m_text = new QLineEdit(bar);
    m_text->setPlaceholderText(tr("Filter by test name"));
    m_text->setClearButtonEnabled(true);
    m_type = new QComboBox(bar);
    m_type->addItem(tr("All types"), QString());
    for (const TestType type : allTestTypes())
        m_type->addItem(testTypeName(type), testTypeName(type));
    m_status = new QComboBox(bar);
    m_status->addItem(tr("All statuses"), QString());
    for (const auto status : {ResultStatus::Completed, ResultStatus::Failed, ResultStatus::Aborted,
                              ResultStatus::Running})
        m_status->addItem(resultStatusToString(status), resultStatusToString(status));
    m_source = new QComboBox(bar);
    m_source->addItem(tr("All sources"), QString());
    for (const char *tool : {"Loadscope", "k6", "JMeter", "Locust"})
        m_source->addItem(QLatin1String(tool), QString::fromLatin1(tool));
    m_version = new QLineEdit(bar);
    m_version->setPlaceholderText(tr("Version label"));
    m_version->setClearButtonEnabled(true);
    m_version->setMaximumWidth(160);
    m_date = new QComboBox(bar);
    m_date->addItem(tr("Any time"), 0);
    m_date->addItem(tr("Last 24 hours"), 1);
    m_date->addItem(tr("Last 7 days"), 7);
    m_date->addItem(tr("Last 30 days"), 30);
    layout->addWidget(m_text, 2);
    layout->addWidget(m_type);
    layout->addWidget(m_status);
    layout->addWidget(m_source);
    layout->addWidget(m_version, 1);
    layout->addWidget(m_date);

    connect(m_text, &QLineEdit::textChanged, m_proxy, &ResultsFilterProxy::setTextFilter);
    connect(m_version, &QLineEdit::textChanged, m_proxy, &ResultsFilterProxy::setVersionFilter);
    connect(m_type, &QComboBox::currentIndexChanged, this,
            [this] { m_proxy->setTypeFilter(m_type->currentData().toString()); });
    connect(m_status, &QComboBox::currentIndexChanged, this,
            [this] { m_proxy->setStatusFilter(m_status->currentData().toString()); });
    connect(m_source, &QComboBox::currentIndexChanged, this,
            [this] { m_proxy->setSourceFilter(m_source->currentData().toString()); });
    connect(m_date, &QComboBox::currentIndexChanged, this, &HistoryPlace::applyDateFilter);
    return bar;
}

void HistoryPlace::sizeColumns()
{
    // Figures fit their contents; the test name takes what is left. Measured after every reset
    // (which forgets per-section widths), fitted to the view's width on every resize.
    QHeaderView *header = m_view->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    for (int c = 0; c < header->count(); ++c)
        m_view->setColumnHidden(c, false);
    m_view->resizeColumnsToContents();
    m_contentWidths.clear();
    for (int c = 0; c < header->count(); ++c)
        m_contentWidths.append(header->sectionSize(c));
    // Type names are long (ML_PREDICTION_THROUGHPUT): that column elides rather than push the
    // figures out of sight. Verdicts arrive after the reset, computed in the background.
    if (ResultsTableModel::TypeColumn < m_contentWidths.size())
        m_contentWidths[ResultsTableModel::TypeColumn] =
            std::min(m_contentWidths.at(ResultsTableModel::TypeColumn), 110);
    if (ResultsTableModel::VerdictColumn < m_contentWidths.size())
        m_contentWidths[ResultsTableModel::VerdictColumn] =
            std::max(m_contentWidths.at(ResultsTableModel::VerdictColumn), 96);
    fitColumns();
}

void HistoryPlace::fitColumns()
{
    QHeaderView *header = m_view->horizontalHeader();
    const int count = header->count();
    if (count == 0 || m_contentWidths.size() != count)
        return;
    // The view never scrolls sideways: on a narrow window (1024 px, the details beside it) the
    // columns the details pane repeats go first, in this order, until the others fit at their
    // contents' width with the test name at least kTestMinimum wide (it elides).
    static const int hideOrder[] = {
        ResultsTableModel::SourceColumn,   ResultsTableModel::IdColumn,
        ResultsTableModel::TypeColumn,     ResultsTableModel::DurationColumn,
        ResultsTableModel::StatusColumn,   ResultsTableModel::VersionColumn,
        ResultsTableModel::ErrorRateColumn};
    constexpr int kTestMinimum = 90;
    const int available = m_view->viewport()->width();
    QList<bool> hidden(count, false);
    const auto needed = [&] {
        int total = 0;
        for (int c = 0; c < count; ++c) {
            if (!hidden.at(c))
                total += c == ResultsTableModel::TestColumn
                             ? std::min(m_contentWidths.at(c), kTestMinimum)
                             : m_contentWidths.at(c);
        }
        return total;
    };
    for (const int c : hideOrder) {
        if (needed() <= available)
            break;
        if (c < count)
            hidden[c] = true;
    }
    header->setSectionResizeMode(QHeaderView::Interactive);
    for (int c = 0; c < count; ++c) {
        m_view->setColumnHidden(c, hidden.at(c));
        if (!hidden.at(c) && c != ResultsTableModel::TestColumn)
            header->resizeSection(c, m_contentWidths.at(c));
    }
    header->setMinimumSectionSize(std::min(header->minimumSectionSize(), kTestMinimum));
    header->setSectionResizeMode(ResultsTableModel::TestColumn, QHeaderView::Stretch);
}

bool HistoryPlace::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_view->viewport() && event->type() == QEvent::Resize) {
        const auto *resize = static_cast<QResizeEvent *>(event);
        if (resize->size().width() != resize->oldSize().width())
            fitColumns();
    }
    return QWidget::eventFilter(watched, event);
}

void HistoryPlace::setConfirmFunction(ConfirmFunction confirm)
{
    m_confirm = std::move(confirm);
}

void HistoryPlace::applyDateFilter()
{
    const int days = m_date->currentData().toInt();
    m_proxy->setDateRange(days > 0 ? QDateTime::currentDateTime().addDays(-days) : QDateTime(),
                          QDateTime());
}

void HistoryPlace::reload()
{
    const QList<qint64> selected = selectedResultIds();
    // The first page (and as many as were loaded) from the figures columns: no summary is read.
    // Verdicts of the rows read are asked for on the reset (connectJobs()).
    m_model->refresh();
    sizeColumns();
    if (m_store && m_store->isOpen())
        emit historyStatsChanged(m_store->stats());
    for (const qint64 id : selected) {
        const int row = m_model->rowOf(id);
        if (row < 0)
            continue;
        const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
        if (index.isValid())
            m_view->selectionModel()->select(index, QItemSelectionModel::Select |
                                                        QItemSelectionModel::Rows);
    }
    onSelectionChanged();
}

QList<qint64> HistoryPlace::selectedResultIds() const
{
    QList<QModelIndex> rows = m_view->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(),
              [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    QList<qint64> ids;
    for (const QModelIndex &index : std::as_const(rows))
        ids.append(index.data(ResultsTableModel::ResultIdRole).toLongLong());
    return ids;
}

bool HistoryPlace::selectResult(qint64 id)
{
    int row = m_model->fetchUntil(id);
    if (row < 0) {
        // Hidden by a filter (the filters run in SQL): they go, and the run is looked up again.
        m_text->clear();
        m_version->clear();
        m_type->setCurrentIndex(0);
        m_status->setCurrentIndex(0);
        m_source->setCurrentIndex(0);
        m_date->setCurrentIndex(0);
        row = m_model->fetchUntil(id);
        if (row < 0)
            return false;
    }
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    m_view->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect |
                                                         QItemSelectionModel::Rows);
    m_view->scrollTo(index);
    return true;
}

void HistoryPlace::onSelectionChanged()
{
    const QList<qint64> ids = selectedResultIds();
    m_pin->setEnabled(ids.size() == 1);
    m_openButton->setEnabled(ids.size() == 1);
    m_compareButton->setEnabled(ids.size() >= 2);
    m_export->setEnabled(ids.size() == 1);
    m_delete->setEnabled(!ids.isEmpty());
    if (ids.size() == 1) {
        // The run's own samples now (one query); its test's p95 trend when the jobs have it.
        const ResultRecord &record = m_model->record(m_model->rowOf(ids.first()));
        if (m_shownId != record.id) {
            m_shownId = record.id;
            m_shownSamples = m_store->samples(record.id, QStringLiteral(""));
        }
        m_details->showRun(record, m_shownSamples, {record});
        if (m_jobs)
            m_jobs->requestTrend(m_model->generation(), record.testId);
    } else if (ids.isEmpty()) {
        m_details->showMessage(m_model->rowCount() == 0
                                   ? tr("No runs stored yet. Runs appear here when they finish.")
                                   : tr("Select a run to see its figures."));
    } else {
        m_details->showMessage(tr("%1 runs selected.").arg(ids.size()));
    }
    emit selectionChanged(ids);
}

bool HistoryPlace::pinSelectedAsBaseline()
{
    const QList<qint64> ids = selectedResultIds();
    if (ids.size() != 1)
        return false;
    const ResultRecord record = m_model->record(m_model->rowOf(ids.first()));
    if (!m_store->setBaseline(record.testId, record.id)) {
        fail(tr("Could not pin run #%1: %2").arg(record.id).arg(m_store->lastError()));
        return false;
    }
    m_model->clearVerdicts();
    reload();
    return true;
}

int HistoryPlace::deleteSelected()
{
    const QList<qint64> ids = selectedResultIds();
    if (ids.isEmpty())
        return 0;
    const QString question =
        ids.size() == 1
            ? tr("Delete run #%1 with its samples and recommendations?").arg(ids.first())
            : tr("Delete %1 runs with their samples and recommendations?").arg(ids.size());
    if (!m_confirm(question))
        return 0;
    int deleted = 0;
    for (const qint64 id : ids) {
        if (m_store->deleteResult(id))
            ++deleted;
        else
            fail(tr("Could not delete run #%1: %2").arg(id).arg(m_store->lastError()));
    }
    m_model->clearVerdicts();
    reload();
    return deleted;
}

bool HistoryPlace::exportRun(qint64 id, ResultFormat format, const QString &path, QString *error)
{
    return writeRunExport(*m_store, id, format, path, error);
}

void HistoryPlace::exportSelected(ResultFormat format)
{
    const QList<qint64> ids = selectedResultIds();
    if (ids.size() != 1)
        return;
    const QString suffix = resultFormatSuffix(format);
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export run"),
        QDir::home().filePath(QStringLiteral("loadscope-run-%1.%2").arg(ids.first()).arg(suffix)),
        tr("%1 files (*.%2)").arg(suffix.toUpper(), suffix));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportRun(ids.first(), format, path, &error))
        fail(error);
}

QString HistoryPlace::verdictOf(qint64 id) const
{
    return m_model->verdict(id);
}

bool HistoryPlace::verdictsSettled() const
{
    return m_model->rowsWithoutVerdict().isEmpty();
}

void HistoryPlace::fail(const QString &message)
{
    emit errorOccurred(message);
}

} // namespace loadscope
