// History ▸ Clean up…: prune old runs and vacuum the file, as `loadscope-cli history prune`
// and `history vacuum` do; kept apart from the place's layout code.
#include <QApplication>
#include <QCheckBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "history/historyplace.h"
#include "history/resultstablemodel.h"
#include "store/historystore.h"

namespace loadscope {

int HistoryPlace::cleanUp(const PruneRequest &request)
{
    if (!m_store || !m_store->isOpen())
        return -1;
    QApplication::setOverrideCursor(Qt::WaitCursor);
    const auto deleted = m_store->prune(request);
    qint64 before = 0;
    qint64 after = 0;
    const bool vacuumed = deleted && m_store->vacuum(&before, &after);
    QApplication::restoreOverrideCursor();
    if (!deleted || !vacuumed) {
        fail(tr("Cleaning up the history failed: %1").arg(m_store->lastError()));
        if (!deleted)
            return -1;
    }
    m_model->clearVerdicts(); // baselines may have gone with the deleted runs
    reload();
    return int(deleted->size());
}

int HistoryPlace::cleanUp()
{
    if (!m_store || !m_store->isOpen())
        return -1;
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Clean up the history"));
    auto *layout = new QVBoxLayout(&dialog);
    auto *form = new QFormLayout;
    auto *keep = new QCheckBox(tr("Keep only the newest"), &dialog);
    auto *keepCount = new QSpinBox(&dialog);
    keepCount->setRange(0, 1000000);
    keepCount->setValue(100);
    keepCount->setSuffix(tr(" runs of each test"));
    auto *older = new QCheckBox(tr("Delete runs older than"), &dialog);
    auto *olderDays = new QSpinBox(&dialog);
    olderDays->setRange(1, 100000);
    olderDays->setValue(90);
    olderDays->setSuffix(tr(" days"));
    keep->setChecked(true);
    form->addRow(keep, keepCount);
    form->addRow(older, olderDays);
    auto *pinned = new QCheckBox(tr("Delete pinned baselines too"), &dialog);
    pinned->setToolTip(tr("Pinned baselines are kept unless this is checked"));
    form->addRow(pinned);
    layout->addLayout(form);
    auto *preview = new QLabel(&dialog);
    preview->setWordWrap(true);
    layout->addWidget(preview);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, &dialog);
    QPushButton *apply = buttons->addButton(tr("Delete and compact"), QDialogButtonBox::AcceptRole);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);

    const auto request = [&] {
        PruneRequest r;
        if (keep->isChecked())
            r.keepNewest = keepCount->value();
        if (older->isChecked())
            r.olderThan = QDateTime::currentDateTimeUtc().addDays(-olderDays->value());
        r.includePinned = pinned->isChecked();
        return r;
    };
    // What would go, counted by the same query that deletes (a read, no write).
    const auto update = [&] {
        const PruneRequest r = request();
        const bool any = r.keepNewest.has_value() || r.olderThan.isValid();
        const qsizetype count = any ? m_store->pruneCandidates(r).size() : 0;
        const StoreStats stats = m_store->stats();
        preview->setText(any ? tr("%1 of %2 runs will be deleted with their samples; the file "
                                  "(%3 MB) is compacted afterwards.")
                                   .arg(count)
                                   .arg(stats.runs)
                                   .arg(double(stats.bytes) / 1048576.0, 0, 'f', 1)
                             : tr("Choose what to delete."));
        apply->setEnabled(count > 0);
    };
    for (QCheckBox *box : {keep, older, pinned})
        connect(box, &QCheckBox::toggled, &dialog, update);
    for (QSpinBox *box : {keepCount, olderDays})
        connect(box, &QSpinBox::valueChanged, &dialog, update);
    update();
    if (dialog.exec() != QDialog::Accepted)
        return 0;
    return cleanUp(request());
}

} // namespace loadscope
