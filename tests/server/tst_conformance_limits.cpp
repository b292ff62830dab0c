// Conformance (black box, from PROTOCOL.md): the per-connection rate limit (about 5 sends/s,
// bursts of 20: `rate_limited` beyond, close 1008 for a connection that keeps flooding) and
// repeated bad logins (close 1008). The fixture runs with the limit off by default; these
// tests turn it on (5/s, burst 20).

#include "Conformance.h"

#include <QElapsedTimer>

using namespace rill::test;
using namespace rill::test::conf;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
const QString kPassword = u"correct horse"_s;
const QString kChan = u"flood"_s;
constexpr int kBurst = 20;

struct Outcome {
    int ok = 0;
    int limited = 0;
    QList<bool> okByOrder;
    QStringList okTexts;
    QString unexpected; // the first reply that is neither ok nor rate_limited
};

// Sends `count` pipelined messages and sorts the replies.
Outcome burst(TestClient &c, int count, const QString &tag)
{
    QList<qint64> reqs;
    QStringList texts;
    for (int i = 0; i < count; ++i) {
        texts << u"%1 %2"_s.arg(tag).arg(i);
        reqs << c.post(u"send"_s, {{"channel"_L1, kChan}, {"text"_L1, texts.last()}});
    }
    Outcome o;
    for (int i = 0; i < count; ++i) {
        const QJsonObject r = c.replyTo(reqs[i]);
        if (isOk(r)) {
            ++o.ok;
            o.okTexts << texts[i];
        } else if (isError(r, "rate_limited"_L1)) {
            ++o.limited;
        } else if (o.unexpected.isEmpty()) {
            o.unexpected = dump(r);
        }
        o.okByOrder << isOk(r);
    }
    return o;
}
}

