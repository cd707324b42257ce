// HistoryStore's upkeep: pruning old runs, vacuuming the file and its size, kept apart from
// the read and write code so that each file stays short.
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariantList>

#include "historystore.h"
#include "store/storesql.h"

namespace loadscope {

namespace {

//! The SELECT of the ids @p request deletes, oldest first, and its bound values.
QString pruneSelection(const PruneRequest &request, QVariantList *values)
{
    // ROW_NUMBER ranks each test's runs newest first: rank > N is beyond the N kept.
    QString sql = QStringLiteral(
        "SELECT ranked.id FROM (SELECT r.id, r.status, r.started_at,"
        " ROW_NUMBER() OVER (PARTITION BY r.test_id ORDER BY r.started_at DESC, r.id DESC)"
        " AS newest FROM performance_test_results r) ranked WHERE ranked.status <> 'running'");
    if (request.keepNewest) {
        sql += QStringLiteral(" AND ranked.newest > ?");
        *values << std::max(0, *request.keepNewest);
    }
    if (request.olderThan.isValid()) {
        sql += QStringLiteral(" AND ranked.started_at < ?");
        *values << StoreSql::timeValue(request.olderThan);
    }
    if (!request.includePinned) {
        sql += QStringLiteral(" AND NOT EXISTS (SELECT 1 FROM performance_tests t"
                              " WHERE t.baseline_result_id = ranked.id)");
    }
    return sql + QStringLiteral(" ORDER BY ranked.started_at, ranked.id");
}

bool hasRule(const PruneRequest &request)
{
    return request.keepNewest.has_value() || request.olderThan.isValid();
}

qint64 fileBytes(const QString &path)
{
    return QFileInfo(path).size() + QFileInfo(path + QStringLiteral("-wal")).size();
}

} // namespace

QList<qint64> HistoryStore::pruneCandidates(const PruneRequest &request)
{
    QList<qint64> ids;
    if (!ensureOpen() || !hasRule(request))
        return ids;
    QVariantList values;
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(pruneSelection(request, &values));
    for (const QVariant &value : std::as_const(values))
        query.addBindValue(value);
    if (!query.exec()) {
        failRead(QStringLiteral("Choosing runs to prune"), query.lastError());
        return ids;
    }
    while (query.next())
        ids.append(query.value(0).toLongLong());
    failedStep(query);
    return ids;
}

std::optional<QList<qint64>> HistoryStore::prune(const PruneRequest &request)
{
    if (!hasRule(request)) {
        m_lastError = QStringLiteral("Pruning needs a rule: keep the newest N runs of each test"
                                     " or delete runs older than a date");
        return std::nullopt;
    }
    auto deleted = std::make_shared<QList<qint64>>();
    // Chosen and deleted inside one write: a run that starts meanwhile is never caught.
    const auto ok = runSync(
        QStringLiteral("Pruning the history"),
        [request, deleted](const QSqlDatabase &db, qint64 *value, QString *error) {
            QVariantList values;
            QSqlQuery select(db);
            select.setForwardOnly(true);
            select.prepare(pruneSelection(request, &values));
            for (const QVariant &v : std::as_const(values))
                select.addBindValue(v);
            if (!StoreSql::exec(select, QString(), error))
                return false;
            while (select.next())
                deleted->append(select.value(0).toLongLong());
            select.finish();
            // Samples, histograms, recommendations and sources go with their run (ON DELETE
            // CASCADE); a test's baseline pointing at a deleted run is cleared (SET NULL).
            QSqlQuery remove(db);
            remove.prepare(QStringLiteral("DELETE FROM performance_test_results WHERE id = ?"));
            for (const qint64 id : std::as_const(*deleted)) {
                remove.addBindValue(id);
                if (!StoreSql::exec(remove, QString(), error))
                    return false;
            }
            *value = deleted->size();
            return true;
        });
    if (!ok)
        return std::nullopt;
    return *deleted;
}

bool HistoryStore::vacuum(qint64 *bytesBefore, qint64 *bytesAfter)
{
    if (!ensureOpen())
        return false;
    if (m_readOnly) {
        m_lastError = QStringLiteral("Vacuuming ") + m_path +
                      QStringLiteral(" failed: the file was opened read-only");
        return false;
    }
    flush();
    if (bytesBefore)
        *bytesBefore = fileBytes(m_path);
    // VACUUM cannot run inside a transaction, so not on the writer (one per batch): on the
    // read connection, which is a writable one for a ReadWrite open and holds no statement.
    QString error;
    if (!StoreSql::exec(m_db, QStringLiteral("VACUUM"), &error) ||
        !StoreSql::exec(m_db, QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"), &error)) {
        m_lastError = QStringLiteral("Vacuuming ") + m_path + QStringLiteral(" failed: ") + error;
        return false;
    }
    if (bytesAfter)
        *bytesAfter = fileBytes(m_path);
    return true;
}

StoreStats HistoryStore::stats()
{
    StoreStats stats;
    if (!ensureOpen())
        return stats;
    stats.runs = countResults();
    stats.bytes = fileBytes(m_path);
    return stats;
}

} // namespace loadscope
