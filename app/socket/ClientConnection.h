#pragma once

#include "Backoff.h"

#include <QDateTime>
#include <QObject>
#include <QTimer>
#include <QUrl>
#include <QWebSocket>

#include <chrono>
#include <memory>

namespace rill::client {

// The link to one server: a QWebSocket that, once opened, keeps itself open. When it drops it
// says so and tries again with backoff until close(). It knows frames, not their meaning.
class ClientConnection : public QObject
{
    Q_OBJECT

public:
    enum class State {
        Closed,     // not wanted: close() was called or open() never was
        Connecting, // a handshake is under way
        Open,
        Waiting,    // down, the next attempt is scheduled
        Untrusted,  // the server's certificate is not trusted: no attempts until trust() or open()
    };
    Q_ENUM(State)

    struct Options {
        std::chrono::milliseconds firstRetry{500};
        std::chrono::milliseconds maxRetry{30000};
        // A link that answers no ping for this long is dead even if TCP has not noticed.
        std::chrono::milliseconds keepAlive{20000};
    };

    explicit ClientConnection(QObject *parent = nullptr);
    explicit ClientConnection(Options options, QObject *parent = nullptr);
    ~ClientConnection() override;

    // How a wss:// address the user typed without a scheme may still reach a server without
    // TLS. Only the first contact may fall back: once a scheme worked, it is what the profile
    // keeps, so a later attacker cannot talk the app down to plain text.
    enum class TlsFallback { Never, PlainWhenServerHasNoTls };

    // Host and port: the server a URL names, whatever its scheme (ws:// and wss:// on one port
    // are one server; the scheme may change on first contact).
    [[nodiscard]] static QString serverKey(const QUrl &url);

    void open(const QUrl &url, TlsFallback fallback = TlsFallback::Never);
    void close();
    // Skips the rest of the backoff wait (the user pressed "retry now").
    void retryNow();
    // Drops the link as if the network had failed; it reconnects as usual.
    void abort();

    // The SHA-256 fingerprint of the one certificate the user trusts for this server beyond the
    // system's store (pinned, as SSH's known_hosts and Quassel do). Empty: the store decides.
    void setTrustedCertificate(const QByteArray &sha256);
    // Trusts the certificate that was just rejected and tries again at once.
    void trustRejectedCertificate();

    // False when the link is not open: the frame was not sent.
    bool send(const QByteArray &frame);

    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] QUrl url() const { return m_url; }
    [[nodiscard]] QString lastError() const { return m_lastError; }
    // When the next attempt starts (Waiting only).
    [[nodiscard]] QDateTime nextAttempt() const { return m_nextAttempt; }
    // Attempts since the link was last open.
    [[nodiscard]] int failedAttempts() const { return m_backoff.attempts(); }
    [[nodiscard]] QByteArray trustedCertificate() const { return m_trustedCertificate; }
    // The certificate that put the link in Untrusted, and why the system's store refused it.
    [[nodiscard]] QByteArray rejectedCertificate() const { return m_rejectedCertificate; }
    [[nodiscard]] QString rejectionReason() const { return m_rejectionReason; }

Q_SIGNALS:
    void opened();
    // The link went down (or an attempt failed) while it was wanted.
    void dropped(const QString &reason);
    void frameReceived(const QByteArray &frame);
    void stateChanged(rill::client::ClientConnection::State state);
    // The address changed without open(): the first contact fell back to ws://.
    void urlChanged(const QUrl &url);
    void certificateRejected(const QByteArray &sha256, const QString &reason);

private:
    void setState(State state);
    void connectNow();
    void onConnected();
    void onDisconnected();
    void onSslErrors(const QList<QSslError> &errors);
    [[nodiscard]] bool shouldFallBackToPlain(QAbstractSocket::SocketError error);
    void onKeepAliveTick();
    void scheduleRetry();
    void dropSocket();
    static void release(QWebSocket *socket);

    Options m_options;
    // A fresh socket for every attempt: signals of an abandoned attempt cannot leak into the
    // next one, whatever state it was left in.
    std::unique_ptr<QWebSocket, void (*)(QWebSocket *)> m_socket{nullptr, &ClientConnection::release};
    QTimer m_retryTimer;
    QTimer m_keepAliveTimer;
    Backoff m_backoff;
    QUrl m_url;
    QString m_lastError;
    QDateTime m_nextAttempt;
    QByteArray m_trustedCertificate;
    QByteArray m_rejectedCertificate;
    QString m_rejectionReason;
    TlsFallback m_fallback = TlsFallback::Never;
    bool m_plainNext = false; // this attempt showed the server has no TLS
    State m_state = State::Closed;
    bool m_awaitingPong = false;
};

} // namespace rill::client
