// The SmartMarket sample API over real loopback HTTP: response shapes, Server-Timing, request
// validation, routing errors and the fault injection options.

#include <memory>
#include <vector>

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QTcpSocket>

#include "sample/sampleapihost.h"
#include "sample/sampleapiserver.h"
#include "testmain.h"

using namespace loadscope;

namespace {

struct HttpResult
{
    int status = 0;
    QJsonObject json;
    QByteArray serverTiming;
    QByteArray allow;
    qint64 elapsedMs = 0;
    qint64 finishedAtMs = 0; // on the test's clock
};

// name -> dur of every Server-Timing metric, in header order.
QList<QPair<QString, double>> parseServerTiming(const QByteArray &header)
{
    QList<QPair<QString, double>> metrics;
    for (const QByteArray &part : header.split(',')) {
        const QList<QByteArray> fields = part.trimmed().split(';');
        double duration = -1.0;
        for (int i = 1; i < fields.size(); ++i) {
            const QByteArray field = fields.at(i).trimmed();
            if (field.startsWith("dur="))
                duration = field.mid(4).toDouble();
        }
        metrics.append({QString::fromLatin1(fields.first().trimmed()), duration});
    }
    return metrics;
}

QStringList timingNames(const HttpResult &result)
{
    QStringList names;
    for (const auto &metric : parseServerTiming(result.serverTiming))
        names.append(metric.first);
    return names;
}

double timing(const HttpResult &result, const QString &name)
{
    for (const auto &metric : parseServerTiming(result.serverTiming)) {
        if (metric.first == name)
            return metric.second;
    }
    return -1.0;
}

} // namespace

class TestSampleApi : public QObject
{
    Q_OBJECT

private:
    QNetworkReply *start(const QByteArray &method, const QString &path, const QByteArray &body = {})
    {
        QNetworkRequest request(m_host->baseUrl().resolved(QUrl(path)));
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json"));
        return m_nam->sendCustomRequest(request, method, body);
    }

    HttpResult finish(QNetworkReply *reply, const QElapsedTimer &timer)
    {
        HttpResult result;
        if (!reply->isFinished()) {
            QSignalSpy finished(reply, &QNetworkReply::finished);
            if (!finished.wait(15000))
                qWarning("request timed out");
        }
        result.elapsedMs = timer.elapsed();
        result.finishedAtMs = m_clock.elapsed();
        result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        result.serverTiming = reply->rawHeader("Server-Timing");
        result.allow = reply->rawHeader("Allow");
        result.json = QJsonDocument::fromJson(reply->readAll()).object();
        reply->deleteLater();
        return result;
    }

    HttpResult send(const QByteArray &method, const QString &path, const QByteArray &body = {})
    {
        QElapsedTimer timer;
        timer.start();
        return finish(start(method, path, body), timer);
    }

    HttpResult post(const QString &path, const QJsonObject &body)
    {
        return send("POST", path, QJsonDocument(body).toJson(QJsonDocument::Compact));
    }

    std::unique_ptr<SampleApiHost> m_host;
    std::unique_ptr<QNetworkAccessManager> m_nam;
    QElapsedTimer m_clock;

private slots:
    void init()
    {
        m_clock.start();
        m_host = std::make_unique<SampleApiHost>();
        QString error;
        QVERIFY2(m_host->start(QHostAddress::LocalHost, 0, &error) != 0, qPrintable(error));
        QVERIFY(m_host->port() != 0);
        QCOMPARE(m_host->baseUrl().host(), QStringLiteral("127.0.0.1"));
        m_nam = std::make_unique<QNetworkAccessManager>();
    }

    void cleanup()
    {
        m_nam.reset();
        m_host.reset();
    }

    void health()
    {
        const HttpResult result = send("GET", QStringLiteral("/api/health"));
        QCOMPARE(result.status, 200);
        QCOMPARE(result.json.value(QLatin1String("status")).toString(), QStringLiteral("ok"));
        QVERIFY(result.json.value(QLatin1String("uptimeSec")).toDouble(-1) >= 0.0);
        QVERIFY(result.json.value(QLatin1String("modelVersion"))
                    .toString()
                    .startsWith(QLatin1String("smartmarket")));
        QCOMPARE(result.json.value(QLatin1String("requests")).toInt(), 1);
        QCOMPARE(timingNames(result), QStringList{QStringLiteral("total")});
        QVERIFY(timing(result, QStringLiteral("total")) >= 0.0);
    }

