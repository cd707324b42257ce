#include "resultupload.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

namespace loadscope {

bool postResult(const QUrl &url, const QString &token, const QJsonObject &document, QString *error)
{
    const QByteArray body = QJsonDocument(document).toJson(QJsonDocument::Compact);
    QNetworkAccessManager manager;
    constexpr int kAttempts = 4;
    for (int attempt = 1; attempt <= kAttempts; ++attempt) {
        QNetworkRequest request(url);
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json"));
        if (!token.isEmpty())
            request.setRawHeader("Authorization", "Bearer " + token.toUtf8());
        request.setTransferTimeout(30000);
        QNetworkReply *reply = manager.post(request, body);
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray answer = reply->readAll();
        const QNetworkReply::NetworkError networkError = reply->error();
        const QString networkMessage = reply->errorString();
        reply->deleteLater();
        if (status >= 200 && status < 300)
            return true;
        if (status > 0) {
            QString message = QString::fromUtf8(answer).trimmed();
            const QJsonObject json = QJsonDocument::fromJson(answer).object();
            if (json.contains(QLatin1String("error")))
                message = json.value(QLatin1String("error")).toString();
            *error = url.toString() + QStringLiteral(" answered HTTP ") + QString::number(status) +
                     (message.isEmpty() ? QString() : QStringLiteral(": ") + message);
        } else {
            *error = url.toString() + QStringLiteral(": ") + networkMessage;
        }
        // Client errors (a bad token, a refused result) do not get better by trying again.
        const bool retry = status >= 500 || (status == 0 && networkError != QNetworkReply::NoError);
        if (!retry || attempt == kAttempts)
            return false;
        QEventLoop pause;
        QTimer::singleShot(1000 << (attempt - 1), &pause, &QEventLoop::quit);
        pause.exec();
    }
    return false;
}

} // namespace loadscope
