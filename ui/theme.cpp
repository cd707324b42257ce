#include "theme.h"

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusVariant>
#include <QPalette>
#include <QPointer>
#include <QSettings>
#include <QStyle>

namespace loadscope {

namespace {

const QString kThemeKey = QStringLiteral("view/theme");
const QString kPortalService = QStringLiteral("org.freedesktop.portal.Desktop");
const QString kPortalPath = QStringLiteral("/org/freedesktop/portal/desktop");
const QString kPortalSettings = QStringLiteral("org.freedesktop.portal.Settings");
const QString kAppearance = QStringLiteral("org.freedesktop.appearance");
const QString kColorScheme = QStringLiteral("color-scheme");

Theme g_current = Theme::System;

//! The desktop's palette, as the application started with it (before any theme replaced it).
const QPalette &desktopPalette()
{
    static const QPalette palette = QApplication::palette();
    return palette;
}

QPalette darkPalette()
{
    QPalette p;
    const QColor window(0x2b, 0x2d, 0x30);
    const QColor base(0x1e, 0x1f, 0x22);
    const QColor text(0xe6, 0xe6, 0xe6);
    const QColor disabled(0x80, 0x80, 0x80);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x26, 0x28, 0x2b));
    p.setColor(QPalette::ToolTipBase, QColor(0x3c, 0x3f, 0x41));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0xa0, 0xa4, 0xa8));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x35, 0x37, 0x3b));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    p.setColor(QPalette::Light, QColor(0x4a, 0x4d, 0x51));
    p.setColor(QPalette::Midlight, QColor(0x3e, 0x41, 0x45));
    p.setColor(QPalette::Mid, QColor(0x50, 0x53, 0x57));
    p.setColor(QPalette::Dark, QColor(0x18, 0x19, 0x1b));
    p.setColor(QPalette::Shadow, QColor(0x0c, 0x0c, 0x0d));
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x7e, 0xdb));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x6c, 0xa8, 0xff));
    p.setColor(QPalette::LinkVisited, QColor(0xb3, 0x8c, 0xff));
    for (const auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, disabled);
    p.setColor(QPalette::Disabled, QPalette::Base, window);
    return p;
}

//! A portal colour-scheme value (possibly wrapped in variants): true for "prefer dark", false
//! for "prefer light", nothing for "no preference" or something else.
std::optional<bool> schemePrefersDark(QVariant value)
{
    while (value.canConvert<QDBusVariant>())
        value = qvariant_cast<QDBusVariant>(value).variant();
    bool ok = false;
    const uint scheme = value.toUInt(&ok); // 0 no preference, 1 prefer dark, 2 prefer light
    if (!ok || (scheme != 1 && scheme != 2))
        return std::nullopt;
    return scheme == 1;
}

//! Dark without the portal's word: a dark desktop palette (KDE, a dark Qt platform theme) or a
//! GTK theme's dark variant.
bool desktopLooksDark()
{
    return isDarkPalette(desktopPalette()) ||
           qEnvironmentVariable("GTK_THEME").endsWith(QLatin1String(":dark"), Qt::CaseInsensitive);
}

void followDesktopScheme();

//! Qt Charts views (Compare's box plot) do not follow the palette by themselves: each view is
//! styled when it is first polished and again when the palette changes. The chart theme also
//! styles axes a view adds later, which Compare does on every refresh.
class ChartViewThemer final : public QObject
{
public:
    using QObject::QObject;

    static void style(QChartView *view)
    {
        QChart *chart = view->chart();
        if (!chart)
            return;
        const QPalette palette = view->palette();
        const bool dark = isDarkPalette(palette);
        const auto wanted = dark ? QChart::ChartThemeDark : QChart::ChartThemeLight;
        if (chart->theme() != wanted)
            chart->setTheme(wanted);
        chart->setBackgroundBrush(palette.brush(QPalette::Base));
        chart->setBackgroundPen(Qt::NoPen);
        chart->setPlotAreaBackgroundVisible(false);
        chart->setTitleBrush(palette.brush(QPalette::WindowText));
        chart->legend()->setLabelColor(palette.color(QPalette::WindowText));
        view->setBackgroundBrush(palette.brush(QPalette::Window));
    }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        const auto type = event->type();
        if (type == QEvent::Polish || type == QEvent::PaletteChange ||
            type == QEvent::ApplicationPaletteChange) {
            // Not while a view is still being built (its constructor changes its palette).
            auto *view = qobject_cast<QChartView *>(watched);
            if (view && (type == QEvent::Polish || view->testAttribute(Qt::WA_WState_Polished)))
                style(view);
        }
        return false;
    }
};

