#include "RedisFixture.h"

#include "redis/RedisClient.h"

#include <QCoro/QCoroTask>
#include <QSignalSpy>
#include <QThread>
#include <QTimer>
#include <QTest>

#include <chrono>

using namespace rill::redis;
using namespace std::chrono_literals;
using Type = RedisReply::Type;

Q_DECLARE_METATYPE(RedisReply::Type)

class TestRedisClient : public QObject
{
    Q_OBJECT

    rill::test::RedisFixture m_redis;
    std::unique_ptr<RedisClient> m_client;

    template<typename Awaitable>
    static RedisReply sync(Awaitable &&awaitable)
    {
        return QCoro::waitFor(std::forward<Awaitable>(awaitable));
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY2(m_redis.start(), qPrintable(m_redis.errorString())); }

    void init()
    {
        m_redis.run({"FLUSHALL"});
        m_client = std::make_unique<RedisClient>(m_redis.clientOptions());
        QSignalSpy up(m_client.get(), &RedisLink::connected);
        m_client->open();
        QVERIFY(up.wait(5000));
        QVERIFY(m_client->isReady());
    }

    void cleanup() { m_client.reset(); }

    void replyTypes_data()
    {
        QTest::addColumn<QList<QByteArray>>("setup");
        QTest::addColumn<QList<QByteArray>>("command");
        QTest::addColumn<Type>("type");
        QTest::addColumn<QString>("rendered");

        QTest::newRow("status") << QList<QByteArray>{} << QList<QByteArray>{"SET", "k", "v"} << Type::Status
                                << QStringLiteral("+OK");
        QTest::newRow("error") << QList<QByteArray>{"SET", "k", "text"} << QList<QByteArray>{"INCR", "k"}
                               << Type::Error << QStringLiteral("-ERR value is not an integer or out of range");
        QTest::newRow("integer") << QList<QByteArray>{"SET", "n", "41"} << QList<QByteArray>{"INCR", "n"}
                                 << Type::Integer << QStringLiteral(":42");
        QTest::newRow("bulk") << QList<QByteArray>{"SET", "k", QByteArray("a\0b\r\n", 5)}
                              << QList<QByteArray>{"STRLEN", "k"} << Type::Integer << QStringLiteral(":5");
        QTest::newRow("nil") << QList<QByteArray>{} << QList<QByteArray>{"GET", "missing"} << Type::Nil
                             << QStringLiteral("(nil)");
        QTest::newRow("array") << QList<QByteArray>{"RPUSH", "l", "a", "b"} << QList<QByteArray>{"LRANGE", "l", "0", "-1"}
                               << Type::Array << QStringLiteral("[\"a\", \"b\"]");
        QTest::newRow("empty array") << QList<QByteArray>{} << QList<QByteArray>{"LRANGE", "none", "0", "-1"}
                                     << Type::Array << QStringLiteral("[]");
        QTest::newRow("stream: array of arrays")
            << QList<QByteArray>{"XADD", "s", "5-1", "f", "v"} << QList<QByteArray>{"XRANGE", "s", "-", "+"}
            << Type::Array << QStringLiteral("[[\"5-1\", [\"f\", \"v\"]]]");
        QTest::newRow("unknown command") << QList<QByteArray>{} << QList<QByteArray>{"NOSUCHCOMMAND"} << Type::Error
                                         << QStringLiteral("-ERR unknown command 'NOSUCHCOMMAND', with args beginning with: ");
    }

    void replyTypes()
    {
        QFETCH(QList<QByteArray>, setup);
        QFETCH(QList<QByteArray>, command);
        QFETCH(Type, type);
        QFETCH(QString, rendered);
        if (!setup.isEmpty())
            QVERIFY(sync(m_client->commandArgv(setup)).isOk());
        const RedisReply reply = sync(m_client->commandArgv(command));
        QCOMPARE(reply.type(), type);
        QCOMPARE(reply.describe(), rendered);
        // An error reply leaves the link usable.
        QCOMPARE(sync(m_client->command("PING")).bytes(), QByteArray("PONG"));
    }

    void binarySafeBulk()
    {
        const QByteArray value("\0\r\n$5\r\n*\xff", 10);
        QVERIFY(sync(m_client->command("SET", "bin", value)).isOk());
        const RedisReply got = sync(m_client->command("GET", "bin"));
        QCOMPARE(got.type(), Type::String);
        QCOMPARE(got.bytes(), value);
    }

