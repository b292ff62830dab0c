#include "RedisFixture.h"

#include "hub/Hub.h"
#include "redis/RedisClient.h"
#include "store/Store.h"

#include <QCoro/QCoroTask>
#include <QJsonDocument>
#include <QTest>

using namespace rill;
using namespace rill::server;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

// Records what the hub delivers, as short strings ("message general one", "member dev bob +").
class RecordingRecipient final : public Recipient
{
public:
    RecordingRecipient(QString id, QString user) : m_id(std::move(id)), m_user(std::move(user)) {}

    const QString &id() const override { return m_id; }
    const QString &userKey() const override { return m_user; }
    protocol::StreamId busFloor() const override { return m_floor; }
    void setBusFloor(protocol::StreamId floor) override { m_floor = floor; }
    const QByteArray &tokenHash() const override { return m_tokenHash; }
    void fellBehind() override { ++fellBehindCount; }
    void loggedOut() override { ++loggedOutCount; }
    void deliver(const rill::server::Frame &frame) override
    {
        const QJsonObject e = QJsonDocument::fromJson(frame.payload().toByteArray()).object();
        const QString ev = e.value("ev"_L1).toString();
        if (ev == "message"_L1) {
            const QJsonObject m = e.value("message"_L1).toObject();
            const QString kind = m.value("kind"_L1).toString();
            const QString channel = m.value("channel"_L1).toString();
            if (kind == "message"_L1)
                got.append(u"message "_s + channel + u' ' + m.value("text"_L1).toString());
            else
                got.append(kind + u' ' + channel + u' ' + m.value("user"_L1).toString());
        } else if (ev == "member"_L1) {
            got.append(u"member "_s + e.value("channel"_L1).toString() + u' ' + e.value("user"_L1).toString()
                       + (e.value("joined"_L1).toBool() ? u" +"_s : u" -"_s));
        } else if (ev == "channel"_L1) {
            got.append(u"channel "_s + e.value("channel"_L1).toObject().value("name"_L1).toString());
        } else if (ev == "presence"_L1) {
            got.append(u"presence "_s + e.value("user"_L1).toString() + (e.value("online"_L1).toBool() ? u" +"_s : u" -"_s));
        } else {
            got.append(ev);
        }
    }

    QStringList got;
    int fellBehindCount = 0;
    int loggedOutCount = 0;

private:
    QString m_id;
    QString m_user;
    QByteArray m_tokenHash = m_user.toUtf8() + "-token"; // as signUp() below stores it
    protocol::StreamId m_floor;
};

} // namespace

// The hub on its own, with a real Redis and store, and recipients that record.
class TestHub : public QObject
{
    Q_OBJECT

    test::RedisFixture m_redis;
    std::unique_ptr<redis::RedisClient> m_client;
    std::unique_ptr<store::Store> m_store;
    std::unique_ptr<Hub> m_hub;

    store::LoginSnapshot signUp(const QString &user)
    {
        const auto snap = QCoro::waitFor(m_store->registerUser(user, user, "not-a-real-hash", user.toUtf8() + "-token"));
        if (!snap)
            qFatal("register failed");
        return snap.value();
    }
    void send(const QString &user, const QString &channel, const QString &text)
    {
        QVERIFY(QCoro::waitFor(m_store->send(user, user, channel, text, {})).ok());
    }

private Q_SLOTS:
    // rill:bus:live carries each entry as netstrings (common.lua); the hub rebuilds the shape
    // the stream returns. Anything else is no entry, and the hub reads the stream instead.
    void entryFromPush_data()
    {
        QTest::addColumn<QByteArray>("payload");
        QTest::addColumn<QString>("entry"); // describe() of the rebuilt entry; empty: none
        QTest::newRow("entry") << QByteArray("5:1-2-31:q1:71:e3:msg")
                               << QStringLiteral("[\"1-2-3\", [\"q\", \"7\", \"e\", \"msg\"]]");
        QTest::newRow("bytes with colons") << QByteArray("3:1-01:t3:a:b") << QStringLiteral("[\"1-0\", [\"t\", \"a:b\"]]");
        QTest::newRow("empty") << QByteArray() << QString();
        QTest::newRow("an ID alone") << QByteArray("3:1-0") << QString();
        QTest::newRow("a field without its value") << QByteArray("3:1-01:q1:71:e") << QString();
        QTest::newRow("length past the end") << QByteArray("3:1-01:q9:7") << QString();
        QTest::newRow("no length") << QByteArray(":1-0") << QString();
        QTest::newRow("negative length") << QByteArray("-1:1-0") << QString();
    }
    void entryFromPush()
    {
        QFETCH(QByteArray, payload);
        QFETCH(QString, entry);
        const auto rebuilt = rill::server::BusEvent::entryFromPush(payload);
        QCOMPARE(rebuilt ? rebuilt->describe() : QString(), entry);
    }

