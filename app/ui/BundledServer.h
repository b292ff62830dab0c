#pragma once

#include <QCoro/QCoroTask>
#include <QObject>
#include <QStringList>
#include <QUrl>
#include <QtQmlIntegration>

#include <memory>

namespace rill::server {
class RillServer;
}

namespace rill::app {

// "Start a server on this computer": the Rill server in this process (Quassel's monolithic
// mode), on its own embedded Redis under the profile's data directory. That Redis is a
// redis-server program: RILL_REDIS_SERVER when set, else the one next to rill (the Windows and
// macOS packages put it there), else the first on PATH; without one the connect screen says
// so instead of offering to start.
class BundledServer : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("The app owns the bundled server")
    Q_PROPERTY(Status status READ status NOTIFY statusChanged)
    Q_PROPERTY(QString error READ error NOTIFY statusChanged)
    // Shared on the network (every interface, wss:// with a certificate made once for this
    // profile) or for this computer only (loopback, ws://). Applies from the next start.
    Q_PROPERTY(bool shared READ isShared NOTIFY statusChanged)
    // Where teammates reach it when shared: wss://<each LAN address>:port; empty otherwise.
    Q_PROPERTY(QStringList addresses READ addresses NOTIFY statusChanged)
    // The SHA-256 fingerprint teammates compare when their app asks (shared only).
    Q_PROPERTY(QString fingerprint READ fingerprint NOTIFY statusChanged)
    // Where this app reaches it.
    Q_PROPERTY(QUrl localUrl READ localUrl NOTIFY statusChanged)
    // Whether there is a redis-server to run, and if not, what to do about it.
    Q_PROPERTY(bool available READ isAvailable NOTIFY statusChanged)
    Q_PROPERTY(QString unavailableReason READ unavailableReason NOTIFY statusChanged)

public:
    enum class Status { Stopped, Starting, Running, Failed };
    Q_ENUM(Status)

    BundledServer(QString dataDir, quint16 preferredPort, QObject *parent = nullptr);
    ~BundledServer() override;

    Q_INVOKABLE void start();
    // Stops a running server and starts it again shared or not; started() says where.
    void restart(bool shared);
    void setShared(bool shared) { m_shared = shared; }
    // Stops it, waiting for the goodbye to go out.
    QCoro::Task<> stop();

    [[nodiscard]] Status status() const { return m_status; }
    [[nodiscard]] QString error() const { return m_error; }
    [[nodiscard]] QStringList addresses() const;
    [[nodiscard]] QUrl localUrl() const;
    [[nodiscard]] quint16 port() const { return m_port; }
    [[nodiscard]] bool isShared() const { return m_shared; }
    [[nodiscard]] QString fingerprint() const;
    // The raw SHA-256 of the certificate it shares itself with (shared only).
    [[nodiscard]] QByteArray certificateDigest() const { return m_certificateDigest; }
    [[nodiscard]] bool isAvailable() const;
    [[nodiscard]] QString unavailableReason() const;

Q_SIGNALS:
    void statusChanged();
    void started(const QUrl &localUrl);

private:
    QCoro::Task<> run();
    QCoro::Task<> stopAndRun();
    void setStatus(Status status, const QString &error = {});

    QString m_dataDir;
    QString m_redisServer; // RILL_REDIS_SERVER
    quint16 m_preferredPort;
    quint16 m_port = 0;
    std::unique_ptr<server::RillServer> m_server;
    Status m_status = Status::Stopped;
    bool m_shared = false;
    QByteArray m_certificateDigest;
    QString m_error;
};

} // namespace rill::app
