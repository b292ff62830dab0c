// The thread panel's client core against a real rill server on a real redis-server: a thread
// opened from a root or a reply, read page by page, kept live, answered, and loaded again
// after a reconnect.
#include "ClientUnderTest.h"
#include "ServerFixture.h"
#include "TestClient.h"

#include "models/MessageModel.h"
#include "stores/Thread.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace rill;
using namespace rill::client;
using namespace Qt::StringLiterals;

namespace {
// Texts of a store's messages (join/part notices left out), oldest first.
QStringList textsOf(const ChannelStore *store)
{
    QStringList out;
    if (!store)
        return out;
    for (const StoredMessage &m : store->messages()) {
        if (m.kind == protocol::MessageKind::Message)
            out << m.text;
    }
    return out;
}

// Posts as a protocol client and returns the new message's ID ("" when refused).
QString post(test::TestClient &client, const QString &text, const QString &replyTo = {})
{
    QJsonObject params{{u"channel"_s, u"general"_s}, {u"text"_s, text}};
    if (!replyTo.isEmpty())
        params.insert(u"replyTo"_s, replyTo);
    return client.call(u"send"_s, params).value(u"message"_s).toObject().value(u"id"_s).toString();
}
} // namespace

class TestThread : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::ServerFixture> m_server;

