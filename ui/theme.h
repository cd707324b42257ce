#pragma once

#include <optional>

#include <QString>

class QDBusConnection;
class QPalette;

namespace loadscope {

//! The colour scheme of the workbench (View ▸ Theme; `loadscope --theme=`).
enum class Theme
{
    System, //!< follows the desktop: dark when its palette or GTK theme is dark
    Light,
    Dark
};

//! "system", "light", "dark".
QString themeName(Theme theme);
//! The theme named @p name (as themeName()); nothing for another name.
std::optional<Theme> themeFromName(const QString &name);

//! True when @p palette is a dark one (light text on a dark window).
bool isDarkPalette(const QPalette &palette);
//! The freedesktop portal's `org.freedesktop.appearance color-scheme` on @p bus: true for
//! "prefer dark", false for "prefer light", nothing when there is no portal or no preference.
std::optional<bool> portalPrefersDark(const QDBusConnection &bus);
//! Whether the desktop asks for dark: the portal's colour scheme on the session bus when it
//! states one, else a dark palette, or GTK_THEME naming a ":dark" variant.
bool desktopPrefersDark();

//! Applies @p theme to the application (Fusion style with a light or dark palette; the
//! desktop's own palette for System when it is light). Charts follow through plotstyle.h; Qt
//! Charts views are restyled from their palette when polished and on palette changes.
void applyTheme(Theme theme);
//! The theme applied last (System before any).
Theme currentTheme();

//! The theme saved in QSettings ("view/theme"), System when none.
Theme savedTheme();
void saveTheme(Theme theme);

} // namespace loadscope
