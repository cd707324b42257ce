#pragma once

#include <optional>

#include <QJsonValue>
#include <QList>
#include <QMap>
#include <QPair>
#include <QString>
#include <QStringList>

namespace loadscope {

//! The seven test types of the original framework; each is a preset over one plan model.
enum class TestType
{
    ApiLatency,
    LoadTest,
    StressTest,
    MlPredictionThroughput,
    SignalGeneration,
    StrategyExecution,
    EndToEnd
};

//! Every test type, in declaration order.
QList<TestType> allTestTypes();
//! CLI name of @p type, e.g. "API_LATENCY".
QString testTypeName(TestType type);
//! Parses a CLI name case-insensitively ("load_test" -> LoadTest).
std::optional<TestType> testTypeFromString(QStringView name);

//! k6 executors: how virtual users or arrivals are scheduled.
enum class Executor
{
    ConstantVus,
    RampingVus,
    ConstantArrivalRate,
    RampingArrivalRate
};

//! k6 name of @p executor, e.g. "ramping-vus".
QString executorName(Executor executor);
//! Parses a k6 executor name case-insensitively.
std::optional<Executor> executorFromString(QStringView name);
//! True for the arrival-rate (open model) executors.
bool isOpenModel(Executor executor);
//! True for the executors driven by stages.
bool isRamping(Executor executor);

//! One k6 stage: ramp linearly from the previous target to @c target over @c durationMs.
struct Stage
{
    qint64 durationMs = 0;
    double target = 0; //!< VUs (ramping-vus) or iterations per timeUnit (ramping-arrival-rate)
};

//! A response check; fields a kind does not use are ignored (also by operator==).
struct Check
{
    enum class Kind
    {
        Status,
        BodyContains,
        JsonPointerEquals,
        JsonPointerExists
    };
    Kind kind = Kind::Status;
    int status = 200; //!< Status
    QString pointer;  //!< JsonPointerEquals, JsonPointerExists (RFC 6901)
    QJsonValue value; //!< JsonPointerEquals
    QString text;     //!< BodyContains
};

//! JSON name of a check kind ("status", "bodyContains", ...).
QString checkKindName(Check::Kind kind);
//! Parses a JSON check kind name (exact case).
std::optional<Check::Kind> checkKindFromString(QStringView name);

//! Takes a value out of a response into a variable later steps use as {{name}}.
//! An extracted JSON object or array becomes its compact JSON text.
struct Extraction
{
    enum class Source
    {
        JsonPointer,
        Header,
        Regex
    };
    QString name;
    Source source = Source::JsonPointer;
    QString expression; //!< JSON pointer, header name, or regular expression
    int group = 1;      //!< Regex only: capture group to take (0 = whole match)
};

//! JSON name of an extraction source ("jsonPointer", "header", "regex").
QString extractionSourceName(Extraction::Source source);
//! Parses a JSON extraction source name (exact case).
std::optional<Extraction::Source> extractionSourceFromString(QStringView name);

//! One request of an iteration. Path, header values and body may hold {{name}} references.
struct Step
{
    QString name;
    QString method = QStringLiteral("GET");
    QString path; //!< "/api/x" relative to the base URL, or an absolute http(s) URL
    QList<QPair<QString, QString>> headers; //!< order kept, duplicates allowed
    QString body;
    QString bodyFile;
    QList<Check> checks;
    QList<Extraction> extractions;
    qint64 thinkTimeMs = 0;

    //! The name if set, otherwise "METHOD path".
    QString displayName() const;
};

//! How load is applied over time (k6 scenario options).
struct LoadModel
{
    Executor executor = Executor::ConstantVus;
    int vus = 1;                       //!< constant-vus
    qint64 durationMs = 30000;         //!< constant-vus, constant-arrival-rate
    QList<Stage> stages;               //!< ramping-vus, ramping-arrival-rate
    int startVus = 0;                  //!< ramping-vus
    double startRate = 0;              //!< ramping-arrival-rate, iterations per timeUnit
    double rate = 10;                  //!< constant-arrival-rate, iterations per timeUnit
    qint64 timeUnitMs = 1000;          //!< arrival-rate executors
    int preAllocatedVus = 10;          //!< arrival-rate executors
    int maxVus = 100;                  //!< arrival-rate executors
    qint64 gracefulRampDownMs = 30000; //!< ramping-vus
    qint64 gracefulStopMs = 30000;

