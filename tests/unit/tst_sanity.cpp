#include "testmain.h"
class TestSanity : public QObject { Q_OBJECT private slots: void ok() { QVERIFY(true); } };
LOADSCOPE_TEST_MAIN(TestSanity)
#include "tst_sanity.moc"
