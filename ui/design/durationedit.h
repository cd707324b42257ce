#pragma once

#include <QLineEdit>

namespace loadscope {

//! A line edit for k6 durations ("30s", "1m30s"); invalid text turns it red with the parse
//! error as tooltip, and durationChanged() only fires for valid text.
class DurationEdit final : public QLineEdit
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DurationEdit)

public:
    explicit DurationEdit(QWidget *parent = nullptr);

    void setDurationMs(qint64 ms);
    //! The last valid duration typed (or set).
    qint64 durationMs() const { return m_ms; }
    bool isAcceptable() const { return m_valid; }

signals:
    void durationChanged(qint64 ms);

private:
    void onTextEdited(const QString &text);

    qint64 m_ms = 0;
    bool m_valid = true;
};

//! Marks @p widget as holding invalid input (red background, @p why as tooltip) or clears it.
void markInvalid(QWidget *widget, bool invalid, const QString &why = QString());

} // namespace loadscope
