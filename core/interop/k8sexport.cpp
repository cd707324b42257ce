#include "k8sexport.h"

#include <yaml-cpp/yaml.h>

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include "engine/scenario.h"
#include "plan/executionsegment.h"
#include "plan/planjson.h"

namespace loadscope {
namespace {

QString key(const char *name)
{
    return QLatin1String(name);
}

// A ConfigMap's data may not exceed 1 MiB (etcd's object limit).
constexpr qint64 kConfigMapLimit = 1024 * 1024;

//! ConfigMap keys allow [-._a-zA-Z0-9]: "body-0-payload.json".
QString configMapKey(const QString &prefix, const QString &fileName)
{
    QString name = QFileInfo(fileName).fileName();
    static const QRegularExpression bad(QStringLiteral("[^-._a-zA-Z0-9]"));
    name.replace(bad, QStringLiteral("_"));
    return prefix + name;
}

bool readInto(const QString &path, const QString &field, QByteArray *bytes, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = field + QStringLiteral(": cannot read ") + path + QStringLiteral(": ") +
                 file.errorString();
        return false;
    }
    *bytes = file.readAll();
    return true;
}

//! Emits @p value as YAML. Every string is quoted (multi-line ones as literal blocks), so that
//! nothing a YAML 1.1 reader would take for a number, a boolean or a timestamp changes type:
//! "1", "on" and the start time stay strings.
void emitYaml(YAML::Emitter &out, const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Object: {
        out << YAML::BeginMap;
        const QJsonObject object = value.toObject();
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            out << YAML::Key << it.key().toStdString() << YAML::Value;
            emitYaml(out, it.value());
        }
        out << YAML::EndMap;
        return;
    }
    case QJsonValue::Array: {
        const QJsonArray items = value.toArray();
        out << YAML::BeginSeq;
        for (const QJsonValue &item : items)
            emitYaml(out, item);
        out << YAML::EndSeq;
        return;
    }
    case QJsonValue::Bool:
        out << value.toBool();
        return;
    case QJsonValue::Double: {
        const double d = value.toDouble();
        if (d == double(qint64(d)))
            out << qint64(d);
        else
            out << d;
        return;
    }
    case QJsonValue::String: {
        const QString text = value.toString();
        out << (text.contains(u'\n') ? YAML::Literal : YAML::DoubleQuoted) << text.toStdString();
        return;
    }
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out << YAML::Null;
        return;
    }
}

} // namespace

QString kubernetesName(const QString &text, int maxLength)
{
    QString name = text.toLower();
    static const QRegularExpression bad(QStringLiteral("[^a-z0-9]+"));
    name.replace(bad, QStringLiteral("-"));
    name = name.left(maxLength);
    while (name.startsWith(u'-'))
        name.remove(0, 1);
    while (name.endsWith(u'-'))
        name.chop(1);
    return name.isEmpty() ? QStringLiteral("loadscope") : name;
}

