// No request of one user may make Redis run long (issue 10, "Bounded work in Redis"): Redis is
// shared by every instance. These tests count the commands a script runs (Redis's own
// commandstats, which include the commands scripts call) instead of timing anything, and check
// the caps and pages that keep the rest bounded, over real sockets.

#include "Conformance.h"

#include "redis/RedisReply.h"
#include "store/Store.h"

#include <QRegularExpression>

using namespace rill::test;
using namespace rill::test::conf;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

// Calls of each command since the last CONFIG RESETSTAT, from INFO commandstats.
QHash<QString, qint64> commandCalls(RedisFixture &redis)
{
    QHash<QString, qint64> calls;
    const QString info = QString::fromUtf8(redis.run({"INFO", "commandstats"}).bytes());
    static const QRegularExpression line(u"^cmdstat_([a-z|]+):calls=(\\d+)"_s, QRegularExpression::MultilineOption);
    for (auto it = line.globalMatch(info); it.hasNext();) {
        const auto m = it.next();
        calls.insert(m.captured(1), m.captured(2).toLongLong());
    }
    return calls;
}

QStringList names(const QJsonArray &items, QLatin1StringView key)
{
    QStringList out;
    for (const auto &item : items)
        out << item.toObject().value(key).toString();
    return out;
}

} // namespace

class TestBoundedWork : public QObject
{
    Q_OBJECT

    // Pipelined sends; the ID of each, in order.
    static QStringList sendMany(TestClient &who, const QString &channel, int count, const QString &tag)
    {
        QList<qint64> ids;
        for (int i = 0; i < count; ++i)
            ids << who.post(u"send"_s, {{"channel"_L1, channel}, {"text"_L1, QString(tag + QString::number(i))}});
        QStringList out;
        for (qint64 id : ids)
            out << who.replyTo(id).value("message"_L1).toObject().value("id"_L1).toString();
        return out;
    }

    static qint64 unreadOf(TestClient &probe, const QString &token, const QString &channel)
    {
        const QJsonObject login = probe.call(u"login"_s, {{"token"_L1, token}});
        return findChannel(login.value("channels"_L1).toArray(), channel).value("unread"_L1).toInteger(-1);
    }

private Q_SLOTS:
    // Moving a marker costs one stream lookup and a binary search of the reader's own
    // messages, however far it moves and however long the log: before, `read` walked the log
    // after the marker in batches of 500 (XRANGE after XRANGE), up to 20,000 entries a call.
    void readMovesTheMarkerWithoutScanning()
    {
        ServerFixture server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        TestClient alice, bob;
        QVERIFY(alice.open(server.url()) && bob.open(server.url()));
        QVERIFY(alice.signUp(u"alice"_s));
        QVERIFY(bob.signUp(u"bob"_s));
        QStringList bobs;
        for (int round = 0; round < 10; ++round) {
            bobs += sendMany(bob, u"general"_s, 200, u"b"_s);
            sendMany(alice, u"general"_s, 20, u"a"_s);
        }
        const QString mark = bobs.at(5 * 200 - 1); // bob's last before alice's fifth batch

        server.redis().run({"CONFIG", "RESETSTAT"});
        CONF_OK(alice.call(u"read"_s, {{"channel"_L1, u"general"_s}, {"upTo"_L1, bobs.first()}}));
        CONF_OK(alice.call(u"read"_s, {{"channel"_L1, u"general"_s}, {"upTo"_L1, mark}}));
        const auto calls = commandCalls(server.redis());
        const qint64 rangeReads = calls.value(u"xrange"_s) + calls.value(u"xrevrange"_s);
        QVERIFY2(rangeReads <= 2, qPrintable(u"%1 stream range reads for two moves of a marker"_s.arg(rangeReads)));
        // A binary search over alice's 200 messages: a handful of 4-byte reads per move.
        QVERIFY2(calls.value(u"getrange"_s) <= 2 * 10, qPrintable(u"%1 GETRANGEs"_s.arg(calls.value(u"getrange"_s))));

        // And exact: bob's messages after the mark; alice's own never count.
        TestClient probe;
        QVERIFY(probe.open(server.url()));
        QCOMPARE(unreadOf(probe, alice.token(), u"general"_s), qint64(bobs.size() - 5 * 200));
        // A marker creeping one message at a time stays exact too.
        for (int i = 0; i < 5; ++i)
            CONF_OK(alice.call(u"read"_s, {{"channel"_L1, u"general"_s}, {"upTo"_L1, bobs.at(5 * 200 + i)}}));
        QCOMPARE(unreadOf(probe, alice.token(), u"general"_s), qint64(bobs.size() - 5 * 200 - 5));
    }

