#pragma once

#include <QStringList>

class QTextStream;

namespace loadscope {

//! `loadscope-cli plan import FILE|- [--format=...] [--include-host=H]... [--output-file=F]`.
int planCommand(const QStringList &args, QTextStream &out, QTextStream &err);

//! `loadscope-cli export-k6 PLAN.json [--output-file=script.js]`.
int exportK6Command(const QStringList &args, QTextStream &out, QTextStream &err);

//! `loadscope-cli export-k8s PLAN.json --agents=N [--image=IMG] [--namespace=NS]
//! [--start-delay=30s] [--report-to=URL] [--format=yaml|json] [--output-file=F]`: the plan as
//! a ConfigMap and an Indexed Job of N scale-out agents (DESIGN.md §4.4).
int exportK8sCommand(const QStringList &args, QTextStream &out, QTextStream &err);

} // namespace loadscope