    void tenThousandPipelinedInOrder()
    {
        constexpr int n = 10'000;
        std::vector<RedisCall> calls;
        calls.reserve(n);
        for (int i = 0; i < n; ++i)
            calls.push_back(m_client->command("INCR", "counter"));
        // All issued in this one turn of the event loop: all in flight at once.
        QCOMPARE(m_client->pendingCount(), n);

        auto collect = [](std::vector<RedisCall> pending) -> QCoro::Task<QList<qint64>> {
            QList<qint64> values;
            for (auto &call : pending)
                values.append((co_await call).integer());
            co_return values;
        };
        const QList<qint64> values = QCoro::waitFor(collect(std::move(calls)));
        QCOMPARE(values.size(), n);
        for (int i = 0; i < n; ++i)
            QCOMPARE(values[i], qint64(i + 1));
        QCOMPARE(m_client->pendingCount(), 0);
    }

    void repliesResumeInIssueOrder()
    {
        QList<int> order;
        auto noteWhenAnswered = [](RedisCall call, QList<int> &answered, int tag) -> QCoro::Task<> {
            co_await call;
            answered.append(tag);
        };
        auto a = noteWhenAnswered(m_client->command("SET", "a", "1"), order, 1);
        auto b = noteWhenAnswered(m_client->command("GET", "a"), order, 2);
        auto c = noteWhenAnswered(m_client->command("DEL", "a"), order, 3);
        QTRY_COMPARE(order.size(), 3);
        QCOMPARE(order, (QList<int>{1, 2, 3}));
    }

    void transactionIsAtomic()
    {
        auto multi = m_client->command("MULTI");
        auto q1 = m_client->command("INCR", "t");
        auto q2 = m_client->command("INCR", "t");
        const RedisReply exec = sync(m_client->command("EXEC"));
        QCOMPARE(sync(std::move(q1)).bytes(), QByteArray("QUEUED"));
        QCOMPARE(exec.describe(), QStringLiteral("[:1, :2]"));
        (void)multi;
        (void)q2;
    }

    void scriptsSurviveScriptFlush()
    {
        const RedisScript script("return redis.call('INCRBY', KEYS[1], ARGV[1])");
        QCOMPARE(sync(m_client->eval(script, 1, "s", "5")).integer(), 5);
        m_redis.run({"SCRIPT", "FLUSH"});
        // The first call after a flush sees the error as a value ...
        const RedisReply flushed = sync(m_client->eval(script, 1, "s", "5"));
        QCOMPARE(flushed.type(), Type::Error);
        QVERIFY(flushed.bytes().startsWith("NOSCRIPT"));
        // ... and the client has reloaded the script for the next one.
        QCOMPARE(sync(m_client->eval(script, 1, "s", "5")).integer(), 10);
    }

    void scriptErrorIsAValue()
    {
        const RedisScript script("return redis.error_reply('nope')");
        const RedisReply r = sync(m_client->eval(script, 0));
        QCOMPARE(r.type(), Type::Error);
        QVERIFY2(r.bytes().endsWith("nope"), r.bytes().constData()); // Redis 7 prefixes "ERR "
    }

    void authAndSelectOnConnect()
    {
        QVERIFY(m_redis.run({"ACL", "SETUSER", "rill", "on", ">pa:ss word", "~*", "&*", "+@all"}).isOk());
        auto options = m_redis.clientOptions();
        options.endpoint = *RedisEndpoint::parse(m_redis.url().replace(QStringLiteral("redis://"),
                                                                       QStringLiteral("redis://rill:pa%3Ass%20word@"))
                                                 + QStringLiteral("/3"));
        options.clientName = "rill-test";
        RedisClient client(options);
        QSignalSpy up(&client, &RedisLink::connected);
        client.open();
        QVERIFY(up.wait(5000));
        const QByteArray info = sync(client.command("CLIENT", "INFO")).bytes();
        QVERIFY2(info.contains(" db=3 "), info.constData());
        QVERIFY2(info.contains(" user=rill "), info.constData());
        QVERIFY2(info.contains(" name=rill-test "), info.constData());
    }

    void wrongPasswordIsAClearError()
    {
        QVERIFY(m_redis.run({"ACL", "SETUSER", "locked", "on", ">right", "+@all"}).isOk());
        auto options = m_redis.clientOptions();
        options.endpoint.user = QStringLiteral("locked");
        options.endpoint.password = QStringLiteral("wrong");
        RedisClient client(options);
        QSignalSpy up(&client, &RedisLink::connected);
        client.open();
        QTRY_VERIFY(client.lastError().contains(QStringLiteral("WRONGPASS")));
        QCOMPARE(up.count(), 0);
        const RedisReply r = sync(client.command("PING"));
        QVERIFY(r.isFailure() || r.isError());
    }

