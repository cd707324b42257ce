#pragma once

#include <QWidget>

#include "plan/testplan.h"

class QBoxLayout;
class QComboBox;
class QCustomPlot;
class QDoubleSpinBox;
class QFormLayout;
class QSpinBox;
class QTableWidget;

namespace loadscope {

class DurationEdit;

//! Edits the load model: the executor and only the fields it uses, the stages, and a live
//! preview of the load shape (LoadModel::targetAt over the planned duration).
class LoadModelEditor final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LoadModelEditor)

public:
    explicit LoadModelEditor(QWidget *parent = nullptr);

    //! Shows @p load without emitting loadEdited().
    void setLoadModel(const LoadModel &load);
    LoadModel loadModel() const { return m_load; }
    //! Focuses the widget for a validator path suffix ("vus", "stages[1].target", ...).
    void focusField(const QString &field);

    QComboBox *executorCombo() const { return m_executor; }
    QSpinBox *vusSpin() const { return m_vus; }
    //! The duration of the constant executors.
    DurationEdit *durationEdit() const { return m_duration; }
    QTableWidget *stagesTable() const { return m_stages; }
    //! The preview; graph 0 holds the shape in seconds against VUs or iterations/s.
    QCustomPlot *previewPlot() const { return m_plot; }

    QSize minimumSizeHint() const override;

signals:
    void loadEdited();

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void readWidgets();
    void updateVisibility();
    void updatePreview();
    void addStageRow(const Stage &stage);

    LoadModel m_load;
    bool m_loading = false;
    QFormLayout *m_form = nullptr;
    QBoxLayout *m_fields = nullptr;
    QComboBox *m_executor = nullptr;
    QSpinBox *m_vus = nullptr;
    DurationEdit *m_duration = nullptr;
    QDoubleSpinBox *m_rate = nullptr;
    DurationEdit *m_timeUnit = nullptr;
    QSpinBox *m_preAllocated = nullptr;
    QSpinBox *m_maxVus = nullptr;
    QSpinBox *m_startVus = nullptr;
    QDoubleSpinBox *m_startRate = nullptr;
    DurationEdit *m_gracefulRampDown = nullptr;
    DurationEdit *m_gracefulStop = nullptr;
    QWidget *m_stagesBox = nullptr;
    QTableWidget *m_stages = nullptr;
    QCustomPlot *m_plot = nullptr;
};

} // namespace loadscope