    void predictShapeAndTiming()
    {
        const HttpResult first = post(QStringLiteral("/api/bridge/predict"),
                                      {{QStringLiteral("symbol"), QStringLiteral("aapl")}});
        QCOMPARE(first.status, 200);
        QCOMPARE(timingNames(first),
                 (QStringList{QStringLiteral("features"), QStringLiteral("inference"),
                              QStringLiteral("model-load"), QStringLiteral("total")}));
        QVERIFY(timing(first, QStringLiteral("model-load")) >
                0.0); // first request after the start-up load
        const QJsonObject &json = first.json;
        QCOMPARE(json.value(QLatin1String("symbol")).toString(), QStringLiteral("AAPL"));
        QVERIFY(!json.value(QLatin1String("predictionId")).toString().isEmpty());
        const double p = json.value(QLatin1String("probability")).toDouble(-1);
        QVERIFY(p > 0.0 && p < 1.0);
        QCOMPARE(json.value(QLatin1String("direction")).toString(),
                 p >= 0.5 ? QStringLiteral("up") : QStringLiteral("down"));
        QVERIFY(qAbs(json.value(QLatin1String("confidence")).toDouble() - qAbs(2 * p - 1)) < 1e-12);
        QCOMPARE(json.value(QLatin1String("features")).toObject().size(), 7);
        QVERIFY(json.value(QLatin1String("features")).toObject().contains(QLatin1String("rsi14")));
        QVERIFY(!json.value(QLatin1String("modelVersion")).toString().isEmpty());
        QCOMPARE(json.value(QLatin1String("source")).toString(), QStringLiteral("synthetic"));

        // Same symbol, same synthetic window, same probability; a new id; no load to report.
        const HttpResult second = post(QStringLiteral("/api/bridge/predict"),
                                       {{QStringLiteral("symbol"), QStringLiteral("AAPL")}});
        QCOMPARE(second.json.value(QLatin1String("probability")).toDouble(), p);
        QVERIFY(second.json.value(QLatin1String("predictionId")) !=
                json.value(QLatin1String("predictionId")));
        QCOMPARE(timing(second, QStringLiteral("model-load")), 0.0);
    }

    void predictWithBars()
    {
        QJsonArray bars;
        for (int i = 0; i < 30; ++i) {
            const double close = 100.0 + i;
            bars.append(QJsonArray{close - 0.5, close + 1.0, close - 1.0, close, 1000.0 + 10 * i});
        }
        const HttpResult rising = post(
            QStringLiteral("/api/bridge/predict"),
            {{QStringLiteral("symbol"), QStringLiteral("TEST")}, {QStringLiteral("ohlcv"), bars}});
        QCOMPARE(rising.status, 200);
        QCOMPARE(rising.json.value(QLatin1String("source")).toString(), QStringLiteral("request"));
        QCOMPARE(rising.json.value(QLatin1String("bars")).toInt(), 30);
        QVERIFY(rising.json.value(QLatin1String("features"))
                    .toObject()
                    .value(QLatin1String("return20"))
                    .toDouble() > 0.0);

        bars.removeLast();
        const HttpResult tooShort = post(
            QStringLiteral("/api/bridge/predict"),
            {{QStringLiteral("symbol"), QStringLiteral("TEST")}, {QStringLiteral("ohlcv"), bars}});
        QCOMPARE(tooShort.status, 400);
        QVERIFY(tooShort.json.value(QLatin1String("error"))
                    .toString()
                    .contains(QLatin1String("'ohlcv'")));
        QVERIFY(
            tooShort.json.value(QLatin1String("error")).toString().contains(QLatin1String("29")));
    }

