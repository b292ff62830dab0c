// Opening a channel at a message away from its newest (a search result, a link), against a real
// rill server on a real redis-server: the stretch around it, scrolling both ways from there,
// live messages while away, going back to the latest, and read markers that stay right.
#include "ClientUnderTest.h"
#include "ServerFixture.h"
#include "TestClient.h"

#include "models/MessageModel.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

#include <limits>

using namespace rill;
using namespace rill::client;
using rill::test::strictlyOrdered;
using namespace Qt::StringLiterals;

namespace {
// Texts of a store's messages (join/part notices left out), oldest first.
QStringList textsOf(const ChannelStore *store)
{
    QStringList out;
    for (const StoredMessage &m : store->messages()) {
        if (m.kind == protocol::MessageKind::Message)
            out << m.text;
    }
    return out;
}

// "m<first>" … "m<last>"
QStringList numbered(int first, int last)
{
    return test::numbered(u"m%1"_s, first, last);
}

} // namespace

class TestJump : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::ServerFixture> m_server;
    std::unique_ptr<test::TestClient> m_bob;
    QStringList m_ids; // of Bob's "m1", "m2", … in general, in order

    // Bob posts "m<n+1>" … "m<n+count>" to general.
    [[nodiscard]] bool bobPosts(int count)
    {
        const QStringList ids = test::postNumbered(*m_bob, u"general"_s, u"m%1"_s, m_ids.size() + 1, count);
        m_ids << ids;
        return ids.size() == count;
    }

    // Alice (pages of ten) signs up and has her first page of general, Bob posts `count`
    // messages there, she holds them as they came (each unread) and then lets go of all but
    // the newest `keep` (as a view back at the newest does). Her general, or nullptr when a
    // step failed.
    [[nodiscard]] ChannelStore *aliceHolds(test::ClientUnderTest &alice, int count,
                                           qsizetype keep = std::numeric_limits<qsizetype>::max())
    {
        if (!alice.signUp(m_server->url(), u"alice"_s))
            return nullptr;
        ChannelStore *general = alice.channel(u"general"_s);
        // Her first page before Bob writes: a page that raced his sends and got in before their
        // events leaves the older of them uncounted (a store counts as new only what is newer
        // than the newest message it knows), and the counts below would vary.
        if (!general || !QTest::qWaitFor([&] { return general->isLoaded() && !general->isLoadingOlder(); }))
            return nullptr;
        if (!bobPosts(count) || !QTest::qWaitFor([&] { return textsOf(general).size() == count; }))
            return nullptr;
        general->releaseOlder(keep);
        return general;
    }

    // The unread count the server has for Alice in general (what her next sign-in shows).
    [[nodiscard]] qint64 serverUnread()
    {
        test::TestClient check;
        if (!check.open(m_server->url()))
            return -1;
        const QJsonArray channels = check.call(u"login"_s, {{u"user"_s, u"alice"_s}, {u"password"_s, u"password1"_s}})
                                        .value(u"channels"_s)
                                        .toArray();
        for (const QJsonValue &c : channels) {
            if (c.toObject().value(u"name"_s).toString() == u"general"_s)
                return c.toObject().value(u"unread"_s).toInteger();
        }
        return -1;
    }

