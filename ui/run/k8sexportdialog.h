#pragma once

#include <QDialog>
#include <QString>

#include "plan/testplan.h"

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;

namespace loadscope {

//! Run ▸ Export for Kubernetes…: the plan as a ConfigMap and an Indexed Job of N agents
//! (k8sManifest(), the manifest `loadscope-cli export-k8s` writes), saved into a folder and
//! shown as written.
class K8sExportDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(K8sExportDialog)

public:
    explicit K8sExportDialog(const TestPlan &plan, QWidget *parent = nullptr);

    void setAgents(int agents);
    void setImage(const QString &image);
    void setNamespace(const QString &name);
    void setReportTo(const QString &url);
    void setStartDelaySec(int seconds);
    void setJson(bool json);
    void setOutputDir(const QString &dir);

    //! Writes the manifest into the output folder; false with the reason shown in the dialog.
    bool exportManifest();
    //! The file the last export wrote; empty before one succeeded.
    QString writtenFile() const { return m_written; }
    //! The reason the last export failed; empty after a success.
    QString lastError() const { return m_error; }

private:
    void fail(const QString &why);

    TestPlan m_plan;
    QSpinBox *m_agents = nullptr;
    QLineEdit *m_image = nullptr;
    QLineEdit *m_namespace = nullptr;
    QLineEdit *m_reportTo = nullptr;
    QSpinBox *m_startDelay = nullptr;
    QComboBox *m_format = nullptr;
    QLineEdit *m_outputDir = nullptr;
    QLabel *m_status = nullptr;
    QPlainTextEdit *m_preview = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QString m_written;
    QString m_error;
};

} // namespace loadscope
