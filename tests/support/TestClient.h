#pragma once

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QUrl>
#include <QWebSocket>

#include <chrono>
#include <functional>
#include <optional>

namespace rill::test {

// A protocol client for tests, synchronous on top of a real QWebSocket: call() sends a request
// and runs the event loop until its reply arrives; events are queued for waitEvent().
class TestClient : public QObject
{
    Q_OBJECT

public:
    explicit TestClient(QObject *parent = nullptr);
    ~TestClient() override;

    [[nodiscard]] bool open(const QUrl &url);
    // For wss://: trust these certificates (a test CA, or a self-signed server certificate)
    // besides the system's. Untrusted, open() fails.
    void trust(const QList<QSslCertificate> &certificates);
    void close();

    // Sends {"id", "op", ...params} and waits for the reply (an empty object on timeout).
    QJsonObject call(const QString &op, QJsonObject params = {}, std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Sends a request without waiting; returns its id.
    qint64 post(const QString &op, QJsonObject params = {});
    // Whether the reply to an earlier post() has arrived (does not wait).
    [[nodiscard]] bool hasReply(qint64 id) const { return m_replies.contains(id); }
    // Waits for the reply to an earlier post().
    QJsonObject replyTo(qint64 id, std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Waits for (and takes) the next reply whose "re" is not an integer (a request without a
    // usable id gets "re": null); frames that are not JSON objects also land here, as {}.
    std::optional<QJsonObject> waitNullReply(std::chrono::milliseconds timeout = std::chrono::seconds(5));
    void sendRaw(const QString &text);
    void sendBinary(const QByteArray &bytes);

    // Registers, or logs in if the name is taken; true when logged in.
    bool signUp(const QString &user, const QString &password = QStringLiteral("correct horse"));

    // Waits for (and removes from the queue) the first event named `ev` matching `accept`.
    std::optional<QJsonObject> waitEvent(const QString &ev, const std::function<bool(const QJsonObject &)> &accept = {},
                                         std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // Events of that name received so far and not yet taken (does not wait).
    [[nodiscard]] QList<QJsonObject> pending(const QString &ev) const;
    // Runs the event loop for a while and says whether an event of that name arrived meanwhile
    // (for "must not receive" checks; pair it with a positive check that something else did).
    bool receivesWithin(const QString &ev, std::chrono::milliseconds window,
                        const std::function<bool(const QJsonObject &)> &accept = {});
    void clearEvents() { m_events.clear(); }
    // Every event received and not yet taken, in the order it arrived (does not wait).
    [[nodiscard]] const QList<QJsonObject> &events() const { return m_events; }

    [[nodiscard]] bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    // Waits until the server closes the connection; returns the close code (or -1).
    int waitClosed(std::chrono::milliseconds timeout = std::chrono::seconds(5));
    [[nodiscard]] QWebSocket &socket() { return m_socket; }
    [[nodiscard]] QString user() const { return m_user; }
    [[nodiscard]] QString token() const { return m_token; }

private:
    void onText(const QString &text);

    QWebSocket m_socket;
    qint64 m_nextId = 1;
    QHash<qint64, QJsonObject> m_replies;
    QList<QJsonObject> m_nullReplies;
    QList<QJsonObject> m_events;
    QString m_user;
    QString m_token;
    bool m_closed = false;
};

} // namespace rill::test
