#pragma once

#include <memory>
#include <optional>

#include <QCommandLineParser>
#include <QString>
#include <QStringList>

class QTextStream;

namespace loadscope {

class HistoryStore;

//! A subcommand's parser: its options, the --help text and errors that name the flag.
class SubcommandLine
{
public:
    SubcommandLine(QString command, QString summary);

    void addOption(const QCommandLineOption &option);
    //! Adds --NAME=VALUE (and its aliases): @p help and @p valueName as help shows them.
    void addValueOption(const QStringList &names, const char *help, const char *valueName);
    void addValueOption(const char *name, const char *help, const char *valueName)
    {
        addValueOption({QString::fromLatin1(name)}, help, valueName);
    }
    //! Adds the flag --NAME (and its aliases).
    void addFlag(const QStringList &names, const char *help);
    void addDbOption();
    //! Adds --format=FORMAT choosing among @p choices (the first is the default).
    void addFormatOption(const QStringList &choices);
    //! The --format value in lower case, or the default; nothing (after printing the error)
    //! when it is not one of the choices.
    std::optional<QString> format(QTextStream &err) const;
    void addPositional(const QString &name, const QString &description, const QString &syntax);

    //! Parses @p args (without the program and subcommand names). Prints help or the error
    //! and returns false with @p exitCode set when the command should not go on.
    bool parse(const QStringList &args, QTextStream &out, QTextStream &err, int *exitCode);

    QCommandLineParser &parser() { return m_parser; }
    const QString &command() const { return m_command; }

    //! Reports a bad value of an option: "loadscope-cli run: --duration: ..." and returns 2.
    int usageError(QTextStream &err, const QString &message) const;

private:
    QString m_command;
    QCommandLineParser m_parser;
    QStringList m_formats;
};

//! Opens the history database named by --db, $LOADSCOPE_DB or the default location.
//! Prints a clear error and returns null when it cannot be opened.
std::unique_ptr<HistoryStore> openStoreFor(const QCommandLineParser &parser, QTextStream &err,
                                           const QString &command);

} // namespace loadscope
