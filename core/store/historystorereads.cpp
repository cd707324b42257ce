// HistoryStore's read side, kept apart from the open/write code to keep both files short.
// Every read runs on the thread that opened the store, on its own connection; with WAL it
// sees everything the writer has committed and never waits for it.
#include <algorithm>

#include <QSqlError>
#include <QSqlQuery>
#include <QVariantList>

#include "historystore.h"
#include "store/intervalcodec.h"
#include "store/storesql.h"

namespace loadscope {

namespace {

const char testColumns[] = "SELECT id, name, test_type, plan_json, created_at, updated_at,"
                           " baseline_result_id FROM performance_tests";

// The run's columns; %1 is "r.plan_json, r.summary_json" for a full read and "NULL, NULL" for
// a list row, which reads the figures columns (schema version 5) instead of the summary.
const char resultColumns[] =
    "SELECT r.id, r.test_id, t.name, COALESCE(r.test_type, t.test_type), r.status,"
    " r.started_at, r.ended_at, r.version_label, %1, r.error_details,"
    " s.tool, s.tool_version, s.format, s.file_name, s.content_hash, s.lines, s.bad_lines,"
    " s.imported_at,"
    " r.requests, r.errors, r.rps, r.error_rate, r.p50_ms, r.p90_ms, r.p95_ms, r.p99_ms,"
    " r.max_ms, r.mean_ms, r.duration_sec, r.verdict, r.thresholds_passed, r.totals_json,"
    " r.latency_json, t.baseline_result_id = r.id, r.run_trigger"
    " FROM performance_test_results r JOIN performance_tests t ON t.id = r.test_id"
    " LEFT JOIN result_sources s ON s.result_id = r.id";

QString resultSelect(bool full)
{
    return QString::fromLatin1(resultColumns)
        .arg(full ? QStringLiteral("r.plan_json, r.summary_json") : QStringLiteral("NULL, NULL"));
}

std::optional<double> optionalDouble(const QVariant &value)
{
    if (value.isNull())
        return std::nullopt;
    return value.toDouble();
}

std::optional<qint64> optionalInteger(const QVariant &value)
{
    if (value.isNull())
        return std::nullopt;
    return value.toLongLong();
}

// The SQL of each ResultOrder; NULLs (no summary) sort first ascending, as in SQLite.
QString orderExpression(ResultOrder order)
{
    switch (order) {
    case ResultOrder::StartedAt:
        return QStringLiteral("r.started_at");
    case ResultOrder::Id:
        return QStringLiteral("r.id");
    case ResultOrder::Test:
        return QStringLiteral("t.name COLLATE NOCASE");
    case ResultOrder::Type:
        return QStringLiteral("COALESCE(r.test_type, t.test_type)");
    case ResultOrder::Status:
        return QStringLiteral("r.status");
    case ResultOrder::Version:
        return QStringLiteral("r.version_label COLLATE NOCASE");
    case ResultOrder::Duration:
        return QStringLiteral("COALESCE(r.duration_sec,"
                              " (julianday(r.ended_at) - julianday(r.started_at)) * 86400.0)");
    case ResultOrder::Rps:
        return QStringLiteral("r.rps");
    case ResultOrder::P95:
        return QStringLiteral("r.p95_ms");
    case ResultOrder::ErrorRate:
        return QStringLiteral("r.error_rate");
    case ResultOrder::Verdict:
        return QStringLiteral("r.verdict");
    case ResultOrder::Source:
        return QStringLiteral("COALESCE(s.tool, 'Loadscope') COLLATE NOCASE");
    }
    return QStringLiteral("r.started_at");
}

StoredTest testFrom(const QSqlQuery &query)
{
    StoredTest test;
    test.id = query.value(0).toLongLong();
    test.name = query.value(1).toString();
    test.testType = query.value(2).toString();
    test.plan = StoreSql::jsonFrom(query.value(3));
    test.createdAt = StoreSql::timeFrom(query.value(4));
    test.updatedAt = StoreSql::timeFrom(query.value(5));
    test.baselineResultId = query.value(6).toLongLong();
    return test;
}

ResultRecord resultFrom(const QSqlQuery &query)
{
    ResultRecord record;
    record.id = query.value(0).toLongLong();
    record.testId = query.value(1).toLongLong();
    record.testName = query.value(2).toString();
    record.testType = query.value(3).toString();
    record.status =
        resultStatusFromString(query.value(4).toString()).value_or(ResultStatus::Failed);
    record.startedAt = StoreSql::timeFrom(query.value(5));
    record.endedAt = StoreSql::timeFrom(query.value(6));
    record.versionLabel = query.value(7).toString();
    record.plan = StoreSql::jsonFrom(query.value(8));
    record.summary = StoreSql::jsonFrom(query.value(9));
    record.errorDetails = query.value(10).toString();
    record.source.tool = query.value(11).toString();
    record.source.toolVersion = query.value(12).toString();
    record.source.format = query.value(13).toString();
    record.source.fileName = query.value(14).toString();
    record.source.contentHash = query.value(15).toString();
    record.source.lines = query.value(16).toLongLong();
    record.source.badLines = query.value(17).toLongLong();
    record.source.importedAt = StoreSql::timeFrom(query.value(18));
    ResultFigures &f = record.figures;
    f.requests = optionalInteger(query.value(19));
    f.errors = optionalInteger(query.value(20));
    f.rps = optionalDouble(query.value(21));
    f.errorRate = optionalDouble(query.value(22));
    f.p50Ms = optionalDouble(query.value(23));
    f.p90Ms = optionalDouble(query.value(24));
    f.p95Ms = optionalDouble(query.value(25));
    f.p99Ms = optionalDouble(query.value(26));
    f.maxMs = optionalDouble(query.value(27));
    f.meanMs = optionalDouble(query.value(28));
    f.durationSec = optionalDouble(query.value(29));
    f.verdict = query.value(30).toString();
    if (!query.value(31).isNull())
        f.thresholdsPassed = query.value(31).toLongLong() != 0;
    f.totals = StoreSql::jsonFrom(query.value(32));
    f.latencyMs = StoreSql::jsonFrom(query.value(33));
    record.pinned = query.value(34).toLongLong() != 0;
    f.trigger = query.value(35).toString();
    return record;
}

} // namespace

void HistoryStore::failedStep(const QSqlQuery &query)
{
    // next() answers false both at the end and when a damaged page stops the scan.
    if (query.lastError().isValid())
        failRead(QStringLiteral("Reading the history"), query.lastError());
}

QList<StoredTest> HistoryStore::listTests()
{
    QList<StoredTest> tests;
    if (!ensureOpen())
        return tests;
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!query.exec(QLatin1String(testColumns) + QStringLiteral(" ORDER BY name, id"))) {
        failRead(QStringLiteral("Listing tests"), query.lastError());
        return tests;
    }
    while (query.next())
        tests.append(testFrom(query));
    failedStep(query);
    return tests;
}

