#pragma once

#include <QAction>
#include <QApplication>
#include <QFile>
#include <QFileDialog>
#include <QImage>
#include <QLineEdit>
#include <QTimer>
#include <QWidget>

// Saves a chart the way a user does: its context-menu action "Save as PNG…"/"Save as PDF…",
// then the file dialog answered with a path. Used by the Compare and History tests.

namespace loadscope::test {

//! Triggers @p chart's action @p actionName (saveAsPng or saveAsPdf) and picks @p path in the
//! file dialog it opens; false when there is no such action.
inline bool saveChartThroughMenu(QWidget *chart, const char *actionName, const QString &path)
{
    auto *action = chart->findChild<QAction *>(QLatin1String(actionName));
    if (!action || !chart->actions().contains(action) ||
        chart->contextMenuPolicy() != Qt::ActionsContextMenu)
        return false;
    QTimer answer;
    QObject::connect(&answer, &QTimer::timeout, &answer, [&answer, path] {
        if (auto *dialog = qobject_cast<QFileDialog *>(QApplication::activeModalWidget())) {
            answer.stop();
            dialog->selectFile(path);
            // The widget dialog puts its initial file name ("loadscope-chart.png") into its name
            // field once its directory has loaded, which may come after selectFile(): what
            // accept() reads is that field, so it gets the path too.
            if (auto *name = dialog->findChild<QLineEdit *>(QStringLiteral("fileNameEdit")))
                name->setText(path);
            static_cast<QDialog *>(dialog)->accept(); // public in QDialog, virtual
        }
    });
    answer.start(10);
    action->trigger();
    return true;
}

//! True when @p path is a PNG at least @p minWidth wide and not of one colour only.
inline bool isDrawnPng(const QString &path, int minWidth = 400)
{
    const QImage image(path, "PNG");
    if (image.isNull() || image.width() < minWidth)
        return false;
    const QRgb first = image.pixel(0, 0);
    for (int y = 0; y < image.height(); y += 3) {
        for (int x = 0; x < image.width(); x += 3) {
            if (image.pixel(x, y) != first)
                return true;
        }
    }
    return false;
}

//! True when @p path holds a PDF document with some content.
inline bool isPdf(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) && file.size() > 500 && file.read(5) == "%PDF-";
}

} // namespace loadscope::test
