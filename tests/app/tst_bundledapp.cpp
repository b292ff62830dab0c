// Issue 9, item 3: a profile that runs its own server ("Start a server on this computer") starts
// it again on the next start and signs in to it, instead of waiting forever on a server that is
// not there; and the address teammates need stays at hand after sign-in.
#include "ClientUnderTest.h"

#include "ui/AppSettings.h"
#include "ui/BundledServer.h"
#include "ui/RillApp.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace rill;
using namespace Qt::StringLiterals;
using Status = client::ClientSession::Status;

class TestBundledApp : public QObject
{
    Q_OBJECT

    QTemporaryDir m_home;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(test::useTemporaryHome(m_home));
    }

    void theNextStartRunsTheServerAgain_data()
    {
        QTest::addColumn<bool>("shared");
        QTest::newRow("this computer only") << false;
        QTest::newRow("shared on the network") << true;
    }

    void theNextStartRunsTheServerAgain()
    {
        QFETCH(bool, shared);
        const app::Profile profile(shared ? u"host-shared"_s : u"host"_s);
        {
            app::RillApp first(profile);
            first.start();
            first.startBundledServer(shared);
            QTRY_COMPARE_WITH_TIMEOUT(first.bundledServer()->status(), app::BundledServer::Status::Running, 20000);
            // The connect screen now points at it; the person signs up there.
            first.createAccount(first.settings()->server(), u"host"_s, u"password1"_s);
            QTRY_COMPARE_WITH_TIMEOUT(first.session()->status(), Status::Online, 20000);
            QVERIFY(first.untrustedCertificate().isEmpty()); // its own certificate: never asked
            QCOMPARE(first.bundledServer()->addresses().isEmpty(), !shared);
        } // quitting stops the server with the app

        app::RillApp again(profile);
        again.start(); // the connect screen shows the server starting, then the chat
        QTRY_COMPARE_WITH_TIMEOUT(again.bundledServer()->status(), app::BundledServer::Status::Running, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(again.session()->status(), Status::Online, 20000);
        QCOMPARE(again.session()->user(), u"host"_s);
        QVERIFY(again.isSignedIn());
        QCOMPARE(again.bundledServer()->isShared(), shared);
    }

    // Sharing a running server: it restarts on every interface with TLS, and this window follows
    // it there without a question (it made the certificate).
    void sharingLaterKeepsThisWindowSignedIn()
    {
        app::RillApp app(app::Profile(u"later"_s));
        app.start();
        app.startBundledServer(false);
        QTRY_COMPARE_WITH_TIMEOUT(app.bundledServer()->status(), app::BundledServer::Status::Running, 20000);
        app.createAccount(app.settings()->server(), u"host"_s, u"password1"_s);
        QTRY_COMPARE_WITH_TIMEOUT(app.session()->status(), Status::Online, 20000);

        app.shareBundledServer(true);
        QTRY_VERIFY_WITH_TIMEOUT(app.session()->server().scheme() == u"wss"_s && app.session()->isOnline(), 20000);
        QVERIFY(!app.bundledServer()->addresses().isEmpty());
        QVERIFY(!app.bundledServer()->fingerprint().isEmpty());
        QVERIFY(app.untrustedCertificate().isEmpty());
    }

    // Quitting while the server starts (the person changed their mind) is a clean exit.
    void quittingWhileTheServerStarts()
    {
        auto app = std::make_unique<app::RillApp>(app::Profile(u"hasty"_s));
        app->startBundledServer(false);
        QCOMPARE(app->bundledServer()->status(), app::BundledServer::Status::Starting);
        QTest::qWait(1); // one turn of the loop: the start is under way
        app.reset();
        QTest::qWait(50); // whatever the start left queued runs now, and must find nothing
    }

    // Signing in to another server: the next start does not run this profile's server.
    void signingInElsewhereForgetsTheServer()
    {
        app::AppSettings settings(app::Profile(u"elsewhere"_s).settingsPath());
        settings.setRunsBundledServer(true);
        app::RillApp app(app::Profile(u"elsewhere"_s));
        app.start(u"ws://127.0.0.1:1"_s); // --server names another
        QVERIFY(!app.settings()->runsBundledServer());
        QCOMPARE(app.bundledServer()->status(), app::BundledServer::Status::Stopped);
    }
};

QTEST_MAIN(TestBundledApp) // RillApp has a theme and a tray: a GUI application, offscreen
#include "tst_bundledapp.moc"
