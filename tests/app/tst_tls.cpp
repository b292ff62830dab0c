// Issue 10, the app's side of TLS: wss:// verified against the system's store; an untrusted
// certificate stops the link and shows its fingerprint, and only the one certificate the person
// trusts is let through from then on (pinned in the profile); an address typed without a scheme
// gets TLS when the server offers it and falls back to ws:// only on first contact.
#include "ClientUnderTest.h"
#include "ServerFixture.h"
#include "TestCertificate.h"

#include "protocol/Codec.h"
#include "socket/ClientConnection.h"
#include "ui/AppSettings.h"
#include "ui/RillApp.h"

#include <QCryptographicHash>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace rill;
using namespace rill::test;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using client::ClientConnection;
using Fallback = ClientConnection::TlsFallback;

namespace {

enum class Pin { None, ThisCertificate, AnotherCertificate };

QUrl withScheme(QUrl url, const QString &scheme)
{
    url.setScheme(scheme);
    return url;
}

// Settled: the link opened, or it stopped for the certificate, or an attempt failed.
bool settles(const ClientConnection &link)
{
    return waitUntil([&link] {
        return link.state() == ClientConnection::State::Open || link.state() == ClientConnection::State::Untrusted
            || link.state() == ClientConnection::State::Waiting;
    }, 20s);
}

} // namespace

Q_DECLARE_METATYPE(Pin)

class TestTls : public QObject
{
    Q_OBJECT

private:
    TestCertificate m_certificate;
    QTemporaryDir m_home;

    [[nodiscard]] QByteArray fingerprint() const
    {
        return m_certificate.certificates().constFirst().digest(QCryptographicHash::Sha256);
    }

    [[nodiscard]] bool startServer(ServerFixture &server, bool tls) const
    {
        if (tls) {
            server.config().tlsCertFile = m_certificate.certFile;
            server.config().tlsKeyFile = m_certificate.keyFile;
        }
        return server.start();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(m_certificate.error.isEmpty(), qPrintable(m_certificate.error));
        QVERIFY(useTemporaryHome(m_home));
    }

    void link_data()
    {
        QTest::addColumn<bool>("serverTls");
        QTest::addColumn<QString>("scheme");
        QTest::addColumn<Fallback>("fallback");
        QTest::addColumn<Pin>("pin");
        QTest::addColumn<ClientConnection::State>("expected");
        QTest::addColumn<QString>("finalScheme");

        using S = ClientConnection::State;
        QTest::newRow("self-signed, not trusted: stops with its fingerprint")
            << true << u"wss"_s << Fallback::Never << Pin::None << S::Untrusted << u"wss"_s;
        QTest::newRow("self-signed, this one trusted: opens")
            << true << u"wss"_s << Fallback::Never << Pin::ThisCertificate << S::Open << u"wss"_s;
        QTest::newRow("another certificate trusted: stops")
            << true << u"wss"_s << Fallback::Never << Pin::AnotherCertificate << S::Untrusted << u"wss"_s;
        QTest::newRow("no scheme typed, server has TLS: stays on TLS")
            << true << u"wss"_s << Fallback::PlainWhenServerHasNoTls << Pin::ThisCertificate << S::Open << u"wss"_s;
        QTest::newRow("no scheme typed, untrusted TLS: asks, never falls back")
            << true << u"wss"_s << Fallback::PlainWhenServerHasNoTls << Pin::None << S::Untrusted << u"wss"_s;
        QTest::newRow("no scheme typed, server without TLS: ws://")
            << false << u"wss"_s << Fallback::PlainWhenServerHasNoTls << Pin::None << S::Open << u"ws"_s;
        QTest::newRow("wss:// asked for, server without TLS: never plain")
            << false << u"wss"_s << Fallback::Never << Pin::None << S::Waiting << u"wss"_s;
    }

    void link()
    {
        QFETCH(bool, serverTls);
        QFETCH(QString, scheme);
        QFETCH(Fallback, fallback);
        QFETCH(Pin, pin);
        QFETCH(ClientConnection::State, expected);
        QFETCH(QString, finalScheme);

        ServerFixture server;
        QVERIFY2(startServer(server, serverTls), qPrintable(server.errorString()));
        ClientConnection link;
        if (pin == Pin::ThisCertificate)
            link.setTrustedCertificate(fingerprint());
        else if (pin == Pin::AnotherCertificate)
            link.setTrustedCertificate(QCryptographicHash::hash("another", QCryptographicHash::Sha256));
        QSignalSpy rejected(&link, &ClientConnection::certificateRejected);
        QSignalSpy opened(&link, &ClientConnection::opened);

        link.open(withScheme(server.url(), scheme), fallback);
        QVERIFY(settles(link));
        QCOMPARE(link.state(), expected);
        QCOMPARE(link.url().scheme(), finalScheme);
        if (expected == ClientConnection::State::Untrusted) {
            QCOMPARE(rejected.size(), 1);
            QCOMPARE(rejected.constFirst().constFirst().toByteArray(), fingerprint());
            QCOMPARE(link.rejectedCertificate(), fingerprint());
            QVERIFY2(!link.rejectionReason().isEmpty(), "says why the store refused it");
            QVERIFY(opened.isEmpty());
        } else {
            QVERIFY(rejected.isEmpty());
        }
        if (expected == ClientConnection::State::Open) {
            // It is a working link: the server answers on it.
            QSignalSpy frames(&link, &ClientConnection::frameReceived);
            QVERIFY(link.send(protocol::encodeRequest(1, protocol::HelloParams{})));
            QVERIFY(frames.wait(10000));
            const QByteArray reply = frames.constFirst().constFirst().toByteArray();
            QVERIFY2(reply.contains(R"("ok":true)"), reply.constData());
        }
    }

