#pragma once

#include <QObject>
#include <QString>

#include <memory>

#include "metrics/runmetrics.h"
#include "plan/testplan.h"

namespace loadscope {

class HistoryStore;
class LoadEngine;
class SampleApiHost;

//! One run of a plan as the CLI, the GUI and the REST API all do it: picks the target (the
//! built-in sample API when the plan has no base URL), records the run in the history while it
//! goes, stops on abortOnFail thresholds, and at the end evaluates thresholds and stores the
//! summary and histograms. Lives on the caller's thread.
class RunSession final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunSession)

public:
    //! @p store may be null (no history, e.g. --no-db).
    explicit RunSession(HistoryStore *store, QObject *parent = nullptr);
    ~RunSession() override;

    //! Base URL used for plans without one (e.g. the GUI's already running sample target).
    //! When unset, such plans start a sample API of their own on a loopback port.
    void setDefaultBaseUrl(const QString &baseUrl) { m_defaultBaseUrl = baseUrl; }

    //! Starts the run; false with a message naming the problem.
    bool start(const TestPlan &plan, QString *error = nullptr);
    //! Stops early, keeping everything measured (status aborted).
    void stop(const QString &reason = QString());

    bool isRunning() const;
    QString baseUrl() const { return m_baseUrl; }
    qint64 testId() const { return m_testId; }
    qint64 resultId() const { return m_resultId; }
    const TestPlan &plan() const { return m_plan; }
    const LoadEngine *engine() const { return m_engine.get(); }
    double elapsedSec() const;

signals:
    void intervalSample(const loadscope::IntervalSample &sample);
    //! The run ended; @p summary has its thresholds evaluated; @p resultId is 0 without a store.
    void finished(const loadscope::RunSummary &summary, qint64 resultId);
    //! Storing the run failed (e.g. the disk is full); the run itself goes on.
    void storeWarning(const QString &message);

private:
    void onInterval(const IntervalSample &sample);
    void onFinished(const RunSummary &summary);

    HistoryStore *m_store = nullptr;
    QString m_defaultBaseUrl;
    std::unique_ptr<SampleApiHost> m_sampleHost;
    std::unique_ptr<LoadEngine> m_engine;
    TestPlan m_plan;
    QString m_baseUrl;
    qint64 m_testId = 0;
    qint64 m_resultId = 0;
    bool m_storeFailed = false;
};

} // namespace loadscope