    void badRequests()
    {
        const HttpResult badJson = send("POST", QStringLiteral("/api/bridge/predict"),
                                        QByteArrayLiteral("{\"symbol\": \"AAPL\","));
        QCOMPARE(badJson.status, 400);
        QVERIFY2(badJson.json.value(QLatin1String("error"))
                     .toString()
                     .startsWith(QLatin1String("invalid JSON at offset ")),
                 qPrintable(badJson.json.value(QLatin1String("error")).toString()));
        QVERIFY(timingNames(badJson).contains(QStringLiteral("total")));

        const HttpResult notObject =
            send("POST", QStringLiteral("/api/signals"), QByteArrayLiteral("[1,2]"));
        QCOMPARE(notObject.status, 400);
        QVERIFY(notObject.json.value(QLatin1String("error"))
                    .toString()
                    .contains(QLatin1String("JSON object")));

        for (const QString &path :
             {QStringLiteral("/api/bridge/predict"), QStringLiteral("/api/signals"),
              QStringLiteral("/api/strategy/execute")}) {
            const HttpResult missing =
                post(path, {{QStringLiteral("ticker"), QStringLiteral("AAPL")}});
            QCOMPARE(missing.status, 400);
            QCOMPARE(missing.json.value(QLatin1String("error")).toString(),
                     QStringLiteral("missing field 'symbol'"));
        }
        const HttpResult noSignal = post(QStringLiteral("/api/strategy/execute"),
                                         {{QStringLiteral("symbol"), QStringLiteral("AAPL")}});
        QCOMPARE(noSignal.status, 400);
        QVERIFY(noSignal.json.value(QLatin1String("error"))
                    .toString()
                    .contains(QLatin1String("'signal'")));
        const HttpResult badAction =
            post(QStringLiteral("/api/strategy/execute"),
                 {{QStringLiteral("symbol"), QStringLiteral("AAPL")},
                  {QStringLiteral("signal"),
                   QJsonObject{{QStringLiteral("action"), QStringLiteral("moon")},
                               {QStringLiteral("strength"), 1}}}});
        QCOMPARE(badAction.status, 400);
        QVERIFY(badAction.json.value(QLatin1String("error"))
                    .toString()
                    .contains(QLatin1String("signal.action")));
    }

    void routingErrors()
    {
        const HttpResult missing = send("GET", QStringLiteral("/api/nothing-here"));
        QCOMPARE(missing.status, 404);
        QVERIFY(missing.json.value(QLatin1String("error"))
                    .toString()
                    .contains(QLatin1String("/api/nothing-here")));
        QVERIFY(timingNames(missing).contains(QStringLiteral("total")));

        const HttpResult getPredict = send("GET", QStringLiteral("/api/bridge/predict"));
        QCOMPARE(getPredict.status, 405);
        QCOMPARE(getPredict.allow, QByteArrayLiteral("POST"));
        QVERIFY(getPredict.json.value(QLatin1String("error"))
                    .toString()
                    .contains(QLatin1String("GET")));

        const HttpResult postHealth =
            send("POST", QStringLiteral("/api/health"), QByteArrayLiteral("{}"));
        QCOMPARE(postHealth.status, 405);
        QCOMPARE(postHealth.allow, QByteArrayLiteral("GET"));

        const SampleApiCounters counters = m_host->counters();
        QCOMPARE(counters.requests, quint64(3));
        QCOMPARE(counters.requestsByRoute.value(QStringLiteral("unmatched")), quint64(1));
        QCOMPARE(counters.requestsByRoute.value(QStringLiteral("/api/health")), quint64(1));
    }

    void signalsShapeAndPrediction()
    {
        const HttpResult plain = post(QStringLiteral("/api/signals"),
                                      {{QStringLiteral("symbol"), QStringLiteral("MSFT")}});
        QCOMPARE(plain.status, 200);
        QCOMPARE(timingNames(plain),
                 (QStringList{QStringLiteral("signal"), QStringLiteral("total")}));
        QCOMPARE(plain.json.value(QLatin1String("predictionUsed")).toBool(true), false);
        const QJsonArray list = plain.json.value(QLatin1String("signals")).toArray();
        QCOMPARE(list.size(), 3);
        QStringList indicators;
        for (const QJsonValue &value : list) {
            const QJsonObject signal = value.toObject();
            indicators.append(signal.value(QLatin1String("indicator")).toString());
            QVERIFY(
                QStringList({QStringLiteral("buy"), QStringLiteral("sell"), QStringLiteral("hold")})
                    .contains(signal.value(QLatin1String("action")).toString()));
            const double strength = signal.value(QLatin1String("strength")).toDouble(-1);
            QVERIFY(strength >= 0.0 && strength <= 1.0);
            QVERIFY(signal.contains(QLatin1String("value")));
        }
        QCOMPARE(indicators, (QStringList{QStringLiteral("macd"), QStringLiteral("rsi"),
                                          QStringLiteral("bollinger")}));
        QVERIFY(plain.json.value(QLatin1String("combined"))
                    .toObject()
                    .contains(QLatin1String("action")));

        const HttpResult prediction = post(QStringLiteral("/api/bridge/predict"),
                                           {{QStringLiteral("symbol"), QStringLiteral("MSFT")}});
        const QString id = prediction.json.value(QLatin1String("predictionId")).toString();
        const HttpResult combined = post(QStringLiteral("/api/signals"),
                                         {{QStringLiteral("symbol"), QStringLiteral("MSFT")},
                                          {QStringLiteral("predictionId"), id}});
        QCOMPARE(combined.status, 200);
        QCOMPARE(combined.json.value(QLatin1String("predictionUsed")).toBool(), true);
        const QJsonArray withModel = combined.json.value(QLatin1String("signals")).toArray();
        QCOMPARE(withModel.size(), 4);
        QCOMPARE(withModel.last().toObject().value(QLatin1String("value")).toDouble(),
                 prediction.json.value(QLatin1String("probability")).toDouble());

        const HttpResult unknown =
            post(QStringLiteral("/api/signals"),
                 {{QStringLiteral("symbol"), QStringLiteral("MSFT")},
                  {QStringLiteral("predictionId"), QStringLiteral("pred-nope")}});
        QCOMPARE(unknown.json.value(QLatin1String("predictionUsed")).toBool(true), false);

        QJsonArray shortPrices{1.0, 2.0, 3.0};
        const HttpResult tooShort = post(QStringLiteral("/api/signals"),
                                         {{QStringLiteral("symbol"), QStringLiteral("MSFT")},
                                          {QStringLiteral("prices"), shortPrices}});
        QCOMPARE(tooShort.status, 400);
        QVERIFY(tooShort.json.value(QLatin1String("error"))
                    .toString()
                    .contains(QLatin1String("'prices'")));
    }

