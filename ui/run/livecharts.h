#pragma once

#include <array>

#include <QHash>
#include <QList>
#include <QMap>
#include <QVector>
#include <QWidget>

#include "analysis/timelineevents.h"
#include "metrics/runmetrics.h"
#include "plan/testplan.h"

class QCPAbstractItem;
class QCPGraph;
class QCustomPlot;
class QGridLayout;
class QLabel;

namespace loadscope {

//! The Run place's charts (QCustomPlot, x = elapsed seconds): throughput and errors/s,
//! latency percentiles, active VUs against the planned shape, CPU/memory when the samples
//! carry resource figures, and Server-Timing p95 per component when present.
//!
//! It only renders: the owner drains its pending samples (produce, coalesce, drain, render)
//! and hands them over in batches with append(); each batch costs one queued replot, and
//! none while the widget is hidden. Charts zoom and pan with the mouse; the context menu
//! resets the view or saves a chart as PNG or PDF.
class LiveCharts final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LiveCharts)

public:
    enum Chart
    {
        ThroughputChart,
        LatencyChart,
        VusChart,
        ResourcesChart,
        ServerTimingChart,
        ChartCount
    };
    //! The baseline's series drawn under the live ones (setBaseline()).
    enum Ghost
    {
        GhostThroughput, //!< requests/s, on the throughput chart
        GhostErrors,     //!< errors/s, on the throughput chart's right axis
        GhostP95,        //!< p95 ms, on the latency chart
        GhostCount
    };

    explicit LiveCharts(QWidget *parent = nullptr);

    //! Clears every series and draws @p plan's planned load shape; open models get the
    //! corrected p99 series as well.
    void reset(const TestPlan &plan);
    //! Adds a batch of samples to the graphs and schedules one replot (none while hidden).
    void append(const QList<IntervalSample> &samples);
    //! Read-only use: reset(@p plan) then append(@p timeline), with runEvents() as markers.
    void showTimeline(const TestPlan &plan, const RunSummary &summary);
    //! Draws @p timeline (a baseline run's intervals) as thin dashed series at the same elapsed
    //! seconds, whole from the start, so the live run visibly runs above or below it. An empty
    //! timeline removes them. reset() keeps them: call it after reset().
    void setBaseline(const QList<IntervalSample> &timeline, const QString &label);
    QCPGraph *ghostGraph(Ghost ghost) const { return m_ghosts.at(size_t(ghost)); }
    //! Marks @p events on every chart: a vertical line per event, its text as the tooltip.
    void setEvents(const QList<TimelineEvent> &events);
    const QList<TimelineEvent> &events() const { return m_events; }
    //! The tooltip for a point @p x pixels across @p chart: the events within a few pixels.
    QString markerToolTip(Chart chart, double x) const;
    //! The colour of an event kind's markers.
    static QColor eventColor(TimelineEvent::Kind kind);

    QCustomPlot *plot(Chart chart) const { return m_plots.at(size_t(chart)); }
    //! Intervals drawn so far.
    int sampleCount() const { return m_samples; }
    //! Replots done so far (the GUI-cost probe of tests and the benchmark).
    int replotCount() const { return m_replots; }
    //! True when the chart is shown (resources and Server-Timing appear only with data).
    bool isChartShown(Chart chart) const;
    //! Saves @p chart as PNG or PDF (by the suffix of @p path); false with @p error.
    bool saveChart(Chart chart, const QString &path, QString *error = nullptr);
    //! Columns of the chart grid: two, or one when the widget is narrower than two charts.
    int columnCount() const { return m_columns; }
    //! Chart titles, by index.
    static QString chartTitle(Chart chart);

protected:
    void showEvent(QShowEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QCustomPlot *createPlot(Chart chart);
    QCPGraph *serverTimingGraph(const QString &name);
    void render();
    void scheduleRender();
    void rescale(Chart chart);
    void showContextMenu(Chart chart, const QPoint &pos);
    void relayout();
    void drawMarkers();
    //! Appends a point to @p g's series (kept whole in m_raw) and to the graph.
    void add(QCPGraph *g, double key, double value);
    void clearSeries(QCPGraph *g);
    //! Gives every graph of @p chart with more points than pixel columns its min/max per
    //! column (decimateMinMax(): a one-interval spike is never dropped), or its whole series
    //! again once it fits; the largest point count drawn.
    int decimate(Chart chart);

    struct RawSeries
    {
        QVector<double> keys;
        QVector<double> values;
        bool decimated = false; //!< the graph holds decimateMinMax() of it
    };

    std::array<QCustomPlot *, ChartCount> m_plots{};
    std::array<QWidget *, ChartCount> m_frames{};
    std::array<bool, ChartCount> m_follow{}; //!< false once the user zoomed or panned
    QGridLayout *m_grid = nullptr;
    QMap<QString, QCPGraph *> m_serverTiming;
    double m_plannedSec = 0;
    double m_lastT = 0;
    bool m_openModel = false;
    bool m_hasResources = false;
    bool m_dirty = false;
    bool m_rendering = false;
    int m_samples = 0;
    int m_replots = 0;
    int m_columns = 2;
    std::array<QCPGraph *, GhostCount> m_ghosts{};
    QList<TimelineEvent> m_events;
    QList<QCPAbstractItem *> m_markerItems;
    QHash<const QCPGraph *, RawSeries> m_raw;
};

} // namespace loadscope
