#include <memory>

#include <QAbstractButton>
#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <QTreeWidget>

#include "design/designplace.h"
#include "design/loadmodeleditor.h"
#include "design/sendpanel.h"
#include "design/stepeditor.h"
#include "design/thresholdseditor.h"
#include "plan/planpresets.h"
#include "plot/plotstyle.h"
#include "sample/sampleapihost.h"
#include "widgettestmain.h"

using namespace loadscope;

namespace {

//! Answers the next modal QMessageBox by clicking its button named @p button (an empty name
//! expects no box at all); lives as long as the scope that waits for the box.
class MessageBoxAnswer final
{
public:
    explicit MessageBoxAnswer(const QString &button)
    {
        QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this, button] {
            auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            if (!box)
                return;
            m_text = box->text() + u'\n' + box->informativeText();
            m_answered = true;
            if (auto *clicked = box->findChild<QAbstractButton *>(button))
                clicked->click();
            else
                box->reject(); // no such button (or none expected): do not hang the test
        });
        m_timer.start(10);
    }
    bool answered() const { return m_answered; }
    QString text() const { return m_text; }

private:
    QTimer m_timer;
    bool m_answered = false;
    QString m_text;
};

} // namespace

class TestDesignPlace : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void presetLoadsAndModelsAreSound();
    void editFieldsThroughWidgets();
    void addDuplicateMoveRemoveSteps();
    void invalidThresholdTurnsRedAndIsListed();
    void clickingAProblemSelectsTheStep();
    void previewFollowsTargetAt();
    void saveAndOpenRoundTrip();
    void openReportsErrorsWithTheFileName();
    void presetPickerAsksBeforeReplacingEditedSteps();
    void sendShowsStatusAndJson();
    void sendUsesEarlierExtractions();
    void extractAsVariableAddsAnExtraction();
    void importCurlAddsAStep();
    void importCurlAsksBeforeChangingTheBaseUrl();
    void openResolvesPathsAndListsEveryProblem();

private:
    //! A shown, active place so that clicks, shortcuts and focus behave as for a user.
    std::unique_ptr<DesignPlace> makePlace(TestType type);
    //! Sends the selected step and waits for the response.
    void send(DesignPlace &place);

    std::unique_ptr<SampleApiHost> m_host;
    QString m_baseUrl;
};

void TestDesignPlace::initTestCase()
{
    m_host = std::make_unique<SampleApiHost>();
    QString error;
    QVERIFY2(m_host->start(QHostAddress::LocalHost, 0, &error) > 0, qPrintable(error));
    m_baseUrl = m_host->baseUrl().toString();
}

std::unique_ptr<DesignPlace> TestDesignPlace::makePlace(TestType type)
{
    auto place = std::make_unique<DesignPlace>();
    place->setBuiltInBaseUrl(m_baseUrl);
    place->loadPreset(type);
    place->resize(1400, 860);
    place->show();
    QApplication::setActiveWindow(place.get());
    if (!QTest::qWaitForWindowActive(place.get()))
        qWarning("the place did not become active");
    return place;
}

void TestDesignPlace::send(DesignPlace &place)
{
    QSignalSpy finished(place.sendPanel(), &SendPanel::finished);
    place.sendSelectedStep();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
}

