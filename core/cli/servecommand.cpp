#include "servecommand.h"

#include <QTextStream>

#include "cli/cliapp.h"
#include "cli/commandline.h"

namespace loadscope {

int serveCommand(const QStringList &args, QTextStream &out, QTextStream &err)
{
    SubcommandLine line(QStringLiteral("serve"), QStringLiteral("Serve the REST API."));
    line.addOption(QCommandLineOption(QStringLiteral("bind"),
                                      QStringLiteral("Address to bind (default 127.0.0.1)."),
                                      QStringLiteral("ADDR")));
    line.addOption(QCommandLineOption(QStringLiteral("port"), QStringLiteral("Port to listen on."),
                                      QStringLiteral("N")));
    line.addOption(QCommandLineOption(QStringLiteral("token"),
                                      QStringLiteral("Bearer token clients must send."),
                                      QStringLiteral("T")));
    line.addDbOption();
    int code = 0;
    if (!line.parse(args, out, err, &code))
        return code;
    err << "loadscope-cli serve: not available yet (the REST API has not landed in this build)\n";
    return ExitUsage;
}

} // namespace loadscope
