#pragma once

#include <memory>
#include <vector>

#include <QByteArray>
#include <QByteArrayView>
#include <QFile>
#include <QString>
#include <QStringList>

#include "metrics/runmetrics.h"

// The compact part of an agent result (format "loadscope.hdr/2", DESIGN.md §4.4): the
// per-interval counters and HDR histograms as one length-prefixed binary stream, carried in
// base64 as result.histograms.records. A 1-hour agent has 3600 intervals; as JSON objects
// (loadscope.hdr/1) they cost a QJsonDocument of the whole file to read, as records they are
// read one interval at a time straight from the file (IntervalRecordReader), so `merge` of
// many agents needs neither their documents nor their decoded histograms all at once.
//
// Stream: "LSIR" 0x01, then per interval a varint byte length and the record: varint index,
// f64 tSec, f64 intervalSec, varint activeVus, f64 plannedTarget, totals, histograms, varint
// endpoint count and per endpoint: varint endpoint id, u8 flags (1 = sameAsOverall), totals,
// histograms. Totals: eight zig-zag varints (requests, errors, bytesIn, bytesOut, iterations,
// droppedIterations, checksPassed, checksFailed) and one per error class of the header's
// "errorClasses". Histograms: varint count, then per histogram varint metric id, varint byte
// length and LatencyHistogram::serialize(). Metric and endpoint ids index the header's
// "metricNames" and "endpointNames"; f64 is IEEE 754 little-endian.

namespace loadscope {

//! One histogram of a record: a metric id of the stream's header and its serialize() blob.
struct RecordHistogram
{
    int metric = 0;
    QByteArray blob; //!< may share the reader's buffer: valid until its next next()
};

//! One endpoint's part of an interval record.
struct RecordEndpoint
{
    int endpoint = 0;
    bool sameAsOverall = false; //!< the plan's only endpoint: the overall histograms are its own
    TrafficTotals totals;
    std::vector<RecordHistogram> histograms;
};

//! One interval of an agent result.
struct IntervalRecord
{
    int index = 0;
    double tSec = 0;
    double intervalSec = 0;
    int activeVus = 0;
    double plannedTarget = 0;
    TrafficTotals totals;
    std::vector<RecordHistogram> histograms;
    std::vector<RecordEndpoint> endpoints;
};

//! Writes a record stream: the magic first, then append() interval after interval.
class IntervalRecordWriter
{
public:
    IntervalRecordWriter();
    //! Appends @p record (ids as the caller's header numbers them, totals by ErrorClass).
    void append(const IntervalRecord &record);
    //! The stream so far.
    const QByteArray &bytes() const { return m_bytes; }

private:
    QByteArray m_bytes;
    QByteArray m_record;
};

//! Appends the bytes of the base64 text @p in (standard alphabet, '=' padding, no line breaks)
//! to @p out; false on anything else. Several times faster than QByteArray::fromBase64, which
//! matters for a merge: its records are most of what it reads.
bool appendBase64Decoded(const char *in, qsizetype size, QByteArray *out);

//! The error class names a writer puts in "errorClasses" (ErrorClass 1 … kErrorClassCount-1).
QStringList recordErrorClasses();

//! The record stream of @p summary's timeline (its per-interval histograms, as
//! histogramsJson() writes them), with the metric and endpoint names its ids stand for.
QByteArray intervalRecords(const RunSummary &summary, QStringList *metricNames,
                           QStringList *endpointNames);

//! Reads a record stream one interval at a time, from memory or from base64 text inside a file
//! (read in small chunks: memory stays flat however long the run was). Checks the magic, each
//! record's length and ids; the histogram blobs themselves are checked by whoever merges them.
class IntervalRecordReader
{
public:
    //! Over the decoded stream @p bytes.
    explicit IntervalRecordReader(QByteArray bytes);
    //! Over @p base64Length base64 characters at byte @p offset of the file @p path.
    IntervalRecordReader(const QString &path, qint64 offset, qint64 base64Length);
    ~IntervalRecordReader();
    Q_DISABLE_COPY_MOVE(IntervalRecordReader)

    //! Sets how many metric and endpoint ids the header names and which ErrorClass each of its
    //! "errorClasses" is (-1: unknown here, its count is dropped); ids past them are refused.
    void setHeader(int metrics, int endpoints, std::vector<int> errorClasses);
    //! The next record into @p out; false at the end (error empty) or on a broken stream
    //! (error says what, without the place: the caller knows which interval it asked for).
    bool next(IntervalRecord *out, QString *error);
    //! Records read so far.
    int position() const { return m_position; }

private:
    bool fill(qsizetype needed, QString *error);
    bool parse(QByteArrayView record, IntervalRecord *out, QString *error) const;

    QByteArray m_buffer; //!< decoded bytes; m_consumed of them already read
    qsizetype m_consumed = 0;
    std::unique_ptr<QFile> m_file;
    qint64 m_base64Left = 0;
    bool m_started = false;
    int m_position = 0;
    int m_metrics = 0;
    int m_endpoints = 0;
    std::vector<int> m_errorClasses;
};

} // namespace loadscope
