#include "executionsegment.h"

#include <cmath>

namespace loadscope {

QString ExecutionSegment::toString() const
{
    return QString::number(index) + u'/' + QString::number(count);
}

std::optional<ExecutionSegment> ExecutionSegment::parse(QStringView text, QString *error)
{
    const qsizetype slash = text.indexOf(u'/');
    bool indexOk = false;
    bool countOk = false;
    const int index = slash > 0 ? text.left(slash).trimmed().toInt(&indexOk) : 0;
    const int count = slash > 0 ? text.mid(slash + 1).trimmed().toInt(&countOk) : 0;
    if (!indexOk || !countOk) {
        *error = u'"' + text.toString() +
                 QStringLiteral("\" is not I/N (segment I, 0-based, of N, e.g. 0/4)");
        return std::nullopt;
    }
    if (count < 1 || count > kMaxCount) {
        *error = QStringLiteral("N in \"") + text.toString() +
                 QStringLiteral("\" must be from 1 to ") + QString::number(kMaxCount);
        return std::nullopt;
    }
    if (index < 0 || index >= count) {
        *error = QStringLiteral("I in \"") + text.toString() +
                 QStringLiteral("\" must be from 0 to ") + QString::number(count - 1) +
                 QStringLiteral(" (segments are numbered from 0)");
        return std::nullopt;
    }
    return ExecutionSegment{index, count};
}

LoadModel ExecutionSegment::load(const LoadModel &whole) const
{
    LoadModel part = whole;
    part.vus = int(share(whole.vus));
    part.startVus = int(share(whole.startVus));
    part.preAllocatedVus = int(share(whole.preAllocatedVus));
    part.maxVus = int(share(whole.maxVus));
    part.rate = whole.rate * fraction();
    part.startRate = whole.startRate * fraction();
    const bool vus = whole.executor == Executor::RampingVus;
    for (Stage &stage : part.stages)
        stage.target = vus ? double(share(std::lround(stage.target))) : stage.target * fraction();
    return part;
}

QStringList ExecutionSegment::problems(const TestPlan &plan, qsizetype dataRows) const
{
    QStringList problems;
    if (isWhole())
        return problems;
    const QString segments = QString::number(count) + QStringLiteral(" segments");
    if (isOpenModel(plan.load.executor) && plan.load.maxVus < count)
        problems << QStringLiteral("load.maxVUs: %1 VUs cannot be split over %2: every agent "
                                   "needs at least one VU for its arrivals")
                        .arg(plan.load.maxVus)
                        .arg(segments);
    if (dataRows >= 0 && dataRows < count)
        problems << QStringLiteral("dataFile: %1 has %2 data rows, fewer than the %3: every "
                                   "agent uses rows of its own, and segment %4/%5 on would have "
                                   "none")
                        .arg(plan.dataFile)
                        .arg(dataRows)
                        .arg(segments)
                        .arg(dataRows)
                        .arg(count);
    return problems;
}

} // namespace loadscope
