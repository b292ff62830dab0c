#include "EmbeddedRedis.h"

#include "RedisClient.h"

#include <QCoro/QCoroProcess>
#include <QCoro/QCoroSignal>
#include <QCoro/QCoroTimer>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTcpServer>

#include <csignal>
#ifdef Q_OS_LINUX
#include <sys/prctl.h>
#endif
#ifdef Q_OS_UNIX
#include <sys/un.h>
#endif

namespace rill::redis {

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
class StartOutcome : public QObject
{
    Q_OBJECT
Q_SIGNALS:
    void settled();
};
} // namespace

#ifdef Q_OS_UNIX
namespace {
bool fitsSocketAddress(const QString &path)
{
    return QFile::encodeName(path).size() < qsizetype(sizeof(sockaddr_un::sun_path));
}

// A new private (0700) directory for the socket, where the path is short: the user's runtime
// directory (per user, cleared at log-out), else the temporary directory.
std::unique_ptr<QTemporaryDir> shortPrivateDirectory()
{
    QStringList bases;
    const QString runtime = qEnvironmentVariable("XDG_RUNTIME_DIR");
    if (!runtime.isEmpty() && QFileInfo(runtime).isDir())
        bases << runtime;
    bases << QDir::tempPath() << u"/tmp"_s;
    for (const QString &base : std::as_const(bases)) {
        auto dir = std::make_unique<QTemporaryDir>(QDir(base).filePath(u"rill-redis-XXXXXX"_s));
        if (dir->isValid() && fitsSocketAddress(dir->filePath(u"redis.sock"_s)))
            return dir;
    }
    return nullptr;
}
} // namespace
#endif

quint16 findFreeLocalPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

QString findRedisServer(const QString &configured)
{
    if (!configured.isEmpty()) {
        if (!configured.contains(u'/') && !configured.contains(u'\\'))
            return QStandardPaths::findExecutable(configured);
        const QFileInfo file(configured);
        return file.isFile() && file.isExecutable() ? file.absoluteFilePath() : QString();
    }
    // findExecutable() adds ".exe" on Windows.
    const QString name = u"redis-server"_s;
    if (QCoreApplication::instance()) {
        const QString beside = QStandardPaths::findExecutable(name, {QCoreApplication::applicationDirPath()});
        if (!beside.isEmpty())
            return beside;
    }
    return QStandardPaths::findExecutable(name);
}

QString redisServerNotFound(const QString &configured)
{
    if (!configured.isEmpty())
        return u"the embedded Redis needs a redis-server program and there is none at "_s + configured;
    return u"the embedded Redis needs a redis-server program and none was found next to "_s
        + (QCoreApplication::instance() ? QCoreApplication::applicationDirPath() : u"this program"_s)
        + u" or on PATH: install Redis, set redis-server to its path, or point redis at a running Redis"_s;
}