    void commandTimeoutFailsInFlightAndRecovers()
    {
        auto options = m_redis.clientOptions();
        options.commandTimeout = 300ms;
        RedisClient client(options);
        QSignalSpy up(&client, &RedisLink::connected);
        QSignalSpy down(&client, &RedisLink::disconnected);
        client.open();
        QVERIFY(up.wait(5000));

        m_redis.freeze(); // the socket stays open, nothing answers
        QElapsedTimer timer;
        timer.start();
        const RedisReply r = sync(client.command("PING"));
        const auto elapsed = timer.elapsed();
        m_redis.thaw();

        QCOMPARE(r.type(), Type::Failure);
        QVERIFY2(r.bytes().contains("no reply for 300 ms"), r.bytes().constData());
        // Never before the timeout (the reason above says it was the timeout, however busy the machine).
        QVERIFY2(elapsed >= 250, QByteArray::number(elapsed).constData());
        QCOMPARE(down.count(), 1);
        QVERIFY(up.wait(5000)); // and it comes back by itself
        QCOMPARE(sync(client.command("PING")).bytes(), QByteArray("PONG"));
    }

    // A link that keeps answering is busy, not stuck, however long its tail waits: eight
    // commands pipelined at once, the last answered 1.8 s later with a 1 s timeout, while
    // replies keep arriving every 0.6 s. Redis runs every command it read in one go before it
    // writes a reply, so scripts merely paced by a client timer merge into ever larger batches
    // on a loaded machine (a batch of them longer than the timeout is indistinguishable from
    // stuck: that made the earlier version of this test fail). Here BLPOP gates end each batch
    // by construction: a blocked client's later commands wait, its earlier replies go out, and
    // the test opens each gate when the batch before it has answered.
    void busyPipelineIsNotStuck()
    {
        auto options = m_redis.clientOptions();
        options.commandTimeout = 1000ms;
        RedisClient client(options);
        QSignalSpy down(&client, &RedisLink::disconnected);
        client.open();
        QTRY_VERIFY(client.isReady());
        m_redis.run({"DEL", "gate:1", "gate:2"});
        const RedisScript busy(
            "local t0 = redis.call('TIME') local start = t0[1] * 1000000 + t0[2] "
            "repeat local t = redis.call('TIME') until t[1] * 1000000 + t[2] - start >= 300000 "
            "return 1");
        std::vector<RedisCall> calls;
        for (const char *gate : {"", "gate:1", "gate:2"}) {
            if (*gate)
                calls.push_back(client.command("BLPOP", gate, "0"));
            calls.push_back(client.eval(busy, 0));
            calls.push_back(client.eval(busy, 0));
        }
        RedisClient opener(m_redis.clientOptions()); // another connection opens the gates
        opener.open();
        QTRY_VERIFY(opener.isReady());
        auto collect = [](std::vector<RedisCall> pending, RedisClient *gates) -> QCoro::Task<int> {
            int ok = 0;
            for (std::size_t i = 0; i < pending.size(); ++i) {
                const RedisReply r = co_await pending[i];
                ok += r.isOk() ? 1 : 0;
                if (i == 1 || i == 4) { // a batch answered: open the next gate
                    const RedisReply pushed = co_await gates->command("LPUSH", i == 1 ? "gate:1" : "gate:2", "open");
                    ok += pushed.isInteger() ? 0 : -100;
                }
            }
            co_return ok;
        };
        QCOMPARE(QCoro::waitFor(collect(std::move(calls), &opener)), 8);
        QCOMPARE(down.count(), 0);
    }

    // The client's own event loop stands still for longer than the timeout (a loaded machine
    // deschedules it; here the thread sleeps) while Redis works on an answer that comes a little
    // later. Waking to an empty socket is one look, not a timeout's worth of silence: the link
    // keeps waiting on its loop's ticks and gets the answer. (A wall-clock deadline, as before,
    // expired during the sleep and dropped the link at the first look.)
    void stalledClientLoopIsNotMistakenForAStuckLink()
    {
        auto options = m_redis.clientOptions();
        options.commandTimeout = 1000ms;
        RedisClient client(options);
        QSignalSpy down(&client, &RedisLink::disconnected);
        client.open();
        QTRY_VERIFY(client.isReady());
        const RedisScript slow(
            "local t0 = redis.call('TIME') local start = t0[1] * 1000000 + t0[2] "
            "repeat local t = redis.call('TIME') until t[1] * 1000000 + t[2] - start >= 1400000 "
            "return 7");
        auto call = client.eval(slow, 0);
        QTest::qWait(100); // written: Redis is running it
        QThread::msleep(1200);
        const RedisReply r = sync(std::move(call));
        QCOMPARE(r.describe(), QStringLiteral(":7"));
        QCOMPARE(down.count(), 0);
    }

