#include "plotstyle.h"

#include <QApplication>

namespace loadscope {

namespace {

QColor mix(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * t),
                            float(a.greenF() + (b.greenF() - a.greenF()) * t),
                            float(a.blueF() + (b.blueF() - a.blueF()) * t));
}

//! Re-colours a plot when the application palette changes (View ▸ Theme): QCustomPlot's
//! axes, grids and legends keep the colours they were given.
class PaletteFollower final : public QObject
{
public:
    explicit PaletteFollower(QCustomPlot *plot)
        : QObject(plot)
    {
        plot->installEventFilter(this);
    }

    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::PaletteChange) {
            auto *plot = static_cast<QCustomPlot *>(watched);
            applyPlotColors(plot);
            plot->replot(QCustomPlot::rpQueuedReplot);
        }
        return false;
    }
};

} // namespace

QColor seriesColor(int index)
{
    // Mid-lightness colours that read on a white and on a near-black background alike.
    static const QColor colors[] = {QColor(0x3a, 0x7b, 0xe0), QColor(0xe8, 0x87, 0x1e),
                                    QColor(0x2e, 0xa8, 0x64), QColor(0xd9, 0x48, 0x3b),
                                    QColor(0x9b, 0x5c, 0xc8), QColor(0x1a, 0xb0, 0x9a)};
    return colors[index % int(std::size(colors))];
}

QColor neutralSeriesColor(const QPalette &palette)
{
    return mix(palette.color(QPalette::Base), palette.color(QPalette::Text), 0.55);
}

void applyPlotColors(QCustomPlot *plot)
{
    const QPalette palette = plot->palette();
    const QColor base = palette.color(QPalette::Base);
    const QColor text = palette.color(QPalette::Text);
    plot->setBackground(base);
    plot->axisRect()->setBackground(base);
    const QColor gridColor = mix(base, text, 0.12);
    const QColor axisColor = mix(base, text, 0.45);
    for (QCPAxis *axis : plot->axisRect()->axes()) {
        axis->grid()->setPen(QPen(gridColor, 1));
        axis->grid()->setZeroLinePen(QPen(gridColor, 1));
        axis->setBasePen(QPen(axisColor, 1));
        axis->setTickPen(QPen(axisColor, 1));
        axis->setTickLabelColor(text);
        axis->setLabelColor(text);
    }
    plot->legend->setTextColor(text);
    QColor legendBrush = base;
    legendBrush.setAlpha(220);
    if (plot->legend->brush().style() != Qt::NoBrush)
        plot->legend->setBrush(legendBrush);
    if (plot->legend->borderPen().style() != Qt::NoPen)
        plot->legend->setBorderPen(QPen(gridColor));
}

void applyPlotStyle(QCustomPlot *plot)
{
    QFont font = QApplication::font();
    QFont small = font;
    small.setPointSizeF(font.pointSizeF() * 0.9);
    for (QCPAxis *axis : plot->axisRect()->axes()) {
        axis->setSubTickPen(Qt::NoPen);
        axis->setTickLabelFont(small);
        axis->setLabelFont(font);
    }
    plot->legend->setFont(small);
    applyPlotColors(plot);
    const QString follower = QStringLiteral("paletteFollower");
    if (!plot->findChild<QObject *>(follower, Qt::FindDirectChildrenOnly))
        (new PaletteFollower(plot))->setObjectName(follower);
}

QCPGraph *addStyledGraph(QCustomPlot *plot, int index, QCPAxis *valueAxis, bool fill)
{
    QCPGraph *graph = plot->addGraph(plot->xAxis, valueAxis ? valueAxis : plot->yAxis);
    QColor color = seriesColor(index);
    graph->setPen(QPen(color, 2));
    if (fill) {
        color.setAlpha(40);
        graph->setBrush(color);
    }
    return graph;
}

void placeLegendOnTop(QCustomPlot *plot)
{
    plot->legend->setVisible(true);
    plot->axisRect()->insetLayout()->take(plot->legend);
    plot->plotLayout()->insertRow(0);
    plot->plotLayout()->addElement(0, 0, plot->legend);
    plot->plotLayout()->setRowStretchFactor(0, 0.001);
    plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    plot->legend->setBorderPen(Qt::NoPen);
    plot->legend->setBrush(Qt::NoBrush);
    plot->legend->setMargins(QMargins(0, 0, 0, 0));
}

} // namespace loadscope
