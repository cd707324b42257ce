#pragma once

#include <QtTest/QtTest>

// Shared test main: forces the offscreen platform and a fixed DPI so that every test runs
// the same way on a headless CI machine and on a developer's desktop.
#define LOADSCOPE_TEST_MAIN(TestClass)                                                             \
    int main(int argc, char *argv[])                                                               \
    {                                                                                              \
        qputenv("QT_QPA_PLATFORM", "offscreen");                                                   \
        qputenv("QT_ENABLE_HIGHDPI_SCALING", "0");                                                 \
        qputenv("QT_FONT_DPI", "96");                                                              \
        QCoreApplication app(argc, argv);                                                          \
        app.setAttribute(Qt::AA_Use96Dpi, true);                                                   \
        TestClass tc;                                                                              \
        QTEST_SET_MAIN_SOURCE_PATH                                                                 \
        return QTest::qExec(&tc, argc, argv);                                                      \
    }
