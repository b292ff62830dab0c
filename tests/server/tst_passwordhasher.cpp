// The password-hash queue is bounded (issue 10): checks beyond it are refused at once instead of
// waiting behind seconds of hashing, and the queue frees as checks finish.

#include "store/PasswordHasher.h"

#include <QCoro/QCoroTask>
#include <QTest>

using namespace rill::store;
using namespace Qt::StringLiterals;

class TestPasswordHasher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void checksBeyondTheQueueAreRefused_data()
    {
        QTest::addColumn<int>("workers");
        QTest::addColumn<int>("queue");
        QTest::newRow("one worker, two queued") << 1 << 2;
        QTest::newRow("two workers, three queued") << 2 << 3;
    }

    void checksBeyondTheQueueAreRefused()
    {
        QFETCH(int, workers);
        QFETCH(int, queue);
        PasswordHasher hasher(workers, queue);
        const QByteArray stored = PasswordHasher::hashNow("right");
        // Tasks start at once and count themselves in before their first suspension.
        std::vector<QCoro::Task<std::optional<bool>>> running;
        for (int i = 0; i < queue; ++i)
            running.push_back(hasher.verify(stored, i % 2 ? u"right"_s : u"wrong"_s));
        QCOMPARE(hasher.queued(), queue);
        QCOMPARE(QCoro::waitFor(hasher.verify(stored, u"right"_s)), std::nullopt);
        QCOMPARE(QCoro::waitFor(hasher.hash(u"anything"_s)), std::nullopt);
        for (int i = 0; i < queue; ++i)
            QCOMPARE(QCoro::waitFor(running[std::size_t(i)]), std::optional<bool>(i % 2 == 1));
        QCOMPARE(hasher.queued(), 0);
        const auto again = QCoro::waitFor(hasher.hash(u"anything"_s));
        QVERIFY(again && PasswordHasher::verifyNow(*again, "anything"));
    }

    void theDefaultQueueIsEightPerWorker()
    {
        const PasswordHasher hasher(3, 0);
        QCOMPARE(hasher.maxQueued(), 24);
    }
};

QTEST_GUILESS_MAIN(TestPasswordHasher)
#include "tst_passwordhasher.moc"
