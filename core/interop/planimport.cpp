#include "planimport.h"

#include <QFileInfo>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

#include "interop/curlimport.h"
#include "interop/harimport.h"
#include "interop/openapiimport.h"
#include "interop/postmanimport.h"

namespace loadscope {

namespace {

//! "scheme://host[:port]" of an absolute http(s) URL, else empty.
QString originOf(const QString &url)
{
    if (!url.startsWith(QLatin1String("http://")) && !url.startsWith(QLatin1String("https://")))
        return {};
    return url.left(urlPathStart(url));
}

} // namespace

QString planSourceName(PlanSource source)
{
    switch (source) {
    case PlanSource::Auto:
        return QStringLiteral("auto");
    case PlanSource::Curl:
        return QStringLiteral("curl");
    case PlanSource::Har:
        return QStringLiteral("har");
    case PlanSource::Postman:
        return QStringLiteral("postman");
    case PlanSource::OpenApi:
        return QStringLiteral("openapi");
    }
    return {};
}

std::optional<PlanSource> planSourceFromString(QStringView name)
{
    for (const PlanSource source : {PlanSource::Auto, PlanSource::Curl, PlanSource::Har,
                                    PlanSource::Postman, PlanSource::OpenApi}) {
        if (name.compare(planSourceName(source), Qt::CaseInsensitive) == 0)
            return source;
    }
    return std::nullopt;
}

PlanSource detectPlanSource(const QByteArray &raw)
{
    const QByteArray bytes = withoutBom(raw);
    const QByteArray start = bytes.trimmed().left(64);
    // YAML OpenAPI: a top-level "openapi:" key (comments may come first).
    if (bytes.startsWith("openapi:") || bytes.contains("\nopenapi:"))
        return PlanSource::OpenApi;
    if (start.startsWith("curl") || start.startsWith('#'))
        return PlanSource::Curl;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes);
    if (doc.isObject()) {
        const QJsonObject root = doc.object();
        if (root.value(QLatin1String("log")).isObject())
            return PlanSource::Har;
        if (root.contains(QLatin1String("openapi")) || root.contains(QLatin1String("swagger")))
            return PlanSource::OpenApi;
        if (root.value(QLatin1String("info")).isObject() && root.contains(QLatin1String("item")))
            return PlanSource::Postman;
    }
    if (start.startsWith('{'))
        return PlanSource::Har; // JSON of no known kind: HAR gives the most precise message
    return PlanSource::Curl;
}

void setBaseUrlFromSteps(TestPlan &plan)
{
    QHash<QString, int> counts;
    QString best;
    for (const Step &step : std::as_const(plan.steps)) {
        const QString origin = originOf(step.path);
        if (origin.isEmpty())
            continue;
        const int count = ++counts[origin];
        if (best.isEmpty() || count > counts.value(best))
            best = origin;
    }
    if (best.isEmpty())
        return;
    plan.baseUrl = best;
    for (Step &step : plan.steps) {
        if (originOf(step.path) == best) {
            step.path = step.path.mid(best.size());
            if (!step.path.startsWith(u'/'))
                step.path.prepend(u'/');
        }
    }
}

std::optional<ImportResult> importCurlPlan(const QString &text, QString *error)
{
    const auto commands = importCurlCommands(text, error);
    if (!commands)
        return std::nullopt;
    ImportResult result;
    result.plan.name = QStringLiteral("curl import");
    for (qsizetype i = 0; i < commands->size(); ++i) {
        const CurlImport &one = commands->at(i);
        Step step = one.step;
        step.path = one.baseUrl + step.path;
        result.plan.steps.append(step);
        result.taken.append(QStringLiteral("steps[%1]: %2 %3").arg(i).arg(step.method, step.path));
        for (const QString &option : one.ignored)
            result.leftOut.append(QStringLiteral("steps[%1]: curl option %2 (no plan equivalent)")
                                      .arg(i)
                                      .arg(option));
        if (one.insecure && !result.plan.insecureSkipTlsVerify) {
            result.plan.insecureSkipTlsVerify = true;
            result.taken.append(QStringLiteral("insecureSkipTlsVerify: from -k/--insecure"));
        }
    }
    setBaseUrlFromSteps(result.plan);
    return result;
}

std::optional<ImportResult> importPlan(const QByteArray &bytes, const ImportOptions &options,
                                       QString *error)
{
    PlanSource format = options.format;
    if (format == PlanSource::Auto)
        format = detectPlanSource(bytes);
    std::optional<ImportResult> result;
    switch (format) {
    case PlanSource::Auto:
    case PlanSource::Curl: {
        QString text = QString::fromUtf8(bytes);
        if (text.startsWith(QChar(0xFEFF)))
            text.remove(0, 1);
        result = importCurlPlan(text, error);
        break;
    }
    case PlanSource::Har:
        result = importHar(bytes, options, error);
        break;
    case PlanSource::Postman:
        result = importPostman(bytes, error, options.postmanEnvironment);
        break;
    case PlanSource::OpenApi:
        result = importOpenApi(bytes, error);
        break;
    }
    if (result && !options.sourceName.isEmpty() &&
        result->plan.name.endsWith(QLatin1String(" import")))
        result->plan.name = QFileInfo(options.sourceName).completeBaseName();
    return result;
}

} // namespace loadscope
