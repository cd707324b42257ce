#pragma once

#include <optional>

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include "plan/testplan.h"

namespace loadscope {

//! Where an imported plan comes from.
enum class PlanSource
{
    Auto,
    Curl,
    Har,
    Postman,
    OpenApi
};

//! "auto", "curl", "har", "postman", "openapi".
QString planSourceName(PlanSource source);
//! Parses a --format / ?from= value (case-insensitive).
std::optional<PlanSource> planSourceFromString(QStringView name);
//! Guesses the format of @p bytes: JSON with "log.entries" is HAR, "info._postman_id" or a
//! Postman schema is Postman, "openapi:" (JSON or YAML) is OpenAPI, "curl" is curl.
PlanSource detectPlanSource(const QByteArray &bytes);

//! A value from an earlier response that a later request sends again: the importer turned it
//! into an extraction on step @c fromStep and {{variable}} where it reappears.
struct Correlation
{
    QString variable;
    QString value;      //!< as recorded
    int fromStep = -1;  //!< index of the step that extracts it
    QString source;     //!< "jsonPointer /token", "header X-CSRF-Token"
    QStringList usedIn; //!< "steps[3].headers.Authorization", "steps[4].path", ...
};

//! What an import made of its source, for a person to check.
struct ImportResult
{
    TestPlan plan;
    QStringList taken;   //!< one line per step or setting taken
    QStringList leftOut; //!< what the source had that the plan does not (never dropped silently)
    QList<Correlation> correlations;
};

struct ImportOptions
{
    PlanSource format = PlanSource::Auto;
    QStringList includeHosts;      //!< HAR: hosts kept besides the first request's
    QString sourceName;            //!< file name, for messages and the plan's default name
    QByteArray postmanEnvironment; //!< Postman: an exported environment; overrides variables
};

//! Imports a plan from @p bytes (curl commands, HAR, Postman collection, OpenAPI document).
//! On failure @p error names the place ("entries[3].request: ...", "line 2, column 9: ...").
std::optional<ImportResult> importPlan(const QByteArray &bytes, const ImportOptions &options,
                                       QString *error);

//! Sets the plan's base URL to the origin most steps use and makes those steps relative;
//! steps on another origin keep their absolute URL. @p urls are the steps' absolute URLs.
void setBaseUrlFromSteps(TestPlan &plan);

//! The plan import of curl commands (one step each, see importCurlCommands).
std::optional<ImportResult> importCurlPlan(const QString &text, QString *error);

} // namespace loadscope
