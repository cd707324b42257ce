#pragma once

#include <optional>

#include <QByteArray>
#include <QDateTime>
#include <QJsonArray>
#include <QString>

#include "plan/testplan.h"

namespace loadscope {

//! How `export-k8s` lays out the agents of a plan on a cluster.
struct K8sExportOptions
{
    int agents = 1;
    QString image = QStringLiteral("localhost/loadscope-cli:latest");
    QString namespaceName = QStringLiteral("default");
    QDateTime startAt; //!< the agents' common start (export time + --start-delay)
    QString reportTo;  //!< a Loadscope REST URL the agents POST to; empty: stdout's last line
    QString cpu = QStringLiteral("1");        //!< resources.requests.cpu of each agent
    QString memory = QStringLiteral("256Mi"); //!< resources.requests.memory of each agent
};

//! The objects that run @p plan as options.agents scale-out agents (DESIGN.md §4.4): a
//! ConfigMap holding the plan (and its data and body files, re-pointed at /plan/), and an
//! Indexed Job (completionMode Indexed, completions = parallelism = agents, backoffLimit 0)
//! whose pods run `loadscope-cli run /plan/plan.json --segment=$(JOB_COMPLETION_INDEX)/N
//! --start-at=…` and report to options.reportTo or as the last line of their log, with
//! resource requests and a preferred pod anti-affinity on the host name so agents land on
//! different nodes. Nothing, with the reason, when the plan cannot run there (no base URL, an
//! unreadable file, more than a ConfigMap holds, a split that does not work).
std::optional<QJsonArray> k8sManifest(const TestPlan &plan, const K8sExportOptions &options,
                                      QString *error);

//! A DNS-1123 name for Kubernetes objects from @p text ("Checkout API" → "checkout-api"),
//! at most @p maxLength characters; "loadscope" when nothing is left.
QString kubernetesName(const QString &text, int maxLength = 52);

//! The objects as a multi-document YAML stream ("---" between them), for `kubectl apply -f`.
QByteArray manifestToYaml(const QJsonArray &objects);
//! The objects as one JSON "List" (apiVersion v1, kind List, items), for `kubectl apply -f`.
QByteArray manifestToJson(const QJsonArray &objects);

} // namespace loadscope
