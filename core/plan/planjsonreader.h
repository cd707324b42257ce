#pragma once

#include <initializer_list>

#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>

#include "plan/planvalidator.h"
#include "plan/testplan.h"

namespace loadscope {

//! A JSON value as written, shortened, for "expected X, got Y" messages.
QString describeJsonValue(const QJsonValue &value);
//! "path.key", or "key" at the top level.
QString jsonKeyPath(const QString &path, QLatin1String key);

//! Reads the plan file format of planjson.h, collecting every problem so that a user sees all
//! of them at once, each named by its path ("load.vus: expected a number, got \"ten\"").
//! Every key written twice in one object of @p json (which must be valid JSON), named by its
//! path ("steps[0].path"). QJsonDocument silently keeps the last one, so a plan file that sets
//! a field twice would run with a value its author may not have meant.
QList<PlanIssue> duplicateJsonKeys(const QByteArray &json);

class PlanJsonReader final
{
public:
    //! Reads @p json into @p plan (missing keys keep their defaults); returns every problem
    //! found as "path: message", empty on success.
    QStringList read(const QJsonObject &json, TestPlan &plan);
    //! The problems of the last read(), with their paths kept apart from the messages.
    const QList<PlanIssue> &issues() const { return m_issues; }

private:
    void error(const QString &path, const QString &message);
    void typeError(const QString &path, const char *expected, const QJsonValue &got);
    void checkKeys(const QJsonObject &object, const QString &path,
                   std::initializer_list<QLatin1String> allowed);
    bool object(const QJsonValue &value, const QString &path, QJsonObject *out);
    bool array(const QJsonValue &value, const QString &path, QJsonArray *out);
    void readString(const QJsonObject &o, QLatin1String key, const QString &path, QString &out);
    void readBool(const QJsonObject &o, QLatin1String key, const QString &path, bool &out);
    void readDouble(const QJsonObject &o, QLatin1String key, const QString &path, double &out);
    bool intValue(const QJsonValue &v, const QString &path, int &out);
    void readInt(const QJsonObject &o, QLatin1String key, const QString &path, int &out);
    bool durationValue(const QJsonValue &v, const QString &path, qint64 &out);
    void readDuration(const QJsonObject &o, QLatin1String key, const QString &path, qint64 &out);
    void readHeaders(const QJsonValue &v, const QString &path, QList<QPair<QString, QString>> &out);
    void readCheck(const QJsonObject &o, const QString &path, Check &check);
    void readExtraction(const QJsonObject &o, const QString &path, Extraction &extraction);
    void readStep(const QJsonObject &o, const QString &path, Step &step);
    void readLoad(const QJsonObject &o, const QString &path, LoadModel &load);
    void readThresholds(const QJsonObject &o, const QString &path, QList<ThresholdSpec> &out);
    void readPlan(const QJsonObject &o, TestPlan &plan);

    QList<PlanIssue> m_issues;
};

} // namespace loadscope
