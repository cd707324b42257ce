// The optimization loop's part of the history: annotations (the change log) and the follow-up
// of recommendations (schema version 6).
#include <QSqlError>
#include <QSqlQuery>

#include "store/historystore.h"
#include "store/storesql.h"

namespace loadscope {
namespace {

int impactRank(const QString &impact)
{
    return impact == QLatin1String("critical") ? 0
           : impact == QLatin1String("high")   ? 1
           : impact == QLatin1String("medium") ? 2
                                               : 3;
}

const char *const kFollowUpColumns =
    "SELECT o.id, o.area, o.impact, o.title, o.detail, o.implementation,"
    " o.estimated_improvement, o.evidence_json, o.result_id, r.test_id, t.name, o.state,"
    " o.applied_result_id, o.state_reason, o.state_changed_at, o.measured_json"
    " FROM optimization_recommendations o"
    " JOIN performance_test_results r ON r.id = o.result_id"
    " JOIN performance_tests t ON t.id = r.test_id ";

RecommendationFollowUp followUpFrom(const QSqlQuery &query)
{
    RecommendationFollowUp f;
    f.recommendation = StoreSql::recommendationFrom(query);
    f.resultId = query.value(8).toLongLong();
    f.testId = query.value(9).toLongLong();
    f.testName = query.value(10).toString();
    f.state = query.value(11).toString();
    f.appliedResultId = query.value(12).toLongLong();
    f.reason = query.value(13).toString();
    f.changedAt = StoreSql::timeFrom(query.value(14));
    f.measured = StoreSql::jsonFrom(query.value(15));
    return f;
}

Annotation annotationFrom(const QSqlQuery &query)
{
    Annotation a;
    a.id = query.value(0).toLongLong();
    a.testId = query.value(1).toLongLong();
    a.resultId = query.value(2).toLongLong();
    a.at = StoreSql::timeFrom(query.value(3));
    a.note = query.value(4).toString();
    a.author = query.value(5).toString();
    a.link = query.value(6).toString();
    a.createdAt = StoreSql::timeFrom(query.value(7));
    return a;
}

} // namespace

qint64 HistoryStore::addAnnotation(const Annotation &annotation)
{
    if (annotation.note.trimmed().isEmpty()) {
        m_lastError = QStringLiteral("an annotation needs a note");
        return -1;
    }
    const auto id = runSync(
        QStringLiteral("Annotating test %1").arg(annotation.testId),
        [annotation](const QSqlDatabase &db, qint64 *value, QString *error) {
            qint64 testId = annotation.testId;
            QDateTime at = annotation.at;
            if (annotation.resultId > 0) {
                QSqlQuery run(db);
                run.prepare(QStringLiteral(
                    "SELECT test_id, started_at FROM performance_test_results WHERE id = ?"));
                run.addBindValue(annotation.resultId);
                if (!StoreSql::exec(run, QString(), error))
                    return false;
                if (!run.next()) {
                    *error = QStringLiteral("there is no run #%1").arg(annotation.resultId);
                    return false;
                }
                testId = run.value(0).toLongLong();
                if (!at.isValid())
                    at = StoreSql::timeFrom(run.value(1));
            }
            if (!at.isValid())
                at = QDateTime::currentDateTimeUtc();
            QSqlQuery query(db);
            query.prepare(QStringLiteral(
                "INSERT INTO result_annotations (test_id, result_id, at, note, author, link,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"));
            query.addBindValue(testId);
            query.addBindValue(StoreSql::idValue(annotation.resultId));
            query.addBindValue(StoreSql::timeValue(at));
            query.addBindValue(annotation.note.trimmed());
            query.addBindValue(annotation.author.isEmpty() ? QVariant() : annotation.author);
            query.addBindValue(annotation.link.isEmpty() ? QVariant() : annotation.link);
            query.addBindValue(StoreSql::timeValue(QDateTime::currentDateTimeUtc()));
            if (!StoreSql::exec(query, QString(), error))
                return false;
            *value = query.lastInsertId().toLongLong();
            return true;
        });
    return id.value_or(-1);
}

QList<Annotation> HistoryStore::readAnnotations(const char *column, qint64 id, const QString &what)
{
    QList<Annotation> list;
    if (!ensureOpen())
        return list;
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT id, test_id, result_id, at, note, author, link,"
                                 " created_at FROM result_annotations WHERE ") +
                  QLatin1String(column) + QStringLiteral(" = ? ORDER BY at, id"));
    query.addBindValue(id);
    if (!query.exec()) {
        failRead(what, query.lastError());
        return list;
    }
    while (query.next())
        list.append(annotationFrom(query));
    failedStep(query);
    return list;
}

QList<Annotation> HistoryStore::annotations(qint64 testId)
{
    return readAnnotations("test_id", testId,
                           QStringLiteral("Reading the annotations of test %1").arg(testId));
}

QList<Annotation> HistoryStore::resultAnnotations(qint64 resultId)
{
    return readAnnotations("result_id", resultId,
                           QStringLiteral("Reading the annotations of run %1").arg(resultId));
}

namespace {

//! One statement on one annotation row; fails when the row does not exist.
bool changeAnnotation(const QSqlDatabase &db, const QString &sql, const QVariantList &values,
                      qint64 annotationId, QString *error)
{
    QSqlQuery query(db);
    query.prepare(sql);
    for (const QVariant &value : values)
        query.addBindValue(value);
    query.addBindValue(annotationId);
    if (!StoreSql::exec(query, QString(), error))
        return false;
    if (query.numRowsAffected() != 1) {
        *error = QStringLiteral("there is no annotation #%1").arg(annotationId);
        return false;
    }
    return true;
}

} // namespace

