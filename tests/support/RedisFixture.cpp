#include "RedisFixture.h"

#include <QCoro/QCoroTask>
#include <QEventLoop>
#include <QTimer>

#include <csignal>

namespace rill::test {

using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

RedisFixture::RedisFixture() = default;

RedisFixture::~RedisFixture()
{
    stop();
}

bool RedisFixture::start()
{
    if (!m_port)
        m_port = redis::findFreeLocalPort();
    redis::EmbeddedRedis::Options options;
    options.dataDir = m_dir.filePath(u"redis"_s);
    options.executable = QStringLiteral(RILL_REDIS_SERVER);
    options.listen = redis::EmbeddedRedis::Options::Listen::Tcp;
    options.port = m_port;
    options.appendOnly = m_persistent;
    if (m_persistent)
        options.extraArguments = {u"--appendfsync"_s, u"always"_s};
    options.stopTimeout = 3s;
    m_server = std::make_unique<redis::EmbeddedRedis>(options);
    const bool ok = QCoro::waitFor(m_server->start());
    if (ok && !m_admin) {
        auto admin = clientOptions();
        admin.whileDown = redis::RedisOptions::WhileDown::Wait;
        admin.commandTimeout = 5s;
        m_admin = std::make_unique<redis::RedisClient>(admin);
        m_admin->open();
    }
    return ok;
}

void RedisFixture::stop()
{
    if (m_server)
        QCoro::waitFor(m_server->stop());
}

void RedisFixture::kill()
{
    if (m_server && m_server->isRunning()) {
        ::kill(pid_t(m_server->processId()), SIGKILL);
        waitUntil([this] { return !m_server->isRunning(); }, 5s);
    }
}

void RedisFixture::freeze()
{
    ::kill(pid_t(pid()), SIGSTOP);
}

void RedisFixture::thaw()
{
    ::kill(pid_t(pid()), SIGCONT);
}

bool RedisFixture::restart()
{
    stop();
    m_server.reset();
    return start();
}

redis::RedisEndpoint RedisFixture::endpoint() const
{
    return redis::RedisEndpoint::tcp(u"127.0.0.1"_s, m_port);
}

QString RedisFixture::url() const
{
    return u"redis://127.0.0.1:"_s + QString::number(m_port);
}

QString RedisFixture::errorString() const
{
    return m_server ? m_server->errorString() : QString();
}

qint64 RedisFixture::pid() const
{
    return m_server ? m_server->processId() : 0;
}

redis::RedisOptions RedisFixture::clientOptions() const
{
    redis::RedisOptions options;
    options.endpoint = endpoint();
    options.connectTimeout = 1s;
    options.commandTimeout = 1s;
    options.reconnectDelayMin = 20ms;
    options.reconnectDelayMax = 200ms;
    return options;
}

redis::RedisReply RedisFixture::run(const QList<QByteArray> &args)
{
    return QCoro::waitFor(m_admin->commandArgv(args));
}

bool waitUntil(const std::function<bool()> &predicate, std::chrono::milliseconds timeout)
{
    if (predicate())
        return true;
    QEventLoop loop;
    bool satisfied = false;
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
    // Like QTRY_VERIFY: check every few ms while the event loop keeps running. Once the
    // predicate holds it is not evaluated again, so predicates may consume what they find.
    QTimer check;
    QObject::connect(&check, &QTimer::timeout, &loop, [&] {
        if (!satisfied && predicate()) {
            satisfied = true;
            loop.quit();
        }
    });
    deadline.start(timeout);
    check.start(5ms);
    loop.exec();
    return satisfied;
}

} // namespace rill::test
