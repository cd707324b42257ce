#include "sendpanel.h"

#include <QFile>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QTabWidget>
#include <QTableWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "design/formwidgets.h"

namespace loadscope {

namespace {

constexpr int kPointerRole = Qt::UserRole + 1;

QString substitute(const QString &text, const QMap<QString, QString> &variables)
{
    static const QRegularExpression reference(
        QStringLiteral(R"(\{\{\s*([A-Za-z_][A-Za-z0-9_.\-]*)\s*\}\})"));
    QString out;
    qsizetype last = 0;
    auto it = reference.globalMatch(text);
    while (it.hasNext()) {
        const auto match = it.next();
        out += QStringView(text).mid(last, match.capturedStart() - last);
        const auto found = variables.constFind(match.captured(1));
        out += found != variables.cend() ? *found : match.captured(0);
        last = match.capturedEnd();
    }
    out += QStringView(text).mid(last);
    return out;
}

QString escapePointerToken(QString token)
{
    return token.replace(u'~', QLatin1String("~0")).replace(u'/', QLatin1String("~1"));
}

QString compactText(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    const QByteArray array = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(array.mid(1, array.size() - 2));
}

void addJsonChildren(QTreeWidgetItem *parent, const QJsonValue &value, const QString &pointer)
{
    const auto addChild = [parent](const QString &key, const QJsonValue &child,
                                   const QString &childPointer) {
        auto *item = new QTreeWidgetItem(parent);
        item->setText(0, key);
        item->setData(0, kPointerRole, childPointer);
        if (child.isObject())
            item->setText(1, QStringLiteral("{…} %1 keys").arg(child.toObject().size()));
        else if (child.isArray())
            item->setText(1, QStringLiteral("[…] %1 items").arg(child.toArray().size()));
        else
            item->setText(1,
                          child.isString() ? u'"' + child.toString() + u'"' : compactText(child));
        addJsonChildren(item, child, childPointer);
    };
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it)
            addChild(it.key(), it.value(), pointer + u'/' + escapePointerToken(it.key()));
    } else if (value.isArray()) {
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i)
            addChild(QString::number(i), array.at(i), pointer + u'/' + QString::number(i));
    }
}

//! A variable name for the value at @p pointer: its last key, or "parent_index" for an item.
QString suggestedName(const QString &pointer)
{
    QStringList tokens = pointer.split(u'/', Qt::SkipEmptyParts);
    QString name = tokens.isEmpty() ? QStringLiteral("body") : tokens.takeLast();
    bool isIndex = false;
    name.toInt(&isIndex);
    if (isIndex)
        name = (tokens.isEmpty() ? QStringLiteral("item") : tokens.last()) + u'_' + name;
    name.replace(QLatin1String("~1"), QLatin1String("_"))
        .replace(QLatin1String("~0"), QLatin1String("_"));
    static const QRegularExpression invalid(QStringLiteral("[^A-Za-z0-9_]"));
    name.replace(invalid, QStringLiteral("_"));
    if (name.isEmpty() || name.front().isDigit())
        name.prepend(u'v');
    return name;
}

} // namespace