bool HistoryStore::setAnnotationNote(qint64 annotationId, const QString &note)
{
    if (note.trimmed().isEmpty()) {
        m_lastError = QStringLiteral("an annotation needs a note");
        return false;
    }
    return runSync(QStringLiteral("Editing annotation %1").arg(annotationId),
                   [annotationId, text = note.trimmed()](const QSqlDatabase &db, qint64 *,
                                                         QString *error) {
                       return changeAnnotation(
                           db,
                           QStringLiteral("UPDATE result_annotations SET note = ? WHERE id = ?"),
                           {text}, annotationId, error);
                   })
        .has_value();
}

bool HistoryStore::removeAnnotation(qint64 annotationId)
{
    return runSync(QStringLiteral("Deleting annotation %1").arg(annotationId),
                   [annotationId](const QSqlDatabase &db, qint64 *, QString *error) {
                       return changeAnnotation(
                           db, QStringLiteral("DELETE FROM result_annotations WHERE id = ?"), {},
                           annotationId, error);
                   })
        .has_value();
}

QList<RecommendationFollowUp> HistoryStore::testRecommendations(qint64 testId, bool openOnly)
{
    QList<RecommendationFollowUp> list;
    if (!ensureOpen())
        return list;
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(QLatin1String(kFollowUpColumns) + QStringLiteral("WHERE r.test_id = ?") +
                  (openOnly ? QStringLiteral(" AND o.state = 'open'") : QString()) +
                  QStringLiteral(" ORDER BY r.started_at DESC, o.id"));
    query.addBindValue(testId);
    if (!query.exec()) {
        failRead(QStringLiteral("Reading the recommendations of test %1").arg(testId),
                 query.lastError());
        return list;
    }
    while (query.next())
        list.append(followUpFrom(query));
    failedStep(query);
    // The framework's rule: address critical impact first; newest first within an impact.
    std::stable_sort(list.begin(), list.end(), [](const auto &a, const auto &b) {
        return impactRank(a.recommendation.impact) < impactRank(b.recommendation.impact);
    });
    return list;
}

std::optional<RecommendationFollowUp> HistoryStore::recommendationFollowUp(qint64 recommendationId)
{
    if (!ensureOpen())
        return std::nullopt;
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(QLatin1String(kFollowUpColumns) + QStringLiteral("WHERE o.id = ?"));
    query.addBindValue(recommendationId);
    if (!query.exec()) {
        failRead(QStringLiteral("Reading recommendation %1").arg(recommendationId),
                 query.lastError());
        return std::nullopt;
    }
    if (!query.next())
        return std::nullopt;
    return followUpFrom(query);
}

bool HistoryStore::setRecommendationState(qint64 recommendationId, const QString &state,
                                          qint64 appliedResultId, const QString &reason,
                                          const QJsonObject &measured)
{
    if (state != QLatin1String("open") && state != QLatin1String("applied") &&
        state != QLatin1String("dismissed")) {
        m_lastError = QStringLiteral("\"") + state +
                      QStringLiteral("\" is not a recommendation state (open, applied, dismissed)");
        return false;
    }
    if (state == QLatin1String("dismissed") && reason.trimmed().isEmpty()) {
        m_lastError = QStringLiteral("dismissing a recommendation needs a reason");
        return false;
    }
    if (state == QLatin1String("applied") && appliedResultId <= 0) {
        m_lastError = QStringLiteral("an applied recommendation names the run that tests it");
        return false;
    }
    return runSync(QStringLiteral("Setting the state of recommendation %1").arg(recommendationId),
                   [=](const QSqlDatabase &db, qint64 *, QString *error) {
                       QSqlQuery query(db);
                       // The run that tests it belongs to the same test and came after.
                       query.prepare(QStringLiteral(
                           "UPDATE optimization_recommendations SET state = ?,"
                           " applied_result_id = ?, state_reason = ?, state_changed_at = ?,"
                           " measured_json = ? WHERE id = ? AND (? IS NULL OR EXISTS ("
                           "  SELECT 1 FROM performance_test_results a, performance_test_results o"
                           "  WHERE a.id = ? AND o.id = optimization_recommendations.result_id"
                           "  AND a.test_id = o.test_id AND a.id <> o.id))"));
                       query.addBindValue(state);
                       query.addBindValue(StoreSql::idValue(appliedResultId));
                       query.addBindValue(reason.isEmpty() ? QVariant() : reason);
                       query.addBindValue(StoreSql::timeValue(QDateTime::currentDateTimeUtc()));
                       query.addBindValue(measured.isEmpty() ? QVariant()
                                                             : StoreSql::jsonValue(measured));
                       query.addBindValue(recommendationId);
                       query.addBindValue(StoreSql::idValue(appliedResultId));
                       query.addBindValue(appliedResultId);
                       if (!StoreSql::exec(query, QString(), error))
                           return false;
                       if (query.numRowsAffected() == 0) {
                           *error = appliedResultId > 0
                                        ? QStringLiteral("there is no recommendation %1 whose test "
                                                         "has another run #%2")
                                              .arg(recommendationId)
                                              .arg(appliedResultId)
                                        : QStringLiteral("there is no recommendation %1")
                                              .arg(recommendationId);
                           return false;
                       }
                       return true;
                   })
        .has_value();
}

} // namespace loadscope
