// Conformance (black box, from PROTOCOL.md): read markers. `read` moves the marker forward
// only; the `read` event goes to the user's other sessions; `lastRead`/`unread` in ChannelInfo
// (from login and join) count kind=message entries after the marker written by others.

#include "Conformance.h"

using namespace rill::test;
using namespace rill::test::conf;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
const QString kPassword = u"correct horse"_s;
constexpr auto kQuiet = 300ms;
const QString kChan = u"reading"_s;
}

class TestConformanceRead : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<ServerFixture> m_server;
    std::unique_ptr<TestClient> m_a1, m_a2, m_bob, m_carol;
    QStringList m_bobs; // IDs of bob's messages in kChan, oldest first

    // Alice's ChannelInfo for `channel` from a fresh login and from a repeated join (for a DM:
    // a repeated dm); both must agree.
    QJsonObject aliceInfo(const QString &channel)
    {
        auto c = connectTo(m_server->url());
        if (!c)
            return {};
        const QJsonObject login = c->call(u"login"_s, {{"token"_L1, m_a1->token()}});
        const QJsonObject fromLogin = findChannel(login.value("channels"_L1).toArray(), channel);
        const QJsonObject join = channel.startsWith("dm:"_L1) ? m_a1->call(u"dm"_s, {{"user"_L1, u"bob"_s}})
                                                              : m_a1->call(u"join"_s, {{"channel"_L1, channel}});
        const QJsonObject fromJoin = join.value("channel"_L1).toObject();
        if (fromLogin.value("unread"_L1) != fromJoin.value("unread"_L1) || fromLogin.value("lastRead"_L1) != fromJoin.value("lastRead"_L1)) {
            qWarning("login and join disagree: %s vs %s", qPrintable(dump(fromLogin)), qPrintable(dump(fromJoin)));
            return {};
        }
        return fromLogin;
    }
    QJsonObject read(TestClient &c, const QString &channel, const QJsonValue &upTo)
    {
        return c.call(u"read"_s, {{"channel"_L1, channel}, {"upTo"_L1, upTo}});
    }
    std::function<bool(const QJsonObject &)> readEvent(const QString &channel, const QString &upTo = {})
    {
        return [channel, upTo](const QJsonObject &e) {
            return e.value("channel"_L1).toString() == channel && (upTo.isEmpty() || e.value("upTo"_L1).toString() == upTo);
        };
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<ServerFixture>();
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        m_a1 = connectTo(m_server->url());
        m_bob = connectTo(m_server->url());
        m_carol = connectTo(m_server->url());
        QVERIFY(m_a1 && m_bob && m_carol);
        QVERIFY(m_a1->signUp(u"alice"_s, kPassword));
        QVERIFY(m_bob->signUp(u"bob"_s, kPassword));
        QVERIFY(m_carol->signUp(u"carol"_s, kPassword));
        m_a2 = sessionWithToken(m_server->url(), m_a1->token());
        QVERIFY(m_a2);
        // Alice is in first, so whatever her marker starts at, everything after is new to her.
        CONF_OK(m_a1->call(u"join"_s, {{"channel"_L1, kChan}}));
        CONF_OK(m_bob->call(u"join"_s, {{"channel"_L1, kChan}}));
        for (int i = 1; i <= 4; ++i) {
            const QJsonObject r = m_bob->call(u"send"_s, {{"channel"_L1, kChan}, {"text"_L1, u"m%1"_s.arg(i)}});
            CONF_OK(r);
            m_bobs << r.value("message"_L1).toObject().value("id"_L1).toString();
        }
    }

    void cleanupTestCase()
    {
        m_a1.reset();
        m_a2.reset();
        m_bob.reset();
        m_carol.reset();
        m_server.reset();
    }

    void init()
    {
        for (auto *c : {m_a1.get(), m_a2.get(), m_bob.get(), m_carol.get()})
            c->clearEvents();
    }

    void unreadBeforeAnyRead()
    {
        const QJsonObject info = aliceInfo(kChan);
        QVERIFY(!info.isEmpty());
        CONF_SHAPE(channelInfoProblems(info));
        QCOMPARE(info.value("unread"_L1).toInteger(), 4);
        QCOMPARE(info.value("lastId"_L1).toString(), m_bobs.last());
        const QJsonValue lastRead = info.value("lastRead"_L1);
        QVERIFY2(lastRead.isNull() || idLess(lastRead.toString(), m_bobs.first()), qPrintable(dump(info)));
    }

    void readReachesOtherSessions()
    {
        const QJsonObject r = read(*m_a1, kChan, m_bobs[1]);
        CONF_OK(r);
        const auto ev = m_a2->waitEvent(u"read"_s, readEvent(kChan));
        QVERIFY2(ev, "alice's other session got no read event");
        QCOMPARE(ev->value("upTo"_L1).toString(), m_bobs[1]);
        // Not another user.
        QVERIFY(!m_bob->receivesWithin(u"read"_s, kQuiet));
        QVERIFY(!m_carol->receivesWithin(u"read"_s, 0ms));

        const QJsonObject info = aliceInfo(kChan);
        QVERIFY(!info.isEmpty());
        QCOMPARE(info.value("lastRead"_L1).toString(), m_bobs[1]);
        QCOMPARE(info.value("unread"_L1).toInteger(), 2);
    }

    // The events table: `read` goes to "the other sessions of the same user" (see the report:
    // the op's description says "every session of that user").
    void originatingSessionGetsNoReadEvent()
    {
        CONF_OK(read(*m_a1, kChan, m_bobs[2]));
        QVERIFY(m_a2->waitEvent(u"read"_s, readEvent(kChan, m_bobs[2])));
        QVERIFY2(!m_a1->receivesWithin(u"read"_s, kQuiet), qPrintable(dump(m_a1->pending(u"read"_s))));
    }

    void markerNeverMovesBack()
    {
        CONF_OK(read(*m_a2, kChan, m_bobs[2]));
        QJsonObject info = aliceInfo(kChan);
        QCOMPARE(info.value("lastRead"_L1).toString(), m_bobs[2]);
        m_a1->clearEvents();
        // An older upTo is not an error, and changes nothing.
        CONF_OK(read(*m_a2, kChan, m_bobs[0]));
        info = aliceInfo(kChan);
        QVERIFY(!info.isEmpty());
        QCOMPARE(info.value("lastRead"_L1).toString(), m_bobs[2]);
        QCOMPARE(info.value("unread"_L1).toInteger(), 1);
        // No session is told to move back.
        QVERIFY(!m_a1->receivesWithin(u"read"_s, kQuiet, readEvent(kChan, m_bobs[0])));
    }

    void readToTheEndThenNewMessage()
    {
        CONF_OK(read(*m_a1, kChan, m_bobs[3]));
        QJsonObject info = aliceInfo(kChan);
        QCOMPARE(info.value("lastRead"_L1).toString(), m_bobs[3]);
        QCOMPARE(info.value("unread"_L1).toInteger(), 0);
        const QJsonObject r = m_bob->call(u"send"_s, {{"channel"_L1, kChan}, {"text"_L1, u"m5"_s}});
        CONF_OK(r);
        m_bobs << r.value("message"_L1).toObject().value("id"_L1).toString();
        info = aliceInfo(kChan);
        QCOMPARE(info.value("unread"_L1).toInteger(), 1);
        QCOMPARE(info.value("lastId"_L1).toString(), m_bobs.last());
    }

    // Join and part entries are not kind=message: they never count as unread.
    void joinPartNotCounted()
    {
        const qint64 before = aliceInfo(kChan).value("unread"_L1).toInteger();
        CONF_OK(m_carol->call(u"join"_s, {{"channel"_L1, kChan}}));
        CONF_OK(m_carol->call(u"part"_s, {{"channel"_L1, kChan}}));
        QCOMPARE(aliceInfo(kChan).value("unread"_L1).toInteger(), before);
    }

    // Messages written by the user themselves never count.
    void ownMessagesNotCounted()
    {
        const QString ch = u"solo"_s;
        CONF_OK(m_bob->call(u"join"_s, {{"channel"_L1, ch}}));
        CONF_OK(m_a1->call(u"join"_s, {{"channel"_L1, ch}}));
        QString last;
        for (int i = 0; i < 3; ++i) {
            const QJsonObject r = m_a1->call(u"send"_s, {{"channel"_L1, ch}, {"text"_L1, u"mine %1"_s.arg(i)}});
            CONF_OK(r);
            last = r.value("message"_L1).toObject().value("id"_L1).toString();
        }
        QCOMPARE(aliceInfo(ch).value("unread"_L1).toInteger(), 0);
        const QJsonObject bobJoin = m_bob->call(u"join"_s, {{"channel"_L1, ch}});
        CONF_OK(bobJoin);
        QCOMPARE(bobJoin.value("channel"_L1).toObject().value("unread"_L1).toInteger(), 3);
        CONF_OK(read(*m_bob, ch, last));
        const QJsonObject after = m_bob->call(u"join"_s, {{"channel"_L1, ch}});
        QCOMPARE(after.value("channel"_L1).toObject().value("unread"_L1).toInteger(), 0);
        QCOMPARE(after.value("channel"_L1).toObject().value("lastRead"_L1).toString(), last);
    }

    void readInDm()
    {
        const QJsonObject dm = m_bob->call(u"dm"_s, {{"user"_L1, u"alice"_s}});
        CONF_OK(dm);
        const QString name = dm.value("channel"_L1).toObject().value("name"_L1).toString();
        const QJsonObject r = m_bob->call(u"send"_s, {{"channel"_L1, name}, {"text"_L1, u"unread dm"_s}});
        CONF_OK(r);
        const QString id = r.value("message"_L1).toObject().value("id"_L1).toString();
        QCOMPARE(aliceInfo(name).value("unread"_L1).toInteger(), 1);
        CONF_OK(read(*m_a2, name, id));
        QVERIFY(m_a1->waitEvent(u"read"_s, readEvent(name, id)));
        QCOMPARE(aliceInfo(name).value("unread"_L1).toInteger(), 0);
        CONF_ERROR(read(*m_carol, name, id), "not_member");
    }

    void errors_data()
    {
        QTest::addColumn<QJsonObject>("params");
        QTest::addColumn<QString>("error");
        QTest::newRow("not a member") << QJsonObject{{"channel"_L1, u"carols-own"_s}, {"upTo"_L1, u"1-0"_s}} << u"not_member"_s;
        QTest::newRow("no such channel") << QJsonObject{{"channel"_L1, u"no-such-channel"_s}, {"upTo"_L1, u"1-0"_s}} << u"not_member"_s;
        QTest::newRow("upTo missing") << QJsonObject{{"channel"_L1, kChan}} << u"bad_request"_s;
        QTest::newRow("upTo not an ID") << QJsonObject{{"channel"_L1, kChan}, {"upTo"_L1, u"abc"_s}} << u"bad_request"_s;
        QTest::newRow("upTo empty") << QJsonObject{{"channel"_L1, kChan}, {"upTo"_L1, QString()}} << u"bad_request"_s;
        QTest::newRow("upTo a number") << QJsonObject{{"channel"_L1, kChan}, {"upTo"_L1, 5}} << u"bad_request"_s;
        QTest::newRow("upTo null") << QJsonObject{{"channel"_L1, kChan}, {"upTo"_L1, QJsonValue::Null}} << u"bad_request"_s;
        QTest::newRow("channel missing") << QJsonObject{{"upTo"_L1, u"1-0"_s}} << u"bad_request"_s;
    }
    void errors()
    {
        QFETCH(QJsonObject, params);
        QFETCH(QString, error);
        CONF_OK(m_carol->call(u"join"_s, {{"channel"_L1, u"carols-own"_s}}));
        const qint64 before = aliceInfo(kChan).value("unread"_L1).toInteger();
        const QString lastRead = aliceInfo(kChan).value("lastRead"_L1).toString();
        CONF_ERROR(m_a1->call(u"read"_s, params), error.toLatin1().constData());
        QCOMPARE(aliceInfo(kChan).value("unread"_L1).toInteger(), before);
        QCOMPARE(aliceInfo(kChan).value("lastRead"_L1).toString(), lastRead);
        QVERIFY(!m_a2->receivesWithin(u"read"_s, 100ms));
    }
};

QTEST_GUILESS_MAIN(TestConformanceRead)
#include "tst_conformance_read.moc"
