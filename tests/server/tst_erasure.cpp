// Deleted means gone (docs/protocol.md, "Edits and deletions"): once `delete` has answered (and
// once an edit has replaced a text) no key in Redis but the bus holds the old text, also in a
// store migrated from schema 2, whose logs held every text inside their immutable entries.

#include "ServerFixture.h"
#include "TestClient.h"

#include "store/PasswordHasher.h"
#include "store/Store.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>
#include <QtEndian>

using namespace rill::test;
using namespace Qt::StringLiterals;

class TestErasure : public QObject
{
    Q_OBJECT

    // The keys whose serialized value (DUMP, uncompressed: see init) contains `needle`.
    static QList<QByteArray> keysHolding(RedisFixture &redis, const QByteArray &needle)
    {
        QList<QByteArray> out;
        QByteArray cursor = "0";
        do {
            const auto page = redis.run({"SCAN", cursor, "COUNT", "1000"});
            cursor = page.at(0).bytes();
            for (const auto &key : page.at(1).elements()) {
                if (redis.run({"DUMP", key.bytes()}).bytes().contains(needle))
                    out.append(key.bytes());
            }
        } while (cursor != "0");
        return out;
    }

    static void uncompressedDumps(RedisFixture &redis)
    {
        // DUMP compresses long strings with LZF, which could hide a text from contains().
        QVERIFY(redis.run({"CONFIG", "SET", "rdbcompression", "no"}).isOk());
    }

