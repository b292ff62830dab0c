// The search index in Redis (docs/storage.md, "Search"), seen from inside: messages stored
// before it existed are indexed at start (schema 3 to 4) a channel at a time, resuming from
// the progress a stopped instance left; and a deleted message's words leave no trace.

#include "ServerFixture.h"
#include "TestClient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace rill::test;
using namespace Qt::StringLiterals;

class TestSearchIndex : public QObject
{
    Q_OBJECT

    static QJsonObject call(TestClient &c, const QString &op, const QJsonObject &params)
    {
        const QJsonObject r = c.call(op, params);
        if (!r.value("ok"_L1).toBool())
            qWarning("%s failed: %s", qPrintable(op), QJsonDocument(r).toJson(QJsonDocument::Compact).constData());
        return r;
    }

    static QStringList found(TestClient &c, const QString &query)
    {
        QStringList out;
        const QJsonObject r = call(c, u"search"_s, {{"query"_L1, query}, {"limit"_L1, 50}});
        for (const auto &m : r.value("messages"_L1).toArray())
            out << m.toObject().value("id"_L1).toString();
        return out;
    }

    // `count` messages "item <i> <tag>" sent to general, pipelined; their IDs in order.
    static QStringList fill(TestClient &c, int count, const QString &tag)
    {
        QList<qint64> posted;
        for (int i = 0; i < count; ++i)
            posted << c.post(u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, u"item %1 %2"_s.arg(i).arg(tag)}});
        QStringList ids;
        for (qint64 id : posted)
            ids << c.replyTo(id).value("message"_L1).toObject().value("id"_L1).toString();
        return ids;
    }

    // Makes the store what a schema-3 server left: the same messages, no search index.
    static void dropIndex(RedisFixture &redis)
    {
        QList<QByteArray> keys{"rill:{c:general}:vocab", "rill:{c:general}:ids", "rill:{c:general}:words"};
        QByteArray cursor = "0";
        do {
            const auto page = redis.run({"SCAN", cursor, "MATCH", "rill:{c:general}:w*:*", "COUNT", "1000"});
            cursor = page.at(0).bytes();
            for (const auto &key : page.at(1).elements())
                keys << key.bytes();
        } while (cursor != "0");
        QList<QByteArray> del{"DEL"};
        del += keys;
        QVERIFY(redis.run(del).integer() > 3);
        QVERIFY(redis.run({"HSET", "rill:meta", "schema", "3"}).isOk());
    }

