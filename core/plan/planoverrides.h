#pragma once

#include <optional>

#include <QList>
#include <QString>
#include <QStringList>

#include "plan/testplan.h"

namespace loadscope {

//! Changes applied to a plan from outside it: `loadscope-cli run`'s flags and the REST API's
//! short forms ({testType, duration, concurrency, targetEndpoint, ...}) both map onto this, so
//! that one rule decides what "--duration=60" or {"duration": 60} does to a plan. Values are
//! the text a person typed (a duration may be "30s" or "30"); applyPlanOverrides() checks them.
struct PlanOverrides
{
    std::optional<QString> baseUrl;
    QStringList endpoints; //!< paths or absolute URLs; replace the plan's steps when not empty
    QString method;        //!< of the endpoints' steps, or of every step when no endpoints
    std::optional<QString> stages; //!< "30s:10,60s:50"
    std::optional<QString> rate;   //!< requests per second: makes a closed model open
    std::optional<QString> duration;
    std::optional<QString> concurrency;
    std::optional<QString> threads;
    std::optional<QString> timeout;
    std::optional<QString> versionLabel;
    std::optional<QStringList> thresholds; //!< replace the plan's thresholds
    bool http2 = false;
    std::optional<QString> http;        //!< "1.1", "2" or "auto"
    std::optional<QString> transport;   //!< "lean" or "qnam"
    std::optional<QString> connections; //!< lean HTTP/2: connections at most
    std::optional<QString> maxStreams;  //!< lean HTTP/2: concurrent streams per connection
    bool insecure = false;
};

//! Why an override was refused: the override's key ("duration", "endpoint", "stages", ...) and
//! what is wrong with its value. Front ends name the key their way ("--duration", "duration").
struct PlanOverrideError
{
    QString key;
    QString message;
};

//! Applies @p overrides to @p plan in a fixed order (base URL, endpoints, stages, rate,
//! duration, concurrency, the rest). Does not validate the whole plan (validatePlan does).
bool applyPlanOverrides(TestPlan &plan, const PlanOverrides &overrides, PlanOverrideError *error);

//! Parses "30s:10,60s:50,30s:0" into stages; the message names the stage that is wrong.
std::optional<QList<Stage>> parseStageList(const QString &text, QString *error);

//! Parses one threshold as typed: "p(95)<200", "http_req_duration{name:x}: p(99)<500",
//! "rate<0.01" (on http_req_failed), with an optional ";abortOnFail" suffix.
std::optional<ThresholdSpec> parseThresholdText(const QString &text, QString *error);

} // namespace loadscope
