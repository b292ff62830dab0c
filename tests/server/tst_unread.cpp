#include "ServerFixture.h"
#include "TestClient.h"

#include "store/PasswordHasher.h"
#include "store/Store.h"

#include <QJsonDocument>

#include <QJsonArray>
#include <QTest>

using namespace rill::test;
using namespace Qt::StringLiterals;

// Unread counts are exact at any size: messages by others after the marker, whatever the
// reader wrote in between, computed without scanning the backlog at log-in.
class TestUnread : public QObject
{
    Q_OBJECT

    static qint64 unreadIn(const QJsonObject &login, const QString &channel)
    {
        for (const auto &c : login.value("channels"_L1).toArray()) {
            if (c.toObject().value("name"_L1).toString() == channel)
                return c.toObject().value("unread"_L1).toInteger();
        }
        return -1;
    }

    static QString sendMany(TestClient &who, int count, const QString &tag)
    {
        QList<qint64> ids;
        for (int i = 0; i < count; ++i)
            ids.append(who.post(u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, QString(tag + QString::number(i))}}));
        QString last;
        for (qint64 id : ids)
            last = who.replyTo(id).value("message"_L1).toObject().value("id"_L1).toString();
        return last;
    }

private Q_SLOTS:
    void exactBeyondAThousandWithOwnMessagesMixedIn()
    {
        ServerFixture server;
        QVERIFY(server.start());
        TestClient alice, bob;
        QVERIFY(alice.open(server.url()));
        QVERIFY(bob.open(server.url()));
        QVERIFY(alice.signUp(u"alice"_s));
        QVERIFY(bob.signUp(u"bob"_s));

        const QString mark = sendMany(alice, 3, u"a"_s);
        QVERIFY(alice.call(u"read"_s, {{"channel"_L1, u"general"_s}, {"upTo"_L1, mark}}).value("ok"_L1).toBool());
        for (int round = 0; round < 4; ++round) {
            sendMany(bob, 300, u"b"_s);
            sendMany(alice, 50, u"a"_s); // alice's own: never unread for her
        }
        const QString bobsLast = sendMany(bob, 5, u"b"_s);

        TestClient again;
        QVERIFY(again.open(server.url()));
        QJsonObject login = again.call(u"login"_s, {{"token"_L1, alice.token()}});
        QCOMPARE(unreadIn(login, u"general"_s), 1205);
        // bob never read: every message by others, alice's 203.
        login = again.call(u"login"_s, {{"token"_L1, bob.token()}});
        QCOMPARE(unreadIn(login, u"general"_s), 203);

        // alice reads up to one of bob's in the middle: what is left are bob's after it.
        const QJsonArray page = alice.call(u"history"_s, {{"channel"_L1, u"general"_s}, {"limit"_L1, 100}})
                                    .value("messages"_L1).toArray();
        // newest 100: bob's 5 last, alice's 50, bob's 45 before them; mark the oldest of the page
        const QString middle = page.first().toObject().value("id"_L1).toString();
        QVERIFY(alice.call(u"read"_s, {{"channel"_L1, u"general"_s}, {"upTo"_L1, middle}}).value("ok"_L1).toBool());
        login = again.call(u"login"_s, {{"token"_L1, alice.token()}});
        QCOMPARE(unreadIn(login, u"general"_s), 44 + 5);
        QVERIFY(alice.call(u"read"_s, {{"channel"_L1, u"general"_s}, {"upTo"_L1, bobsLast}}).value("ok"_L1).toBool());
        login = again.call(u"login"_s, {{"token"_L1, alice.token()}});
        QCOMPARE(unreadIn(login, u"general"_s), 0);
    }

    // A store written by a server of schema 1 (channels and members in sets, authors' counts in
    // a hash, no index of own messages) is migrated at start, and its counts stay exact.
    void schemaOneStoreIsMigrated()
    {
        RedisFixture redis;
        QVERIFY(redis.start());
        const QByteArray pw = rill::store::PasswordHasher::hashNow("correct horse");
        const QByteArray token = "migrated-token";
        auto run = [&redis](const QList<QByteArray> &args) {
            const auto r = redis.run(args);
            if (!r.isOk())
                qWarning("%s", qPrintable(r.describe()));
            return r;
        };
        run({"HSET", "rill:meta", "schema", "1"});
        run({"SADD", "rill:channels", "general", "quiet"});
        run({"HSET", "rill:{u:alice}", "name", "alice", "pw", pw, "created", "1"});
        run({"HSET", "rill:{u:bob}", "name", "Bob", "pw", pw, "created", "1"});
        run({"SADD", "rill:{u:alice}:channels", "general"});
        run({"SADD", "rill:{u:bob}:channels", "general", "quiet"});
        run({"SADD", "rill:{c:general}:members", "alice", "Bob"});
        run({"SADD", "rill:{c:quiet}:members", "Bob"});
        run({"XADD", "rill:{c:general}:log", "*", "k", "j", "u", "alice", "s", "0"});
        run({"XADD", "rill:{c:general}:log", "*", "k", "j", "u", "Bob", "s", "0"});
        run({"XADD", "rill:{c:quiet}:log", "*", "k", "j", "u", "Bob", "s", "0"});
        QStringList ids;
        int seq = 0, alices = 0, bobs = 0, alicesAtMark = 0;
        QString mark;
        for (int i = 0; i < 1500; ++i) { // more than one migration step (1000 entries)
            const bool byAlice = i % 5 == 0;
            ++seq;
            (byAlice ? alices : bobs) += 1;
            ids << run({"XADD", "rill:{c:general}:log", "*", "k", "m", "u", byAlice ? "alice" : "Bob", "t",
                        "m" + QByteArray::number(i), "s", QByteArray::number(seq)})
                       .text();
            if (i == 700) {
                mark = ids.last();
                alicesAtMark = alices;
            }
        }
        run({"SET", "rill:{c:general}:seq", QByteArray::number(seq)});
        run({"HSET", "rill:{c:general}:authored", "alice", QByteArray::number(alices), "bob", QByteArray::number(bobs)});
        run({"HSET", "rill:{u:alice}:read", "general", mark.toUtf8()});
        run({"HSET", "rill:{u:alice}:readown", "general", QByteArray::number(alicesAtMark)});
        run({"SET", "rill:token:" + rill::store::Store::hashToken(QString::fromLatin1(token)), "alice", "EX", "3600"});

        ServerFixture server(&redis);
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        QCOMPARE(redis.run({"HGET", "rill:meta", "schema"}).bytes(), QByteArray("4"));
        QCOMPARE(redis.run({"TYPE", "rill:channels"}).bytes(), QByteArray("zset"));
        QCOMPARE(redis.run({"TYPE", "rill:{c:general}:members"}).bytes(), QByteArray("zset"));
        QCOMPARE(redis.run({"EXISTS", "rill:{c:general}:authored"}).integer(), 0);
        QCOMPARE(redis.run({"GET", "rill:{c:general}:last"}).text(), ids.last() + u" 1500"_s);

        TestClient alice;
        QVERIFY(alice.open(server.url()));
        const QJsonObject login = alice.call(u"login"_s, {{"token"_L1, QString::fromLatin1(token)}});
        QVERIFY2(login.value("ok"_L1).toBool(), qPrintable(QString::fromUtf8(QJsonDocument(login).toJson())));
        // Texts moved out of the log (schema 3) still read as they were written.
        const QJsonArray newest = alice.call(u"history"_s, {{"channel"_L1, u"general"_s}, {"limit"_L1, 1}}).value("messages"_L1).toArray();
        QCOMPARE(newest.first().toObject().value("text"_L1).toString(), u"m1499"_s);
        const qint64 bobsAfterMark = bobs - (701 - alicesAtMark);
        QCOMPARE(unreadIn(login, u"general"_s), bobsAfterMark);
        // Moving the marker uses the index the migration built.
        QVERIFY(alice.call(u"read"_s, {{"channel"_L1, u"general"_s}, {"upTo"_L1, ids.at(1000)}}).value("ok"_L1).toBool());
        TestClient probe;
        QVERIFY(probe.open(server.url()));
        QCOMPARE(unreadIn(probe.call(u"login"_s, {{"token"_L1, QString::fromLatin1(token)}}), u"general"_s),
                 qint64(1499 - 1000 - (1499 / 5 - 1000 / 5)));
        // Lists and members read as before; the password still works; logout all knows the old token.
        QCOMPARE(alice.call(u"channels"_s).value("channels"_L1).toArray().size(), 2);
        QCOMPARE(alice.call(u"members"_s, {{"channel"_L1, u"general"_s}}).value("members"_L1).toArray().size(), 2);
        TestClient bob;
        QVERIFY(bob.open(server.url()));
        QVERIFY(bob.call(u"login"_s, {{"user"_L1, u"bob"_s}, {"password"_L1, u"correct horse"_s}}).value("ok"_L1).toBool());
        QVERIFY(bob.call(u"logout"_s, {{"all"_L1, true}}).value("ok"_L1).toBool());
        QVERIFY(alice.call(u"logout"_s, {{"all"_L1, true}}).value("ok"_L1).toBool());
        QVERIFY(!probe.call(u"login"_s, {{"token"_L1, QString::fromLatin1(token)}}).value("ok"_L1).toBool());
    }
};

QTEST_GUILESS_MAIN(TestUnread)
#include "tst_unread.moc"