    static QJsonObject call(TestClient &c, const QString &op, const QJsonObject &params)
    {
        const QJsonObject r = c.call(op, params);
        if (!r.value("ok"_L1).toBool())
            qWarning("%s failed: %s", qPrintable(op), QJsonDocument(r).toJson(QJsonDocument::Compact).constData());
        return r;
    }

private Q_SLOTS:
    void deleteAndEditEraseTheText()
    {
        ServerFixture server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        uncompressedDumps(server.redis());
        TestClient alice;
        QVERIFY(alice.open(server.url()));
        QVERIFY(alice.signUp(u"alice"_s));
        const QJsonObject sent = call(alice, u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, u"first-secret-7c1"_s}});
        const QString id = sent.value("message"_L1).toObject().value("id"_L1).toString();
        QVERIFY(!id.isEmpty());
        // Positive control: the text is found where it is kept.
        QVERIFY(keysHolding(server.redis(), "first-secret-7c1").contains("rill:{c:general}:text"));

        QVERIFY(call(alice, u"edit"_s, {{"channel"_L1, u"general"_s}, {"messageId"_L1, id}, {"text"_L1, u"second-secret-9d2"_s}})
                    .value("ok"_L1).toBool());
        QCOMPARE(keysHolding(server.redis(), "first-secret-7c1"), QList<QByteArray>{"rill:bus"});
        QVERIFY(call(alice, u"delete"_s, {{"channel"_L1, u"general"_s}, {"messageId"_L1, id}}).value("ok"_L1).toBool());
        QCOMPARE(keysHolding(server.redis(), "second-secret-9d2"), QList<QByteArray>{"rill:bus"});
        // Redis counts what was erased, for the scheduled rewrite of its append-only file.
        QCOMPARE(server.redis().run({"HGET", "rill:meta", "erased"}).bytes(), QByteArray("2"));
    }

    // A store written by a server of schema 2 (texts inside the log entries) is rewritten at
    // start, more than one migration step (1000 entries) per log: everything reads as before,
    // and a delete then really erases.
    void schemaTwoStoreIsMigrated()
    {
        RedisFixture redis;
        QVERIFY(redis.start());
        uncompressedDumps(redis);
        auto run = [&redis](const QList<QByteArray> &args) {
            const auto r = redis.run(args);
            if (!r.isOk())
                qWarning("%s", qPrintable(r.describe()));
            return r;
        };
        const QByteArray pw = rill::store::PasswordHasher::hashNow("correct horse");
        const QByteArray token = "schema-two-token";
        run({"HSET", "rill:meta", "schema", "2"});
        run({"ZADD", "rill:channels", "0", "general", "0", "quiet"});
        run({"HSET", "rill:{u:alice}", "name", "alice", "pw", pw, "created", "1"});
        run({"SADD", "rill:{u:alice}:channels", "general", "quiet"});
        run({"ZADD", "rill:{c:general}:members", "0", "alice"});
        run({"ZADD", "rill:{c:quiet}:members", "0", "alice"});
        run({"SET", "rill:token:" + rill::store::Store::hashToken(QString::fromLatin1(token)), "alice", "EX", "3600"});
        const QString joinId = run({"XADD", "rill:{c:general}:log", "*", "k", "j", "u", "alice", "s", "0"}).text();
        constexpr int kMessages = 2500;
        QStringList ids;
        QByteArray own;
        for (int seq = 1; seq <= kMessages; ++seq) {
            QList<QByteArray> add{"XADD", "rill:{c:general}:log", "*", "k", "m", "u", "alice", "t",
                                  "old-text-" + QByteArray::number(seq - 1)};
            if (seq == 8)
                add << "n" << "\"resend-me\"";
            add << "s" << QByteArray::number(seq);
            ids << run(add).text();
            char be[4];
            qToBigEndian<quint32>(quint32(seq), be);
            own.append(be, 4);
        }
        run({"SET", "rill:{c:general}:nonce:alice:\"resend-me\"", ids.at(7).toUtf8(), "EX", "3600"});
        run({"SET", "rill:{c:general}:seq", QByteArray::number(kMessages)});
        run({"SET", "rill:{c:general}:last", ids.last().toUtf8() + ' ' + QByteArray::number(kMessages)});
        run({"SET", "rill:{c:general}:own:alice", own});
        const QString quietJoin = run({"XADD", "rill:{c:quiet}:log", "*", "k", "j", "u", "alice", "s", "0"}).text();
        run({"SET", "rill:{c:quiet}:last", quietJoin.toUtf8() + " 0"});
        QVERIFY(!keysHolding(redis, "old-text-1234").isEmpty());

        ServerFixture server(&redis);
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        QCOMPARE(redis.run({"HGET", "rill:meta", "schema"}).bytes(), QByteArray("4"));
        QCOMPARE(redis.run({"EXISTS", "rill:{c:general}:log:migrating", "rill:migration:3", "rill:migration:4",
                            "rill:migrating"}).integer(), 0);
        QCOMPARE(redis.run({"XLEN", "rill:{c:general}:log"}).integer(), kMessages + 1);
        QCOMPARE(redis.run({"HLEN", "rill:{c:general}:text"}).integer(), kMessages);
        // Texts left the log: the entries no longer carry them, and their bytes are freed.
        QCOMPARE(keysHolding(redis, "old-text-1234"), QList<QByteArray>{"rill:{c:general}:text"});

        TestClient alice;
        QVERIFY(alice.open(server.url()));
        const QJsonObject login = call(alice, u"login"_s, {{"token"_L1, QString::fromLatin1(token)}});
        QVERIFY(login.value("ok"_L1).toBool());
        // Every entry reads as it did: the oldest page after the join, the newest page, in order.
        const QJsonArray oldest = call(alice, u"history"_s, {{"channel"_L1, u"general"_s}, {"after"_L1, joinId}, {"limit"_L1, 3}})
                                      .value("messages"_L1).toArray();
        QCOMPARE(oldest.size(), 3);
        for (int i = 0; i < 3; ++i) {
            const QJsonObject m = oldest.at(i).toObject();
            QCOMPARE(m.value("id"_L1).toString(), ids.at(i));
            QCOMPARE(m.value("text"_L1).toString(), u"old-text-%1"_s.arg(i));
            QCOMPARE(m.value("user"_L1).toString(), u"alice"_s);
        }
        const QJsonObject newest = call(alice, u"history"_s, {{"channel"_L1, u"general"_s}, {"limit"_L1, 100}});
        QCOMPARE(newest.value("more"_L1), QJsonValue(true));
        QCOMPARE(newest.value("messages"_L1).toArray().last().toObject().value("text"_L1).toString(), u"old-text-2499"_s);
        // A nonce stored before the migration still finds its message, text and all.
        const QJsonObject resent = call(alice, u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, u"whatever"_s}, {"nonce"_L1, u"resend-me"_s}});
        QCOMPARE(resent.value("message"_L1).toObject().value("id"_L1).toString(), ids.at(7));
        QCOMPARE(resent.value("message"_L1).toObject().value("text"_L1).toString(), u"old-text-7"_s);
        // Messages from before the migration are found by search (schema 4 indexed them).
        const QString target = ids.at(1234);
        const auto searched = [&alice](const QString &query) {
            return call(alice, u"search"_s, {{"query"_L1, query}}).value("messages"_L1).toArray();
        };
        QCOMPARE(searched(u"old text 1234"_s).size(), 1);
        QCOMPARE(searched(u"old text 1234"_s).first().toObject().value("id"_L1).toString(), target);
        // A message written before the migration can be edited and deleted, and is then gone.
        QVERIFY(call(alice, u"delete"_s, {{"channel"_L1, u"general"_s}, {"messageId"_L1, target}}).value("ok"_L1).toBool());
        QVERIFY(keysHolding(redis, "old-text-1234").isEmpty());
        QVERIFY(searched(u"old text 1234"_s).isEmpty());
        QCOMPARE(redis.run({"EXISTS", "rill:{c:general}:w:1234"}).integer(), 0);
        QVERIFY(call(alice, u"edit"_s, {{"channel"_L1, u"general"_s}, {"messageId"_L1, ids.at(1)}, {"text"_L1, u"new text"_s}})
                    .value("ok"_L1).toBool());
        const QJsonArray around = call(alice, u"history"_s, {{"channel"_L1, u"general"_s}, {"after"_L1, ids.at(1233)}, {"limit"_L1, 1}})
                                      .value("messages"_L1).toArray();
        QCOMPARE(around.first().toObject().value("deleted"_L1), QJsonValue(true));
        // New messages go on after the migrated ones.
        const QJsonObject fresh = call(alice, u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, u"after the move"_s}});
        QVERIFY(fresh.value("ok"_L1).toBool());
        const QJsonArray tail = call(alice, u"history"_s, {{"channel"_L1, u"general"_s}, {"limit"_L1, 2}}).value("messages"_L1).toArray();
        QCOMPARE(tail.at(0).toObject().value("id"_L1).toString(), ids.last());
        QCOMPARE(tail.at(1).toObject().value("text"_L1).toString(), u"after the move"_s);
    }
};

QTEST_GUILESS_MAIN(TestErasure)
#include "tst_erasure.moc"
