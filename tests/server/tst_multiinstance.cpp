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
