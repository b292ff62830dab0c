#include "ServerFixture.h"
#include "TestClient.h"

#include "protocol/StreamId.h"
#include "redis/EmbeddedRedis.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QProcess>
#include <QTest>

#include <csignal>

using namespace rill::test;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
QString textOf(const QJsonObject &event)
{
    return event.value("message"_L1).toObject().value("text"_L1).toString();
}

// Alice and Bob, signed up, each on the instance at the given URL.
[[nodiscard]] bool aliceAndBob(TestClient &alice, const QUrl &aliceAt, TestClient &bob, const QUrl &bobAt)
{
    return alice.open(aliceAt) && bob.open(bobAt) && alice.signUp(u"alice"_s) && bob.signUp(u"bob"_s);
}

// Empty when the next n messages the client gets are "m0" to "m<n-1>" in that order and nothing
// follows them; else what it got instead.
QString receivesNumberedOnce(TestClient &client, int n)
{
    for (int i = 0; i < n; ++i) {
        const auto e = client.waitEvent(u"message"_s, [](const QJsonObject &ev) { return textOf(ev).startsWith(u'm'); });
        if (!e)
            return u"message %1 did not arrive"_s.arg(i);
        if (textOf(*e) != u"m%1"_s.arg(i))
            return u"got %1 where m%2 was due"_s.arg(textOf(*e)).arg(i);
    }
    return client.receivesWithin(u"message"_s, 300ms) ? u"a message arrived twice"_s : QString();
}
} // namespace

// Several instances on one Redis behave as one server: everything crosses instances exactly
// once, and an instance that dies takes its users off line for everyone else.
class TestMultiInstance : public QObject
{
    Q_OBJECT

    RedisFixture m_redis;

private Q_SLOTS:
    void initTestCase() { QVERIFY2(m_redis.start(), qPrintable(m_redis.errorString())); }
    void init() { m_redis.run({"FLUSHALL"}); }

