#include <QChart>
#include <QChartView>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusVariant>
#include <QPalette>
#include <QProcess>
#include <QSettings>
#include <QStandardPaths>
#include <QValueAxis>

#include "theme.h"
#include "widgettestmain.h"

using namespace loadscope;

namespace {

const QString kPortalService = QStringLiteral("org.freedesktop.portal.Desktop");
const QString kPortalPath = QStringLiteral("/org/freedesktop/portal/desktop");
const QString kSettingsInterface = QStringLiteral("org.freedesktop.portal.Settings");

} // namespace

//! The part of xdg-desktop-portal's Settings interface the theme reads, with a scheme the test
//! sets (0 no preference, 1 prefer dark, 2 prefer light).
class FakePortalSettings : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.portal.Settings")

public:
    uint scheme = 0;

public slots:
    QDBusVariant Read(const QString &nameSpace, const QString &key) // NOLINT: the D-Bus name
    {
        if (nameSpace != QLatin1String("org.freedesktop.appearance") ||
            key != QLatin1String("color-scheme"))
            return QDBusVariant(QVariant());
        // The portal answers the value wrapped in one more variant.
        return QDBusVariant(QVariant::fromValue(QDBusVariant(scheme)));
    }
};

//! The theme follows the desktop's colour scheme (the freedesktop portal on a private session
//! bus, then GTK_THEME), also when it changes while the workbench runs, unless View ▸ Theme
//! names one, and the palette switches with it.
class TestTheme : public QObject
{
    Q_OBJECT

public slots:
    //! The test's own receiver of SettingChanged (not a test function: public).
    void countSettingChanged() { ++m_settingChanged; }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("LoadscopeTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_theme"));
        const QString daemon = QStandardPaths::findExecutable(QStringLiteral("dbus-daemon"));
        if (daemon.isEmpty())
            QSKIP("dbus-daemon is not installed (package dbus)");
        // A bus of the test's own, set before the first use of the session bus.
        m_daemon.start(daemon,
                       {QStringLiteral("--session"), QStringLiteral("--nofork"),
                        QStringLiteral("--nopidfile"), QStringLiteral("--print-address=1")});
        QVERIFY(m_daemon.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(m_daemon.canReadLine(), 30000);
        const QByteArray address = m_daemon.readLine().trimmed();
        QVERIFY(!address.isEmpty());
        qputenv("DBUS_SESSION_BUS_ADDRESS", address);
        qunsetenv("GTK_THEME");
        QDBusConnection bus = QDBusConnection::sessionBus();
        QVERIFY2(bus.isConnected(), qPrintable(bus.lastError().message()));
        QVERIFY(bus.registerObject(kPortalPath, &m_portal, QDBusConnection::ExportAllSlots));
        QVERIFY(bus.registerService(kPortalService));
    }

    void cleanupTestCase()
    {
        if (m_daemon.state() != QProcess::NotRunning) {
            m_daemon.terminate();
            m_daemon.waitForFinished();
        }
    }

    void portalReadsTheScheme()
    {
        const QDBusConnection bus = QDBusConnection::sessionBus();
        m_portal.scheme = 1;
        QCOMPARE(portalPrefersDark(bus), std::optional<bool>(true));
        m_portal.scheme = 2;
        QCOMPARE(portalPrefersDark(bus), std::optional<bool>(false));
        m_portal.scheme = 0;
        QCOMPARE(portalPrefersDark(bus), std::nullopt);
        // No bus at all: no answer, not a hang.
        QCOMPARE(portalPrefersDark(QDBusConnection(QStringLiteral("none"))), std::nullopt);
    }

    void systemThemeFollowsThePortal()
    {
        m_portal.scheme = 1;
        applyTheme(Theme::System);
        QVERIFY(isDarkPalette(QApplication::palette()));
        m_portal.scheme = 2;
        applyTheme(Theme::System);
        QVERIFY(!isDarkPalette(QApplication::palette()));
        // The portal's word counts over GTK_THEME's.
        qputenv("GTK_THEME", "Adwaita:dark");
        applyTheme(Theme::System);
        QVERIFY(!isDarkPalette(QApplication::palette()));
        // Without a preference from the portal, GTK_THEME's dark variant decides.
        m_portal.scheme = 0;
        applyTheme(Theme::System);
        QVERIFY(isDarkPalette(QApplication::palette()));
        qunsetenv("GTK_THEME");
        applyTheme(Theme::System);
        QVERIFY(!isDarkPalette(QApplication::palette()));
    }

    void explicitThemeOverridesTheDesktop()
    {
        m_portal.scheme = 1; // the desktop asks for dark
        applyTheme(Theme::Light);
        QVERIFY(!isDarkPalette(QApplication::palette()));
        QCOMPARE(currentTheme(), Theme::Light);
        m_portal.scheme = 2; // the desktop asks for light
        applyTheme(Theme::Dark);
        QVERIFY(isDarkPalette(QApplication::palette()));
        QCOMPARE(currentTheme(), Theme::Dark);
        applyTheme(Theme::System);
        QVERIFY(!isDarkPalette(QApplication::palette()));
    }

    void liveSchemeChangeIsFollowed()
    {
        m_portal.scheme = 2;
        applyTheme(Theme::System);
        QVERIFY(!isDarkPalette(QApplication::palette()));
        // The desktop turns dark while the workbench runs: the portal says so with
        // SettingChanged, and the palette follows without a restart.
        QVERIFY(QDBusConnection::sessionBus().connect(
            kPortalService, kPortalPath, kSettingsInterface, QStringLiteral("SettingChanged"), this,
            SLOT(countSettingChanged())));
        emitSchemeChanged(1);
        QTRY_VERIFY(isDarkPalette(QApplication::palette()));
        emitSchemeChanged(2);
        QTRY_VERIFY(!isDarkPalette(QApplication::palette()));
        // Another setting changing is not the colour scheme.
        emitSettingChanged(QStringLiteral("org.freedesktop.appearance"),
                           QStringLiteral("accent-color"), 1);
        // View ▸ Theme overrides the desktop: a change of scheme leaves an explicit light alone.
        applyTheme(Theme::Light);
        emitSchemeChanged(1);
        // This test's own receiver is connected after the theme's, so once it has seen the
        // signals the theme has had them too.
        QTRY_COMPARE(m_settingChanged, 4);
        QVERIFY(!isDarkPalette(QApplication::palette()));
        QCOMPARE(currentTheme(), Theme::Light);
        // Back to following the desktop: the portal's scheme (dark) is read again.
        m_portal.scheme = 1;
        applyTheme(Theme::System);
        QVERIFY(isDarkPalette(QApplication::palette()));
        m_portal.scheme = 2;
        emitSchemeChanged(2);
        QTRY_VERIFY(!isDarkPalette(QApplication::palette()));
        QDBusConnection::sessionBus().disconnect(kPortalService, kPortalPath, kSettingsInterface,
                                                 QStringLiteral("SettingChanged"), this,
                                                 SLOT(countSettingChanged()));
    }

    void chartViewsFollowThePalette()
    {
        applyTheme(Theme::Dark);
        QChartView view(new QChart);
        view.resize(300, 200);
        view.show(); // polished: styled from the dark palette
        QVERIFY(view.chart()->backgroundBrush().color().lightness() < 80);
        QCOMPARE(int(view.chart()->theme()), int(QChart::ChartThemeDark));
        // An axis the view adds later (Compare rebuilds them) takes the chart's dark theme.
        auto *axis = new QValueAxis;
        view.chart()->addAxis(axis, Qt::AlignLeft);
        QVERIFY(axis->labelsBrush().color().lightness() > 150);
        applyTheme(Theme::Light);
        QCoreApplication::processEvents();
        QVERIFY2(view.chart()->backgroundBrush().color().lightness() > 200,
                 qPrintable(view.chart()->backgroundBrush().color().name() +
                            view.palette().color(QPalette::Base).name()));
        QVERIFY(axis->labelsBrush().color().lightness() < 110);
        applyTheme(Theme::System);
    }

    void overrideIsSaved()
    {
        QSettings settings;
        settings.remove(QStringLiteral("view/theme"));
        QCOMPARE(savedTheme(), Theme::System);
        saveTheme(Theme::Dark);
        QCOMPARE(savedTheme(), Theme::Dark);
        settings.remove(QStringLiteral("view/theme"));
    }

private:
    void emitSettingChanged(const QString &nameSpace, const QString &key, uint value)
    {
        m_portal.scheme = key == QLatin1String("color-scheme") ? value : m_portal.scheme;
        QDBusMessage signal = QDBusMessage::createSignal(kPortalPath, kSettingsInterface,
                                                         QStringLiteral("SettingChanged"));
        signal << nameSpace << key << QVariant::fromValue(QDBusVariant(value));
        QVERIFY(QDBusConnection::sessionBus().send(signal));
    }
    void emitSchemeChanged(uint scheme)
    {
        emitSettingChanged(QStringLiteral("org.freedesktop.appearance"),
                           QStringLiteral("color-scheme"), scheme);
    }

    QProcess m_daemon;
    int m_settingChanged = 0;
    FakePortalSettings m_portal;
};

LOADSCOPE_WIDGET_TEST_MAIN(TestTheme)
#include "tst_theme.moc"