private Q_SLOTS:
    // More than one step (200 entries) of a log, with an edited and a deleted message among them.
    void existingMessagesAreIndexedAtStart()
    {
        ServerFixture server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        TestClient alice;
        QVERIFY(alice.open(server.url()) && alice.signUp(u"alice"_s));
        const QStringList ids = fill(alice, 450, u"old"_s);
        QVERIFY(call(alice, u"edit"_s, {{"channel"_L1, u"general"_s}, {"messageId"_L1, ids.at(10)}, {"text"_L1, u"item renamed"_s}})
                    .value("ok"_L1).toBool());
        QVERIFY(call(alice, u"delete"_s, {{"channel"_L1, u"general"_s}, {"messageId"_L1, ids.at(20)}}).value("ok"_L1).toBool());
        QCOMPARE(found(alice, u"item 399"_s), QStringList{ids.at(399)}); // positive control
        alice.close();
        dropIndex(server.redis());

        QVERIFY2(server.restart(), qPrintable(server.errorString()));
        QCOMPARE(server.redis().run({"HGET", "rill:meta", "schema"}).bytes(), QByteArray("4"));
        QCOMPARE(server.redis().run({"EXISTS", "rill:migration:4", "rill:{c:general}:indexed", "rill:migrating"}).integer(), 0);
        TestClient again;
        QVERIFY(again.open(server.url()) && again.signUp(u"alice"_s));
        QCOMPARE(found(again, u"item 0 old"_s), QStringList{ids.at(0)});
        QCOMPARE(found(again, u"item 399"_s), QStringList{ids.at(399)});
        QCOMPARE(found(again, u"ite 449"_s), QStringList{ids.at(449)});
        QCOMPARE(found(again, u"renamed"_s), QStringList{ids.at(10)});
        // "10" also starts 100-109: the edited and the deleted message are not among them.
        QCOMPARE(found(again, u"item 10 old"_s).size(), 10);
        QVERIFY(!found(again, u"item 10 old"_s).contains(ids.at(10)));
        QCOMPARE(found(again, u"item 20 old"_s).size(), 10);
        QVERIFY(!found(again, u"item 20 old"_s).contains(ids.at(20)));
        QCOMPARE(found(again, u"old"_s).size(), 50); // a full page: the limit
        // New messages go on after the indexed ones, in order.
        const QStringList fresh = fill(again, 2, u"new"_s);
        QCOMPARE(found(again, u"item 1"_s).first(), fresh.at(1));
    }

    // An instance that stopped half-way left `indexed` (the last log entry it indexed): the next
    // one continues after it instead of starting over.
    void indexingResumesFromItsProgress()
    {
        ServerFixture server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        TestClient alice;
        QVERIFY(alice.open(server.url()) && alice.signUp(u"alice"_s));
        const QStringList ids = fill(alice, 300, u"resumed"_s);
        alice.close();
        dropIndex(server.redis());
        QVERIFY(server.redis().run({"SET", "rill:{c:general}:indexed", ids.at(99).toUtf8()}).isOk());

        QVERIFY2(server.restart(), qPrintable(server.errorString()));
        QCOMPARE(server.redis().run({"HGET", "rill:meta", "schema"}).bytes(), QByteArray("4"));
        TestClient again;
        QVERIFY(again.open(server.url()) && again.signUp(u"alice"_s));
        // Indexed by the run that "stopped" (here: nobody, so not found): skipped, not redone.
        QCOMPARE(found(again, u"item 99 resumed"_s), QStringList{});
        QCOMPARE(found(again, u"item 100 resumed"_s), QStringList{ids.at(100)});
        QCOMPARE(found(again, u"item 299 resumed"_s), QStringList{ids.at(299)});
    }

    // Deleted means gone, its words too: no posting, no vocabulary entry, no `words` field is
    // left for a word no other message has; words other messages share stay for them.
    void deletedWordsLeaveNoTrace()
    {
        ServerFixture server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        TestClient alice;
        QVERIFY(alice.open(server.url()) && alice.signUp(u"alice"_s));
        const QJsonObject kept = call(alice, u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, u"shared word"_s}});
        const QJsonObject sent = call(alice, u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, u"shared hunter2x"_s}});
        const QString id = sent.value("message"_L1).toObject().value("id"_L1).toString();
        auto &redis = server.redis();
        QCOMPARE(redis.run({"EXISTS", "rill:{c:general}:w:hunter2x"}).integer(), 1); // positive control
        QVERIFY(redis.run({"ZSCORE", "rill:{c:general}:vocab", "hunter2x"}).isString());
        QVERIFY(call(alice, u"delete"_s, {{"channel"_L1, u"general"_s}, {"messageId"_L1, id}}).value("ok"_L1).toBool());
        QCOMPARE(redis.run({"EXISTS", "rill:{c:general}:w:hunter2x", "rill:{c:general}:wx:hunter2x"}).integer(), 0);
        QVERIFY(redis.run({"ZSCORE", "rill:{c:general}:vocab", "hunter2x"}).isNil());
        const auto allWords = redis.run({"HVALS", "rill:{c:general}:words"});
        for (const auto &words : allWords.elements())
            QVERIFY2(!words.bytes().contains("hunter2x"), words.bytes().constData());
        QCOMPARE(redis.run({"HLEN", "rill:{c:general}:words"}).integer(), 1);
        QCOMPARE(redis.run({"EXISTS", "rill:{c:general}:w:shared"}).integer(), 1);
        QCOMPARE(found(alice, u"shared"_s), QStringList{kept.value("message"_L1).toObject().value("id"_L1).toString()});
        // The same for a word an edit drops from an older message (its posting came late).
        const QJsonObject older = call(alice, u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, u"first"_s}});
        call(alice, u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, u"second"_s}});
        const QString olderId = older.value("message"_L1).toObject().value("id"_L1).toString();
        call(alice, u"edit"_s, {{"channel"_L1, u"general"_s}, {"messageId"_L1, olderId}, {"text"_L1, u"first second"_s}});
        QCOMPARE(found(alice, u"second first"_s), QStringList{olderId});
        QCOMPARE(redis.run({"EXISTS", "rill:{c:general}:wx:second"}).integer(), 1);
        call(alice, u"edit"_s, {{"channel"_L1, u"general"_s}, {"messageId"_L1, olderId}, {"text"_L1, u"first"_s}});
        QCOMPARE(redis.run({"EXISTS", "rill:{c:general}:wx:second"}).integer(), 0);
        QCOMPARE(found(alice, u"second"_s).size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestSearchIndex)
#include "tst_searchindex.moc"
