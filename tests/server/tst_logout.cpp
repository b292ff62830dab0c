// `logout` ends every live connection using that token, on any instance, not only future
// log-ins; `logout` with `all: true` revokes every token of the user and closes every other
// session of the user with 1000 (PROTOCOL.md revision 2, "transport security"). And `hello`
// does not name the machine to a peer that has not logged in. Over real sockets, two
// instances on one Redis.

#include "Conformance.h"

#include "config/ServerConfig.h"
#include "store/Store.h"

#include <QCoreApplication>
#include <QHostInfo>

using namespace rill::test;
using namespace rill::test::conf;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
const QString kPassword = u"correct horse"_s;
}

class TestLogout : public QObject
{
    Q_OBJECT

    RedisFixture m_redis;
    std::unique_ptr<ServerFixture> m_one, m_two;

    std::unique_ptr<TestClient> passwordSession(const QUrl &url, const QString &user = u"alice"_s)
    {
        auto c = connectTo(url);
        if (!c || !c->signUp(user, kPassword)) // when the user exists: a password log-in, a new token
            return nullptr;
        return c;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_redis.start());
        m_one = std::make_unique<ServerFixture>(&m_redis);
        m_two = std::make_unique<ServerFixture>(&m_redis);
        QVERIFY(m_one->start() && m_two->start());
        auto c = connectTo(m_one->url());
        QVERIFY(c && c->signUp(u"alice"_s, kPassword));
        QVERIFY(c->signUp(u"bob"_s, kPassword));
    }

    void cleanupTestCase()
    {
        m_one.reset();
        m_two.reset();
    }

    // The session that logs out stays open and anonymous; every other session on its token,
    // here or on the other instance, is closed with 1000; sessions on other tokens go on.
    void logoutEndsEverySessionOnTheToken()
    {
        auto a1 = passwordSession(m_one->url());
        QVERIFY(a1);
        auto a2 = sessionWithToken(m_two->url(), a1->token());
        auto a3 = sessionWithToken(m_one->url(), a1->token());
        auto other = passwordSession(m_two->url()); // alice again, another token
        QVERIFY(a2 && a3 && other);

        CONF_OK(a1->call(u"logout"_s));
        QCOMPARE(a2->waitClosed(10s), 1000);
        QCOMPARE(a3->waitClosed(10s), 1000);
        QVERIFY(a1->isConnected());
        CONF_ERROR(a1->call(u"channels"_s), "unauthenticated");
        CONF_OK(other->call(u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, u"still here"_s}}));
        auto again = connectTo(m_two->url());
        CONF_ERROR(again->call(u"login"_s, {{"token"_L1, a1->token()}}), "bad_credentials");
        CONF_OK(again->call(u"login"_s, {{"token"_L1, other->token()}}));
    }

    // all: every token of the user is revoked and every other session of theirs, on any
    // instance, is closed with 1000. Other users are not touched.
    void logoutAllEndsEveryOtherSession()
    {
        auto a1 = passwordSession(m_one->url());
        auto a2 = passwordSession(m_two->url());
        auto a3 = passwordSession(m_one->url());
        QVERIFY(a1 && a2 && a3);
        auto a4 = sessionWithToken(m_two->url(), a1->token());
        auto bob = connectTo(m_two->url());
        QVERIFY(a4 && bob);
        CONF_OK(bob->call(u"login"_s, {{"user"_L1, u"bob"_s}, {"password"_L1, kPassword}}, 30s));

        CONF_OK(a1->call(u"logout"_s, {{"all"_L1, true}}));
        for (TestClient *c : {a2.get(), a3.get(), a4.get()})
            QCOMPARE(c->waitClosed(10s), 1000);
        QVERIFY(a1->isConnected());
        CONF_ERROR(a1->call(u"channels"_s), "unauthenticated");
        auto probe = connectTo(m_one->url());
        for (const QString &token : {a1->token(), a2->token(), a3->token()})
            CONF_ERROR(probe->call(u"login"_s, {{"token"_L1, token}}), "bad_credentials");
        CONF_OK(bob->call(u"channels"_s));
        // The password still works: a new session starts afresh.
        QVERIFY(passwordSession(m_two->url()));
    }

    // all: tokens with no live session are revoked too, whether issued by this version (which
    // records when) or stored before tokens carried their time (a bare user key); tokens issued
    // after the logout work.
    void logoutAllRevokesIdleAndOlderTokens()
    {
        auto idle = passwordSession(m_two->url(), u"carol"_s);
        QVERIFY(idle);
        const QString idleToken = idle->token();
        idle.reset(); // its connection is gone; the token is at rest
        const QString olderToken = u"an-older-token-with-no-time"_s;
        const QByteArray olderKey = "rill:token:" + rill::store::Store::hashToken(olderToken);
        QVERIFY(m_redis.run({"SET", olderKey, "carol", "EX", "3600"}).isOk());
        auto probe = connectTo(m_one->url());
        CONF_OK(probe->call(u"login"_s, {{"token"_L1, olderToken}}));

        auto a1 = passwordSession(m_one->url(), u"carol"_s);
        QVERIFY(a1);
        CONF_OK(a1->call(u"logout"_s, {{"all"_L1, true}}));
        QCOMPARE(probe->waitClosed(10s), 1000);
        auto after = connectTo(m_two->url());
        CONF_ERROR(after->call(u"login"_s, {{"token"_L1, idleToken}}), "bad_credentials");
        CONF_ERROR(after->call(u"login"_s, {{"token"_L1, olderToken}}), "bad_credentials");
        QCOMPARE(m_redis.run({"EXISTS", olderKey}).integer(), 0); // refused tokens are gone
        auto fresh = passwordSession(m_one->url(), u"carol"_s);
        QVERIFY(fresh);
        CONF_OK(after->call(u"login"_s, {{"token"_L1, fresh->token()}}));
    }

    void logoutAllMustBeABoolean()
    {
        auto a1 = passwordSession(m_one->url());
        QVERIFY(a1);
        CONF_ERROR(a1->call(u"logout"_s, {{"all"_L1, u"yes"_s}}), "bad_request");
        CONF_OK(a1->call(u"channels"_s)); // still logged in
        CONF_OK(a1->call(u"logout"_s, {{"all"_L1, false}}));
        CONF_ERROR(a1->call(u"channels"_s), "unauthenticated");
    }

    // With the default instance name (host-pid), `hello` names neither host nor pid before
    // log-in; after it, it may. A name the operator chose is shown to everyone.
    void helloNamesNoMachineBeforeLogin()
    {
        ServerFixture server(&m_redis);
        server.config().instanceName = rill::server::ServerConfig::defaultInstanceName();
        QVERIFY(server.start());
        const QString host = QHostInfo::localHostName();
        const QString pid = QString::number(QCoreApplication::applicationPid());
        auto c = connectTo(server.url());
        QVERIFY(c);
        const QJsonObject before = c->call(u"hello"_s, {{"version"_L1, 1}});
        CONF_OK(before);
        const QString anonymous = before.value("instance"_L1).toString();
        QVERIFY2(!anonymous.isEmpty() && !anonymous.contains(host) && !anonymous.contains(pid), qPrintable(dump(before)));
        CONF_OK(c->call(u"login"_s, {{"user"_L1, u"bob"_s}, {"password"_L1, kPassword}}, 30s));
        const QJsonObject after = c->call(u"hello"_s, {{"version"_L1, 1}});
        QCOMPARE(after.value("instance"_L1).toString(), rill::server::ServerConfig::defaultInstanceName());

        auto named = connectTo(m_one->url()); // configured as "test"
        QCOMPARE(named->call(u"hello"_s, {{"version"_L1, 1}}).value("instance"_L1).toString(), u"test"_s);
    }
};

QTEST_GUILESS_MAIN(TestLogout)
#include "tst_logout.moc"
