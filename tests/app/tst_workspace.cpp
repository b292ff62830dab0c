// Two (or three) instances of the client core talking through a real rill server on a real
// redis-server: the behaviours the app promises, end to end below the UI.
#include "ClientUnderTest.h"
#include "ServerFixture.h"
#include "TestClient.h"

#include "models/ChannelListModel.h"
#include "models/DirectoryModel.h"
#include "models/MemberModel.h"
#include "models/MessageModel.h"
#include "protocol/Codec.h"
#include "protocol/Names.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace rill;
using namespace rill::client;
using rill::test::strictlyOrdered;
using namespace Qt::StringLiterals;

class TestWorkspace : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::ServerFixture> m_server;

    // Both sign up, Bob opens a DM to Alice: its name once Alice has it, empty if she never does.
    [[nodiscard]] QString bobOpensDirectToAlice(test::ClientUnderTest &bob, test::ClientUnderTest &alice) const
    {
        if (!bob.signUp(m_server->url(), u"bob"_s) || !alice.signUp(m_server->url(), u"alice"_s))
            return {};
        bob.workspace->openDirect(u"alice"_s);
        const QString dm = protocol::dmChannelName(u"alice"_s, u"bob"_s);
        return QTest::qWaitFor([&] { return alice.channel(dm) != nullptr; }) ? dm : QString();
    }

