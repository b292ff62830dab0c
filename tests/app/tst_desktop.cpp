// The desktop side of the app without a display: profiles, settings, the bundled server.
#include "ClientUnderTest.h"

#include "ui/AppSettings.h"
#include "ui/BundledServer.h"
#include "ui/Profile.h"

#include "redis/EmbeddedRedis.h"

#include <QCoro/QCoroTask>
#include <QCryptographicHash>
#include <QFileInfo>
#include <QNetworkInterface>
#include <QSslCertificate>
#include <QTcpSocket>
#include <QImage>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace rill;
using namespace rill::app;
using namespace Qt::StringLiterals;

namespace {
// An address of this machine that is not loopback (none on a machine without a network).
QHostAddress firstNetworkAddress()
{
    for (const QHostAddress &address : QNetworkInterface::allAddresses()) {
        if (!address.isLoopback() && address.protocol() == QAbstractSocket::IPv4Protocol)
            return address;
    }
    return {};
}
} // namespace

class TestDesktop : public QObject
{
    Q_OBJECT

    QTemporaryDir m_home;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(test::useTemporaryHome(m_home));
    }

    void serverUrl_data()
    {
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QString>("url");
        // Without a scheme: TLS first (tst_tls: ws:// only when the server has none).
        QTest::newRow("host") << u"chat.example.org"_s << u"wss://chat.example.org:7117"_s;
        QTest::newRow("host:port") << u"10.0.0.5:9000"_s << u"wss://10.0.0.5:9000"_s;
        QTest::newRow("ws url") << u" ws://localhost:7117 "_s << u"ws://localhost:7117"_s;
        QTest::newRow("wss keeps its port") << u"wss://chat.example.org"_s << u"wss://chat.example.org"_s;
        QTest::newRow("http is not a server") << u"http://example.org"_s << QString();
        QTest::newRow("empty") << u"  "_s << QString();
    }

    void serverUrl()
    {
        QFETCH(QString, typed);
        QFETCH(QString, url);
        QCOMPARE(AppSettings::serverUrl(typed).toString(), url);
    }

    void profilesKeepTheirOwnSettingsAndToken()
    {
        const Profile alice(u"alice"_s);
        const Profile bob(u"bob"_s);
        QVERIFY(alice.settingsPath() != bob.settingsPath());
        QVERIFY(alice.dataDir() != bob.dataDir());
        QVERIFY(alice.settingsPath().startsWith(m_home.path()));
        {
            AppSettings settings(alice.settingsPath());
            settings.setServer(u"ws://a.example:7117"_s);
            settings.setTheme(u"dark"_s);
            settings.setNotifications(false);
            settings.setLastChannel(u"dev"_s);
        }
        AppSettings again(alice.settingsPath());
        QCOMPARE(again.server(), u"ws://a.example:7117"_s);
        QCOMPARE(again.theme(), u"dark"_s);
        QVERIFY(!again.notifications());
        QCOMPARE(again.lastChannel(), u"dev"_s);
        AppSettings other(bob.settingsPath());
        QCOMPARE(other.server(), AppSettings::defaultServer());
        QCOMPARE(other.theme(), u"system"_s);
        QVERIFY(other.notifications());

    }

    void profileNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("valid");
        QTest::newRow("plain") << u"work"_s << true;
        QTest::newRow("dots and dashes") << u"bob.test-2"_s << true;
        QTest::newRow("path") << u"../etc"_s << false;
        QTest::newRow("dot dot") << u".."_s << false;
        QTest::newRow("empty") << QString() << false;
    }

    void profileNames()
    {
        QFETCH(QString, name);
        QFETCH(bool, valid);
        QCOMPARE(Profile::isValidName(name), valid);
    }

    // The window and tray icon come from resources/icons, compiled into the app.
    void iconIsCompiledIn()
    {
        for (const int size : {16, 22, 32, 48, 256}) {
            const QImage image(u":/icons/rill-%1.png"_s.arg(size));
            QCOMPARE(image.size(), QSize(size, size));
        }
    }

    // "Start a server on this computer": a real server with its embedded Redis under the
    // profile's data directory, that a client can then use. For this computer only it listens on
    // loopback in clear text; shared, it listens everywhere and only over TLS, with a certificate
    // made once (the same fingerprint after a restart) whose key only the user can read.
    void bundledServerServes_data()
    {
        QTest::addColumn<bool>("shared");
        QTest::newRow("this computer only") << false;
        QTest::newRow("shared on the network") << true;
    }

    void bundledServerServes()
    {
        QFETCH(bool, shared);
        QTemporaryDir data;
        BundledServer bundled(data.filePath(u"server"_s), redis::findFreeLocalPort());
        bundled.setShared(shared);
        QSignalSpy started(&bundled, &BundledServer::started);
        bundled.start();
        QCOMPARE(bundled.status(), BundledServer::Status::Starting);
        QVERIFY(started.wait(20000));
        QCOMPARE(bundled.status(), BundledServer::Status::Running);
        QVERIFY(QFileInfo::exists(data.filePath(u"server/redis"_s)));
        QCOMPARE(bundled.localUrl().scheme(), shared ? u"wss"_s : u"ws"_s);
        QCOMPARE(bundled.addresses().isEmpty(), !shared);
        for (const QString &address : bundled.addresses())
            QVERIFY2(address.startsWith(u"wss://"_s) && address.endsWith(u':' + QString::number(bundled.port())), qPrintable(address));
        QCOMPARE(bundled.fingerprint().isEmpty(), !shared);

        // Reachable from the network only when shared.
        if (const QHostAddress lan = firstNetworkAddress(); !lan.isNull()) {
            QTcpSocket probe;
            probe.connectToHost(lan, bundled.port());
            QCOMPARE(probe.waitForConnected(10000), shared);
        }

        test::ClientUnderTest alice;
        const QString fingerprint = bundled.fingerprint();
        if (shared) {
            const auto certificates = QSslCertificate::fromPath(data.filePath(u"server/share-cert.pem"_s));
            QCOMPARE(certificates.size(), 1);
            const QByteArray digest = certificates.constFirst().digest(QCryptographicHash::Sha256);
            QCOMPARE(fingerprint, QString::fromLatin1(digest.toHex(':').toUpper()));
            QCOMPARE(QFile::permissions(data.filePath(u"server/share-key.pem"_s)) & 0x0077, QFileDevice::Permissions());
            alice.session->connection().setTrustedCertificate(digest);
        }
        QVERIFY(alice.signUp(bundled.localUrl(), u"alice"_s));
        alice.workspace->sendTo(u"general"_s, u"hosted here"_s);
        QTRY_VERIFY(alice.channel(u"general"_s)->pending().isEmpty());

        QCoro::waitFor(bundled.stop());
        QCOMPARE(bundled.status(), BundledServer::Status::Stopped);
        QTRY_COMPARE(alice.session->status(), client::ClientSession::Status::Reconnecting);

        // Started again: the same certificate, so what teammates trusted still holds.
        bundled.start();
        QVERIFY(started.wait(20000));
        QCOMPARE(bundled.fingerprint(), fingerprint);
        QTRY_COMPARE_WITH_TIMEOUT(alice.session->status(), client::ClientSession::Status::Online, 20000);
        QCoro::waitFor(bundled.stop());
    }

    // Without a redis-server (a Windows machine with nothing installed) the app says what is
    // missing instead of offering a button that fails obscurely.
    void bundledServerWithoutRedisSaysWhatIsMissing()
    {
        QTemporaryDir data;
        qputenv("RILL_REDIS_SERVER", "/nonexistent/redis-server");
        BundledServer bundled(data.filePath(u"server"_s), redis::findFreeLocalPort());
        qunsetenv("RILL_REDIS_SERVER");
        QVERIFY(!bundled.isAvailable());
        QVERIFY2(bundled.unavailableReason().contains(u"/nonexistent/redis-server"_s), qPrintable(bundled.unavailableReason()));
        bundled.start();
        QCOMPARE(bundled.status(), BundledServer::Status::Failed);
        QCOMPARE(bundled.error(), bundled.unavailableReason());
        QVERIFY(!QFileInfo::exists(data.filePath(u"server/redis"_s)));

        // The one found by default (next to the test, or on PATH) is there.
        BundledServer usual(data.filePath(u"server"_s), redis::findFreeLocalPort());
        QVERIFY(usual.isAvailable());
        QVERIFY(usual.unavailableReason().isEmpty());
    }

    void bundledServerTakesAnotherPortWhenItsOwnIsTaken()
    {
        QTemporaryDir first;
        QTemporaryDir second;
        const quint16 port = redis::findFreeLocalPort();
        BundledServer a(first.filePath(u"server"_s), port);
        BundledServer b(second.filePath(u"server"_s), port);
        QSignalSpy aStarted(&a, &BundledServer::started);
        a.start();
        QVERIFY(aStarted.wait(20000));
        QSignalSpy bStarted(&b, &BundledServer::started);
        b.start();
        QVERIFY(bStarted.wait(20000));
        QCOMPARE(a.port(), port);
        QVERIFY(b.port() != port);
        QCoro::waitFor(b.stop());
        QCoro::waitFor(a.stop());
    }
};

QTEST_GUILESS_MAIN(TestDesktop)
#include "tst_desktop.moc"
