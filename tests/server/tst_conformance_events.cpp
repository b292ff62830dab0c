// Conformance (black box, from PROTOCOL.md): event routing. `typing` to the other members only
// and never stored; an outsider gets no event of a channel whatever happens in it; `bye` and
// close 1001 to everyone on a graceful shutdown.

#include "Conformance.h"

using namespace rill::test;
using namespace rill::test::conf;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
const QString kPassword = u"correct horse"_s;
constexpr auto kQuiet = 300ms;
const QString kChan = u"ev-chan"_s;

// Does any field of the event name `channel` (as a name, or inside a Message/ChannelInfo)?
bool mentions(const QJsonObject &e, const QString &channel)
{
    return e.value("channel"_L1).toString() == channel || e.value("channel"_L1).toObject().value("name"_L1).toString() == channel
        || e.value("message"_L1).toObject().value("channel"_L1).toString() == channel;
}
}

class TestConformanceEvents : public CastSuite
{
    Q_OBJECT

private:

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(startCast(kChan, kPassword));
    }

    void cleanupTestCase()
    {
        stopCast();
    }

    void init()
    {
        for (auto *c : {m_a1.get(), m_a2.get(), m_bob.get(), m_carol.get()})
            c->clearEvents();
    }

    void typingGoesToOtherMembers()
    {
        const QJsonObject r = m_a1->call(u"typing"_s, {{"channel"_L1, kChan}});
        CONF_OK(r);
        const auto ev = m_bob->waitEvent(u"typing"_s, inChannel(kChan));
        QVERIFY2(ev, "bob got no typing event");
        QCOMPARE(ev->value("channel"_L1).toString(), kChan);
        QCOMPARE(ev->value("user"_L1).toString(), u"alice"_s);
        // Not to alice herself (either session), not to a non-member.
        QVERIFY(!m_a1->receivesWithin(u"typing"_s, kQuiet));
        QVERIFY(!m_a2->receivesWithin(u"typing"_s, 0ms));
        QVERIFY(!m_carol->receivesWithin(u"typing"_s, 0ms));
        // And the other way round.
        CONF_OK(m_bob->call(u"typing"_s, {{"channel"_L1, kChan}}));
        for (auto *a : {m_a1.get(), m_a2.get()}) {
            const auto e = a->waitEvent(u"typing"_s, inChannel(kChan));
            QVERIFY(e);
            QCOMPARE(e->value("user"_L1).toString(), u"bob"_s);
        }
        QVERIFY(!m_bob->receivesWithin(u"typing"_s, kQuiet));
    }

    void typingIsNotStored()
    {
        const QJsonObject before = m_bob->call(u"history"_s, {{"channel"_L1, kChan}, {"limit"_L1, 100}});
        CONF_OK(before);
        for (int i = 0; i < 3; ++i)
            CONF_OK(m_a1->call(u"typing"_s, {{"channel"_L1, kChan}}));
        QVERIFY(m_bob->waitEvent(u"typing"_s, inChannel(kChan)));
        const QJsonObject after = m_bob->call(u"history"_s, {{"channel"_L1, kChan}, {"limit"_L1, 100}});
        CONF_OK(after);
        QCOMPARE(after.value("messages"_L1), before.value("messages"_L1));
        const QJsonObject info = m_bob->call(u"join"_s, {{"channel"_L1, kChan}});
        const QJsonArray msgs = before.value("messages"_L1).toArray();
        QCOMPARE(info.value("channel"_L1).toObject().value("lastId"_L1).toString(),
                 msgs.last().toObject().value("id"_L1).toString());
    }

    void typingErrors()
    {
        CONF_ERROR(m_carol->call(u"typing"_s, {{"channel"_L1, kChan}}), "not_member");
        CONF_ERROR(m_carol->call(u"typing"_s, {{"channel"_L1, u"no-such-channel"_s}}), "not_member");
        CONF_ERROR(m_carol->call(u"typing"_s, {}), "bad_request");
        QVERIFY(!m_bob->receivesWithin(u"typing"_s, kQuiet));
    }

    // Everything that can happen in a channel, and an outsider hears none of it; the members
    // hear each step (the positive side of every negative check).
    void outsiderHearsNothing()
    {
        auto dave = connectTo(m_server->url());
        QVERIFY(dave);
        QVERIFY(dave->signUp(u"dave"_s, kPassword));
        CONF_OK(dave->call(u"join"_s, {{"channel"_L1, kChan}}));
        QVERIFY(m_bob->waitEvent(u"member"_s, [](const QJsonObject &e) { return e.value("user"_L1).toString() == "dave"_L1; }));
        const QJsonObject s = dave->call(u"send"_s, {{"channel"_L1, kChan}, {"text"_L1, u"dave was here"_s}});
        CONF_OK(s);
        QVERIFY(m_bob->waitEvent(u"message"_s, messageWithText(u"dave was here"_s, kChan)));
        CONF_OK(dave->call(u"typing"_s, {{"channel"_L1, kChan}}));
        QVERIFY(m_bob->waitEvent(u"typing"_s, inChannel(kChan)));
        CONF_OK(m_a1->call(u"read"_s, {{"channel"_L1, kChan}, {"upTo"_L1, s.value("message"_L1).toObject().value("id"_L1)}}));
        QVERIFY(m_a2->waitEvent(u"read"_s, inChannel(kChan)));
        CONF_OK(dave->call(u"part"_s, {{"channel"_L1, kChan}}));
        QVERIFY(m_bob->waitEvent(u"member"_s, [](const QJsonObject &e) {
            return e.value("user"_L1).toString() == "dave"_L1 && e.value("joined"_L1) == QJsonValue(false);
        }));
        // Give stragglers a moment, then look at everything carol got.
        m_carol->receivesWithin(u"never-sent"_s, kQuiet);
        for (const QString &ev : {u"message"_s, u"member"_s, u"typing"_s, u"read"_s, u"channel"_s}) {
            for (const auto &e : m_carol->pending(ev))
                QVERIFY2(!mentions(e, kChan), qPrintable(u"carol got "_s + dump(e)));
        }
    }

    // A connection that never logged in is nobody: it gets no event of any kind.
    void anonymousConnectionGetsNoEvents()
    {
        auto anon = connectTo(m_server->url());
        QVERIFY(anon);
        CONF_OK(anon->call(u"hello"_s, {{"version"_L1, 1}}));
        auto erin = connectTo(m_server->url());
        QVERIFY(erin);
        QVERIFY(erin->signUp(u"erin"_s, kPassword)); // presence in general, a join entry there
        const QString text = u"for the members only"_s;
        CONF_OK(m_a1->call(u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, text}}));
        CONF_OK(m_a1->call(u"typing"_s, {{"channel"_L1, u"general"_s}}));
        QVERIFY(m_bob->waitEvent(u"message"_s, messageWithText(text)));
        QVERIFY(m_bob->waitEvent(u"typing"_s, inChannel(u"general"_s)));
        erin->close();
        QVERIFY(m_bob->waitEvent(u"presence"_s, [](const QJsonObject &e) {
            return e.value("user"_L1).toString() == "erin"_L1 && e.value("online"_L1) == QJsonValue(false);
        }, 10s));
        anon->receivesWithin(u"never-sent"_s, kQuiet);
        for (const QString &ev : {u"message"_s, u"member"_s, u"typing"_s, u"read"_s, u"channel"_s, u"presence"_s})
            QVERIFY2(anon->pending(ev).isEmpty(), qPrintable(dump(anon->pending(ev))));
    }

    void byeOnGracefulShutdown()
    {
        ServerFixture server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        auto user = connectTo(server.url());
        auto second = connectTo(server.url());
        auto anonymous = connectTo(server.url());
        QVERIFY(user && second && anonymous);
        QVERIFY(user->signUp(u"erin"_s, kPassword));
        CONF_OK(second->call(u"login"_s, {{"token"_L1, user->token()}}));
        CONF_OK(anonymous->call(u"hello"_s, {{"version"_L1, 1}}));
        server.stop();
        const QList<std::pair<TestClient *, const char *>> clients{
            {user.get(), "a logged-in session"}, {second.get(), "a second session"}, {anonymous.get(), "an anonymous connection"}};
        for (const auto &[c, what] : clients) {
            const int code = c->waitClosed();
            QVERIFY2(code == 1001, qPrintable(u"close code %1 on %2"_s.arg(code).arg(QLatin1StringView(what))));
            // The bye came in before the close.
            const auto bye = c->waitEvent(u"bye"_s, {}, 0ms);
            QVERIFY2(bye, qPrintable(u"no bye before the close on "_s + QLatin1StringView(what)));
            QVERIFY2(bye->value("reason"_L1).isString(), qPrintable(dump(*bye)));
        }
    }
};

QTEST_GUILESS_MAIN(TestConformanceEvents)
#include "tst_conformance_events.moc"
