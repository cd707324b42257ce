#include "session/storedrun.h"
#include "testmain.h"

using namespace loadscope;

namespace {

Annotation note(qint64 resultId, const QDateTime &at, const QString &text)
{
    Annotation a;
    a.testId = 1;
    a.resultId = resultId;
    a.at = at;
    a.note = text;
    return a;
}

} // namespace

//! Which notes become markers on a stored run's charts, and at which elapsed second.
class TestAnnotationEvents : public QObject
{
    Q_OBJECT

private slots:
    void notesOfTheRunAndOfTheTestWhileItRan()
    {
        const QDateTime start(QDate(2026, 12, 1), QTime(10, 0, 0), Qt::UTC);
        Annotation linked = note(7, start.addMSecs(12500), QStringLiteral("cache warmed"));
        linked.author = QStringLiteral("ana");
        linked.link = QStringLiteral("https://example.invalid/pr/3");
        const QList<Annotation> notes = {
            note(0, start.addSecs(40), QStringLiteral("deploy v2")), // the test's, during the run
            linked,                                                  // the run's, 12.5 s in
            note(7, {}, QStringLiteral("no time")),                  // the run's, no time: 0 s
            note(8, start.addSecs(5), QStringLiteral("other run")),  // another run's
            note(0, start.addSecs(-30), QStringLiteral("before")),   // the test's, before it
            note(0, start.addSecs(61), QStringLiteral("after")),     // the test's, after it
            note(7, start.addSecs(90), QStringLiteral("late")),      // the run's, past its end
        };
        const QList<TimelineEvent> events = annotationEvents(notes, 7, start, 60.0);
        QCOMPARE(events.size(), 4);
        QCOMPARE(events.at(0).title, QStringLiteral("no time"));
        QCOMPARE(events.at(0).tSec, 0.0);
        QCOMPARE(events.at(1).title, QStringLiteral("cache warmed"));
        QCOMPARE(events.at(1).tSec, 12.5);
        QCOMPARE(events.at(1).detail, QStringLiteral("ana · https://example.invalid/pr/3"));
        QCOMPARE(events.at(2).title, QStringLiteral("deploy v2"));
        QCOMPARE(events.at(2).tSec, 40.0);
        QCOMPARE(events.at(3).title, QStringLiteral("late"));
        QCOMPARE(events.at(3).tSec, 60.0); // clamped onto the run's last second
        for (const TimelineEvent &e : events)
            QCOMPARE(e.kind, TimelineEvent::Annotation);
    }
};

LOADSCOPE_TEST_MAIN(TestAnnotationEvents)
#include "tst_annotationevents.moc"
