#pragma once

#include <memory>
#include <vector>

#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

#include "plan/testplan.h"
#include "rest/restsandbox.h"

class QHttpServer;
class QHttpServerRequest;
class QHttpServerResponder;
class QTcpSocket;

namespace loadscope {

class HistoryStore;
class RunSession;
class SampleTargetProcess;
struct IntervalSample;
struct RestError;
struct RunSummary;

//! Settings of the REST API server.
struct RestApiOptions
{
    QString token;                 //!< every request must send "Authorization: Bearer <token>"
    qint64 maxBodyBytes = 1 << 20; //!< larger request bodies are answered 413
    int maxConnections = 1024;     //!< connections beyond this are answered 503 and closed
    //! A connection with no byte in either direction for this long is closed (slow clients
    //! cannot hold the server); live sample streams send every interval and stay open.
    int idleTimeoutMs = 60000;
    QString defaultBaseUrl; //!< target of plans without a base URL; empty = the
                            //!< built-in sample API, started per run
    RestSandbox sandbox;    //!< files and targets plans sent over the API may use
    //! Bodies of POST results/merge (agent results carry every interval's histograms) may be
    //! this large; every other route keeps maxBodyBytes.
    qint64 maxResultBytes = 256 << 20;
};

//! The REST API of DESIGN.md §4.2 over a HistoryStore: tests (saved plans), runs started in the
//! background, results with live progress and a stream of interval samples. One run at a time:
//! starting another while one runs is answered 409 with the running result's id. Lives on the
//! thread that opened the store (the store's reads are bound to it).
class RestApiServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RestApiServer)

public:
    //! Path prefix of every route.
    static constexpr char kPrefix[] = "/api/performance";

    RestApiServer(HistoryStore *store, RestApiOptions options, QObject *parent = nullptr);
    ~RestApiServer() override;

    //! Starts listening; the bound port, or 0 with @p error set. An empty token is refused.
    quint16 listen(const QHostAddress &address, quint16 port, QString *error = nullptr);
    quint16 port() const { return m_port; }

    //! True while a test started through the API runs.
    bool isRunning() const;
    //! The running result's id, 0 when idle.
    qint64 runningResultId() const;
    //! Stops the running test early, keeping what was measured (status aborted).
    void stopRun(const QString &reason);

signals:
    void runStarted(qint64 testId, qint64 resultId);
    void runFinished(qint64 resultId, const QString &status);

private:
    struct Request;
    struct Reply;
    struct Stream;
    struct LiveRun;
    struct UnsavedRun;

    void handle(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    Reply route(const Request &request, QHttpServerResponder &responder, bool *streaming);
    Reply describe() const;
    Reply createTest(const Request &request);
    Reply listTests();
    Reply getTest(qint64 id);
    Reply startTest(qint64 id, const Request &request);
    Reply testResults(qint64 id);
    Reply getResult(qint64 id);
    Reply getSamples(qint64 id, const Request &request, QHttpServerResponder &responder,
                     bool *streaming);
    Reply loadTest(const Request &request);
    // The optimization loop (restloop.cpp): annotations and recommendation follow-up.
    Reply routeLoop(const QStringList &parts, const Request &request, bool *matched);
    Reply annotations(qint64 testId, qint64 resultId);
    Reply addAnnotation(qint64 testId, qint64 resultId, const Request &request);
    Reply testRecommendations(qint64 testId, const Request &request);
    Reply followUpRecommendation(qint64 id, const Request &request);
    Reply startRun(const TestPlan &plan, qint64 testId, const QString &versionLabel);
    // Scale-out agents' results (restmerge.cpp).
    struct PendingMerge;
    Reply mergeResults(const Request &request);
    Reply pendingMerges() const;
    Reply storeMerged(PendingMerge &pending);

    Reply conflictIfRunning() const;
    QJsonObject progressJson() const;
    QList<QJsonObject> samplesOf(qint64 resultId, QString *status) const;
    void onInterval(const IntervalSample &sample);
    void onFinished(const RunSummary &summary, qint64 resultId);
    void openStream(qint64 resultId, QHttpServerResponder &responder);
    void feedStreams();
    const UnsavedRun *unsavedRun(qint64 resultId) const;

    static void send(QHttpServerResponder &responder, const Reply &reply);

    HistoryStore *m_store = nullptr;
    RestApiOptions m_options;
    QHttpServer *m_http = nullptr;
    quint16 m_port = 0;
    std::unique_ptr<LiveRun> m_live;
    std::unique_ptr<SampleTargetProcess> m_sampleTarget; //!< started by the first run needing it
    std::vector<std::unique_ptr<Stream>> m_streams;
    std::vector<std::unique_ptr<UnsavedRun>> m_unsaved;         //!< the last few, newest last
    std::vector<std::unique_ptr<PendingMerge>> m_pendingMerges; //!< agents still coming in
};

} // namespace loadscope
