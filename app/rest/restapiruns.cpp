#include <QHttpServerResponder>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTcpSocket>

#include "interop/resultjson.h"
#include "plan/planjson.h"
#include "plan/planjsonreader.h"
#include "plan/planvalidator.h"
#include "rest/restapiserver_p.h"
#include "rest/restjson.h"
#include "restapiserver.h"
#include "session/sampletarget.h"
#include "session/storedrun.h"
#include "store/historystore.h"

// The endpoints of the REST API, its one live run and the streams of interval samples.

namespace loadscope {
namespace {

QByteArray chunk(const QByteArray &data)
{
    return QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n";
}

QByteArray sseEvent(const QByteArray &event, const QJsonObject &data, qint64 id = 0)
{
    QByteArray text = "event: " + event + '\n';
    if (id > 0)
        text += "id: " + QByteArray::number(id) + '\n';
    return text + "data: " + QJsonDocument(data).toJson(QJsonDocument::Compact) + "\n\n";
}

//! "line L, column C (offset O): message" for a JSON syntax error.
RestError jsonSyntaxError(const QByteArray &body, const QJsonParseError &parseError)
{
    int line = 1;
    int column = 1;
    for (int i = 0; i < parseError.offset && i < body.size(); ++i) {
        if (body[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    RestError error;
    error.message = QStringLiteral("invalid JSON at line %1, column %2 (offset %3): %4")
                        .arg(line)
                        .arg(column)
                        .arg(parseError.offset)
                        .arg(parseError.errorString());
    error.extra = QJsonObject{{QStringLiteral("line"), line},
                              {QStringLiteral("column"), column},
                              {QStringLiteral("offset"), parseError.offset}};
    return error;
}

//! A request body read as a JSON object, with the keys it sets twice.
struct JsonBody
{
    QJsonObject object;
    QList<PlanIssue> duplicateKeys;
};

//! The request body as a JSON object; an empty body is an empty object when @p optional.
//! Request bodies nested deeper than this are refused before they are parsed: a plan is a few
//! levels deep, and a body of 100,000 '[' must not cost a recursion that deep.
constexpr int kMaxJsonDepth = 64;

//! The deepest nesting of objects and arrays in @p json (strings skipped), counting only as far
//! as @p limit + 1.
int jsonDepth(const QByteArray &json, int limit)
{
    int depth = 0;
    int deepest = 0;
    bool inString = false;
    for (qsizetype i = 0; i < json.size(); ++i) {
        const char c = json.at(i);
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
        } else if (c == '{' || c == '[') {
            deepest = std::max(deepest, ++depth);
            if (deepest > limit)
                break;
        } else if (c == '}' || c == ']') {
            --depth;
        }
    }
    return deepest;
}

std::optional<JsonBody> jsonBody(const QByteArray &body, bool optional, RestError *error)
{
    if (body.trimmed().isEmpty()) {
        if (optional)
            return JsonBody{};
        error->message = QStringLiteral("the request body is empty; expected a JSON object");
        return std::nullopt;
    }
    if (jsonDepth(body, kMaxJsonDepth) > kMaxJsonDepth) {
        error->message =
            QStringLiteral("the request body nests objects and arrays more than %1 deep")
                .arg(kMaxJsonDepth);
        return std::nullopt;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = jsonSyntaxError(body, parseError);
        return std::nullopt;
    }
    if (!document.isObject()) {
        error->message = QStringLiteral("the request body must be a JSON object");
        return std::nullopt;
    }
    return JsonBody{document.object(), duplicateJsonKeys(body)};
}

//! The plan of a request body, refused with every problem at once (keys set twice included).
std::optional<TestPlan>
planOfBody(const JsonBody &body, std::optional<TestPlan> (*read)(const QJsonObject &, RestError *),
           RestError *error)
{
    auto plan = read(body.object, error);
    if (addDuplicateKeys(body.duplicateKeys, !plan, error))
        return std::nullopt;
    return plan;
}

} // namespace

std::optional<QJsonObject> requestJsonObject(const QByteArray &body, RestError *error)
{
    const auto parsed = jsonBody(body, false, error);
    if (!parsed)
        return std::nullopt;
    return parsed->object;
}

RestApiServer::Reply RestApiServer::describe() const
{
    QJsonObject body = m_options.sandbox.toJson();
    body.insert(QStringLiteral("name"), QStringLiteral("loadscope"));
    body.insert(QStringLiteral("version"), QStringLiteral(LOADSCOPE_VERSION));
    return Reply{200, body, {}};
}

RestApiServer::Reply RestApiServer::createTest(const Request &request)
{
    RestError error;
    // ?from=har|curl|postman|openapi: the body is that source, imported into a plan.
    std::optional<ImportResult> imported;
    std::optional<TestPlan> plan;
    if (request.query.hasQueryItem(QStringLiteral("from"))) {
        imported = planFromImportBody(request.body,
                                      request.query.queryItemValue(QStringLiteral("from")), &error);
        if (!imported)
            return Reply::error(error);
        plan = imported->plan;
    } else {
        const auto body = jsonBody(request.body, false, &error);
        if (!body)
            return Reply::error(error);
        plan = planOfBody(*body, planFromTestBody, &error);
    }
    if (!plan)
        return Reply::error(error);
    // Refused before it is stored: a stored plan could be started later by anyone.
    if (const auto refused = m_options.sandbox.check(*plan))
        return Reply::error(*refused);
    // A test is identified by its name, as in the CLI and the GUI (a run updates the test of
    // its plan's name): posting an existing name replaces that test's plan.
    StoredTest test;
    const auto existing = m_store->findTestByName(plan->name);
    if (existing)
        test = *existing;
    test.name = plan->name;
    test.testType = testTypeName(plan->type);
    test.plan = toJson(*plan);
    const qint64 id = m_store->saveTest(test);
    const auto saved = id > 0 ? m_store->test(id) : std::nullopt;
    if (!saved)
        return Reply::error(500, QStringLiteral("cannot save the test: ") + m_store->lastError());
    Reply reply{existing ? 200 : 201, storedTestJson(*saved), {}};
    if (imported)
        reply.body.insert(QStringLiteral("import"), importSummaryJson(*imported));
    reply.headers.append(
        {QByteArrayLiteral("Location"), QByteArray(kPrefix) + "/tests/" + QByteArray::number(id)});
    return reply;
}

RestApiServer::Reply RestApiServer::listTests()
{
    QJsonArray tests;
    for (const StoredTest &test : m_store->listTests())
        tests.append(storedTestJson(test));
    return Reply{200, QJsonObject{{QStringLiteral("tests"), tests}}, {}};
}

RestApiServer::Reply RestApiServer::getTest(qint64 id)
{
    const auto test = m_store->test(id);
    if (!test)
        return Reply::error(404, QStringLiteral("no test with id %1").arg(id));
    return Reply{200, storedTestJson(*test), {}};
}

RestApiServer::Reply RestApiServer::conflictIfRunning() const
{
    if (!isRunning())
        return Reply{0, {}, {}};
    RestError error;
    error.status = 409;
    error.message =
        QStringLiteral("test run %1 is still running; one run at a time (poll %2/results/%1 "
                       "until it ends, then start again)")
            .arg(m_live->resultId)
            .arg(QString::fromLatin1(kPrefix));
    error.extra = QJsonObject{{QStringLiteral("runningResultId"), m_live->resultId},
                              {QStringLiteral("runningTestId"), m_live->testId}};
    return Reply::error(error);
}

RestApiServer::Reply RestApiServer::startTest(qint64 id, const Request &request)
{
    auto test = m_store->test(id);
    if (!test)
        return Reply::error(404, QStringLiteral("no test with id %1").arg(id));
    RestError error;
    const auto body = jsonBody(request.body, true, &error);
    if (!body)
        return Reply::error(error);
    if (addDuplicateKeys(body->duplicateKeys, false, &error)) {
        error.message.replace(QStringLiteral("invalid plan: "),
                              QStringLiteral("invalid request body: "));
        return Reply::error(error);
    }
    for (auto it = body->object.constBegin(); it != body->object.constEnd(); ++it) {
        if (it.key() != QLatin1String("versionLabel"))
            return Reply::error(
                400, it.key() + QStringLiteral(": unknown field (expected versionLabel)"),
                it.key());
    }
    const QJsonValue label = body->object.value(QLatin1String("versionLabel"));
    if (!label.isUndefined() && !label.isString())
        return Reply::error(400, QStringLiteral("versionLabel: must be a string"),
                            QStringLiteral("versionLabel"));
    if (const Reply conflict = conflictIfRunning(); conflict.status != 0)
        return conflict;

    QString why;
    auto plan = planFromJson(test->plan, &why);
    QStringList problems = plan ? planErrors(*plan) : why.split(u'\n');
    if (!problems.isEmpty()) {
        RestError invalid = restErrorFromProblems(problems);
        invalid.status = 422;
        invalid.message =
            QStringLiteral("the stored plan of test %1 cannot run: ").arg(id) + invalid.message;
        return Reply::error(invalid);
    }
    // Checked again at the start: the test may have been stored by the CLI or the GUI, whose
    // plans may name local files and any target.
    if (const auto refused = m_options.sandbox.check(*plan))
        return Reply::error(*refused);
    plan->name = test->name;
    // RunSession files the run under the most recently updated test of the plan's name.
    m_store->saveTest(*test);
    return startRun(*plan, id, label.isString() ? label.toString() : plan->versionLabel);
}

RestApiServer::Reply RestApiServer::loadTest(const Request &request)
{
    RestError error;
    const auto body = jsonBody(request.body, false, &error);
    if (!body)
        return Reply::error(error);
    auto plan = planOfBody(*body, planFromLoadTestBody, &error);
    if (!plan)
        return Reply::error(error);
    if (const auto refused = m_options.sandbox.check(*plan))
        return Reply::error(*refused);
    if (const Reply conflict = conflictIfRunning(); conflict.status != 0)
        return conflict;
    return startRun(*plan, 0, plan->versionLabel);
}

RestApiServer::Reply RestApiServer::startRun(const TestPlan &plan, qint64 testId,
                                             const QString &versionLabel)
{
    TestPlan toRun = plan;
    toRun.versionLabel = versionLabel;
    auto live = std::make_unique<LiveRun>();
    live->session = std::make_unique<RunSession>(m_store);
    RunSession *session = live->session.get();
    if (!m_options.defaultBaseUrl.isEmpty()) {
        session->setDefaultTarget(DefaultTarget{m_options.defaultBaseUrl, 0});
    } else if (toRun.baseUrl.isEmpty()) {
        if (!m_sampleTarget || !m_sampleTarget->isRunning()) {
            m_sampleTarget = std::make_unique<SampleTargetProcess>();
            QString why;
            if (!m_sampleTarget->start({}, &why)) {
                RestError error;
                error.status = 500;
                error.message = QStringLiteral("cannot start the built-in sample API: ") + why;
                return Reply::error(error);
            }
        }
        session->setDefaultTarget(m_sampleTarget->target());
    }
    connect(session, &RunSession::intervalSample, this, &RestApiServer::onInterval);
    connect(session, &RunSession::finished, this, &RestApiServer::onFinished);
    QString why;
    if (!session->start(toRun, &why)) {
        RestError error;
        error.status = why.startsWith(QLatin1String("cannot record")) ? 500 : 422;
        error.message = QStringLiteral("cannot start the run: ") + why;
        if (session->resultId() > 0)
            error.extra.insert(QStringLiteral("resultId"), session->resultId());
        return Reply::error(error);
    }
    live->plan = toRun;
    live->testId = session->testId() > 0 ? session->testId() : testId;
    live->resultId = session->resultId();
    m_live = std::move(live);
    emit runStarted(m_live->testId, m_live->resultId);

    const QString result = QString::fromLatin1(kPrefix) + QStringLiteral("/results/") +
                           QString::number(m_live->resultId);
    Reply reply{
        202,
        QJsonObject{{QStringLiteral("testId"), m_live->testId},
                    {QStringLiteral("resultId"), m_live->resultId},
                    {QStringLiteral("status"), QStringLiteral("running")},
                    {QStringLiteral("result"), result},
                    {QStringLiteral("samples"), QString(result + QStringLiteral("/samples"))}},
        {}};
    reply.headers.append({QByteArrayLiteral("Location"), result.toLatin1()});
    return reply;
}

RestApiServer::Reply RestApiServer::testResults(qint64 id)
{
    if (!m_store->test(id))
        return Reply::error(404, QStringLiteral("no test with id %1").arg(id));
    ResultFilter filter;
    filter.testId = id;
    QJsonArray results;
    // The figures columns only (resultRowJson()): no run's summary JSON is parsed for a list.
    for (const ResultRecord &record : m_store->listResultRows(filter)) {
        QJsonObject row = resultRowJson(record);
        if (isRunning() && record.id == m_live->resultId)
            row.insert(QStringLiteral("progress"), progressJson());
        if (const UnsavedRun *unsaved = unsavedRun(record.id)) {
            row.insert(QStringLiteral("status"), resultStatusToString(unsaved->summary.status));
            row.insert(QStringLiteral("stored"), false);
            row.insert(QStringLiteral("storeError"), unsaved->storeError);
        }
        results.append(row);
    }
    return Reply{
        200, QJsonObject{{QStringLiteral("testId"), id}, {QStringLiteral("results"), results}}, {}};
}

QJsonObject RestApiServer::progressJson() const
{
    const double planned = double(m_live->plan.load.totalDurationMs()) / 1000.0;
    return QJsonObject{{QStringLiteral("elapsedSec"), m_live->session->elapsedSec()},
                       {QStringLiteral("plannedSec"), planned},
                       {QStringLiteral("intervals"), m_live->timeline.size()},
                       {QStringLiteral("requests"), m_live->requests},
                       {QStringLiteral("errors"), m_live->errors},
                       {QStringLiteral("rps"), m_live->lastRps},
                       {QStringLiteral("p95Ms"), m_live->lastP95Ms},
                       {QStringLiteral("activeVus"), m_live->activeVus}};
}

const RestApiServer::UnsavedRun *RestApiServer::unsavedRun(qint64 resultId) const
{
    for (const auto &run : m_unsaved) {
        if (run->resultId == resultId)
            return run.get();
    }
    return nullptr;
}

RestApiServer::Reply RestApiServer::getResult(qint64 id)
{
    if (const UnsavedRun *unsaved = unsavedRun(id)) {
        QJsonObject document =
            resultDocument(unsaved->plan, unsaved->summary, id, unsaved->plan.versionLabel);
        QJsonObject result = document.value(QStringLiteral("result")).toObject();
        result.insert(QStringLiteral("testId"), unsaved->testId);
        result.insert(QStringLiteral("testName"), unsaved->plan.name);
        result.insert(QStringLiteral("stored"), false);
        result.insert(QStringLiteral("storeError"), unsaved->storeError);
        document.insert(QStringLiteral("result"), result);
        return Reply{200, document, {}};
    }
    const auto record = m_store->result(id);
    if (!record)
        return Reply::error(404, QStringLiteral("no result with id %1").arg(id));
    if (isRunning() && m_live->resultId == id) {
        QJsonObject document = unfinishedResultDocument(*record);
        document.insert(QStringLiteral("progress"), progressJson());
        return Reply{200, document, {}};
    }
    if (record->status == ResultStatus::Running)
        return Reply{200, unfinishedResultDocument(*record), {}};
    if (record->summary.isEmpty() && !needsRebuild(*record)) // e.g. failed before measuring
        return Reply{200, unfinishedResultDocument(*record), {}};
    QString why;
    auto document = loadResultDocument(*m_store, id, &why);
    if (!document)
        return Reply{200, unfinishedResultDocument(*record), {}};
    QJsonObject result = document->value(QStringLiteral("result")).toObject();
    result.insert(QStringLiteral("stored"), true);
    document->insert(QStringLiteral("result"), result);
    return Reply{200, *document, {}};
}

QList<QJsonObject> RestApiServer::samplesOf(qint64 resultId, QString *status) const
{
    if (isRunning() && m_live->resultId == resultId) {
        *status = QStringLiteral("running");
        return m_live->timeline;
    }
    if (const UnsavedRun *unsaved = unsavedRun(resultId)) {
        *status = resultStatusToString(unsaved->summary.status);
        return unsaved->timeline;
    }
    const auto record = m_store->result(resultId);
    *status = record ? resultStatusToString(record->status) : QStringLiteral("unknown");
    QList<QJsonObject> entries;
    const QList<ResultSample> rows = m_store->samples(resultId, QStringLiteral(""));
    for (qsizetype i = 0; i < rows.size(); ++i) {
        QJsonObject entry = timelineEntryFromSample(rows[i]);
        entry.insert(QStringLiteral("n"), i + 1);
        entries.append(entry);
    }
    return entries;
}

RestApiServer::Reply RestApiServer::getSamples(qint64 id, const Request &request,
                                               QHttpServerResponder &responder, bool *streaming)
{
    if (!unsavedRun(id) && !m_store->result(id))
        return Reply::error(404, QStringLiteral("no result with id %1").arg(id));
    const QString streamParam = request.query.queryItemValue(QStringLiteral("stream"));
    if (streamParam == QLatin1String("1") || streamParam == QLatin1String("true") ||
        request.header(QByteArrayLiteral("accept")).contains("text/event-stream")) {
        openStream(id, responder);
        *streaming = true;
        return Reply{};
    }
    qint64 after = 0;
    if (request.query.hasQueryItem(QStringLiteral("after"))) {
        bool ok = false;
        after = request.query.queryItemValue(QStringLiteral("after")).toLongLong(&ok);
        if (!ok || after < 0)
            return Reply::error(400,
                                QStringLiteral("after: must be a whole number >= 0 (the \"next\" "
                                               "of the previous answer)"),
                                QStringLiteral("after"));
    }
    QString status;
    const QList<QJsonObject> all = samplesOf(id, &status);
    QJsonArray samples;
    for (qsizetype i = after; i < all.size(); ++i)
        samples.append(all[i]);
    return Reply{200,
                 QJsonObject{{QStringLiteral("resultId"), id},
                             {QStringLiteral("status"), status},
                             {QStringLiteral("done"), status != QLatin1String("running")},
                             {QStringLiteral("after"), after},
                             {QStringLiteral("next"), qMax(after, qint64(all.size()))},
                             {QStringLiteral("samples"), samples}},
                 {}};
}

void RestApiServer::openStream(qint64 resultId, QHttpServerResponder &responder)
{
    auto stream = std::make_unique<Stream>();
    stream->resultId = resultId;
    stream->socket = responder.socket();
    responder.writeStatusLine(QHttpServerResponder::StatusCode::Ok);
    responder.writeHeader(QByteArrayLiteral("Content-Type"),
                          QByteArrayLiteral("text/event-stream"));
    responder.writeHeader(QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-store"));
    responder.writeHeader(QByteArrayLiteral("Transfer-Encoding"), QByteArrayLiteral("chunked"));
    // A comment ends the header block at once, so the client sees the stream open.
    responder.writeBody(chunk(": samples of result " + QByteArray::number(resultId) + "\n\n"));
    stream->responder = std::make_unique<QHttpServerResponder>(std::move(responder));
    m_streams.push_back(std::move(stream));
    feedStreams();
}

void RestApiServer::feedStreams()
{
    for (auto it = m_streams.begin(); it != m_streams.end();) {
        Stream &stream = **it;
        if (!stream.socket || stream.socket->state() != QAbstractSocket::ConnectedState) {
            it = m_streams.erase(it); // the client went away
            continue;
        }
        QString status;
        const QList<QJsonObject> samples = samplesOf(stream.resultId, &status);
        QByteArray out;
        for (qsizetype i = stream.sent; i < samples.size(); ++i)
            out += sseEvent("sample", samples[i], i + 1);
        stream.sent = qMax(stream.sent, samples.size());
        const bool done = status != QLatin1String("running");
        if (done) {
            QJsonObject end{{QStringLiteral("resultId"), stream.resultId},
                            {QStringLiteral("status"), status},
                            {QStringLiteral("samples"), samples.size()}};
            if (const UnsavedRun *unsaved = unsavedRun(stream.resultId)) {
                end.insert(QStringLiteral("stored"), false);
                end.insert(QStringLiteral("storeError"), unsaved->storeError);
            }
            out += sseEvent("end", end);
        }
        if (!out.isEmpty())
            stream.responder->writeBody(chunk(out));
        if (done) {
            stream.responder->writeBody(QByteArrayLiteral("0\r\n\r\n"));
            it = m_streams.erase(it);
        } else {
            ++it;
        }
    }
}

void RestApiServer::onInterval(const IntervalSample &sample)
{
    if (!m_live)
        return;
    QJsonObject entry = timelineEntry(sample, isOpenModel(m_live->plan.load.executor));
    entry.insert(QStringLiteral("n"), m_live->timeline.size() + 1);
    m_live->timeline.append(entry);
    m_live->requests += sample.overall.totals.requests;
    m_live->errors += sample.overall.totals.errors;
    m_live->lastRps = sample.throughputRps();
    m_live->lastP95Ms = sample.overall.latency.p95Ms;
    m_live->activeVus = sample.activeVus;
    feedStreams();
}

void RestApiServer::onFinished(const RunSummary &summary, qint64 resultId)
{
    if (!m_live)
        return;
    m_live->running = false;
    if (const StoreOutcome &stored = m_live->session->storeOutcome(); !stored.ok) {
        auto unsaved = std::make_unique<UnsavedRun>();
        unsaved->resultId = resultId;
        unsaved->testId = m_live->testId;
        unsaved->plan = m_live->plan;
        unsaved->summary = summary;
        unsaved->timeline = m_live->timeline;
        unsaved->storeError = stored.error;
        constexpr std::size_t kUnsavedKept = 8;
        if (m_unsaved.size() >= kUnsavedKept)
            m_unsaved.erase(m_unsaved.begin());
        m_unsaved.push_back(std::move(unsaved));
    }
    feedStreams(); // the store has the run by now (RunSession flushed it), or it is unsaved
    // Not deleted here: we are inside the session's own signal.
    m_live->session.release()->deleteLater();
    m_live.reset();
    emit runFinished(resultId, resultStatusToString(summary.status));
}

} // namespace loadscope