    void strategyShape()
    {
        const QJsonObject body{
            {QStringLiteral("symbol"), QStringLiteral("AAPL")},
            {QStringLiteral("signal"),
             QJsonObject{{QStringLiteral("action"), QStringLiteral("buy")},
                         {QStringLiteral("strength"), 0.9}}},
            {QStringLiteral("portfolio"),
             QJsonObject{{QStringLiteral("cash"), 100000},
                         {QStringLiteral("positions"), QJsonObject{{QStringLiteral("AAPL"), 10}}}}},
            {QStringLiteral("price"), 100.0},
            {QStringLiteral("riskLimits"), QJsonObject{{QStringLiteral("maxPositionPct"), 0.2},
                                                       {QStringLiteral("maxOrderValue"), 5000},
                                                       {QStringLiteral("minStrength"), 0.3}}}};
        const HttpResult result = post(QStringLiteral("/api/strategy/execute"), body);
        QCOMPARE(result.status, 200);
        QCOMPARE(timingNames(result),
                 (QStringList{QStringLiteral("strategy"), QStringLiteral("total")}));
        QCOMPARE(result.json.value(QLatin1String("decision")).toString(), QStringLiteral("buy"));
        const QJsonArray orders = result.json.value(QLatin1String("orders")).toArray();
        QCOMPARE(orders.size(), 1);
        const QJsonObject order = orders.first().toObject();
        QCOMPARE(order.value(QLatin1String("symbol")).toString(), QStringLiteral("AAPL"));
        QCOMPARE(order.value(QLatin1String("side")).toString(), QStringLiteral("buy"));
        QCOMPARE(order.value(QLatin1String("quantity")).toInt(),
                 50); // capped by maxOrderValue 5000 at 100
        QCOMPARE(order.value(QLatin1String("value")).toDouble(), 5000.0);
        const QJsonArray trace = result.json.value(QLatin1String("trace")).toArray();
        QVERIFY(trace.size() >= 4);
        for (const QJsonValue &value : trace) {
            const QJsonObject rule = value.toObject();
            QVERIFY(!rule.value(QLatin1String("rule")).toString().isEmpty());
            QVERIFY(rule.value(QLatin1String("passed")).isBool());
            QVERIFY(!rule.value(QLatin1String("detail")).toString().isEmpty());
        }

        // The signals list form, without a price (the synthetic series' last close is used).
        const HttpResult fromList =
            post(QStringLiteral("/api/strategy/execute"),
                 {{QStringLiteral("symbol"), QStringLiteral("AAPL")},
                  {QStringLiteral("signals"),
                   QJsonArray{QJsonObject{{QStringLiteral("action"), QStringLiteral("sell")},
                                          {QStringLiteral("strength"), 1.0}}}}});
        QCOMPARE(fromList.status, 200);
        QCOMPARE(fromList.json.value(QLatin1String("decision")).toString(),
                 QStringLiteral("hold")); // nothing to sell
        QVERIFY(fromList.json.value(QLatin1String("price")).toDouble() > 0.0);
    }