EmbeddedRedis::EmbeddedRedis(Options options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{
}

EmbeddedRedis::~EmbeddedRedis()
{
    stopNow();
}

bool EmbeddedRedis::isRunning() const
{
    return m_process && m_process->state() != QProcess::NotRunning;
}

qint64 EmbeddedRedis::processId() const
{
    return m_process ? m_process->processId() : 0;
}

QStringList EmbeddedRedis::arguments() const
{
    QStringList args{
        u"--dir"_s, m_options.dataDir,
        u"--daemonize"_s, u"no"_s,
        u"--appendonly"_s, m_options.appendOnly ? u"yes"_s : u"no"_s,
        u"--logfile"_s, QDir(m_options.dataDir).absoluteFilePath(u"redis.log"_s),
        u"--protected-mode"_s, u"yes"_s,
    };
    if (!m_options.appendOnly)
        args << u"--save"_s << QString(); // no snapshots either: a throwaway instance
    if (m_endpoint.transport == RedisEndpoint::Transport::Unix) {
        args << u"--port"_s << u"0"_s << u"--unixsocket"_s << m_endpoint.socketPath
             << u"--unixsocketperm"_s << u"700"_s;
    } else {
        args << u"--port"_s << QString::number(m_endpoint.port) << u"--bind"_s << u"127.0.0.1"_s;
    }
    return args + m_options.extraArguments;
}

QCoro::Task<bool> EmbeddedRedis::start()
{
    if (isRunning())
        co_return true;
    m_error.clear();

    if (!QDir().mkpath(m_options.dataDir)) {
        m_error = u"cannot create the Redis data directory "_s + m_options.dataDir;
        co_return false;
    }
    // Every message and password hash ends up in there: nobody but us may read it, also when
    // the directory existed before with looser permissions.
    if (!QFile::setPermissions(m_options.dataDir, QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                                      | QFileDevice::ExeOwner)) {
        m_error = u"cannot make the Redis data directory private (0700): "_s + m_options.dataDir;
        co_return false;
    }
    // Two servers writing one append-only file would corrupt it.
    m_lock = std::make_unique<QLockFile>(QDir(m_options.dataDir).filePath(u"redis.lock"_s));
    m_lock->setStaleLockTime(0);
    if (!m_lock->tryLock(0)) {
        m_error = u"another process already runs Redis in "_s + m_options.dataDir;
        m_lock.reset();
        co_return false;
    }

#ifdef Q_OS_UNIX
    const bool unixSocket = m_options.listen == Options::Listen::UnixSocket;
#else
    const bool unixSocket = false; // Redis for Windows listens on TCP only
#endif
    if (unixSocket) {
        QString socketPath = QFileInfo(QDir(m_options.dataDir).filePath(u"redis.sock"_s)).absoluteFilePath();
        if (!fitsSocketAddress(socketPath)) {
            m_socketDir = shortPrivateDirectory();
            if (!m_socketDir) {
                m_error = u"no private directory with a path short enough for Redis's socket"_s;
                m_lock.reset();
                co_return false;
            }
            socketPath = m_socketDir->filePath(u"redis.sock"_s);
        }
        m_endpoint = RedisEndpoint::unixSocket(socketPath);
    } else {
        const quint16 port = m_options.port ? m_options.port : findFreeLocalPort();
        if (!port) {
            m_error = u"no free TCP port on 127.0.0.1"_s;
            m_lock.reset();
            co_return false;
        }
        m_endpoint = RedisEndpoint::tcp(u"127.0.0.1"_s, port);
    }

    m_process = new QProcess(this);
    m_process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_process->setStandardOutputFile(QProcess::nullDevice());
#ifdef Q_OS_LINUX
    // If we die without stopping it, the kernel stops it for us: no orphaned redis-server.
    m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
#endif
    m_stopping = false;
    connect(m_process, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        if (m_stopping)
            return;
        Q_EMIT crashed(status == QProcess::CrashExit ? u"redis-server crashed"_s
                                                      : u"redis-server exited with code "_s + QString::number(code));
    });
    // Not QCoroProcess::waitForStarted(): it ignores a failed start and waits out its timeout.
    // Nor qCoro(process, &QProcess::stateChanged): QProcess's signals carry QPrivateSignal, which
    // Qt passes as a null reference to a forwarding lambda (undefined behaviour, UBSan stops there).
    // A plain signal of our own, raised by either outcome, is awaited instead.
    StartOutcome outcome;
    connect(m_process, &QProcess::started, &outcome, &StartOutcome::settled);
    connect(m_process, &QProcess::errorOccurred, &outcome, &StartOutcome::settled);
    m_process->start(m_options.executable, arguments());
    if (m_process->state() == QProcess::Starting) {
        auto settled = qCoro(&outcome, &StartOutcome::settled, m_options.startTimeout);
        co_await settled;
    }
    if (m_process->state() != QProcess::Running) {
        m_error = u"cannot start "_s + m_options.executable + u": "_s + m_process->errorString();
        releaseProcess();
        co_return false;
    }
    const bool answering = co_await waitUntilAnswering();
    if (!answering) {
        stopNow();
        co_return false;
    }
    co_return true;
}

QCoro::Task<bool> EmbeddedRedis::waitUntilAnswering()
{
    RedisOptions probeOptions;
    probeOptions.endpoint = m_endpoint;
    probeOptions.reconnectDelayMin = 20ms;
    probeOptions.reconnectDelayMax = 200ms;
    probeOptions.whileDown = RedisOptions::WhileDown::Wait;
    RedisClient probe(probeOptions);
    probe.open();

    const auto deadline = std::chrono::steady_clock::now() + m_options.startTimeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!isRunning()) {
            m_error = u"redis-server exited during start-up; see "_s
                + QDir(m_options.dataDir).filePath(u"redis.log"_s);
            co_return false;
        }
        // -LOADING while it replays a large append-only file: keep asking.
        const RedisReply pong = co_await probe.command("PING");
        if (pong.isStatus())
            co_return true;
        co_await QCoro::sleepFor(50ms);
    }
    m_error = u"redis-server did not answer within "_s + QString::number(m_options.startTimeout.count()) + u" ms"_s;
    co_return false;
}

QCoro::Task<> EmbeddedRedis::stop()
{
    if (!isRunning()) {
        m_lock.reset();
        co_return;
    }
    m_stopping = true;
    m_process->terminate(); // SIGTERM: Redis fsyncs the append-only file and exits
    auto process = qCoro(m_process.data());
    const bool finished = co_await process.waitForFinished(m_options.stopTimeout);
    if (!finished) {
        m_process->kill();
        co_await process.waitForFinished(1s);
    }
    releaseProcess();
}

void EmbeddedRedis::stopNow()
{
    if (isRunning()) {
        // Only reached when the owner did not co_await stop(): at teardown, where waiting a
        // moment for Redis to flush its file is better than losing the last writes.
        m_stopping = true;
        m_process->terminate();
        if (!m_process->waitForFinished(int(m_options.stopTimeout.count())))
            m_process->kill();
        m_process->waitForFinished(1000);
    }
    releaseProcess();
}

void EmbeddedRedis::releaseProcess()
{
    if (m_process) {
        m_process->disconnect(this);
        m_process->deleteLater();
        m_process = nullptr;
    }
    m_lock.reset();
    m_socketDir.reset();
}

} // namespace rill::redis

#include "EmbeddedRedis.moc"