void installChartThemer()
{
    static ChartViewThemer *themer = nullptr;
    if (themer || !qApp)
        return;
    themer = new ChartViewThemer(qApp);
    qApp->installEventFilter(themer);
}

//! The palette of @p theme, dark or light as @p dark says.
void applyPalette(Theme theme, bool dark)
{
    if (theme == Theme::System && !dark) {
        QApplication::setPalette(desktopPalette());
        return;
    }
    // Fusion draws every control from the palette, so a dark palette is dark everywhere.
    if (QApplication::style()->name().compare(QLatin1String("fusion"), Qt::CaseInsensitive) != 0)
        QApplication::setStyle(QStringLiteral("Fusion"));
    if (!dark)
        QApplication::setPalette(QApplication::style()->standardPalette());
    else
        QApplication::setPalette(theme == Theme::System && isDarkPalette(desktopPalette())
                                     ? desktopPalette()
                                     : darkPalette());
}

} // namespace

//! Follows the desktop while the theme is System: the portal announces a changed colour scheme
//! with Settings.SettingChanged (Qt 6.4 has no QStyleHints::colorSchemeChanged to listen to).
class DesktopSchemeWatcher final : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

public slots:
    void settingChanged(const QString &nameSpace, const QString &key, const QDBusVariant &value)
    {
        if (nameSpace != kAppearance || key != kColorScheme || g_current != Theme::System)
            return;
        // The signal carries the new value: no Read() round trip. "No preference" falls back
        // to the palette and GTK_THEME, as at the start.
        const std::optional<bool> dark = schemePrefersDark(QVariant::fromValue(value));
        applyPalette(Theme::System, dark ? *dark : desktopLooksDark());
    }
};

namespace {

void followDesktopScheme()
{
    static QPointer<DesktopSchemeWatcher> watcher;
    if (watcher || !qApp)
        return;
    watcher = new DesktopSchemeWatcher(qApp);
    // No session bus (CI, a bare X session): nothing to follow, and connect() says so quietly.
    // The slot's signature normalized, as QObject compares it (clang-format would space it).
    // clang-format off
    QDBusConnection::sessionBus().connect(kPortalService, kPortalPath, kPortalSettings,
                                          QStringLiteral("SettingChanged"), watcher,
                                          SLOT(settingChanged(QString,QString,QDBusVariant)));
    // clang-format on
}

} // namespace

QString themeName(Theme theme)
{
    switch (theme) {
    case Theme::System:
        return QStringLiteral("system");
    case Theme::Light:
        return QStringLiteral("light");
    case Theme::Dark:
        return QStringLiteral("dark");
    }
    return {};
}

std::optional<Theme> themeFromName(const QString &name)
{
    for (const Theme theme : {Theme::System, Theme::Light, Theme::Dark}) {
        if (name.compare(themeName(theme), Qt::CaseInsensitive) == 0)
            return theme;
    }
    return std::nullopt;
}

bool isDarkPalette(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() <
           palette.color(QPalette::WindowText).lightness();
}

std::optional<bool> portalPrefersDark(const QDBusConnection &bus)
{
    if (!bus.isConnected())
        return std::nullopt;
    QDBusMessage call = QDBusMessage::createMethodCall(kPortalService, kPortalPath, kPortalSettings,
                                                       QStringLiteral("Read"));
    call << kAppearance << kColorScheme;
    // A short wait: a desktop without the portal must not hold up the start.
    const QDBusMessage reply = bus.call(call, QDBus::Block, 500);
    if (reply.type() != QDBusMessage::ReplyMessage || reply.arguments().isEmpty())
        return std::nullopt;
    return schemePrefersDark(reply.arguments().constFirst());
}

bool desktopPrefersDark()
{
    // Qt 6.4 has no colour-scheme hint yet (QStyleHints::colorScheme is 6.5): the portal's
    // setting is what GNOME and KDE both publish; without it, a dark desktop shows as a dark
    // palette (KDE, a dark Qt platform theme) or as a GTK theme's dark variant.
    if (const auto portal = portalPrefersDark(QDBusConnection::sessionBus()))
        return *portal;
    return desktopLooksDark();
}

void applyTheme(Theme theme)
{
    desktopPalette(); // remembered before the first change
    installChartThemer();
    followDesktopScheme();
    g_current = theme;
    const bool dark = theme == Theme::Dark || (theme == Theme::System && desktopPrefersDark());
    applyPalette(theme, dark);
}

Theme currentTheme()
{
    return g_current;
}

Theme savedTheme()
{
    return themeFromName(QSettings().value(kThemeKey).toString()).value_or(Theme::System);
}

void saveTheme(Theme theme)
{
    QSettings().setValue(kThemeKey, themeName(theme));
}

} // namespace loadscope

#include "theme.moc"
