#include "planinterop.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QListWidget>
#include <QSaveFile>
#include <QVBoxLayout>

#include "interop/k6export.h"

namespace loadscope {

namespace {

QListWidget *listOf(const QStringList &lines, const QString &name, QWidget *parent)
{
    auto *list = new QListWidget(parent);
    list->setObjectName(name);
    list->addItems(lines);
    list->setWordWrap(true);
    list->setAlternatingRowColors(true);
    return list;
}

} // namespace

ImportSummaryDialog::ImportSummaryDialog(const ImportResult &result, QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Imported: %1").arg(result.plan.name));
    resize(720, 520);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("%n step(s) are open in Design. Check them before running.",
                                    nullptr, int(result.plan.steps.size())),
                                 this));
    layout->addWidget(new QLabel(tr("<b>Taken</b>"), this));
    layout->addWidget(listOf(result.taken, QStringLiteral("taken"), this), 2);
    QStringList correlations;
    for (const Correlation &c : result.correlations)
        correlations.append(tr("{{%1}} = %2 from steps[%3] (%4), used in %5")
                                .arg(c.variable, c.value.left(60))
                                .arg(c.fromStep)
                                .arg(c.source, c.usedIn.join(QLatin1String(", "))));
    layout->addWidget(new QLabel(tr("<b>Correlated values</b> (extracted from an earlier "
                                    "response, sent again as a variable)"),
                                 this));
    layout->addWidget(listOf(correlations, QStringLiteral("correlations"), this), 1);
    layout->addWidget(new QLabel(tr("<b>Left out</b> (no plan equivalent)"), this));
    layout->addWidget(listOf(result.leftOut, QStringLiteral("leftOut"), this), 1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

std::optional<ImportResult> importPlanFile(const QString &path, PlanSource format, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = path + QStringLiteral(": ") + file.errorString();
        return std::nullopt;
    }
    ImportOptions options;
    options.format = format;
    options.sourceName = QFileInfo(path).fileName();
    QString why;
    auto result = importPlan(file.readAll(), options, &why);
    if (!result && error)
        *error = QFileInfo(path).fileName() + QStringLiteral(": ") + why;
    return result;
}

bool exportK6File(const TestPlan &plan, const QString &path, QStringList *notes, QString *error)
{
    TestPlan relative = plan;
    const QDir dir = QFileInfo(path).absoluteDir();
    if (!relative.dataFile.isEmpty() && QFileInfo(relative.dataFile).isAbsolute())
        relative.dataFile = dir.relativeFilePath(relative.dataFile);
    for (Step &step : relative.steps) {
        if (!step.bodyFile.isEmpty() && QFileInfo(step.bodyFile).isAbsolute())
            step.bodyFile = dir.relativeFilePath(step.bodyFile);
    }
    const K6Script script = exportK6(relative);
    if (notes)
        *notes = script.notExpressed;
    QSaveFile file(path);
    const QByteArray bytes = script.script.toUtf8();
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        if (error)
            *error = path + QStringLiteral(": ") + file.errorString();
        return false;
    }
    return true;
}

QString importFileFilter(PlanSource format)
{
    switch (format) {
    case PlanSource::Curl:
        return QObject::tr("curl commands (*.sh *.txt *.curl);;All files (*)");
    case PlanSource::Har:
        return QObject::tr("HAR files (*.har *.json);;All files (*)");
    case PlanSource::Postman:
        return QObject::tr("Postman collections (*.json);;All files (*)");
    case PlanSource::OpenApi:
        return QObject::tr("OpenAPI documents (*.yaml *.yml *.json);;All files (*)");
    case PlanSource::Auto:
        break;
    }
    return QObject::tr("All files (*)");
}

} // namespace loadscope
