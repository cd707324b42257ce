#pragma once

#include <deque>
#include <memory>
#include <random>

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QMutex>
#include <QObject>
#include <QPair>
#include <QString>

#include "sample/smartmarketmodel.h"

class QHttpServer;
class QHttpServerRequest;
class QHttpServerResponder;
class QTcpSocket;

// The SmartMarket sample API (DESIGN.md §3.6): the built-in target every preset points at.
// It does real work per request (features, a small network, indicators, rules) and can inject
// latency, jitter, periodic stalls and errors for demonstrations and tests.

namespace loadscope {

//! Fault injection settings; all zero means a well-behaved server.
struct SampleApiOptions
{
    int latencyMs = 0;          //!< Added to every response.
    int jitterMs = 0;           //!< Plus a uniform random delay in [0, jitterMs].
    double errorRate = 0.0;     //!< Fraction of requests to known routes answered 500.
    double stallEverySec = 0.0; //!< Period of stop-the-world stalls; 0 disables them.
    int stallMs = 0;            //!< Stall length: requests arriving in it wait until it ends.
    double capacityRps = 0.0;   //!< Serve at most this many requests/s, FIFO; 0: unlimited.
    int capacityQueue = 0;      //!< Requests that may wait for capacity (beyond: 503); 0: 1 s.
    quint64 seed = 42;          //!< Seeds the jitter and error draws.
};

//! Request counters; a snapshot taken under the server's lock.
struct SampleApiCounters
{
    quint64 requests = 0;                   //!< Every request, including 404/405.
    quint64 errorsInjected = 0;             //!< Requests answered 500 by errorRate.
    quint64 rejectedOverCapacity = 0;       //!< Requests answered 503: capacity queue full.
    QMap<QString, quint64> requestsByRoute; //!< Keyed by path; unknown paths under "unmatched".
};

//! The SmartMarket sample API on QHttpServer. Lives on one thread (the one it was created on
//! or moved to); setOptions(), options() and counters() may be called from any thread.
class SampleApiServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SampleApiServer)

public:
    explicit SampleApiServer(const SampleApiOptions &options = {}, QObject *parent = nullptr);
    ~SampleApiServer() override;

    //! Starts listening; returns the bound port, or 0 with @p error set (e.g. port in use).
    quint16 listen(const QHostAddress &address = QHostAddress::LocalHost, quint16 port = 0,
                   QString *error = nullptr);
    //! The bound port, 0 before a successful listen().
    quint16 port() const { return m_port; }

    //! Replaces the fault injection settings; restarts the stall schedule and the random draws.
    void setOptions(const SampleApiOptions &options);
    SampleApiOptions options() const;
    SampleApiCounters counters() const;

    //! Version string of the loaded model ("smartmarket-mlp-1.0.0"); server thread only.
    QString modelVersion() const { return m_model.version(); }

private:
    struct Reply
    {
        int status = 200;
        QJsonObject body;
        QList<QPair<QByteArray, double>> timings; // Server-Timing metrics, total appended last
        QByteArray allow;                         // for 405
    };
    struct Injection
    {
        bool error = false;
        bool overCapacity = false; // the capacity queue is full: 503
        qint64 queueNs = 0;        // wait for a capacity slot (part of delayNs)
        qint64 delayNs = 0;
    };
    struct PendingReply;
    using Handler = Reply (SampleApiServer::*)(const QJsonObject &body);

    void addRoute(const QString &path, const QByteArray &method, Handler handler);
    void dispatch(const QString &path, const QByteArray &method, Handler handler,
                  const QHttpServerRequest &request, QHttpServerResponder &&responder);
    Injection drawInjection(const QString &routeKey, bool countOnly);
    void deliver(QHttpServerResponder &&responder, Reply reply, qint64 arrivalNs, qint64 delayNs);
    void scheduleDue(const std::shared_ptr<PendingReply> &entry);
    void flush(QTcpSocket *socket);
    static void writeReply(QHttpServerResponder &responder, const Reply &reply);

    Reply health(const QJsonObject &body);
    Reply predict(const QJsonObject &body);
    Reply reloadModel(const QJsonObject &body);
    Reply signalsFor(const QJsonObject &body);
    Reply executeStrategy(const QJsonObject &body);
    bool loadModel(QString *error);
    void rememberPrediction(const QString &id, const QString &symbol, double probability);

    QHttpServer *m_http = nullptr;
    quint16 m_port = 0;
    QElapsedTimer m_clock; // monotonic time base for arrival, due and stall times

    // Server thread only.
    SmartMarketModel m_model;
    QString m_modelError;
    bool m_reportModelLoad = true; // the next prediction reports the load time
    quint32 m_instanceTag = 0;
    quint64 m_nextPrediction = 0;
    struct StoredPrediction
    {
        QString symbol;
        double probability = 0.5;
    };
    QHash<QString, StoredPrediction> m_predictions;
    std::deque<QString> m_predictionOrder; // eviction order, bounded
    QHash<QTcpSocket *, std::deque<std::shared_ptr<PendingReply>>> m_pending;

    // Any thread, under m_mutex.
    mutable QMutex m_mutex;
    SampleApiOptions m_options;
    std::mt19937_64 m_rng;
    qint64 m_stallAnchorNs = 0;
    double m_capacityTatNs = 0; // capacity queue: theoretical arrival time of the next request
    SampleApiCounters m_counters;
};

} // namespace loadscope
