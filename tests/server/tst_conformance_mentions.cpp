// Conformance (black box, from PROTOCOL.md revision 2): ChannelInfo.mentions, how many of the
// `unread` messages mention the user (`@name`, case-insensitive, not inside a word), exact after
// sends, edits (mentions gained and lost), deletions (a deleted message mentions no one but still
// counts in unread) and reads.

#include "Conformance.h"

using namespace rill::test;
using namespace rill::test::conf;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
const QString kPassword = u"correct horse"_s;
}

class TestConformanceMentions : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<ServerFixture> m_server;
    std::unique_ptr<TestClient> m_alice, m_bob;
    int m_row = 0;

    QString post(TestClient &c, const QString &channel, const QString &text)
    {
        const QJsonObject r = c.call(u"send"_s, {{"channel"_L1, channel}, {"text"_L1, text}});
        return r.value("message"_L1).toObject().value("id"_L1).toString();
    }
    // alice's ChannelInfo for `channel` as a fresh log-in shows it.
    QJsonObject aliceSees(const QString &channel)
    {
        auto probe = connectTo(m_server->url());
        if (!probe)
            return {};
        const QJsonObject login = probe->call(u"login"_s, {{"token"_L1, m_alice->token()}});
        return findChannel(login.value("channels"_L1).toArray(), channel);
    }
    QPair<qint64, qint64> counts(const QString &channel)
    {
        const QJsonObject info = aliceSees(channel);
        return {info.value("unread"_L1).toInteger(), info.value("mentions"_L1).toInteger(-1)};
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<ServerFixture>();
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        m_alice = connectTo(m_server->url());
        m_bob = connectTo(m_server->url());
        QVERIFY(m_alice && m_bob);
        QVERIFY(m_alice->signUp(u"Alice"_s, kPassword));
        QVERIFY(m_bob->signUp(u"bob"_s, kPassword));
    }

    void cleanupTestCase()
    {
        m_alice.reset();
        m_bob.reset();
        m_server.reset();
    }

    void whatCountsAsAMention_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("mentions");
        QTest::newRow("plain") << u"@alice hi"_s << true;
        QTest::newRow("any case") << u"hi @ALICE"_s << true;
        QTest::newRow("end of a sentence") << u"ask @Alice."_s << true;
        QTest::newRow("in parentheses") << u"(@alice)"_s << true;
        QTest::newRow("twice, one message") << u"@alice @alice"_s << true;
        QTest::newRow("inside a word") << u"mail alice@alice.org"_s << false;
        QTest::newRow("a longer name") << u"@alicex"_s << false;
        QTest::newRow("no at") << u"alice"_s << false;
    }

    void whatCountsAsAMention()
    {
        QFETCH(QString, text);
        QFETCH(bool, mentions);
        const QString channel = u"mention-row-%1"_s.arg(++m_row); // a fresh channel per row
        CONF_OK(m_alice->call(u"join"_s, {{"channel"_L1, channel}}));
        CONF_OK(m_bob->call(u"join"_s, {{"channel"_L1, channel}}));
        post(*m_bob, channel, text);
        const QJsonObject info = aliceSees(channel);
        CONF_SHAPE(channelInfoProblems(info));
        QCOMPARE(info.value("unread"_L1).toInteger(), 1);
        QCOMPARE(info.value("mentions"_L1).toInteger(-1), mentions ? 1 : 0);
    }

    void countsFollowSendsEditsDeletesAndReads()
    {
        const QString ch = u"mentions-life"_s;
        CONF_OK(m_alice->call(u"join"_s, {{"channel"_L1, ch}}));
        CONF_OK(m_bob->call(u"join"_s, {{"channel"_L1, ch}}));
        const QString first = post(*m_bob, ch, u"@alice first"_s);
        const QString plain = post(*m_bob, ch, u"no mention"_s);
        post(*m_alice, ch, u"@alice talking to myself"_s); // own messages are never unread
        const QString third = post(*m_bob, ch, u"@alice third"_s);
        QCOMPARE(counts(ch), qMakePair(3LL, 2LL));

        // An edit that gains a mention counts it, one that loses it uncounts it; the same text twice
        // changes nothing.
        CONF_OK(m_bob->call(u"edit"_s, {{"channel"_L1, ch}, {"messageId"_L1, plain}, {"text"_L1, u"now @alice"_s}}));
        QCOMPARE(counts(ch), qMakePair(3LL, 3LL));
        CONF_OK(m_bob->call(u"edit"_s, {{"channel"_L1, ch}, {"messageId"_L1, plain}, {"text"_L1, u"now @Alice!"_s}}));
        QCOMPARE(counts(ch), qMakePair(3LL, 3LL));
        CONF_OK(m_bob->call(u"edit"_s, {{"channel"_L1, ch}, {"messageId"_L1, first}, {"text"_L1, u"first, for everyone"_s}}));
        QCOMPARE(counts(ch), qMakePair(3LL, 2LL));

        // A deleted message mentions no one but still counts in unread.
        CONF_OK(m_bob->call(u"delete"_s, {{"channel"_L1, ch}, {"messageId"_L1, third}}));
        QCOMPARE(counts(ch), qMakePair(3LL, 1LL));

        // Reading moves both: what is left is after the marker.
        CONF_OK(m_alice->call(u"read"_s, {{"channel"_L1, ch}, {"upTo"_L1, plain}}));
        QCOMPARE(counts(ch), qMakePair(1LL, 0LL));
        post(*m_bob, ch, u"@alice after the read"_s);
        QCOMPARE(counts(ch), qMakePair(2LL, 1LL));
        // A reply mentions as any message does.
        post(*m_bob, ch, u"hi"_s);
        CONF_OK(m_bob->call(u"send"_s, {{"channel"_L1, ch}, {"text"_L1, u"@alice in a thread"_s}, {"replyTo"_L1, first}}));
        QCOMPARE(counts(ch), qMakePair(4LL, 2LL));
    }

    void mentionsInDirectMessages()
    {
        const QJsonObject dm = m_bob->call(u"dm"_s, {{"user"_L1, u"alice"_s}});
        CONF_OK(dm);
        const QString ch = dm.value("channel"_L1).toObject().value("name"_L1).toString();
        QCOMPARE(dm.value("channel"_L1).toObject().value("mentions"_L1).toInteger(-1), 0);
        post(*m_bob, ch, u"@alice psst"_s);
        QCOMPARE(counts(ch), qMakePair(1LL, 1LL));
    }
};

QTEST_GUILESS_MAIN(TestConformanceMentions)
#include "tst_conformance_mentions.moc"
