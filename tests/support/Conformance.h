#pragma once

// Helpers for the black-box conformance suites (tests/server/tst_conformance_*.cpp): shape
// checks written from /work/shared/PROTOCOL.md, reply assertions that print the whole reply
// on failure, and small conveniences on top of TestClient. Nothing here knows the server's code.

#include "ServerFixture.h"
#include "TestClient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QStringList>
#include <QTest>

#include <cmath>
#include <memory>

namespace rill::test::conf {

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

inline QString dump(const QJsonValue &v)
{
    if (v.isObject())
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    if (v.isArray())
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    return QString::fromUtf8(QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact));
}

// dump(), cut to a length that keeps a failure message readable.
inline QString brief(const QJsonValue &v, qsizetype max = 1500)
{
    const QString s = dump(v);
    return s.size() <= max ? s : s.left(max) + u"... (%1 chars)"_s.arg(s.size());
}

inline QString dump(const QList<QJsonObject> &list)
{
    QJsonArray a;
    for (const auto &o : list)
        a.append(o);
    return dump(a);
}

inline bool isInteger(const QJsonValue &v)
{
    return v.isDouble() && std::floor(v.toDouble()) == v.toDouble();
}

// A Redis stream entry ID as the contract shows it: "<ms>-<seq>".
inline bool isStreamId(const QJsonValue &v)
{
    static const QRegularExpression re(u"^[0-9]+-[0-9]+$"_s);
    return v.isString() && re.match(v.toString()).hasMatch();
}

inline std::pair<quint64, quint64> idParts(const QString &id)
{
    const auto dash = id.indexOf(u'-');
    return {id.left(dash).toULongLong(), id.mid(dash + 1).toULongLong()};
}

inline bool idLess(const QString &a, const QString &b)
{
    return idParts(a) < idParts(b);
}

// Problems with a Message object; empty when it has the contract's shape.
inline QString messageProblems(const QJsonObject &m)
{
    QStringList p;
    if (!isStreamId(m.value("id"_L1)))
        p << u"id is not a stream ID"_s;
    if (!m.value("channel"_L1).isString() || m.value("channel"_L1).toString().isEmpty())
        p << u"channel missing"_s;
    const QString kind = m.value("kind"_L1).toString();
    if (kind != "message"_L1 && kind != "join"_L1 && kind != "part"_L1)
        p << u"kind not message|join|part"_s;
    if (!m.value("user"_L1).isString() || m.value("user"_L1).toString().isEmpty())
        p << u"user missing"_s;
    if (!isInteger(m.value("ts"_L1)))
        p << u"ts not an integer"_s;
    else if (isStreamId(m.value("id"_L1)) && quint64(m.value("ts"_L1).toInteger()) != idParts(m.value("id"_L1).toString()).first)
        p << u"ts is not the ID's time part"_s;
    // Revision 2: a deleted message keeps its place without its text.
    const bool deleted = m.value("deleted"_L1) == QJsonValue(true);
    if (kind == "message"_L1 && !deleted && !m.value("text"_L1).isString())
        p << u"text missing on a kind=message entry"_s;
    if (deleted && (m.contains("text"_L1) || m.contains("reactions"_L1)))
        p << u"text or reactions on a deleted message"_s;
    if ((kind == "join"_L1 || kind == "part"_L1) && m.contains("text"_L1))
        p << u"text present on a join/part entry"_s;
    return p.isEmpty() ? QString() : p.join(u"; "_s) + u" in "_s + dump(m);
}

// Problems with a ChannelInfo object; empty when it has the contract's shape.
inline QString channelInfoProblems(const QJsonObject &c)
{
    QStringList p;
    if (!c.value("name"_L1).isString() || c.value("name"_L1).toString().isEmpty())
        p << u"name missing"_s;
    const QString kind = c.value("kind"_L1).toString();
    if (kind != "channel"_L1 && kind != "dm"_L1)
        p << u"kind not channel|dm"_s;
    if (kind == "dm"_L1 && !c.value("peer"_L1).isString())
        p << u"dm without peer"_s;
    if (!isInteger(c.value("members"_L1)) || c.value("members"_L1).toInteger() < 1)
        p << u"members not a positive integer"_s;
    if (!c.contains("lastId"_L1) || !(c.value("lastId"_L1).isNull() || isStreamId(c.value("lastId"_L1))))
        p << u"lastId not an ID or null"_s;
    if (!c.contains("lastRead"_L1) || !(c.value("lastRead"_L1).isNull() || isStreamId(c.value("lastRead"_L1))))
        p << u"lastRead not an ID or null"_s;
    if (!isInteger(c.value("unread"_L1)) || c.value("unread"_L1).toInteger() < 0)
        p << u"unread not a non-negative integer"_s;
    return p.isEmpty() ? QString() : p.join(u"; "_s) + u" in "_s + dump(c);
}

inline bool isOk(const QJsonObject &r)
{
    return r.value("ok"_L1) == QJsonValue(true);
}

// An error reply as the contract shapes it: ok false, the code, a human message.
inline bool isError(const QJsonObject &r, QLatin1StringView code)
{
    return r.value("ok"_L1) == QJsonValue(false) && r.value("error"_L1).toString() == code && r.value("message"_L1).isString();
}

// The ChannelInfo named `name` in a [ChannelInfo] array, or an empty object.
inline QJsonObject findChannel(const QJsonArray &channels, const QString &name)
{
    for (const auto &c : channels) {
        if (c.toObject().value("name"_L1).toString() == name)
            return c.toObject();
    }
    return {};
}