void TestDesignPlace::presetLoadsAndModelsAreSound()
{
    auto place = makePlace(TestType::LoadTest);
    QAbstractItemModelTester tester(place->stepsView()->model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(place->plan(), presetPlan(TestType::LoadTest));
    QVERIFY(place->isValid());
    QCOMPARE(place->typeCombo()->currentText(), QStringLiteral("LOAD_TEST"));
    QCOMPARE(place->stepsView()->model()->rowCount(), 2);
    QCOMPARE(place->selectedStep(), 0);
    QVERIFY(place->baseUrlEdit()->placeholderText().contains(m_baseUrl));
    // The model survives the edits the place makes.
    place->addStep();
    place->moveStepUp();
    place->duplicateStep();
    place->removeStep();
    QCOMPARE(place->stepsView()->model()->rowCount(), 3);
}

void TestDesignPlace::editFieldsThroughWidgets()
{
    auto place = makePlace(TestType::ApiLatency);
    QSignalSpy changed(place.get(), &DesignPlace::planChanged);

    place->nameEdit()->selectAll();
    QTest::keyClicks(place->nameEdit(), QStringLiteral("Checkout latency"));
    QCOMPARE(place->plan().name, QStringLiteral("Checkout latency"));
    QVERIFY(changed.count() > 0);

    StepEditor *editor = place->stepEditor();
    editor->methodCombo()->setCurrentIndex(editor->methodCombo()->findText(QStringLiteral("POST")));
    editor->pathEdit()->selectAll();
    QTest::keyClicks(editor->pathEdit(), QStringLiteral("/api/signals"));
    editor->bodyEdit()->setPlainText(QStringLiteral(R"({"symbol":"AAPL"})"));
    QVERIFY(editor->prettyPrintBody());
    QCOMPARE(place->plan().steps.at(0).method, QStringLiteral("POST"));
    QCOMPARE(place->plan().steps.at(0).path, QStringLiteral("/api/signals"));
    QCOMPARE(place->plan().steps.at(0).body, QStringLiteral("{\n    \"symbol\": \"AAPL\"\n}"));
    // The table shows what the editor changed.
    const QModelIndex path = place->stepsView()->model()->index(0, 2);
    QCOMPARE(path.data().toString(), QStringLiteral("/api/signals"));

    LoadModelEditor *load = place->loadEditor();
    load->vusSpin()->setValue(12);
    QCOMPARE(place->plan().load.vus, 12);
    QVERIFY(load->vusSpin()->isVisibleTo(load));
    QVERIFY(!load->stagesTable()->isVisibleTo(load));
    load->executorCombo()->setCurrentIndex(
        load->executorCombo()->findText(QStringLiteral("ramping-vus")));
    QCOMPARE(place->plan().load.executor, Executor::RampingVus);
    QVERIFY(!load->vusSpin()->isVisibleTo(load)); // ramping-vus has no "vus"
    QVERIFY(load->stagesTable()->isVisibleTo(load));

    // An invalid base URL is a listed error and marks the field.
    place->baseUrlEdit()->selectAll();
    QTest::keyClicks(place->baseUrlEdit(), QStringLiteral("not a url"));
    QCOMPARE(place->plan().baseUrl, QStringLiteral("not a url"));
    QSignalSpy validated(place.get(), &DesignPlace::validated);
    QTRY_VERIFY(validated.count() > 0); // debounced
    QVERIFY(!place->isValid());
    QVERIFY(place->baseUrlEdit()->property("invalid").toBool());
    const auto found =
        place->problemsList()->findItems(QStringLiteral("baseUrl:"), Qt::MatchStartsWith);
    QCOMPARE(found.size(), 1);
}

void TestDesignPlace::addDuplicateMoveRemoveSteps()
{
    auto place = makePlace(TestType::LoadTest); // health, predict
    const auto names = [&place] {
        QStringList out;
        for (const Step &step : place->plan().steps)
            out.append(step.name);
        return out;
    };
    place->selectStep(0);
    place->addStepAction()->trigger();
    QCOMPARE(names(), QStringList({QStringLiteral("health"), QStringLiteral("step 3"),
                                   QStringLiteral("predict")}));
    QCOMPARE(place->selectedStep(), 1);
    QTest::keyClick(place->stepsView(), Qt::Key_Down, Qt::AltModifier); // Move down shortcut
    QCOMPARE(names(), QStringList({QStringLiteral("health"), QStringLiteral("predict"),
                                   QStringLiteral("step 3")}));
    QCOMPARE(place->selectedStep(), 2);
    QVERIFY(!place->moveDownAction()->isEnabled());
    place->moveUpAction()->trigger();
    QCOMPARE(place->selectedStep(), 1);
    QCOMPARE(names().at(1), QStringLiteral("step 3"));

    place->selectStep(0);
    place->duplicateStepAction()->trigger();
    QCOMPARE(names().at(1), QStringLiteral("health copy"));
    QCOMPARE(place->plan().steps.at(1).path, QStringLiteral("/api/health"));

    place->selectStep(0);
    place->removeStepAction()->trigger();
    place->removeStepAction()->trigger();
    QCOMPARE(names(), QStringList({QStringLiteral("step 3"), QStringLiteral("predict")}));
    QCOMPARE(place->selectedStep(), 0);
    // The editor shows the step that is now selected.
    QCOMPARE(place->stepEditor()->nameEdit()->text(), QStringLiteral("step 3"));
}

void TestDesignPlace::invalidThresholdTurnsRedAndIsListed()
{
    auto place = makePlace(TestType::ApiLatency);
    QTableWidget *table = place->thresholdsEditor()->table();
    QTableWidgetItem *expression = table->item(0, ThresholdsEditor::ExpressionColumn);
    QCOMPARE(expression->text(), QStringLiteral("p(95)<200"));
    QCOMPARE(expression->background().style(), Qt::NoBrush);

    // While typing: the editor itself turns red.
    table->setCurrentItem(expression);
    table->editItem(expression);
    auto *line = table->findChild<QLineEdit *>();
    QVERIFY(line);
    line->selectAll();
    QTest::keyClicks(line, QStringLiteral("p(95<200"));
    QVERIFY(line->property("invalid").toBool());
    QVERIFY(!line->toolTip().isEmpty());
    QTest::keyClick(line, Qt::Key_Return); // commits through a queued call

    QTRY_COMPARE(place->plan().thresholds.at(0).expression, QStringLiteral("p(95<200"));
    QCOMPARE(expression->background().color(), QColor(0xfd, 0xe2, 0xe1));
    QVERIFY(!expression->toolTip().isEmpty());
    place->validateNow();
    const auto found = place->problemsList()->findItems(
        QStringLiteral("thresholds[http_req_duration][0]"), Qt::MatchStartsWith);
    QCOMPARE(found.size(), 1);
    QVERIFY(!place->isValid());

    expression->setText(QStringLiteral("p(99)<300"));
    QCOMPARE(expression->background().style(), Qt::NoBrush);
    place->validateNow();
    QVERIFY(place->isValid());
}

void TestDesignPlace::clickingAProblemSelectsTheStep()
{
    auto place = makePlace(TestType::EndToEnd); // predict, signals, strategy
    place->selectStep(2);
    place->stepEditor()->methodCombo()->setEditText(QStringLiteral("FETCH"));
    QCOMPARE(place->plan().steps.at(2).method, QStringLiteral("FETCH"));
    place->selectStep(0);
    place->validateNow();
    const auto found =
        place->problemsList()->findItems(QStringLiteral("steps[2].method"), Qt::MatchStartsWith);
    QCOMPARE(found.size(), 1);
    QListWidget *list = place->problemsList();
    list->scrollToItem(found.first());
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {},
                      list->visualItemRect(found.first()).center());
    QCOMPARE(place->selectedStep(), 2);
    QComboBox *method = place->stepEditor()->methodCombo();
    QCOMPARE(method->currentText(), QStringLiteral("FETCH"));
    QTRY_VERIFY(method->hasFocus() || method->lineEdit()->hasFocus());

    // A threshold problem selects its row.
    place->thresholdsEditor()
        ->table()
        ->item(2, ThresholdsEditor::ExpressionColumn)
        ->setText(QStringLiteral("rate<<"));
    place->validateNow();
    place->focusIssuePath(QStringLiteral("thresholds[http_req_failed][0]"));
    QCOMPARE(place->thresholdsEditor()->table()->currentRow(), 2);
}