    void initTestCase() { QVERIFY2(m_redis.start(), qPrintable(m_redis.errorString())); }

    void init()
    {
        m_redis.run({"FLUSHALL"});
        m_client = std::make_unique<redis::RedisClient>(m_redis.clientOptions());
        m_client->open();
        QTRY_VERIFY(m_client->isReady());
        m_store = std::make_unique<store::Store>(*m_client);
        QVERIFY(QCoro::waitFor(m_store->ensureDefaults()).ok());
        Hub::Options options;
        options.instanceId = u"hub-test#1"_s;
        options.busLink = m_redis.clientOptions();
        options.subscriberLink = m_redis.clientOptions();
        m_hub = std::make_unique<Hub>(*m_store, *m_client, options);
        QVERIFY(QCoro::waitFor(m_hub->start()));
    }

    void cleanup()
    {
        if (m_hub)
            QCoro::waitFor(m_hub->stop());
        m_hub.reset();
        m_store.reset();
        m_client.reset();
    }

    // Entries trimmed from the bus before this instance read them (it fell too far behind):
    // every local session is told, so that its client resumes from history. Numbers skipped
    // in the bus's counter stand for the trimmed entries.
    void gapInTheBusIsNoticed()
    {
        RecordingRecipient alice(u"hub-test#1/1"_s, u"alice"_s);
        RecordingRecipient bob(u"hub-test#1/2"_s, u"bob"_s);
        m_hub->attach(&alice, signUp(u"alice"_s));
        m_hub->attach(&bob, signUp(u"bob"_s));
        send(u"alice"_s, u"general"_s, u"before"_s);
        QTRY_VERIFY(bob.got.contains(u"message general before"_s));
        QCOMPARE(bob.fellBehindCount, 0);

        m_redis.run({"INCRBY", "rill:busseq", "3"});
        send(u"alice"_s, u"general"_s, u"after"_s);
        QTRY_COMPARE(bob.fellBehindCount, 1);
        QCOMPARE(alice.fellBehindCount, 1);

        send(u"alice"_s, u"general"_s, u"later"_s); // numbered on from the gap: nothing more to tell
        QTRY_VERIFY(bob.got.contains(u"message general later"_s));
        QCOMPARE(bob.fellBehindCount, 1);
        m_hub->detach(&alice);
        m_hub->detach(&bob);
    }

    void staleSnapshotIsReplayedExactly()
    {
        RecordingRecipient alice(u"hub-test#1/1"_s, u"alice"_s);
        m_hub->attach(&alice, signUp(u"alice"_s));
        const store::LoginSnapshot bobSnapshot = signUp(u"bob"_s); // bob's view, taken now...

        // ... while the world moves on before bob's session reaches the hub.
        send(u"alice"_s, u"general"_s, u"one"_s);
        QVERIFY(QCoro::waitFor(m_store->join(u"bob"_s, u"bob"_s, u"dev"_s, u"elsewhere/7"_s)).ok());
        QVERIFY(QCoro::waitFor(m_store->join(u"alice"_s, u"alice"_s, u"dev"_s, u"hub-test#1/1"_s)).ok());
        send(u"alice"_s, u"dev"_s, u"two"_s);
        QVERIFY(QCoro::waitFor(m_store->part(u"bob"_s, u"bob"_s, u"general"_s)).ok());
        send(u"alice"_s, u"general"_s, u"three"_s);
        QTRY_VERIFY(alice.got.contains(u"message general three"_s)); // the hub is past all of it

        RecordingRecipient bob(u"hub-test#1/2"_s, u"bob"_s);
        m_hub->attach(&bob, bobSnapshot);
        const QStringList expected{
            u"message general one"_s,
            u"join dev bob"_s, u"member dev bob +"_s, // bob's join from another device ...
            u"channel dev"_s,                         // ... announced to this session
            u"join dev alice"_s, u"member dev alice +"_s,
            u"message dev two"_s,
            u"part general bob"_s, u"member general bob -"_s,
            // "three" was in general after bob left: not his
        };
        QCOMPARE(bob.got, expected);

        // And from now on live, in the channels the replay ended in.
        bob.got.clear();
        send(u"alice"_s, u"general"_s, u"four"_s);
        send(u"alice"_s, u"dev"_s, u"five"_s);
        QTRY_COMPARE(bob.got, QStringList{u"message dev five"_s});
        QTRY_VERIFY(alice.got.contains(u"message dev five"_s));
        QCOMPARE(bob.got, QStringList{u"message dev five"_s});
    }

