#include "SentinelFixture.h"

#include "redis/RedisClient.h"
#include "redis/RedisSubscriber.h"

#include <QCoro/QCoroTask>
#include <QSignalSpy>
#include <QTest>

using namespace rill::redis;
using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

// The client side of Redis Sentinel against real sentinels: find the master, follow a failover.
class TestSentinel : public QObject
{
    Q_OBJECT

    static RedisOptions optionsFor(const QString &url)
    {
        RedisOptions options;
        const auto endpoint = RedisEndpoint::parse(url);
        Q_ASSERT(endpoint);
        options.endpoint = *endpoint;
        options.connectTimeout = 1s;
        options.commandTimeout = 2s;
        options.reconnectDelayMin = 20ms;
        options.reconnectDelayMax = 200ms;
        return options;
    }

private Q_SLOTS:
    void findsTheMasterAndFollowsAFailover()
    {
        rill::test::SentinelFixture sentinels;
        QVERIFY2(sentinels.start(), qPrintable(sentinels.errorString()));

        RedisClient client(optionsFor(sentinels.url()));
        // A subscriber copied from the same options shares the resolver and follows too.
        RedisSubscriber subscriber(client.options());
        QSignalSpy subscribed(&subscriber, &RedisSubscriber::subscribed);
        subscriber.subscribe("news");
        client.open();
        subscriber.open();
        QVERIFY(rill::test::waitUntil([&] { return client.isReady(); }, 20s));
        QCOMPARE(client.target().port, sentinels.master().port());
        QCOMPARE(QCoro::waitFor(client.command("SET", "before", "failover")).bytes(), QByteArray("OK"));
        // Replicated before the master dies, so the promoted replica has it.
        QCOMPARE(QCoro::waitFor(client.command("WAIT", "2", "5000")).integer(), 2);
        QTRY_COMPARE(subscribed.count(), 1);

        sentinels.master().kill();
        const quint16 promoted = sentinels.waitForPromotion(60s);
        QVERIFY(promoted);
        QVERIFY(rill::test::waitUntil([&] { return client.isReady() && client.target().port == promoted; }, 30s));
        QCOMPARE(QCoro::waitFor(client.command("GET", "before")).bytes(), QByteArray("failover"));
        QCOMPARE(QCoro::waitFor(client.command("SET", "after", "failover")).bytes(), QByteArray("OK"));
        // The subscriber moved too and subscribed again there.
        QVERIFY(rill::test::waitUntil(
            [&] { return subscriber.isReady() && subscriber.target().port == promoted; }, 30s));
        QTRY_VERIFY_WITH_TIMEOUT(subscribed.count() >= 2, 10000);
    }

    void anUnknownMasterIsReported()
    {
        rill::test::SentinelFixture sentinels;
        QVERIFY2(sentinels.start(), qPrintable(sentinels.errorString()));
        QString url = sentinels.url();
        url.replace(rill::test::SentinelFixture::kMasterName, "nobody"_L1);

        RedisClient client(optionsFor(url));
        client.open();
        QVERIFY(rill::test::waitUntil([&] { return !client.lastError().isEmpty(); }, 20s));
        QVERIFY2(client.lastError().contains(u"does not know master nobody"_s), qPrintable(client.lastError()));
        QVERIFY(!client.isReady());
        // A command fails at once with that reason rather than hanging.
        const RedisReply reply = QCoro::waitFor(client.command("PING"));
        QVERIFY(reply.isFailure());
    }
};

QTEST_GUILESS_MAIN(TestSentinel)
#include "tst_sentinel.moc"
