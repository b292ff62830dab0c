#include "SentinelFixture.h"

#include <QCoro/QCoroTask>
#include <QFile>

namespace rill::test {

using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

namespace {

constexpr std::size_t kSentinels = 3;

// SENTINEL MASTER's flat field/value list, one field.
QByteArray field(const redis::RedisReply &flat, QByteArrayView name)
{
    for (qsizetype i = 0; flat.isArray() && i + 1 < flat.size(); i += 2) {
        if (flat.at(i).bytes() == name)
            return flat.at(i + 1).bytes();
    }
    return {};
}

} // namespace

SentinelFixture::SentinelFixture() = default;

SentinelFixture::~SentinelFixture()
{
    m_asker.reset();
    for (const auto &sentinel : m_sentinels) {
        sentinel->terminate();
        if (!sentinel->waitForFinished(3000))
            sentinel->kill();
        sentinel->waitForFinished(3000);
    }
}

bool SentinelFixture::start(Watch watch)
{
    if (!m_master.start()) {
        m_error = u"redis: "_s + m_master.errorString();
        return false;
    }
    // Redis waits 5 s by default before a diskless full sync, for more replicas to join it.
    m_master.run({"CONFIG", "SET", "repl-diskless-sync-delay", "0"});
    for (RedisFixture &replica : m_replicas) {
        if (!replica.start()) {
            m_error = u"redis: "_s + replica.errorString();
            return false;
        }
        replica.run({"REPLICAOF", "127.0.0.1", QByteArray::number(m_master.port())});
    }
    for (RedisFixture &replica : m_replicas) {
        if (!waitUntil([&replica] { return replica.run({"INFO", "replication"}).bytes().contains("master_link_status:up"); },
                       30s)) {
            m_error = u"a replica never synchronized with the master"_s;
            return false;
        }
    }
    if (watch == Watch::ReplicasOnly)
        return true;
    for (std::size_t i = 0; i < kSentinels; ++i) {
        if (!startSentinel(i))
            return false;
    }
    redis::RedisOptions options;
    options.endpoint = redis::RedisEndpoint::tcp(u"127.0.0.1"_s, m_sentinelPorts.front());
    options.whileDown = redis::RedisOptions::WhileDown::Wait;
    options.commandTimeout = 5s;
    options.reconnectDelayMin = 20ms;
    options.reconnectDelayMax = 200ms;
    m_asker = std::make_unique<redis::RedisClient>(options);
    m_asker->open();
    // A failover needs the replica known and a majority of sentinels that know each other (they
    // meet through the master's pub/sub every 2 s).
    const bool ready = waitUntil(
        [this] {
            const auto master = ask({"SENTINEL", "MASTER", kMasterName.latin1()});
            return field(master, "num-slaves") == QByteArray::number(qsizetype(m_replicas.size()))
                && field(master, "num-other-sentinels") == QByteArray::number(qsizetype(kSentinels - 1));
        },
        30s);
    if (!ready)
        m_error = u"the sentinels did not find the replica and each other"_s;
    return ready;
}

bool SentinelFixture::startSentinel(std::size_t index)
{
    const quint16 port = redis::findFreeLocalPort();
    const QString dir = m_dir.filePath(u"sentinel-"_s + QString::number(index));
    QDir().mkpath(dir);
    // Sentinel rewrites its configuration file as it learns, so each gets its own, writable.
    QFile config(dir + u"/sentinel.conf"_s);
    if (!config.open(QIODevice::WriteOnly)) {
        m_error = config.errorString();
        return false;
    }
    const QByteArray name = kMasterName.latin1();
    config.write("port " + QByteArray::number(port) + "\nbind 127.0.0.1\nprotected-mode no\ndaemonize no\n"
                 "dir " + QFile::encodeName(dir) + "\nlogfile " + QFile::encodeName(dir + u"/sentinel.log"_s) + "\n"
                 "sentinel monitor " + name + " 127.0.0.1 " + QByteArray::number(m_master.port()) + " 2\n"
                 "sentinel down-after-milliseconds " + name + " 1000\n"
                 "sentinel failover-timeout " + name + " 10000\n"
                 "sentinel parallel-syncs " + name + " 1\n");
    config.close();

    auto process = std::make_unique<QProcess>();
    process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    process->start(QStringLiteral(RILL_REDIS_SERVER), {config.fileName(), u"--sentinel"_s});
    if (!process->waitForStarted(5000)) {
        m_error = u"cannot start a sentinel: "_s + process->errorString();
        return false;
    }
    m_sentinels.push_back(std::move(process));
    m_sentinelPorts.push_back(port);
    return true;
}

QString SentinelFixture::url() const
{
    QStringList hosts;
    for (const quint16 port : m_sentinelPorts)
        hosts << u"127.0.0.1:"_s + QString::number(port);
    return u"sentinel://"_s + hosts.join(u',') + u'/' + kMasterName;
}

redis::RedisReply SentinelFixture::ask(const QList<QByteArray> &args)
{
    return QCoro::waitFor(m_asker->commandArgv(args));
}

quint16 SentinelFixture::reportedMasterPort()
{
    const auto address = ask({"SENTINEL", "GET-MASTER-ADDR-BY-NAME", kMasterName.latin1()});
    return address.isArray() && address.size() == 2 ? quint16(address.at(1).bytes().toUInt()) : 0;
}

quint16 SentinelFixture::waitForPromotion(std::chrono::milliseconds timeout)
{
    quint16 promoted = 0;
    waitUntil(
        [this, &promoted] {
            const quint16 reported = reportedMasterPort();
            for (RedisFixture &replica : m_replicas) {
                if (replica.port() == reported && replica.run({"ROLE"}).at(0).bytes() == "master")
                    promoted = reported;
            }
            return promoted != 0;
        },
        timeout);
    return promoted;
}

} // namespace rill::test
