#pragma once

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QMap>
#include <QPointer>
#include <QWidget>

#include "plan/testplan.h"

class QLabel;
class QNetworkAccessManager;
class QNetworkReply;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QTableWidget;
class QTreeWidget;
class QTreeWidgetItem;

namespace loadscope {

//! The designer's one-off "Send": runs one step through QNetworkAccessManager (never the load
//! path) and shows status, time, headers and the body; a JSON body is also shown as a tree
//! whose values can be turned into extractions.
class SendPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SendPanel)

public:
    explicit SendPanel(QWidget *parent = nullptr);

    //! Sends step @p stepIndex of @p plan; an empty base URL means @p builtInBaseUrl.
    //! {{name}} is replaced from the plan's variables and what earlier Sends extracted.
    void send(const TestPlan &plan, int stepIndex, const QString &builtInBaseUrl);
    bool isBusy() const { return !m_reply.isNull(); }

    //! Variables extracted by earlier Sends (the step's own extractions applied to responses).
    QMap<QString, QString> sentVariables() const { return m_variables; }
    //! HTTP status of the last response, 0 when there was none (or a network error).
    int lastStatus() const { return m_lastStatus; }
    QTreeWidget *jsonTree() const { return m_tree; }
    QPlainTextEdit *bodyView() const { return m_body; }
    QLabel *statusLabel() const { return m_status; }

    //! The RFC 6901 pointer of @p item in the JSON tree ("" for the root).
    static QString pointerOf(const QTreeWidgetItem *item);
    //! The value at @p pointer in @p doc; undefined when there is none.
    static QJsonValue valueAt(const QJsonDocument &doc, const QString &pointer);

public slots:
    //! Turns the selected tree value into an extraction (emits extractRequested()).
    void extractSelected();

signals:
    void finished();
    //! The user asked to extract the value at @p extraction.expression (a JSON pointer).
    void extractRequested(const loadscope::Extraction &extraction);

private:
    void onFinished(QNetworkReply *reply);
    void showJson(const QJsonDocument &doc);
    void applyExtractions(QNetworkReply *reply, const QByteArray &body, const QJsonDocument &doc);

    QNetworkAccessManager *m_network = nullptr;
    QPointer<QNetworkReply> m_reply;
    QElapsedTimer m_timer;
    Step m_step;
    QMap<QString, QString> m_variables;
    int m_lastStatus = 0;
    QLabel *m_status = nullptr;
    QLabel *m_time = nullptr;
    QLabel *m_url = nullptr;
    QTabWidget *m_tabs = nullptr;
    QPlainTextEdit *m_body = nullptr;
    QTreeWidget *m_tree = nullptr;
    QTableWidget *m_headers = nullptr;
    QPushButton *m_extract = nullptr;
};

} // namespace loadscope
