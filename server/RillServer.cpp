#include "RillServer.h"

#include "redis/EmbeddedRedis.h"
#include "redis/RedisClient.h"

#include <QCoro/QCoroSignal>
#include <QDir>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcServer, "rill.server", QtInfoMsg)

namespace rill::server {

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

RillServer::RillServer(ServerConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
{
}

RillServer::~RillServer() = default;

QString RillServer::redisDescription() const
{
    return m_redis ? m_redis->options().endpoint.toDisplayString() : QString();
}

QCoro::Task<bool> RillServer::start()
{
    const bool redisUp = co_await connectRedis();
    if (!redisUp)
        co_return false;
    qCInfo(lcServer).noquote() << "instance" << m_config.instanceName << "using Redis at" << redisDescription();
    co_return true;
}

QCoro::Task<bool> RillServer::connectRedis()
{
    redis::RedisOptions options;
    if (m_config.redisUrl.isEmpty()) {
        redis::EmbeddedRedis::Options embedded;
        embedded.dataDir = QDir(m_config.dataDir).filePath(u"redis"_s);
        m_embeddedRedis = std::make_unique<redis::EmbeddedRedis>(embedded);
        connect(m_embeddedRedis.get(), &redis::EmbeddedRedis::crashed, this, &RillServer::fatalError);
        const bool started = co_await m_embeddedRedis->start();
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
        auto up = qCoro(m_redis.get(), &redis::RedisLink::connected, 10s);
        co_await up;
    }
    if (!m_redis->isReady()) {
        m_error = u"cannot reach Redis at "_s + options.endpoint.toDisplayString() + u": "_s + m_redis->lastError();
        co_return false;
    }
    co_return true;
}

QCoro::Task<> RillServer::stop()
{
    if (m_redis)
        m_redis->close();
    if (m_embeddedRedis)
        co_await m_embeddedRedis->stop();
    qCInfo(lcServer) << "stopped";
}

} // namespace rill::server
