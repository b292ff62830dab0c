#include "SentinelResolver.h"

#include "RedisClient.h"
#include "RedisSubscriber.h"

#include <QPointer>

#include <algorithm>

namespace rill::redis {

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
constexpr QByteArrayView kSwitchMaster = "+switch-master";
}

SentinelResolver::SentinelResolver(const RedisEndpoint &endpoint, std::chrono::milliseconds timeout, QObject *parent)
    : QObject(parent)
    , m_masterName(endpoint.masterName)
{
    for (const auto &[host, port] : endpoint.sentinels) {
        RedisOptions options;
        options.endpoint = RedisEndpoint::tcp(host, port);
        options.endpoint.password = endpoint.sentinelPassword;
        options.connectTimeout = timeout;
        options.commandTimeout = timeout;
        options.reconnectDelayMax = 2s;
        // A question asked while a sentinel's link is (re)connecting waits for it, within the timeout.
        options.whileDown = RedisOptions::WhileDown::Wait;
        Sentinel s;
        s.name = host + u':' + QString::number(port);
        s.commands = std::make_unique<RedisClient>(options);
        s.events = std::make_unique<RedisSubscriber>(options);
        connect(s.events.get(), &RedisSubscriber::message, this,
                [this](const QByteArray &, const QByteArray &payload) { onSwitch(payload); });
        s.events->subscribe(QByteArray(kSwitchMaster.data(), kSwitchMaster.size()));
        s.commands->open();
        s.events->open();
        m_preference.push_back(m_sentinels.size());
        m_sentinels.push_back(std::move(s));
    }
}

SentinelResolver::~SentinelResolver() = default;

QCoro::Task<std::optional<SentinelResolver::Address>> SentinelResolver::masterAddress()
{
    const QPointer<SentinelResolver> self(this);
    // Sentinels whose link is up first, then in order of preference: an answer comes from a
    // live sentinel without waiting for a dead one's timeout.
    std::vector<std::size_t> order = m_preference;
    std::stable_partition(order.begin(), order.end(), [this](std::size_t i) { return m_sentinels[i].commands->isReady(); });
    std::vector<RedisCall> calls;
    calls.reserve(order.size());
    for (const std::size_t i : order)
        calls.push_back(m_sentinels[i].commands->command("SENTINEL", "get-master-addr-by-name", m_masterName.toUtf8()));

    QStringList errors;
    for (std::size_t k = 0; k < calls.size(); ++k) {
        const RedisReply reply = co_await calls[k];
        if (!self)
            co_return std::nullopt;
        const Sentinel &sentinel = m_sentinels[order[k]];
        bool portOk = false;
        const int port = reply.isArray() && reply.size() == 2 ? reply.at(1).bytes().toInt(&portOk) : 0;
        if (portOk && port > 0 && port <= 65535) {
            // The one that answered goes first next time (the order the Sentinel client guide asks for).
            m_preference.erase(std::find(m_preference.begin(), m_preference.end(), order[k]));
            m_preference.insert(m_preference.begin(), order[k]);
            co_return Address{reply.at(0).text(), quint16(port)};
        }
        errors << sentinel.name + u": "_s
                + (reply.isNil() || (reply.isArray() && reply.size() == 0) ? u"does not know master "_s + m_masterName
                                                                             : reply.describe());
    }
    m_lastError = u"no sentinel gave the address of master "_s + m_masterName + u" ("_s + errors.join(u"; "_s) + u')';
    co_return std::nullopt;
}

void SentinelResolver::onSwitch(const QByteArray &payload)
{
    // "<master-name> <old-ip> <old-port> <new-ip> <new-port>"
    const QList<QByteArray> words = payload.split(' ');
    if (words.size() != 5 || QString::fromUtf8(words.at(0)) != m_masterName)
        return;
    bool ok = false;
    const int port = words.at(4).toInt(&ok);
    if (!ok || port <= 0 || port > 65535)
        return;
    const Address to{QString::fromUtf8(words.at(3)), quint16(port)};
    // Every sentinel announces the same switch; one is news.
    if (m_lastSwitch == to)
        return;
    m_lastSwitch = to;
    Q_EMIT masterSwitched(to);
}

} // namespace rill::redis
