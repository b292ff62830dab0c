#pragma once

#include "socket/PeerConnection.h"

#include <QDeadlineTimer>
#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QSslConfiguration>
#include <QStringList>
#include <QTcpServer>
#include <QTimer>
#include <QWebSocketServer>

#include <chrono>
#include <optional>

class QTcpSocket;
class QWebSocket;

namespace rill::server {

// Accepts WebSocket peers and keeps them honest.
//
// It accepts TCP itself (refusing past the connection caps before a socket object exists),
// wraps the descriptor in a QTcpSocket, or a QSslSocket that finishes its TLS handshake first,
// and hands it to QWebSocketServer for the WebSocket handshake: so it can turn Nagle off (small
// event frames waited for the previous one's ACK: delivery p99 15 ms instead of 3 ms), write
// data frames itself (PeerConnection), and put clocks on the stages Qt leaves open: the handshake
// (TLS included) and the log-in. One timer pings the quiet connections and drops those that
// miss two pings in a row.
class WebSocketListener : public QObject
{
    Q_OBJECT

public:
    struct Options {
        qint64 maxBacklogBytes = 4 * 1024 * 1024;
        std::chrono::milliseconds pingInterval{30000};
        std::chrono::milliseconds handshakeTimeout{10000}; // TCP accepted -> WebSocket open
        std::chrono::milliseconds loginTimeout{30000};     // open or logged out -> logged in
        int maxConnections = 20000;                        // 0: no cap
        int maxConnectionsPerAddress = 256;                // 0: no cap
        QStringList allowedOrigins;                        // "*" allows every Origin
        std::optional<QSslConfiguration> tls;              // set: wss:// only
        std::chrono::milliseconds writeHold{0};            // WriteBatcher's hold; 0: a turn
        bool sendRing = true;                              // WriteBatcher writes through io_uring
    };

    explicit WebSocketListener(Options options, QObject *parent = nullptr);
    // The TLS settings for a PEM certificate (chain) and key: TLS 1.2 or newer, no client
    // certificates. Nullopt, with `error`, when they cannot be read or do not match.
    [[nodiscard]] static std::optional<QSslConfiguration> tlsConfiguration(const QString &certificateFile,
                                                                          const QString &keyFile, QString *error);
    ~WebSocketListener() override;

    [[nodiscard]] bool listen(const QHostAddress &address, quint16 port);
    [[nodiscard]] quint16 port() const;
    [[nodiscard]] QString errorString() const;
    void stopAccepting();
    // Open WebSocket connections (handshake done, not yet gone).
    [[nodiscard]] qsizetype connectionCount() const;
    // TCP connections held in any stage, and refused at the caps so far.
    [[nodiscard]] int socketCount() const { return m_socketCount; }
    [[nodiscard]] quint64 refusedCount() const { return m_refused; }

Q_SIGNALS:
    void connectionOpened(rill::server::PeerConnection *connection);

private:
    // QTcpServer that hands over the bare descriptor, so a refusal costs one close(2).
    class Acceptor : public QTcpServer
    {
    public:
        explicit Acceptor(WebSocketListener &listener) : m_listener(listener) {}

    protected:
        void incomingConnection(qintptr descriptor) override { m_listener.acceptDescriptor(descriptor); }

    private:
        WebSocketListener &m_listener;
    };

    void acceptDescriptor(qintptr descriptor);
    void startWebSocketHandshake(QTcpSocket *socket);
    void acceptPending();
    // Moves an upgraded plain TCP connection onto its own descriptor (DescriptorTransport) and
    // lets go of Qt's socket objects; false where it cannot (TLS), and QWebSocket stays.
    [[nodiscard]] bool adoptDescriptor(PeerConnection &connection, QWebSocket *socket, QTcpSocket *tcp);
    // The accepted socket under a WebSocket that finished its handshake, off the handshake clock.
    [[nodiscard]] QTcpSocket *takeHandshaking(const QWebSocket *socket);
    void accountSocket(QTcpSocket *socket, const QHostAddress &address);
    void releaseSocket(QTcpSocket *socket, const QHostAddress &address);
    void handleAcceptError(QAbstractSocket::SocketError error);
    [[nodiscard]] bool originAllowed(const QString &origin) const;
    void sweep();
    void runClocks();

    Options m_options;
    Acceptor m_tcp;
    QWebSocketServer m_server;
    WriteBatcher m_batcher;
    QTimer m_sweepTimer;
    QTimer m_clockTimer;
    QTimer m_resumeTimer;
    QHash<QTcpSocket *, QDeadlineTimer> m_handshaking; // accepted, WebSocket handshake not done
    QSet<PeerConnection *> m_anonymous;                    // open, nobody logged in
    QHash<QHostAddress, int> m_perAddress;
    int m_socketCount = 0;
    quint64 m_refused = 0;
    quint64 m_acceptErrors = 0;
    quint64 m_nextSerial = 1;
};

} // namespace rill::server
