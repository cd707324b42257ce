#pragma once

#include <optional>

#include <QDialog>
#include <QString>
#include <QStringList>

#include "interop/planimport.h"

class QListWidget;

namespace loadscope {

//! What an import took, left out and correlated, shown after File ▸ Import opened the plan in
//! Design. Its lists are named "taken", "leftOut" and "correlations" (for tests and a11y).
class ImportSummaryDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImportSummaryDialog)

public:
    explicit ImportSummaryDialog(const ImportResult &result, QWidget *parent = nullptr);
};

//! Reads @p path and imports it as @p format (see importPlan); nullopt with @p error naming
//! the file and the place in it.
std::optional<ImportResult> importPlanFile(const QString &path, PlanSource format, QString *error);

//! Writes @p plan as a k6 script to @p path; @p notes gets what k6 cannot express.
bool exportK6File(const TestPlan &plan, const QString &path, QStringList *notes, QString *error);

//! File dialog filter of a plan source ("HAR files (*.har *.json)").
QString importFileFilter(PlanSource format);

} // namespace loadscope
