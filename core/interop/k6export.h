#pragma once

#include <QString>
#include <QStringList>

#include "plan/testplan.h"

namespace loadscope {

//! A plan written as a k6 script.
struct K6Script
{
    QString script;           //!< a k6 ES-module script
    QStringList notExpressed; //!< what k6 cannot say; also written as comments at its top
};

//! Writes @p plan as a k6 script: the same executor with its stages or rate, thresholds in the
//! same syntax, every step as an http.request() call with its headers and body, checks as
//! check(), extractions (JSON pointer as a res.json() path, header, regex) into the
//! {{variables}} later steps use as template strings, think time as sleep(), and a CSV data
//! file through SharedArray + papaparse. Without a base URL the script targets
//! __ENV.BASE_URL, else the sample API's usual address.
K6Script exportK6(const TestPlan &plan);

//! The k6 res.json() (gjson) path of an RFC 6901 pointer: "/a/0/b.c" -> "a.0.b\\.c".
QString gjsonPathFromPointer(const QString &pointer);

} // namespace loadscope