private Q_SLOTS:
    void init()
    {
        m_server = std::make_unique<test::ServerFixture>();
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        m_bob = std::make_unique<test::TestClient>();
        QVERIFY(m_bob->open(m_server->url()));
        QVERIFY(m_bob->signUp(u"bob"_s));
        m_ids.clear();
    }

    void cleanup()
    {
        m_bob.reset();
        m_server.reset();
    }

    void opensTheStretchAroundAMessageAndScrollsBothWays()
    {
        test::ClientUnderTest alice(10);
        ChannelStore *general = aliceHolds(alice, 60, 10);
        QVERIFY(general);
        QCOMPARE(textsOf(general), numbered(51, 60));
        QAbstractItemModelTester tester(general->messageModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);

        QSignalSpy focus(general, &ChannelStore::focusChanged);
        alice.workspace->openMessage(u"general"_s, m_ids[19]); // m20
        QCOMPARE(alice.workspace->currentName(), u"general"_s);
        QTRY_COMPARE(general->focusId(), m_ids[19]);
        QCOMPARE(focus.size(), 1);
        // The message and four before it, five after: the page size split around it. (The
        // model tester may have asked for an older page meanwhile, as a view at its top would.)
        QTRY_VERIFY(!general->isLoadingOlder());
        QCOMPARE(textsOf(general).mid(textsOf(general).size() - 10), numbered(16, 25));
        QVERIFY(!general->isAtLatest());
        QVERIFY(!general->isAtStart());
        QCOMPARE(general->messageModel()->rowOf(m_ids[19]), 5);

        // Older pages as before; newer ones until the newest, which makes the store live again.
        while (!general->isAtStart()) {
            general->loadOlder();
            QTRY_VERIFY(!general->isLoadingOlder());
        }
        QCOMPARE(textsOf(general), numbered(1, 25));
        QVERIFY(!general->isAtLatest());
        int pages = 0;
        while (!general->isAtLatest() && pages < 10) {
            general->loadNewer();
            QTRY_VERIFY(!general->isLoadingNewer());
            ++pages;
        }
        QVERIFY(general->isAtLatest());
        QCOMPARE(pages, 4); // m26-35, m36-45, m46-55, m56-60
        QCOMPARE(textsOf(general), numbered(1, 60));
        QVERIFY(strictlyOrdered(*general));

        QVERIFY(bobPosts(1));
        QTRY_COMPARE(textsOf(general).constLast(), u"m61"_s);
    }

    void liveMessagesWhileAwayCountAndShowOnceBackAtTheLatest()
    {
        test::ClientUnderTest alice(10);
        ChannelStore *general = aliceHolds(alice, 40, 10);
        QVERIFY(general);
        const int unreadBefore = general->unread();

        alice.workspace->openMessage(u"general"_s, m_ids[9]); // m10
        QTRY_COMPARE(general->focusId(), m_ids[9]);
        QCOMPARE(textsOf(general), numbered(6, 15));
        QVERIFY(!general->isAtLatest());

        // Bob goes on: the stretch stays as it is (no gap in it), the badge counts what came.
        QVERIFY(bobPosts(2));
        QTRY_COMPARE(general->unread(), unreadBefore + 2);
        QCOMPARE(general->lastKnownId(), m_ids.constLast());
        QCOMPARE(textsOf(general), numbered(6, 15));

        // Back to the latest: the newest page, then live messages append again.
        QSignalSpy reset(general, &ChannelStore::resetDone);
        general->returnToLatest();
        QTRY_VERIFY(general->isAtLatest());
        QCOMPARE(reset.size(), 1);
        QCOMPARE(textsOf(general), numbered(33, 42));
        QVERIFY(bobPosts(1));
        QTRY_COMPARE(textsOf(general), numbered(33, 43));
        QVERIFY(strictlyOrdered(*general));
    }

    void aLiveMessageDuringTheLastNewerPageIsNotLost()
    {
        // The page that reaches the newest may leave out a message whose event came while it
        // was on its way: the store is at the latest only once it holds what events told.
        test::ClientUnderTest alice(10);
        ChannelStore *general = aliceHolds(alice, 20, 5);
        QVERIFY(general);
        alice.workspace->openMessage(u"general"_s, m_ids[9]);
        QTRY_COMPARE(general->focusId(), m_ids[9]);
        QCOMPARE(textsOf(general), numbered(6, 15));

        // A newer page as the server had it before m21 (what a page racing the event brings).
        protocol::Message late;
        late.id = u"%1-%2"_s.arg(protocol::StreamId::parse(m_ids.constLast())->ms + 1000).arg(0);
        late.channel = u"general"_s;
        late.user = u"bob"_s;
        late.text = u"m21"_s;
        QVERIFY(general->addLive(late, true)); // counted, not held
        QCOMPARE(textsOf(general), numbered(6, 15));
        general->loadNewer();
        QTRY_VERIFY(!general->isLoadingNewer());
        QCOMPARE(textsOf(general), numbered(6, 20));
        QVERIFY(!general->isAtLatest()); // the server said "no more", but m21 is not here yet
        // An empty last page settles it: the server has nothing newer.
        general->loadNewer();
        QTRY_VERIFY(general->isAtLatest());
        QCOMPARE(textsOf(general), numbered(6, 20));
    }

    void readingAStretchDoesNotReadWhatIsNewer()
    {
        test::ClientUnderTest alice(10);
        ChannelStore *general = aliceHolds(alice, 40);
        QVERIFY(general);
        QCOMPARE(general->unread(), 40);
        // She read up to m8 on another device.
        test::TestClient otherDevice;
        QVERIFY(otherDevice.open(m_server->url()));
        QVERIFY(otherDevice.call(u"login"_s, {{u"user"_s, u"alice"_s}, {u"password"_s, u"password1"_s}}).value(u"ok"_s).toBool());
        QVERIFY(otherDevice.call(u"read"_s, {{u"channel"_s, u"general"_s}, {u"upTo"_s, m_ids[7]}}).value(u"ok"_s).toBool());
        QTRY_COMPARE(general->unread(), 32);
        general->releaseOlder(10);

        alice.workspace->openMessage(u"general"_s, m_ids[9]); // m6-m15 held
        QTRY_COMPARE(general->focusId(), m_ids[9]);
        alice.workspace->setWindowActive(true); // Alice looks at it
        QTRY_COMPARE(general->lastRead(), m_ids[14]);
        QCOMPARE(general->unread(), 25); // m16-m40
        // A live message while she reads the stretch is not read either, even by Esc.
        QVERIFY(bobPosts(1));
        QTRY_COMPARE(general->unread(), 26);
        alice.workspace->markCurrentRead();
        QCOMPARE(general->lastRead(), m_ids[14]);
        QCOMPARE(serverUnread(), 26);

        // Scrolling down reads as far as it shows; back at the latest, everything.
        general->loadNewer();
        QTRY_COMPARE(general->lastRead(), m_ids[24]);
        QCOMPARE(general->unread(), 16);
        general->returnToLatest();
        QTRY_COMPARE(general->lastRead(), m_ids.constLast());
        QCOMPARE(general->unread(), 0);
        QTRY_COMPARE(serverUnread(), 0);
    }

    // A message far back opened by its ID (a search result) or by its link: the stretch around
    // it, and sending from there goes back to the latest.
    void opensAFarMessageAndSendingGoesBack_data()
    {
        QTest::addColumn<bool>("byLink");
        QTest::newRow("by ID") << false;
        QTest::newRow("by link") << true;
    }

    void opensAFarMessageAndSendingGoesBack()
    {
        QFETCH(bool, byLink);
        test::ClientUnderTest alice(10);
        ChannelStore *general = aliceHolds(alice, 30, 10);
        QVERIFY(general);
        if (byLink)
            alice.workspace->openLink(alice.workspace->messageLink(m_ids[4]));
        else
            alice.workspace->openMessage(u"general"_s, m_ids[4]);
        QTRY_COMPARE(general->focusId(), m_ids[4]);
        QVERIFY(!general->isAtLatest());
        QCOMPARE(textsOf(general), numbered(1, 10));

        QCOMPARE(alice.workspace->send(u"back to now"_s), QString());
        QTRY_VERIFY(general->isAtLatest());
        QTRY_VERIFY(general->pending().isEmpty());
        QTRY_COMPARE(textsOf(general).constLast(), u"back to now"_s);
        QCOMPARE(textsOf(general).count(u"back to now"_s), 1);
        QVERIFY(strictlyOrdered(*general));
    }

    void aLoadedMessageIsFocusedWithoutLoading()
    {
        test::ClientUnderTest alice(10);
        ChannelStore *general = aliceHolds(alice, 5);
        QVERIFY(general);
        QSignalSpy reset(general, &ChannelStore::resetDone);
        alice.workspace->openMessage(u"general"_s, m_ids[2]);
        QCOMPARE(general->focusId(), m_ids[2]); // at once
        QVERIFY(general->isAtLatest());
        QCOMPARE(reset.size(), 0);
        general->clearFocus();
        QCOMPARE(general->focusId(), QString());
    }

    // A link names its server: one for another server (or not a message link) opens nothing.
    void messageLinksOpenOnTheirServerOnly()
    {
        test::ClientUnderTest alice(10);
        ChannelStore *general = aliceHolds(alice, 3);
        QVERIFY(general);
        const QUrl server = alice.session->server();
        QCOMPARE(alice.workspace->messageLink(m_ids[1]), u"rill://%1:%2/general/%3"_s.arg(server.host()).arg(server.port()).arg(m_ids[1]));
        QCOMPARE(alice.workspace->messageLink(u"not an ID"_s), QString());

        QSignalSpy problems(alice.workspace.get(), &Workspace::problem);
        alice.workspace->openLink(u"rill://chat.elsewhere.example:7117/general/"_s + m_ids[1]);
        alice.workspace->openLink(u"rill://%1:%2/general/%3"_s.arg(server.host()).arg(server.port() + 1).arg(m_ids[1]));
        alice.workspace->openLink(u"https://example.com/general/1-0"_s);
        QCOMPARE(problems.size(), 3);
        QCOMPARE(problems.at(0).at(0).toString(), u"That message is on another server (chat.elsewhere.example:7117)"_s);
        QCOMPARE(problems.at(1).at(0).toString(), u"That message is on another server (%1:%2)"_s.arg(server.host()).arg(server.port() + 1));
        QCOMPARE(problems.at(2).at(0).toString(), u"That is not a link to a message"_s);
        QCOMPARE(general->focusId(), QString()); // nothing was opened
    }

    void refusedJumpsSayWhy_data()
    {
        QTest::addColumn<QString>("channel");
        QTest::addColumn<QString>("messageId");
        QTest::addColumn<QString>("problem");
        QTest::newRow("not a member") << u"elsewhere"_s << u"1-0"_s << u"Join #elsewhere to see that message"_s;
        QTest::newRow("not an ID") << u"general"_s << u"yesterday"_s << u"“yesterday” is not a message"_s;
        QTest::newRow("no such message") << u"general"_s << u"1-0"_s << u"That message is not in #general any more"_s;
    }

    void refusedJumpsSayWhy()
    {
        QFETCH(QString, channel);
        QFETCH(QString, messageId);
        QFETCH(QString, problem);
        test::ClientUnderTest alice(10);
        ChannelStore *general = aliceHolds(alice, 3);
        QVERIFY(general);
        QSignalSpy problems(alice.workspace.get(), &Workspace::problem);
        alice.workspace->openMessage(channel, messageId);
        QTRY_COMPARE(problems.size(), 1);
        QCOMPARE(problems.at(0).at(0).toString(), problem);
        QCOMPARE(general->focusId(), QString());
        // Whatever was loaded around the place stays usable; the app keeps working.
        QVERIFY(strictlyOrdered(*general));
        QCOMPARE(alice.workspace->send(u"still here"_s), QString());
        QTRY_COMPARE(textsOf(general).constLast(), u"still here"_s);
    }
};

QTEST_GUILESS_MAIN(TestJump)
#include "tst_jump.moc"
