#include "windowstate.h"

#include <algorithm>

#include <QSettings>
#include <QSplitter>
#include <QWidget>

namespace loadscope {

QRect fitToScreen(const QRect &saved, const QRect &available)
{
    if (!available.isValid())
        return saved;
    QRect r = saved;
    r.setWidth(std::min(r.width(), available.width()));
    r.setHeight(std::min(r.height(), available.height()));
    r.moveLeft(std::clamp(r.left(), available.left(), available.right() - r.width() + 1));
    r.moveTop(std::clamp(r.top(), available.top(), available.bottom() - r.height() + 1));
    return r;
}

void saveSplitterStates(QWidget *root, const QString &group)
{
    QSettings settings;
    settings.beginGroup(group);
    const auto splitters = root->findChildren<QSplitter *>();
    for (QSplitter *splitter : splitters) {
        if (!splitter->objectName().isEmpty())
            settings.setValue(splitter->objectName(), splitter->saveState());
    }
}

void restoreSplitterStates(QWidget *root, const QString &group)
{
    QSettings settings;
    settings.beginGroup(group);
    const auto splitters = root->findChildren<QSplitter *>();
    for (QSplitter *splitter : splitters) {
        const QByteArray state = settings.value(splitter->objectName()).toByteArray();
        if (!splitter->objectName().isEmpty() && !state.isEmpty())
            splitter->restoreState(state);
    }
}

} // namespace loadscope
