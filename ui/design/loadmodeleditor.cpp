#include "loadmodeleditor.h"

#include <algorithm>

#include <QBoxLayout>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QRegularExpression>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include "design/durationedit.h"
#include "design/formwidgets.h"
#include "plan/duration.h"
#include "plot/plotstyle.h"

namespace loadscope {

namespace {

QSpinBox *intSpin(QWidget *parent, int minimum, int maximum)
{
    auto *spin = new QSpinBox(parent);
    spin->setRange(minimum, maximum);
    spin->setAccelerated(true);
    spin->setMinimumWidth(84);
    return spin;
}

QDoubleSpinBox *rateSpin(QWidget *parent)
{
    auto *spin = new QDoubleSpinBox(parent);
    spin->setRange(0, 1e7);
    spin->setDecimals(2);
    spin->setAccelerated(true);
    spin->setMinimumWidth(84);
    return spin;
}

} // namespace

LoadModelEditor::LoadModelEditor(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    // Form and stages side by side when the column is wide enough, else one above the other
    // (resizeEvent), so a narrow Design column never scrolls sideways.
    m_fields = new QBoxLayout(QBoxLayout::LeftToRight);
    auto *fields = m_fields;
    m_form = new QFormLayout;
    m_form->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
    m_executor = new QComboBox(this);
    for (const auto executor : {Executor::ConstantVus, Executor::RampingVus,
                                Executor::ConstantArrivalRate, Executor::RampingArrivalRate})
        m_executor->addItem(executorName(executor), int(executor));
    // Narrow enough for the Design column at 1024 px: "ramping-arrival-rate" elides there.
    m_executor->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_executor->setMinimumContentsLength(9);
    m_executor->setToolTip(tr("k6 executor: closed models run a number of virtual users, open "
                              "models start iterations at a rate"));
    m_vus = intSpin(this, 0, 1000000);
    m_duration = new DurationEdit(this);
    m_rate = rateSpin(this);
    m_timeUnit = new DurationEdit(this);
    m_preAllocated = intSpin(this, 0, 1000000);
    m_maxVus = intSpin(this, 0, 1000000);
    m_startVus = intSpin(this, 0, 1000000);
    m_startRate = rateSpin(this);
    m_gracefulRampDown = new DurationEdit(this);
    m_gracefulStop = new DurationEdit(this);
    for (DurationEdit *edit : {m_duration, m_timeUnit, m_gracefulRampDown, m_gracefulStop})
        edit->setFixedWidth(84);

    m_form->addRow(tr("Executor"), m_executor);
    m_form->addRow(tr("VUs"), m_vus);
    m_form->addRow(tr("Start VUs"), m_startVus);
    m_form->addRow(tr("Rate"), m_rate);
    m_form->addRow(tr("Start rate"), m_startRate);
    m_form->addRow(tr("Time unit"), m_timeUnit);
    m_form->addRow(tr("Duration"), m_duration);
    // Short labels keep the form narrow (1024 px); the tooltips give k6's names.
    m_form->addRow(tr("Pre-allocated"), m_preAllocated);
    m_preAllocated->setToolTip(tr("preAllocatedVUs: virtual users started before the run"));
    m_form->addRow(tr("Max VUs"), m_maxVus);
    m_form->addRow(tr("Ramp-down"), m_gracefulRampDown);
    m_gracefulRampDown->setToolTip(tr("gracefulRampDown: time a VU has to finish its iteration "
                                      "when the stage lowers the VUs"));
    m_form->addRow(tr("Graceful stop"), m_gracefulStop);
    fields->addLayout(m_form);

    m_stagesBox = new QWidget(this);
    auto *stagesLayout = new QVBoxLayout(m_stagesBox);
    stagesLayout->setContentsMargins(0, 0, 0, 0);
    m_stages = makeTable({tr("Duration"), tr("Target")}, m_stagesBox);
    m_stages->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_stages->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_stages->setMinimumWidth(200);
    stagesLayout->addWidget(sectionLabel(tr("Stages"), m_stagesBox));
    stagesLayout->addWidget(m_stages, 1);
    stagesLayout->addLayout(addRemoveRow(
        m_stagesBox, m_stages,
        [this] {
            const Stage last = m_load.stages.isEmpty() ? Stage{30000, 10} : m_load.stages.last();
            addStageRow(last);
            readWidgets();
        },
        [this] { readWidgets(); }));
    fields->addWidget(m_stagesBox, 1);
    layout->addLayout(fields);

    m_plot = new QCustomPlot(this);
    m_plot->setMinimumHeight(170);
    m_plot->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    applyPlotStyle(m_plot);
    addStyledGraph(m_plot, 0, nullptr, true);
    m_plot->xAxis->setLabel(tr("time (s)"));
    layout->addWidget(m_plot, 1);

    connect(m_executor, &QComboBox::currentIndexChanged, this, &LoadModelEditor::readWidgets);
    for (QSpinBox *spin : {m_vus, m_preAllocated, m_maxVus, m_startVus})
        connect(spin, &QSpinBox::valueChanged, this, &LoadModelEditor::readWidgets);
    for (QDoubleSpinBox *spin : {m_rate, m_startRate})
        connect(spin, &QDoubleSpinBox::valueChanged, this, &LoadModelEditor::readWidgets);
    for (DurationEdit *edit : {m_duration, m_timeUnit, m_gracefulRampDown, m_gracefulStop})
        connect(edit, &DurationEdit::durationChanged, this, &LoadModelEditor::readWidgets);
    connect(m_stages, &QTableWidget::itemChanged, this, &LoadModelEditor::readWidgets);

    setLoadModel(LoadModel{});
}

void LoadModelEditor::addStageRow(const Stage &stage)
{
    const QSignalBlocker blocker(m_stages);
    const int row = m_stages->rowCount();
    m_stages->insertRow(row);
    m_stages->setItem(row, 0, new QTableWidgetItem(formatDurationMs(stage.durationMs)));
    m_stages->setItem(row, 1, new QTableWidgetItem(QString::number(stage.target)));
}

void LoadModelEditor::setLoadModel(const LoadModel &load)
{
    m_loading = true;
    m_load = load;
    m_executor->setCurrentIndex(m_executor->findData(int(load.executor)));
    m_vus->setValue(load.vus);
    m_duration->setDurationMs(load.durationMs);
    m_rate->setValue(load.rate);
    m_timeUnit->setDurationMs(load.timeUnitMs);
    m_preAllocated->setValue(load.preAllocatedVus);
    m_maxVus->setValue(load.maxVus);
    m_startVus->setValue(load.startVus);
    m_startRate->setValue(load.startRate);
    m_gracefulRampDown->setDurationMs(load.gracefulRampDownMs);
    m_gracefulStop->setDurationMs(load.gracefulStopMs);
    m_stages->setRowCount(0);
    for (const Stage &stage : load.stages)
        addStageRow(stage);
    m_loading = false;
    updateVisibility();
    updatePreview();
}

void LoadModelEditor::readWidgets()
{
    if (m_loading)
        return;
    LoadModel load = m_load;
    load.executor = Executor(m_executor->currentData().toInt());
    load.vus = m_vus->value();
    load.durationMs = m_duration->durationMs();
    load.rate = m_rate->value();
    load.timeUnitMs = m_timeUnit->durationMs();
    load.preAllocatedVus = m_preAllocated->value();
    load.maxVus = m_maxVus->value();
    load.startVus = m_startVus->value();
    load.startRate = m_startRate->value();
    load.gracefulRampDownMs = m_gracefulRampDown->durationMs();
    load.gracefulStopMs = m_gracefulStop->durationMs();
    load.stages.clear();
    for (int row = 0; row < m_stages->rowCount(); ++row) {
        QTableWidgetItem *durationItem = m_stages->item(row, 0);
        QTableWidgetItem *targetItem = m_stages->item(row, 1);
        QString why;
        const auto ms =
            parseDurationMs(durationItem ? durationItem->text().trimmed() : QString(), &why);
        bool ok = false;
        const double target = targetItem ? targetItem->text().toDouble(&ok) : 0;
        {
            const QSignalBlocker blocker(m_stages);
            if (durationItem) {
                durationItem->setBackground(ms ? QBrush() : QBrush(QColor(0xfd, 0xe2, 0xe1)));
                durationItem->setToolTip(why);
            }
            if (targetItem) {
                targetItem->setBackground(ok ? QBrush() : QBrush(QColor(0xfd, 0xe2, 0xe1)));
                targetItem->setToolTip(ok ? QString() : tr("not a number"));
            }
        }
        // An unreadable cell keeps the stage's previous value so the preview stays sensible.
        const Stage previous = row < m_load.stages.size() ? m_load.stages.at(row) : Stage{};
        load.stages.append({ms.value_or(previous.durationMs), ok ? target : previous.target});
    }
    const bool executorChanged = load.executor != m_load.executor;
    if (load == m_load)
        return;
    m_load = load;
    if (executorChanged)
        updateVisibility();
    updatePreview();
    emit loadEdited();
}

void LoadModelEditor::updateVisibility()
{
    const Executor executor = m_load.executor;
    const bool open = isOpenModel(executor);
    const bool ramping = isRamping(executor);
    m_form->setRowVisible(m_vus, executor == Executor::ConstantVus);
    m_form->setRowVisible(m_startVus, executor == Executor::RampingVus);
    m_form->setRowVisible(m_rate, executor == Executor::ConstantArrivalRate);
    m_form->setRowVisible(m_startRate, executor == Executor::RampingArrivalRate);
    m_form->setRowVisible(m_timeUnit, open);
    m_form->setRowVisible(m_duration, !ramping);
    m_form->setRowVisible(m_preAllocated, open);
    m_form->setRowVisible(m_maxVus, open);
    m_form->setRowVisible(m_gracefulRampDown, executor == Executor::RampingVus);
    m_stagesBox->setVisible(ramping);
    m_stages->horizontalHeaderItem(1)->setText(open ? tr("Target rate") : tr("Target VUs"));
}

void LoadModelEditor::updatePreview()
{
    const bool open = isOpenModel(m_load.executor);
    // Arrival rates are per time unit; the axis shows them per second.
    const double scale = open && m_load.timeUnitMs > 0 ? 1000.0 / double(m_load.timeUnitMs) : 1.0;
    QVector<double> keys;
    QVector<double> values;
    const auto add = [&](qint64 ms) {
        keys.append(double(ms) / 1000.0);
        values.append(m_load.targetAt(ms) * scale);
    };
    // The shape is piecewise linear, so its corners are all the points it needs.
    add(0);
    if (isRamping(m_load.executor)) {
        qint64 at = 0;
        for (const Stage &stage : std::as_const(m_load.stages)) {
            at += stage.durationMs;
            if (stage.durationMs > 0)
                add(at);
        }
    } else {
        add(m_load.totalDurationMs());
    }
    m_plot->graph(0)->setData(keys, values, true);
    m_plot->yAxis->setLabel(open ? tr("iterations/s") : tr("VUs"));
    double top = 0;
    for (const double v : std::as_const(values))
        top = std::max(top, v);
    m_plot->xAxis->setRange(0, std::max(1.0, keys.isEmpty() ? 1.0 : keys.last()));
    m_plot->yAxis->setRange(0, top > 0 ? top * 1.1 : 1.0);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void LoadModelEditor::focusField(const QString &field)
{
    static const QRegularExpression stage(QStringLiteral(R"(^stages\[(\d+)\](?:\.(\w+))?)"));
    const auto match = stage.match(field);
    if (match.hasMatch() || field == QLatin1String("stages")) {
        const int row = match.hasMatch() ? match.captured(1).toInt() : 0;
        if (row < m_stages->rowCount()) {
            m_stages->setCurrentCell(row, match.captured(2) == QLatin1String("target") ? 1 : 0);
        }
        m_stages->setFocus();
        return;
    }
    const QList<QPair<QLatin1String, QWidget *>> fields = {
        {QLatin1String("vus"), m_vus},
        {QLatin1String("duration"), m_duration},
        {QLatin1String("rate"), m_rate},
        {QLatin1String("timeUnit"), m_timeUnit},
        {QLatin1String("preAllocatedVUs"), m_preAllocated},
        {QLatin1String("maxVUs"), m_maxVus},
        {QLatin1String("startVUs"), m_startVus},
        {QLatin1String("startRate"), m_startRate},
        {QLatin1String("gracefulRampDown"), m_gracefulRampDown},
        {QLatin1String("gracefulStop"), m_gracefulStop}};
    for (const auto &[name, widget] : fields) {
        if (field == name) {
            widget->setFocus();
            return;
        }
    }
    m_executor->setFocus();
}

QSize LoadModelEditor::minimumSizeHint() const
{
    // As narrow as the stacked form: a scroll area then hands the editor its viewport's
    // width, and resizeEvent stacks the form and stages where side by side would not fit.
    QSize hint = QWidget::minimumSizeHint();
    const int stacked =
        std::max(m_form->minimumSize().width(), m_stagesBox->minimumSizeHint().width());
    hint.setWidth(std::min(hint.width(), stacked));
    return hint;
}

void LoadModelEditor::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    // The form at its preferred width beside the stages table.
    const int sideBySide =
        m_form->sizeHint().width() + m_fields->spacing() + m_stagesBox->minimumSizeHint().width();
    const auto direction =
        width() >= sideBySide ? QBoxLayout::LeftToRight : QBoxLayout::TopToBottom;
    if (m_fields->direction() != direction)
        m_fields->setDirection(direction);
}

} // namespace loadscope
