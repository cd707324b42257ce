#include "planoverrides.h"

#include <algorithm>
#include <cmath>

#include <QRegularExpression>
#include <QUrl>

#include "plan/duration.h"
#include "plan/thresholdexpression.h"

namespace loadscope {
namespace {

QString quoted(const QString &value)
{
    return u'"' + value + u'"';
}

double peakTarget(const QList<Stage> &stages)
{
    double peak = 0;
    for (const Stage &s : stages)
        peak = std::max(peak, s.target);
    return peak;
}

//! Stretches or compresses ramping stages so they last @p totalMs, keeping the shape.
void scaleStagesTo(QList<Stage> &stages, qint64 totalMs)
{
    qint64 current = 0;
    for (const Stage &s : stages)
        current += s.durationMs;
    if (current <= 0)
        return;
    qint64 assigned = 0;
    for (int i = 0; i < stages.size(); ++i) {
        if (i + 1 == stages.size()) {
            stages[i].durationMs = totalMs - assigned;
        } else {
            stages[i].durationMs = qRound64(double(stages[i].durationMs) * totalMs / current);
            assigned += stages[i].durationMs;
        }
    }
}

//! Scales stage targets so that the highest becomes @p peak.
void scaleTargetsTo(QList<Stage> &stages, double peak)
{
    const double current = peakTarget(stages);
    for (Stage &s : stages)
        s.target = current > 0 ? std::round(s.target * peak / current * 1000.0) / 1000.0 : peak;
}

//! Splits an absolute endpoint URL into base URL and path; leaves a path as it is.
bool applyEndpoint(const QString &endpoint, TestPlan &plan, QString *path, QString *error)
{
    if (endpoint.startsWith(u'/')) {
        *path = endpoint;
        return true;
    }
    const QUrl url(endpoint, QUrl::StrictMode);
    if (url.isValid() &&
        (url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https")) &&
        !url.host().isEmpty()) {
        QUrl base = url.adjusted(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment);
        const QString baseText = base.toString();
        if (!plan.baseUrl.isEmpty() && plan.baseUrl != baseText) {
            *error = quoted(endpoint) + QStringLiteral(" is on another host than the base URL ") +
                     quoted(plan.baseUrl);
            return false;
        }
        plan.baseUrl = baseText;
        *path = url.path(QUrl::FullyEncoded).isEmpty() ? QStringLiteral("/")
                                                       : url.path(QUrl::FullyEncoded);
        if (url.hasQuery())
            *path += u'?' + url.query(QUrl::FullyEncoded);
        return true;
    }
    *error = quoted(endpoint) +
             QStringLiteral(" is neither a path starting with \"/\" nor an http(s) URL");
    return false;
}

bool fail(PlanOverrideError *error, const char *key, const QString &message)
{
    error->key = QString::fromLatin1(key);
    error->message = message;
    return false;
}

bool wholeNumber(const std::optional<QString> &text, const char *key, int min, int *value,
                 PlanOverrideError *error)
{
    if (!text)
        return true;
    bool ok = false;
    const int v = text->toInt(&ok);
    if (!ok || v < min)
        return fail(error, key,
                    quoted(*text) + QStringLiteral(" is not a whole number >= ") +
                        QString::number(min));
    *value = v;
    return true;
}

} // namespace

std::optional<QList<Stage>> parseStageList(const QString &text, QString *error)
{
    QList<Stage> stages;
    const QStringList parts = text.split(u',', Qt::SkipEmptyParts);
    if (parts.isEmpty()) {
        *error = QStringLiteral("expected DURATION:TARGET[,DURATION:TARGET...]");
        return std::nullopt;
    }
    for (int i = 0; i < parts.size(); ++i) {
        const QString part = parts[i].trimmed();
        const qsizetype colon = part.indexOf(u':');
        QString why;
        const auto duration =
            colon > 0 ? parseDurationMs(part.left(colon).trimmed(), &why) : std::optional<qint64>();
        bool ok = false;
        const double target = colon > 0 ? part.mid(colon + 1).trimmed().toDouble(&ok) : 0.0;
        if (!duration || !ok || target < 0 || !std::isfinite(target)) {
            *error = QStringLiteral("stage ") + QString::number(i + 1) + QStringLiteral(" ") +
                     quoted(part) + QStringLiteral(" is not DURATION:TARGET") +
                     (why.isEmpty() ? QString() : QStringLiteral(" (") + why + u')');
            return std::nullopt;
        }
        stages.append(Stage{*duration, target});
    }
    return stages;
}

std::optional<ThresholdSpec> parseThresholdText(const QString &text, QString *error)
{
    ThresholdSpec spec;
    QString expression = text.trimmed();
    static const QRegularExpression abortSuffix(QStringLiteral("\\s*;\\s*abortOnFail\\s*$"),
                                                QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch abort = abortSuffix.match(expression);
    if (abort.hasMatch()) {
        spec.abortOnFail = true;
        expression.truncate(abort.capturedStart());
    }
    static const QRegularExpression withMetric(
        QStringLiteral("^([A-Za-z_][A-Za-z0-9_:.-]*?(\\{[^}]*\\})?)\\s*[:=]\\s*(\\S.*)$"));
    const QRegularExpressionMatch m = withMetric.match(expression);
    // "p(95)<200" has no metric; "http_req_duration{name:x}: p(95)<200" has one.
    if (m.hasMatch() && !m.captured(1).contains(u'(')) {
        spec.metric = m.captured(1);
        expression = m.captured(3).trimmed();
    }
    QString why;
    const auto parsed = ThresholdExpression::parse(expression, &why);
    if (!parsed) {
        *error = quoted(text) + QStringLiteral(" is not a threshold expression: ") + why;
        return std::nullopt;
    }
    if (spec.metric.isEmpty()) {
        switch (parsed->aggregation) {
        case ThresholdExpression::Rate:
            spec.metric = QStringLiteral("http_req_failed");
            break;
        case ThresholdExpression::Count:
            spec.metric = QStringLiteral("http_reqs");
            break;
        default:
            spec.metric = QStringLiteral("http_req_duration");
            break;
        }
    }
    spec.expression = expression;
    return spec;
}

bool applyPlanOverrides(TestPlan &plan, const PlanOverrides &o, PlanOverrideError *error)
{
    if (o.baseUrl)
        plan.baseUrl = *o.baseUrl;

    const QString method = o.method.toUpper();
    if (!o.endpoints.isEmpty()) {
        plan.steps.clear();
        for (const QString &endpoint : o.endpoints) {
            Step step;
            QString why;
            if (!applyEndpoint(endpoint, plan, &step.path, &why))
                return fail(error, "endpoint", why);
            step.method = method.isEmpty() ? QStringLiteral("GET") : method;
            plan.steps.append(step);
        }
    } else if (!method.isEmpty()) {
        for (Step &step : plan.steps)
            step.method = method;
    }

    LoadModel &load = plan.load;
    if (o.stages) {
        QString why;
        const auto stages = parseStageList(*o.stages, &why);
        if (!stages)
            return fail(error, "stages", why);
        load.stages = *stages;
        load.executor = isOpenModel(load.executor) || o.rate ? Executor::RampingArrivalRate
                                                             : Executor::RampingVus;
    }
    if (o.rate) {
        bool ok = false;
        const double rate = o.rate->toDouble(&ok);
        if (!ok || rate <= 0 || !std::isfinite(rate))
            return fail(error, "rate",
                        quoted(*o.rate) +
                            QStringLiteral(" is not a positive number of requests per second"));
        if (load.executor == Executor::RampingArrivalRate) {
            scaleTargetsTo(load.stages, rate);
        } else {
            const qint64 total = load.totalDurationMs();
            const int vus =
                load.executor == Executor::RampingVus ? int(peakTarget(load.stages)) : load.vus;
            load.executor = Executor::ConstantArrivalRate;
            load.durationMs = total;
            load.rate = rate;
            load.timeUnitMs = 1000;
            load.preAllocatedVus = std::max(1, vus);
            load.maxVus = std::max(load.preAllocatedVus, std::max(load.maxVus, vus * 10));
        }
    }
    if (o.duration) {
        QString why;
        const auto ms = parseDurationMs(*o.duration, &why);
        if (!ms || *ms <= 0)
            return fail(error, "duration",
                        quoted(*o.duration) + QStringLiteral(" is not a positive duration") +
                            (why.isEmpty() ? QString() : QStringLiteral(": ") + why));
        if (isRamping(load.executor))
            scaleStagesTo(load.stages, *ms);
        else
            load.durationMs = *ms;
    }
    if (o.concurrency) {
        int vus = 0;
        if (!wholeNumber(o.concurrency, "concurrency", 1, &vus, error))
            return false;
        switch (load.executor) {
        case Executor::ConstantVus:
            load.vus = vus;
            break;
        case Executor::RampingVus:
            scaleTargetsTo(load.stages, vus);
            break;
        case Executor::ConstantArrivalRate:
        case Executor::RampingArrivalRate:
            load.maxVus = vus;
            load.preAllocatedVus = std::min(load.preAllocatedVus, vus);
            break;
        }
    }
    if (!wholeNumber(o.threads, "threads", 1, &plan.threads, error))
        return false;
    if (o.timeout) {
        QString why;
        const auto ms = parseDurationMs(*o.timeout, &why);
        if (!ms || *ms <= 0)
            return fail(error, "timeout",
                        quoted(*o.timeout) + QStringLiteral(" is not a positive duration"));
        plan.timeouts.requestMs = *ms;
    }
    if (o.http2)
        plan.http2 = true;
    if (o.http) {
        if (*o.http == QLatin1String("2")) {
            plan.http2 = true;
            plan.httpAuto = false;
        } else if (*o.http == QLatin1String("auto") || *o.http == QLatin1String("1.1")) {
            plan.http2 = false;
            plan.httpAuto = *o.http == QLatin1String("auto");
        } else {
            return fail(error, "http",
                        quoted(*o.http) +
                            QStringLiteral(" is not an HTTP version: 1.1, 2 or auto"));
        }
    }
    if (o.transport) {
        if (*o.transport != QLatin1String("lean") && *o.transport != QLatin1String("qnam"))
            return fail(error, "transport",
                        quoted(*o.transport) +
                            QStringLiteral(" is not a transport: lean (the default) or qnam"));
        plan.transport = *o.transport;
    }
    if (!wholeNumber(o.connections, "connections", 1, &plan.connections, error) ||
        !wholeNumber(o.maxStreams, "max-streams", 1, &plan.maxStreams, error))
        return false;
    if (o.insecure)
        plan.insecureSkipTlsVerify = true;
    if (o.versionLabel)
        plan.versionLabel = *o.versionLabel;
    if (o.thresholds && !o.thresholds->isEmpty()) {
        plan.thresholds.clear();
        for (const QString &text : *o.thresholds) {
            QString why;
            const auto spec = parseThresholdText(text, &why);
            if (!spec)
                return fail(error, "threshold", why);
            plan.thresholds.append(*spec);
        }
    }
    return true;
}

} // namespace loadscope