inline QStringList ids(const QJsonArray &messages)
{
    QStringList out;
    for (const auto &m : messages)
        out << m.toObject().value("id"_L1).toString();
    return out;
}

// A connected client, or nullptr.
inline std::unique_ptr<TestClient> connectTo(const QUrl &url)
{
    auto c = std::make_unique<TestClient>();
    if (!c->open(url))
        return nullptr;
    return c;
}

// A second session of the same user (logs in with the first one's token).
inline std::unique_ptr<TestClient> sessionWithToken(const QUrl &url, const QString &token)
{
    auto c = connectTo(url);
    if (!c)
        return nullptr;
    const QJsonObject r = c->call(u"login"_s, {{"token"_L1, token}});
    if (!isOk(r))
        return nullptr;
    return c;
}

// The cast most conformance suites play, on a server of their own: alice with two sessions on
// one token (a1, a2), bob and carol, all signed up with `password`; alice and bob in `channel`
// (in none when it is empty), carol outside it. With Instances::Two a second instance (m_second,
// named "two"; m_server is "one") shares m_server's Redis, and a2 and bob are connected to it.
// A suite derives from this, starts it in initTestCase and stops it in cleanupTestCase.
class CastSuite : public QObject
{
protected:
    enum class Instances { One, Two };

    [[nodiscard]] bool startCast(const QString &channel, const QString &password, Instances instances = Instances::One)
    {
        m_server = std::make_unique<ServerFixture>();
        if (instances == Instances::Two) {
            m_server->config().instanceName = u"one"_s;
            m_second = std::make_unique<ServerFixture>(&m_server->redis());
            m_second->config().instanceName = u"two"_s;
        }
        for (ServerFixture *server : {m_server.get(), m_second.get()}) {
            if (server && !server->start()) {
                qWarning().noquote() << "server:" << server->errorString();
                return false;
            }
        }
        const QUrl second = (m_second ? m_second : m_server)->url();
        m_a1 = connectTo(m_server->url());
        m_bob = connectTo(second);
        m_carol = connectTo(m_server->url());
        if (!m_a1 || !m_bob || !m_carol || !m_a1->signUp(u"alice"_s, password) || !m_bob->signUp(u"bob"_s, password)
            || !m_carol->signUp(u"carol"_s, password))
            return false;
        m_a2 = sessionWithToken(second, m_a1->token());
        if (!m_a2) {
            qWarning("alice's token does not log in a second session%s",
                     m_second ? " on the second instance" : "");
            return false;
        }
        return channel.isEmpty()
            || (isOk(m_a1->call(u"join"_s, {{"channel"_L1, channel}}))
                && isOk(m_bob->call(u"join"_s, {{"channel"_L1, channel}})));
    }

    void stopCast()
    {
        m_a1.reset();
        m_a2.reset();
        m_bob.reset();
        m_carol.reset();
        m_second.reset(); // before m_server: it uses m_server's Redis
        m_server.reset();
    }

    std::unique_ptr<ServerFixture> m_server;
    std::unique_ptr<ServerFixture> m_second; // Instances::Two
    std::unique_ptr<TestClient> m_a1, m_a2, m_bob, m_carol;
};

// The predicate for waitEvent(): a `message` event carrying this text (and channel, if given).
inline std::function<bool(const QJsonObject &)> messageWithText(const QString &text, const QString &channel = {})
{
    return [text, channel](const QJsonObject &e) {
        const QJsonObject m = e.value("message"_L1).toObject();
        return m.value("text"_L1).toString() == text && (channel.isEmpty() || m.value("channel"_L1).toString() == channel);
    };
}

inline std::function<bool(const QJsonObject &)> inChannel(const QString &channel)
{
    return [channel](const QJsonObject &e) {
        if (e.contains("message"_L1))
            return e.value("message"_L1).toObject().value("channel"_L1).toString() == channel;
        if (e.value("channel"_L1).isObject())
            return e.value("channel"_L1).toObject().value("name"_L1).toString() == channel;
        return e.value("channel"_L1).toString() == channel;
    };
}

} // namespace rill::test::conf

// Assertions on replies that print the reply when they fail. Each evaluates its argument
// exactly once (it is usually the call itself).
#define CONF_OK(reply)                                                                                         \
    do {                                                                                                       \
        const QJsonObject conf_reply_ = (reply);                                                               \
        QVERIFY2(::rill::test::conf::isOk(conf_reply_),                                                        \
                 qPrintable(QStringLiteral("expected ok, got ") + ::rill::test::conf::brief(conf_reply_)));    \
    } while (false)
#define CONF_ERROR(reply, code)                                                                                \
    do {                                                                                                       \
        const QJsonObject conf_reply_ = (reply);                                                               \
        QVERIFY2(::rill::test::conf::isError(conf_reply_, QLatin1StringView(code)),                           \
                 qPrintable(QStringLiteral("expected error ") + QLatin1StringView(code)                       \
                            + QStringLiteral(", got ") + ::rill::test::conf::brief(conf_reply_)));             \
    } while (false)
#define CONF_SHAPE(problems)                                                                                   \
    do {                                                                                                       \
        const QString conf_problems_ = (problems);                                                             \
        QVERIFY2(conf_problems_.isEmpty(), qPrintable(conf_problems_));                                        \
    } while (false)
