#pragma once

#include "RedisFixture.h"

#include <QProcess>
#include <QTemporaryDir>

#include <array>

#include <chrono>
#include <memory>
#include <vector>

namespace rill::test {

// Redis Sentinel's usual setup, as real processes on free loopback ports: a master, two replicas
// (so that after a failover the new master still has one), three sentinels watching them
// (quorum 2). Sentinels
// are told to judge quickly (master down after 1 s), so a failover takes seconds, not a minute.
class SentinelFixture
{
public:
    static constexpr QLatin1StringView kMasterName{"rill-master"};

    SentinelFixture();
    ~SentinelFixture();
    SentinelFixture(const SentinelFixture &) = delete;
    SentinelFixture &operator=(const SentinelFixture &) = delete;

    enum class Watch { WithSentinels, ReplicasOnly };
    // Starts everything and waits until the replicas are in step and the sentinels know them
    // and each other, so a failover can be authorized; ReplicasOnly starts no sentinel (a
    // test of replication alone then takes a second, not fifteen). False with errorString().
    [[nodiscard]] bool start(Watch watch = Watch::WithSentinels);
    [[nodiscard]] QString errorString() const { return m_error; }

    // sentinel://127.0.0.1:a,127.0.0.1:b,127.0.0.1:c/rill-master
    [[nodiscard]] QString url() const;
    [[nodiscard]] RedisFixture &master() { return m_master; }
    [[nodiscard]] RedisFixture &replica(std::size_t i = 0) { return m_replicas.at(i); }
    [[nodiscard]] std::size_t replicaCount() const { return m_replicas.size(); }

    // The master's port as the first sentinel reports it now (0: it cannot say).
    [[nodiscard]] quint16 reportedMasterPort();
    // Until the sentinels report one of the replicas as the master (after the master was killed)
    // and it says so itself; its port, or 0 when that did not happen in time.
    [[nodiscard]] quint16 waitForPromotion(std::chrono::milliseconds timeout);

private:
    [[nodiscard]] bool startSentinel(std::size_t index);
    [[nodiscard]] redis::RedisReply ask(const QList<QByteArray> &args);

    QTemporaryDir m_dir;
    RedisFixture m_master;
    std::array<RedisFixture, 2> m_replicas;
    std::vector<quint16> m_sentinelPorts;
    std::vector<std::unique_ptr<QProcess>> m_sentinels;
    std::unique_ptr<redis::RedisClient> m_asker; // to the first sentinel
    QString m_error;
};

} // namespace rill::test
