#include "runlooppanel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "design/formwidgets.h"
#include "session/changelog.h"
#include "session/schedule.h"
#include "store/historystore.h"

namespace loadscope {

namespace {

//! "#3 → #4: p95 -12.0 % (p=0.01), throughput +4.0 %, improvement", or why there is no effect.
QString effectText(const ChangeEffect &effect)
{
    if (effect.measured.isEmpty())
        return effect.afterId == 0 ? RunLoopPanel::tr("no completed run since")
                                   : RunLoopPanel::tr("no completed run before");
    const auto delta = [&effect](const char *key) {
        return formatDeltaPercent(effect.measured.value(QLatin1String(key)).toObject());
    };
    return RunLoopPanel::tr("#%1 → #%2: p95 %3, throughput %4, %5")
        .arg(effect.beforeId)
        .arg(effect.afterId)
        .arg(delta("p95"), delta("throughput"),
             effect.measured.value(QLatin1String("verdict")).toString());
}

QString stateText(const RecommendationFollowUp &f)
{
    if (f.state == QLatin1String("applied"))
        return RunLoopPanel::tr("applied in #%1").arg(f.appliedResultId);
    if (f.state == QLatin1String("dismissed"))
        return f.reason.isEmpty() ? RunLoopPanel::tr("dismissed")
                                  : RunLoopPanel::tr("dismissed: %1").arg(f.reason);
    return RunLoopPanel::tr("open");
}

} // namespace

RunLoopPanel::RunLoopPanel(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addWidget(sectionLabel(tr("Change log of this test"), this));
    m_notes = new QListWidget(this);
    m_notes->setObjectName(QStringLiteral("changeLog"));
    m_notes->setMinimumHeight(70);
    m_notes->setMaximumHeight(130);
    m_notes->setWordWrap(true);
    layout->addWidget(m_notes);
    auto *noteRow = new QHBoxLayout;
    m_noteEdit = new QLineEdit(this);
    m_noteEdit->setObjectName(QStringLiteral("noteEdit"));
    m_noteEdit->setPlaceholderText(tr("What changed before this run, e.g. \"pool size 50\""));
    m_add = new QPushButton(tr("Add note"), this);
    m_add->setObjectName(QStringLiteral("addNote"));
    m_edit = new QPushButton(tr("Edit"), this);
    m_edit->setToolTip(tr("Replace the selected note with the text in the field"));
    m_delete = new QPushButton(tr("Delete"), this);
    noteRow->addWidget(m_noteEdit, 1);
    noteRow->addWidget(m_add);
    noteRow->addWidget(m_edit);
    noteRow->addWidget(m_delete);
    layout->addLayout(noteRow);

    layout->addWidget(sectionLabel(tr("Recommendations of this test (critical first)"), this));
    m_recommendations = new QTreeWidget(this);
    m_recommendations->setObjectName(QStringLiteral("recommendations"));
    m_recommendations->setRootIsDecorated(false);
    m_recommendations->setHeaderLabels(
        {tr("Impact"), tr("Recommendation"), tr("Run"), tr("State"), tr("Estimate / measured")});
    m_recommendations->setMinimumHeight(90);
    m_recommendations->setMaximumHeight(150);
    m_recommendations->header()->setStretchLastSection(true);
    fitColumnsToWidth(m_recommendations); // a narrow details pane elides, never scrolls sideways
    layout->addWidget(m_recommendations);
    auto *stateRow = new QHBoxLayout;
    m_applied = new QPushButton(tr("Applied in this run"), this);
    m_applied->setToolTip(
        tr("This run tests the recommendation: its gain is measured against the run it came from"));
    m_reasonEdit = new QLineEdit(this);
    m_reasonEdit->setPlaceholderText(tr("Reason to dismiss"));
    m_dismiss = new QPushButton(tr("Dismiss"), this);
    m_reopen = new QPushButton(tr("Reopen"), this);
    stateRow->addWidget(m_applied);
    stateRow->addWidget(m_reasonEdit, 1);
    stateRow->addWidget(m_dismiss);
    stateRow->addWidget(m_reopen);
    layout->addLayout(stateRow);
    m_schedule = hintLabel(QString(), this);
    m_schedule->setObjectName(QStringLiteral("schedule"));
    m_schedule->setWordWrap(true);
    layout->addWidget(m_schedule);
    m_status = hintLabel(QString(), this);
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    connect(m_add, &QPushButton::clicked, this, [this] { addNote(m_noteEdit->text()); });
    connect(m_noteEdit, &QLineEdit::returnPressed, this, [this] { addNote(m_noteEdit->text()); });
    connect(m_edit, &QPushButton::clicked, this, &RunLoopPanel::editSelectedNote);
    connect(m_delete, &QPushButton::clicked, this, &RunLoopPanel::deleteSelectedNote);
    connect(m_applied, &QPushButton::clicked, this,
            [this] { setSelectedRecommendationState(QStringLiteral("applied")); });
    connect(m_dismiss, &QPushButton::clicked, this,
            [this] { setSelectedRecommendationState(QStringLiteral("dismissed")); });
    connect(m_reopen, &QPushButton::clicked, this,
            [this] { setSelectedRecommendationState(QStringLiteral("open")); });
    connect(m_notes, &QListWidget::itemSelectionChanged, this, [this] {
        const QListWidgetItem *item = m_notes->currentItem();
        if (item && item->data(IdRole).toLongLong() > 0)
            m_noteEdit->setText(item->data(Qt::UserRole + 2).toString());
        updateButtons();
    });
    connect(m_recommendations, &QTreeWidget::itemSelectionChanged, this,
            &RunLoopPanel::updateButtons);
    updateButtons();
}

QString RunLoopPanel::statusText() const
{
    return m_status->text();
}

QString RunLoopPanel::scheduleText() const
{
    return m_schedule->text();
}

void RunLoopPanel::showRun(qint64 resultId, qint64 testId)
{
    m_resultId = resultId;
    m_testId = testId;
    m_status->clear();
    refresh();
}

void RunLoopPanel::refresh()
{
    m_notes->clear();
    m_recommendations->clear();
    m_schedule->clear();
    if (m_store && m_testId > 0) {
        // The schedule as `schedule list` shows it: the units are its only record.
        const auto test = m_store->test(m_testId);
        const QList<std::pair<QString, Schedule>> schedules = installedSchedules();
        QString schedule = tr("Not scheduled (loadscope-cli schedule add TEST --every=daily).");
        for (const auto &[unit, s] : schedules) {
            if (test && s.test == test->name)
                schedule = tr("Scheduled %1 (%2); last scheduled run: %3")
                               .arg(describeSchedule(s), unit, lastScheduledRun(*m_store, s.test));
        }
        m_schedule->setText(schedule);
        const QList<ChangeEffect> effects = changeEffects(*m_store, m_testId);
        for (const ChangeEffect &effect : effects) {
            const Annotation &a = effect.annotation;
            QString where = a.resultId > 0
                                ? tr("on #%1").arg(a.resultId)
                                : a.at.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"));
            if (!a.author.isEmpty())
                where += QStringLiteral(", ") + a.author;
            auto *item = new QListWidgetItem(
                QStringLiteral("%1 (%2)\n    %3").arg(a.note, where, effectText(effect)), m_notes);
            item->setData(IdRole, a.id);
            item->setData(Qt::UserRole + 2, a.note);
            if (!a.link.isEmpty())
                item->setToolTip(a.link);
            if (a.resultId == m_resultId) {
                QFont font = item->font();
                font.setBold(true);
                item->setFont(font);
            }
        }
        if (effects.isEmpty())
            new QListWidgetItem(tr("No changes noted yet."), m_notes);
        const QList<RecommendationFollowUp> followUps =
            m_store->testRecommendations(m_testId, false);
        for (const RecommendationFollowUp &f : followUps) {
            auto *item = new QTreeWidgetItem(m_recommendations,
                                             {f.recommendation.impact, f.recommendation.title,
                                              u'#' + QString::number(f.resultId), stateText(f),
                                              estimateBesideMeasurement(f)});
            item->setData(0, IdRole, f.recommendation.id);
            item->setToolTip(1, f.recommendation.detail);
            item->setToolTip(4, item->text(4));
        }
        m_recommendations->resizeColumnToContents(0);
    }
    updateButtons();
}

void RunLoopPanel::updateButtons()
{
    const bool stored = m_store && m_resultId > 0;
    const QListWidgetItem *note = m_notes->currentItem();
    const bool noteSelected =
        stored && note && note->isSelected() && note->data(IdRole).toLongLong() > 0;
    m_add->setEnabled(stored);
    m_edit->setEnabled(noteSelected);
    m_delete->setEnabled(noteSelected);
    const bool recommendation = stored && m_recommendations->currentItem();
    m_applied->setEnabled(recommendation);
    m_dismiss->setEnabled(recommendation);
    m_reopen->setEnabled(recommendation);
}

bool RunLoopPanel::fail(const QString &message)
{
    m_status->setText(message);
    return false;
}

bool RunLoopPanel::addNote(const QString &note)
{
    if (!m_store || m_resultId <= 0)
        return fail(tr("No stored run to annotate."));
    if (note.trimmed().isEmpty())
        return fail(tr("Type what changed first."));
    Annotation annotation;
    annotation.testId = m_testId;
    annotation.resultId = m_resultId;
    annotation.note = note;
    annotation.author = qEnvironmentVariable("USER");
    if (m_store->addAnnotation(annotation) <= 0)
        return fail(tr("Could not add the note: %1").arg(m_store->lastError()));
    m_noteEdit->clear();
    return written(tr("Noted on run #%1.").arg(m_resultId));
}

qint64 RunLoopPanel::selectedNoteId() const
{
    const QListWidgetItem *item = m_notes->currentItem();
    return m_store && item ? item->data(IdRole).toLongLong() : 0;
}

bool RunLoopPanel::written(const QString &status)
{
    m_status->setText(status);
    refresh();
    emit changed();
    return true;
}

bool RunLoopPanel::editSelectedNote()
{
    const qint64 id = selectedNoteId();
    if (id <= 0)
        return fail(tr("Select a note to edit."));
    if (!m_store->setAnnotationNote(id, m_noteEdit->text()))
        return fail(tr("Could not edit the note: %1").arg(m_store->lastError()));
    m_noteEdit->clear();
    return written(tr("Note edited."));
}

bool RunLoopPanel::deleteSelectedNote()
{
    const qint64 id = selectedNoteId();
    if (id <= 0)
        return fail(tr("Select a note to delete."));
    if (!m_store->removeAnnotation(id))
        return fail(tr("Could not delete the note: %1").arg(m_store->lastError()));
    return written(tr("Note deleted."));
}

bool RunLoopPanel::setSelectedRecommendationState(const QString &state)
{
    const QTreeWidgetItem *item = m_recommendations->currentItem();
    const qint64 id = item ? item->data(0, IdRole).toLongLong() : 0;
    if (!m_store || id <= 0)
        return fail(tr("Select a recommendation first."));
    const auto followUp = m_store->recommendationFollowUp(id);
    if (!followUp)
        return fail(tr("There is no recommendation #%1.").arg(id));
    qint64 applied = 0;
    QString reason;
    QJsonObject measured;
    if (state == QLatin1String("applied")) {
        if (followUp->resultId == m_resultId)
            return fail(tr("Select the later run that tests the change, not run #%1 it came "
                           "from.")
                            .arg(m_resultId));
        applied = m_resultId;
        // The same measurement as `history recommendation ID --applied-in=RUN`.
        QString error;
        measured = measuredChange(*m_store, followUp->resultId, applied, &error);
        if (measured.isEmpty())
            return fail(tr("Could not measure the gain: %1").arg(error));
    } else if (state == QLatin1String("dismissed")) {
        reason = m_reasonEdit->text().trimmed();
        if (reason.isEmpty())
            return fail(tr("Give a reason to dismiss it."));
    }
    if (!m_store->setRecommendationState(id, state, applied, reason, measured))
        return fail(tr("Could not change the state: %1").arg(m_store->lastError()));
    m_reasonEdit->clear();
    const auto updated = m_store->recommendationFollowUp(id);
    return written(updated ? QStringLiteral("%1: %2 — %3")
                                 .arg(updated->recommendation.title, stateText(*updated),
                                      estimateBesideMeasurement(*updated))
                           : QString());
}

} // namespace loadscope