std::optional<StoredTest> HistoryStore::test(qint64 id)
{
    if (!ensureOpen())
        return std::nullopt;
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(QLatin1String(testColumns) + QStringLiteral(" WHERE id = ?"));
    query.addBindValue(id);
    if (!query.exec()) {
        failRead(QStringLiteral("Reading test %1").arg(id), query.lastError());
        return std::nullopt;
    }
    if (!query.next()) {
        failedStep(query);
        return std::nullopt;
    }
    return testFrom(query);
}

std::optional<StoredTest> HistoryStore::findTestByName(const QString &name)
{
    if (!ensureOpen())
        return std::nullopt;
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(QLatin1String(testColumns) +
                  QStringLiteral(" WHERE name = ? ORDER BY updated_at DESC, id DESC LIMIT 1"));
    query.addBindValue(StoreSql::nonNull(name));
    if (!query.exec()) {
        failRead(QStringLiteral("Finding test \"%1\"").arg(name), query.lastError());
        return std::nullopt;
    }
    if (!query.next()) {
        failedStep(query);
        return std::nullopt;
    }
    return testFrom(query);
}

namespace {

//! The WHERE clause of @p filter (empty or " WHERE ...") and its bound values.
QString filterSql(const ResultFilter &filter, QVariantList *values)
{
    QStringList conditions;
    if (filter.testId) {
        conditions << QStringLiteral("r.test_id = ?");
        *values << *filter.testId;
    }
    if (!filter.testType.isEmpty()) {
        conditions << QStringLiteral("COALESCE(r.test_type, t.test_type) = ?");
        *values << filter.testType;
    }
    if (!filter.status.isEmpty()) {
        conditions << QStringLiteral("r.status = ?");
        *values << filter.status;
    }
    if (!filter.versionLabel.isEmpty()) {
        conditions << QStringLiteral("r.version_label = ?");
        *values << filter.versionLabel;
    }
    // instr() rather than LIKE: no wildcard escaping for names holding % or _.
    if (!filter.text.isEmpty()) {
        conditions << QStringLiteral("instr(lower(t.name), lower(?)) > 0");
        *values << filter.text;
    }
    if (!filter.versionText.isEmpty()) {
        conditions << QStringLiteral("instr(lower(COALESCE(r.version_label, '')), lower(?)) > 0");
        *values << filter.versionText;
    }
    if (!filter.source.isEmpty()) {
        if (filter.source.compare(QLatin1String("loadscope"), Qt::CaseInsensitive) == 0) {
            conditions << QStringLiteral("s.tool IS NULL");
        } else {
            conditions << QStringLiteral("lower(s.tool) = lower(?)");
            *values << filter.source;
        }
    }
    if (!filter.trigger.isEmpty()) {
        conditions << QStringLiteral("r.run_trigger = ?");
        *values << filter.trigger;
    }
    if (!filter.verdict.isEmpty()) {
        conditions << QStringLiteral("r.verdict = ?");
        *values << filter.verdict;
    }
    // Times are stored as UTC ISO text with milliseconds, so text order is time order.
    if (filter.from.isValid()) {
        conditions << QStringLiteral("r.started_at >= ?");
        *values << StoreSql::timeValue(filter.from);
    }
    if (filter.to.isValid()) {
        conditions << QStringLiteral("r.started_at <= ?");
        *values << StoreSql::timeValue(filter.to);
    }
    if (conditions.isEmpty())
        return {};
    return QStringLiteral(" WHERE ") + conditions.join(QStringLiteral(" AND "));
}

} // namespace

