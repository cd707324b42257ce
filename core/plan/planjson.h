#pragma once

#include <optional>

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include "plan/testplan.h"

// The plan file format ("loadscope.plan/1") is k6-like: durations are written as k6 strings
// ("1m30s") and read from such strings or from plain numbers (seconds). Every field is written,
// so toJson -> planFromJson -> toJson is byte-identical in compact form.
//
// Headers: written as an object {"Name": "value"} when that loses nothing (unique names whose
// order equals the object's sorted key order), otherwise as an array of [name, value] pairs,
// which keeps order and duplicate names; both forms are read. Unknown keys are errors, so a
// typo like "vsu" does not pass silently.

namespace loadscope {

//! Schema tag written into and expected from every plan file.
inline constexpr char kPlanSchema[] = "loadscope.plan/1";

//! Serializes @p plan; every field is written.
QJsonObject toJson(const TestPlan &plan);

//! Reads a plan; on failure @p error lists every problem, one "path: message" per line.
std::optional<TestPlan> planFromJson(const QJsonObject &json, QString *error = nullptr);

//! Parses JSON text; bad syntax gives "line L, column C: <parse error>".
std::optional<TestPlan> planFromJsonBytes(const QByteArray &bytes, QString *error = nullptr);

//! Reads the plan file @p fileName. Relative file paths in it (dataFile, every step's bodyFile)
//! are made absolute against the plan file's folder, not the working directory, so that a plan
//! runs the same from wherever it is started; absolute paths stay as written.
std::optional<TestPlan> planFromFile(const QString &fileName, QString *error = nullptr);

//! Makes the relative dataFile and bodyFile paths of @p plan absolute against @p folder.
void resolvePlanPaths(TestPlan &plan, const QString &folder);

//! Compact JSON text of @p plan (stable: keys sorted).
QByteArray planToJsonBytes(const TestPlan &plan, bool indented = false);

} // namespace loadscope
