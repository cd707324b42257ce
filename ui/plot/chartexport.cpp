#include "chartexport.h"

#include <algorithm>

#include <QAction>
#include <QChartView>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMessageBox>
#include <QPainter>
#include <QPdfWriter>

#include "plot/plotstyle.h"

namespace loadscope {

namespace {

bool isPdf(const QString &path)
{
    return QFileInfo(path).suffix().compare(QLatin1String("pdf"), Qt::CaseInsensitive) == 0;
}

QString cannotWrite(const QString &path)
{
    return QObject::tr("could not write %1").arg(path);
}

//! The action that asks for a file name with @p suffix and saves there.
QAction *saveAction(QWidget *parent, const QString &suffix, const ChartSaveFunction &save)
{
    auto *action = new QAction(QObject::tr("Save as %1…").arg(suffix.toUpper()), parent);
    action->setObjectName(QStringLiteral("saveAs") + suffix.left(1).toUpper() + suffix.mid(1));
    QObject::connect(action, &QAction::triggered, parent, [parent, suffix, save] {
        const QString path = QFileDialog::getSaveFileName(
            parent, QObject::tr("Save chart"), QStringLiteral("loadscope-chart.") + suffix,
            QObject::tr("%1 files (*.%2)").arg(suffix.toUpper(), suffix));
        QString error;
        if (!path.isEmpty() && !save(path, &error))
            QMessageBox::warning(parent, QObject::tr("Save chart"), error);
    });
    return action;
}

} // namespace

bool savePlot(QCustomPlot *plot, const QString &path, QString *error)
{
    const int width = std::max(plot->width(), 800);
    const int height = std::max(plot->height(), 400);
    const bool ok =
        isPdf(path) ? plot->savePdf(path, width, height) : plot->savePng(path, width, height);
    if (!ok && error)
        *error = cannotWrite(path);
    return ok;
}

bool saveChartView(QChartView *view, const QString &path, QString *error)
{
    const QSize size(std::max(view->width(), 400), std::max(view->height(), 400));
    bool ok = false;
    if (isPdf(path)) {
        QPdfWriter writer(path);
        writer.setResolution(96);
        writer.setPageSize(QPageSize(QSizeF(size), QPageSize::Point));
        writer.setPageMargins(QMarginsF());
        QPainter painter;
        // A QPainter on a QPdfWriter whose file cannot be opened fails to begin.
        if (painter.begin(&writer)) {
            view->render(&painter,
                         QRectF(QPointF(), writer.pageLayout().paintRectPixels(96).size()),
                         view->rect());
            ok = painter.end();
        }
    } else {
        QPixmap pixmap(size);
        pixmap.fill(view->palette().base().color());
        QPainter painter(&pixmap);
        view->render(&painter, QRectF(QPointF(), QSizeF(size)), view->rect());
        painter.end();
        ok = pixmap.save(path, "PNG");
    }
    if (!ok && error)
        *error = cannotWrite(path);
    return ok;
}

void addSaveAsActions(QMenu *menu, QWidget *parent, const ChartSaveFunction &save)
{
    menu->addAction(saveAction(parent, QStringLiteral("png"), save));
    menu->addAction(saveAction(parent, QStringLiteral("pdf"), save));
}

void installSaveAsMenu(QWidget *chart, const ChartSaveFunction &save)
{
    // The widget's own actions make its context menu, and tests can find them by name.
    chart->addAction(saveAction(chart, QStringLiteral("png"), save));
    chart->addAction(saveAction(chart, QStringLiteral("pdf"), save));
    chart->setContextMenuPolicy(Qt::ActionsContextMenu);
}

void installSaveAsMenu(QCustomPlot *plot)
{
    installSaveAsMenu(
        plot, [plot](const QString &path, QString *error) { return savePlot(plot, path, error); });
}

void installSaveAsMenu(QChartView *view)
{
    installSaveAsMenu(view, [view](const QString &path, QString *error) {
        return saveChartView(view, path, error);
    });
}

} // namespace loadscope