QList<ResultRecord> HistoryStore::listResults(const ResultFilter &filter)
{
    return readResults(filter, true);
}

QList<ResultRecord> HistoryStore::listResultRows(const ResultFilter &filter)
{
    return readResults(filter, false);
}

QList<ResultRecord> HistoryStore::readResults(const ResultFilter &filter, bool full)
{
    QList<ResultRecord> results;
    if (!ensureOpen())
        return results;
    QVariantList values;
    QString sql = resultSelect(full) + filterSql(filter, &values);
    const QString direction = filter.ascending ? QStringLiteral(" ASC") : QStringLiteral(" DESC");
    sql += QStringLiteral(" ORDER BY ") + orderExpression(filter.order) + direction;
    if (filter.order != ResultOrder::Id) {
        // Runs started at the same time (imports) keep a stable order, and pages never overlap.
        if (filter.order != ResultOrder::StartedAt)
            sql += QStringLiteral(", r.started_at") + direction;
        sql += QStringLiteral(", r.id") + direction;
    }
    if (filter.limit > 0 || filter.offset > 0)
        sql += QStringLiteral(" LIMIT ") + QString::number(filter.limit > 0 ? filter.limit : -1);
    if (filter.offset > 0)
        sql += QStringLiteral(" OFFSET ") + QString::number(filter.offset);

    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(sql);
    for (const QVariant &value : std::as_const(values))
        query.addBindValue(value);
    if (!query.exec()) {
        failRead(QStringLiteral("Listing results"), query.lastError());
        return results;
    }
    while (query.next()) {
        results.append(resultFrom(query));
        markAbandoned(results.last());
    }
    failedStep(query);
    return results;
}