    void messagesCrossExactlyOnceInOrder()
    {
        ServerFixture one(&m_redis), two(&m_redis);
        QVERIFY2(one.start(), qPrintable(one.errorString()));
        QVERIFY2(two.start(), qPrintable(two.errorString()));
        TestClient alice, bob;
        QVERIFY(alice.open(one.url()));
        QVERIFY(bob.open(two.url()));
        QVERIFY(alice.signUp(u"alice"_s));
        QVERIFY(bob.signUp(u"bob"_s));

        constexpr int n = 60;
        QList<qint64> ids;
        for (int i = 0; i < n; ++i)
            ids.append(alice.post(u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, u"m%1"_s.arg(i)}}));
        for (qint64 id : ids)
            QVERIFY(alice.replyTo(id).value("ok"_L1).toBool());

        QString lastId;
        for (int i = 0; i < n; ++i) {
            const auto e = bob.waitEvent(u"message"_s, [](const QJsonObject &ev) {
                return ev.value("message"_L1).toObject().value("kind"_L1).toString() == "message"_L1;
            });
            QVERIFY2(e, qPrintable(u"message %1 did not cross"_s.arg(i)));
            QCOMPARE(textOf(*e), u"m%1"_s.arg(i)); // in order
            const QString id = e->value("message"_L1).toObject().value("id"_L1).toString();
            QVERIFY(lastId.isEmpty() || *rill::protocol::StreamId::parse(lastId) < *rill::protocol::StreamId::parse(id));
            lastId = id;
        }
        // ... and once: nothing more arrives.
        QVERIFY(!bob.receivesWithin(u"message"_s, 300ms));
        // The sender's own session got each once too.
        int own = 0;
        while (alice.waitEvent(u"message"_s, [](const QJsonObject &ev) { return textOf(ev).startsWith(u'm'); }, 300ms))
            ++own;
        QCOMPARE(own, n);
    }

    // Instances get the bus pushed (rill:bus:live): a message crossing costs no read of the
    // stream per event, where a blocking XREAD had to be issued again after every batch.
    void theBusIsPushedNotReadPerEvent()
    {
        ServerFixture one(&m_redis), two(&m_redis);
        // The catch-up every heartbeat is one XRANGE per interval; with a long one, however slow
        // the machine, what remains is the catch-up at subscription and after the first push.
        // (The health probe's XRANGE needs --http-listen, which the fixture leaves off.)
        one.config().presenceHeartbeat = 600s;
        two.config().presenceHeartbeat = 600s;
        QVERIFY(one.start());
        QVERIFY(two.start());
        TestClient alice, bob;
        QVERIFY(aliceAndBob(alice, one.url(), bob, two.url()));
        m_redis.run({"CONFIG", "RESETSTAT"});
        constexpr int n = 30;
        for (int i = 0; i < n; ++i)
            QVERIFY(alice.call(u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, u"m%1"_s.arg(i)}}).value("ok"_L1).toBool());
        const QString received = receivesNumberedOnce(bob, n);
        QVERIFY2(received.isEmpty(), qPrintable(received));
        const QByteArray stats = m_redis.run({"INFO", "commandstats"}).bytes();
        auto callsOf = [&stats](const QByteArray &command) {
            const qsizetype at = stats.indexOf(QByteArray("cmdstat_" + command + ":calls="));
            return at < 0 ? 0 : stats.mid(at + command.size() + 15).split(',').value(0).toInt();
        };
        QCOMPARE(callsOf("xread"), 0);
        QVERIFY2(callsOf("xrange") <= 2, qPrintable(u"%1 XRANGE for %2 messages"_s.arg(callsOf("xrange")).arg(n)));
    }

    // An entry in the stream that was never pushed (as if its push was lost) is noticed by the
    // next push, whose number does not follow, and read from the stream: the sessions get
    // everything in order and are not told to start over, as they would be for entries gone.
    void anEntryThatWasNotPushedIsReadFromTheStream()
    {
        ServerFixture server(&m_redis);
        QVERIFY(server.start());
        TestClient alice, bob;
        QVERIFY(aliceAndBob(alice, server.url(), bob, server.url()));
        QVERIFY(alice.call(u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, u"before"_s}}).value("ok"_L1).toBool());
        QVERIFY(bob.waitEvent(u"message"_s, [](const QJsonObject &ev) { return textOf(ev) == "before"_L1; }));

        // An entry of a kind this version skips, numbered as common.lua numbers them, not published.
        QVERIFY(m_redis.run({"EVAL",
                             "local q = redis.call('INCR', 'rill:busseq') "
                             "return redis.call('XADD', 'rill:bus', '*', 'q', tostring(q), 'e', 'from-a-later-version')",
                             "0"})
                    .isString());
        QVERIFY(alice.call(u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, u"after"_s}}).value("ok"_L1).toBool());
        QVERIFY(bob.waitEvent(u"message"_s, [](const QJsonObject &ev) { return textOf(ev) == "after"_L1; }));
        QVERIFY(!bob.receivesWithin(u"message"_s, 300ms)); // once
        QVERIFY(bob.isConnected());
        QVERIFY(alice.isConnected());
    }

    // The bus feed's connection is killed while messages keep coming: what was published while
    // it was away comes from the stream when it subscribes again, exactly once and in order.
    void aFeedThatWasCutCatchesUp()
    {
        ServerFixture one(&m_redis), two(&m_redis);
        QVERIFY(one.start());
        QVERIFY(two.start());
        TestClient alice, bob;
        QVERIFY(aliceAndBob(alice, one.url(), bob, two.url()));
        constexpr int n = 40;
        QList<qint64> ids;
        for (int i = 0; i < n; ++i) {
            if (i == n / 4)
                QVERIFY(m_redis.run({"CLIENT", "KILL", "TYPE", "pubsub"}).integer() >= 2);
            ids.append(alice.post(u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, u"m%1"_s.arg(i)}}));
        }
        for (qint64 id : ids)
            QVERIFY(alice.replyTo(id).value("ok"_L1).toBool());
        const QString received = receivesNumberedOnce(bob, n);
        QVERIFY2(received.isEmpty(), qPrintable(received));
        QVERIFY(bob.isConnected());
    }

    void tokenFromOneInstanceWorksOnAnother()
    {
        ServerFixture one(&m_redis), two(&m_redis);
        QVERIFY(one.start());
        QVERIFY(two.start());
        TestClient first, second;
        QVERIFY(first.open(one.url()));
        QVERIFY(first.signUp(u"carol"_s));
        QVERIFY(second.open(two.url()));
        const QJsonObject r = second.call(u"login"_s, {{"token"_L1, first.token()}});
        QVERIFY(r.value("ok"_L1).toBool());
        QCOMPARE(r.value("user"_L1).toString(), u"carol"_s);
        QCOMPARE(r.value("token"_L1).toString(), first.token());
    }

    void presenceReadAndTypingCrossExactlyOnce()
    {
        ServerFixture one(&m_redis), two(&m_redis);
        QVERIFY(one.start());
        QVERIFY(two.start());
        TestClient alice, bobHere, bobThere;
        QVERIFY(alice.open(one.url()));
        QVERIFY(alice.signUp(u"alice"_s));
        QVERIFY(bobThere.open(two.url()));
        QVERIFY(bobThere.signUp(u"bob"_s));

        // presence: bob came on line on instance two; alice (one) hears it once
        const auto online = alice.waitEvent(u"presence"_s, [](const QJsonObject &e) {
            return e.value("user"_L1).toString() == "bob"_L1 && e.value("online"_L1).toBool();
        });
        QVERIFY(online);
        QVERIFY(!alice.receivesWithin(u"presence"_s, 300ms,
                                      [](const QJsonObject &e) { return e.value("user"_L1).toString() == "bob"_L1; }));

        // a second session of bob on instance one: still one presence (already on line)
        QVERIFY(bobHere.open(one.url()));
        QVERIFY(bobHere.call(u"login"_s, {{"token"_L1, bobThere.token()}}).value("ok"_L1).toBool());
        QVERIFY(!alice.receivesWithin(u"presence"_s, 300ms));

        // read: bob reads on two, his session on one hears it once, the reader does not
        const QJsonObject sent = alice.call(u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, u"read me"_s}});
        const QString id = sent.value("message"_L1).toObject().value("id"_L1).toString();
        QVERIFY(bobThere.call(u"read"_s, {{"channel"_L1, u"general"_s}, {"upTo"_L1, id}}).value("ok"_L1).toBool());
        const auto read = bobHere.waitEvent(u"read"_s);
        QVERIFY(read);
        QCOMPARE(read->value("upTo"_L1).toString(), id);
        QCOMPARE(read->value("channel"_L1).toString(), u"general"_s);
        QVERIFY(!bobHere.receivesWithin(u"read"_s, 300ms));
        QVERIFY(!bobThere.receivesWithin(u"read"_s, 100ms));

        // typing: alice types on one; bob's sessions on both instances hear it once, alice not
        QVERIFY(alice.call(u"typing"_s, {{"channel"_L1, u"general"_s}}).value("ok"_L1).toBool());
        for (TestClient *bob : {&bobThere, &bobHere}) {
            const auto typing = bob->waitEvent(u"typing"_s);
            QVERIFY(typing);
            QCOMPARE(typing->value("user"_L1).toString(), u"alice"_s);
            QVERIFY(!bob->receivesWithin(u"typing"_s, 200ms));
        }
        QVERIFY(!alice.receivesWithin(u"typing"_s, 100ms));

        // bob leaves instance two; still on line through one: no presence change
        bobThere.close();
        QVERIFY(!alice.receivesWithin(u"presence"_s, 500ms));
        bobHere.close();
        const auto offline = alice.waitEvent(u"presence"_s, [](const QJsonObject &e) {
            return e.value("user"_L1).toString() == "bob"_L1 && !e.value("online"_L1).toBool();
        });
        QVERIFY(offline);
    }

    void killedInstanceTakesItsUsersOffline()
    {
        ServerFixture survivor(&m_redis);
        QVERIFY(survivor.start());

        // The victim is a real rill-server process, so it can die with SIGKILL. It keeps the
        // default presence heartbeat (5 s): its users must go off line within 30 s.
        const quint16 port = rill::redis::findFreeLocalPort();
        QProcess victim;
        victim.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        victim.start(QStringLiteral(RILL_SERVER_BINARY),
                     {u"--redis"_s, m_redis.url(), u"--port"_s, QString::number(port), u"--listen"_s,
                      u"127.0.0.1"_s, u"--instance"_s, u"victim"_s});
        QVERIFY(victim.waitForStarted());
        const QUrl victimUrl(u"ws://127.0.0.1:"_s + QString::number(port));

        TestClient dave, watcher;
        QTRY_VERIFY_WITH_TIMEOUT(dave.open(victimUrl), 10000);
        QVERIFY(dave.signUp(u"dave"_s));
        QVERIFY(watcher.open(survivor.url()));
        QVERIFY(watcher.signUp(u"watcher"_s));
        const QJsonArray members =
            watcher.call(u"members"_s, {{"channel"_L1, u"general"_s}}).value("members"_L1).toArray();
        QVERIFY(members.contains(QJsonObject{{"user"_L1, u"dave"_s}, {"online"_L1, true}}));

        QElapsedTimer clock;
        clock.start();
        ::kill(pid_t(victim.processId()), SIGKILL);
        QVERIFY(victim.waitForFinished(5000));

        const auto offline = watcher.waitEvent(
            u"presence"_s,
            [](const QJsonObject &e) { return e.value("user"_L1).toString() == "dave"_L1 && !e.value("online"_L1).toBool(); },
            30s);
        QVERIFY2(offline, "dave did not go off line within 30 s of his instance's death");
        qInfo("dave went off line %lld ms after his instance was killed", clock.elapsed());
        const QJsonArray after =
            watcher.call(u"members"_s, {{"channel"_L1, u"general"_s}}).value("members"_L1).toArray();
        QVERIFY(after.contains(QJsonObject{{"user"_L1, u"dave"_s}, {"online"_L1, false}}));
    }
};

QTEST_GUILESS_MAIN(TestMultiInstance)
#include "tst_multiinstance.moc"
