// Conformance (black box, from PROTOCOL.md): hello, register, login, logout, and the
// `unauthenticated` rule for every op before a successful register or login.

#include "Conformance.h"

#include <QCryptographicHash>

using namespace rill::test;
using namespace rill::test::conf;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
const QString kPassword = u"correct horse"_s;
}

class TestConformanceAuth : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<ServerFixture> m_server;
    QString m_aliceToken;

    std::unique_ptr<TestClient> fresh()
    {
        auto c = connectTo(m_server->url());
        if (!c)
            qWarning("could not connect");
        return c;
    }

    QJsonObject registerOn(TestClient &c, const QJsonValue &user, const QJsonValue &password)
    {
        return c.call(u"register"_s, {{"user"_L1, user}, {"password"_L1, password}}, 30s);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<ServerFixture>();
        // Every case here logs in, fails and registers from 127.0.0.1 on one server: the
        // cross-connection throttles (tst_throttle) would end the suite's own accounts.
        m_server->config().loginFailuresPerName = 0;
        m_server->config().registrationsPerAddress = 0;
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        auto alice = fresh();
        QVERIFY(alice);
        const QJsonObject r = registerOn(*alice, u"alice"_s, kPassword);
        CONF_OK(r);
        m_aliceToken = r.value("token"_L1).toString();
    }

    void cleanupTestCase()
    {
        m_server.reset();
    }

    void hello()
    {
        auto c = fresh();
        QVERIFY(c);
        const QJsonObject r = c->call(u"hello"_s, {{"version"_L1, 1}});
        CONF_OK(r);
        QVERIFY2(r.value("server"_L1).isString() && !r.value("server"_L1).toString().isEmpty(), qPrintable(dump(r)));
        QCOMPARE(r.value("version"_L1), QJsonValue(1));
        QVERIFY2(r.value("instance"_L1).isString(), qPrintable(dump(r)));
    }

    void helloBadRequest_data()
    {
        QTest::addColumn<QJsonObject>("params");
        QTest::newRow("no version") << QJsonObject{};
        QTest::newRow("version as string") << QJsonObject{{"version"_L1, u"1"_s}};
        QTest::newRow("version null") << QJsonObject{{"version"_L1, QJsonValue::Null}};
        QTest::newRow("version object") << QJsonObject{{"version"_L1, QJsonObject{}}};
    }
    void helloBadRequest()
    {
        QFETCH(QJsonObject, params);
        auto c = fresh();
        QVERIFY(c);
        CONF_ERROR(c->call(u"hello"_s, params), "bad_request");
        // The connection is still usable.
        CONF_OK(c->call(u"hello"_s, {{"version"_L1, 1}}));
    }

    void unauthenticated_data()
    {
        QTest::addColumn<QString>("op");
        QTest::addColumn<QJsonObject>("params");
        const QString ch = u"general"_s;
        QTest::newRow("logout") << u"logout"_s << QJsonObject{};
        QTest::newRow("channels") << u"channels"_s << QJsonObject{};
        QTest::newRow("join") << u"join"_s << QJsonObject{{"channel"_L1, u"unauth-join"_s}};
        QTest::newRow("part") << u"part"_s << QJsonObject{{"channel"_L1, ch}};
        QTest::newRow("send") << u"send"_s << QJsonObject{{"channel"_L1, ch}, {"text"_L1, u"sent before login"_s}};
        QTest::newRow("history") << u"history"_s << QJsonObject{{"channel"_L1, ch}};
        QTest::newRow("members") << u"members"_s << QJsonObject{{"channel"_L1, ch}};
        QTest::newRow("dm") << u"dm"_s << QJsonObject{{"user"_L1, u"alice"_s}};
        QTest::newRow("typing") << u"typing"_s << QJsonObject{{"channel"_L1, ch}};
        QTest::newRow("read") << u"read"_s << QJsonObject{{"channel"_L1, ch}, {"upTo"_L1, u"1-0"_s}};
    }
    void unauthenticated()
    {
        QFETCH(QString, op);
        QFETCH(QJsonObject, params);
        auto c = fresh();
        QVERIFY(c);
        CONF_ERROR(c->call(op, params), "unauthenticated");
        // Still unauthenticated after a failed login and after a failed register.
        CONF_ERROR(c->call(u"login"_s, {{"user"_L1, u"alice"_s}, {"password"_L1, u"wrong password"_s}}, 30s), "bad_credentials");
        CONF_ERROR(c->call(op, params), "unauthenticated");
        CONF_ERROR(registerOn(*c, u"alice"_s, kPassword), "user_taken");
        CONF_ERROR(c->call(op, params), "unauthenticated");
    }

    // Nothing an unauthenticated connection asked for happened.
    void unauthenticatedLeftNoTrace()
    {
        auto alice = sessionWithToken(m_server->url(), m_aliceToken);
        QVERIFY(alice);
        const QJsonObject h = alice->call(u"history"_s, {{"channel"_L1, u"general"_s}, {"limit"_L1, 100}});
        CONF_OK(h);
        for (const auto &m : h.value("messages"_L1).toArray())
            QVERIFY2(m.toObject().value("text"_L1).toString() != "sent before login"_L1, qPrintable(dump(m)));
        const QJsonObject chans = alice->call(u"channels"_s);
        CONF_OK(chans);
        for (const auto &c : chans.value("channels"_L1).toArray())
            QVERIFY2(c.toObject().value("name"_L1).toString() != "unauth-join"_L1, qPrintable(dump(chans)));
    }

    void registerSuccess()
    {
        auto c = fresh();
        QVERIFY(c);
        const QJsonObject r = registerOn(*c, u"newbie"_s, kPassword);
        CONF_OK(r);
        QCOMPARE(r.value("user"_L1).toString().toLower(), u"newbie"_s);
        QVERIFY2(r.value("token"_L1).isString() && !r.value("token"_L1).toString().isEmpty(), qPrintable(dump(r)));
        QVERIFY2(r.value("channels"_L1).isArray(), qPrintable(dump(r)));
        for (const auto &ch : r.value("channels"_L1).toArray())
            CONF_SHAPE(channelInfoProblems(ch.toObject()));
        const QJsonObject general = findChannel(r.value("channels"_L1).toArray(), u"general"_s);
        QVERIFY2(!general.isEmpty(), qPrintable(dump(r)));
        QCOMPARE(general.value("kind"_L1).toString(), u"channel"_s);
        // The session is now logged in: an op that needs it works.
        CONF_OK(c->call(u"channels"_s));
    }

    void registerValidNames_data()
    {
        QTest::addColumn<QString>("user");
        QTest::newRow("one char") << u"q"_s;
        QTest::newRow("32 chars") << QString(32, u'k');
        QTest::newRow("every class") << u"Az09_.-"_s;
    }
    void registerValidNames()
    {
        QFETCH(QString, user);
        auto c = fresh();
        QVERIFY(c);
        const QJsonObject r = registerOn(*c, user, kPassword);
        CONF_OK(r);
        QCOMPARE(r.value("user"_L1).toString().toLower(), user.toLower());
    }

    void registerInvalidUser_data()
    {
        QTest::addColumn<QString>("user");
        QTest::newRow("empty") << QString();
        QTest::newRow("33 chars") << QString(33, u'k');
        QTest::newRow("space") << u"a b"_s;
        QTest::newRow("colon") << u"a:b"_s;
        QTest::newRow("slash") << u"a/b"_s;
        QTest::newRow("latin-1 letter") << u"jos\u00e9"_s;
        QTest::newRow("cjk") << u"\u540d\u524d"_s;
        QTest::newRow("emoji") << u"\U0001F600"_s;
        QTest::newRow("newline") << u"a\nb"_s;
        QTest::newRow("NUL") << QString::fromUtf16(u"a\u0000b", 3);
        QTest::newRow("redis protocol") << u"\r\n*1\r\n$4\r\nPING\r\n"_s;
        QTest::newRow("glob") << u"*"_s;
        QTest::newRow("at") << u"bob@example"_s;
    }
    void registerInvalidUser()
    {
        QFETCH(QString, user);
        auto c = fresh();
        QVERIFY(c);
        CONF_ERROR(registerOn(*c, user, kPassword), "invalid_user");
        CONF_ERROR(c->call(u"channels"_s), "unauthenticated");
    }

    void registerWeakPassword_data()
    {
        QTest::addColumn<QString>("password");
        QTest::newRow("empty") << QString();
        QTest::newRow("7 ascii") << u"1234567"_s;
        QTest::newRow("7 two-byte chars (14 bytes)") << QString(7, QChar(0xe9));
        QTest::newRow("4 emoji (8 UTF-16 units)") << u"\U0001F600\U0001F601\U0001F602\U0001F603"_s;
    }
    void registerWeakPassword()
    {
        QFETCH(QString, password);
        auto c = fresh();
        QVERIFY(c);
        CONF_ERROR(registerOn(*c, u"weakling"_s, password), "weak_password");
        // Not registered: the name is still free.
        auto probe = fresh();
        QVERIFY(probe);
        const QJsonObject r = probe->call(u"login"_s, {{"user"_L1, u"weakling"_s}, {"password"_L1, password}}, 30s);
        QVERIFY2(!isOk(r), qPrintable(dump(r)));
    }

    // 1024 is the longest password; a longer one must be refused. The contract lists only
    // weak_password for password problems; bad_request is accepted too (see the report).
    void registerPasswordTooLong()
    {
        auto c = fresh();
        QVERIFY(c);
        const QJsonObject r = registerOn(*c, u"longpw"_s, QString(1025, u'p'));
        qInfo("1025-character password: %s", qPrintable(dump(r)));
        QVERIFY2(isError(r, "weak_password"_L1) || isError(r, "bad_request"_L1), qPrintable(dump(r)));
    }

    void registerPasswordBounds_data()
    {
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("password");
        QTest::newRow("8 ascii") << u"pw8"_s << u"12345678"_s;
        QTest::newRow("1024 ascii") << u"pw1024"_s << QString(1024, u'p');
        QTest::newRow("8 emoji") << u"pwemoji"_s << QString(u"\U0001F600"_s).repeated(8);
    }
    void registerPasswordBounds()
    {
        QFETCH(QString, user);
        QFETCH(QString, password);
        auto c = fresh();
        QVERIFY(c);
        CONF_OK(registerOn(*c, user, password));
        auto again = fresh();
        QVERIFY(again);
        const QJsonObject r = again->call(u"login"_s, {{"user"_L1, user}, {"password"_L1, password}}, 30s);
        CONF_OK(r);
        QCOMPARE(r.value("user"_L1).toString().toLower(), user.toLower());
    }

    void registerUserTaken_data()
    {
        QTest::addColumn<QString>("second");
        QTest::newRow("same") << u"Taken"_s;
        QTest::newRow("lower case") << u"taken"_s;
        QTest::newRow("upper case") << u"TAKEN"_s;
    }
    void registerUserTaken()
    {
        QFETCH(QString, second);
        {
            auto c = fresh();
            QVERIFY(c);
            const QJsonObject r = registerOn(*c, u"Taken"_s, kPassword);
            QVERIFY2(isOk(r) || isError(r, "user_taken"_L1), qPrintable(dump(r))); // the first row registers
        }
        auto c = fresh();
        QVERIFY(c);
        CONF_ERROR(registerOn(*c, second, u"another password"_s), "user_taken");
        // The failed register changed nothing: the original password still works, the new one not.
        CONF_ERROR(c->call(u"login"_s, {{"user"_L1, u"Taken"_s}, {"password"_L1, u"another password"_s}}, 30s), "bad_credentials");
        CONF_OK(c->call(u"login"_s, {{"user"_L1, u"Taken"_s}, {"password"_L1, kPassword}}, 30s));
    }

    void loginPassword_data()
    {
        QTest::addColumn<QString>("user");
        QTest::newRow("as registered") << u"alice"_s;
        QTest::newRow("other case") << u"ALICE"_s;
        QTest::newRow("mixed case") << u"aLiCe"_s;
    }
    void loginPassword()
    {
        QFETCH(QString, user);
        auto c = fresh();
        QVERIFY(c);
        const QJsonObject r = c->call(u"login"_s, {{"user"_L1, user}, {"password"_L1, kPassword}}, 30s);
        CONF_OK(r);
        QCOMPARE(r.value("user"_L1).toString().toLower(), u"alice"_s);
        QVERIFY2(r.value("token"_L1).isString() && !r.value("token"_L1).toString().isEmpty(), qPrintable(dump(r)));
        for (const auto &ch : r.value("channels"_L1).toArray())
            CONF_SHAPE(channelInfoProblems(ch.toObject()));
        QVERIFY2(!findChannel(r.value("channels"_L1).toArray(), u"general"_s).isEmpty(), qPrintable(dump(r)));
        CONF_OK(c->call(u"channels"_s));
    }

    void loginBadCredentials_data()
    {
        QTest::addColumn<QJsonObject>("params");
        QTest::newRow("wrong password") << QJsonObject{{"user"_L1, u"alice"_s}, {"password"_L1, u"wrong horse"_s}};
        QTest::newRow("password other case") << QJsonObject{{"user"_L1, u"alice"_s}, {"password"_L1, u"Correct Horse"_s}};
        QTest::newRow("unknown user") << QJsonObject{{"user"_L1, u"nobody"_s}, {"password"_L1, kPassword}};
        QTest::newRow("bogus token") << QJsonObject{{"token"_L1, u"not-a-token"_s}};
        QTest::newRow("token with a changed letter") << QJsonObject{{"token"_L1, QString()}}; // filled in below
    }
    void loginBadCredentials()
    {
        QFETCH(QJsonObject, params);
        if (params.contains("token"_L1) && params.value("token"_L1).toString().isEmpty()) {
            QString t = m_aliceToken;
            QVERIFY(!t.isEmpty());
            t[t.size() / 2] = t[t.size() / 2] == u'A' ? u'B' : u'A';
            params.insert("token"_L1, t);
        }
        auto c = fresh();
        QVERIFY(c);
        CONF_ERROR(c->call(u"login"_s, params, 30s), "bad_credentials");
        CONF_ERROR(c->call(u"channels"_s), "unauthenticated");
    }

    // "Requests may be pipelined": a login and the requests that depend on it, sent at once.
    void pipelinedLoginThenRequests()
    {
        auto c = fresh();
        QVERIFY(c);
        const qint64 login = c->post(u"login"_s, {{"user"_L1, u"alice"_s}, {"password"_L1, kPassword}});
        const qint64 channels = c->post(u"channels"_s);
        const qint64 history = c->post(u"history"_s, {{"channel"_L1, u"general"_s}, {"limit"_L1, 1}});
        CONF_OK(c->replyTo(login, 30s));
        CONF_OK(c->replyTo(channels, 30s));
        CONF_OK(c->replyTo(history, 30s));
    }

    void loginToken()
    {
        // Two sessions at once on one token.
        auto one = fresh();
        auto two = fresh();
        QVERIFY(one && two);
        const QJsonObject r1 = one->call(u"login"_s, {{"token"_L1, m_aliceToken}});
        const QJsonObject r2 = two->call(u"login"_s, {{"token"_L1, m_aliceToken}});
        CONF_OK(r1);
        CONF_OK(r2);
        QCOMPARE(r1.value("user"_L1).toString().toLower(), u"alice"_s);
        QVERIFY2(!findChannel(r1.value("channels"_L1).toArray(), u"general"_s).isEmpty(), qPrintable(dump(r1)));
        for (const auto &ch : r1.value("channels"_L1).toArray())
            CONF_SHAPE(channelInfoProblems(ch.toObject()));
        CONF_OK(one->call(u"channels"_s));
        CONF_OK(two->call(u"channels"_s));
    }

    // "Stored only as a salted memory-hard hash (argon2id or scrypt)": the password appears
    // nowhere in Redis; the user's record (docs/storage.md: rill:{u:<user>} field pw) holds an
    // argon2id or scrypt string, different for two users with the same password.
    void passwordStoredOnlyHashed()
    {
        const QString password = u"plain-Text-Canary-31337"_s;
        for (const QString &user : {u"hashed1"_s, u"hashed2"_s}) {
            auto c = fresh();
            QVERIFY(c);
            CONF_OK(registerOn(*c, user, password));
        }
        auto &db = m_server->redis();
        QByteArray everything;
        QByteArray cursor = "0";
        do {
            const auto page = db.run({"SCAN", cursor, "COUNT", "1000"});
            QVERIFY2(page.isArray() && page.size() == 2, qPrintable(page.describe()));
            cursor = page.at(0).bytes();
            for (const auto &k : page.at(1).elements()) {
                const QByteArray key = k.bytes();
                const QByteArray type = db.run({"TYPE", key}).bytes();
                rill::redis::RedisReply v;
                if (type == "string")
                    v = db.run({"GET", key});
                else if (type == "hash")
                    v = db.run({"HGETALL", key});
                else if (type == "set")
                    v = db.run({"SMEMBERS", key});
                else if (type == "zset")
                    v = db.run({"ZRANGE", key, "0", "-1", "WITHSCORES"});
                else if (type == "list")
                    v = db.run({"LRANGE", key, "0", "-1"});
                else if (type == "stream")
                    v = db.run({"XRANGE", key, "-", "+"});
                everything += key + '\n';
                const std::function<void(const rill::redis::RedisReply &)> collect = [&](const rill::redis::RedisReply &r) {
                    everything += r.bytes() + '\n';
                    for (const auto &e : r.elements())
                        collect(e);
                };
                collect(v);
            }
        } while (cursor != "0");
        QVERIFY(everything.contains("hashed1"));
        QVERIFY2(!everything.contains(password.toUtf8()), "the plain password is stored in Redis");
        QVERIFY2(!everything.contains(password.toUtf8().toBase64()), "the password is stored base64-encoded");
        QVERIFY2(!everything.contains(password.toUtf8().toHex()), "the password is stored hex-encoded");

        const QByteArray pw1 = db.run({"HGET", "rill:{u:hashed1}", "pw"}).bytes();
        const QByteArray pw2 = db.run({"HGET", "rill:{u:hashed2}", "pw"}).bytes();
        QVERIFY2(pw1.startsWith("$argon2id$") || pw1.startsWith("$scrypt$") || pw1.startsWith("$7$"), pw1.constData());
        QVERIFY2(pw1 != pw2, "two users with the same password have the same hash: not salted");
    }

    // Tokens expire after 30 days idle (docs/storage.md: rill:token:<sha256 of token>).
    void tokenExpiresAfter30DaysIdle()
    {
        auto c = fresh();
        QVERIFY(c);
        const QJsonObject r = c->call(u"login"_s, {{"user"_L1, u"alice"_s}, {"password"_L1, kPassword}}, 30s);
        CONF_OK(r);
        const QByteArray key = "rill:token:" + QCryptographicHash::hash(r.value("token"_L1).toString().toUtf8(), QCryptographicHash::Sha256).toHex();
        const qint64 ttl = m_server->redis().run({"TTL", key}).integer();
        QVERIFY2(ttl > 29 * 86400 && ttl <= 30 * 86400, qPrintable(u"TTL of the token: %1 s"_s.arg(ttl)));
    }

    void logoutRevokesToken()
    {
        auto c = fresh();
        QVERIFY(c);
        const QJsonObject r = c->call(u"login"_s, {{"user"_L1, u"alice"_s}, {"password"_L1, kPassword}}, 30s);
        CONF_OK(r);
        const QString token = r.value("token"_L1).toString();
        // The token works before the logout...
        {
            auto other = fresh();
            QVERIFY(other);
            CONF_OK(other->call(u"login"_s, {{"token"_L1, token}}));
        }
        const QJsonObject out = c->call(u"logout"_s);
        CONF_OK(out);
        // ...and not after it.
        auto other = fresh();
        QVERIFY(other);
        CONF_ERROR(other->call(u"login"_s, {{"token"_L1, token}}), "bad_credentials");
        CONF_ERROR(other->call(u"channels"_s), "unauthenticated");
        // The logged-out connection cannot act as the user any more (it may answer
        // unauthenticated or be closed; it must not send).
        const QString text = u"after logout"_s;
        const QJsonObject s = c->call(u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, text}});
        QVERIFY2(!isOk(s), qPrintable(dump(s)));
        auto alice = sessionWithToken(m_server->url(), m_aliceToken);
        QVERIFY(alice);
        const QJsonObject h = alice->call(u"history"_s, {{"channel"_L1, u"general"_s}, {"limit"_L1, 100}});
        CONF_OK(h);
        for (const auto &m : h.value("messages"_L1).toArray())
            QVERIFY2(m.toObject().value("text"_L1).toString() != text, qPrintable(dump(m)));
    }
};

QTEST_GUILESS_MAIN(TestConformanceAuth)
#include "tst_conformance_auth.moc"