qint64 HistoryStore::countResults(const ResultFilter &filter)
{
    if (!ensureOpen())
        return 0;
    QVariantList values;
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    // Every run has its test (a foreign key) and at most one source row, so the joins only
    // matter to a filter on them: without them the count walks the smallest index alone (the
    // History table and the status bar count all runs at start-up).
    QString sql = QStringLiteral("SELECT COUNT(*) FROM performance_test_results r");
    if (!filter.text.isEmpty() || !filter.testType.isEmpty())
        sql += QStringLiteral(" JOIN performance_tests t ON t.id = r.test_id");
    if (!filter.source.isEmpty())
        sql += QStringLiteral(" LEFT JOIN result_sources s ON s.result_id = r.id");
    query.prepare(sql + filterSql(filter, &values));
    for (const QVariant &value : std::as_const(values))
        query.addBindValue(value);
    if (!query.exec()) {
        failRead(QStringLiteral("Counting results"), query.lastError());
        return 0;
    }
    if (!query.next()) {
        failedStep(query);
        return 0;
    }
    return query.value(0).toLongLong();
}

std::optional<ResultRecord> HistoryStore::result(qint64 id)
{
    if (!ensureOpen())
        return std::nullopt;
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(resultSelect(true) + QStringLiteral(" WHERE r.id = ?"));
    query.addBindValue(id);
    if (!query.exec()) {
        failRead(QStringLiteral("Reading result %1").arg(id), query.lastError());
        return std::nullopt;
    }
    if (!query.next()) {
        failedStep(query);
        return std::nullopt;
    }
    ResultRecord record = resultFrom(query);
    markAbandoned(record);
    return record;
}

std::optional<ResultRecord> HistoryStore::previousCompletedResult(qint64 testId,
                                                                  qint64 beforeResultId)
{
    if (!ensureOpen())
        return std::nullopt;
    QString sql =
        resultSelect(true) + QStringLiteral(" WHERE r.test_id = ? AND r.status = 'completed'");
    if (beforeResultId > 0) {
        sql += QStringLiteral(" AND (r.started_at, r.id) < (SELECT b.started_at, b.id"
                              " FROM performance_test_results b WHERE b.id = ?)");
    }
    sql += QStringLiteral(" ORDER BY r.started_at DESC, r.id DESC LIMIT 1");
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(sql);
    query.addBindValue(testId);
    if (beforeResultId > 0)
        query.addBindValue(beforeResultId);
    if (!query.exec()) {
        failRead(QStringLiteral("Finding the previous result of test %1").arg(testId),
                 query.lastError());
        return std::nullopt;
    }
    if (!query.next()) {
        failedStep(query);
        return std::nullopt;
    }
    return resultFrom(query);
}

QList<ResultSample> HistoryStore::samples(qint64 resultId, const QString &endpoint)
{
    QList<ResultSample> samples;
    if (!ensureOpen())
        return samples;
    QString sql = QStringLiteral("SELECT ") + StoreSql::sampleColumns() +
                  QStringLiteral(" FROM result_samples WHERE result_id = ?");
    if (!endpoint.isNull())
        sql += QStringLiteral(" AND endpoint = ?");
    sql += QStringLiteral(" ORDER BY t_sec, id");
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(sql);
    query.addBindValue(resultId);
    if (!endpoint.isNull())
        query.addBindValue(StoreSql::nonNull(endpoint));
    if (!query.exec()) {
        failRead(QStringLiteral("Reading the samples of result %1").arg(resultId),
                 query.lastError());
        return samples;
    }
    while (query.next())
        samples.append(StoreSql::sampleFrom(query));
    failedStep(query);
    return samples;
}

