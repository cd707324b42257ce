// The loadscope GUI: opens the history database, starts the built-in sample API in a child
// process, and shows the workbench window.
#include <QApplication>
#include <QCommandLineParser>
#include <QMessageBox>
#include <QSettings>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>

#include "mainwindow.h"
#include "screenshottour.h"
#include "session/sampletarget.h"
#include "session/storedrun.h"
#include "store/historystore.h"
#include "theme.h"

namespace {

//! The value of `--NAME=V` or `--NAME V` in @p argv, before QApplication exists (the scale factor
//! must be set before it is created).
QByteArray earlyOption(int argc, char *argv[], const QByteArray &name)
{
    const QByteArray flag = "--" + name;
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg.startsWith(QByteArray(flag + '=')))
            return arg.mid(flag.size() + 1);
        if (arg == flag && i + 1 < argc)
            return QByteArray(argv[i + 1]);
    }
    return {};
}

} // namespace

int main(int argc, char *argv[])
{
    // --scale=F renders as on a screen scaled by F (QT_SCALE_FACTOR), e.g. 2 for a HiDPI laptop.
    const QByteArray scale = earlyOption(argc, argv, "scale");
    if (!scale.isEmpty())
        qputenv("QT_SCALE_FACTOR", scale);
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Loadscope"));
    QApplication::setApplicationName(QStringLiteral("loadscope"));
    QApplication::setApplicationDisplayName(QStringLiteral("Loadscope"));
    QApplication::setApplicationVersion(QStringLiteral(LOADSCOPE_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Desktop performance workbench for HTTP APIs"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dbOption(QStringLiteral("db"),
                                      QStringLiteral("History database (default: $LOADSCOPE_DB "
                                                     "or the application data directory)."),
                                      QStringLiteral("FILE"));
    const QCommandLineOption shotsOption(QStringLiteral("screenshot-dir"),
                                         QStringLiteral("Run a short built-in test twice and "
                                                        "save a PNG of every place into DIR, "
                                                        "then quit."),
                                         QStringLiteral("DIR"));
    const QCommandLineOption sizeOption(
        QStringLiteral("size"),
        QStringLiteral("Window size for --screenshot-dir (default 1366x768)."),
        QStringLiteral("WxH"));
    const QCommandLineOption scaleOption(
        QStringLiteral("scale"), QStringLiteral("Scale factor of the display (QT_SCALE_FACTOR)."),
        QStringLiteral("F"));
    const QCommandLineOption themeOption(
        QStringLiteral("theme"),
        QStringLiteral("Colour scheme: system, light or dark (default: View > Theme)."),
        QStringLiteral("THEME"));
    parser.addOption(dbOption);
    parser.addOption(shotsOption);
    parser.addOption(sizeOption);
    parser.addOption(scaleOption);
    parser.addOption(themeOption);
    parser.process(app);

    const bool shots = parser.isSet(shotsOption);
    QTemporaryDir scratch;
    if (shots) {
        // Screenshots neither read nor change the user's settings (window state, theme).
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, scratch.path());
    }
    bool scaleOk = true;
    if (parser.isSet(scaleOption) &&
        !(parser.value(scaleOption).toDouble(&scaleOk) > 0 && scaleOk)) {
        QTextStream(stderr) << "loadscope: --scale wants a positive number, got '"
                            << parser.value(scaleOption) << "'\n";
        return 2;
    }
    QSize shotSize(1366, 768);
    if (parser.isSet(sizeOption)) {
        const QStringList parts = parser.value(sizeOption).split(u'x');
        const int w = parts.value(0).toInt();
        const int h = parts.size() == 2 ? parts.value(1).toInt() : 0;
        if (w < 320 || h < 240) {
            QTextStream(stderr) << "loadscope: --size wants WIDTHxHEIGHT (at least 320x240), got '"
                                << parser.value(sizeOption) << "'\n";
            return 2;
        }
        shotSize = QSize(w, h);
    }
    loadscope::Theme theme = loadscope::savedTheme();
    if (parser.isSet(themeOption)) {
        const auto chosen = loadscope::themeFromName(parser.value(themeOption));
        if (!chosen) {
            QTextStream(stderr) << "loadscope: --theme is system, light or dark, not '"
                                << parser.value(themeOption) << "'\n";
            return 2;
        }
        theme = *chosen;
    }
    loadscope::applyTheme(theme);

    loadscope::HistoryStore store;
    // Screenshots start from an empty history of their own unless --db names one, so that they
    // show the tour's runs and never add runs to the user's history.
    const QString dbPath = parser.isSet(dbOption) ? parser.value(dbOption)
                           : parser.isSet(shotsOption)
                               ? scratch.filePath(QStringLiteral("shots.db"))
                               : loadscope::HistoryStore::defaultPath();
    QString error;
    if (!store.open(dbPath, &error)) {
        QMessageBox::critical(nullptr, QStringLiteral("Loadscope"),
                              QStringLiteral("Cannot open the history database:\n") + error);
        return 2;
    }
    // Runs killed before (SIGKILL, power loss) get their figures back from their intervals, so
    // History shows them at once.
    loadscope::rebuildAbandonedRuns(store);

    // The sample API runs as a child process (`loadscope-cli demo`), so that the target and the
    // generator are measured apart and do not share one process's cores and event loops.
    loadscope::SampleTargetProcess sampleApi;
    QString sampleError;
    if (!sampleApi.start({}, &sampleError))
        QTextStream(stderr) << "loadscope: the built-in sample API did not start: " << sampleError
                            << '\n';

    loadscope::MainWindow window(&store, sampleApi.target());
    if (shots) {
        window.resize(shotSize);
        window.show();
        loadscope::ScreenshotTour tour(&window, parser.value(shotsOption));
        // The second run meets a slower sample API (+3 ms per response), so that the
        // comparison in the screenshots has a regression to show.
        tour.setBetweenRuns([&sampleApi] {
            QString why;
            if (!sampleApi.restart({QStringLiteral("--latency-ms=3")}, &why))
                QTextStream(stderr) << "loadscope: " << why << '\n';
        });
        QObject::connect(&tour, &loadscope::ScreenshotTour::finished, &window,
                         [](bool ok, const QString &why) {
                             if (!ok)
                                 QTextStream(stderr) << "loadscope: " << why << '\n';
                             QCoreApplication::exit(ok ? 0 : 1);
                         });
        // After the event loop has laid the window out once.
        QTimer::singleShot(300, &tour, &loadscope::ScreenshotTour::start);
        return QApplication::exec();
    }
    window.show();
    return QApplication::exec();
}
