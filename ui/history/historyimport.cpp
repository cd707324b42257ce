// HistoryPlace's import of other tools' result files (File ▸ Import results…, drop on the
// place), apart from historyplace.cpp to keep that file short.
#include <atomic>

#include <QApplication>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileInfo>
#include <QMimeData>
#include <QProgressDialog>
#include <QThread>

#include "history/historyplace.h"
#include "interop/resultimport.h"
#include "store/historystore.h"

namespace loadscope {

QStringList HistoryPlace::importFiles(const QStringList &paths)
{
    Q_ASSERT(QThread::currentThread() == thread());
    QStringList lines;
    qint64 last = 0;
    std::atomic<bool> cancel{false};
    for (const QString &path : paths) {
        // Shown only when a file takes more than half a second; Cancel stores nothing of it.
        QProgressDialog progress(tr("Importing %1…").arg(QFileInfo(path).fileName()), tr("Cancel"),
                                 0, 1000, this);
        progress.setWindowModality(Qt::WindowModal);
        progress.setMinimumDuration(500);
        ResultImportOptions options;
        options.cancel = &cancel;
        options.progress = [&progress, &cancel](qint64 done, qint64 total) {
            if (total > 0)
                progress.setValue(int(std::min<qint64>(999, done * 1000 / total)));
            if (progress.wasCanceled())
                cancel = true;
        };
        const ImportReport report = importResultFile(*m_store, path, options);
        progress.reset();
        lines << report.summaryLine();
        if (report.ok)
            last = report.resultId;
        else if (!report.cancelled)
            fail(report.error);
        if (report.cancelled)
            break;
    }
    reload();
    if (last > 0)
        selectResult(last);
    return lines;
}

void HistoryPlace::dragEnterEvent(QDragEnterEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (!urls.isEmpty() &&
        std::all_of(urls.cbegin(), urls.cend(), [](const QUrl &url) { return url.isLocalFile(); }))
        event->acceptProposedAction();
}

void HistoryPlace::dropEvent(QDropEvent *event)
{
    QStringList paths;
    for (const QUrl &url : event->mimeData()->urls())
        paths << url.toLocalFile();
    event->acceptProposedAction();
    importFiles(paths);
}

} // namespace loadscope
