#include "RedisFixture.h"

#include "redis/RedisClient.h"
#include "redis/RedisSubscriber.h"

#include <QCoro/QCoroTask>
#include <QSignalSpy>
#include <QTest>

using namespace rill::redis;

class TestRedisSubscriber : public QObject
{
    Q_OBJECT

    rill::test::RedisFixture m_redis;

private Q_SLOTS:
    void initTestCase() { QVERIFY2(m_redis.start(), qPrintable(m_redis.errorString())); }

    void deliversInPublishOrder()
    {
        RedisSubscriber sub(m_redis.clientOptions());
        QSignalSpy subscribed(&sub, &RedisSubscriber::subscribed);
        QSignalSpy messages(&sub, &RedisSubscriber::message);
        sub.subscribe("news");
        sub.subscribe("other");
        sub.open();
        QTRY_COMPARE(subscribed.count(), 2);

        constexpr int n = 500;
        for (int i = 0; i < n; ++i)
            m_redis.run({"PUBLISH", "news", QByteArray::number(i)});
        m_redis.run({"PUBLISH", "unrelated", "x"});
        QTRY_COMPARE(messages.count(), n);
        for (int i = 0; i < n; ++i) {
            QCOMPARE(messages.at(i).at(0).toByteArray(), QByteArray("news"));
            QCOMPARE(messages.at(i).at(1).toByteArray(), QByteArray::number(i));
        }
    }

    void patternSubscription()
    {
        RedisSubscriber sub(m_redis.clientOptions());
        QSignalSpy subscribed(&sub, &RedisSubscriber::subscribed);
        QSignalSpy messages(&sub, &RedisSubscriber::patternMessage);
        sub.open();
        QTRY_VERIFY(sub.isReady());
        sub.psubscribe("room:*");
        QTRY_COMPARE(subscribed.count(), 1);
        QCOMPARE(m_redis.run({"PUBLISH", "room:a", "hi"}).integer(), 1);
        QCOMPARE(m_redis.run({"PUBLISH", "hall", "no"}).integer(), 0);
        QTRY_COMPARE(messages.count(), 1);
        QCOMPARE(messages.at(0).at(0).toByteArray(), QByteArray("room:*"));
        QCOMPARE(messages.at(0).at(1).toByteArray(), QByteArray("room:a"));
        QCOMPARE(messages.at(0).at(2).toByteArray(), QByteArray("hi"));
    }

    void unsubscribeStopsDelivery()
    {
        RedisSubscriber sub(m_redis.clientOptions());
        QSignalSpy subscribed(&sub, &RedisSubscriber::subscribed);
        QSignalSpy messages(&sub, &RedisSubscriber::message);
        sub.subscribe("a");
        sub.subscribe("b");
        sub.open();
        QTRY_COMPARE(subscribed.count(), 2);
        sub.unsubscribe("a");
        // Redis counts subscribers per channel; wait until it saw the UNSUBSCRIBE.
        QTRY_COMPARE(m_redis.run({"PUBSUB", "NUMSUB", "a"}).at(1).integer(), 0);
        m_redis.run({"PUBLISH", "a", "gone"});
        m_redis.run({"PUBLISH", "b", "here"});
        QTRY_COMPARE(messages.count(), 1);
        QCOMPARE(messages.at(0).at(1).toByteArray(), QByteArray("here"));
    }

    void binaryPayloadIsExact()
    {
        RedisSubscriber sub(m_redis.clientOptions());
        QSignalSpy subscribed(&sub, &RedisSubscriber::subscribed);
        QSignalSpy messages(&sub, &RedisSubscriber::message);
        sub.subscribe("bin");
        sub.open();
        QTRY_COMPARE(subscribed.count(), 1);
        const QByteArray payload("\0\r\n*3\r\n\xf0\x9f\x98\x80", 11);
        m_redis.run({"PUBLISH", "bin", payload});
        QTRY_COMPARE(messages.count(), 1);
        QCOMPARE(messages.at(0).at(1).toByteArray(), payload);
    }
};

QTEST_GUILESS_MAIN(TestRedisSubscriber)
#include "tst_redissubscriber.moc"
