#include "commandline.h"

#include <QTextStream>

#include "store/historystore.h"

namespace loadscope {

SubcommandLine::SubcommandLine(QString command, QString summary)
    : m_command(std::move(command))
{
    m_parser.setApplicationDescription(summary);
    m_parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
    m_parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    m_parser.addOption(QCommandLineOption({QStringLiteral("h"), QStringLiteral("help")},
                                          QStringLiteral("Show this help.")));
}

void SubcommandLine::addOption(const QCommandLineOption &option)
{
    m_parser.addOption(option);
}

void SubcommandLine::addValueOption(const QStringList &names, const char *help,
                                    const char *valueName)
{
    m_parser.addOption(
        QCommandLineOption(names, QString::fromLatin1(help), QString::fromLatin1(valueName)));
}

void SubcommandLine::addFlag(const QStringList &names, const char *help)
{
    m_parser.addOption(QCommandLineOption(names, QString::fromLatin1(help)));
}

void SubcommandLine::addDbOption()
{
    m_parser.addOption(QCommandLineOption(
        QStringLiteral("db"),
        QStringLiteral("History database file (default: $LOADSCOPE_DB or the app data folder)."),
        QStringLiteral("FILE")));
}

void SubcommandLine::addFormatOption(const QStringList &choices)
{
    m_formats = choices;
    m_parser.addOption(QCommandLineOption(QStringLiteral("format"),
                                          choices.first() + QStringLiteral(" (default) or ") +
                                              choices.mid(1).join(QStringLiteral(", ")) + u'.',
                                          QStringLiteral("FORMAT")));
}

std::optional<QString> SubcommandLine::format(QTextStream &err) const
{
    const QString value = m_parser.value(QStringLiteral("format")).toLower();
    if (value.isEmpty())
        return m_formats.value(0);
    if (m_formats.contains(value))
        return value;
    usageError(err, QStringLiteral("--format: \"") + value + QStringLiteral("\" is not ") +
                        m_formats.join(QStringLiteral(", ")));
    return std::nullopt;
}

void SubcommandLine::addPositional(const QString &name, const QString &description,
                                   const QString &syntax)
{
    m_parser.addPositionalArgument(name, description, syntax);
}

bool SubcommandLine::parse(const QStringList &args, QTextStream &out, QTextStream &err,
                           int *exitCode)
{
    QStringList withProgram = args;
    withProgram.prepend(QStringLiteral("loadscope-cli ") + m_command);
    if (!m_parser.parse(withProgram)) {
        err << "loadscope-cli " << m_command << ": " << m_parser.errorText() << '\n'
            << "Try 'loadscope-cli " << m_command << " --help'.\n";
        *exitCode = 2;
        return false;
    }
    if (m_parser.isSet(QStringLiteral("help"))) {
        QString help = m_parser.helpText();
        // QCommandLineParser names the binary from argv[0]; show the subcommand instead.
        out << help;
        *exitCode = 0;
        return false;
    }
    return true;
}

int SubcommandLine::usageError(QTextStream &err, const QString &message) const
{
    err << "loadscope-cli " << m_command << ": " << message << '\n';
    return 2;
}

std::unique_ptr<HistoryStore> openStoreFor(const QCommandLineParser &parser, QTextStream &err,
                                           const QString &command)
{
    const QString path = parser.isSet(QStringLiteral("db")) ? parser.value(QStringLiteral("db"))
                                                            : HistoryStore::defaultPath();
    auto store = std::make_unique<HistoryStore>();
    QString error;
    if (!store->open(path, &error)) {
        err << "loadscope-cli " << command << ": cannot open the history database: " << error
            << '\n';
        return nullptr;
    }
    return store;
}

} // namespace loadscope
