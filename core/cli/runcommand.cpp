#include <QTextStream>

#include "cli/cliapp.h"
#include "cli/commandline.h"
#include "cli/runoptions.h"

namespace loadscope {

int runCommand(const QStringList &args, QTextStream &out, QTextStream &err)
{
    SubcommandLine line(QStringLiteral("run"),
                        QStringLiteral("Run a test plan (PLAN.json) or a test type preset."));
    addRunOptions(line);
    int code = 0;
    if (!line.parse(args, out, err, &code))
        return code;
    QString error;
    const auto request = runRequestFromOptions(line.parser(), &error);
    if (!request)
        return line.usageError(err, error);
    err << "loadscope-cli run: not available yet (the load engine has not landed in this build); "
           "the plan \""
        << request->plan.name << "\" is valid\n";
    return ExitUsage;
}

} // namespace loadscope
