#include "stepeditor.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include "design/durationedit.h"
#include "design/formwidgets.h"
#include "plan/planvalidator.h"

namespace loadscope {

namespace {

QString jsonValueText(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    const QByteArray array = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(array.mid(1, array.size() - 2));
}

//! JSON text as its value; anything that is not JSON counts as a string.
QJsonValue parseJsonValue(const QString &text)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson('[' + text.toUtf8() + ']', &error);
    if (error.error == QJsonParseError::NoError && doc.array().size() == 1)
        return doc.array().first();
    return text;
}

QString cellText(const QTableWidget *table, int row, int column)
{
    const QTableWidgetItem *item = table->item(row, column);
    return item ? item->text().trimmed() : QString();
}

} // namespace

StepEditor::StepEditor(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_tabs = new QTabWidget(this);
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(createRequestTab(), tr("Request"));
    m_tabs->addTab(createChecksTab(), tr("Checks"));
    m_tabs->addTab(createExtractionsTab(), tr("Extractions"));
    layout->addWidget(m_tabs);
}

QWidget *StepEditor::createRequestTab()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

    m_name = new QLineEdit(page);
    m_name->setPlaceholderText(tr("shown in results; defaults to METHOD path"));
    m_method = new QComboBox(page);
    m_method->addItems({QStringLiteral("GET"), QStringLiteral("POST"), QStringLiteral("PUT"),
                        QStringLiteral("PATCH"), QStringLiteral("DELETE"), QStringLiteral("HEAD"),
                        QStringLiteral("OPTIONS")});
    m_method->setEditable(true); // the validator reports anything else
    m_path = new QLineEdit(page);
    m_path->setPlaceholderText(tr("/api/path?query or an absolute URL; {{variables}} allowed"));
    auto *requestLine = new QHBoxLayout;
    requestLine->addWidget(m_method);
    requestLine->addWidget(m_path, 1);
    m_thinkTime = new DurationEdit(page);
    m_thinkTime->setMaximumWidth(120);
    form->addRow(tr("Name"), m_name);
    form->addRow(tr("Request"), requestLine);
    form->addRow(tr("Think time"), m_thinkTime);
    layout->addLayout(form);

    m_headers = makeTable({tr("Header"), tr("Value")}, page);
    m_headers->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Interactive);
    m_headers->setColumnWidth(0, 180);
    m_headers->setMinimumHeight(90);
    layout->addWidget(sectionLabel(tr("Headers"), page));
    layout->addWidget(m_headers, 1);
    layout->addLayout(addRemoveRow(
        page, m_headers,
        [this] {
            const int row = m_headers->rowCount();
            m_headers->insertRow(row);
            m_headers->setItem(row, 0, new QTableWidgetItem);
            m_headers->setItem(row, 1, new QTableWidgetItem);
            m_headers->editItem(m_headers->item(row, 0));
        },
        [this] { readWidgets(); }));

    auto *bodyHeader = new QHBoxLayout;
    bodyHeader->addWidget(sectionLabel(tr("Body"), page));
    bodyHeader->addStretch();
    auto *pretty = new QPushButton(tr("Format JSON"), page);
    pretty->setToolTip(tr("Pretty-print the body as indented JSON"));
    connect(pretty, &QPushButton::clicked, this, &StepEditor::prettyPrintBody);
    bodyHeader->addWidget(pretty);
    layout->addLayout(bodyHeader);
    m_body = new QPlainTextEdit(page);
    m_body->setFont(monospaceFont());
    m_body->setPlaceholderText(tr("request body; {{variables}} allowed"));
    m_body->setMinimumHeight(90);
    layout->addWidget(m_body, 2);
    auto *fileForm = new QFormLayout;
    m_bodyFile = new QLineEdit(page);
    m_bodyFile->setPlaceholderText(tr("or send a file's content"));
    fileForm->addRow(tr("Body file"), m_bodyFile);
    layout->addLayout(fileForm);

    connect(m_name, &QLineEdit::textEdited, this, &StepEditor::readWidgets);
    connect(m_method, &QComboBox::currentTextChanged, this, &StepEditor::readWidgets);
    connect(m_path, &QLineEdit::textEdited, this, &StepEditor::readWidgets);
    connect(m_thinkTime, &DurationEdit::durationChanged, this, &StepEditor::readWidgets);
    connect(m_headers, &QTableWidget::itemChanged, this, &StepEditor::readWidgets);
    connect(m_body, &QPlainTextEdit::textChanged, this, &StepEditor::readWidgets);
    connect(m_bodyFile, &QLineEdit::textEdited, this, &StepEditor::readWidgets);
    return page;
}