    // A search scans at most StoreLimits::searchBudgetPerScript index entries per script (each
    // about 2.5 µs of Redis time), however deep the match and however large --search-budget:
    // a channel goes on from where its last script stopped in another script, between which
    // Redis serves everyone else. Here the only match lies behind 2.4 scripts' worth of
    // candidates that have one of the words but not both.
    void searchScansInBoundedScripts()
    {
        const int perScript = rill::store::StoreLimits{}.searchBudgetPerScript;
        ServerFixture server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        TestClient alice;
        QVERIFY(alice.open(server.url()));
        QVERIFY(alice.signUp(u"alice"_s));
        const QString match = sendMany(alice, u"general"_s, 1, u"alpha beta "_s).first();
        const int decoys = perScript * 12 / 5; // per word; the rarest word's are the candidates
        sendMany(alice, u"general"_s, decoys, u"alpha "_s);
        sendMany(alice, u"general"_s, decoys, u"beta "_s);

        server.redis().run({"CONFIG", "RESETSTAT"});
        const QJsonObject r = alice.call(u"search"_s, {{"query"_L1, u"alpha beta"_s}, {"channel"_L1, u"general"_s}});
        CONF_OK(r);
        QCOMPARE(ids(r.value("messages"_L1).toArray()), QStringList{match});
        QCOMPARE(r.value("more"_L1).toBool(), false);
        // The candidates (decoys + 1 of the rarest word's postings) took three scripts; a
        // presence heartbeat (also a script) may have run meanwhile.
        const qint64 scripts = commandCalls(server.redis()).value(u"evalsha"_s);
        QVERIFY2(scripts >= 3, qPrintable(u"%1 scripts"_s.arg(scripts)));
        QVERIFY2(scripts <= 4, qPrintable(u"%1 scripts"_s.arg(scripts)));
    }

    // One user is in at most --max-channels channels (DMs included): past it, `join` of a new
    // channel and `dm` that would add one are `forbidden`; re-joining one they are in is fine.
    void channelsPerUserAreCapped()
    {
        ServerFixture server;
        server.config().maxChannelsPerUser = 4;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        TestClient alice, bob;
        QVERIFY(alice.open(server.url()) && bob.open(server.url()));
        QVERIFY(alice.signUp(u"alice"_s)); // in general: 1
        QVERIFY(bob.signUp(u"bob"_s));
        CONF_OK(alice.call(u"join"_s, {{"channel"_L1, u"one"_s}}));
        CONF_OK(alice.call(u"join"_s, {{"channel"_L1, u"two"_s}}));
        CONF_OK(alice.call(u"dm"_s, {{"user"_L1, u"bob"_s}})); // 4
        const QJsonObject refused = alice.call(u"join"_s, {{"channel"_L1, u"three"_s}});
        CONF_ERROR(refused, "forbidden");
        QVERIFY2(refused.value("message"_L1).toString().contains(u"4"_s), qPrintable(dump(refused)));
        CONF_OK(alice.call(u"join"_s, {{"channel"_L1, u"one"_s}})); // already in: not a new one
        CONF_ERROR(alice.call(u"dm"_s, {{"user"_L1, u"alice"_s}}), "forbidden");
        // Nothing of the refused join was stored.
        const QJsonObject login = alice.call(u"login"_s, {{"token"_L1, alice.token()}});
        QCOMPARE(login.value("channels"_L1).toArray().size(), 4);
        QVERIFY(!names(bob.call(u"channels"_s).value("channels"_L1).toArray(), "name"_L1).contains(u"three"_s));
        // Leaving one makes room.
        CONF_OK(alice.call(u"part"_s, {{"channel"_L1, u"two"_s}}));
        CONF_OK(alice.call(u"join"_s, {{"channel"_L1, u"three"_s}}));
        // A DM they share already adds nobody; a peer at the cap cannot be pulled into a new one.
        CONF_OK(bob.call(u"dm"_s, {{"user"_L1, u"alice"_s}}));
        TestClient carol;
        QVERIFY(carol.open(server.url()));
        QVERIFY(carol.signUp(u"carol"_s));
        CONF_ERROR(carol.call(u"dm"_s, {{"user"_L1, u"alice"_s}}), "forbidden");
        // The server still serves everyone.
        CONF_OK(alice.call(u"send"_s, {{"channel"_L1, u"three"_s}, {"text"_L1, u"still here"_s}}));
    }

