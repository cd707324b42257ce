#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include "plan/testplan.h"

namespace loadscope {

//! One problem found in a plan, named by its JSON path ("steps[2].method").
struct PlanIssue
{
    enum class Severity
    {
        Error,
        Warning
    };
    Severity severity = Severity::Error;
    QString path;
    QString message;

    //! "path: message"
    QString toString() const;
};

//! Every problem in @p plan. @p dataColumns are the data file's column names when known;
//! while a data file is set but its columns are unknown, {{name}} references are not checked.
//! Unresolved {{name}} references and unknown metrics are warnings; the rest are errors.
QList<PlanIssue> planIssues(const TestPlan &plan, const QStringList *dataColumns = nullptr);

//! Every problem (errors and warnings) as "path: message"; empty when the plan is valid.
QStringList validatePlan(const TestPlan &plan, const QStringList *dataColumns = nullptr);

//! Only the errors of planIssues(), as "path: message": what must block a run.
QStringList planErrors(const TestPlan &plan, const QStringList *dataColumns = nullptr);

//! True for the methods a step may use: GET HEAD POST PUT PATCH DELETE OPTIONS (upper case).
bool isHttpMethod(const QString &method);

//! True when @p pointer is an RFC 6901 JSON pointer that starts with "/" ("~" escapes valid).
bool isJsonPointer(const QString &pointer);

//! True when @p name is a valid HTTP header field name (an RFC 9110 token).
bool isHeaderName(const QString &name);

} // namespace loadscope
