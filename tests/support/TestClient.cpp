#include "TestClient.h"

#include "RedisFixture.h"

#include <QJsonDocument>
#include <QSignalSpy>
#include <QSslConfiguration>

namespace rill::test {

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

TestClient::TestClient(QObject *parent)
    : QObject(parent)
{
    connect(&m_socket, &QWebSocket::textMessageReceived, this, &TestClient::onText);
    connect(&m_socket, &QWebSocket::disconnected, this, [this] { m_closed = true; });
}

TestClient::~TestClient()
{
    m_socket.disconnect(this);
    m_socket.abort();
}

bool TestClient::open(const QUrl &url)
{
    m_closed = false;
    m_socket.open(url);
    return waitUntil([this] { return isConnected() || m_closed; }, 5s) && isConnected();
}

void TestClient::trust(const QList<QSslCertificate> &certificates)
{
    QSslConfiguration configuration = m_socket.sslConfiguration();
    configuration.addCaCertificates(certificates);
    m_socket.setSslConfiguration(configuration);
}

void TestClient::close()
{
    m_socket.close();
    waitUntil([this] { return m_closed; }, 5s);
}

void TestClient::onText(const QString &text)
{
    // QJsonDocument drops a raw U+FEFF at the start of a string value; the escaped form is kept.
    // (Outside strings U+FEFF is not valid JSON anyway, so escaping it changes nothing else.)
    QString json = text;
    json.replace(QChar(0xFEFF), "\\ufeff"_L1);
    const QJsonObject frame = QJsonDocument::fromJson(json.toUtf8()).object();
    if (frame.contains("ev"_L1)) {
        m_events.append(frame);
    } else if (frame.value("re"_L1).isDouble()) {
        m_replies.insert(frame.value("re"_L1).toInteger(), frame);
    } else {
        m_nullReplies.append(frame);
    }
}

qint64 TestClient::post(const QString &op, QJsonObject params)
{
    const qint64 id = m_nextId++;
    params.insert("id"_L1, id);
    params.insert("op"_L1, op);
    m_socket.sendTextMessage(QString::fromUtf8(QJsonDocument(params).toJson(QJsonDocument::Compact)));
    return id;
}

QJsonObject TestClient::replyTo(qint64 id, std::chrono::milliseconds timeout)
{
    waitUntil([this, id] { return m_replies.contains(id) || m_closed; }, timeout);
    return m_replies.take(id);
}

QJsonObject TestClient::call(const QString &op, QJsonObject params, std::chrono::milliseconds timeout)
{
    return replyTo(post(op, std::move(params)), timeout);
}

std::optional<QJsonObject> TestClient::waitNullReply(std::chrono::milliseconds timeout)
{
    if (!waitUntil([this] { return !m_nullReplies.isEmpty(); }, timeout))
        return std::nullopt;
    return m_nullReplies.takeFirst();
}

void TestClient::sendRaw(const QString &text)
{
    m_socket.sendTextMessage(text);
}

void TestClient::sendBinary(const QByteArray &bytes)
{
    m_socket.sendBinaryMessage(bytes);
}

bool TestClient::signUp(const QString &user, const QString &password)
{
    QJsonObject r = call(u"register"_s, {{"user"_L1, user}, {"password"_L1, password}}, 30s);
    if (r.value("error"_L1).toString() == "user_taken"_L1)
        r = call(u"login"_s, {{"user"_L1, user}, {"password"_L1, password}}, 30s);
    if (!r.value("ok"_L1).toBool())
        return false;
    m_user = r.value("user"_L1).toString();
    m_token = r.value("token"_L1).toString();
    return true;
}

std::optional<QJsonObject> TestClient::waitEvent(const QString &ev, const std::function<bool(const QJsonObject &)> &accept,
                                                 std::chrono::milliseconds timeout)
{
    const auto indexOfMatch = [&]() -> qsizetype {
        for (qsizetype i = 0; i < m_events.size(); ++i) {
            if (m_events[i].value("ev"_L1).toString() == ev && (!accept || accept(m_events[i])))
                return i;
        }
        return -1;
    };
    if (!waitUntil([&] { return indexOfMatch() >= 0; }, timeout))
        return std::nullopt;
    return m_events.takeAt(indexOfMatch());
}

QList<QJsonObject> TestClient::pending(const QString &ev) const
{
    QList<QJsonObject> out;
    for (const auto &e : m_events) {
        if (e.value("ev"_L1).toString() == ev)
            out.append(e);
    }
    return out;
}

bool TestClient::receivesWithin(const QString &ev, std::chrono::milliseconds window,
                                const std::function<bool(const QJsonObject &)> &accept)
{
    return waitEvent(ev, accept, window).has_value();
}

int TestClient::waitClosed(std::chrono::milliseconds timeout)
{
    waitUntil([this] { return m_closed; }, timeout);
    return m_closed ? int(m_socket.closeCode()) : -1;
}

} // namespace rill::test