    // Creating channels is limited per user per hour (--channel-creates), across instances
    // (the count is in Redis): past it `rate_limited` with retryAfter; joining existing
    // channels is not limited.
    void channelCreationIsRateLimited()
    {
        RedisFixture redis;
        QVERIFY(redis.start());
        ServerFixture one(&redis), two(&redis);
        one.config().channelCreatesPerHour = 3;
        two.config().channelCreatesPerHour = 3;
        QVERIFY(one.start() && two.start());
        TestClient alice, aliceTwo, bob;
        QVERIFY(alice.open(one.url()) && aliceTwo.open(two.url()) && bob.open(one.url()));
        QVERIFY(alice.signUp(u"alice"_s));
        QVERIFY(bob.signUp(u"bob"_s));
        CONF_OK(aliceTwo.call(u"login"_s, {{"token"_L1, alice.token()}}));
        CONF_OK(bob.call(u"join"_s, {{"channel"_L1, u"bobs"_s}}));
        CONF_OK(alice.call(u"join"_s, {{"channel"_L1, u"new-1"_s}}));
        CONF_OK(aliceTwo.call(u"join"_s, {{"channel"_L1, u"new-2"_s}}));
        CONF_OK(alice.call(u"join"_s, {{"channel"_L1, u"new-3"_s}}));
        const QJsonObject refused = aliceTwo.call(u"join"_s, {{"channel"_L1, u"new-4"_s}});
        CONF_ERROR(refused, "rate_limited");
        const qint64 retryAfter = refused.value("retryAfter"_L1).toInteger(-1);
        QVERIFY2(retryAfter > 0 && retryAfter <= 3600, qPrintable(dump(refused)));
        CONF_OK(alice.call(u"join"_s, {{"channel"_L1, u"bobs"_s}})); // an existing one
        QVERIFY(!names(bob.call(u"channels"_s).value("channels"_L1).toArray(), "name"_L1).contains(u"new-4"_s));
        CONF_OK(bob.call(u"join"_s, {{"channel"_L1, u"new-4"_s}})); // bob's own allowance
    }