    // A logout revokes the token on every instance: every other session on it ends, the one
    // that logged out does not, sessions on another token do not (unless all of them went).
    void logoutEndsTheSessionsOnTheToken()
    {
        RecordingRecipient a1(u"hub-test#1/1"_s, u"alice"_s), a2(u"hub-test#1/2"_s, u"alice"_s);
        const auto snapshot = signUp(u"alice"_s);
        m_hub->attach(&a1, snapshot);
        m_hub->attach(&a2, snapshot);
        QVERIFY(QCoro::waitFor(m_store->logout(u"alice"_s, "alice-token", false, a1.id())).ok());
        QTRY_COMPARE(a2.loggedOutCount, 1);
        QCOMPARE(a1.loggedOutCount, 0);
        m_hub->detach(&a1);
        m_hub->detach(&a2);

        // The token went between a session's snapshot and its arrival at the hub: the replay
        // ends it.
        const auto bobSnapshot = signUp(u"bob"_s);
        QVERIFY(QCoro::waitFor(m_store->logout(u"bob"_s, "bob-token", true, u"elsewhere/9"_s)).ok());
        RecordingRecipient watcher(u"hub-test#1/3"_s, u"carol"_s);
        m_hub->attach(&watcher, signUp(u"carol"_s));
        send(u"carol"_s, u"general"_s, u"after the logout"_s);
        QTRY_VERIFY(watcher.got.contains(u"message general after the logout"_s)); // the hub is past it
        RecordingRecipient bob(u"hub-test#1/4"_s, u"bob"_s);
        m_hub->attach(&bob, bobSnapshot);
        QCOMPARE(bob.loggedOutCount, 1);
        QCOMPARE(watcher.loggedOutCount, 0);
        m_hub->detach(&bob);
        m_hub->detach(&watcher);
    }

    // Presence events name only the user; the hub finds who here shares a channel with them.
    void presenceReachesOnlyThoseSharingAChannel()
    {
        RecordingRecipient alice(u"hub-test#1/1"_s, u"alice"_s), carol(u"hub-test#1/3"_s, u"carol"_s);
        m_hub->attach(&alice, signUp(u"alice"_s));
        m_hub->attach(&carol, signUp(u"carol"_s));
        QVERIFY(QCoro::waitFor(m_store->part(u"carol"_s, u"carol"_s, u"general"_s)).ok());
        QVERIFY(QCoro::waitFor(m_store->join(u"carol"_s, u"carol"_s, u"quiet"_s, u"hub-test#1/3"_s)).ok());
        signUp(u"bob"_s); // in general with alice, not with carol
        QVERIFY(QCoro::waitFor(m_store->presenceUp(u"elsewhere#2"_s, u"bob"_s)).ok());
        send(u"alice"_s, u"general"_s, u"after bob"_s);
        send(u"carol"_s, u"quiet"_s, u"after bob"_s); // the bus is in order: bob's presence came first
        QTRY_VERIFY(alice.got.contains(u"message general after bob"_s));
        QTRY_VERIFY(carol.got.contains(u"message quiet after bob"_s));
        QVERIFY2(alice.got.contains(u"presence bob +"_s), qPrintable(alice.got.join(u", "_s)));
        QVERIFY2(!carol.got.contains(u"presence bob +"_s), qPrintable(carol.got.join(u", "_s)));
        m_hub->detach(&alice);
        m_hub->detach(&carol);
    }

    void detachedRecipientGetsNothing()
    {
        RecordingRecipient alice(u"hub-test#1/1"_s, u"alice"_s), carol(u"hub-test#1/3"_s, u"carol"_s);
        m_hub->attach(&alice, signUp(u"alice"_s));
        m_hub->attach(&carol, signUp(u"carol"_s));
        m_hub->detach(&carol);
        QCOMPARE(m_hub->localUserCount(), 1);
        send(u"alice"_s, u"general"_s, u"after"_s);
        QTRY_VERIFY(alice.got.contains(u"message general after"_s));
        QVERIFY(carol.got.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestHub)
#include "tst_hub.moc"
