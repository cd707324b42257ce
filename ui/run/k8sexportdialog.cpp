#include "k8sexportdialog.h"

#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QSpinBox>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

#include "interop/k8sexport.h"

namespace loadscope {

K8sExportDialog::K8sExportDialog(const TestPlan &plan, QWidget *parent)
    : QDialog(parent)
    , m_plan(plan)
{
    setWindowTitle(tr("Export for Kubernetes"));
    const K8sExportOptions defaults;

    m_agents = new QSpinBox(this);
    m_agents->setRange(1, 1000);
    m_agents->setValue(4);
    m_agents->setToolTip(tr("Pods of the Indexed Job; each runs one segment of the plan"));
    m_image = new QLineEdit(defaults.image, this);
    m_namespace = new QLineEdit(defaults.namespaceName, this);
    m_reportTo = new QLineEdit(this);
    m_reportTo->setPlaceholderText(tr("empty: last line of each pod's log (kubectl logs)"));
    m_reportTo->setToolTip(tr("A Loadscope REST endpoint the agents POST their results to"));
    m_startDelay = new QSpinBox(this);
    m_startDelay->setRange(0, 24 * 3600);
    m_startDelay->setValue(30);
    m_startDelay->setSuffix(tr(" s"));
    m_startDelay->setToolTip(tr("The agents start together this long after the export"));
    m_format = new QComboBox(this);
    m_format->addItem(tr("YAML"), QStringLiteral("yaml"));
    m_format->addItem(tr("JSON (List)"), QStringLiteral("json"));
    m_outputDir = new QLineEdit(QDir::homePath(), this);
    auto *browse = new QToolButton(this);
    browse->setText(tr("…"));
    connect(browse, &QToolButton::clicked, this, [this] {
        const QString dir =
            QFileDialog::getExistingDirectory(this, tr("Output folder"), m_outputDir->text());
        if (!dir.isEmpty())
            m_outputDir->setText(dir);
    });
    auto *dirRow = new QHBoxLayout;
    dirRow->addWidget(m_outputDir, 1);
    dirRow->addWidget(browse);

    auto *form = new QFormLayout;
    form->addRow(tr("Plan"), new QLabel(plan.name, this));
    form->addRow(tr("&Agents"), m_agents);
    form->addRow(tr("&Image"), m_image);
    form->addRow(tr("&Namespace"), m_namespace);
    form->addRow(tr("&Report to"), m_reportTo);
    form->addRow(tr("&Start delay"), m_startDelay);
    form->addRow(tr("&Format"), m_format);
    // A row of a layout gets no buddy from addRow(QString, …): its "&" would show as is.
    auto *dirLabel = new QLabel(tr("&Output folder"), this);
    dirLabel->setBuddy(m_outputDir);
    form->addRow(dirLabel, dirRow);

    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_preview = new QPlainTextEdit(this);
    m_preview->setReadOnly(true);
    m_preview->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_preview->setPlaceholderText(tr("The manifest appears here once written."));

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton *exportButton = m_buttons->addButton(tr("&Export"), QDialogButtonBox::ActionRole);
    exportButton->setDefault(true);
    connect(exportButton, &QPushButton::clicked, this, &K8sExportDialog::exportManifest);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_status);
    layout->addWidget(m_preview, 1);
    layout->addWidget(m_buttons);
    resize(720, 560);
}

void K8sExportDialog::setAgents(int agents)
{
    m_agents->setValue(agents);
}
void K8sExportDialog::setImage(const QString &image)
{
    m_image->setText(image);
}
void K8sExportDialog::setNamespace(const QString &name)
{
    m_namespace->setText(name);
}
void K8sExportDialog::setReportTo(const QString &url)
{
    m_reportTo->setText(url);
}
void K8sExportDialog::setStartDelaySec(int seconds)
{
    m_startDelay->setValue(seconds);
}
void K8sExportDialog::setJson(bool json)
{
    m_format->setCurrentIndex(json ? 1 : 0);
}
void K8sExportDialog::setOutputDir(const QString &dir)
{
    m_outputDir->setText(dir);
}

void K8sExportDialog::fail(const QString &why)
{
    m_error = why;
    m_written.clear();
    m_status->setText(tr("Not exported: %1").arg(why));
    m_preview->clear();
}

bool K8sExportDialog::exportManifest()
{
    // The same checks and options as `loadscope-cli export-k8s` (app/cli/plancommand.cpp).
    K8sExportOptions options;
    options.agents = m_agents->value();
    options.image = m_image->text().trimmed();
    if (options.image.isEmpty()) {
        fail(tr("give the agents' container image"));
        return false;
    }
    options.namespaceName = m_namespace->text().trimmed();
    if (kubernetesName(options.namespaceName, 63) != options.namespaceName) {
        fail(tr("namespace \"%1\" is not a DNS-1123 label (lower case, digits, '-')")
                 .arg(options.namespaceName));
        return false;
    }
    options.reportTo = m_reportTo->text().trimmed();
    if (!options.reportTo.isEmpty()) {
        const QUrl url(options.reportTo, QUrl::StrictMode);
        if (!url.isValid() ||
            (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))) {
            fail(tr("report URL \"%1\" is not an http(s) URL").arg(options.reportTo));
            return false;
        }
    }
    options.startAt = QDateTime::currentDateTimeUtc().addSecs(m_startDelay->value());
    QString error;
    const auto manifest = k8sManifest(m_plan, options, &error);
    if (!manifest) {
        fail(error);
        return false;
    }
    const bool json = m_format->currentData().toString() == QLatin1String("json");
    const QByteArray bytes = json ? manifestToJson(*manifest) : manifestToYaml(*manifest);
    const QDir dir(m_outputDir->text().trimmed());
    if (m_outputDir->text().trimmed().isEmpty() || !dir.exists()) {
        fail(tr("the output folder \"%1\" does not exist").arg(m_outputDir->text()));
        return false;
    }
    const QString path =
        dir.absoluteFilePath(kubernetesName(m_plan.name) +
                             (json ? QStringLiteral("-k8s.json") : QStringLiteral("-k8s.yaml")));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        fail(tr("cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
        return false;
    }
    m_error.clear();
    m_written = path;
    const QString then =
        options.reportTo.isEmpty()
            ? tr("then save each pod's log (kubectl logs; the result is its last line) and merge "
                 "the logs with Run ▸ Merge agent results…")
            : tr("the agents then POST their results to %1, which stores the merged run when the "
                 "last one arrives.")
                  .arg(options.reportTo);
    m_status->setText(tr("Wrote %1 (%2 objects). %3 agents start together at %4: apply it before "
                         "then (kubectl apply -f); %5")
                          .arg(QDir::toNativeSeparators(path))
                          .arg(manifest->size())
                          .arg(options.agents)
                          .arg(options.startAt.toString(Qt::ISODate), then));
    m_preview->setPlainText(QString::fromUtf8(bytes));
    return true;
}

} // namespace loadscope
