// Conformance (black box, from PROTOCOL.md revision 2): `topic` (0-250 code points after
// trimming; DMs have none), the `topic` event to every session of every member, and the topic
// in ChannelInfo (log-in, join, the channel event) and in `channels` entries.

#include "Conformance.h"

using namespace rill::test;
using namespace rill::test::conf;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
const QString kPassword = u"correct horse"_s;
constexpr auto kQuiet = 300ms;
const QString kChan = u"planning"_s;
const QString kEmoji = u"\U0001F600"_s; // one code point, two UTF-16 units
} // namespace

class TestConformanceTopic : public CastSuite
{
    Q_OBJECT

private:

    QJsonObject setTopic(TestClient &c, const QString &topic, const QString &channel = kChan)
    {
        return c.call(u"topic"_s, {{"channel"_L1, channel}, {"topic"_L1, topic}});
    }
    QJsonObject publicEntry(const QString &channel)
    {
        const QJsonObject r = m_carol->call(u"channels"_s);
        for (const auto &c : r.value("channels"_L1).toArray()) {
            if (c.toObject().value("name"_L1).toString() == channel)
                return c.toObject();
        }
        return {};
    }
    QJsonObject infoAtLogIn(const QString &channel)
    {
        auto probe = connectTo(m_server->url());
        if (!probe)
            return {};
        const QJsonObject login = probe->call(u"login"_s, {{"token"_L1, m_bob->token()}});
        return findChannel(login.value("channels"_L1).toArray(), channel);
    }
    void clearAll()
    {
        for (auto *c : {m_a1.get(), m_a2.get(), m_bob.get(), m_carol.get()})
            c->clearEvents();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(startCast(kChan, kPassword));
    }

    void cleanupTestCase()
    {
        stopCast();
    }

    void init() { clearAll(); }

    void newChannelHasAnEmptyTopic()
    {
        const QJsonObject joined = m_a1->call(u"join"_s, {{"channel"_L1, u"fresh-topicless"_s}});
        CONF_OK(joined);
        const QJsonObject info = joined.value("channel"_L1).toObject();
        CONF_SHAPE(channelInfoProblems(info));
        QCOMPARE(info.value("topic"_L1), QJsonValue(u""_s));
        QCOMPARE(publicEntry(u"fresh-topicless"_s).value("topic"_L1), QJsonValue(u""_s));
    }

    void topicIsSetTrimmedAndAnnounced()
    {
        CONF_OK(setTopic(*m_a2, u"  Release planning \n"_s));
        for (auto *c : {m_a1.get(), m_a2.get(), m_bob.get()}) {
            const auto ev = c->waitEvent(u"topic"_s, inChannel(kChan));
            QVERIFY2(ev, qPrintable(u"no topic event for "_s + c->user()));
            QCOMPARE(ev->value("topic"_L1).toString(), u"Release planning"_s);
            QCOMPARE(ev->value("user"_L1).toString(), u"alice"_s);
            QVERIFY2(!c->receivesWithin(u"topic"_s, 0ms), "the topic event came twice");
        }
        QVERIFY(!m_carol->receivesWithin(u"topic"_s, kQuiet));
        QCOMPARE(publicEntry(kChan).value("topic"_L1).toString(), u"Release planning"_s);
        const QJsonObject info = infoAtLogIn(kChan);
        CONF_SHAPE(channelInfoProblems(info));
        QCOMPARE(info.value("topic"_L1).toString(), u"Release planning"_s);
        // A member who joins later sees it in the join's ChannelInfo.
        const QJsonObject joined = m_carol->call(u"join"_s, {{"channel"_L1, kChan}});
        QCOMPARE(joined.value("channel"_L1).toObject().value("topic"_L1).toString(), u"Release planning"_s);
        CONF_OK(m_carol->call(u"part"_s, {{"channel"_L1, kChan}}));
    }

    void sameTopicTellsNobody()
    {
        CONF_OK(setTopic(*m_a1, u"steady topic"_s));
        QVERIFY(m_bob->waitEvent(u"topic"_s, inChannel(kChan)));
        CONF_OK(setTopic(*m_bob, u" steady topic"_s));
        QVERIFY(!m_a1->receivesWithin(u"topic"_s, kQuiet, [](const QJsonObject &e) {
            return e.value("user"_L1).toString() == "bob"_L1;
        }));
    }

    void emptyTopicClearsIt()
    {
        CONF_OK(setTopic(*m_a1, u"to be cleared"_s));
        QVERIFY(m_bob->waitEvent(u"topic"_s, inChannel(kChan)));
        CONF_OK(setTopic(*m_bob, u"   "_s));
        const auto ev = m_a1->waitEvent(u"topic"_s, [](const QJsonObject &e) { return e.value("user"_L1).toString() == "bob"_L1; });
        QVERIFY(ev);
        QCOMPARE(ev->value("topic"_L1), QJsonValue(u""_s));
        QCOMPARE(infoAtLogIn(kChan).value("topic"_L1), QJsonValue(u""_s));
    }

    void lengthCountsCodePoints()
    {
        CONF_OK(setTopic(*m_a1, QString(250, u'x')));
        QString emoji250;
        for (int i = 0; i < 250; ++i)
            emoji250 += kEmoji;
        CONF_OK(setTopic(*m_a1, emoji250)); // 500 UTF-16 units, 250 code points
        QCOMPARE(infoAtLogIn(kChan).value("topic"_L1).toString(), emoji250);
        CONF_ERROR(setTopic(*m_a1, emoji250 + kEmoji), "too_long");
        CONF_ERROR(setTopic(*m_a1, QString(251, u'x')), "too_long");
        QCOMPARE(infoAtLogIn(kChan).value("topic"_L1).toString(), emoji250); // unchanged
    }

    void errors()
    {
        CONF_ERROR(setTopic(*m_carol, u"not mine to set"_s), "not_member");
        CONF_ERROR(setTopic(*m_carol, u"nowhere"_s, u"no-such-channel-here"_s), "not_member");
        const QJsonObject dm = m_a1->call(u"dm"_s, {{"user"_L1, u"bob"_s}});
        CONF_OK(dm);
        const QString dmName = dm.value("channel"_L1).toObject().value("name"_L1).toString();
        QVERIFY2(!dm.value("channel"_L1).toObject().contains("topic"_L1), qPrintable(dump(dm)));
        CONF_ERROR(setTopic(*m_a1, u"private matters"_s, dmName), "forbidden");
        CONF_ERROR(m_a1->call(u"topic"_s, {{"channel"_L1, kChan}}), "bad_request");
        CONF_ERROR(m_a1->call(u"topic"_s, {{"channel"_L1, kChan}, {"topic"_L1, 5}}), "bad_request");
        QVERIFY(!m_bob->receivesWithin(u"topic"_s, kQuiet));
        CONF_OK(setTopic(*m_a1, u"still serving"_s));
    }
};

QTEST_GUILESS_MAIN(TestConformanceTopic)
#include "tst_conformance_topic.moc"
