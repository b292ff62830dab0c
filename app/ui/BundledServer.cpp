#include "BundledServer.h"

#include "SelfSignedCertificate.h"
#include "server/RillServer.h"

#include <QHostInfo>
#include <QNetworkInterface>
#include <QPointer>

#include <array>

namespace rill::app {

using namespace Qt::StringLiterals;

BundledServer::BundledServer(QString dataDir, quint16 preferredPort, QObject *parent)
    : QObject(parent)
    , m_dataDir(std::move(dataDir))
    , m_redisServer(qEnvironmentVariable("RILL_REDIS_SERVER"))
    , m_preferredPort(preferredPort)
{
}

BundledServer::~BundledServer() = default;

void BundledServer::setStatus(Status status, const QString &error)
{
    m_status = status;
    m_error = error;
    Q_EMIT statusChanged();
}

void BundledServer::start()
{
    if (m_status == Status::Starting || m_status == Status::Running)
        return;
    if (!isAvailable()) {
        setStatus(Status::Failed, unavailableReason());
        return;
    }
    run();
}

bool BundledServer::isAvailable() const
{
    return !server::RillServer::embeddedRedisExecutable(m_redisServer).isEmpty();
}

QString BundledServer::unavailableReason() const
{
    if (isAvailable())
        return {};
    if (!m_redisServer.isEmpty())
        return tr("Running a server here needs Redis, and RILL_REDIS_SERVER names no program: %1").arg(m_redisServer);
#if defined(Q_OS_WIN)
    return tr("Running a server here needs Redis for Windows: put redis-server.exe next to rill.exe, or set "
              "RILL_REDIS_SERVER to its path. You can still connect to a server elsewhere.");
#elif defined(Q_OS_MACOS)
    return tr("Running a server here needs Redis: install it (for example `brew install redis`), or set "
              "RILL_REDIS_SERVER to its path. You can still connect to a server elsewhere.");
#else
    return tr("Running a server here needs Redis: install the redis-server package, or set RILL_REDIS_SERVER "
              "to its path. You can still connect to a server elsewhere.");
#endif
}

void BundledServer::restart(bool shared)
{
    m_shared = shared;
    if (m_status == Status::Starting)
        return; // the start under way reads m_shared when it makes its config
    stopAndRun();
}

QCoro::Task<> BundledServer::stopAndRun()
{
    QPointer<BundledServer> self(this);
    co_await stop();
    if (self)
        self->start();
}

QCoro::Task<> BundledServer::run()
{
    QPointer<BundledServer> self(this);
    setStatus(Status::Starting);
    // Shared means reachable by others: never in clear text (issue 10). The certificate is made
    // once, so what teammates trusted stays valid across restarts.
    SelfSignedCertificate certificate(m_dataDir);
    m_certificateDigest.clear();
    if (m_shared) {
        if (!certificate.ensure()) {
            setStatus(Status::Failed, certificate.error());
            co_return;
        }
        m_certificateDigest = certificate.digest();
    }
    // The usual port, so the address teammates write down stays the same; when something
    // else has it, any free one.
    const std::array<quint16, 2> ports{m_preferredPort, 0};
    for (const quint16 port : ports) {
        server::ServerConfig config;
        config.dataDir = m_dataDir;
        config.redisUrl.clear(); // the embedded redis-server under dataDir
        config.redisServer = m_redisServer;
        config.port = port;
        if (m_shared) {
            config.listenAddress = QHostAddress::Any;
            config.tlsCertFile = certificate.certificateFile();
            config.tlsKeyFile = certificate.keyFile();
        }
        config.instanceName = QHostInfo::localHostName() + u"-app"_s;
        auto candidate = std::make_unique<server::RillServer>(config);
        server::RillServer *raw = candidate.get();
        m_server = std::move(candidate);
        const bool ok = co_await raw->start();
        if (!self)
            co_return;
        if (ok) {
            self->m_port = raw->port();
            self->setStatus(Status::Running);
            Q_EMIT self->started(self->localUrl());
            co_return;
        }
        self->m_error = raw->errorString();
        co_await raw->stop();
        if (!self)
            co_return;
        self->m_server.reset();
    }
    self->setStatus(Status::Failed, self->m_error);
}

QCoro::Task<> BundledServer::stop()
{
    if (!m_server)
        co_return;
    QPointer<BundledServer> self(this);
    std::unique_ptr<server::RillServer> running = std::move(m_server);
    co_await running->stop();
    if (self)
        self->setStatus(Status::Stopped);
}

QString BundledServer::fingerprint() const
{
    return m_certificateDigest.isEmpty() ? QString() : displayFingerprint(m_certificateDigest);
}

QStringList BundledServer::addresses() const
{
    if (m_status != Status::Running || !m_shared)
        return {};
    QStringList out;
    for (const QNetworkInterface &iface : QNetworkInterface::allInterfaces()) {
        if (!(iface.flags() & QNetworkInterface::IsUp) || (iface.flags() & QNetworkInterface::IsLoopBack))
            continue;
        for (const QNetworkAddressEntry &entry : iface.addressEntries()) {
            const QHostAddress ip = entry.ip();
            if (ip.protocol() == QAbstractSocket::IPv4Protocol)
                out << u"wss://"_s + ip.toString() + u':' + QString::number(m_port);
        }
    }
    out << u"wss://"_s + QHostInfo::localHostName() + u':' + QString::number(m_port);
    return out;
}

QUrl BundledServer::localUrl() const
{
    if (m_status != Status::Running)
        return {};
    return QUrl((m_shared ? u"wss://127.0.0.1:"_s : u"ws://127.0.0.1:"_s) + QString::number(m_port));
}

} // namespace rill::app