    // The person compared the fingerprint and trusts it: the same link opens at once, and keeps
    // that trust for its next attempts.
    void trustingTheRejectedCertificateOpens()
    {
        ServerFixture server;
        QVERIFY2(startServer(server, true), qPrintable(server.errorString()));
        ClientConnection link;
        link.open(server.url());
        QVERIFY(settles(link));
        QCOMPARE(link.state(), ClientConnection::State::Untrusted);
        link.trustRejectedCertificate();
        QTRY_COMPARE_WITH_TIMEOUT(link.state(), ClientConnection::State::Open, 20000);
        QCOMPARE(link.trustedCertificate(), fingerprint());
        link.abort(); // the network fails: it comes back without asking again
        QTRY_COMPARE_WITH_TIMEOUT(link.state(), ClientConnection::State::Open, 20000);
    }

    // The app: the dialog's question, the answer kept in the profile, and the next start (a new
    // process) connecting to that server without asking again.
    void theProfileRemembersTheTrustedCertificate()
    {
        ServerFixture server;
        QVERIFY2(startServer(server, true), qPrintable(server.errorString()));
        const QString typed = u"127.0.0.1:"_s + QString::number(server.url().port()); // as a person types it
        {
            app::RillApp app(app::Profile(u"trusting"_s));
            QSignalSpy asked(&app, &app::RillApp::untrustedCertificateChanged);
            app.createAccount(typed, u"alice"_s, u"password1"_s);
            QTRY_VERIFY_WITH_TIMEOUT(!app.untrustedCertificate().isEmpty(), 20000);
            QCOMPARE(app.untrustedCertificate(), QString::fromLatin1(fingerprint().toHex(':').toUpper()));
            QCOMPARE(app.session()->status(), client::ClientSession::Status::Connecting); // waits for the answer
            app.trustCertificate();
            QTRY_COMPARE_WITH_TIMEOUT(app.session()->status(), client::ClientSession::Status::Online, 20000);
            QVERIFY(app.untrustedCertificate().isEmpty());
            QCOMPARE(app.settings()->server(), u"wss://127.0.0.1:"_s + QString::number(server.url().port()));
        }
        app::RillApp again(app::Profile(u"trusting"_s));
        again.start();
        QTRY_COMPARE_WITH_TIMEOUT(again.session()->status(), client::ClientSession::Status::Online, 20000);
        QVERIFY(again.untrustedCertificate().isEmpty());
    }

    // A team's plain server on its LAN, typed as host:port: reached over ws://, and the profile
    // keeps the scheme that worked, so the next start never tries anything else.
    void anAddressWithoutSchemeReachesAServerWithoutTls()
    {
        ServerFixture server;
        QVERIFY2(startServer(server, false), qPrintable(server.errorString()));
        app::RillApp app(app::Profile(u"plain"_s));
        app.createAccount(u"127.0.0.1:"_s + QString::number(server.url().port()), u"bob"_s, u"password1"_s);
        QTRY_COMPARE_WITH_TIMEOUT(app.session()->status(), client::ClientSession::Status::Online, 20000);
        QCOMPARE(app.settings()->server(), u"ws://127.0.0.1:"_s + QString::number(server.url().port()));
    }

    // Cancel: nothing is kept, and the app is back on the connect screen.
    void rejectingTheCertificateKeepsNothing()
    {
        ServerFixture server;
        QVERIFY2(startServer(server, true), qPrintable(server.errorString()));
        app::RillApp app(app::Profile(u"careful"_s));
        app.signIn(server.url().toString(), u"alice"_s, u"password1"_s);
        QTRY_VERIFY_WITH_TIMEOUT(!app.untrustedCertificate().isEmpty(), 20000);
        app.rejectCertificate();
        QCOMPARE(app.session()->status(), client::ClientSession::Status::SignedOut);
        QVERIFY(app.untrustedCertificate().isEmpty());
        QVERIFY(app.settings()->trustedCertificate(server.url()).isEmpty());
    }
};

QTEST_MAIN(TestTls) // RillApp has a theme and a tray: a GUI application, offscreen
#include "tst_tls.moc"
