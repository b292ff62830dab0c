// Conformance (black box, from PROTOCOL.md): bad and hostile input. Invalid JSON, non-objects,
// requests without a usable id (re: null), unknown ops, wrong parameter types, binary frames
// (1003), frames over 64 KiB (1009), hostile strings (stored byte-exact where accepted). After
// each abuse a bystander connection still works and still receives events.

#include "Conformance.h"

using namespace rill::test;
using namespace rill::test::conf;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
const QString kPassword = u"correct horse"_s;
const QString kChan = u"hostile"_s;
constexpr qsizetype kMaxFrame = 64 * 1024;

// The error codes the contract defines.
const QStringList kErrorCodes{u"bad_request"_s, u"unauthenticated"_s, u"bad_credentials"_s, u"invalid_user"_s,
                              u"weak_password"_s, u"user_taken"_s, u"invalid_channel"_s, u"not_member"_s,
                              u"no_such_user"_s, u"empty"_s, u"too_long"_s, u"rate_limited"_s, u"forbidden"_s, u"internal"_s};

bool isNullReplyBadRequest(const QJsonObject &r)
{
    return r.contains("re"_L1) && r.value("re"_L1).isNull() && isError(r, "bad_request"_L1);
}

// A valid hello request of exactly `size` bytes (white space between the tokens is valid JSON).
QString helloOfSize(qint64 id, qsizetype size)
{
    const QString head = u"{\"id\":%1,"_s.arg(id);
    const QString tail = u"\"op\":\"hello\",\"version\":1}"_s;
    return head + QString(size - head.size() - tail.size(), u' ') + tail;
}
}

