#include "ServerFixture.h"

#include <QCoro/QCoroTask>
#include <QHostAddress>

namespace rill::test {

using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

ServerFixture::ServerFixture(RedisFixture *sharedRedis)
    : m_redis(sharedRedis)
{
    if (!m_redis) {
        m_ownRedis = std::make_unique<RedisFixture>();
        m_redis = m_ownRedis.get();
    }
    m_config.listenAddress = QHostAddress::LocalHost;
    m_config.port = 0;
    m_config.instanceName = u"test"_s;
    m_config.rateLimitPerSecond = 0; // suites that test the limit turn it on
    m_config.presenceHeartbeat = 1s;
    m_config.shutdownTimeout = 2s;
}

ServerFixture::~ServerFixture()
{
    stop();
}

bool ServerFixture::start()
{
    if (m_ownRedis && !m_ownRedis->pid() && !m_ownRedis->start()) {
        m_error = u"redis: "_s + m_ownRedis->errorString();
        return false;
    }
    auto config = m_config;
    // A test may name Redis another way (sentinel://) as long as it reaches the same one.
    if (config.redisUrl.isEmpty())
        config.redisUrl = m_redis->url();
    if (m_port)
        config.port = m_port;
    m_server = std::make_unique<server::RillServer>(config);
    if (!QCoro::waitFor(m_server->start())) {
        m_error = m_server->errorString();
        m_server.reset();
        return false;
    }
    m_port = m_server->port();
    return true;
}

void ServerFixture::stop()
{
    if (m_server) {
        QCoro::waitFor(m_server->stop());
        m_server.reset();
    }
}

bool ServerFixture::restart()
{
    stop();
    return start();
}

QUrl ServerFixture::url() const
{
    const auto scheme = m_config.tlsCertFile.isEmpty() ? u"ws"_s : u"wss"_s;
    return QUrl(scheme + u"://127.0.0.1:"_s + QString::number(m_port));
}

} // namespace rill::test