std::optional<QJsonArray> k8sManifest(const TestPlan &plan, const K8sExportOptions &options,
                                      QString *error)
{
    if (options.agents < 1 || options.agents > ExecutionSegment::kMaxCount) {
        *error = QStringLiteral("--agents: %1 is not from 1 to %2")
                     .arg(options.agents)
                     .arg(ExecutionSegment::kMaxCount);
        return std::nullopt;
    }
    if (plan.baseUrl.isEmpty()) {
        *error = QStringLiteral("baseUrl: the plan has none, so each agent would test a sample "
                                "API of its own; give the URL the pods reach the target at "
                                "(--base-url or the plan's baseUrl)");
        return std::nullopt;
    }
    const ExecutionSegment last{options.agents - 1, options.agents};
    if (const QStringList problems = last.problems(plan); !problems.isEmpty()) {
        *error = problems.join(QStringLiteral("; "));
        return std::nullopt;
    }

    // The plan as the pods read it, with its files beside it in the ConfigMap.
    TestPlan inPod = plan;
    QJsonObject data;
    qint64 bytes = 0;
    if (!plan.dataFile.isEmpty()) {
        QByteArray csv;
        if (!readInto(plan.dataFile, QStringLiteral("dataFile"), &csv, error))
            return std::nullopt;
        // Every agent needs rows of its own: counted as the engine reads them.
        const auto rows = readDataFile(plan.dataFile, error);
        if (!rows)
            return std::nullopt;
        if (const QStringList problems = last.problems(plan, rows->size()); !problems.isEmpty()) {
            *error = problems.join(QStringLiteral("; "));
            return std::nullopt;
        }
        const QString name = configMapKey(QStringLiteral("data-"), plan.dataFile);
        data.insert(name, QString::fromUtf8(csv));
        bytes += csv.size();
        inPod.dataFile = QStringLiteral("/plan/") + name;
    }
    for (qsizetype i = 0; i < inPod.steps.size(); ++i) {
        Step &step = inPod.steps[i];
        if (step.bodyFile.isEmpty())
            continue;
        QByteArray body;
        if (!readInto(step.bodyFile, QStringLiteral("steps[%1].bodyFile").arg(i), &body, error))
            return std::nullopt;
        const QString name = configMapKey(QStringLiteral("body-%1-").arg(i), step.bodyFile);
        data.insert(name, QString::fromUtf8(body));
        bytes += body.size();
        step.bodyFile = QStringLiteral("/plan/") + name;
    }
    const QByteArray planJson = QJsonDocument(toJson(inPod)).toJson(QJsonDocument::Indented);
    data.insert(key("plan.json"), QString::fromUtf8(planJson));
    bytes += planJson.size();
    if (bytes > kConfigMapLimit) {
        *error = QStringLiteral("the plan and its files are %1 bytes, more than the 1 MiB a "
                                "ConfigMap holds; use a smaller data file")
                     .arg(bytes);
        return std::nullopt;
    }

    const QString name = kubernetesName(plan.name);
    const QJsonObject labels{{key("app.kubernetes.io/name"), key("loadscope-agent")},
                             {key("app.kubernetes.io/instance"), name}};
    const QJsonObject configMap{
        {key("apiVersion"), key("v1")},
        {key("kind"), key("ConfigMap")},
        {key("metadata"), QJsonObject{{key("name"), QString(name + QStringLiteral("-plan"))},
                                      {key("namespace"), options.namespaceName},
                                      {key("labels"), labels}}},
        {key("data"), data}};

    const QString n = QString::number(options.agents);
    QJsonArray command{key("loadscope-cli"),
                       key("run"),
                       key("/plan/plan.json"),
                       QString(QStringLiteral("--segment=$(JOB_COMPLETION_INDEX)/") + n),
                       QStringLiteral("--start-at=$(LOADSCOPE_START_AT)"),
                       key("--quiet")};
    QJsonArray env{
        QJsonObject{{key("name"), key("LOADSCOPE_START_AT")},
                    {key("value"), options.startAt.toUTC().toString(Qt::ISODateWithMs)}}};
    if (options.reportTo.isEmpty()) {
        command.append(key("--report-to=-")); // the result is the last line of `kubectl logs`
    } else {
        command.append(QString(QStringLiteral("--report-to=") + options.reportTo));
        // The workbench's token, from a Secret the user creates (optional: an open endpoint
        // needs none).
        env.append(QJsonObject{
            {key("name"), key("LOADSCOPE_TOKEN")},
            {key("valueFrom"),
             QJsonObject{{key("secretKeyRef"),
                          QJsonObject{{key("name"), QString(name + QStringLiteral("-token"))},
                                      {key("key"), key("token")},
                                      {key("optional"), true}}}}}});
    }
    const QJsonObject container{
        {key("name"), key("agent")},
        {key("image"), options.image},
        {key("command"), command},
        {key("env"), env},
        {key("resources"),
         QJsonObject{{key("requests"),
                      QJsonObject{{key("cpu"), options.cpu}, {key("memory"), options.memory}}}}},
        {key("volumeMounts"), QJsonArray{QJsonObject{{key("name"), key("plan")},
                                                     {key("mountPath"), key("/plan")},
                                                     {key("readOnly"), true}}}}};
    // Preferred, not required: with fewer nodes than agents the run still starts (two agents
    // then share a node, and their resources say so).
    const QJsonObject antiAffinity{
        {key("podAntiAffinity"),
         QJsonObject{{key("preferredDuringSchedulingIgnoredDuringExecution"),
                      QJsonArray{QJsonObject{
                          {key("weight"), 100},
                          {key("podAffinityTerm"),
                           QJsonObject{{key("topologyKey"), key("kubernetes.io/hostname")},
                                       {key("labelSelector"),
                                        QJsonObject{{key("matchLabels"), labels}}}}}}}}}}};
    const QJsonObject job{
        {key("apiVersion"), key("batch/v1")},
        {key("kind"), key("Job")},
        {key("metadata"), QJsonObject{{key("name"), name},
                                      {key("namespace"), options.namespaceName},
                                      {key("labels"), labels}}},
        {key("spec"),
         QJsonObject{
             {key("completionMode"), key("Indexed")},
             {key("completions"), options.agents},
             {key("parallelism"), options.agents},
             // A retried agent would run its segment after the others: the merge names it
             // missing instead.
             {key("backoffLimit"), 0},
             {key("ttlSecondsAfterFinished"), 86400},
             {key("template"),
              QJsonObject{
                  {key("metadata"), QJsonObject{{key("labels"), labels}}},
                  {key("spec"),
                   QJsonObject{
                       {key("restartPolicy"), key("Never")},
                       {key("affinity"), antiAffinity},
                       {key("containers"), QJsonArray{container}},
                       {key("volumes"),
                        QJsonArray{QJsonObject{
                            {key("name"), key("plan")},
                            {key("configMap"),
                             QJsonObject{
                                 {key("name"), QString(name + QStringLiteral("-plan"))}}}}}}}}}}}}};
    return QJsonArray{configMap, job};
}

QByteArray manifestToYaml(const QJsonArray &objects)
{
    YAML::Emitter out;
    for (const QJsonValue &object : objects) {
        out << YAML::BeginDoc;
        emitYaml(out, object);
    }
    return QByteArray(out.c_str()) + '\n';
}

QByteArray manifestToJson(const QJsonArray &objects)
{
    return QJsonDocument(QJsonObject{{key("apiVersion"), key("v1")},
                                     {key("kind"), key("List")},
                                     {key("items"), objects}})
        .toJson(QJsonDocument::Indented);
}

} // namespace loadscope