class TestConformanceBadInput : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<ServerFixture> m_server;
    std::unique_ptr<TestClient> m_bystander, m_witness;
    QString m_abuserToken;
    int m_seq = 0;

    // The bystander still answers and still hears the witness. Empty when all is well.
    QString bystanderProblem()
    {
        if (!m_bystander->isConnected())
            return u"the bystander was disconnected"_s;
        const QString text = u"witness says %1"_s.arg(++m_seq);
        const QJsonObject s = m_witness->call(u"send"_s, {{"channel"_L1, kChan}, {"text"_L1, text}});
        if (!isOk(s))
            return u"the witness could not send: "_s + dump(s);
        if (!m_bystander->waitEvent(u"message"_s, messageWithText(text, kChan)))
            return u"the bystander did not receive the witness's message"_s;
        const QJsonObject c = m_bystander->call(u"channels"_s);
        if (!isOk(c))
            return u"the bystander's request failed: "_s + dump(c);
        return {};
    }

    std::unique_ptr<TestClient> abuser(bool loggedIn)
    {
        auto c = loggedIn ? sessionWithToken(m_server->url(), m_abuserToken) : connectTo(m_server->url());
        if (!c)
            qWarning("could not connect the abuser");
        return c;
    }

    // The connection still works: a hello gets its reply.
    static bool stillWorks(TestClient &c)
    {
        return isOk(c.call(u"hello"_s, {{"version"_L1, 1}}));
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<ServerFixture>();
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        m_bystander = connectTo(m_server->url());
        m_witness = connectTo(m_server->url());
        auto abuser = connectTo(m_server->url());
        QVERIFY(m_bystander && m_witness && abuser);
        QVERIFY(m_bystander->signUp(u"bystander"_s, kPassword));
        QVERIFY(m_witness->signUp(u"witness"_s, kPassword));
        QVERIFY(abuser->signUp(u"abuser"_s, kPassword));
        m_abuserToken = abuser->token();
        for (auto *c : {m_bystander.get(), m_witness.get(), abuser.get()})
            CONF_OK(c->call(u"join"_s, {{"channel"_L1, kChan}}));
        CONF_SHAPE(bystanderProblem());
    }

    void cleanupTestCase()
    {
        m_bystander.reset();
        m_witness.reset();
        m_server.reset();
    }

    void init()
    {
        m_bystander->clearEvents();
    }

    void cleanup()
    {
        CONF_SHAPE(bystanderProblem());
    }

    // ---- frames that are not a usable request: {"re": null, "ok": false, "error": "bad_request"}

    void noUsableId_data()
    {
        QTest::addColumn<QString>("frame");
        QTest::addColumn<bool>("loggedIn");
        const auto both = [](const char *name, const QString &frame) {
            QTest::newRow(QByteArray(QByteArray(name) + " (anonymous)").constData()) << frame << false;
            QTest::newRow(QByteArray(QByteArray(name) + " (logged in)").constData()) << frame << true;
        };
        both("not json", u"hello"_s);
        both("empty frame", QString());
        both("truncated object", u"{\"id\":1,\"op\":\"hello\",\"version\":1"_s);
        both("trailing garbage", u"{\"id\":1,\"op\":\"hello\",\"version\":1} x"_s);
        both("two objects", u"{\"id\":1,\"op\":\"hello\",\"version\":1}{\"id\":2,\"op\":\"hello\",\"version\":1}"_s);
        both("single quotes", u"{'id':1,'op':'hello','version':1}"_s);
        both("array", u"[]"_s);
        both("array of a request", u"[{\"id\":1,\"op\":\"hello\",\"version\":1}]"_s);
        both("number", u"42"_s);
        both("string", u"\"hello\""_s);
        both("null", u"null"_s);
        both("true", u"true"_s);
        both("deep nesting", QString(5000, u'[') + QString(5000, u']'));
        both("no id", u"{\"op\":\"hello\",\"version\":1}"_s);
        both("id string", u"{\"id\":\"1\",\"op\":\"hello\",\"version\":1}"_s);
        both("id fraction", u"{\"id\":1.5,\"op\":\"hello\",\"version\":1}"_s);
        both("id null", u"{\"id\":null,\"op\":\"hello\",\"version\":1}"_s);
        both("id object", u"{\"id\":{},\"op\":\"hello\",\"version\":1}"_s);
        both("id array", u"{\"id\":[1],\"op\":\"hello\",\"version\":1}"_s);
        both("id bool", u"{\"id\":true,\"op\":\"hello\",\"version\":1}"_s);
        both("id and op missing", u"{}"_s);
    }
    void noUsableId()
    {
        QFETCH(QString, frame);
        QFETCH(bool, loggedIn);
        auto c = abuser(loggedIn);
        QVERIFY(c);
        c->sendRaw(frame);
        const auto r = c->waitNullReply();
        QVERIFY2(r, "no reply with re: null");
        QVERIFY2(isNullReplyBadRequest(*r), qPrintable(dump(*r)));
        // Exactly one reply, and the connection is still usable.
        QVERIFY(stillWorks(*c));
        QVERIFY2(!c->waitNullReply(0ms), "more than one reply to one frame");
        QVERIFY(c->isConnected());
    }

    // ---- requests with a usable id but no usable op: {"re": <id>, "ok": false, "error": "bad_request"}

    void badOp_data()
    {
        QTest::addColumn<QString>("frame");
        QTest::newRow("no op") << u"{\"id\":%1}"_s;
        QTest::newRow("op number") << u"{\"id\":%1,\"op\":42}"_s;
        QTest::newRow("op null") << u"{\"id\":%1,\"op\":null}"_s;
        QTest::newRow("op object") << u"{\"id\":%1,\"op\":{\"name\":\"hello\"}}"_s;
        QTest::newRow("op empty") << u"{\"id\":%1,\"op\":\"\"}"_s;
        QTest::newRow("unknown op") << u"{\"id\":%1,\"op\":\"frobnicate\"}"_s;
        QTest::newRow("op upper case") << u"{\"id\":%1,\"op\":\"HELLO\",\"version\":1}"_s;
        QTest::newRow("op with a space") << u"{\"id\":%1,\"op\":\"hello \",\"version\":1}"_s;
        QTest::newRow("op __proto__") << u"{\"id\":%1,\"op\":\"__proto__\"}"_s;
        QTest::newRow("op redis command") << u"{\"id\":%1,\"op\":\"FLUSHALL\"}"_s;
        QTest::newRow("op huge") << u"{\"id\":%1,\"op\":\""_s + QString(60000, u'x') + u"\"}"_s;
    }
    void badOp()
    {
        QFETCH(QString, frame);
        auto c = abuser(true);
        QVERIFY(c);
        const qint64 id = 900 + m_seq;
        c->sendRaw(frame.arg(id));
        const QJsonObject r = c->replyTo(id);
        QVERIFY2(isError(r, "bad_request"_L1), qPrintable(brief(r)));
        QCOMPARE(r.value("re"_L1), QJsonValue(id));
        QVERIFY(stillWorks(*c));
    }

    void idEchoed_data()
    {
        QTest::addColumn<qint64>("id");
        QTest::newRow("0") << qint64(0);
        QTest::newRow("negative") << qint64(-7);
        QTest::newRow("2^53-1") << qint64(9007199254740991);
    }
    void idEchoed()
    {
        QFETCH(qint64, id);
        auto c = abuser(false);
        QVERIFY(c);
        c->sendRaw(u"{\"id\":%1,\"op\":\"hello\",\"version\":1}"_s.arg(id));
        const QJsonObject r = c->replyTo(id);
        CONF_OK(r);
        QCOMPARE(r.value("re"_L1).toInteger(), id);
    }

    // ---- well-formed requests with malformed params: bad_request, and no side effect

    void wrongParamTypes_data()
    {
        QTest::addColumn<bool>("loggedIn");
        QTest::addColumn<QString>("op");
        QTest::addColumn<QJsonObject>("params");
        const QJsonValue ch(kChan);
        QTest::newRow("join channel number") << true << u"join"_s << QJsonObject{{"channel"_L1, 5}};
        QTest::newRow("join channel array") << true << u"join"_s << QJsonObject{{"channel"_L1, QJsonArray{kChan}}};
        QTest::newRow("join channel null") << true << u"join"_s << QJsonObject{{"channel"_L1, QJsonValue::Null}};
        QTest::newRow("join no channel") << true << u"join"_s << QJsonObject{};
        QTest::newRow("part channel number") << true << u"part"_s << QJsonObject{{"channel"_L1, 5}};
        QTest::newRow("part no channel") << true << u"part"_s << QJsonObject{};
        QTest::newRow("send text number") << true << u"send"_s << QJsonObject{{"channel"_L1, ch}, {"text"_L1, 5}};
        QTest::newRow("send text array") << true << u"send"_s << QJsonObject{{"channel"_L1, ch}, {"text"_L1, QJsonArray{u"x"_s}}};
        QTest::newRow("send text object") << true << u"send"_s << QJsonObject{{"channel"_L1, ch}, {"text"_L1, QJsonObject{{"a"_L1, 1}}}};
        QTest::newRow("send text null") << true << u"send"_s << QJsonObject{{"channel"_L1, ch}, {"text"_L1, QJsonValue::Null}};
        QTest::newRow("send no text") << true << u"send"_s << QJsonObject{{"channel"_L1, ch}};
        QTest::newRow("send no channel") << true << u"send"_s << QJsonObject{{"text"_L1, u"x"_s}};
        QTest::newRow("send channel object") << true << u"send"_s << QJsonObject{{"channel"_L1, QJsonObject{}}, {"text"_L1, u"x"_s}};
        QTest::newRow("history channel number") << true << u"history"_s << QJsonObject{{"channel"_L1, 5}};
        QTest::newRow("members channel number") << true << u"members"_s << QJsonObject{{"channel"_L1, 5}};
        QTest::newRow("members no channel") << true << u"members"_s << QJsonObject{};
        QTest::newRow("dm user number") << true << u"dm"_s << QJsonObject{{"user"_L1, 5}};
        QTest::newRow("dm no user") << true << u"dm"_s << QJsonObject{};
        QTest::newRow("typing channel bool") << true << u"typing"_s << QJsonObject{{"channel"_L1, true}};
        QTest::newRow("read upTo number") << true << u"read"_s << QJsonObject{{"channel"_L1, ch}, {"upTo"_L1, 5}};
        QTest::newRow("register user number") << false << u"register"_s << QJsonObject{{"user"_L1, 5}, {"password"_L1, kPassword}};
        QTest::newRow("register password number") << false << u"register"_s << QJsonObject{{"user"_L1, u"typo"_s}, {"password"_L1, 123456789}};
        QTest::newRow("register nothing") << false << u"register"_s << QJsonObject{};
        QTest::newRow("login user number") << false << u"login"_s << QJsonObject{{"user"_L1, 5}, {"password"_L1, kPassword}};
        QTest::newRow("login token number") << false << u"login"_s << QJsonObject{{"token"_L1, 5}};
        QTest::newRow("login nothing") << false << u"login"_s << QJsonObject{};
        QTest::newRow("login user without password") << false << u"login"_s << QJsonObject{{"user"_L1, u"abuser"_s}};
    }
    void wrongParamTypes()
    {
        QFETCH(bool, loggedIn);
        QFETCH(QString, op);
        QFETCH(QJsonObject, params);
        auto c = abuser(loggedIn);
        QVERIFY(c);
        const QJsonObject before = m_witness->call(u"history"_s, {{"channel"_L1, kChan}, {"limit"_L1, 5}});
        CONF_ERROR(c->call(op, params, 30s), "bad_request");
        const QJsonObject after = m_witness->call(u"history"_s, {{"channel"_L1, kChan}, {"limit"_L1, 5}});
        QCOMPARE(after.value("messages"_L1), before.value("messages"_L1));
        if (!loggedIn) // still anonymous
            CONF_ERROR(c->call(u"channels"_s), "unauthenticated");
        QVERIFY(stillWorks(*c));
    }

    // Names that would mean something to Redis (glob patterns) match no user.
    void globNamesMatchNobody_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("*") << u"*"_s;
        QTest::newRow("a*") << u"a*"_s;
        QTest::newRow("?itness") << u"?itness"_s;
        QTest::newRow("[w]itness") << u"[w]itness"_s;
    }
    void globNamesMatchNobody()
    {
        QFETCH(QString, name);
        auto c = abuser(true);
        QVERIFY(c);
        const QJsonObject dm = c->call(u"dm"_s, {{"user"_L1, name}});
        QVERIFY2(isError(dm, "no_such_user"_L1) || isError(dm, "bad_request"_L1) || isError(dm, "invalid_user"_L1), qPrintable(dump(dm)));
        auto anon = abuser(false);
        QVERIFY(anon);
        CONF_ERROR(anon->call(u"login"_s, {{"user"_L1, name}, {"password"_L1, kPassword}}, 30s), "bad_credentials");
    }

    // ---- binary frames: close 1003

    void binaryFrame_data()
    {
        QTest::addColumn<bool>("loggedIn");
        QTest::addColumn<QByteArray>("payload");
        QTest::newRow("json, anonymous") << false << QByteArray(R"({"id":1,"op":"hello","version":1})");
        QTest::newRow("json, logged in") << true << QByteArray(R"({"id":1,"op":"hello","version":1})");
        QTest::newRow("bytes, logged in") << true << QByteArray("\x00\xff\xfe\x01", 4);
        QTest::newRow("empty, logged in") << true << QByteArray();
    }
    void binaryFrame()
    {
        QFETCH(bool, loggedIn);
        QFETCH(QByteArray, payload);
        auto c = abuser(loggedIn);
        QVERIFY(c);
        c->sendBinary(payload);
        // The bystander is served while the abuser is being thrown out.
        CONF_OK(m_bystander->call(u"channels"_s));
        QCOMPARE(c->waitClosed(), 1003);
    }

    // ---- size: 64 KiB is fine, one byte more closes with 1009

    void frameSize_data()
    {
        QTest::addColumn<qsizetype>("size");
        QTest::addColumn<qsizetype>("fragment"); // 0: one frame
        QTest::addColumn<bool>("loggedIn");
        QTest::addColumn<bool>("fits");
        QTest::newRow("64 KiB, one frame") << kMaxFrame << qsizetype(0) << false << true;
        QTest::newRow("64 KiB, one frame, logged in") << kMaxFrame << qsizetype(0) << true << true;
        QTest::newRow("64 KiB, four fragments") << kMaxFrame << qsizetype(16 * 1024) << false << true;
        QTest::newRow("64 KiB + 1, one frame") << kMaxFrame + 1 << qsizetype(0) << false << false;
        QTest::newRow("64 KiB + 1, one frame, logged in") << kMaxFrame + 1 << qsizetype(0) << true << false;
        QTest::newRow("64 KiB + 1, fragments of 16 KiB") << kMaxFrame + 1 << qsizetype(16 * 1024) << true << false;
        QTest::newRow("1 MiB, one frame") << qsizetype(1024 * 1024) << qsizetype(0) << true << false;
        QTest::newRow("1 MiB, fragments of 16 KiB") << qsizetype(1024 * 1024) << qsizetype(16 * 1024) << true << false;
    }
    void frameSize()
    {
        QFETCH(qsizetype, size);
        QFETCH(qsizetype, fragment);
        QFETCH(bool, loggedIn);
        QFETCH(bool, fits);
        auto c = abuser(loggedIn);
        QVERIFY(c);
        c->socket().setOutgoingFrameSize(fragment ? quint64(fragment) : quint64(4 * 1024 * 1024));
        const qint64 id = 4242;
        const QString frame = helloOfSize(id, size);
        QCOMPARE(frame.toUtf8().size(), size);
        c->sendRaw(frame);
        CONF_OK(m_bystander->call(u"channels"_s));
        if (fits) {
            const QJsonObject r = c->replyTo(id);
            CONF_OK(r);
            QVERIFY(c->isConnected());
            QVERIFY(stillWorks(*c));
        } else {
            QCOMPARE(c->waitClosed(), 1009);
        }
    }

    // ---- hostile text: answered; where accepted, stored and delivered exactly as sent

    void hostileText_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("surrounded"); // has surrounding white space: trimmed storage allowed
        const QString emoji = u"\U0001F600"_s;
        QTest::newRow("NUL inside") << QString::fromUtf16(u"a\u0000b", 3) << false;
        QTest::newRow("NUL alone") << QString(QChar(0)) << false;
        QTest::newRow("RTL override") << u"abc\u202Edef\u202Cghi"_s << false;
        QTest::newRow("emoji ZWJ family") << u"\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466"_s << false;
        QTest::newRow("astral CJK") << u"\U0002000B\U0002123D"_s << false;
        QTest::newRow("highest code point") << u"x\U0010FFFF"_s << false;
        QTest::newRow("noncharacters") << u"\uFFFE\uFFFF\uFDD0"_s << false;
        QTest::newRow("BOM inside") << u"a\uFEFFb"_s << false;
        QTest::newRow("BOM first") << u"\uFEFFhello"_s << false;
        QTest::newRow("control chars") << u"\u0001\u001b[31mred\u001b[0m\u007f\u0085"_s << false;
        QTest::newRow("redis protocol inside") << u"x\r\n*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\ny"_s << false;
        QTest::newRow("redis protocol, CRLF first") << u"\r\n*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n"_s << true;
        QTest::newRow("redis inline command") << u"FLUSHALL"_s << false;
        QTest::newRow("lua") << u"]] .. redis.call('FLUSHALL') .. [["_s << false;
        QTest::newRow("json in text") << u"\"},{\"id\":1,\"op\":\"logout\"}"_s << false;
        QTest::newRow("escaped-looking") << u"\\u0000 \\n \\\\ \\\""_s << false;
        QTest::newRow("format strings") << u"%s%n%x%d{}{0}%%"_s << false;
        QTest::newRow("html") << u"<script>alert(1)</script>&amp;"_s << false;
        QTest::newRow("4000 code points mixed") << QString(u"a"_s + emoji + u"\u00e9\u202E"_s).repeated(1000) << false;
        QTest::newRow("4000 emoji") << emoji.repeated(4000) << false;
    }
    void hostileText()
    {
        QFETCH(QString, text);
        QFETCH(bool, surrounded);
        auto c = abuser(true);
        QVERIFY(c);
        const QJsonObject r = c->call(u"send"_s, {{"channel"_L1, kChan}, {"text"_L1, text}});
        QVERIFY2(isOk(r) || (r.value("ok"_L1) == QJsonValue(false) && kErrorCodes.contains(r.value("error"_L1).toString())),
                 qPrintable(brief(r)));
        if (!isOk(r)) {
            qInfo("refused: %s", qPrintable(brief(r)));
            return;
        }
        const QJsonObject m = r.value("message"_L1).toObject();
        CONF_SHAPE(messageProblems(m));
        const QString stored = m.value("text"_L1).toString();
        QVERIFY2(stored == text || (surrounded && stored == text.trimmed()), "the reply's text differs from what was sent");
        const auto ev = m_bystander->waitEvent(u"message"_s, [&](const QJsonObject &e) {
            return e.value("message"_L1).toObject().value("id"_L1) == m.value("id"_L1);
        });
        QVERIFY2(ev, "the bystander did not receive the hostile message");
        QVERIFY2(ev->value("message"_L1).toObject().value("text"_L1).toString() == stored, "the event's text differs");
        const QJsonObject h = m_witness->call(u"history"_s, {{"channel"_L1, kChan}, {"limit"_L1, 1}});
        CONF_OK(h);
        const QJsonObject last = h.value("messages"_L1).toArray().first().toObject();
        QCOMPARE(last.value("id"_L1), m.value("id"_L1));
        QVERIFY2(last.value("text"_L1).toString() == stored, "history's text differs from what was sent");
        QCOMPARE(last.value("text"_L1).toString().size(), stored.size());
    }

    // The same text as raw UTF-8 and as a JSON escape: both are the same JSON string.
    void bomFirstEscaped()
    {
        auto c = abuser(true);
        QVERIFY(c);
        const qint64 id = 778;
        c->sendRaw(u"{\"id\":%1,\"op\":\"send\",\"channel\":\"%2\",\"text\":\"\\ufeffescaped\"}"_s.arg(id).arg(kChan));
        const QJsonObject r = c->replyTo(id);
        CONF_OK(r);
        const QString expected = u"\uFEFFescaped"_s;
        QCOMPARE(r.value("message"_L1).toObject().value("text"_L1).toString(), expected);
        const auto ev = m_bystander->waitEvent(u"message"_s, [&](const QJsonObject &e) {
            return e.value("message"_L1).toObject().value("id"_L1) == r.value("message"_L1).toObject().value("id"_L1);
        });
        QVERIFY(ev);
        QCOMPARE(ev->value("message"_L1).toObject().value("text"_L1).toString(), expected);
        const QJsonObject h = m_witness->call(u"history"_s, {{"channel"_L1, kChan}, {"limit"_L1, 1}});
        QCOMPARE(h.value("messages"_L1).toArray().first().toObject().value("text"_L1).toString(), expected);
    }

    // An invalid escape makes the frame invalid JSON (RFC 8259 allows only \" \\ \/ \b \f \n \r \t \uXXXX).
    void invalidEscapeIsInvalidJson_data()
    {
        QTest::addColumn<QString>("frame");
        QTest::newRow("in a key") << u"{\"id\":1,\"o\\p\":\"hello\",\"version\":1}"_s;
        QTest::newRow("in the op") << u"{\"id\":1,\"op\":\"hel\\lo\",\"version\":1}"_s;
        QTest::newRow("\\x in the op") << u"{\"id\":1,\"op\":\"\\x68ello\",\"version\":1}"_s;
    }
    void invalidEscapeIsInvalidJson()
    {
        QFETCH(QString, frame);
        auto c = abuser(false);
        QVERIFY(c);
        c->sendRaw(frame);
        const QJsonObject withId = c->replyTo(1, 2s);
        const auto withoutId = withId.isEmpty() ? c->waitNullReply(0ms) : std::nullopt;
        const QJsonObject r = withId.isEmpty() ? withoutId.value_or(QJsonObject{}) : withId;
        QVERIFY2(isError(r, "bad_request"_L1), qPrintable(u"invalid JSON answered with "_s + dump(r)));
        QVERIFY(stillWorks(*c));
    }

    // An escaped lone surrogate is valid JSON syntax but not Unicode text: it must be answered
    // (whatever the answer), not crash or hang the server.
    void loneSurrogateAnswered_data()
    {
        QTest::addColumn<QString>("escaped");
        QTest::newRow("high alone") << u"a\\ud800b"_s;
        QTest::newRow("low alone") << u"\\udc00"_s;
        QTest::newRow("reversed pair") << u"\\ude00\\ud83d"_s;
    }
    void loneSurrogateAnswered()
    {
        QFETCH(QString, escaped);
        auto c = abuser(true);
        QVERIFY(c);
        const qint64 id = 777;
        c->sendRaw(u"{\"id\":%1,\"op\":\"send\",\"channel\":\"%2\",\"text\":\"%3\"}"_s.arg(id).arg(kChan, escaped));
        const QJsonObject r = c->replyTo(id);
        QVERIFY2(r.value("re"_L1) == QJsonValue(id), qPrintable(dump(r)));
        QVERIFY2(isOk(r) || kErrorCodes.contains(r.value("error"_L1).toString()), qPrintable(dump(r)));
        QVERIFY(stillWorks(*c));
    }

    // Garbage interleaved with good requests on one connection: every request is answered
    // and the good ones do their job.
    void garbageBetweenGoodRequests()
    {
        auto c = abuser(true);
        QVERIFY(c);
        c->sendRaw(u"{nope"_s);
        const qint64 a = c->post(u"send"_s, {{"channel"_L1, kChan}, {"text"_L1, u"between garbage 1"_s}});
        c->sendRaw(u"[1,2,3]"_s);
        c->sendRaw(u"{\"id\":31337,\"op\":\"frobnicate\"}"_s);
        const qint64 b = c->post(u"send"_s, {{"channel"_L1, kChan}, {"text"_L1, u"between garbage 2"_s}});
        CONF_OK(c->replyTo(a));
        CONF_OK(c->replyTo(b));
        CONF_ERROR(c->replyTo(31337), "bad_request");
        for (int i = 0; i < 2; ++i) {
            const auto r = c->waitNullReply();
            QVERIFY(r);
            QVERIFY2(isNullReplyBadRequest(*r), qPrintable(dump(*r)));
        }
        QVERIFY(m_bystander->waitEvent(u"message"_s, messageWithText(u"between garbage 1"_s, kChan)));
        QVERIFY(m_bystander->waitEvent(u"message"_s, messageWithText(u"between garbage 2"_s, kChan)));
    }
};

QTEST_GUILESS_MAIN(TestConformanceBadInput)
#include "tst_conformance_badinput.moc"