void TestDesignPlace::previewFollowsTargetAt()
{
    auto place = makePlace(TestType::LoadTest);
    QCustomPlot *plot = place->loadEditor()->previewPlot();
    const auto check = [&place, plot](double scale) {
        const LoadModel load = place->plan().load;
        const QSharedPointer<QCPGraphDataContainer> data = plot->graph(0)->data();
        QVERIFY(data->size() >= 2);
        for (auto it = data->constBegin(); it != data->constEnd(); ++it)
            QCOMPARE(it->value, load.targetAt(qRound64(it->key * 1000)) * scale);
        QCOMPARE((data->constEnd() - 1)->key, double(load.totalDurationMs()) / 1000.0);
    };
    check(1.0);
    QCOMPARE(plot->graph(0)->data()->size(), 5); // start + four stage ends
    QCOMPARE(plot->yAxis->label(), QStringLiteral("VUs"));

    // Editing a stage redraws the shape.
    QTableWidget *stages = place->loadEditor()->stagesTable();
    stages->item(1, 1)->setText(QStringLiteral("80"));
    QCOMPARE(place->plan().load.stages.at(1).target, 80.0);
    check(1.0);
    QCOMPARE(plot->graph(0)->data()->at(2)->value, 80.0);

    // Open models plot iterations per second, whatever the time unit.
    place->loadPreset(TestType::StressTest);
    check(1.0);
    QCOMPARE(plot->yAxis->label(), QStringLiteral("iterations/s"));
    TestPlan perMinute = place->plan();
    perMinute.load.timeUnitMs = 60000;
    place->setPlan(perMinute);
    check(1.0 / 60.0);
}