    void modelReload()
    {
        const HttpResult reload =
            send("POST", QStringLiteral("/api/bridge/model/reload"), QByteArrayLiteral("{}"));
        QCOMPARE(reload.status, 200);
        QVERIFY(reload.json.value(QLatin1String("modelLoadMs")).toDouble() > 0.0);
        QVERIFY(!reload.json.value(QLatin1String("modelVersion")).toString().isEmpty());
        QVERIFY(timing(reload, QStringLiteral("model-load")) > 0.0);
        const HttpResult health = send("GET", QStringLiteral("/api/health"));
        QVERIFY(health.json.value(QLatin1String("modelLoadMs")).toDouble() > 0.0);
    }

    void errorInjection()
    {
        SampleApiOptions options;
        options.errorRate = 1.0;
        m_host->setOptions(options);
        for (int i = 0; i < 10; ++i) {
            const HttpResult result = post(QStringLiteral("/api/signals"),
                                           {{QStringLiteral("symbol"), QStringLiteral("AAPL")}});
            QCOMPARE(result.status, 500);
            QVERIFY(result.json.value(QLatin1String("error"))
                        .toString()
                        .contains(QLatin1String("injected")));
            QVERIFY(timingNames(result).contains(QStringLiteral("total")));
        }
        QCOMPARE(m_host->counters().errorsInjected, quint64(10));

        options.errorRate = 0.0;
        m_host->setOptions(options);
        for (int i = 0; i < 10; ++i)
            QCOMPARE(send("GET", QStringLiteral("/api/health")).status, 200);
        QCOMPARE(m_host->counters().errorsInjected, quint64(10));

        options.errorRate = 0.5;
        m_host->setOptions(options);
        int failed = 0;
        for (int i = 0; i < 40; ++i)
            failed += send("GET", QStringLiteral("/api/health")).status == 500 ? 1 : 0;
        QVERIFY2(failed > 0 && failed < 40, qPrintable(QString::number(failed))); // 2^-40 odds
    }

    void latencyInjection()
    {
        SampleApiOptions options;
        options.latencyMs = 150;
        options.jitterMs = 20;
        m_host->setOptions(options);
        for (int i = 0; i < 3; ++i) {
            const HttpResult result = send("GET", QStringLiteral("/api/health"));
            QCOMPARE(result.status, 200);
            QVERIFY2(result.elapsedMs >= 150, qPrintable(QString::number(result.elapsedMs)));
        }
    }