    // What did arrive while the loop stood still is read before anything is judged, so a
    // frozen client wakes to its replies, not to a dropped link.
    void repliesThatArrivedDuringAStallAreRead()
    {
        auto options = m_redis.clientOptions();
        options.commandTimeout = 300ms;
        RedisClient client(options);
        QSignalSpy down(&client, &RedisLink::disconnected);
        client.open();
        QTRY_VERIFY(client.isReady());
        auto call = client.command("PING");
        QTest::qWait(20);
        QThread::msleep(1000);
        QCOMPARE(sync(std::move(call)).bytes(), QByteArray("PONG"));
        QCOMPARE(down.count(), 0);
    }

    // A command leaves at the end of the turn that issued it, not a turn later when a write
    // notifier fires: with the posted events handled and no socket event looked at, hiredis
    // holds nothing unwritten.
    void aCommandIsWrittenInTheTurnThatIssuedIt()
    {
        auto call = m_client->command("PING");
        QVERIFY(m_client->unwrittenBytes() > 0);
        QCoreApplication::sendPostedEvents();
        QCOMPARE(m_client->unwrittenBytes(), 0);
        QCOMPARE(m_client->writeWaits(), 0u);
        QCOMPARE(sync(std::move(call)).bytes(), QByteArray("PONG"));
    }

    // Redis stops reading while commands keep coming, more than the socket buffers hold. The
    // link waits for the socket to have room again, and once Redis reads every command arrives
    // whole, in order.
    void commandsWaitForRoomWhileRedisDoesNotRead()
    {
        auto options = m_redis.clientOptions();
        options.commandTimeout = 30s;
        RedisClient client(options);
        client.open();
        QTRY_VERIFY(client.isReady());
        constexpr int count = 48;
        const QByteArray value(1 << 20, 'v');
        m_redis.freeze();
        std::vector<RedisCall> calls;
        for (int i = 0; i < count; ++i) {
            calls.push_back(client.command("APPEND", "big", value));
            QCoreApplication::sendPostedEvents();
        }
        QTRY_VERIFY(client.writeWaits() > 0);
        QVERIFY2(client.unwrittenBytes() > 0, "the kernel took 48 MiB while Redis was stopped");
        m_redis.thaw();
        for (int i = 0; i < count; ++i)
            QCOMPARE(sync(std::move(calls[std::size_t(i)])).integer(), qint64(i + 1) * value.size());
        QCOMPARE(client.unwrittenBytes(), 0);
    }

    void notConnectedFailsAtOnceByDefault()
    {
        auto options = m_redis.clientOptions();
        options.endpoint.port = rill::redis::findFreeLocalPort(); // nobody there
        RedisClient client(options);
        client.open();
        QTRY_VERIFY(client.state() == RedisLink::State::WaitingToReconnect);
        const RedisReply r = sync(client.command("PING"));
        QCOMPARE(r.type(), Type::Failure);
        // Failed for being down, not held until a timeout (the reason says which, not a clock).
        QVERIFY2(r.bytes().startsWith("Redis is not connected"), r.bytes().constData());
    }

    void waitPolicyHoldsCommandsUntilTimeout()
    {
        auto options = m_redis.clientOptions();
        options.endpoint.port = rill::redis::findFreeLocalPort();
        options.whileDown = RedisOptions::WhileDown::Wait;
        options.commandTimeout = 300ms;
        RedisClient client(options);
        client.open();
        QElapsedTimer timer;
        timer.start();
        const RedisReply r = sync(client.command("PING"));
        QCOMPARE(r.type(), Type::Failure);
        QVERIFY2(r.bytes().contains("timed out waiting for the Redis link"), r.bytes().constData());
        QVERIFY(timer.elapsed() >= 250); // held, not failed at once
    }

    void closeFailsPending()
    {
        auto call = m_client->command("BLPOP", "nothing", "5");
        m_client->close();
        const RedisReply r = sync(std::move(call));
        QCOMPARE(r.type(), Type::Failure);
        QCOMPARE(sync(m_client->command("PING")).type(), Type::Failure);
    }
};

QTEST_GUILESS_MAIN(TestRedisClient)
#include "tst_redisclient.moc"
