#include "RedisFixture.h"

#include "redis/RedisClient.h"
#include "redis/RedisSubscriber.h"

#include <QAbstractEventDispatcher>
#include <QCoro/QCoroTask>
#include <QEventLoop>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <ctime>

using namespace rill::redis;
using namespace std::chrono_literals;

namespace {
std::chrono::nanoseconds processCpuTime()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}
} // namespace

// An idle bridge must not spin: no busy loop, no polling timer. Measured by the CPU time and
// the number of event-loop wake-ups while a connected client and a subscribed subscriber sit
// idle for two seconds. A busy loop would burn ~2 s of CPU; a 10 ms polling timer would wake
// the loop ~200 times.
class TestRedisIdle : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void idleCostsNothing()
    {
        rill::test::RedisFixture redis;
        QVERIFY2(redis.start(), qPrintable(redis.errorString()));
        RedisClient client(redis.clientOptions());
        RedisSubscriber subscriber(redis.clientOptions());
        QSignalSpy subscribed(&subscriber, &RedisSubscriber::subscribed);
        client.open();
        subscriber.subscribe("idle");
        subscriber.open();
        QTRY_VERIFY(client.isReady());
        QTRY_COMPARE(subscribed.count(), 1);
        QCOMPARE(QCoro::waitFor(client.command("PING")).bytes(), QByteArray("PONG"));

        int wakeUps = 0;
        auto *dispatcher = QAbstractEventDispatcher::instance();
        const auto counter = connect(dispatcher, &QAbstractEventDispatcher::awake, this, [&] { ++wakeUps; });
        const auto cpuBefore = processCpuTime();
        QEventLoop loop;
        QTimer::singleShot(2s, &loop, &QEventLoop::quit);
        loop.exec();
        const auto cpu = std::chrono::duration_cast<std::chrono::milliseconds>(processCpuTime() - cpuBefore);
        disconnect(counter);

        qInfo("idle for 2 s: %lld ms CPU, %d event-loop wake-ups", qint64(cpu.count()), wakeUps);
        QVERIFY2(cpu < 100ms, qPrintable(QString::number(cpu.count())));
        QVERIFY2(wakeUps <= 5, qPrintable(QString::number(wakeUps)));
        // Still alive after the quiet spell.
        QCOMPARE(QCoro::waitFor(client.command("PING")).bytes(), QByteArray("PONG"));
    }
};

QTEST_GUILESS_MAIN(TestRedisIdle)
#include "tst_redisidle.moc"
