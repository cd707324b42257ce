#include "plotstyle.h"

#include <QApplication>

namespace loadscope {

QColor seriesColor(int index)
{
    static const QColor colors[] = {QColor(0x2a, 0x6f, 0xdb), QColor(0xe6, 0x7e, 0x22),
                                    QColor(0x2e, 0x9e, 0x5b), QColor(0xc0, 0x39, 0x2b),
                                    QColor(0x8e, 0x44, 0xad), QColor(0x16, 0xa0, 0x85)};
    return colors[index % int(std::size(colors))];
}

void applyPlotStyle(QCustomPlot *plot)
{
    const QPalette palette = plot->palette();
    plot->setBackground(palette.base());
    plot->axisRect()->setBackground(palette.base());
    const QColor gridColor(0xe6, 0xe6, 0xe6);
    const QColor axisColor(0x80, 0x80, 0x80);
    QFont font = QApplication::font();
    QFont small = font;
    small.setPointSizeF(font.pointSizeF() * 0.9);
    for (QCPAxis *axis : plot->axisRect()->axes()) {
        axis->grid()->setPen(QPen(gridColor, 1));
        axis->grid()->setZeroLinePen(QPen(gridColor, 1));
        axis->setBasePen(QPen(axisColor, 1));
        axis->setTickPen(QPen(axisColor, 1));
        axis->setSubTickPen(Qt::NoPen);
        axis->setTickLabelColor(palette.color(QPalette::Text));
        axis->setLabelColor(palette.color(QPalette::Text));
        axis->setTickLabelFont(small);
        axis->setLabelFont(font);
    }
    plot->legend->setFont(small);
    plot->legend->setBrush(QColor(255, 255, 255, 220));
    plot->legend->setBorderPen(QPen(gridColor));
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
