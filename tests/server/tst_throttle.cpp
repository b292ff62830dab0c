// Log-in and registration throttling (PROTOCOL.md revision 2, "transport security"; issue 10):
// failed password log-ins are counted per user name and per client address in Redis, so across
// connections and instances; past the threshold a password `login` answers `rate_limited` with
// `retryAfter` until the window passes, while a `login` with a valid token still works.
// Registration is throttled per address. A full password-hash queue answers rate_limited.
// Over real sockets.

#include "Conformance.h"

using namespace rill::test;
using namespace rill::test::conf;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
const QString kPassword = u"correct horse"_s;

QJsonObject passwordLogin(const QUrl &url, const QString &user, const QString &password)
{
    auto c = connectTo(url); // a fresh connection each time: the per-connection close never helps
    if (!c)
        return {};
    return c->call(u"login"_s, {{"user"_L1, user}, {"password"_L1, password}}, 30s);
}

bool isThrottled(const QJsonObject &r, qint64 window)
{
    const qint64 retryAfter = r.value("retryAfter"_L1).toInteger(-1);
    return isError(r, "rate_limited"_L1) && retryAfter > 0 && retryAfter <= window;
}
} // namespace

class TestThrottle : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Past the per-name threshold, even the right password is refused until the window
    // passes; the count is in Redis, so a second instance refuses as well. Tokens still work,
    // and other users are not affected.
    void failedLoginsAreThrottledPerName()
    {
        RedisFixture redis;
        QVERIFY(redis.start());
        ServerFixture one(&redis), two(&redis);
        one.config().loginFailuresPerName = 3;
        two.config().loginFailuresPerName = 3;
        QVERIFY(one.start() && two.start());
        TestClient alice, bob;
        QVERIFY(alice.open(one.url()) && bob.open(one.url()));
        QVERIFY(alice.signUp(u"alice"_s, kPassword));
        QVERIFY(bob.signUp(u"bob"_s, kPassword));

        CONF_ERROR(passwordLogin(one.url(), u"alice"_s, u"guess one"_s), "bad_credentials");
        CONF_ERROR(passwordLogin(two.url(), u"ALICE"_s, u"guess two"_s), "bad_credentials");
        CONF_ERROR(passwordLogin(one.url(), u"alice"_s, u"guess three"_s), "bad_credentials");
        for (const QUrl &url : {one.url(), two.url()}) {
            const QJsonObject refused = passwordLogin(url, u"alice"_s, kPassword);
            QVERIFY2(isThrottled(refused, 15 * 60), qPrintable(dump(refused)));
        }
        // Failed password log-ins never block a valid token.
        auto withToken = sessionWithToken(two.url(), alice.token());
        QVERIFY(withToken);
        CONF_OK(withToken->call(u"channels"_s));
        // Nor another user (the address's own limit is ten times higher).
        CONF_OK(passwordLogin(one.url(), u"bob"_s, kPassword));
        // Nothing changed for the account: its sessions work.
        CONF_OK(alice.call(u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, u"still me"_s}}));
    }

    // A log-in that succeeds gives back its attempt: only failures count.
    void successesDoNotCount()
    {
        ServerFixture server;
        server.config().loginFailuresPerName = 3;
        QVERIFY(server.start());
        TestClient alice;
        QVERIFY(alice.open(server.url()));
        QVERIFY(alice.signUp(u"alice"_s, kPassword));
        for (int i = 0; i < 5; ++i)
            CONF_OK(passwordLogin(server.url(), u"alice"_s, kPassword));
        CONF_ERROR(passwordLogin(server.url(), u"alice"_s, u"wrong one"_s), "bad_credentials");
        CONF_ERROR(passwordLogin(server.url(), u"alice"_s, u"wrong two"_s), "bad_credentials");
        CONF_OK(passwordLogin(server.url(), u"alice"_s, kPassword));
        CONF_ERROR(passwordLogin(server.url(), u"alice"_s, u"wrong three"_s), "bad_credentials");
        QVERIFY(isThrottled(passwordLogin(server.url(), u"alice"_s, kPassword), 15 * 60));
    }

    // Guessing across many names from one address meets the address's limit, ten times the
    // name's: then every password log-in from there waits, names never tried included.
    void failedLoginsAreThrottledPerAddress()
    {
        ServerFixture server;
        server.config().loginFailuresPerName = 2; // per address: 20
        QVERIFY(server.start());
        TestClient alice;
        QVERIFY(alice.open(server.url()));
        QVERIFY(alice.signUp(u"alice"_s, kPassword));
        for (int i = 0; i < 20; ++i)
            CONF_ERROR(passwordLogin(server.url(), u"nobody%1"_s.arg(i / 2), u"a guess"_s), "bad_credentials");
        QVERIFY(isThrottled(passwordLogin(server.url(), u"never-tried"_s, u"a guess"_s), 15 * 60));
        QVERIFY(isThrottled(passwordLogin(server.url(), u"alice"_s, kPassword), 15 * 60));
        auto withToken = sessionWithToken(server.url(), alice.token());
        QVERIFY(withToken);
    }

    // Registrations per address per hour; a request that would not create an account
    // (invalid, taken) does not count.
    void registrationIsThrottledPerAddress()
    {
        ServerFixture server;
        server.config().registrationsPerAddress = 3;
        QVERIFY(server.start());
        auto c = connectTo(server.url());
        QVERIFY(c);
        for (const QString &user : {u"first"_s, u"second"_s}) {
            auto other = connectTo(server.url());
            CONF_OK(other->call(u"register"_s, {{"user"_L1, user}, {"password"_L1, kPassword}}, 30s));
        }
        CONF_ERROR(c->call(u"register"_s, {{"user"_L1, u"first"_s}, {"password"_L1, kPassword}}, 30s), "user_taken");
        CONF_ERROR(c->call(u"register"_s, {{"user"_L1, u"not valid!"_s}, {"password"_L1, kPassword}}), "invalid_user");
        CONF_OK(c->call(u"register"_s, {{"user"_L1, u"third"_s}, {"password"_L1, kPassword}}, 30s));
        auto d = connectTo(server.url());
        const QJsonObject refused = d->call(u"register"_s, {{"user"_L1, u"fourth"_s}, {"password"_L1, kPassword}}, 30s);
        QVERIFY2(isThrottled(refused, 3600), qPrintable(dump(refused)));
        CONF_ERROR(d->call(u"login"_s, {{"user"_L1, u"fourth"_s}, {"password"_L1, kPassword}}, 30s), "bad_credentials");
        CONF_OK(d->call(u"login"_s, {{"user"_L1, u"third"_s}, {"password"_L1, kPassword}}, 30s));
    }

    // Past the hash queue, a password log-in is answered at once with rate_limited
    // (retryAfter 1) and not counted against the name; once the queue drains, log-ins are
    // checked again. Bursts of 16 concurrent guesses meet a queue of one (hashing takes tens of
    // milliseconds); the burst repeats until one is refused, so a slow machine only takes longer.
    void aFullHashQueueAnswersRateLimited()
    {
        RedisFixture redis;
        QVERIFY(redis.start());
        ServerFixture server(&redis);
        server.config().hashWorkers = 1;
        server.config().hashQueue = 1;
        server.config().loginFailuresPerName = 0; // only the queue refuses here
        QVERIFY(server.start());
        constexpr int kBurst = 16;
        std::vector<std::unique_ptr<TestClient>> clients;
        for (int i = 0; i < kBurst; ++i) {
            clients.push_back(connectTo(server.url()));
            QVERIFY(clients.back());
        }
        int refused = 0;
        for (int round = 0; round < 50 && refused == 0; ++round) {
            std::vector<qint64> ids;
            for (const auto &c : clients)
                ids.push_back(c->post(u"login"_s, {{"user"_L1, u"nobody"_s}, {"password"_L1, u"a guess"_s}}));
            for (std::size_t i = 0; i < clients.size(); ++i) {
                const QJsonObject r = clients[i]->replyTo(ids[i], 30s);
                if (isError(r, "rate_limited"_L1)) {
                    QCOMPARE(r.value("retryAfter"_L1).toInteger(), 1);
                    ++refused;
                } else {
                    QVERIFY2(isError(r, "bad_credentials"_L1), qPrintable(dump(r)));
                }
            }
            // A connection closes after maxBadLogins failures: start each round afresh.
            for (auto &c : clients) {
                c = connectTo(server.url());
                QVERIFY(c);
            }
        }
        QVERIFY(refused > 0);
        CONF_ERROR(passwordLogin(server.url(), u"nobody"_s, u"a guess"_s), "bad_credentials");
    }
};

QTEST_GUILESS_MAIN(TestThrottle)
#include "tst_throttle.moc"
