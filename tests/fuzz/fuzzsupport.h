#pragma once

// Shared by the libFuzzer targets: Qt's message handler is silenced so that warnings do not
// flood the fuzzer log, and targets that need an event loop (sockets, QHttpServer) get one
// QCoreApplication for the whole process.

#include <cstddef>
#include <cstdint>

#include <QByteArray>
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QtGlobal>

#include "interop/planimport.h"
#include "interop/resultimport.h"
#include "plan/planjson.h"
#include "plan/planvalidator.h"

namespace loadscope::fuzz {

inline QByteArray bytes(const uint8_t *data, size_t size)
{
    // A deep copy: libFuzzer's buffer must not be kept, and QByteArray::fromRawData would.
    return QByteArray(reinterpret_cast<const char *>(data), qsizetype(size));
}

inline void quietQt()
{
    static const bool once = [] {
        qInstallMessageHandler([](QtMsgType, const QMessageLogContext &, const QString &) {});
        return true;
    }();
    (void)once;
}

//! The process's QCoreApplication, made on first use (argv must outlive it).
inline QCoreApplication &app()
{
    static int argc = 1;
    static char name[] = "loadscope-fuzz";
    static char *argv[] = {name, nullptr};
    static QCoreApplication *instance = [] {
        quietQt();
        return new QCoreApplication(argc, argv);
    }();
    return *instance;
}

//! Runs the event loop until @p done() holds; false when it still does not after @p ms (the
//! caller traps: with every peer on this machine and already written, that is a hang).
template<typename Done> bool pumpUntil(Done done, int ms = 10000)
{
    const QDeadlineTimer deadline(ms);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 20);
    }
    return true;
}

//! What every plan importer promises of a plan it returns: the validator takes it without a
//! crash, and its JSON form (what `plan import` writes) reads back to the same plan.
inline void checkImportedPlan(const std::optional<ImportResult> &imported)
{
    if (!imported)
        return;
    (void)validatePlan(imported->plan);
    const QByteArray written = planToJsonBytes(imported->plan);
    QString error;
    const auto again = planFromJsonBytes(written, &error);
    if (!again || planToJsonBytes(*again) != written)
        __builtin_trap(); // `plan import` would write a plan that `run` cannot read back
}

//! The importers read files: writes @p data to one scratch file (rewritten per input) and
//! gives its path.
inline QString scratchFile(const uint8_t *data, size_t size)
{
    quietQt();
    static QTemporaryDir dir;
    static const QString path = dir.filePath(QStringLiteral("input"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        __builtin_trap();
    file.write(reinterpret_cast<const char *>(data), qint64(size));
    return path;
}

//! @p data through parseResultFile() as @p format (Auto: detected; access logs in
//! @p logFormat, empty: combined), then into the rows a stored run would get.
inline void parseResultBytes(const uint8_t *data, size_t size, ImportFormat format,
                             const QString &logFormat = {})
{
    const QString path = scratchFile(data, size);
    ResultImportOptions options;
    options.format = format;
    options.logFormat = logFormat;
    ParsedResult parsed;
    ImportReport report;
    if (parseResultFile(path, options, &parsed, &report)) {
        if (!report.error.isEmpty())
            __builtin_trap(); // success with an error message
        (void)importedResultFor(parsed, options, QStringLiteral("fuzz"));
    } else if (report.error.isEmpty()) {
        __builtin_trap(); // a refusal must say why
    }
}

} // namespace loadscope::fuzz
