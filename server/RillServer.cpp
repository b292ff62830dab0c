#include "RillServer.h"

#include "codec/EventFrames.h"
#include "hub/Hub.h"
#include "ops/Observability.h"
#include "ops/ServerMetrics.h"
#include "session/PeerSession.h"
#include "socket/PeerConnection.h"
#include "socket/WebSocketListener.h"

#include "protocol/Limits.h"
#include "redis/EmbeddedRedis.h"
#include "redis/RedisClient.h"
#include "redis/ReplicaWait.h"
#include "store/PasswordHasher.h"
#include "store/Store.h"

#include <QCoro/QCoroSignal>
#include <QCoro/QCoroTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QPointer>
#include <QRandomGenerator>

Q_LOGGING_CATEGORY(lcServer, "rill.server", QtInfoMsg)

namespace rill::server {

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

RillServer::RillServer(ServerConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_instanceId(m_config.instanceName + u'#'
                   + QString::number(QRandomGenerator::system()->generate(), 16).rightJustified(8, u'0'))
    // An operator's own name is theirs to show; the default (host-pid) waits for a log-in, and
    // before it `hello` shows the instance's random suffix, which tells instances apart.
    , m_publicInstanceName(m_config.instanceName == ServerConfig::defaultInstanceName()
                               ? m_instanceId.sliced(m_instanceId.lastIndexOf(u'#') + 1)
                               : m_config.instanceName)
    , m_ops(std::make_unique<Observability>())
{
}

RillServer::~RillServer()
{
    m_ops->stop(); // its endpoint reads everything below
    // Sessions first: they detach from the hub, which must still exist.
    for (const auto &session : std::as_const(m_sessions))
        session->connectionClosed();
    m_sessions.clear();
    m_listener.reset();
    m_hub.reset();
}

quint16 RillServer::port() const
{
    return m_listener ? m_listener->port() : 0;
}

quint16 RillServer::httpPort() const
{
    return m_ops->httpPort();
}

QString RillServer::redisDescription() const
{
    return m_redis ? m_redis->options().endpoint.toDisplayString() : QString();
}

QString RillServer::embeddedRedisExecutable(const QString &configured)
{
    return redis::findRedisServer(configured);
}

QCoro::Task<bool> RillServer::start()
{
    // Destroyed while starting (an app quitting during "Starting…"): the frame outlives us,
    // so every resumption checks before it touches a member.
    const QPointer<RillServer> self(this);
    const bool redisUp = co_await connectRedis();
    if (!self || !redisUp)
        co_return false;

    store::StoreLimits limits;
    limits.maxChannelsPerUser = m_config.maxChannelsPerUser;
    limits.channelCreatesPerHour = m_config.channelCreatesPerHour;
    limits.loginFailuresPerName = m_config.loginFailuresPerName;
    limits.loginFailuresPerAddress = m_config.loginFailuresPerName * 10;
    limits.registrationsPerAddress = m_config.registrationsPerAddress;
    limits.searchBudgetPerChannel = m_config.searchBudgetPerChannel;
    m_store = std::make_unique<store::Store>(*m_redis, limits);
    if (m_config.redisWaitReplicas > 0) {
        ServerMetrics &metrics = *m_ops->metrics();
        m_store->setReplicaWait(std::make_unique<redis::ReplicaWait>(*m_redis, m_config.redisWaitReplicas,
                                                                     m_config.redisWaitTimeout, &metrics.replicaWait,
                                                                     &metrics.replicaWaitShort));
    }
    const auto defaults = co_await m_store->ensureDefaults();
    if (!self)
        co_return false;
    if (!defaults) {
        m_error = u"cannot prepare the store: "_s + defaults.error().message;
        co_return false;
    }
    m_hasher = std::make_unique<store::PasswordHasher>(m_config.hashWorkers, m_config.hashQueue);
    if (m_config.demo) {
        const bool seeded = co_await seedDemo();
        if (!self || !seeded)
            co_return false;
    }

    Hub::Options hubOptions;
    hubOptions.instanceId = m_instanceId;
    hubOptions.presenceHeartbeat = m_config.presenceHeartbeat;
    hubOptions.busLink = m_redis->options();
    hubOptions.subscriberLink = m_redis->options();
    hubOptions.metrics = m_ops->metrics().get();
    m_hub = std::make_unique<Hub>(*m_store, *m_redis, hubOptions);
    const bool hubStarted = co_await m_hub->start();
    if (!self)
        co_return false;
    if (!hubStarted) {
        m_error = u"cannot start the event hub: "_s + m_hub->errorString();
        co_return false;
    }

    // Before the WebSocket port opens: a start that fails leaves nothing listening, and
    // /readyz says 503 until m_serving.
    Observability::Sources sources;
    sources.redis = m_redis.get();
    sources.hub = m_hub.get();
    sources.connections = [this] { return m_sessions.size(); };
    sources.sessions = [this] {
        return qsizetype(std::count_if(m_sessions.cbegin(), m_sessions.cend(),
                                       [](const auto &session) { return session->isAuthenticated(); }));
    };
    sources.serving = [this] { return m_serving; };
    if (!m_ops->start(std::move(sources), m_config.httpAddress, m_config.httpPort, &m_error))
        co_return false;

    WebSocketListener::Options listenerOptions;
    listenerOptions.maxBacklogBytes = m_config.maxBacklogBytes;
    listenerOptions.pingInterval = m_config.pingInterval;
    listenerOptions.handshakeTimeout = m_config.handshakeTimeout;
    listenerOptions.loginTimeout = m_config.loginTimeout;
    listenerOptions.maxConnections = m_config.maxConnections;
    listenerOptions.maxConnectionsPerAddress = m_config.maxConnectionsPerAddress;
    listenerOptions.allowedOrigins = m_config.allowedOrigins;
    listenerOptions.writeHold = m_config.writeHold;
    listenerOptions.sendRing = m_config.sendRing;
    if (!m_config.tlsCertFile.isEmpty()) {
        QString why;
        listenerOptions.tls = WebSocketListener::tlsConfiguration(m_config.tlsCertFile, m_config.tlsKeyFile, &why);
        if (!listenerOptions.tls) {
            m_error = why;
            co_return false;
        }
    }
    m_listener = std::make_unique<WebSocketListener>(std::move(listenerOptions));
    connect(m_listener.get(), &WebSocketListener::connectionOpened, this, &RillServer::openSession);
    if (!m_listener->listen(m_config.listenAddress, m_config.port)) {
        m_error = u"cannot listen on port "_s + QString::number(m_config.port) + u": "_s + m_listener->errorString();
        co_return false;
    }
    m_serving = true;
    qCInfo(lcServer).noquote() << "instance" << m_instanceId << "listening on" << m_config.listenAddress.toString()
                               << "port" << port() << (m_config.tlsCertFile.isEmpty() ? "(ws://)" : "(wss://)")
                               << "with Redis at" << redisDescription();
    if (m_config.tlsCertFile.isEmpty() && !m_config.listenAddress.isLoopback())
        qCWarning(lcServer).noquote()
            << "listening on" << m_config.listenAddress.toString()
            << "without TLS: passwords and tokens cross the network in clear text. Use --tls-cert and --tls-key, "
               "or a TLS-terminating proxy on this machine with --listen 127.0.0.1.";
    co_return true;
}

QCoro::Task<bool> RillServer::connectRedis()
{
    redis::RedisOptions options;
    if (m_config.redisUrl.isEmpty()) {
        redis::EmbeddedRedis::Options embedded;
        embedded.dataDir = QDir(m_config.dataDir).filePath(u"redis"_s);
        embedded.executable = redis::findRedisServer(m_config.redisServer);
        if (embedded.executable.isEmpty()) {
            m_error = redis::redisServerNotFound(m_config.redisServer);
            co_return false;
        }
        m_embeddedRedis = std::make_unique<redis::EmbeddedRedis>(embedded);
        connect(m_embeddedRedis.get(), &redis::EmbeddedRedis::crashed, this, &RillServer::fatalError);
        const QPointer<RillServer> self(this);
        const bool started = co_await m_embeddedRedis->start();
        if (!self)
            co_return false;
        if (!started) {
            m_error = m_embeddedRedis->errorString();
            co_return false;
        }
        options.endpoint = m_embeddedRedis->endpoint();
    } else {
        QString why;
        const auto endpoint = redis::RedisEndpoint::parse(m_config.redisUrl, &why);
        if (!endpoint) {
            m_error = u"invalid Redis URL: "_s + why;
            co_return false;
        }
        options.endpoint = *endpoint;
    }
    // A request must get `internal` within a second when Redis is unreachable.
    options.commandTimeout = 800ms;
    options.connectTimeout = 2s;
    options.clientName = "rill:" + m_config.instanceName.toUtf8();
    m_redis = std::make_unique<redis::RedisClient>(options);
    m_redis->open();

    // The first connection is awaited (with a deadline); later outages are survived.
    if (!m_redis->isReady()) {
        const QPointer<RillServer> self(this);
        auto up = qCoro(m_redis.get(), &redis::RedisLink::connected, 10s);
        co_await up;
        if (!self)
            co_return false;
    }
    if (!m_redis->isReady()) {
        m_error = u"cannot reach Redis at "_s + options.endpoint.toDisplayString() + u": "_s + m_redis->lastError();
        co_return false;
    }
    co_return true;
}

void RillServer::openSession(PeerConnection *connection)
{
    auto session = std::make_shared<PeerSession>(
        *connection,
        SessionServices{*m_store, *m_hasher, *m_hub, m_config, m_instanceId, m_config.instanceName,
                        m_publicInstanceName, m_ops->metrics()});
    m_sessions.insert(connection, session);
    ServerMetrics &metrics = *m_ops->metrics();
    metrics.connectionsOpened.inc();
    connect(connection, &PeerConnection::slowConsumerDropped, this, [&metrics] { metrics.slowConsumerDrops.inc(); });
    connect(connection, &PeerConnection::textReceived, this,
            [session = session.get()](const QByteArray &frame) { session->receive(frame); });
    connect(connection, &PeerConnection::closed, this, [this, connection] {
        if (const auto closing = m_sessions.take(connection))
            closing->connectionClosed();
    });
}

QCoro::Task<> RillServer::stop()
{
    const QPointer<RillServer> self(this);
    QElapsedTimer clock;
    clock.start();
    const auto deadline = std::chrono::milliseconds(m_config.shutdownTimeout);

    if (m_listener)
        m_listener->stopAccepting();
    if (m_serving) {
        m_serving = false;
        const Frame bye = codec::byeEvent(u"the server is shutting down"_s);
        const auto sessions = std::exchange(m_sessions, {});
        for (auto it = sessions.cbegin(); it != sessions.cend(); ++it) {
            it.key()->send(bye);
            it.key()->close(protocol::CloseCode::GoingAway, u"server shutting down"_s);
            it.value()->connectionClosed();
        }
        if (m_hub)
            co_await m_hub->stop();
        // Let writes already sent to Redis (and the closing frames) finish, within the deadline.
        while (self && m_redis && m_redis->pendingCount() > 0 && clock.elapsed() < deadline.count() / 2)
            co_await QCoro::sleepFor(10ms);
        while (self && m_listener && !m_listener->findChildren<PeerConnection *>().isEmpty()
               && clock.elapsed() < deadline.count())
            co_await QCoro::sleepFor(10ms);
    }
    if (!self)
        co_return;
    if (m_redis)
        m_redis->close();
    if (m_embeddedRedis)
        co_await m_embeddedRedis->stop();
    qCInfo(lcServer) << "stopped after" << clock.elapsed() << "ms";
}

QCoro::Task<bool> RillServer::seedDemo()
{
    // Only into an empty store, so --demo is safe to leave on.
    const auto exists = co_await m_store->userExists(u"alice"_s);
    if (!exists) {
        m_error = u"cannot seed demo data: "_s + exists.error().message;
        co_return false;
    }
    if (exists.value())
        co_return true;
    const auto hashed = co_await m_hasher->hash(u"rill-demo"_s);
    const QByteArray hash = hashed.value_or(QByteArray());
    struct Line {
        const char *user;
        const char *channel;
        const char *text;
    };
    static constexpr Line script[] = {
        {"alice", "general", "Morning all! Rill is up and running."},
        {"bob", "general", "Nice. Is the **release** still on for Friday?"},
        {"carol", "general", "Yes; checklist is in the wiki: https://example.org/release"},
        {"alice", "random", "Anyone tried the new coffee place?"},
        {"bob", "random", "Their flat white is _excellent_."},
        {"carol", "general", "Reminder: stand-up moves to 10:30 tomorrow."},
    };
    for (const char *name : {"alice", "bob", "carol"}) {
        const QString user = QString::fromLatin1(name);
        const auto registered = co_await m_store->registerUser(user, user, hash, store::Store::hashToken(store::Store::newToken()));
        if (!registered) {
            m_error = u"cannot seed demo data: "_s + registered.error().message;
            co_return false;
        }
        const auto joined = co_await m_store->join(user, user, u"random"_s, QString());
        if (!joined) {
            m_error = u"cannot seed demo data: "_s + joined.error().message;
            co_return false;
        }
    }
    for (const Line &line : script) {
        const QString user = QString::fromLatin1(line.user);
        const auto sent = co_await m_store->send(user, user, QString::fromLatin1(line.channel),
                                                 QString::fromUtf8(line.text), QByteArray());
        if (!sent) {
            m_error = u"cannot seed demo data: "_s + sent.error().message;
            co_return false;
        }
    }
    qCInfo(lcServer) << "seeded demo users alice, bob and carol (password: rill-demo)";
    co_return true;
}

} // namespace rill::server