QList<IntervalSample> HistoryStore::intervals(qint64 resultId)
{
    QList<IntervalSample> intervals;
    if (!ensureOpen())
        return intervals;
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(
        QStringLiteral("SELECT record FROM result_intervals WHERE result_id = ? ORDER BY t_sec"));
    query.addBindValue(resultId);
    if (!query.exec()) {
        failRead(QStringLiteral("Reading the intervals of result %1").arg(resultId),
                 query.lastError());
        return intervals;
    }
    IntervalCodec::Decoder decoder;
    IntervalSample sample;
    while (query.next()) {
        if (decoder.decode(query.value(0).toByteArray(), &sample))
            intervals.append(std::move(sample));
    }
    failedStep(query);
    if (!intervals.isEmpty() || query.lastError().isValid())
        return intervals;
    // No records (a run stored without them): the same intervals from its sample rows.
    const QList<std::pair<double, QByteArray>> records =
        IntervalCodec::encodeByInterval(samples(resultId));
    for (const auto &record : records) {
        if (decoder.decode(record.second, &sample))
            intervals.append(std::move(sample));
    }
    std::sort(intervals.begin(), intervals.end(),
              [](const IntervalSample &a, const IntervalSample &b) { return a.tSec < b.tSec; });
    return intervals;
}

QByteArray HistoryStore::histogram(qint64 resultId, const QString &endpoint, const QString &metric)
{
    if (!ensureOpen())
        return {};
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT blob FROM result_histograms"
                                 " WHERE result_id = ? AND endpoint = ? AND metric = ?"));
    query.addBindValue(resultId);
    query.addBindValue(StoreSql::nonNull(endpoint));
    query.addBindValue(StoreSql::nonNull(metric));
    if (!query.exec()) {
        failRead(QStringLiteral("Reading histogram \"%1\" of result %2").arg(metric).arg(resultId),
                 query.lastError());
        return {};
    }
    if (!query.next()) {
        failedStep(query);
        return {};
    }
    return query.value(0).toByteArray();
}

QStringList HistoryStore::histogramKeys(qint64 resultId)
{
    QStringList keys;
    if (!ensureOpen())
        return keys;
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT endpoint, metric FROM result_histograms"
                                 " WHERE result_id = ? ORDER BY endpoint, metric"));
    query.addBindValue(resultId);
    if (!query.exec()) {
        failRead(QStringLiteral("Listing the histograms of result %1").arg(resultId),
                 query.lastError());
        return keys;
    }
    while (query.next())
        keys << histogramKey(query.value(0).toString(), query.value(1).toString());
    failedStep(query);
    return keys;
}

QHash<QString, QByteArray> HistoryStore::histograms(qint64 resultId)
{
    QHash<QString, QByteArray> blobs;
    if (!ensureOpen())
        return blobs;
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT endpoint, metric, blob FROM result_histograms"
                                 " WHERE result_id = ?"));
    query.addBindValue(resultId);
    if (!query.exec()) {
        failRead(QStringLiteral("Reading the histograms of result %1").arg(resultId),
                 query.lastError());
        return blobs;
    }
    while (query.next())
        blobs.insert(histogramKey(query.value(0).toString(), query.value(1).toString()),
                     query.value(2).toByteArray());
    failedStep(query);
    return blobs;
}

QList<Recommendation> HistoryStore::recommendations(qint64 resultId)
{
    QList<Recommendation> list;
    if (!ensureOpen())
        return list;
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(QStringLiteral(
        "SELECT id, area, impact, title, detail, implementation, estimated_improvement,"
        " evidence_json FROM optimization_recommendations WHERE result_id = ? ORDER BY id"));
    query.addBindValue(resultId);
    if (!query.exec()) {
        failRead(QStringLiteral("Reading the recommendations of result %1").arg(resultId),
                 query.lastError());
        return list;
    }
    while (query.next())
        list.append(StoreSql::recommendationFrom(query));
    failedStep(query);
    return list;
}

} // namespace loadscope
