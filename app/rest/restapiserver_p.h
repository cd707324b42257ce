#pragma once

#include <memory>
#include <optional>

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QPointer>
#include <QString>
#include <QUrlQuery>

#include "interop/runmerge.h"
#include "plan/testplan.h"
#include "rest/restapiserver.h"
#include "rest/restplans.h"
#include "session/runsession.h"

class QHttpServerResponder;
class QTcpSocket;

// Private parts of RestApiServer shared by restapiserver.cpp (HTTP plumbing and routing) and
// restapiruns.cpp (the endpoints, the live run and the sample streams).

namespace loadscope {

//! The id in a path segment: only the canonical text of a positive integer ("01", "+1" are not).
std::optional<qint64> parseRestId(const QString &text);
//! A request body that must be a JSON object (depth-limited, syntax errors located).
std::optional<QJsonObject> requestJsonObject(const QByteArray &body, RestError *error);

struct RestApiServer::Request
{
    QByteArray method;
    QString path;
    QUrlQuery query;
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;

    QByteArray header(const QByteArray &name) const
    {
        for (const auto &h : headers) {
            if (h.first.compare(name, Qt::CaseInsensitive) == 0)
                return h.second;
        }
        return QByteArray();
    }
};

struct RestApiServer::Reply
{
    int status = 200;
    QJsonObject body;
    QList<QPair<QByteArray, QByteArray>> headers;

    static Reply error(const RestError &e) { return Reply{e.status, e.toJson(), {}}; }
    static Reply error(int status, const QString &message, const QString &field = QString())
    {
        RestError e;
        e.status = status;
        e.message = message;
        e.field = field;
        return error(e);
    }
};

// A client following GET results/:id/samples as server-sent events over a chunked response.
struct RestApiServer::Stream
{
    qint64 resultId = 0;
    std::unique_ptr<QHttpServerResponder> responder;
    QPointer<QTcpSocket> socket;
    qsizetype sent = 0;
};

struct RestApiServer::LiveRun
{
    std::unique_ptr<RunSession> session;
    qint64 testId = 0;
    qint64 resultId = 0;
    TestPlan plan;
    QList<QJsonObject> timeline;
    qint64 requests = 0;
    qint64 errors = 0;
    double lastRps = 0;
    double lastP95Ms = 0;
    int activeVus = 0;
    bool running = true;
};

//! A run that finished but could not be written to the history (a full disk, a damaged
//! file): kept in memory so that its poller gets the result and the reason, not "running"
//! for ever.
struct RestApiServer::UnsavedRun
{
    qint64 resultId = 0;
    qint64 testId = 0;
    TestPlan plan;
    RunSummary summary;
    QList<QJsonObject> timeline;
    QString storeError;
};

//! Agents' uploads of one scale-out run, merged once every segment is in (restmerge.cpp).
struct RestApiServer::PendingMerge
{
    QString key;
    QString testName;
    int segments = 0;
    QStringList received; //!< "I/N" in arrival order
    std::unique_ptr<RunMerger> merger = std::make_unique<RunMerger>();
};

} // namespace loadscope
