#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QTreeWidget;

namespace loadscope {

class HistoryStore;

//! The optimization loop beside a run (History's details, the Run summary): the test's change
//! log with the effect measured across each change (as `history trend` prints it), a note to
//! add, edit or delete on the run, and the test's recommendations, critical first, with their
//! state (open / applied in this run / dismissed) and the measured gain beside the estimate,
//! and the test's schedule (`schedule add`) with its last scheduled run.
//! Writes go through the store API the CLI uses.
class RunLoopPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunLoopPanel)

public:
    explicit RunLoopPanel(QWidget *parent = nullptr);

    void setStore(HistoryStore *store) { m_store = store; }
    //! Shows run @p resultId of test @p testId; reads the store again.
    void showRun(qint64 resultId, qint64 testId);

    //! Adds @p note on the shown run; false with a message in the status line otherwise.
    bool addNote(const QString &note);
    //! Applies the note field to the selected note.
    bool editSelectedNote();
    bool deleteSelectedNote();
    //! Sets the selected recommendation's state: "applied" (in the shown run), "dismissed"
    //! (with the reason field's text) or "open".
    bool setSelectedRecommendationState(const QString &state);

    QListWidget *notes() const { return m_notes; }
    QLineEdit *noteEdit() const { return m_noteEdit; }
    QTreeWidget *recommendations() const { return m_recommendations; }
    QLineEdit *reasonEdit() const { return m_reasonEdit; }
    QString statusText() const;
    //! The test's schedule and its last scheduled run, or that it has none.
    QString scheduleText() const;

    //! Role of a note item / recommendation item: its row id in the store.
    static constexpr int IdRole = Qt::UserRole + 1;

signals:
    //! An annotation or a recommendation state was written (charts may redraw their markers).
    void changed();

private:
    void refresh();
    bool fail(const QString &message);
    //! After a write: @p status shown, the lists read again, changed() emitted; true.
    bool written(const QString &status);
    qint64 selectedNoteId() const;
    void updateButtons();

    HistoryStore *m_store = nullptr;
    qint64 m_resultId = 0;
    qint64 m_testId = 0;
    QListWidget *m_notes = nullptr;
    QLineEdit *m_noteEdit = nullptr;
    QPushButton *m_add = nullptr;
    QPushButton *m_edit = nullptr;
    QPushButton *m_delete = nullptr;
    QTreeWidget *m_recommendations = nullptr;
    QLineEdit *m_reasonEdit = nullptr;
    QPushButton *m_applied = nullptr;
    QPushButton *m_dismiss = nullptr;
    QPushButton *m_reopen = nullptr;
    QLabel *m_schedule = nullptr;
    QLabel *m_status = nullptr;
};

} // namespace loadscope
