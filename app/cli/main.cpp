#include <cstdio>

#include <QCoreApplication>
#include <QTextStream>

#include "cli/cliapp.h"

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("loadscope"));
    QCoreApplication::setOrganizationName(QStringLiteral("loadscope"));
    QCoreApplication::setApplicationVersion(QStringLiteral(LOADSCOPE_VERSION));
    QTextStream out(stdout);
    QTextStream err(stderr);
    const int code = loadscope::runCli(QCoreApplication::arguments(), out, err);
    out.flush();
    err.flush();
    return code;
}
