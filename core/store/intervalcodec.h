#pragma once

#include <utility>

#include <QByteArray>
#include <QList>
#include <QString>

#include "metrics/runmetrics.h"
#include "store/storetypes.h"

class QSqlDatabase;

namespace loadscope {

//! The compact record of one interval kept in result_intervals (schema version 7): every
//! result_samples row of the interval (overall and per endpoint) with the figures charts and
//! comparisons read from its data JSON, as fixed-width binary fields. Opening or comparing a
//! one-hour run reads 3,600 of these in one query instead of parsing 14,400 JSON texts
//! (internal to the store, public for tests).
//!
//! The record holds exactly what a stored run's timeline is built from: the typed columns, the
//! error classes, checks, corrected latency, planned target, Server-Timing and timing means.
//! Of the resource figures it keeps those that are charted and compared (machine CPU, generator
//! and target CPU, RSS and validity, generator saturation); the full object stays in
//! result_samples.data_json, which samples() reads.
class IntervalCodec
{
public:
    //! The first byte of every record; a record of another format is refused by decode().
    static constexpr char kFormat = 1;

    //! The record of @p rows, all of one interval (one tSec), in the order given.
    static QByteArray encode(const QList<ResultSample> &rows);
    //! The rows part of @p record (what follows its header): appended to another record of the
    //! same interval, the two read back as one.
    static QByteArray rowsOf(const QByteArray &record);
    //! The rows grouped by tSec (groups in the order of their first row), each encoded.
    static QList<std::pair<double, QByteArray>> encodeByInterval(const QList<ResultSample> &rows);

    //! Turns records back into intervals. Endpoint names repeat in every record: one decoder per
    //! run shares them between intervals instead of allocating each again.
    class Decoder
    {
    public:
        //! The interval of @p record: its rows as a stored run's timeline holds them (the overall
        //! row ('' endpoint) as overall with the interval's VUs, target, Server-Timing, timing
        //! means and resources; the others as endpoints). intervalSec is requests / rps of the
        //! overall row, 0 when that is unknown; index is 0. False for a damaged record.
        bool decode(const QByteArray &record, IntervalSample *sample);

    private:
        QString name(const char *data, int size);
        QList<std::pair<QByteArray, QString>> m_names;
    };

    //! Fills result_intervals from the result_samples rows of every run (the version 7
    //! migration), inside the caller's transaction.
    static bool fillFromSamples(const QSqlDatabase &db, QString *error);
};

} // namespace loadscope
