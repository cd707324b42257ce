#include "agentspanel.h"

#include <QHeaderView>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QScrollBar>
#include <QTableWidget>
#include <QVBoxLayout>

namespace loadscope {

namespace {

enum Column
{
    SegmentColumn,
    HostColumn,
    RequestsColumn,
    ErrorsColumn,
    ThroughputColumn,
    CpuColumn,
    RssColumn,
    SaturatedColumn,
    ColumnCount
};

QTableWidgetItem *cell(const QString &text, bool number)
{
    auto *item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    if (number)
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

} // namespace

AgentsPanel::AgentsPanel(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("agentsPanel"));
    m_heading = new QLabel(this);
    QFont bold = m_heading->font();
    bold.setBold(true);
    m_heading->setFont(bold);
    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setHorizontalHeaderLabels({tr("Segment"), tr("Host"), tr("Requests"), tr("Errors"),
                                        tr("Throughput (req/s)"), tr("CPU avg / max"),
                                        tr("Peak RSS"), tr("Saturated")});
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setToolTip(tr("Each agent's own figures: a saturated agent measured its own "
                           "generator as the bottleneck, so the merged run understates the "
                           "target"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_heading);
    layout->addWidget(m_table);
    // The heading sits on the table: height the parent gives beyond the rows goes below them,
    // not into a gap between the two.
    layout->addStretch(1);
    m_heading->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    m_table->setWordWrap(false);
    hide();
}

void AgentsPanel::setAgents(const QJsonArray &agents)
{
    m_table->setRowCount(0);
    setVisible(!agents.isEmpty());
    if (agents.isEmpty())
        return;
    const QLocale locale;
    int saturated = 0;
    double rps = 0;
    m_table->setRowCount(int(agents.size()));
    for (int row = 0; row < agents.size(); ++row) {
        const QJsonObject a = agents.at(row).toObject();
        const QJsonObject cpu = a.value(QStringLiteral("resources"))
                                    .toObject()
                                    .value(QStringLiteral("generatorCpuPct"))
                                    .toObject();
        const bool isSaturated = a.value(QStringLiteral("saturated")).toBool();
        saturated += isSaturated ? 1 : 0;
        rps += a.value(QStringLiteral("throughputRps")).toDouble();
        const double rss = cpu.value(QStringLiteral("peakRssBytes")).toDouble();
        const QString dash = QStringLiteral("–");
        m_table->setItem(row, SegmentColumn,
                         cell(a.value(QStringLiteral("segment")).toString(), false));
        m_table->setItem(row, HostColumn, cell(a.value(QStringLiteral("host")).toString(), false));
        m_table->setItem(
            row, RequestsColumn,
            cell(locale.toString(a.value(QStringLiteral("requests")).toInteger()), true));
        m_table->setItem(
            row, ErrorsColumn,
            cell(locale.toString(a.value(QStringLiteral("errors")).toInteger()), true));
        m_table->setItem(
            row, ThroughputColumn,
            cell(locale.toString(a.value(QStringLiteral("throughputRps")).toDouble(), 'f', 1),
                 true));
        m_table->setItem(
            row, CpuColumn,
            cell(cpu.isEmpty() ? dash
                               : QStringLiteral("%1 % / %2 %")
                                     .arg(locale.toString(
                                              cpu.value(QStringLiteral("avg")).toDouble(), 'f', 0),
                                          locale.toString(
                                              cpu.value(QStringLiteral("max")).toDouble(), 'f', 0)),
                 true));
        m_table->setItem(row, RssColumn,
                         cell(rss > 0 ? locale.formattedDataSize(qint64(rss)) : dash, true));
        // Not saturated, but its own result calls its figures untrustworthy (its node busy with
        // other work, dropped iterations): said apart, so an idle agent is not called saturated.
        const bool doubtful = !isSaturated && a.value(QStringLiteral("untrustworthy")).toBool();
        QTableWidgetItem *sat = cell(isSaturated ? tr("yes")
                                     : doubtful  ? tr("no; untrustworthy")
                                                 : tr("no"),
                                     false);
        if (isSaturated)
            sat->setToolTip(tr("This agent's generator was the bottleneck"));
        else if (doubtful)
            sat->setToolTip(tr("This agent's generator was not the bottleneck, but its own result "
                               "says its figures are not trustworthy (see its recommendations)"));
        m_table->setItem(row, SaturatedColumn, sat);
    }
    m_heading->setText(tr("Agents: %1, %2 req/s together%3")
                           .arg(QString::number(agents.size()), locale.toString(rps, 'f', 1),
                                saturated > 0 ? tr(", %1 saturated").arg(saturated) : QString()));
    // Tall enough for every row without an inner scroll bar up to a handful of agents.
    const int rows = std::min<int>(int(agents.size()), 8);
    m_table->setFixedHeight(m_table->horizontalHeader()->sizeHint().height() +
                            rows * m_table->verticalHeader()->defaultSectionSize() +
                            2 * m_table->frameWidth() +
                            // room for the horizontal scroll bar a narrow column needs
                            m_table->horizontalScrollBar()->sizeHint().height());
}

int AgentsPanel::agentCount() const
{
    return m_table->rowCount();
}

} // namespace loadscope
