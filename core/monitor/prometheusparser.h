#pragma once

#include <optional>

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace loadscope {

//! One sample line of the Prometheus text exposition format (version 0.0.4).
struct PromSample
{
    QString name;                  //!< e.g. "http_requests_total" or "x_bucket"
    QMap<QString, QString> labels; //!< unescaped values
    double value = 0.0;            //!< NaN and ±Inf as written
    std::optional<qint64> timestampMs;
    //! The family's "# TYPE" (counter, gauge, histogram, summary, untyped); "untyped" without
    //! one. A histogram's or summary's _bucket/_sum/_count lines get their family's type.
    QString type;
};

//! Parses Prometheus text exposition format: "# HELP"/"# TYPE" and other comments, blank
//! lines, LF or CRLF line ends, label sets (empty `{}`, trailing comma, values with `\\`, `\"`
//! and `\n` escapes), Go float values (NaN, +Inf, -Inf, exponents) and optional integer
//! millisecond timestamps. A malformed line is skipped with a warning "line N: …" appended to
//! @p warnings; the parse never stops early.
QList<PromSample> parsePrometheusText(const QByteArray &text, QStringList *warnings = nullptr);

//! Parses a series selector `name` or `name{label="value",…}` (the sample-line syntax without
//! a value). False when it is not one.
bool parsePrometheusSelector(const QString &selector, QString *name,
                             QMap<QString, QString> *labels);

//! The first sample named @p name whose labels include all of @p labels, preferring one
//! with no labels at all when @p labels is empty; nullptr when none.
const PromSample *findPromSample(const QList<PromSample> &samples, const QString &name,
                                 const QMap<QString, QString> &labels = {});

} // namespace loadscope
