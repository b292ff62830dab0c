// Conformance (black box, from PROTOCOL.md): direct messages. The `dm` op and its channel name,
// the `channel` event to the peer, messaging in a DM, and privacy: a third user can neither read,
// send, see members of, join, nor receive events of `dm:a:b`.

#include "Conformance.h"

using namespace rill::test;
using namespace rill::test::conf;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
const QString kPassword = u"correct horse"_s;
constexpr auto kQuiet = 300ms;
const QString kDm = u"dm:alice:bob"_s;
}

// The usual cast in no channel, and bob twice too (m_bob, m_b2).
class TestConformanceDm : public CastSuite
{
    Q_OBJECT

private:
    std::unique_ptr<TestClient> m_b2;
    QJsonObject m_created; // alice's reply to the first dm with bob

    QList<TestClient *> everyone() { return {m_a1.get(), m_a2.get(), m_bob.get(), m_b2.get(), m_carol.get()}; }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(startCast({}, kPassword));
        m_b2 = sessionWithToken(m_server->url(), m_bob->token());
        QVERIFY(m_b2);
    }

    void cleanupTestCase()
    {
        m_b2.reset();
        stopCast();
    }

    void dmCreatesChannel()
    {
        const QJsonObject r = m_a1->call(u"dm"_s, {{"user"_L1, u"bob"_s}});
        CONF_OK(r);
        m_created = r;
        const QJsonObject info = r.value("channel"_L1).toObject();
        CONF_SHAPE(channelInfoProblems(info));
        QCOMPARE(info.value("name"_L1).toString(), kDm);
        QCOMPARE(info.value("kind"_L1).toString(), u"dm"_s);
        QCOMPARE(info.value("peer"_L1).toString().toLower(), u"bob"_s);
        QCOMPARE(info.value("members"_L1).toInteger(), 2);
    }

    void peerGetsChannelEvent()
    {
        QVERIFY(!m_created.isEmpty());
        // Every session of bob learns about the new DM, with alice as the peer.
        for (auto *b : {m_bob.get(), m_b2.get()}) {
            const auto ev = b->waitEvent(u"channel"_s, inChannel(kDm));
            QVERIFY2(ev, "bob was not told about the new DM");
            const QJsonObject info = ev->value("channel"_L1).toObject();
            CONF_SHAPE(channelInfoProblems(info));
            QCOMPARE(info.value("kind"_L1).toString(), u"dm"_s);
            QCOMPARE(info.value("peer"_L1).toString().toLower(), u"alice"_s);
            QCOMPARE(info.value("members"_L1).toInteger(), 2);
        }
        QVERIFY(!m_carol->receivesWithin(u"channel"_s, kQuiet, inChannel(kDm)));
    }

    // Alice's other session was added to the DM from elsewhere too.
    void creatorsOtherSessionGetsChannelEvent()
    {
        const auto ev = m_a2->waitEvent(u"channel"_s, inChannel(kDm));
        QVERIFY2(ev, "alice's other session was not told about the DM created on her first session");
        QCOMPARE(ev->value("channel"_L1).toObject().value("peer"_L1).toString().toLower(), u"bob"_s);
    }

    void dmAgainIsTheSameChannel()
    {
        for (auto *c : everyone())
            c->clearEvents();
        const QJsonObject again = m_a1->call(u"dm"_s, {{"user"_L1, u"BOB"_s}});
        CONF_OK(again);
        QCOMPARE(again.value("channel"_L1).toObject().value("name"_L1).toString(), kDm);
        const QJsonObject reverse = m_bob->call(u"dm"_s, {{"user"_L1, u"alice"_s}});
        CONF_OK(reverse);
        const QJsonObject info = reverse.value("channel"_L1).toObject();
        QCOMPARE(info.value("name"_L1).toString(), kDm);
        QCOMPARE(info.value("peer"_L1).toString().toLower(), u"alice"_s);
        QCOMPARE(info.value("members"_L1).toInteger(), 2);
        // Nobody was added, so nobody is told.
        QVERIFY(!m_bob->receivesWithin(u"channel"_s, kQuiet, inChannel(kDm)));
        QVERIFY(!m_b2->receivesWithin(u"channel"_s, 0ms, inChannel(kDm)));
    }

    void nameIsLowercasedAndSorted()
    {
        auto zed = connectTo(m_server->url());
        auto amy = connectTo(m_server->url());
        QVERIFY(zed && amy);
        QVERIFY(zed->signUp(u"Zed"_s, kPassword));
        QVERIFY(amy->signUp(u"amy"_s, kPassword));
        const QJsonObject r = zed->call(u"dm"_s, {{"user"_L1, u"AMY"_s}});
        CONF_OK(r);
        QCOMPARE(r.value("channel"_L1).toObject().value("name"_L1).toString(), u"dm:amy:zed"_s);
        QCOMPARE(r.value("channel"_L1).toObject().value("peer"_L1).toString().toLower(), u"amy"_s);
        const QJsonObject back = amy->call(u"dm"_s, {{"user"_L1, u"zed"_s}});
        CONF_OK(back);
        QCOMPARE(back.value("channel"_L1).toObject().value("name"_L1).toString(), u"dm:amy:zed"_s);
        QCOMPARE(back.value("channel"_L1).toObject().value("peer"_L1).toString().toLower(), u"zed"_s);
    }

    void noSuchUser()
    {
        CONF_ERROR(m_a1->call(u"dm"_s, {{"user"_L1, u"ghost"_s}}), "no_such_user");
        // Nothing was created for alice either.
        auto a3 = connectTo(m_server->url());
        QVERIFY(a3);
        const QJsonObject r = a3->call(u"login"_s, {{"token"_L1, m_a1->token()}});
        CONF_OK(r);
        for (const auto &c : r.value("channels"_L1).toArray())
            QVERIFY2(!c.toObject().value("name"_L1).toString().contains("ghost"_L1), qPrintable(dump(r)));
    }

    void messagingInDm()
    {
        for (auto *c : everyone())
            c->clearEvents();
        const QString text = u"just between us"_s;
        const QJsonObject r = m_a1->call(u"send"_s, {{"channel"_L1, kDm}, {"text"_L1, text}});
        CONF_OK(r);
        const QJsonObject m = r.value("message"_L1).toObject();
        CONF_SHAPE(messageProblems(m));
        QCOMPARE(m.value("channel"_L1).toString(), kDm);
        for (auto *c : {m_a1.get(), m_a2.get(), m_bob.get(), m_b2.get()}) {
            const auto ev = c->waitEvent(u"message"_s, messageWithText(text, kDm));
            QVERIFY2(ev, qPrintable(u"no DM message event on a session of "_s + c->user()));
            QCOMPARE(ev->value("message"_L1).toObject(), m);
        }
        const QString answer = u"sure"_s;
        CONF_OK(m_b2->call(u"send"_s, {{"channel"_L1, kDm}, {"text"_L1, answer}}));
        QVERIFY(m_a1->waitEvent(u"message"_s, messageWithText(answer, kDm)));
        QVERIFY(m_a2->waitEvent(u"message"_s, messageWithText(answer, kDm)));
        CONF_OK(m_bob->call(u"typing"_s, {{"channel"_L1, kDm}}));
        QVERIFY(m_a1->waitEvent(u"typing"_s, inChannel(kDm)));
        const QJsonObject h = m_bob->call(u"history"_s, {{"channel"_L1, kDm}});
        CONF_OK(h);
        QStringList texts;
        for (const auto &e : h.value("messages"_L1).toArray()) {
            if (e.toObject().value("kind"_L1).toString() == "message"_L1)
                texts << e.toObject().value("text"_L1).toString();
        }
        QCOMPARE(texts, (QStringList{text, answer}));
        // Carol heard nothing of it.
        QVERIFY(!m_carol->receivesWithin(u"message"_s, kQuiet, inChannel(kDm)));
        QVERIFY(!m_carol->receivesWithin(u"typing"_s, 0ms, inChannel(kDm)));
        QVERIFY(!m_carol->receivesWithin(u"member"_s, 0ms, inChannel(kDm)));
        QVERIFY(!m_carol->receivesWithin(u"channel"_s, 0ms, inChannel(kDm)));
    }

    void thirdUserLockedOut_data()
    {
        QTest::addColumn<QString>("op");
        QTest::addColumn<QJsonObject>("params");
        QTest::newRow("history") << u"history"_s << QJsonObject{{"channel"_L1, kDm}};
        QTest::newRow("history after") << u"history"_s << QJsonObject{{"channel"_L1, kDm}, {"after"_L1, u"1-0"_s}};
        QTest::newRow("send") << u"send"_s << QJsonObject{{"channel"_L1, kDm}, {"text"_L1, u"psst"_s}};
        QTest::newRow("members") << u"members"_s << QJsonObject{{"channel"_L1, kDm}};
        QTest::newRow("typing") << u"typing"_s << QJsonObject{{"channel"_L1, kDm}};
        QTest::newRow("read") << u"read"_s << QJsonObject{{"channel"_L1, kDm}, {"upTo"_L1, u"99999999999999-0"_s}};
        QTest::newRow("part") << u"part"_s << QJsonObject{{"channel"_L1, kDm}};
        QTest::newRow("upper-case name") << u"history"_s << QJsonObject{{"channel"_L1, kDm.toUpper()}};
    }
    void thirdUserLockedOut()
    {
        QFETCH(QString, op);
        QFETCH(QJsonObject, params);
        CONF_ERROR(m_carol->call(op, params), "not_member");
    }

    void thirdUserCannotJoin()
    {
        const QJsonObject r = m_carol->call(u"join"_s, {{"channel"_L1, kDm}});
        QVERIFY2(isError(r, "invalid_channel"_L1) || isError(r, "forbidden"_L1), qPrintable(dump(r)));
        CONF_ERROR(m_carol->call(u"history"_s, {{"channel"_L1, kDm}}), "not_member");
        CONF_ERROR(m_carol->call(u"send"_s, {{"channel"_L1, kDm}, {"text"_L1, u"psst"_s}}), "not_member");
        // Still two members, and bob's view of them did not change.
        const QJsonObject m = m_bob->call(u"members"_s, {{"channel"_L1, kDm}});
        CONF_OK(m);
        QStringList users;
        for (const auto &e : m.value("members"_L1).toArray())
            users << e.toObject().value("user"_L1).toString().toLower();
        users.sort();
        QCOMPARE(users, (QStringList{u"alice"_s, u"bob"_s}));
        const QJsonObject h = m_bob->call(u"history"_s, {{"channel"_L1, kDm}});
        CONF_OK(h);
        for (const auto &e : h.value("messages"_L1).toArray())
            QVERIFY2(e.toObject().value("user"_L1).toString().toLower() != "carol"_L1, qPrintable(dump(h)));
    }

    void notListedPublicly()
    {
        const QJsonObject list = m_carol->call(u"channels"_s);
        CONF_OK(list);
        for (const auto &c : list.value("channels"_L1).toArray())
            QVERIFY2(!c.toObject().value("name"_L1).toString().startsWith("dm:"_L1), qPrintable(dump(list)));
    }

    void inLoginSnapshot()
    {
        auto b3 = connectTo(m_server->url());
        QVERIFY(b3);
        const QJsonObject r = b3->call(u"login"_s, {{"user"_L1, u"bob"_s}, {"password"_L1, kPassword}}, 30s);
        CONF_OK(r);
        const QJsonObject info = findChannel(r.value("channels"_L1).toArray(), kDm);
        QVERIFY2(!info.isEmpty(), qPrintable(dump(r)));
        CONF_SHAPE(channelInfoProblems(info));
        QCOMPARE(info.value("kind"_L1).toString(), u"dm"_s);
        QCOMPARE(info.value("peer"_L1).toString().toLower(), u"alice"_s);
        // Carol's snapshot has no trace of it.
        auto c2 = connectTo(m_server->url());
        QVERIFY(c2);
        const QJsonObject cr = c2->call(u"login"_s, {{"token"_L1, m_carol->token()}});
        CONF_OK(cr);
        QVERIFY2(findChannel(cr.value("channels"_L1).toArray(), kDm).isEmpty(), qPrintable(dump(cr)));
    }

    void dmOfCarolIsHerOwn()
    {
        const QJsonObject r = m_carol->call(u"dm"_s, {{"user"_L1, u"alice"_s}});
        CONF_OK(r);
        const QString name = r.value("channel"_L1).toObject().value("name"_L1).toString();
        QCOMPARE(name, u"dm:alice:carol"_s);
        CONF_ERROR(m_bob->call(u"history"_s, {{"channel"_L1, name}}), "not_member");
        CONF_OK(m_a1->call(u"history"_s, {{"channel"_L1, name}}));
    }
};

QTEST_GUILESS_MAIN(TestConformanceDm)
#include "tst_conformance_dm.moc"