class TestConformanceLimits : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<ServerFixture> m_server;
    std::unique_ptr<TestClient> m_bob; // a bystander in the channel
    QString m_aliceToken;

    std::unique_ptr<TestClient> alice()
    {
        return sessionWithToken(m_server->url(), m_aliceToken);
    }

    QStringList storedTexts(const QString &prefix)
    {
        QStringList out;
        const QJsonObject h = m_bob->call(u"history"_s, {{"channel"_L1, kChan}, {"limit"_L1, 100}});
        for (const auto &m : h.value("messages"_L1).toArray()) {
            const QString t = m.toObject().value("text"_L1).toString();
            if (t.startsWith(prefix + u' '))
                out << t;
        }
        return out;
    }

    QString bystanderProblem(const QString &tag)
    {
        const QString text = u"bob after "_s + tag;
        const QJsonObject r = m_bob->call(u"send"_s, {{"channel"_L1, kChan}, {"text"_L1, text}});
        if (!isOk(r))
            return u"the bystander could not send: "_s + dump(r);
        if (!m_bob->waitEvent(u"message"_s, messageWithText(text, kChan)))
            return u"the bystander got no event"_s;
        return {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<ServerFixture>();
        m_server->config().rateLimitPerSecond = 5;
        m_server->config().rateLimitBurst = kBurst;
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        m_bob = connectTo(m_server->url());
        auto a = connectTo(m_server->url());
        QVERIFY(m_bob && a);
        QVERIFY(m_bob->signUp(u"bob"_s, kPassword));
        QVERIFY(a->signUp(u"alice"_s, kPassword));
        m_aliceToken = a->token();
        CONF_OK(m_bob->call(u"join"_s, {{"channel"_L1, kChan}}));
        CONF_OK(a->call(u"join"_s, {{"channel"_L1, kChan}}));
    }

    void cleanupTestCase()
    {
        m_bob.reset();
        m_server.reset();
    }

    void init()
    {
        m_bob->clearEvents();
    }

    void burstThenRateLimited()
    {
        auto a = alice();
        QVERIFY(a);
        const Outcome o = burst(*a, 30, u"burst"_s);
        qInfo("burst of 30: %d ok, %d rate_limited", o.ok, o.limited);
        QVERIFY2(o.unexpected.isEmpty(), qPrintable(o.unexpected));
        // About a burst of 20 goes through (the log-in itself may have cost a token).
        QVERIFY2(o.ok >= kBurst - 2 && o.ok <= kBurst + 3, qPrintable(u"%1 ok, %2 limited"_s.arg(o.ok).arg(o.limited)));
        QVERIFY2(o.limited >= 30 - kBurst - 3, qPrintable(u"%1 ok, %2 limited"_s.arg(o.ok).arg(o.limited)));
        for (int i = 0; i < kBurst - 2; ++i)
            QVERIFY2(o.okByOrder[i], qPrintable(u"request %1 of the burst was refused"_s.arg(i)));
        // What was refused was not stored; what was accepted was, once.
        QStringList stored = storedTexts(u"burst"_s);
        QStringList expected = o.okTexts;
        stored.sort();
        expected.sort();
        QCOMPARE(stored, expected);
        // The limit is per connection: another connection of the same user is not limited.
        auto other = alice();
        QVERIFY(other);
        CONF_OK(other->call(u"send"_s, {{"channel"_L1, kChan}, {"text"_L1, u"from a fresh connection"_s}}));
        CONF_SHAPE(bystanderProblem(u"the burst"_s));
    }

    // The sustained rate: once the bucket is empty, about 5 sends a second go through again.
    void refillsOverTime()
    {
        auto a = alice();
        QVERIFY(a);
        const Outcome first = burst(*a, 25, u"drain"_s);
        QVERIFY2(first.limited > 0, qPrintable(u"%1 ok, %2 limited"_s.arg(first.ok).arg(first.limited)));
        // Waiting is the point here: the bucket refills with time, nothing else can signal it.
        QTest::qWait(1200);
        QVERIFY(a->isConnected());
        const Outcome later = burst(*a, 20, u"refill"_s);
        QVERIFY2(later.unexpected.isEmpty(), qPrintable(later.unexpected));
        QVERIFY2(later.ok >= 3 && later.ok <= 15, qPrintable(u"%1 ok after 1.2 s, %2 limited"_s.arg(later.ok).arg(later.limited)));
        QVERIFY(later.limited > 0);
    }

    void floodIsClosedWith1008()
    {
        auto a = alice();
        QVERIFY(a);
        int sent = 0;
        const QElapsedTimer clock = [] { QElapsedTimer t; t.start(); return t; }();
        while (a->isConnected() && sent < 5000 && clock.elapsed() < 20'000) {
            for (int i = 0; i < 50; ++i)
                a->post(u"send"_s, {{"channel"_L1, kChan}, {"text"_L1, u"flood %1"_s.arg(sent++)}});
            a->waitClosed(20ms); // let replies in (and notice a close) between batches
        }
        const int code = a->waitClosed();
        QVERIFY2(code == 1008, qPrintable(u"after %1 requests in %2 ms: close code %3"_s.arg(sent).arg(clock.elapsed()).arg(code)));
        qInfo("flood closed with 1008 after %d requests posted, %lld ms", sent, qint64(clock.elapsed()));
        CONF_SHAPE(bystanderProblem(u"the flood"_s));
    }

    void badLogins_data()
    {
        QTest::addColumn<QJsonObject>("params");
        QTest::newRow("wrong password") << QJsonObject{{"user"_L1, u"alice"_s}, {"password"_L1, u"wrong horse"_s}};
        QTest::newRow("unknown user") << QJsonObject{{"user"_L1, u"nobody"_s}, {"password"_L1, u"wrong horse"_s}};
        QTest::newRow("bogus token") << QJsonObject{{"token"_L1, u"guessed-token"_s}};
    }
    void badLogins()
    {
        QFETCH(QJsonObject, params);
        // Its own server with the rate limit off, so only the bad-login rule can close it.
        ServerFixture server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        auto victim = connectTo(server.url());
        QVERIFY(victim);
        QVERIFY(victim->signUp(u"alice"_s, kPassword));
        auto c = connectTo(server.url());
        QVERIFY(c);
        int attempts = 0;
        while (c->isConnected() && attempts < 50) {
            const QJsonObject r = c->call(u"login"_s, params, 30s);
            ++attempts;
            if (r.isEmpty())
                break; // closed instead of answering
            CONF_ERROR(r, "bad_credentials");
        }
        const int code = c->waitClosed();
        QVERIFY2(code == 1008, qPrintable(u"after %1 bad logins: close code %2"_s.arg(attempts).arg(code)));
        qInfo("closed with 1008 after %d bad logins", attempts);
        // The legitimate user's session is untouched.
        QVERIFY(victim->isConnected());
        CONF_OK(victim->call(u"channels"_s));
    }
};

QTEST_GUILESS_MAIN(TestConformanceLimits)
#include "tst_conformance_limits.moc"