    // `channels` and `members` answer a page at a time: `limit` (1-500, default 500), `cursor`
    // (the `next` of the page before); `next` is there while more follow. Pages are in name
    // order and together hold every entry once.
    void listsArePaged_data()
    {
        QTest::addColumn<QString>("op");
        QTest::newRow("channels") << u"channels"_s;
        QTest::newRow("members") << u"members"_s;
    }
    void listsArePaged()
    {
        QFETCH(QString, op);
        ServerFixture server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        TestClient alice;
        QVERIFY(alice.open(server.url()));
        QVERIFY(alice.signUp(u"alice"_s));
        QStringList expected{u"alice"_s, u"general"_s};
        for (int i = 0; i < 11; ++i) {
            if (op == "channels"_L1) {
                const QString name = u"chan-%1"_s.arg(i, 2, 10, QLatin1Char('0'));
                CONF_OK(alice.call(u"join"_s, {{"channel"_L1, name}}));
                expected << name;
            } else {
                TestClient other;
                QVERIFY(other.open(server.url()));
                const QString name = u"User%1"_s.arg(i, 2, 10, QLatin1Char('0'));
                QVERIFY(other.signUp(name));
                expected << name;
            }
        }
        const QLatin1StringView listKey = op == "channels"_L1 ? "channels"_L1 : "members"_L1;
        const QLatin1StringView nameKey = op == "channels"_L1 ? "name"_L1 : "user"_L1;
        expected.removeAll(op == "channels"_L1 ? u"alice"_s : u"general"_s);
        std::sort(expected.begin(), expected.end()); // bytewise, as Redis orders them

        QJsonObject params;
        if (op == "members"_L1)
            params.insert("channel"_L1, u"general"_s);
        const QJsonObject all = alice.call(op, params);
        CONF_OK(all);
        QCOMPARE(names(all.value(listKey).toArray(), nameKey), expected);
        QVERIFY2(!all.contains("next"_L1), qPrintable(dump(all)));

        QStringList paged;
        QJsonObject page = params;
        page.insert("limit"_L1, 5);
        int pages = 0;
        for (;;) {
            const QJsonObject r = alice.call(op, page);
            CONF_OK(r);
            const QJsonArray items = r.value(listKey).toArray();
            QVERIFY2(items.size() <= 5, qPrintable(dump(r)));
            paged += names(items, nameKey);
            ++pages;
            if (!r.contains("next"_L1))
                break;
            QCOMPARE(r.value("next"_L1).toString(), paged.last());
            page.insert("cursor"_L1, r.value("next"_L1));
            QVERIFY(pages < 10);
        }
        QCOMPARE(paged, expected);
        QCOMPARE(pages, 3); // 5 + 5 + 2

        for (const QJsonValue &limit : {QJsonValue(0), QJsonValue(501), QJsonValue(u"5"_s), QJsonValue(2.5)}) {
            QJsonObject bad = params;
            bad.insert("limit"_L1, limit);
            CONF_ERROR(alice.call(op, bad), "bad_request");
        }
        QJsonObject bad = params;
        bad.insert("cursor"_L1, 7);
        CONF_ERROR(alice.call(op, bad), "bad_request");
        CONF_OK(alice.call(op, params)); // still serving
    }

    // A presence event on the bus names the user only: its size and the work to write it do
    // not grow with the user's channels. Instances work out who shares a channel themselves
    // (the presence suites check who hears it).
    void presenceEventsCarryNoChannelList()
    {
        ServerFixture server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        TestClient alice, bob;
        QVERIFY(alice.open(server.url()) && bob.open(server.url()));
        QVERIFY(alice.signUp(u"alice"_s));
        for (int i = 0; i < 20; ++i)
            CONF_OK(alice.call(u"join"_s, {{"channel"_L1, u"room-%1"_s.arg(i)}}));
        QVERIFY(bob.signUp(u"bob"_s));
        QVERIFY(alice.waitEvent(u"presence"_s, [](const QJsonObject &e) { return e.value("user"_L1) == u"bob"_s; }));
        bob.close();
        QVERIFY(alice.waitEvent(u"presence"_s, [](const QJsonObject &e) { return !e.value("online"_L1).toBool(); }));
        const auto entries = server.redis().run({"XREVRANGE", "rill:bus", "+", "-", "COUNT", "200"});
        int presenceEntries = 0;
        for (const auto &entry : entries.elements()) {
            const auto &fields = entry.at(1);
            bool isPresence = false;
            QByteArrayList keys;
            for (qsizetype i = 0; i + 1 < fields.size(); i += 2) {
                keys << fields.at(i).bytes();
                isPresence = isPresence || (fields.at(i).bytes() == "e" && fields.at(i + 1).bytes() == "pres");
            }
            if (!isPresence)
                continue;
            ++presenceEntries;
            QCOMPARE(keys, (QByteArrayList{"q", "e", "u", "k", "on"}));
        }
        QVERIFY(presenceEntries >= 3);
    }
};

QTEST_GUILESS_MAIN(TestBoundedWork)
#include "tst_boundedwork.moc"
