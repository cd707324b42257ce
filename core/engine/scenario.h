#pragma once

#include <optional>

#include <QByteArray>
#include <QHash>
#include <QJsonValue>
#include <QList>
#include <QRegularExpression>
#include <QString>

#include "engine/httptypes.h"
#include "engine/leanhttptransport.h"
#include "plan/testplan.h"

namespace loadscope {

//! Variables of one virtual user: plan variables, the current data row, extracted values.
using VariableMap = QHash<QString, QString>;

//! Replaces every {{name}} in @p text with its value; unknown names are left as they are.
QString substituteTemplates(const QString &text, const VariableMap &variables);

//! Resolves an RFC 6901 JSON pointer ("" = the whole document) in @p root.
std::optional<QJsonValue> resolveJsonPointer(const QJsonValue &root, const QString &pointer);

//! Text of an extracted JSON value: strings as they are, numbers without a trailing ".0",
//! objects and arrays as compact JSON.
QString jsonValueText(const QJsonValue &value);

//! A plan step turned into what the hot path needs: fixed request bytes when the step uses no
//! templates, precompiled regular expressions, and whether the response must be captured.
struct CompiledStep
{
    Step step;
    int endpoint = 0;       //!< index into the engine's endpoint list
    QByteArray target;      //!< request target relative to the server ("/path?query")
    QByteArray body;        //!< body bytes (inline or read from bodyFile)
    bool templated = false; //!< path, a header value or the body holds {{...}}
    bool captureResponse = false;
    int maxRedirects = 10;                       //!< the plan's
    PreparedRequest prepared;                    //!< valid when !templated
    QList<QRegularExpression> extractionRegexes; //!< per extraction; empty pattern when unused

    //! The request for this VU's variables (only for templated steps). A substituted value
    //! holding CR, LF or NUL makes it a refused request (HttpRequestData::refusal naming the
    //! variable and the field), which fails as a check and is never written.
    HttpRequestData requestFor(const VariableMap &variables) const;
};

//! Outcome of checking and extracting from one response.
struct StepOutcome
{
    int checksPassed = 0;
    int checksFailed = 0;
    QString firstFailure; //!< what failed first, for error details
};

//! Runs the step's checks on @p result and stores its extractions into @p variables. A check
//! or extraction that fails counts as a failed check.
StepOutcome evaluateStep(const CompiledStep &step, const HttpResult &result,
                         VariableMap &variables);

//! Compiles the plan's steps for @p baseUrl. Reads body files; fails with a message naming
//! the step ("steps[1].bodyFile: cannot read x.json: ...").
std::optional<QList<CompiledStep>> compileSteps(const TestPlan &plan, const QString &baseUrl,
                                                const QStringList &endpointNames, QString *error);

//! Distinct endpoint names of the plan's steps, in order (steps with the same name share one).
QStringList endpointNames(const TestPlan &plan);

//! Reads a CSV data file with a header row into one variable map per row (RFC 4180 quoting).
std::optional<QList<VariableMap>> readDataFile(const QString &path, QString *error);

} // namespace loadscope