private Q_SLOTS:
    void init()
    {
        m_server = std::make_unique<test::ServerFixture>();
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    }

    void cleanup() { m_server.reset(); }

    void joinSendAndReceive()
    {
        test::ClientUnderTest alice;
        test::ClientUnderTest bob;
        QVERIFY(alice.signUp(m_server->url(), u"alice"_s));
        QVERIFY(bob.signUp(m_server->url(), u"bob"_s));

        alice.workspace->join(u"#Dev"_s);
        QTRY_VERIFY(alice.channel(u"dev"_s));
        QCOMPARE(alice.workspace->currentName(), u"dev"_s);
        bob.workspace->join(u"dev"_s);
        QTRY_VERIFY(bob.channel(u"dev"_s));
        // Alice sees Bob join, as a notice in the log.
        QTRY_VERIFY(std::any_of(alice.channel(u"dev"_s)->messages().cbegin(), alice.channel(u"dev"_s)->messages().cend(),
                                [](const StoredMessage &m) { return m.kind == protocol::MessageKind::Join && m.user == u"bob"_s; }));

        QSignalSpy aliceAdded(alice.workspace.get(), &Workspace::messageAdded);
        QCOMPARE(alice.workspace->send(u"  hello bob  "_s), QString());
        ChannelStore *aliceDev = alice.channel(u"dev"_s);
        QCOMPARE(aliceDev->pending().size(), 1); // shown at once, before the server answers
        QCOMPARE(aliceDev->messageModel()->index(0).data(MessageModel::TextRole).toString(), u"hello bob"_s);
        QTRY_VERIFY(aliceDev->pending().isEmpty());
        QTRY_COMPARE(bob.texts(u"dev"_s), QStringList{u"hello bob"_s});
        QCOMPARE(alice.texts(u"dev"_s), QStringList{u"hello bob"_s});
        // The reply and the echoed event both came back; the message was added once.
        QTRY_COMPARE(alice.session->connection().state(), ClientConnection::State::Open);
        QCOMPARE(aliceAdded.size(), 1);

        QCOMPARE(alice.workspace->send(u"   "_s), u"Nothing to send"_s);
        QVERIFY(!alice.workspace->send(QString(4001, u'x')).isEmpty());
        QVERIFY(aliceDev->pending().isEmpty());
    }

    void unreadBadgeAndReadMarkersAgreeAcrossSessions()
    {
        test::ClientUnderTest bob;
        test::ClientUnderTest aliceHere;
        test::ClientUnderTest aliceThere;
        QVERIFY(bob.signUp(m_server->url(), u"bob"_s));
        QVERIFY(aliceHere.signUp(m_server->url(), u"alice"_s));
        QVERIFY(aliceThere.signUp(m_server->url(), u"alice"_s));
        bob.workspace->sendTo(u"general"_s, u"one"_s);
        bob.workspace->sendTo(u"general"_s, u"two"_s);

        for (auto *alice : {&aliceHere, &aliceThere}) {
            QTRY_COMPARE(alice->texts(u"general"_s), (QStringList{u"one"_s, u"two"_s}));
            QCOMPARE(alice->channel(u"general"_s)->unread(), 2);
            const auto &list = *alice->workspace->channels();
            QCOMPARE(list.index(list.rowOf(u"general"_s)).data(ChannelListModel::UnreadRole).toInt(), 2);
        }
        // Viewing the channel (window active) moves the marker; the other window follows.
        aliceHere.workspace->setWindowActive(true);
        QTRY_COMPARE(aliceHere.channel(u"general"_s)->unread(), 0);
        QTRY_COMPARE(aliceThere.channel(u"general"_s)->unread(), 0);
        QCOMPARE(aliceThere.workspace->channels()->totalUnread(), 0);

        // A new message while one window views the channel: read there, so read everywhere.
        bob.workspace->sendTo(u"general"_s, u"three"_s);
        QTRY_COMPARE(aliceHere.texts(u"general"_s).size(), 3);
        QTRY_COMPARE(aliceThere.channel(u"general"_s)->lastRead(), aliceHere.channel(u"general"_s)->newestId());
        QCOMPARE(aliceThere.channel(u"general"_s)->unread(), 0);

        // And a fresh sign-in sees the server's count.
        test::ClientUnderTest aliceLater;
        QVERIFY(aliceLater.signUp(m_server->url(), u"alice"_s));
        QCOMPARE(aliceLater.channel(u"general"_s)->unread(), 0);
    }

    void ownMessagesAreRead()
    {
        test::ClientUnderTest alice;
        QVERIFY(alice.signUp(m_server->url(), u"alice"_s));
        alice.workspace->sendTo(u"general"_s, u"mine"_s);
        QTRY_VERIFY(alice.channel(u"general"_s)->pending().isEmpty());
        const QString id = alice.channel(u"general"_s)->newestId();
        QCOMPARE(alice.channel(u"general"_s)->lastRead(), id);
        // The server has the marker: the next visit's divider is not above one's own message.
        const QUrl url = m_server->url();
        auto serverLastRead = [url] {
            test::TestClient probe;
            if (!probe.open(url))
                return QString();
            const auto reply = probe.call(u"login"_s, {{u"user"_s, u"alice"_s}, {u"password"_s, u"password1"_s}});
            return reply.value(u"channels"_s).toArray().at(0).toObject().value(u"lastRead"_s).toString();
        };
        QTRY_COMPARE(serverLastRead(), id);
        test::ClientUnderTest later;
        QVERIFY(later.signUp(m_server->url(), u"alice"_s));
        QCOMPARE(later.channel(u"general"_s)->dividerAfter(), id);
    }

    void escapeMarksReadAndClearsTheDivider()
    {
        test::ClientUnderTest bob;
        test::ClientUnderTest alice;
        QVERIFY(bob.signUp(m_server->url(), u"bob"_s));
        QVERIFY(alice.signUp(m_server->url(), u"alice"_s));
        QTRY_VERIFY(alice.channel(u"general"_s)->isLoaded());
        const QString before = alice.channel(u"general"_s)->newestId();
        bob.workspace->sendTo(u"general"_s, u"news"_s);
        QTRY_COMPARE(alice.texts(u"general"_s), QStringList{u"news"_s});
        ChannelStore *general = alice.channel(u"general"_s);
        QCOMPARE(general->unread(), 1);
        QCOMPARE(general->dividerAfter(), general->lastRead());
        alice.workspace->markCurrentRead();
        QCOMPARE(general->unread(), 0);
        QCOMPARE(general->dividerAfter(), general->newestId());
        QCOMPARE(general->messageModel()->dividerRow(), -1);

        // Away from the window, then back: the divider marks what came meanwhile.
        const QString seen = general->newestId();
        bob.workspace->sendTo(u"general"_s, u"while you were out"_s);
        QTRY_COMPARE(general->unread(), 1);
        QCOMPARE(general->dividerAfter(), seen);
        alice.workspace->setWindowActive(true);
        QCOMPARE(general->dividerAfter(), seen);
        QCOMPARE(general->messageModel()->dividerRow(), 0);
        QTRY_COMPARE(general->unread(), 0); // and it is read now, the divider staying
        Q_UNUSED(before);
        test::ClientUnderTest aliceLater;
        QVERIFY(aliceLater.signUp(m_server->url(), u"alice"_s));
        QCOMPARE(aliceLater.channel(u"general"_s)->lastRead(), general->newestId());
    }

    // The server goes away while messages are written on both sides; after it is back
    // everything arrives once, in order, and the pending sends are confirmed once.
    void resumeAfterServerRestart()
    {
        // A second instance on the same Redis stays up while the first is down, so Carol can
        // write while Alice's server is gone.
        test::ServerFixture other(&m_server->redis());
        QVERIFY2(other.start(), qPrintable(other.errorString()));

        test::ClientUnderTest alice;
        QVERIFY(alice.signUp(m_server->url(), u"alice"_s));
        test::TestClient carol;
        QVERIFY(carol.open(other.url()));
        QVERIFY(carol.signUp(u"carol"_s));
        QTRY_VERIFY(alice.channel(u"general"_s)->isLoaded());
        carol.call(u"send"_s, {{u"channel"_s, u"general"_s}, {u"text"_s, u"before"_s}});
        QTRY_COMPARE(alice.texts(u"general"_s), QStringList{u"before"_s});

        QSignalSpy added(alice.workspace.get(), &Workspace::messageAdded);
        m_server->stop();
        QTRY_COMPARE(alice.session->status(), ClientSession::Status::Reconnecting);
        QStringList nonces;
        for (const QString &text : {u"mine 1"_s, u"mine 2"_s, u"mine 3"_s})
            nonces << alice.workspace->sendTo(u"general"_s, text);
        QCOMPARE(alice.channel(u"general"_s)->pending().size(), 3);
        for (int i = 1; i <= 5; ++i) {
            const auto reply = carol.call(u"send"_s, {{u"channel"_s, u"general"_s}, {u"text"_s, u"meanwhile %1"_s.arg(i)}});
            QVERIFY(reply.value(u"ok"_s).toBool());
        }

        QSignalSpy resumed(alice.workspace.get(), &Workspace::resumed);
        QVERIFY(m_server->start());
        QVERIFY(resumed.wait(15000));
        ChannelStore *general = alice.channel(u"general"_s);
        QTRY_VERIFY(general->pending().isEmpty());
        QCOMPARE(alice.texts(u"general"_s),
                 (QStringList{u"before"_s, u"meanwhile 1"_s, u"meanwhile 2"_s, u"meanwhile 3"_s, u"meanwhile 4"_s,
                              u"meanwhile 5"_s, u"mine 1"_s, u"mine 2"_s, u"mine 3"_s}));
        QVERIFY(strictlyOrdered(*general));
        // Each message announced once: five of Carol's, three of ours.
        QTRY_COMPARE(added.size(), 8);
        QSet<QString> ids;
        for (const auto &args : added)
            ids.insert(args[1].toString());
        QCOMPARE(ids.size(), 8);

        // Carol, on the other instance, has each of Alice's messages once, in order.
        const auto history = carol.call(u"history"_s, {{u"channel"_s, u"general"_s}, {u"limit"_s, 100}});
        QStringList carolSees;
        const auto messages = history.value(u"messages"_s).toArray();
        for (const auto &m : messages) {
            if (m.toObject().value(u"kind"_s).toString() == u"message"_s)
                carolSees << m.toObject().value(u"text"_s).toString();
        }
        QCOMPARE(carolSees, alice.texts(u"general"_s));
    }

    // `history after` brings only new messages: what others did to the held ones while the link
    // was down (edits, deletions, reactions, reply counts) comes from `changes` on resume, in
    // place, row by row. A channel where nothing changed is not asked.
    void changesMadeWhileAwayArriveOnReconnect()
    {
        test::ClientUnderTest alice(50, protocol::kMaxListPage, test::ClientUnderTest::Reconnect::WhenAsked);
        test::ClientUnderTest bob;
        QVERIFY(alice.signUp(m_server->url(), u"alice"_s));
        QVERIFY(bob.signUp(m_server->url(), u"bob"_s));
        bob.workspace->join(u"quiet"_s);
        alice.workspace->join(u"quiet"_s);
        QTRY_VERIFY(alice.channel(u"quiet"_s));
        bob.workspace->sendTo(u"quiet"_s, u"nothing happens here"_s);
        for (const QString &text : {u"one"_s, u"two"_s, u"three"_s})
            bob.workspace->sendTo(u"general"_s, text);
        alice.workspace->setCurrentName(u"general"_s);
        QTRY_COMPARE(alice.texts(u"general"_s), (QStringList{u"one"_s, u"two"_s, u"three"_s}));
        QTRY_COMPARE(alice.texts(u"quiet"_s), QStringList{u"nothing happens here"_s});
        ChannelStore *general = alice.channel(u"general"_s);
        ChannelStore *quiet = alice.channel(u"quiet"_s);
        const auto idOf = [general](const QString &text) {
            for (const StoredMessage &m : general->messages()) {
                if (m.text == text)
                    return m.idString();
            }
            return QString();
        };
        const QString one = idOf(u"one"_s), two = idOf(u"two"_s), three = idOf(u"three"_s);
        MessageModel &model = *general->messageModel();
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        const auto row = [&model](const QString &id) { return model.index(model.rowOf(id)); };
        const QString quietCursor = quiet->changeCursor();

        QVERIFY(alice.dropLink());
        const auto ok = [&bob](const auto &params) {
            const auto reply = QCoro::waitFor(bob.session->request(params));
            return reply.ok;
        };
        QVERIFY(ok(protocol::EditParams{u"general"_s, one, u"one, edited"_s}));
        QVERIFY(ok(protocol::DeleteParams{u"general"_s, two}));
        QVERIFY(ok(protocol::ReactParams{u"general"_s, three, u"👍"_s, true}));
        QVERIFY(ok(protocol::SendParams{u"general"_s, u"a reply"_s, {}, three}));
        QCOMPARE(row(one).data(MessageModel::TextRole).toString(), u"one"_s); // away: nothing yet

        QSignalSpy resumed(alice.workspace.get(), &Workspace::resumed);
        alice.session->retryNow();
        QVERIFY(resumed.wait(15000));
        QCOMPARE(row(one).data(MessageModel::TextRole).toString(), u"one, edited"_s);
        QVERIFY(row(one).data(MessageModel::IsEditedRole).toBool());
        QVERIFY(row(two).data(MessageModel::IsDeletedRole).toBool());
        QVERIFY(row(two).data(MessageModel::TextRole).toString().isEmpty());
        const QVariantList chips = row(three).data(MessageModel::ReactionsRole).toList();
        QCOMPARE(chips.size(), 1);
        QCOMPARE(chips[0].toMap().value(u"users"_s).toStringList(), QStringList{u"bob"_s});
        QCOMPARE(row(three).data(MessageModel::RepliesRole).toInt(), 1);
        QCOMPARE(alice.texts(u"general"_s), (QStringList{u"one, edited"_s, QString(), u"three"_s, u"a reply"_s}));
        QVERIFY(strictlyOrdered(*general));
        QCOMPARE(reset.size(), 0); // in place
        QVERIFY(!general->missesChanges());
        QCOMPARE(quiet->changeCursor(), quietCursor);
        QVERIFY(!quiet->missesChanges());

        // Live again: an update moves the cursor on with it (the next resume asks nothing).
        QVERIFY(ok(protocol::EditParams{u"general"_s, one, u"one, again"_s}));
        QTRY_COMPARE(row(one).data(MessageModel::TextRole).toString(), u"one, again"_s);
        QVERIFY(!general->missesChanges());
    }

    // The server keeps only so many changes: past them it says `reload`, and the channel's
    // held history is replaced by its newest page, still the channel on screen, each message
    // once, the unread count right.
    void reloadWhenTheChangesAreGone()
    {
        test::ClientUnderTest alice(50, protocol::kMaxListPage, test::ClientUnderTest::Reconnect::WhenAsked);
        test::ClientUnderTest bob;
        QVERIFY(alice.signUp(m_server->url(), u"alice"_s));
        QVERIFY(bob.signUp(m_server->url(), u"bob"_s));
        for (const QString &text : {u"one"_s, u"two"_s})
            bob.workspace->sendTo(u"general"_s, text);
        alice.workspace->setCurrentName(u"general"_s);
        QTRY_COMPARE(alice.texts(u"general"_s), (QStringList{u"one"_s, u"two"_s}));
        ChannelStore *general = alice.channel(u"general"_s);
        const QString one = general->messages()[general->messages().size() - 2].idString();
        QCOMPARE(general->unread(), 2); // the window is not active: nothing read

        QVERIFY(alice.dropLink());
        const protocol::EditParams edit{u"general"_s, one, u"one, edited"_s};
        QVERIFY(QCoro::waitFor(bob.session->request(edit)).ok);
        const protocol::EditParams again{u"general"_s, one, u"one, edited twice"_s};
        QVERIFY(QCoro::waitFor(bob.session->request(again)).ok);
        const protocol::SendParams three{u"general"_s, u"three"_s, {}, {}};
        QVERIFY(QCoro::waitFor(bob.session->request(three)).ok);
        // Stand in for the server's trim (10,000 changes or 7 days): all but the newest go.
        QVERIFY(m_server->redis().run({"XTRIM", "rill:{c:general}:changes", "MAXLEN", "1"}).isOk());

        QSignalSpy resumed(alice.workspace.get(), &Workspace::resumed);
        alice.session->retryNow();
        QVERIFY(resumed.wait(15000));
        QCOMPARE(alice.workspace->currentName(), u"general"_s);
        QCOMPARE(alice.channel(u"general"_s), general);
        QCOMPARE(alice.texts(u"general"_s), (QStringList{u"one, edited twice"_s, u"two"_s, u"three"_s}));
        QVERIFY(strictlyOrdered(*general));
        QCOMPARE(general->unread(), 3);
        QVERIFY(!general->missesChanges());
        QCOMPARE(general->messageModel()->rowCount(), int(general->messages().size()));
    }

    void partOnAnotherDeviceLeavesHereToo()
    {
        test::ClientUnderTest here;
        test::ClientUnderTest there;
        QVERIFY(here.signUp(m_server->url(), u"alice"_s));
        QVERIFY(there.signUp(m_server->url(), u"alice"_s));
        here.workspace->join(u"dev"_s);
        QTRY_VERIFY(here.channel(u"dev"_s));
        QTRY_VERIFY(there.channel(u"dev"_s)); // the channel event: joined on another device
        there.workspace->part(u"dev"_s);
        QTRY_VERIFY(!there.channel(u"dev"_s));
        QTRY_VERIFY(!here.channel(u"dev"_s));
        QCOMPARE(here.workspace->currentName(), u"general"_s);
    }

    // Revision 2 end to end: what one client does to a message reaches the other's model as
    // that row's new state (and the doer's own, from the same events), and a refusal is
    // shown, not swallowed.
    void editsReactionsDeletionsAndTopicsGoLive()
    {
        test::ClientUnderTest alice;
        test::ClientUnderTest bob;
        QVERIFY(alice.signUp(m_server->url(), u"alice"_s));
        QVERIFY(bob.signUp(m_server->url(), u"bob"_s));
        alice.workspace->setCurrentName(u"general"_s);
        bob.workspace->setCurrentName(u"general"_s);
        alice.workspace->sendTo(u"general"_s, u"helo"_s);
        QTRY_COMPARE(bob.texts(u"general"_s), QStringList{u"helo"_s});
        ChannelStore *aliceGeneral = alice.channel(u"general"_s);
        ChannelStore *bobGeneral = bob.channel(u"general"_s);
        QTRY_VERIFY(aliceGeneral->pending().isEmpty());
        const QString id = aliceGeneral->lastEditableId();
        QCOMPARE(id, aliceGeneral->newestId());
        QVERIFY(bobGeneral->lastEditableId().isEmpty()); // not his to edit
        MessageModel &bobModel = *bobGeneral->messageModel();
        QAbstractItemModelTester tester(&bobModel, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy bobReset(&bobModel, &QAbstractItemModel::modelReset);
        const auto bobRow = [&] { return bobModel.index(bobModel.rowOf(id)); };

        QCOMPARE(alice.workspace->editMessage(id, u"hello"_s), QString());
        QTRY_COMPARE(bobRow().data(MessageModel::TextRole).toString(), u"hello"_s);
        QVERIFY(bobRow().data(MessageModel::IsEditedRole).toBool());
        QTRY_VERIFY(aliceGeneral->messageModel()->index(0).data(MessageModel::IsEditedRole).toBool());
        QVERIFY(!alice.workspace->editMessage(id, u"   "_s).isEmpty()); // refused here, nothing sent

        bob.workspace->toggleReaction(id, u"👍"_s);
        QTRY_COMPARE(aliceGeneral->messageModel()->index(0).data(MessageModel::ReactionsRole).toList().size(), 1);
        const QVariantMap chip = aliceGeneral->messageModel()->index(0).data(MessageModel::ReactionsRole).toList()[0].toMap();
        QCOMPARE(chip.value(u"users"_s).toStringList(), QStringList{u"bob"_s});
        QVERIFY(!chip.value(u"mine"_s).toBool());
        QTRY_VERIFY(bobGeneral->hasReacted(bobGeneral->indexOfId(id), u"👍"_s));
        bob.workspace->toggleReaction(id, u"👍"_s); // clicking the chip again takes it back
        QTRY_VERIFY(aliceGeneral->messageModel()->index(0).data(MessageModel::ReactionsRole).toList().isEmpty());

        // A reply (threads have no UI yet): the root says how many it has.
        protocol::SendParams reply{u"general"_s, u"in a thread"_s, {}, id};
        QVERIFY(QCoro::waitFor(bob.session->request(reply)).ok);
        QTRY_COMPARE(bobRow().data(MessageModel::RepliesRole).toInt(), 1);

        // Not his: the server refuses, and Bob is told.
        QSignalSpy bobProblem(bob.workspace.get(), &Workspace::problem);
        QCOMPARE(bob.workspace->editMessage(id, u"mine now"_s), QString());
        QTRY_COMPARE(bobProblem.size(), 1);
        QVERIFY(!bobProblem[0][0].toString().isEmpty());
        QCOMPARE(bobRow().data(MessageModel::TextRole).toString(), u"hello"_s);

        alice.workspace->deleteMessage(id);
        QTRY_VERIFY(bobRow().data(MessageModel::IsDeletedRole).toBool());
        QVERIFY(bobRow().data(MessageModel::TextRole).toString().isEmpty());
        QCOMPARE(bobRow().data(MessageModel::RepliesRole).toInt(), 1); // the thread stays
        bob.workspace->toggleReaction(id, u"🎉"_s); // too late: refused, and said
        QTRY_COMPARE(bobProblem.size(), 2);

        QSignalSpy aliceTopic(aliceGeneral, &ChannelStore::topicChanged);
        bob.workspace->setTopic(u"  Launch on Friday  "_s);
        QTRY_COMPARE(aliceGeneral->topic(), u"Launch on Friday"_s);
        QTRY_COMPARE(bobGeneral->topic(), u"Launch on Friday"_s);
        QCOMPARE(aliceTopic.size(), 1);
        QCOMPARE(bobReset.size(), 0);

        // A fresh sign-in gets the current state from the snapshot and the history.
        test::ClientUnderTest carol;
        QVERIFY(carol.signUp(m_server->url(), u"carol"_s));
        QCOMPARE(carol.channel(u"general"_s)->topic(), u"Launch on Friday"_s);
    }

    void refusedSendStaysWithARetry()
    {
        test::ClientUnderTest alice;
        QVERIFY(alice.signUp(m_server->url(), u"alice"_s));
        // A channel this client believes it is in and the server does not (stale state).
        protocol::ChannelInfo ghost;
        ghost.name = u"ghost"_s;
        Q_EMIT alice.session->channelAdded(protocol::ChannelEvent{ghost});
        ChannelStore *store = alice.channel(u"ghost"_s);
        QVERIFY(store);
        const QString nonce = alice.workspace->sendTo(u"ghost"_s, u"anyone?"_s);
        QTRY_COMPARE(store->pending().constFirst().state, PendingSend::State::Failed);
        QVERIFY(!store->pending().constFirst().error.isEmpty());
        QVERIFY(store->messageModel()->index(0).data(MessageModel::IsFailedRole).toBool());

        // In the channel for real, the retry goes through, once.
        QVERIFY(QCoro::waitFor(alice.session->request(protocol::JoinParams{u"ghost"_s})).ok);
        alice.workspace->setCurrentName(u"ghost"_s);
        alice.workspace->retry(nonce);
        QTRY_VERIFY(store->pending().isEmpty());
        QCOMPARE(alice.texts(u"ghost"_s), QStringList{u"anyone?"_s});
    }

    void discardForgetsAFailedSend()
    {
        test::ClientUnderTest alice;
        QVERIFY(alice.signUp(m_server->url(), u"alice"_s));
        ChannelStore *general = alice.channel(u"general"_s);
        alice.session->connection().abort(); // offline: the send stays here
        QTRY_VERIFY(!alice.session->isOnline());
        const QString nonce = general->addPending(u"never mind"_s);
        general->setPendingState(nonce, PendingSend::State::Failed, u"no"_s);
        alice.workspace->discard(nonce);
        QVERIFY(general->pending().isEmpty());
    }

    void resendAfterALostReplyIsNotADuplicate()
    {
        test::ClientUnderTest alice;
        QVERIFY(alice.signUp(m_server->url(), u"alice"_s));
        QTRY_VERIFY(alice.channel(u"general"_s)->isLoaded());
        ChannelStore *general = alice.channel(u"general"_s);
        // The send leaves, and the link dies before its reply can come back.
        alice.workspace->sendTo(u"general"_s, u"exactly once"_s);
        QCOMPARE(general->pending().constFirst().state, PendingSend::State::Sending);
        m_server->stop();
        QTRY_COMPARE(general->pending().constFirst().state, PendingSend::State::Queued);
        QVERIFY(m_server->start());
        QTRY_VERIFY(general->pending().isEmpty());
        QCOMPARE(alice.texts(u"general"_s), QStringList{u"exactly once"_s});
        test::ClientUnderTest check;
        QVERIFY(check.signUp(m_server->url(), u"alice"_s));
        QTRY_VERIFY(check.channel(u"general"_s)->isLoaded());
        QCOMPARE(check.texts(u"general"_s), QStringList{u"exactly once"_s});
    }

    void scrollbackPagesToTheStart()
    {
        test::TestClient bob;
        QVERIFY(bob.open(m_server->url()));
        QVERIFY(bob.signUp(u"bob"_s));
        QList<qint64> posted;
        for (int i = 1; i <= 130; ++i)
            posted << bob.post(u"send"_s, {{u"channel"_s, u"general"_s}, {u"text"_s, u"m%1"_s.arg(i)}});
        for (const qint64 id : std::as_const(posted))
            QVERIFY(bob.replyTo(id).value(u"ok"_s).toBool());

        test::ClientUnderTest alice(25);
        QVERIFY(alice.signUp(m_server->url(), u"alice"_s));
        ChannelStore *general = alice.channel(u"general"_s);
        MessageModel *model = general->messageModel();
        QTRY_VERIFY(general->isLoaded());
        QCOMPARE(alice.texts(u"general"_s).size(), 24); // the newest page: alice's join and 24 of bob's
        int pages = 1;
        while (model->canFetchMore({})) {
            model->fetchMore({});
            QTRY_VERIFY(!general->isLoadingOlder());
            ++pages;
        }
        QVERIFY(general->isAtStart());
        QCOMPARE(pages, 6); // 132 entries in pages of 25
        QStringList expected;
        for (int i = 1; i <= 130; ++i)
            expected << u"m%1"_s.arg(i);
        QCOMPARE(alice.texts(u"general"_s), expected);
        QVERIFY(strictlyOrdered(*general));
        QCOMPARE(general->messages().constFirst().kind, protocol::MessageKind::Join);
    }

    // The channel list's mention badge: the server's count at sign-in, kept exact live (a
    // mention in a channel not viewed adds one), zero once read, and the server agrees.
    void mentionBadgeCountsLiveAndResetsOnRead()
    {
        test::ClientUnderTest alice;
        test::ClientUnderTest bob;
        QVERIFY(alice.signUp(m_server->url(), u"alice"_s));
        QVERIFY(bob.signUp(m_server->url(), u"bob"_s));
        alice.workspace->setWindowActive(true);
        alice.workspace->setCurrentName(u"general"_s);
        bob.workspace->join(u"dev"_s);
        QTRY_VERIFY(bob.channel(u"dev"_s));
        alice.workspace->join(u"dev"_s);
        QTRY_VERIFY(alice.channel(u"dev"_s));
        alice.workspace->setCurrentName(u"general"_s);
        ChannelStore *dev = alice.channel(u"dev"_s);
        ChannelListModel *list = alice.workspace->channels();
        const auto badge = [&] { return list->index(list->rowOf(u"dev"_s)).data(ChannelListModel::MentionsRole).toInt(); };
        QCOMPARE(badge(), 0);

        bob.workspace->sendTo(u"dev"_s, u"@alice can you review?"_s);
        bob.workspace->sendTo(u"dev"_s, u"no rush"_s);
        QTRY_COMPARE(dev->unread(), 2);
        QCOMPARE(dev->mentions(), 1);
        QCOMPARE(badge(), 1);

        // Another sign-in of Alice gets the same count from the server's snapshot.
        test::ClientUnderTest again;
        QVERIFY(again.signUp(m_server->url(), u"alice"_s));
        QCOMPARE(again.channel(u"dev"_s)->mentions(), 1);

        // Reading it (here) resets it, here and there.
        alice.workspace->setCurrentName(u"dev"_s);
        QTRY_COMPARE(badge(), 0);
        QTRY_COMPARE(again.channel(u"dev"_s)->mentions(), 0);
    }

    void directMessagesAndAttention()
    {
        test::ClientUnderTest alice;
        test::ClientUnderTest bob;
        QVERIFY(alice.signUp(m_server->url(), u"alice"_s));
        QVERIFY(bob.signUp(m_server->url(), u"bob"_s));
        QSignalSpy attention(alice.workspace.get(), &Workspace::attentionNeeded);

        bob.workspace->openDirect(u"alice"_s);
        const QString dm = protocol::dmChannelName(u"alice"_s, u"bob"_s);
        QTRY_COMPARE(bob.workspace->currentName(), dm);
        QTRY_VERIFY(alice.channel(dm)); // the channel event
        QCOMPARE(alice.channel(dm)->title(), u"bob"_s);
        bob.workspace->send(u"psst"_s);
        QTRY_COMPARE(attention.size(), 1);
        QCOMPARE(attention[0][0].toString(), dm);
        QCOMPARE(attention[0][1].toString(), u"bob"_s);
        QCOMPARE(attention[0][2].toString(), u"psst"_s);

        // A mention in a channel also asks for attention; a plain message does not.
        bob.workspace->sendTo(u"general"_s, u"nothing special"_s);
        bob.workspace->sendTo(u"general"_s, u"@alice look"_s);
        QTRY_COMPARE(alice.texts(u"general"_s).size(), 2);
        QTRY_COMPARE(attention.size(), 2);
        QCOMPARE(attention[1][2].toString(), u"@alice look"_s);

        // Nothing while the window is active.
        alice.workspace->setWindowActive(true);
        bob.workspace->send(u"again"_s);
        QTRY_COMPARE(alice.texts(dm).size(), 2);
        QCOMPARE(attention.size(), 2);
    }

    // Issue 9, item 5: a DM that arrives mid-session shows whether its peer is online.
    void directMessageArrivingMidSessionShowsItsPeersPresence()
    {
        // Bob is online before Alice signs in: no presence event will tell her.
        test::ClientUnderTest bob;
        test::ClientUnderTest alice;
        const QString dm = bobOpensDirectToAlice(bob, alice);
        QVERIFY(!dm.isEmpty());
        for (auto *side : {&alice, &bob}) {
            const ChannelListModel &list = *side->workspace->channels();
            QAbstractItemModelTester tester(side->workspace->channels(), QAbstractItemModelTester::FailureReportingMode::QtTest);
            QTRY_VERIFY(list.index(list.rowOf(dm)).data(ChannelListModel::PeerOnlineRole).toBool());
        }
        QVERIFY(alice.channel(dm)->membersLoaded());

        bob.session->disconnectFromServer();
        const ChannelListModel &list = *alice.workspace->channels();
        QTRY_VERIFY(!list.index(list.rowOf(dm)).data(ChannelListModel::PeerOnlineRole).toBool());
    }

    // Issue 9, item 9: while the link is down nobody's presence is known; after the resume
    // it is asked again.
    void presenceIsUnknownWhileOffline()
    {
        test::ClientUnderTest bob;
        test::ClientUnderTest alice;
        const QString dm = bobOpensDirectToAlice(bob, alice);
        QVERIFY(!dm.isEmpty());
        ChannelStore *general = alice.channel(u"general"_s);
        MemberModel *members = general->memberModel();
        QAbstractItemModelTester tester(members, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const ChannelListModel &list = *alice.workspace->channels();
        const auto bobOnline = [&] {
            return std::any_of(general->members().cbegin(), general->members().cend(),
                               [](const Member &m) { return m.user == u"bob"_s && m.online; });
        };
        QTRY_VERIFY(bobOnline());
        QTRY_VERIFY(list.index(list.rowOf(dm)).data(ChannelListModel::PeerOnlineRole).toBool());
        QVERIFY(members->presenceKnown());
        QVERIFY(list.index(list.rowOf(dm)).data(ChannelListModel::PeerPresenceKnownRole).toBool());

        m_server->stop();
        QTRY_COMPARE(alice.session->status(), ClientSession::Status::Reconnecting);
        QVERIFY(!members->presenceKnown());
        QVERIFY(!bobOnline());
        QCOMPARE(members->onlineCount(), 0);
        QVERIFY(!list.index(list.rowOf(dm)).data(ChannelListModel::PeerOnlineRole).toBool());
        QVERIFY(!list.index(list.rowOf(dm)).data(ChannelListModel::PeerPresenceKnownRole).toBool());

        QVERIFY(m_server->start());
        QTRY_VERIFY(alice.session->isOnline());
        QTRY_VERIFY(members->presenceKnown());
        QTRY_VERIFY(bobOnline()); // Bob's app is back too
        QTRY_VERIFY(list.index(list.rowOf(dm)).data(ChannelListModel::PeerOnlineRole).toBool());
        QVERIFY(list.index(list.rowOf(dm)).data(ChannelListModel::PeerPresenceKnownRole).toBool());
    }

    void typingMembersAndPresence()
    {
        test::ClientUnderTest alice;
        test::ClientUnderTest bob;
        QVERIFY(alice.signUp(m_server->url(), u"alice"_s));
        QVERIFY(bob.signUp(m_server->url(), u"bob"_s));
        ChannelStore *general = alice.channel(u"general"_s);
        QTRY_VERIFY(general->membersLoaded());
        QTRY_COMPARE(general->members().size(), 2);
        QTRY_VERIFY(std::all_of(general->members().cbegin(), general->members().cend(), [](const Member &m) { return m.online; }));

        bob.workspace->typing();
        bob.workspace->typing(); // throttled: one typing event goes out
        QTRY_COMPARE(general->typingText(), u"bob is typing…"_s);

        bob.session->disconnectFromServer();
        QTRY_VERIFY(std::any_of(general->members().cbegin(), general->members().cend(),
                                [](const Member &m) { return m.user == u"bob"_s && !m.online; }));
    }

    void browseJoinAndPart()
    {
        test::ClientUnderTest alice;
        test::ClientUnderTest bob;
        QVERIFY(alice.signUp(m_server->url(), u"alice"_s));
        QVERIFY(bob.signUp(m_server->url(), u"bob"_s));
        bob.workspace->join(u"design"_s);
        QTRY_VERIFY(bob.channel(u"design"_s));

        alice.workspace->refreshDirectory();
        DirectoryModel *directory = alice.workspace->directory();
        QTRY_COMPARE(directory->rowCount(), 2);
        QTRY_VERIFY(!directory->isLoading());
        int designRow = -1;
        for (int row = 0; row < directory->rowCount(); ++row) {
            if (directory->index(row).data(DirectoryModel::NameRole).toString() == u"design"_s)
                designRow = row;
        }
        QVERIFY(designRow >= 0);
        QVERIFY(!directory->index(designRow).data(DirectoryModel::JoinedRole).toBool());
        alice.workspace->join(u"design"_s);
        QTRY_VERIFY(alice.channel(u"design"_s));
        QVERIFY(directory->index(designRow).data(DirectoryModel::JoinedRole).toBool());

        QSignalSpy problems(alice.workspace.get(), &Workspace::problem);
        alice.workspace->join(u"no spaces allowed"_s);
        QCOMPARE(problems.size(), 1);

        alice.workspace->part(u"design"_s);
        QTRY_VERIFY(!alice.channel(u"design"_s));
        QCOMPARE(alice.workspace->currentName(), u"general"_s);
        QTRY_VERIFY(std::any_of(bob.channel(u"design"_s)->messages().cbegin(), bob.channel(u"design"_s)->messages().cend(),
                                [](const StoredMessage &m) { return m.kind == protocol::MessageKind::Part; }));
    }

    // The server answers `channels` and `members` a page at a time: the directory and the member
    // list hold every page, not the first (pages of two here).
    void directoryAndMembersReadEveryPage()
    {
        test::ClientUnderTest alice(50, 2);
        test::ClientUnderTest bob;
        test::ClientUnderTest carol;
        QVERIFY(bob.signUp(m_server->url(), u"bob"_s));
        QVERIFY(carol.signUp(m_server->url(), u"carol"_s));
        for (const QString &name : {u"design"_s, u"ops"_s, u"random"_s, u"zebra"_s})
            bob.workspace->join(name);
        QTRY_VERIFY(bob.channel(u"zebra"_s));
        QVERIFY(alice.signUp(m_server->url(), u"alice"_s));

        alice.workspace->refreshDirectory();
        DirectoryModel *directory = alice.workspace->directory();
        QTRY_COMPARE(directory->rowCount(), 5); // general and bob's four
        QTRY_VERIFY(!directory->isLoading());
        QStringList names;
        for (int row = 0; row < directory->rowCount(); ++row)
            names << directory->index(row).data(DirectoryModel::NameRole).toString();
        names.sort();
        QCOMPARE(names, (QStringList{u"design"_s, u"general"_s, u"ops"_s, u"random"_s, u"zebra"_s}));

        ChannelStore *general = alice.channel(u"general"_s);
        QVERIFY(general);
        alice.workspace->setCurrentName(u"general"_s);
        QTRY_COMPARE(general->members().size(), 3);
    }

    void opensThePreferredChannelElseGeneral()
    {
        test::ClientUnderTest bob;
        QVERIFY(bob.signUp(m_server->url(), u"bob"_s));
        test::ClientUnderTest alice;
        QVERIFY(alice.signUp(m_server->url(), u"alice"_s));
        bob.workspace->openDirect(u"alice"_s); // the DM sorts first in no list, but may come first
        const QString dm = protocol::dmChannelName(u"alice"_s, u"bob"_s);
        QTRY_VERIFY(alice.channel(dm));
        alice.workspace->join(u"zeta"_s);
        QTRY_VERIFY(alice.channel(u"zeta"_s));

        test::ClientUnderTest again;
        QVERIFY(again.signUp(m_server->url(), u"alice"_s));
        QCOMPARE(again.workspace->currentName(), u"general"_s);

        test::ClientUnderTest back;
        back.workspace->setPreferredChannel(u"zeta"_s);
        QVERIFY(back.signUp(m_server->url(), u"alice"_s));
        QCOMPARE(back.workspace->currentName(), u"zeta"_s);
    }

    void altUpDownCyclesChannels()
    {
        test::ClientUnderTest alice;
        QVERIFY(alice.signUp(m_server->url(), u"alice"_s));
        alice.workspace->join(u"zeta"_s);
        QTRY_COMPARE(alice.workspace->currentName(), u"zeta"_s);
        alice.workspace->selectRelative(1);
        QCOMPARE(alice.workspace->currentName(), u"general"_s); // wraps around
        alice.workspace->selectRelative(-1);
        QCOMPARE(alice.workspace->currentName(), u"zeta"_s);
    }
};

QTEST_GUILESS_MAIN(TestWorkspace)
#include "tst_workspace.moc"
