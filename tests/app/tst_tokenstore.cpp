// Where the app keeps its tokens: one per server, never offered to another server; in the
// system keychain where there is one, else in files only the user can read; and the tokens
// still to revoke. The keychain rows run against a session bus with no keychain service (the
// test's own), so that the fallback is what is tested and no real keychain is touched.

#include "ClientUnderTest.h"
#include "ui/TokenStore.h"

#include <QCoro/QCoroTask>
#include <QDirIterator>
#include <QProcess>
#include <QTest>

using namespace rill;
using namespace rill::app;
using namespace Qt::StringLiterals;

namespace {
QString waitFor(QCoro::Task<QString> task) { return QCoro::waitFor(std::move(task)); }

// Every file under `dir`, which only the owner may read.
bool onlyOwnerReads(const QString &dir)
{
    QDirIterator it(dir, QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QFileInfo info(it.next());
        if (info.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther))
            return false;
    }
    return true;
}
} // namespace

class TestTokenStore : public QObject
{
    Q_OBJECT

    QTemporaryDir m_home;
    QProcess m_bus; // a private session bus where no keychain runs

    [[nodiscard]] std::unique_ptr<TokenStore> store(const Profile &profile) const
    {
        auto s = std::make_unique<TokenStore>(profile);
        QFETCH_GLOBAL(bool, keychain);
        s->setKeychainEnabled(keychain);
        return s;
    }

    // Each row its own profiles: the files of one row must not answer for the next.
    [[nodiscard]] static Profile profileFor(const QString &name)
    {
        QFETCH_GLOBAL(bool, keychain);
        return Profile(name + (keychain ? u"-k"_s : u"-f"_s));
    }

private Q_SLOTS:
    void initTestCase_data()
    {
        QTest::addColumn<bool>("keychain");
        QTest::newRow("files") << false;
        QTest::newRow("no keychain service") << true;
    }

    void initTestCase()
    {
        QVERIFY(test::useTemporaryHome(m_home));
        m_bus.start(u"dbus-daemon"_s, {u"--session"_s, u"--nofork"_s, u"--print-address"_s});
        QVERIFY2(m_bus.waitForStarted() && m_bus.waitForReadyRead(10000), "dbus-daemon (package dbus-daemon) is needed");
        qputenv("DBUS_SESSION_BUS_ADDRESS", m_bus.readLine().trimmed());
    }

    void cleanupTestCase()
    {
        m_bus.terminate();
        m_bus.waitForFinished();
    }

    void tokensArePerServer()
    {
        const Profile profile = profileFor(u"per-server"_s);
        const auto tokens = store(profile);
        const QUrl a(u"wss://a.example:7117"_s), b(u"wss://b.example:7117"_s);
        QVERIFY(QCoro::waitFor(tokens->setToken(a, u"token-a"_s)));
        QVERIFY(QCoro::waitFor(tokens->setToken(b, u"token-b"_s)));
        QCOMPARE(waitFor(tokens->token(a)), u"token-a"_s);
        QCOMPARE(waitFor(tokens->token(b)), u"token-b"_s);
        QCOMPARE(waitFor(tokens->token(QUrl(u"ws://a.example:7117"_s))), u"token-a"_s); // same server, plain
        QVERIFY(waitFor(tokens->token(QUrl(u"wss://a.example:7118"_s))).isEmpty()); // another port
        QVERIFY(waitFor(tokens->token(QUrl(u"wss://c.example:7117"_s))).isEmpty());
        QVERIFY(!tokens->usesKeychain()); // none here: the files hold them
        QVERIFY(onlyOwnerReads(profile.dataDir()));
        // Another profile has its own.
        QVERIFY(waitFor(store(profileFor(u"other"_s))->token(a)).isEmpty());
        // Forgetting one leaves the other.
        QVERIFY(QCoro::waitFor(tokens->setToken(a, {})));
        QVERIFY(waitFor(tokens->token(a)).isEmpty());
        QCOMPARE(waitFor(store(profile)->token(b)), u"token-b"_s);
    }

    // A profile's one token from before tokens were per server belongs to the first server asked
    // for (the profile's own, at start), and moves into the store.
    void theOldProfileTokenIsAdopted()
    {
        const Profile profile = profileFor(u"older"_s);
        QVERIFY(QDir().mkpath(profile.dataDir()));
        QFile old(profile.dataDir() + u"/token"_s);
        QVERIFY(old.open(QIODevice::WriteOnly));
        old.write("the-old-token\n");
        old.close();
        const auto tokens = store(profile);
        const QUrl server(u"wss://chat.example:7117"_s);
        QCOMPARE(waitFor(tokens->token(server)), u"the-old-token"_s);
        QVERIFY(!QFile::exists(old.fileName()));
        QCOMPARE(waitFor(tokens->token(server)), u"the-old-token"_s);
        QVERIFY(waitFor(tokens->token(QUrl(u"wss://elsewhere.example:7117"_s))).isEmpty());
    }

    void revocationsSurviveARestart()
    {
        const Profile profile = profileFor(u"revoking"_s);
        const QList<TokenStore::Revocation> list{{QUrl(u"wss://a.example:7117"_s), u"one"_s},
                                                 {QUrl(u"ws://b.example:7117"_s), u"two"_s}};
        QVERIFY(QCoro::waitFor(store(profile)->setRevocations(list)));
        QCOMPARE(QCoro::waitFor(store(profile)->revocations()), list);
        QVERIFY(onlyOwnerReads(profile.dataDir()));
        QVERIFY(QCoro::waitFor(store(profile)->setRevocations({})));
        QVERIFY(QCoro::waitFor(store(profile)->revocations()).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestTokenStore)
#include "tst_tokenstore.moc"
