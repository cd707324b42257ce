#include "durationedit.h"

#include "plan/duration.h"

namespace loadscope {

void markInvalid(QWidget *widget, bool invalid, const QString &why)
{
    // A dynamic property plus a style sheet keyed on it keeps the platform look otherwise.
    if (widget->property("invalid").toBool() == invalid && widget->toolTip() == why)
        return;
    widget->setProperty("invalid", invalid);
    widget->setStyleSheet(invalid ? QStringLiteral("background-color: #fde2e1;") : QString());
    widget->setToolTip(why);
}

DurationEdit::DurationEdit(QWidget *parent)
    : QLineEdit(parent)
{
    setPlaceholderText(tr("e.g. 30s, 1m30s"));
    connect(this, &QLineEdit::textEdited, this, &DurationEdit::onTextEdited);
}

void DurationEdit::setDurationMs(qint64 ms)
{
    m_ms = ms;
    m_valid = true;
    setText(formatDurationMs(ms));
    markInvalid(this, false);
}

void DurationEdit::onTextEdited(const QString &text)
{
    QString error;
    const auto ms = parseDurationMs(text.trimmed(), &error);
    m_valid = ms.has_value();
    markInvalid(this, !m_valid, error);
    if (ms && *ms != m_ms) {
        m_ms = *ms;
        emit durationChanged(m_ms);
    }
}

} // namespace loadscope
