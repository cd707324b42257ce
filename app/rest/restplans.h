#pragma once

#include <optional>

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

#include "interop/planimport.h"
#include "plan/planvalidator.h"
#include "plan/testplan.h"

// Request bodies of the REST API turned into plans: a full plan ("loadscope.plan/1"), the
// original framework's short form of POST /tests and its POST /load-test body. The short
// forms are plan overrides (plan/planoverrides.h) as `loadscope-cli run`'s flags are, so that
// {"testType": "LOAD_TEST", "duration": 60} means exactly `run --type=LOAD_TEST --duration=60`.

namespace loadscope {

//! Why the REST API refuses a request: HTTP status, message and the JSON field it is about.
struct RestError
{
    int status = 400;
    QString message;
    QString field;       //!< JSON path of the offending field ("steps[0].method"), or empty
    QJsonArray problems; //!< every problem as {field, message} (invalid plans)
    QJsonObject extra;   //!< more members of the error body (e.g. runningResultId)

    //! {"error": message, "field"?: ..., "problems"?: [...], ...extra}
    QJsonObject toJson() const;
};

//! A RestError from "path: message" lines (planFromJson / planErrors output), one problem each.
RestError restErrorFromProblems(const QStringList &lines, const QString &prefix = QString());

//! Adds the keys a request body sets twice (plan/planjsonreader.h duplicateJsonKeys) to
//! @p error's problems, before any others: QJsonDocument keeps the last of two equal keys, so
//! such a body is refused, and one 400 lists the duplicates with every other problem found.
//! @p refused says whether @p error already holds a refusal. True when there were duplicates.
bool addDuplicateKeys(const QList<PlanIssue> &duplicates, bool refused, RestError *error);

//! The plan of a POST /api/performance/tests body: a full plan when it has "schema" or
//! "steps", otherwise the short form {name, testType, duration, concurrency, targetEndpoint}
//! (also: description, baseUrl, method, thresholds, versionLabel). Validated.
std::optional<TestPlan> planFromTestBody(const QJsonObject &body, RestError *error);

//! The plan of a POST /api/performance/load-test body: {name, stages: [{duration, target}],
//! targetEndpoints: [paths or URLs]} (also: description, baseUrl, method, thresholds,
//! versionLabel) as a ramping-vus plan. Validated.
std::optional<TestPlan> planFromLoadTestBody(const QJsonObject &body, RestError *error);

//! The plan of a POST /api/performance/tests?from=har|curl|postman|openapi body: the source
//! imported as `loadscope-cli plan import` does, then validated. A bad source is a 400 whose
//! message names the place in it; an unknown ?from= names "from".
std::optional<ImportResult> planFromImportBody(const QByteArray &body, const QString &from,
                                               RestError *error);

//! What an import took and left out, as the "import" member of the reply.
QJsonObject importSummaryJson(const ImportResult &imported);

} // namespace loadscope