SendPanel::SendPanel(QWidget *parent)
    : QWidget(parent)
    , m_network(new QNetworkAccessManager(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *summary = new QHBoxLayout;
    m_status = new QLabel(tr("No response yet — press Send (Ctrl+Enter)"), this);
    m_status->setMargin(3);
    m_status->setWordWrap(true); // a narrow Design column wraps it rather than scroll sideways
    m_time = new QLabel(this);
    m_url = new QLabel(this);
    m_url->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_url->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    summary->addWidget(m_status);
    summary->addWidget(m_time);
    summary->addSpacing(8);
    summary->addWidget(m_url, 1);
    layout->addLayout(summary);

    m_tabs = new QTabWidget(this);
    m_tabs->setDocumentMode(true);

    auto *jsonPage = new QWidget(this);
    auto *jsonLayout = new QVBoxLayout(jsonPage);
    jsonLayout->setContentsMargins(0, 4, 0, 0);
    m_tree = new QTreeWidget(jsonPage);
    m_tree->setHeaderLabels({tr("Key"), tr("Value")});
    m_tree->header()->setSectionResizeMode(0, QHeaderView::Interactive);
    m_tree->setColumnWidth(0, 200);
    fitColumnsToWidth(m_tree);
    m_tree->setAlternatingRowColors(true);
    m_tree->setUniformRowHeights(true);
    jsonLayout->addWidget(m_tree, 1);
    auto *extractRow = new QHBoxLayout;
    extractRow->addWidget(hintLabel(tr("Select a value to use it in later steps."), jsonPage), 1);
    m_extract = new QPushButton(tr("Extract as variable"), jsonPage);
    m_extract->setEnabled(false);
    extractRow->addWidget(m_extract);
    jsonLayout->addLayout(extractRow);

    m_body = new QPlainTextEdit(this);
    m_body->setReadOnly(true);
    m_body->setFont(monospaceFont());
    m_headers = makeTable({tr("Header"), tr("Value")}, this);
    m_headers->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_headers->setColumnWidth(0, 180);

    m_tabs->addTab(jsonPage, tr("JSON"));
    m_tabs->addTab(m_body, tr("Body"));
    m_tabs->addTab(m_headers, tr("Headers"));
    layout->addWidget(m_tabs, 1);

    connect(m_tree, &QTreeWidget::itemSelectionChanged, this, [this] {
        const auto selected = m_tree->selectedItems();
        m_extract->setEnabled(!selected.isEmpty());
    });
    connect(m_tree, &QTreeWidget::itemDoubleClicked, this, &SendPanel::extractSelected);
    connect(m_extract, &QPushButton::clicked, this, &SendPanel::extractSelected);
    connect(m_network, &QNetworkAccessManager::finished, this, &SendPanel::onFinished);
}

void SendPanel::send(const TestPlan &plan, int stepIndex, const QString &builtInBaseUrl)
{
    if (stepIndex < 0 || stepIndex >= plan.steps.size())
        return;
    if (m_reply)
        m_reply->abort(); // its finished() arrives first and is ignored as stale
    m_step = plan.steps.at(stepIndex);
    QMap<QString, QString> variables = plan.variables;
    for (auto it = m_variables.cbegin(); it != m_variables.cend(); ++it)
        variables.insert(it.key(), it.value());

    const QString path = substitute(m_step.path, variables);
    QString url = path;
    if (!path.startsWith(QLatin1String("http://"), Qt::CaseInsensitive) &&
        !path.startsWith(QLatin1String("https://"), Qt::CaseInsensitive)) {
        QString base = plan.baseUrl.isEmpty() ? builtInBaseUrl : plan.baseUrl;
        while (base.endsWith(u'/'))
            base.chop(1);
        url = base + path;
    }
    QNetworkRequest request{QUrl(url, QUrl::TolerantMode)};
    request.setTransferTimeout(int(std::min<qint64>(plan.timeouts.requestMs, INT_MAX)));
    for (const auto &header : std::as_const(m_step.headers))
        request.setRawHeader(header.first.toUtf8(), substitute(header.second, variables).toUtf8());
    QByteArray body = substitute(m_step.body, variables).toUtf8();
    if (!m_step.bodyFile.isEmpty()) {
        QFile file(m_step.bodyFile);
        if (file.open(QIODevice::ReadOnly))
            body = file.readAll();
    }

    m_lastStatus = 0;
    m_status->setText(tr("Sending…"));
    m_status->setStyleSheet(QString());
    m_time->clear();
    m_url->setText(m_step.method + u' ' + url);
    m_url->setToolTip(url);
    m_timer.start();
    m_reply = m_network->sendCustomRequest(request, m_step.method.toLatin1(), body);
}

void SendPanel::onFinished(QNetworkReply *reply)
{
    reply->deleteLater();
    if (reply != m_reply)
        return; // an aborted earlier Send
    m_reply = nullptr;
    const double ms = double(m_timer.nsecsElapsed()) / 1e6;
    const QByteArray body = reply->readAll();
    m_lastStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    QString color = QStringLiteral("#c62828");
    if (m_lastStatus >= 200 && m_lastStatus < 300)
        color = QStringLiteral("#2e7d32");
    else if (m_lastStatus >= 300 && m_lastStatus < 400)
        color = QStringLiteral("#1565c0");
    else if (m_lastStatus >= 400 && m_lastStatus < 500)
        color = QStringLiteral("#ef6c00");
    if (m_lastStatus > 0) {
        m_status->setText(QString::number(m_lastStatus) + u' ' +
                          reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString());
    } else {
        m_status->setText(tr("Failed: %1").arg(reply->errorString()));
    }
    m_status->setStyleSheet(QStringLiteral("color: white; font-weight: bold; border-radius: 3px; "
                                           "background-color: ") +
                            color + u';');
    m_time->setText(tr("%1 ms · %2 bytes").arg(QString::number(ms, 'f', 1)).arg(body.size()));

    m_headers->setRowCount(0);
    const auto headers = reply->rawHeaderPairs();
    for (const auto &header : headers) {
        const int row = m_headers->rowCount();
        m_headers->insertRow(row);
        m_headers->setItem(row, 0, new QTableWidgetItem(QString::fromLatin1(header.first)));
        m_headers->setItem(row, 1, new QTableWidgetItem(QString::fromUtf8(header.second)));
    }
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    const bool isJson = error.error == QJsonParseError::NoError && !doc.isNull();
    m_body->setPlainText(isJson ? QString::fromUtf8(doc.toJson(QJsonDocument::Indented))
                                : QString::fromUtf8(body));
    showJson(isJson ? doc : QJsonDocument());
    m_tabs->setCurrentIndex(isJson ? 0 : 1);
    applyExtractions(reply, body, isJson ? doc : QJsonDocument());
    emit finished();
}

void SendPanel::showJson(const QJsonDocument &doc)
{
    m_tree->clear();
    if (doc.isNull())
        return;
    auto *root = new QTreeWidgetItem(m_tree);
    root->setText(0, doc.isArray() ? QStringLiteral("[ ]") : QStringLiteral("{ }"));
    root->setData(0, kPointerRole, QString());
    addJsonChildren(root, doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object()),
                    QString());
    m_tree->expandToDepth(1);
}