    void heldRepliesOverlap()
    {
        // Held replies do not block the server: four requests on four connections are all
        // received (counted on arrival) while every reply is still held back. A server that
        // answered one request at a time would count the second only after the first reply.
        SampleApiOptions options;
        options.latencyMs = 3000;
        m_host->setOptions(options);
        const quint64 before = m_host->counters().requests;
        std::vector<std::unique_ptr<QTcpSocket>> sockets;
        for (int i = 0; i < 4; ++i) {
            auto socket = std::make_unique<QTcpSocket>();
            socket->connectToHost(QHostAddress::LocalHost, m_host->port());
            QVERIFY(socket->waitForConnected(5000));
            socket->write("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            sockets.push_back(std::move(socket));
        }
        const auto anyReplied = [&sockets] {
            for (const auto &socket : sockets)
                if (socket->bytesAvailable() > 0)
                    return true;
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(m_host->counters().requests == before + 4 || anyReplied(), 10000);
        QVERIFY2(!anyReplied(), "a reply came back before all four requests were received");
        QCOMPARE(m_host->counters().requests, before + 4);
        for (const auto &socket : sockets)
            QTRY_VERIFY_WITH_TIMEOUT(socket->bytesAvailable() > 0, 15000);
        for (const auto &socket : sockets)
            QVERIFY(socket->readAll().startsWith("HTTP/1.1 200"));
    }

    void stallHoldsRequestsUntilItsEnd()
    {
        // Stalls cover [anchor + k·1 s, anchor + k·1 s + 800 ms) for k >= 1, the anchor being the
        // moment setOptions() applied (between `before` and `after`). A request sent after
        // after + k s finishes no earlier than before + k s + 800 ms; it tells a stall from none
        // only when it was sent well before that, so a send that came too late (a busy machine)
        // is retried in the next stall instead of passing vacuously.
        SampleApiOptions options;
        options.stallEverySec = 1.0;
        options.stallMs = 800;
        const qint64 before = m_clock.elapsed();
        m_host->setOptions(options);
        const qint64 after = m_clock.elapsed();
        bool tested = false;
        for (int k = 1; k <= 6 && !tested; ++k) {
            const qint64 stallStart = after + k * 1000;
            const qint64 stallEnd = before + k * 1000 + 800;
            if (m_clock.elapsed() < stallStart)
                QTest::qWait(int(stallStart - m_clock.elapsed())); // waiting for the schedule
            QElapsedTimer timer;
            timer.start();
            const qint64 sentAt = m_clock.elapsed();
            QNetworkReply *a = start("GET", QStringLiteral("/api/health"));
            QNetworkReply *b = start("POST", QStringLiteral("/api/signals"),
                                     QByteArrayLiteral("{\"symbol\":\"AAPL\"}"));
            const HttpResult first = finish(a, timer);
            const HttpResult second = finish(b, timer);
            QCOMPARE(first.status, 200);
            QCOMPARE(second.status, 200);
            QVERIFY2(first.finishedAtMs >= stallEnd,
                     qPrintable(QStringLiteral("%1 < %2").arg(first.finishedAtMs).arg(stallEnd)));
            QVERIFY(second.finishedAtMs >= stallEnd);
            tested = sentAt + 300 < stallEnd;
        }
        QVERIFY2(tested, "no request could be sent early enough inside a stall");
    }

    void pipelinedDelayedRepliesKeepOrder()
    {
        SampleApiOptions options;
        options.latencyMs = 60;
        options.jitterMs = 60; // later requests may draw shorter delays; order must still hold
        m_host->setOptions(options);
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_host->port());
        QVERIFY(socket.waitForConnected(5000));
        QByteArray requests;
        for (const char *path : {"/api/health", "/api/nothing", "/api/bridge/predict"})
            requests += QByteArray("GET ") + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        socket.write(requests);
        QByteArray received;
        QTRY_VERIFY_WITH_TIMEOUT((received += socket.readAll(), received.count("HTTP/1.1 ") == 3),
                                 10000);
        const qsizetype ok = received.indexOf("HTTP/1.1 200");
        const qsizetype notFound = received.indexOf("HTTP/1.1 404");
        const qsizetype notAllowed = received.indexOf("HTTP/1.1 405");
        QVERIFY(ok >= 0 && ok < notFound && notFound < notAllowed);
    }

    void clientGoneWhileHeld()
    {
        SampleApiOptions options;
        options.latencyMs = 100;
        m_host->setOptions(options);
        {
            QTcpSocket socket;
            socket.connectToHost(QHostAddress::LocalHost, m_host->port());
            QVERIFY(socket.waitForConnected(5000));
            socket.write("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            QVERIFY(socket.waitForBytesWritten(5000));
            socket.abort();
        }
        // Sent after the abandoned one, this request's reply falls due after it: so by the
        // time it is answered, the server has dealt with a reply whose client is gone.
        QCOMPARE(send("GET", QStringLiteral("/api/health")).status, 200);
    }

    void portInUse()
    {
        SampleApiServer second;
        QString error;
        QCOMPARE(second.listen(QHostAddress::LocalHost, m_host->port(), &error), quint16(0));
        QVERIFY2(error.contains(QString::number(m_host->port())), qPrintable(error));
        QCOMPARE(second.port(), quint16(0));

        SampleApiHost third;
        QCOMPARE(third.start(QHostAddress::LocalHost, m_host->port(), &error), quint16(0));
        QVERIFY(!third.isRunning());
        QVERIFY(!error.isEmpty());
    }

    void serverOnCallersThread()
    {
        // The server also runs embedded on the caller's thread (the CLI's demo command).
        SampleApiServer server;
        QString error;
        const quint16 port = server.listen(QHostAddress::LocalHost, 0, &error);
        QVERIFY2(port != 0, qPrintable(error));
        QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1/api/health").arg(port)));
        QNetworkReply *reply = m_nam->get(request);
        QSignalSpy finished(reply, &QNetworkReply::finished);
        QVERIFY(finished.wait(10000));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        QCOMPARE(server.counters().requestsByRoute.value(QStringLiteral("/api/health")),
                 quint64(1));
        reply->deleteLater();
    }
};

LOADSCOPE_TEST_MAIN(TestSampleApi)
#include "tst_sampleapi.moc"
