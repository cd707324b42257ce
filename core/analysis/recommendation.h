#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace loadscope {

//! An optimization recommendation drawn from a run (recommend()), kept with its result.
struct Recommendation
{
    qint64 id = 0; //!< its row in the history; 0 while not stored
    QString area;
    QString impact; //!< low, medium, high or critical
    QString title;
    QString detail;
    QString implementation;
    QString estimatedImprovement;
    QJsonObject evidence;

    //! {area, impact, title, detail, implementation, estimatedImprovement, evidence} — the
    //! shape of the result JSON's "recommendations" entries.
    QJsonObject toJson() const;
    static Recommendation fromJson(const QJsonObject &json);
};

//! The recommendations as a JSON array of Recommendation::toJson() objects.
QJsonArray recommendationsToJson(const QList<Recommendation> &recommendations);
//! The inverse of recommendationsToJson(); entries that are not objects read as empty ones.
QList<Recommendation> recommendationsFromJson(const QJsonArray &array);

} // namespace loadscope