QWidget *StepEditor::createChecksTab()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(hintLabel(tr("A request fails its checks when any of these does not hold. "
                                   "Pointers are RFC 6901 JSON pointers (/a/0/b)."),
                                page));
    m_checks = makeTable({tr("Kind"), tr("JSON pointer"), tr("Expected")}, page);
    m_checks->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Interactive);
    m_checks->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Interactive);
    m_checks->setColumnWidth(0, 170);
    m_checks->setColumnWidth(1, 170);
    layout->addWidget(m_checks, 1);
    layout->addLayout(addRemoveRow(
        page, m_checks,
        [this] {
            addCheckRow(Check{});
            readWidgets();
        },
        [this] { readWidgets(); }));
    connect(m_checks, &QTableWidget::itemChanged, this, &StepEditor::readWidgets);
    return page;
}

QWidget *StepEditor::createExtractionsTab()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(hintLabel(tr("Values taken from the response become {{name}} variables "
                                   "for later steps."),
                                page));
    m_extractions = makeTable({tr("Variable"), tr("Source"), tr("Expression"), tr("Group")}, page);
    for (int c = 0; c < 3; ++c)
        m_extractions->horizontalHeader()->setSectionResizeMode(c, QHeaderView::Interactive);
    m_extractions->setColumnWidth(0, 130);
    m_extractions->setColumnWidth(1, 120);
    m_extractions->setColumnWidth(2, 200);
    layout->addWidget(m_extractions, 1);
    layout->addLayout(addRemoveRow(
        page, m_extractions,
        [this] {
            addExtractionRow(Extraction{});
            readWidgets();
        },
        [this] { readWidgets(); }));
    connect(m_extractions, &QTableWidget::itemChanged, this, &StepEditor::readWidgets);
    return page;
}

void StepEditor::addCheckRow(const Check &check)
{
    const QSignalBlocker blocker(m_checks);
    const int row = m_checks->rowCount();
    m_checks->insertRow(row);
    auto *kind = new QComboBox(m_checks);
    for (const auto k : {Check::Kind::Status, Check::Kind::BodyContains,
                         Check::Kind::JsonPointerEquals, Check::Kind::JsonPointerExists})
        kind->addItem(checkKindName(k), int(k));
    kind->setCurrentIndex(kind->findData(int(check.kind)));
    connect(kind, &QComboBox::currentIndexChanged, this, &StepEditor::readWidgets);
    m_checks->setCellWidget(row, 0, kind);
    m_checks->setItem(row, 0, new QTableWidgetItem);
    m_checks->setItem(row, 1, new QTableWidgetItem(check.pointer));
    QString expected;
    switch (check.kind) {
    case Check::Kind::Status:
        expected = QString::number(check.status);
        break;
    case Check::Kind::BodyContains:
        expected = check.text;
        break;
    case Check::Kind::JsonPointerEquals:
        expected = jsonValueText(check.value);
        break;
    case Check::Kind::JsonPointerExists:
        break;
    }
    m_checks->setItem(row, 2, new QTableWidgetItem(expected));
}

void StepEditor::addExtractionRow(const Extraction &extraction)
{
    const QSignalBlocker blocker(m_extractions);
    const int row = m_extractions->rowCount();
    m_extractions->insertRow(row);
    m_extractions->setItem(row, 0, new QTableWidgetItem(extraction.name));
    auto *source = new QComboBox(m_extractions);
    for (const auto s :
         {Extraction::Source::JsonPointer, Extraction::Source::Header, Extraction::Source::Regex})
        source->addItem(extractionSourceName(s), int(s));
    source->setCurrentIndex(source->findData(int(extraction.source)));
    connect(source, &QComboBox::currentIndexChanged, this, &StepEditor::readWidgets);
    m_extractions->setCellWidget(row, 1, source);
    m_extractions->setItem(row, 1, new QTableWidgetItem);
    m_extractions->setItem(row, 2, new QTableWidgetItem(extraction.expression));
    m_extractions->setItem(row, 3, new QTableWidgetItem(QString::number(extraction.group)));
}

void StepEditor::setStep(const Step &step)
{
    m_loading = true;
    m_step = step;
    m_name->setText(step.name);
    m_method->setCurrentText(step.method);
    m_path->setText(step.path);
    m_thinkTime->setDurationMs(step.thinkTimeMs);
    {
        const QSignalBlocker blocker(m_headers);
        m_headers->setRowCount(0);
        for (const auto &header : step.headers) {
            const int row = m_headers->rowCount();
            m_headers->insertRow(row);
            m_headers->setItem(row, 0, new QTableWidgetItem(header.first));
            m_headers->setItem(row, 1, new QTableWidgetItem(header.second));
        }
    }
    m_body->setPlainText(step.body);
    m_bodyFile->setText(step.bodyFile);
    m_checks->setRowCount(0);
    for (const Check &check : step.checks)
        addCheckRow(check);
    m_extractions->setRowCount(0);
    for (const Extraction &extraction : step.extractions)
        addExtractionRow(extraction);
    m_loading = false;
}

