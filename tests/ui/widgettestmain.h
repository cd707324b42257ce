#pragma once

#include <QApplication>
#include <QtTest/QtTest>

// The widget tests' main: the same environment as LOADSCOPE_TEST_MAIN (offscreen platform,
// fixed DPI) but with a QApplication, which widgets need.
#define LOADSCOPE_WIDGET_TEST_MAIN(TestClass)                                                      \
    int main(int argc, char *argv[])                                                               \
    {                                                                                              \
        qputenv("QT_QPA_PLATFORM", "offscreen");                                                   \
        qputenv("QT_ENABLE_HIGHDPI_SCALING", "0");                                                 \
        qputenv("QT_FONT_DPI", "96");                                                              \
        QApplication::setAttribute(Qt::AA_Use96Dpi, true);                                         \
        QApplication app(argc, argv);                                                              \
        TestClass tc;                                                                              \
        QTEST_SET_MAIN_SOURCE_PATH                                                                 \
        return QTest::qExec(&tc, argc, argv);                                                      \
    }
