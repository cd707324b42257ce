// The loadscope GUI: opens the history database, starts the built-in sample API in a child
// process, and shows the workbench window.
#include <QApplication>
#include <QCommandLineParser>
#include <QMessageBox>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>

#include "mainwindow.h"
#include "screenshottour.h"
#include "session/sampletarget.h"
#include "session/storedrun.h"
#include "store/historystore.h"

int main(int argc, char *argv[])
{
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
    parser.addOption(dbOption);
    parser.addOption(shotsOption);
    parser.process(app);

    loadscope::HistoryStore store;
    // Screenshots start from an empty history of their own unless --db names one, so that they
    // show the tour's runs and never add runs to the user's history.
    QTemporaryDir scratch;
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
    if (parser.isSet(shotsOption)) {
        window.resize(1400, 900);
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
