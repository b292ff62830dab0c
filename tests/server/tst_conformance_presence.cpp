// Conformance (black box, from PROTOCOL.md): presence. A user is online while at least one of
// their sessions is connected; `presence` goes to the users who share a channel with them (and
// to nobody else); `members` shows `online`.

#include "Conformance.h"

using namespace rill::test;
using namespace rill::test::conf;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
const QString kPassword = u"correct horse"_s;
constexpr auto kQuiet = 300ms;

std::function<bool(const QJsonObject &)> presenceOf(const QString &user, bool online)
{
    return [user, online](const QJsonObject &e) {
        return e.value("user"_L1).toString() == user && e.value("online"_L1) == QJsonValue(online);
    };
}
}

class TestConformancePresence : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<ServerFixture> m_server;
    std::unique_ptr<TestClient> m_alice;  // shares general with carol
    std::unique_ptr<TestClient> m_hermit; // shares no channel with carol
    QString m_carolToken;

    // carol's `online` in the members of general, as alice sees it (nullopt if not listed).
    std::optional<bool> carolOnline()
    {
        const QJsonObject r = m_alice->call(u"members"_s, {{"channel"_L1, u"general"_s}});
        for (const auto &e : r.value("members"_L1).toArray()) {
            const QJsonObject o = e.toObject();
            if (o.value("user"_L1).toString() == "carol"_L1 && o.value("online"_L1).isBool())
                return o.value("online"_L1).toBool();
        }
        return std::nullopt;
    }

    std::unique_ptr<TestClient> carolSession()
    {
        return sessionWithToken(m_server->url(), m_carolToken);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<ServerFixture>();
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        m_alice = connectTo(m_server->url());
        m_hermit = connectTo(m_server->url());
        QVERIFY(m_alice && m_hermit);
        QVERIFY(m_alice->signUp(u"alice"_s, kPassword));
        QVERIFY(m_hermit->signUp(u"hermit"_s, kPassword));
        CONF_OK(m_hermit->call(u"part"_s, {{"channel"_L1, u"general"_s}}));
        auto carol = connectTo(m_server->url());
        QVERIFY(carol);
        QVERIFY(carol->signUp(u"carol"_s, kPassword));
        m_carolToken = carol->token();
        carol->close();
        QVERIFY(m_alice->waitEvent(u"presence"_s, presenceOf(u"carol"_s, false), 10s));
    }

    void cleanupTestCase()
    {
        m_alice.reset();
        m_hermit.reset();
        m_server.reset();
    }

    // Every test starts and ends with carol offline (each waits for her offline presence).
    void init()
    {
        m_alice->clearEvents();
        m_hermit->clearEvents();
        QCOMPARE(carolOnline(), std::optional<bool>(false));
    }

    void onlineOnLogin()
    {
        auto carol = carolSession();
        QVERIFY(carol);
        const auto ev = m_alice->waitEvent(u"presence"_s, presenceOf(u"carol"_s, true));
        QVERIFY2(ev, "alice was not told that carol came online");
        QCOMPARE(carolOnline(), std::optional<bool>(true));
        QVERIFY(!m_hermit->receivesWithin(u"presence"_s, kQuiet, [](const QJsonObject &e) { return e.value("user"_L1).toString() == "carol"_L1; }));
        carol->close();
        QVERIFY(m_alice->waitEvent(u"presence"_s, presenceOf(u"carol"_s, false), 10s));
    }

    void offlineWhenTheLastSessionCloses()
    {
        auto carol = carolSession();
        QVERIFY(carol);
        QVERIFY(m_alice->waitEvent(u"presence"_s, presenceOf(u"carol"_s, true)));
        carol->close();
        const auto ev = m_alice->waitEvent(u"presence"_s, presenceOf(u"carol"_s, false), 10s);
        QVERIFY2(ev, "alice was not told that carol went offline");
        // Still a member, now offline.
        QCOMPARE(carolOnline(), std::optional<bool>(false));
        QVERIFY(!m_hermit->receivesWithin(u"presence"_s, kQuiet, [](const QJsonObject &e) { return e.value("user"_L1).toString() == "carol"_L1; }));
    }

    void onlineWhileAnySessionIsConnected()
    {
        auto one = carolSession();
        QVERIFY(one);
        QVERIFY(m_alice->waitEvent(u"presence"_s, presenceOf(u"carol"_s, true)));
        auto two = carolSession();
        QVERIFY(two);
        one->close();
        // Carol's remaining session still works and is heard, and carol never went offline.
        const QString text = u"still here"_s;
        CONF_OK(two->call(u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, text}}));
        QVERIFY(m_alice->waitEvent(u"message"_s, messageWithText(text, u"general"_s)));
        QVERIFY2(!m_alice->receivesWithin(u"presence"_s, 1s, presenceOf(u"carol"_s, false)), "carol reported offline while a session was connected");
        QCOMPARE(carolOnline(), std::optional<bool>(true));
        two->close();
        QVERIFY(m_alice->waitEvent(u"presence"_s, presenceOf(u"carol"_s, false), 10s));
        QCOMPARE(carolOnline(), std::optional<bool>(false));
    }

    // A connection that just drops (no close frame) counts as gone too.
    void offlineOnAbruptDisconnect()
    {
        auto carol = carolSession();
        QVERIFY(carol);
        QVERIFY(m_alice->waitEvent(u"presence"_s, presenceOf(u"carol"_s, true)));
        carol->socket().abort();
        QVERIFY2(m_alice->waitEvent(u"presence"_s, presenceOf(u"carol"_s, false), 30s), "no offline presence after an abrupt disconnect");
        QCOMPARE(carolOnline(), std::optional<bool>(false));
    }

    // Sharing any channel is enough; the hermit hears carol once they share one.
    void sharedChannelBringsPresence()
    {
        CONF_OK(m_hermit->call(u"join"_s, {{"channel"_L1, u"den"_s}}));
        {
            auto carol = carolSession();
            QVERIFY(carol);
            CONF_OK(carol->call(u"join"_s, {{"channel"_L1, u"den"_s}}));
            carol->close();
            QVERIFY(m_alice->waitEvent(u"presence"_s, presenceOf(u"carol"_s, false), 10s));
        }
        m_hermit->clearEvents();
        auto carol = carolSession();
        QVERIFY(carol);
        QVERIFY2(m_hermit->waitEvent(u"presence"_s, presenceOf(u"carol"_s, true)), "hermit shares den with carol but got no presence");
        carol->close();
        QVERIFY(m_hermit->waitEvent(u"presence"_s, presenceOf(u"carol"_s, false), 10s));
        QVERIFY(m_alice->waitEvent(u"presence"_s, presenceOf(u"carol"_s, false), 10s));
        const QJsonObject m = m_hermit->call(u"members"_s, {{"channel"_L1, u"den"_s}});
        CONF_OK(m);
        for (const auto &e : m.value("members"_L1).toArray()) {
            const QJsonObject o = e.toObject();
            QCOMPARE(o.value("online"_L1).toBool(), o.value("user"_L1).toString() == "hermit"_L1);
        }
    }
};

QTEST_GUILESS_MAIN(TestConformancePresence)
#include "tst_conformance_presence.moc"
