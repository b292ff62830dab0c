#include "RedisFixture.h"

#include "redis/RedisClient.h"
#include "redis/RedisSubscriber.h"

#include <QCoro/QCoroTask>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

using namespace rill::redis;
using namespace std::chrono_literals;

// Redis killed (SIGKILL) and restarted on the same port while commands are in flight.
class TestRedisOutage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void killAndRestart()
    {
        rill::test::RedisFixture redis;
        QVERIFY2(redis.start(), qPrintable(redis.errorString()));

        auto options = redis.clientOptions();
        options.commandTimeout = 10s; // so a prompt failure below cannot be a timeout
        RedisClient client(options);
        RedisSubscriber subscriber(redis.clientOptions());
        QSignalSpy clientUp(&client, &RedisLink::connected);
        QSignalSpy clientDown(&client, &RedisLink::disconnected);
        QSignalSpy subscribed(&subscriber, &RedisSubscriber::subscribed);
        QSignalSpy messages(&subscriber, &RedisSubscriber::message);
        client.open();
        subscriber.subscribe("events");
        subscriber.open();
        QVERIFY(clientUp.wait(5000));
        QTRY_COMPARE(subscribed.count(), 1);

        // In flight: a blocking pop Redis holds on to, and a burst behind it.
        std::vector<RedisCall> inFlight;
        inFlight.push_back(client.command("BLPOP", "never", "8"));
        QTRY_COMPARE(redis.run({"INFO", "clients"}).bytes().contains("blocked_clients:1"), true);
        for (int i = 0; i < 100; ++i)
            inFlight.push_back(client.command("BLPOP", "never", "8"));

        redis.kill();
        auto awaitAll = [](std::vector<RedisCall> calls) -> QCoro::Task<QList<RedisReply>> {
            QList<RedisReply> replies;
            for (auto &c : calls)
                replies.append(co_await c);
            co_return replies;
        };
        const QList<RedisReply> failed = QCoro::waitFor(awaitAll(std::move(inFlight)));
        // Failed because the link went down, not by outwaiting commandTimeout (the reason says
        // which; a clock would only say how busy the machine was).
        for (const RedisReply &r : failed) {
            QVERIFY2(r.isFailure(), qPrintable(r.describe()));
            QVERIFY2(!r.bytes().contains("no reply for"), qPrintable(r.describe()));
        }
        QTRY_COMPARE(clientDown.count(), 1);

        // While it is down: the default policy answers at once.
        QCOMPARE(QCoro::waitFor(client.command("PING")).type(), RedisReply::Type::Failure);

        QVERIFY2(redis.restart(), qPrintable(redis.errorString()));
        QTRY_VERIFY_WITH_TIMEOUT(client.isReady(), 5000);
        QCOMPARE(clientUp.count(), 2);
        QCOMPARE(QCoro::waitFor(client.command("SET", "after", "yes")).bytes(), QByteArray("OK"));

        // The subscriber subscribed again by itself and delivers.
        QTRY_COMPARE_WITH_TIMEOUT(subscribed.count(), 2, 5000);
        QCOMPARE(redis.run({"PUBLISH", "events", "back"}).integer(), 1);
        QTRY_COMPARE(messages.count(), 1);
        QCOMPARE(messages.at(0).at(1).toByteArray(), QByteArray("back"));
    }

    void waitingCommandsGoOutWhenTheLinkReturns()
    {
        rill::test::RedisFixture redis;
        QVERIFY2(redis.start(), qPrintable(redis.errorString()));
        auto options = redis.clientOptions();
        options.whileDown = RedisOptions::WhileDown::Wait;
        options.commandTimeout = 5s;
        RedisClient client(options);
        QSignalSpy up(&client, &RedisLink::connected);
        client.open();
        QVERIFY(up.wait(5000));

        redis.kill();
        QTRY_VERIFY(!client.isReady());
        auto a = client.command("SET", "held", "1");
        auto b = client.command("INCR", "held");
        QVERIFY(redis.restart());
        QCOMPARE(QCoro::waitFor(std::move(a)).bytes(), QByteArray("OK"));
        QCOMPARE(QCoro::waitFor(std::move(b)).integer(), 2);
    }
};

QTEST_GUILESS_MAIN(TestRedisOutage)
#include "tst_redisoutage.moc"