    //! Planned length: the sum of the stages for ramping executors, the duration otherwise.
    qint64 totalDurationMs() const;
    //! Planned VUs (closed model) or iterations per timeUnit (open model) at @p ms after the
    //! start, linear within a stage as k6 ramps; 0 outside [0, totalDurationMs()].
    double targetAt(qint64 ms) const;
};

//! A pass/fail criterion on a metric, k6 style: metric "http_req_duration{name:login}",
//! expression "p(95)<200".
struct ThresholdSpec
{
    QString metric;
    QString expression;
    bool abortOnFail = false;
    qint64 delayAbortEvalMs = 0;
};

struct Timeouts
{
    qint64 requestMs = 30000;
    qint64 connectMs = 10000;
};

//! A whole load test plan: what to request, how hard, and what counts as passing.
struct TestPlan
{
    QString name;
    QString description;
    TestType type = TestType::LoadTest;
    QString baseUrl; //!< empty = the built-in sample target
    QList<Step> steps;
    LoadModel load;
    //! Order between different metrics is not significant (k6 keeps thresholds in an object
    //! keyed by metric); order within one metric is.
    QList<ThresholdSpec> thresholds;
    QString versionLabel;
    Timeouts timeouts;
    QString dataFile; //!< CSV with a header row: one row of variables per iteration
    QMap<QString, QString> variables;
    int threads = 0; //!< worker threads; 0 = one per core
    //! HTTP/2 (options "http": "2"): the lean HTTP/2 client, ALPN h2 over TLS or h2c with prior
    //! knowledge on http://; through Qt's network stack when transport is "qnam" or a proxy is set.
    bool http2 = false;
    //! "http": "auto": on https, ALPN picks HTTP/2 or HTTP/1.1; on http://, HTTP/1.1.
    bool httpAuto = false;
    //! "qnam": Qt's network stack (proxies, authentication challenges, redirects over HTTP/2);
    //! empty or "lean": the lean clients.
    QString transport;
    int connections = 0; //!< lean HTTP/2: most connections at once; 0 = as many as streams need
    int maxStreams = 0;  //!< lean HTTP/2: concurrent streams per connection; 0 = the server's
    bool insecureSkipTlsVerify = false;
    QString proxy;
    int maxRedirects = 10; //!< redirects followed per request, as k6's maxRedirects; 0 = none
    //! A response whose status line and headers are longer fails as a protocol error.
    qint64 maxHeaderBytes = 64 * 1024;
    qint64 intervalMs = 1000; //!< sampling interval
};

//! Names referenced as {{name}} in @p text, in order of appearance, without duplicates.
QStringList templateReferences(const QString &text);

bool operator==(const Stage &a, const Stage &b);
bool operator==(const Check &a, const Check &b);
bool operator==(const Extraction &a, const Extraction &b);
bool operator==(const Step &a, const Step &b);
bool operator==(const LoadModel &a, const LoadModel &b);
bool operator==(const ThresholdSpec &a, const ThresholdSpec &b);
bool operator==(const Timeouts &a, const Timeouts &b);
bool operator==(const TestPlan &a, const TestPlan &b);

inline bool operator!=(const Stage &a, const Stage &b)
{
    return !(a == b);
}
inline bool operator!=(const Check &a, const Check &b)
{
    return !(a == b);
}
inline bool operator!=(const Extraction &a, const Extraction &b)
{
    return !(a == b);
}
inline bool operator!=(const Step &a, const Step &b)
{
    return !(a == b);
}
inline bool operator!=(const LoadModel &a, const LoadModel &b)
{
    return !(a == b);
}
inline bool operator!=(const ThresholdSpec &a, const ThresholdSpec &b)
{
    return !(a == b);
}
inline bool operator!=(const Timeouts &a, const Timeouts &b)
{
    return !(a == b);
}
inline bool operator!=(const TestPlan &a, const TestPlan &b)
{
    return !(a == b);
}

} // namespace loadscope