void SendPanel::applyExtractions(QNetworkReply *reply, const QByteArray &body,
                                 const QJsonDocument &doc)
{
    for (const Extraction &extraction : std::as_const(m_step.extractions)) {
        std::optional<QString> value;
        switch (extraction.source) {
        case Extraction::Source::JsonPointer: {
            const QJsonValue found = valueAt(doc, extraction.expression);
            if (!found.isUndefined())
                value = compactText(found);
            break;
        }
        case Extraction::Source::Header:
            if (reply->hasRawHeader(extraction.expression.toLatin1()))
                value = QString::fromUtf8(reply->rawHeader(extraction.expression.toLatin1()));
            break;
        case Extraction::Source::Regex: {
            const QRegularExpression regex(extraction.expression);
            const auto match = regex.match(QString::fromUtf8(body));
            if (match.hasMatch() && extraction.group <= match.lastCapturedIndex())
                value = match.captured(extraction.group);
            break;
        }
        }
        if (value && !extraction.name.isEmpty())
            m_variables.insert(extraction.name, *value);
    }
}

QString SendPanel::pointerOf(const QTreeWidgetItem *item)
{
    return item ? item->data(0, kPointerRole).toString() : QString();
}

QJsonValue SendPanel::valueAt(const QJsonDocument &doc, const QString &pointer)
{
    if (doc.isNull())
        return QJsonValue(QJsonValue::Undefined);
    QJsonValue value = doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object());
    if (pointer.isEmpty())
        return value;
    if (!pointer.startsWith(u'/'))
        return QJsonValue(QJsonValue::Undefined);
    const QStringList tokens = pointer.mid(1).split(u'/');
    for (QString token : tokens) {
        token.replace(QLatin1String("~1"), QLatin1String("/"))
            .replace(QLatin1String("~0"), QLatin1String("~"));
        if (value.isObject()) {
            value = value.toObject().value(token);
        } else if (value.isArray()) {
            bool ok = false;
            const int index = token.toInt(&ok);
            if (!ok || index < 0 || index >= value.toArray().size())
                return QJsonValue(QJsonValue::Undefined);
            value = value.toArray().at(index);
        } else {
            return QJsonValue(QJsonValue::Undefined);
        }
    }
    return value;
}

void SendPanel::extractSelected()
{
    const auto selected = m_tree->selectedItems();
    if (selected.isEmpty() || selected.first()->parent() == nullptr)
        return; // the root is the whole body, not a value to extract
    Extraction extraction;
    extraction.source = Extraction::Source::JsonPointer;
    extraction.expression = pointerOf(selected.first());
    extraction.name = suggestedName(extraction.expression);
    emit extractRequested(extraction);
}

} // namespace loadscope
