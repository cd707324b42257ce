#pragma once

#include <atomic>
#include <functional>
#include <optional>

#include <QString>
#include <QStringList>

#include "metrics/runmetrics.h"
#include "store/storetypes.h"

namespace loadscope {

class HistoryStore;

//! The result files `loadscope-cli import` reads (DESIGN.md §4.1).
enum class ImportFormat
{
    Auto,
    K6Json,    //!< k6 --out json (NDJSON Metric/Point lines)
    K6Csv,     //!< k6 --out csv
    K6Summary, //!< k6 --summary-export / handleSummary data (aggregated)
    JmeterCsv, //!< JMeter JTL, CSV
    JmeterXml, //!< JMeter JTL, XML
    LocustCsv, //!< Locust --csv files (aggregated)
    Nginx,     //!< an nginx access log (real users), log_format given by --log-format
    Apache,    //!< an Apache access log (real users), LogFormat given by --log-format
    Combined   //!< an access log in the combined format nginx and Apache both write
};

//! "k6-json", "jmeter-csv", ... ("auto" for Auto).
QString importFormatName(ImportFormat format);
//! The format of a name importFormatName() gives; nothing for anything else.
std::optional<ImportFormat> importFormatFromName(const QString &name);
//! Every name importFormatFromName() takes, "auto" first.
QStringList importFormatNames();
//! The format of @p path from its first bytes (never its name); Auto with @p why when unknown.
ImportFormat detectImportFormat(const QString &path, QString *why);

//! How an import runs.
struct ResultImportOptions
{
    ImportFormat format = ImportFormat::Auto;
    QString testName;     //!< the test the run belongs to; default: the file's base name
    QString versionLabel; //!< the run's version label
    QString logFormat;    //!< access logs: nginx log_format / Apache LogFormat (default combined)
    //! Called now and then with bytes done and the file's size (same thread).
    std::function<void(qint64 done, qint64 total)> progress;
    const std::atomic<bool> *cancel = nullptr; //!< set to stop: nothing is stored
};

//! A file read into a run, before it is stored.
struct ParsedResult
{
    RunSummary summary;
    ResultSource source;
    QString target;
    QStringList badNotes; //!< "line 12: not JSON", the first few
    QStringList notes;    //!< what the source lacks or how it was read
};

//! What became of one file.
struct ImportReport
{
    QString path;
    ImportFormat format = ImportFormat::Auto;
    bool ok = false;
    bool duplicate = false; //!< stored already (same content hash): nothing stored again
    bool cancelled = false;
    qint64 resultId = 0; //!< the new run, or the earlier one when duplicate
    QString testName;
    qint64 requests = 0;
    int endpoints = 0;
    double durationSec = 0;
    qint64 records = 0;
    qint64 badRecords = 0;
    QStringList badNotes;
    QStringList notes;
    QString error; //!< why nothing was stored: names the file and, where it applies, the line

    //! One line for a person: "imported FILE as run #12 (k6-json, ...)" or the error.
    QString summaryLine() const;
};

//! Reads @p path into a run without storing it; false with @p report's error when the file
//! cannot be read as the format, more than 1 % of its lines are bad, or it holds no request.
bool parseResultFile(const QString &path, const ResultImportOptions &options, ParsedResult *parsed,
                     ImportReport *report);

//! Reads @p path and stores it in @p store as one run, in one transaction.
ImportReport importResultFile(HistoryStore &store, const QString &path,
                              const ResultImportOptions &options = {});

//! The rows an ImportedResult carries for @p parsed (samples, histograms, summary, plan).
ImportedResult importedResultFor(const ParsedResult &parsed, const ResultImportOptions &options,
                                 const QString &testName);

} // namespace loadscope
