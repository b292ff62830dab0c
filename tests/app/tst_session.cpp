// The session against a real rill server on a real redis-server.
#include "ClientUnderTest.h"
#include "ServerFixture.h"

#include "protocol/Codec.h"
#include "redis/EmbeddedRedis.h"

#include <QSignalSpy>
#include <QTest>

using namespace rill;
using namespace rill::client;
using namespace Qt::StringLiterals;

class TestSession : public QObject
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

    void registerThenResumeWithTheToken()
    {
        test::ClientUnderTest alice;
        QSignalSpy tokens(alice.session.get(), &ClientSession::tokenChanged);
        QSignalSpy in(alice.session.get(), &ClientSession::signedIn);
        alice.session->createAccount(m_server->url(), u"alice"_s, u"password1"_s);
        QVERIFY(in.wait(10000));
        QCOMPARE(alice.session->status(), ClientSession::Status::Online);
        QCOMPARE(alice.session->user(), u"alice"_s);
        QCOMPARE(tokens.size(), 1);
        const QString token = tokens[0][0].toString();
        QVERIFY(!token.isEmpty());
        const auto channels = in[0][0].value<QList<protocol::ChannelInfo>>();
        QCOMPARE(channels.size(), 1);
        QCOMPARE(channels[0].name, u"general"_s);
        QVERIFY(alice.channel(u"general"_s));

        // The next start: only the token.
        test::ClientUnderTest again;
        QSignalSpy againIn(again.session.get(), &ClientSession::signedIn);
        again.session->resume(m_server->url(), token);
        QVERIFY(againIn.wait(10000));
        QCOMPARE(again.session->user(), u"alice"_s);
    }

    void wrongPasswordSignsOut()
    {
        test::ClientUnderTest alice;
        QVERIFY(alice.signUp(m_server->url(), u"alice"_s));
        test::ClientUnderTest intruder;
        QSignalSpy status(intruder.session.get(), &ClientSession::statusChanged);
        intruder.session->signIn(m_server->url(), u"alice"_s, u"not the password"_s);
        QTRY_COMPARE(intruder.session->status(), ClientSession::Status::SignedOut);
        QVERIFY(!intruder.session->error().isEmpty());
        QCOMPARE(intruder.session->connection().state(), ClientConnection::State::Closed);
        QVERIFY(intruder.workspace->stores().isEmpty());
    }

    void nameTakenIsReported()
    {
        test::ClientUnderTest first;
        QVERIFY(first.signUp(m_server->url(), u"alice"_s));
        test::ClientUnderTest second;
        second.session->createAccount(m_server->url(), u"ALICE"_s, u"password2"_s);
        QTRY_COMPARE(second.session->status(), ClientSession::Status::SignedOut);
        QVERIFY(!second.session->error().isEmpty());
    }

    void unreachableServerIsReportedNotRetried()
    {
        test::ClientUnderTest alice;
        const QUrl nowhere(u"ws://127.0.0.1:"_s + QString::number(redis::findFreeLocalPort()));
        alice.session->signIn(nowhere, u"alice"_s, u"password1"_s);
        QTRY_COMPARE(alice.session->status(), ClientSession::Status::SignedOut);
        QVERIFY(alice.session->error().startsWith(u"Cannot reach the server"_s));
        QCOMPARE(alice.session->connection().state(), ClientConnection::State::Closed);
    }

    void refusedTokenIsForgotten()
    {
        test::ClientUnderTest alice;
        QSignalSpy tokens(alice.session.get(), &ClientSession::tokenChanged);
        alice.session->resume(m_server->url(), u"not-a-token"_s);
        QTRY_COMPARE(alice.session->status(), ClientSession::Status::SignedOut);
        QCOMPARE(tokens.size(), 1);
        QVERIFY(tokens[0][0].toString().isEmpty());
        QVERIFY(alice.session->token().isEmpty());
    }

    void signOutRevokesTheToken()
    {
        test::ClientUnderTest alice;
        QVERIFY(alice.signUp(m_server->url(), u"alice"_s));
        const QString token = alice.session->token();
        alice.session->signOut();
        QCOMPARE(alice.session->status(), ClientSession::Status::SignedOut);
        QTRY_COMPARE(alice.session->connection().state(), ClientConnection::State::Closed);
        QVERIFY(alice.workspace->stores().isEmpty());

        test::ClientUnderTest later;
        later.session->resume(m_server->url(), token);
        QTRY_COMPARE(later.session->status(), ClientSession::Status::SignedOut);
        QVERIFY(!later.session->error().isEmpty());
    }

    // Signed out while the server was down: the token is still valid there, so it is revoked at
    // the next contact with that server, before the next sign-in; then it no longer works.
    void signOutWhileOfflineRevokesAtTheNextContact()
    {
        test::ClientUnderTest alice;
        QVERIFY(alice.signUp(m_server->url(), u"alice"_s));
        const QString token = alice.session->token();
        QSignalSpy pending(alice.session.get(), &ClientSession::pendingRevocationsChanged);
        m_server->stop();
        QTRY_COMPARE(alice.session->status(), ClientSession::Status::Reconnecting);
        alice.session->signOut();
        QCOMPARE(alice.session->status(), ClientSession::Status::SignedOut);
        QCOMPARE(pending.size(), 1);
        QCOMPARE(alice.session->pendingRevocations(), (QList<PendingRevocation>{{m_server->url(), token}}));

        QVERIFY(m_server->restart());
        QSignalSpy in(alice.session.get(), &ClientSession::signedIn);
        alice.session->signIn(m_server->url(), u"alice"_s, u"password1"_s);
        QVERIFY(in.wait(10000));
        QVERIFY(alice.session->pendingRevocations().isEmpty());
        QCOMPARE(pending.size(), 2);

        test::ClientUnderTest later;
        later.session->resume(m_server->url(), token);
        QTRY_COMPARE(later.session->status(), ClientSession::Status::SignedOut);
        QVERIFY(!later.session->error().isEmpty());
    }

    // A pending revocation belongs to its server: another server is never shown the token.
    void pendingRevocationsStayWithTheirServer()
    {
        test::ClientUnderTest alice;
        QVERIFY(alice.signUp(m_server->url(), u"alice"_s));
        const QString token = alice.session->token();
        alice.session->disconnectFromServer();
        test::ServerFixture other;
        QVERIFY2(other.start(), qPrintable(other.errorString()));
        test::ClientUnderTest elsewhere;
        const QList<PendingRevocation> revocations{{m_server->url(), token}};
        elsewhere.session->setPendingRevocations(revocations);
        QVERIFY(elsewhere.signUp(other.url(), u"bob"_s));
        QCOMPARE(elsewhere.session->pendingRevocations(), revocations);
        test::ClientUnderTest still;
        still.session->resume(m_server->url(), token);
        QTRY_COMPARE_WITH_TIMEOUT(still.session->status(), ClientSession::Status::Online, 10000);
    }

    void reconnectsWithTheTokenAfterARestart()
    {
        test::ClientUnderTest alice;
        QVERIFY(alice.signUp(m_server->url(), u"alice"_s));
        QSignalSpy in(alice.session.get(), &ClientSession::signedIn);
        QList<ClientSession::Status> seen;
        connect(alice.session.get(), &ClientSession::statusChanged, this, [&] { seen << alice.session->status(); });
        QVERIFY(m_server->restart());
        QVERIFY(in.wait(10000));
        QCOMPARE(alice.session->status(), ClientSession::Status::Online);
        QVERIFY(seen.contains(ClientSession::Status::Reconnecting)); // shown to the user meanwhile
        QCOMPARE(alice.session->user(), u"alice"_s);
    }

    void requestsWhileOfflineAreLostAtOnce()
    {
        test::ClientUnderTest alice;
        const auto reply = QCoro::waitFor(alice.session->request(protocol::ChannelsParams{}));
        QVERIFY(reply.lost);
        QVERIFY(!reply.ok);
    }
};

QTEST_GUILESS_MAIN(TestSession)
#include "tst_session.moc"