private Q_SLOTS:
    void init()
    {
        m_server = std::make_unique<test::ServerFixture>();
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    }

    void cleanup() { m_server.reset(); }

    void opensLoadsEveryPageAndFollowsLive()
    {
        test::ClientUnderTest alice(3); // pages of 3: seven replies take three `thread` pages
        QVERIFY(alice.signUp(m_server->url(), u"alice"_s));
        test::TestClient bob;
        QVERIFY(bob.open(m_server->url()));
        QVERIFY(bob.signUp(u"bob"_s));
        const QString root = post(bob, u"Shall we ship on Friday?"_s);
        QVERIFY(!root.isEmpty());
        QStringList replies;
        for (int i = 1; i <= 7; ++i) {
            replies << u"reply %1"_s.arg(i);
            QVERIFY(!post(bob, replies.last(), root).isEmpty());
        }
        post(bob, u"not in the thread"_s);
        QTRY_VERIFY(alice.channel(u"general"_s)->isLoaded());

        Thread *thread = alice.workspace->thread();
        QVERIFY(!thread->isOpen());
        QSignalSpy opened(thread, &Thread::openChanged);
        alice.workspace->openThread(root);
        QCOMPARE(opened.size(), 1);
        QVERIFY(thread->isOpen());
        QCOMPARE(thread->rootId(), root);
        QCOMPARE(thread->channel(), u"general"_s);
        MessageModel *model = thread->messages();
        QVERIFY(model);
        QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QTRY_VERIFY(!thread->isLoading());
        QCOMPARE(textsOf(thread->store()), QStringList{u"Shall we ship on Friday?"_s} + replies);
        // Bottom-to-top like the timeline: the root is the last row, with its count.
        const QModelIndex rootRow = model->index(model->rowCount() - 1);
        QCOMPARE(rootRow.data(MessageModel::IdRole).toString(), root);
        QCOMPARE(rootRow.data(MessageModel::RepliesRole).toInt(), 7);
        QCOMPARE(model->index(0).data(MessageModel::ReplyToRole).toString(), root);
        QCOMPARE(model->dividerRow(), -1); // a thread has no "new messages" divider
        QVERIFY(!model->canFetchMore({}));

        // Live: Bob answers; the reply joins the panel and the root's count follows.
        post(bob, u"reply 8"_s, root);
        QTRY_COMPARE(textsOf(thread->store()).last(), u"reply 8"_s);
        QTRY_COMPARE(model->index(model->rowCount() - 1).data(MessageModel::RepliesRole).toInt(), 8);
        post(bob, u"elsewhere"_s);
        QTRY_COMPARE(alice.texts(u"general"_s).last(), u"elsewhere"_s);
        QVERIFY(!textsOf(thread->store()).contains(u"elsewhere"_s));

        // Alice answers from the panel: a channel message with replyTo, in both places.
        QVERIFY(!alice.workspace->sendReply(u"   "_s).isEmpty());
        QCOMPARE(alice.workspace->sendReply(u"Friday it is"_s), QString());
        ChannelStore *general = alice.channel(u"general"_s);
        QCOMPARE(general->messageModel()->index(0).data(MessageModel::ReplyToRole).toString(), root); // pending
        QTRY_COMPARE(textsOf(thread->store()).last(), u"Friday it is"_s);
        QTRY_VERIFY(general->pending().isEmpty());
        QCOMPARE(alice.texts(u"general"_s).last(), u"Friday it is"_s);
        QTRY_COMPARE(model->index(model->rowCount() - 1).data(MessageModel::RepliesRole).toInt(), 9);
        const QModelIndex inChannel = general->messageModel()->index(0);
        QCOMPARE(inChannel.data(MessageModel::ReplyToRole).toString(), root);
        QCOMPARE(inChannel.data(MessageModel::ThreadExcerptRole).toString(), u"Shall we ship on Friday?"_s);
        QCOMPARE(general->messageModel()->rowOf(root) >= 0, true);
        QCOMPARE(general->messageModel()->index(general->messageModel()->rowOf(root)).data(MessageModel::RepliesRole).toInt(), 9);

        // An edit of a reply, from Bob's side, replaces its row in the panel.
        const QString firstReply = thread->store()->messages()[1].idString();
        QVERIFY(bob.call(u"edit"_s, {{u"channel"_s, u"general"_s}, {u"messageId"_s, firstReply}, {u"text"_s, u"reply one"_s}})
                    .value(u"ok"_s).toBool());
        QTRY_COMPARE(thread->store()->messages()[1].text, u"reply one"_s);
        QVERIFY(thread->store()->messages()[1].edited);

        alice.workspace->closeThread();
        QVERIFY(!thread->isOpen());
        QVERIFY(!thread->messages());
    }

    void aReplyOpensItsRootsThread()
    {
        test::ClientUnderTest alice;
        QVERIFY(alice.signUp(m_server->url(), u"alice"_s));
        test::TestClient bob;
        QVERIFY(bob.open(m_server->url()));
        QVERIFY(bob.signUp(u"bob"_s));
        const QString root = post(bob, u"root"_s);
        const QString reply = post(bob, u"answer"_s, root);
        QTRY_VERIFY(alice.channel(u"general"_s)->indexOfId(reply) >= 0);
        QCOMPARE(alice.channel(u"general"_s)->replyToOf(reply), root);

        alice.workspace->openThread(reply);
        QCOMPARE(alice.workspace->thread()->rootId(), root);
        QTRY_COMPARE(textsOf(alice.workspace->thread()->store()), (QStringList{u"root"_s, u"answer"_s}));

        // The panel belongs to the channel beside it.
        alice.workspace->join(u"dev"_s);
        QTRY_COMPARE(alice.workspace->currentName(), u"dev"_s);
        QVERIFY(!alice.workspace->thread()->isOpen());
    }

    void aMissingRootClosesThePanelAndSaysSo()
    {
        test::ClientUnderTest alice;
        QVERIFY(alice.signUp(m_server->url(), u"alice"_s));
        QSignalSpy problem(alice.workspace.get(), &Workspace::problem);
        alice.workspace->openThread(u"1-1"_s);
        QTRY_COMPARE(problem.size(), 1);
        QVERIFY(!alice.workspace->thread()->isOpen());
        QCOMPARE(alice.workspace->sendReply(u"into the void"_s).isEmpty(), false);
        QVERIFY(alice.channel(u"general"_s)->pending().isEmpty());
    }

    void reloadsAfterAReconnect()
    {
        // Bob writes through a second instance on the same Redis while Alice's is down.
        test::ServerFixture other(&m_server->redis());
        QVERIFY2(other.start(), qPrintable(other.errorString()));
        test::ClientUnderTest alice;
        QVERIFY(alice.signUp(m_server->url(), u"alice"_s));
        test::TestClient bob;
        QVERIFY(bob.open(other.url()));
        QVERIFY(bob.signUp(u"bob"_s));
        const QString root = post(bob, u"root"_s);
        const QString first = post(bob, u"first"_s, root);
        QTRY_VERIFY(alice.channel(u"general"_s)->indexOfId(first) >= 0);
        alice.workspace->openThread(root);
        Thread *thread = alice.workspace->thread();
        QTRY_COMPARE(textsOf(thread->store()), (QStringList{u"root"_s, u"first"_s}));

        m_server->stop();
        QTRY_COMPARE(alice.session->status(), ClientSession::Status::Reconnecting);
        post(bob, u"while you were away"_s, root);
        QVERIFY(bob.call(u"edit"_s, {{u"channel"_s, u"general"_s}, {u"messageId"_s, first}, {u"text"_s, u"first, edited"_s}})
                    .value(u"ok"_s).toBool());
        QVERIFY(m_server->start());
        QTRY_COMPARE(textsOf(thread->store()), (QStringList{u"root"_s, u"first, edited"_s, u"while you were away"_s}));
        QCOMPARE(thread->messages()->index(thread->messages()->rowCount() - 1).data(MessageModel::RepliesRole).toInt(), 2);
        QVERIFY(thread->isOpen());
    }
};

QTEST_GUILESS_MAIN(TestThread)
#include "tst_thread.moc"
