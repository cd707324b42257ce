#pragma once

#include <QJsonArray>
#include <QWidget>

class QLabel;
class QTableWidget;

namespace loadscope {

//! The agents of a merged scale-out run (RunExtras::agents, one object each as
//! AgentSummary::toJson() writes it): per agent its segment, host, requests, throughput,
//! generator CPU, peak RSS and whether its generator was saturated. Hidden for a run that was
//! not merged, so the Run summary and History's details show it only where it means something.
class AgentsPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AgentsPanel)

public:
    explicit AgentsPanel(QWidget *parent = nullptr);

    //! Shows @p agents (empty: hides the panel).
    void setAgents(const QJsonArray &agents);
    //! Agents shown.
    int agentCount() const;
    //! The table, for tests and the screenshot tour.
    QTableWidget *table() const { return m_table; }

private:
    QLabel *m_heading = nullptr;
    QTableWidget *m_table = nullptr;
};

} // namespace loadscope