void TestDesignPlace::saveAndOpenRoundTrip()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    auto place = makePlace(TestType::EndToEnd);
    place->nameEdit()->selectAll();
    QTest::keyClicks(place->nameEdit(), QStringLiteral("Flow v2"));
    const TestPlan saved = place->plan();
    const QString path = dir.filePath(QStringLiteral("flow.json"));
    QString error;
    QVERIFY2(place->saveFile(path, &error), qPrintable(error));
    QCOMPARE(place->currentFile(), path);

    place->loadPreset(TestType::ApiLatency);
    QVERIFY(place->plan() != saved);
    QVERIFY2(place->openFile(path, &error), qPrintable(error));
    QCOMPARE(place->plan(), saved);
    QCOMPARE(place->nameEdit()->text(), QStringLiteral("Flow v2"));
    QCOMPARE(place->stepsView()->model()->rowCount(), 3);
}

void TestDesignPlace::openReportsErrorsWithTheFileName()
{
    QTemporaryDir dir;
    auto place = makePlace(TestType::ApiLatency);
    const TestPlan before = place->plan();
    const QString path = dir.filePath(QStringLiteral("broken.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(R"({"schema": "loadscope.plan/1", "name": )");
    file.close();
    QString error;
    QVERIFY(!place->openFile(path, &error));
    QVERIFY2(error.startsWith(QStringLiteral("broken.json: line 1")), qPrintable(error));
    QCOMPARE(place->plan(), before);

    QVERIFY(!place->openFile(dir.filePath(QStringLiteral("missing.json")), &error));
    QVERIFY2(error.startsWith(QStringLiteral("missing.json: ")), qPrintable(error));
    QVERIFY(!place->saveFile(dir.filePath(QStringLiteral("no/such/dir/x.json")), &error));
    QVERIFY2(error.startsWith(QStringLiteral("x.json: ")), qPrintable(error));
}

void TestDesignPlace::presetPickerAsksBeforeReplacingEditedSteps()
{
    auto place = makePlace(TestType::ApiLatency);
    QStringList questions;
    bool answer = false;
    place->setConfirmFunction([&](const QString &question) {
        questions.append(question);
        return answer;
    });
    QComboBox *type = place->typeCombo();
    // Unedited steps are replaced without asking.
    type->setCurrentIndex(type->findText(QStringLiteral("LOAD_TEST")));
    QVERIFY(questions.isEmpty());
    QCOMPARE(place->plan(), presetPlan(TestType::LoadTest));

    place->stepEditor()->pathEdit()->selectAll();
    QTest::keyClicks(place->stepEditor()->pathEdit(), QStringLiteral("/api/mine"));
    type->setCurrentIndex(type->findText(QStringLiteral("STRESS_TEST")));
    QCOMPARE(questions.size(), 1);
    QCOMPARE(place->plan().type, TestType::StressTest); // only the type changed
    QCOMPARE(place->plan().steps.at(0).path, QStringLiteral("/api/mine"));

    answer = true;
    type->setCurrentIndex(type->findText(QStringLiteral("END_TO_END")));
    QCOMPARE(questions.size(), 2);
    QCOMPARE(place->plan(), presetPlan(TestType::EndToEnd));
}

void TestDesignPlace::sendShowsStatusAndJson()
{
    auto place = makePlace(TestType::ApiLatency); // GET /api/health
    QSignalSpy finished(place->sendPanel(), &SendPanel::finished);
    QTest::keyClick(place->stepsView(), Qt::Key_Return, Qt::ControlModifier); // Ctrl+Enter
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
    SendPanel *panel = place->sendPanel();
    QCOMPARE(panel->lastStatus(), 200);
    QVERIFY2(panel->statusLabel()->text().startsWith(QStringLiteral("200")),
             qPrintable(panel->statusLabel()->text()));
    const QJsonDocument body = QJsonDocument::fromJson(panel->bodyView()->toPlainText().toUtf8());
    QCOMPARE(body.object().value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
    QVERIFY(panel->bodyView()->toPlainText().contains(QStringLiteral("\n    \"status\"")));
    QTreeWidgetItem *root = panel->jsonTree()->topLevelItem(0);
    QVERIFY(root);
    QCOMPARE(root->childCount(), body.object().size());

    // A server error is shown too, not swallowed.
    place->stepEditor()->pathEdit()->selectAll();
    QTest::keyClicks(place->stepEditor()->pathEdit(), QStringLiteral("/api/nothing-here"));
    send(*place);
    QCOMPARE(panel->lastStatus(), 404);
}

void TestDesignPlace::sendUsesEarlierExtractions()
{
    auto place = makePlace(TestType::EndToEnd);
    place->selectStep(0); // predict: extracts predictionId
    send(*place);
    QCOMPARE(place->sendPanel()->lastStatus(), 200);
    const QString id = place->sendPanel()->sentVariables().value(QStringLiteral("predictionId"));
    QVERIFY(id.startsWith(QStringLiteral("pred-")));
    place->selectStep(1); // signals: {"predictionId":"{{predictionId}}"}
    send(*place);
    QCOMPARE(place->sendPanel()->lastStatus(), 200);
    QVERIFY(place->sendPanel()->sentVariables().contains(QStringLiteral("signal")));
}

void TestDesignPlace::extractAsVariableAddsAnExtraction()
{
    auto place = makePlace(TestType::MlPredictionThroughput); // POST /api/bridge/predict
    send(*place);
    QCOMPARE(place->sendPanel()->lastStatus(), 200);
    QTreeWidget *tree = place->sendPanel()->jsonTree();
    const auto findItem = [tree](const QString &key, QTreeWidgetItem *under) {
        for (int i = 0; i < under->childCount(); ++i) {
            if (under->child(i)->text(0) == key)
                return under->child(i);
        }
        return static_cast<QTreeWidgetItem *>(nullptr);
    };
    QTreeWidgetItem *root = tree->topLevelItem(0);
    QTreeWidgetItem *id = findItem(QStringLiteral("predictionId"), root);
    QVERIFY(id);
    tree->setCurrentItem(id);
    place->sendPanel()->extractSelected();
    Step step = place->plan().steps.at(0);
    QCOMPARE(step.extractions.size(), 1);
    QCOMPARE(step.extractions.at(0).name, QStringLiteral("predictionId"));
    QCOMPARE(step.extractions.at(0).source, Extraction::Source::JsonPointer);
    QCOMPARE(step.extractions.at(0).expression, QStringLiteral("/predictionId"));

    // A nested value gets the full pointer; a second extraction of a name gets a suffix.
    QTreeWidgetItem *features = findItem(QStringLiteral("features"), root);
    QVERIFY(features && features->childCount() > 0);
    QTreeWidgetItem *feature = features->child(0);
    tree->setCurrentItem(feature);
    place->sendPanel()->extractSelected();
    tree->setCurrentItem(id);
    place->sendPanel()->extractSelected();
    step = place->plan().steps.at(0);
    QCOMPARE(step.extractions.size(), 3);
    QCOMPARE(step.extractions.at(1).expression, QStringLiteral("/features/") + feature->text(0));
    QCOMPARE(step.extractions.at(2).name, QStringLiteral("predictionId2"));
    // The pointer really points at the value shown.
    const QJsonDocument body =
        QJsonDocument::fromJson(place->sendPanel()->bodyView()->toPlainText().toUtf8());
    QCOMPARE(SendPanel::valueAt(body, step.extractions.at(1).expression),
             body.object().value(QStringLiteral("features")).toObject().value(feature->text(0)));
    QCOMPARE(place->stepEditor()->extractionsTable()->rowCount(), 3);
    place->validateNow();
    QVERIFY(place->isValid());
}

void TestDesignPlace::importCurlAddsAStep()
{
    auto place = makePlace(TestType::ApiLatency);
    place->selectStep(0);
    QString error;
    QVERIFY(!place->importCurlCommand(QStringLiteral("curl 'http://x"), &error));
    QCOMPARE(error, QStringLiteral("unbalanced single quote at column 6"));
    // The built-in sample target's own URL: same origin as the (empty) base URL, no question.
    MessageBoxAnswer none(QString{});
    QVERIFY2(
        place->importCurlCommand(QStringLiteral("curl -X POST -H 'Content-Type: "
                                                "application/json' -d '{\"symbol\":\"MSFT\"}' ") +
                                     m_baseUrl + QStringLiteral("/api/bridge/predict"),
                                 &error),
        qPrintable(error));
    QVERIFY(!none.answered());
    const TestPlan plan = place->plan();
    QCOMPARE(plan.steps.size(), 2);
    QVERIFY(plan.baseUrl.isEmpty()); // still the built-in target
    QCOMPARE(plan.steps.at(1).method, QStringLiteral("POST"));
    QCOMPARE(plan.steps.at(1).path, QStringLiteral("/api/bridge/predict"));
    QCOMPARE(place->selectedStep(), 1);
    send(*place);
    QCOMPARE(place->sendPanel()->lastStatus(), 200);
}

void TestDesignPlace::importCurlAsksBeforeChangingTheBaseUrl()
{
    auto place = makePlace(TestType::ApiLatency);
    place->selectStep(0);
    const QString curl = QStringLiteral("curl https://example.org/a?b=1");
    QString error;

    // Cancel: nothing changes.
    {
        MessageBoxAnswer answer(QStringLiteral("cancelImport"));
        QVERIFY(!place->importCurlCommand(curl, &error));
        QVERIFY(answer.answered());
        QVERIFY2(answer.text().contains(QLatin1String("https://example.org")),
                 qPrintable(answer.text()));
        QVERIFY2(answer.text().contains(QLatin1String("built-in sample API")),
                 qPrintable(answer.text()));
        QVERIFY2(error.startsWith(QLatin1String("Import cancelled")), qPrintable(error));
        QCOMPARE(place->plan().steps.size(), 1);
        QVERIFY(place->plan().baseUrl.isEmpty());
    }
    // Keep the base URL: the step keeps its absolute URL, the other steps their target.
    {
        MessageBoxAnswer answer(QStringLiteral("keepBaseUrl"));
        QVERIFY2(place->importCurlCommand(curl, &error), qPrintable(error));
        QVERIFY(answer.answered());
        QCOMPARE(place->plan().steps.size(), 2);
        QCOMPARE(place->plan().steps.at(1).path, QStringLiteral("https://example.org/a?b=1"));
        QVERIFY(place->plan().baseUrl.isEmpty());
    }
    // Use the curl host: the base URL changes, the step is relative.
    {
        MessageBoxAnswer answer(QStringLiteral("useCurlBaseUrl"));
        QVERIFY2(place->importCurlCommand(QStringLiteral("curl https://example.org/c"), &error),
                 qPrintable(error));
        QVERIFY(answer.answered());
        QCOMPARE(place->plan().baseUrl, QStringLiteral("https://example.org"));
        QCOMPARE(place->baseUrlEdit()->text(), QStringLiteral("https://example.org"));
        QCOMPARE(place->plan().steps.at(2).path, QStringLiteral("/c"));
    }
    // Now the same host again: no question.
    {
        MessageBoxAnswer none(QString{});
        QVERIFY2(place->importCurlCommand(QStringLiteral("curl https://example.org/d"), &error),
                 qPrintable(error));
        QVERIFY(!none.answered());
        QCOMPARE(place->plan().steps.at(3).path, QStringLiteral("/d"));
    }
    // Several commands in one paste: one step each, in order, after the selected one; a
    // third host keeps its absolute URL without a second question.
    {
        MessageBoxAnswer answer(QStringLiteral("keepBaseUrl"));
        QVERIFY2(place->importCurlCommand(QStringLiteral("curl https://example.org/e && "
                                                         "curl -X DELETE https://other.example/f\n"
                                                         "curl -I https://example.org/g"),
                                          &error),
                 qPrintable(error));
        QVERIFY(answer.answered());
        QCOMPARE(place->plan().steps.size(), 7);
        QCOMPARE(place->plan().steps.at(4).path, QStringLiteral("/e"));
        QCOMPARE(place->plan().steps.at(5).path, QStringLiteral("https://other.example/f"));
        QCOMPARE(place->plan().steps.at(5).method, QStringLiteral("DELETE"));
        QCOMPARE(place->plan().steps.at(6).method, QStringLiteral("HEAD"));
        QCOMPARE(place->selectedStep(), 6);
    }
}

void TestDesignPlace::openResolvesPathsAndListsEveryProblem()
{
    QTemporaryDir dir;
    auto place = makePlace(TestType::ApiLatency);
    const QString path = dir.filePath(QStringLiteral("many.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(R"({"name":"m","name":"n","steps":[{"path":"/a","method":"FETCH"}],
                  "load":{"vus":"two"}})");
    file.close();
    QString error;
    QVERIFY(!place->openFile(path, &error));
    const QStringList lines = error.split(u'\n');
    QCOMPARE(lines.size(), 3);
    QVERIFY2(lines.at(0).startsWith(QLatin1String("many.json: name: ")), qPrintable(error));
    QVERIFY2(lines.at(1).startsWith(QLatin1String("many.json: load.vus: ")), qPrintable(error));
    QVERIFY2(lines.at(2).startsWith(QLatin1String("many.json: steps[0].method: ")),
             qPrintable(error));

    const QString good = dir.filePath(QStringLiteral("good.json"));
    QFile goodFile(good);
    QVERIFY(goodFile.open(QIODevice::WriteOnly));
    goodFile.write(R"({"name":"g","dataFile":"rows.csv","steps":[{"path":"/a"}]})");
    goodFile.close();
    QVERIFY2(place->openFile(good, &error), qPrintable(error));
    QCOMPARE(place->plan().dataFile, QDir(dir.path()).filePath(QStringLiteral("rows.csv")));
}

LOADSCOPE_WIDGET_TEST_MAIN(TestDesignPlace)
#include "tst_designplace.moc"