void StepEditor::readWidgets()
{
    if (m_loading)
        return;
    Step step = m_step;
    step.name = m_name->text();
    step.method = m_method->currentText().trimmed().toUpper();
    step.path = m_path->text().trimmed();
    step.thinkTimeMs = m_thinkTime->durationMs();
    step.headers.clear();
    for (int row = 0; row < m_headers->rowCount(); ++row) {
        const QString name = cellText(m_headers, row, 0);
        const QString value = cellText(m_headers, row, 1);
        if (!name.isEmpty() || !value.isEmpty())
            step.headers.append({name, value});
    }
    step.body = m_body->toPlainText();
    step.bodyFile = m_bodyFile->text().trimmed();
    step.checks.clear();
    for (int row = 0; row < m_checks->rowCount(); ++row) {
        Check check;
        const auto *kind = qobject_cast<QComboBox *>(m_checks->cellWidget(row, 0));
        check.kind = Check::Kind(kind ? kind->currentData().toInt() : 0);
        const QString expected = cellText(m_checks, row, 2);
        switch (check.kind) {
        case Check::Kind::Status:
            check.status = expected.toInt();
            break;
        case Check::Kind::BodyContains:
            check.text = expected;
            break;
        case Check::Kind::JsonPointerEquals:
            check.pointer = cellText(m_checks, row, 1);
            check.value = parseJsonValue(expected);
            break;
        case Check::Kind::JsonPointerExists:
            check.pointer = cellText(m_checks, row, 1);
            break;
        }
        step.checks.append(check);
    }
    step.extractions.clear();
    for (int row = 0; row < m_extractions->rowCount(); ++row) {
        Extraction extraction;
        extraction.name = cellText(m_extractions, row, 0);
        const auto *source = qobject_cast<QComboBox *>(m_extractions->cellWidget(row, 1));
        extraction.source = Extraction::Source(source ? source->currentData().toInt() : 0);
        extraction.expression = cellText(m_extractions, row, 2);
        bool ok = false;
        const int group = cellText(m_extractions, row, 3).toInt(&ok);
        extraction.group = ok ? group : 1;
        step.extractions.append(extraction);
    }
    if (step == m_step)
        return;
    m_step = step;
    emit stepEdited();
}

bool StepEditor::prettyPrintBody()
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(m_body->toPlainText().toUtf8(), &error);
    if (error.error != QJsonParseError::NoError) {
        markInvalid(m_body, true, tr("Not JSON: %1").arg(error.errorString()));
        return false;
    }
    markInvalid(m_body, false);
    m_body->setPlainText(QString::fromUtf8(doc.toJson(QJsonDocument::Indented)).trimmed());
    return true;
}

void StepEditor::focusField(const QString &field)
{
    static const QRegularExpression indexed(QStringLiteral(R"(^(\w+)\[(\d+)\](?:\.(\w+))?)"));
    const auto match = indexed.match(field);
    if (match.hasMatch()) {
        const QString list = match.captured(1);
        const int row = match.captured(2).toInt();
        const QString member = match.captured(3);
        QTableWidget *table = nullptr;
        int column = 0;
        if (list == QLatin1String("headers")) {
            m_tabs->setCurrentIndex(0);
            table = m_headers;
            column = member == QLatin1String("value") ? 1 : 0;
        } else if (list == QLatin1String("checks")) {
            m_tabs->setCurrentIndex(1);
            table = m_checks;
            column = member == QLatin1String("pointer") ? 1 : 2;
        } else if (list == QLatin1String("extract")) {
            m_tabs->setCurrentIndex(2);
            table = m_extractions;
            column = member == QLatin1String("name") ? 0 : member == QLatin1String("group") ? 3 : 2;
        }
        if (table && row < table->rowCount()) {
            table->setCurrentCell(row, column);
            table->setFocus();
        }
        return;
    }
    m_tabs->setCurrentIndex(0);
    if (field == QLatin1String("method"))
        m_method->setFocus();
    else if (field == QLatin1String("path"))
        m_path->setFocus();
    else if (field == QLatin1String("thinkTime"))
        m_thinkTime->setFocus();
    else if (field == QLatin1String("body"))
        m_body->setFocus();
    else if (field == QLatin1String("bodyFile"))
        m_bodyFile->setFocus();
    else
        m_name->setFocus();
}

} // namespace loadscope
