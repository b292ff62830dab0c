#include "RedisSubscriber.h"

#include <QPointer>
#include <QVarLengthArray>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

namespace rill::redis {

namespace {
QByteArray bulk(const redisReply *r)
{
    return (r && r->type == REDIS_REPLY_STRING) ? QByteArray(r->str, qsizetype(r->len)) : QByteArray();
}
} // namespace

RedisSubscriber::RedisSubscriber(RedisOptions options, QObject *parent)
    : RedisLink(std::move(options), parent)
{
}

RedisSubscriber::~RedisSubscriber()
{
    close();
}

void RedisSubscriber::subscribe(const QByteArray &channel)
{
    if (m_channels.contains(channel))
        return;
    m_channels.insert(channel);
    if (isReady())
        sendSubscription("SUBSCRIBE", {channel});
}

void RedisSubscriber::unsubscribe(const QByteArray &channel)
{
    if (!m_channels.remove(channel))
        return;
    if (isReady())
        sendSubscription("UNSUBSCRIBE", {channel});
}

void RedisSubscriber::psubscribe(const QByteArray &pattern)
{
    if (m_patterns.contains(pattern))
        return;
    m_patterns.insert(pattern);
    if (isReady())
        sendSubscription("PSUBSCRIBE", {pattern});
}

void RedisSubscriber::punsubscribe(const QByteArray &pattern)
{
    if (!m_patterns.remove(pattern))
        return;
    if (isReady())
        sendSubscription("PUNSUBSCRIBE", {pattern});
}

void RedisSubscriber::linkReady()
{
    // Only now, after the handshake: hiredis 0.14 routes every reply on a link that has sent
    // SUBSCRIBE as a pub/sub reply, so an AUTH or SELECT reply behind it would be lost.
    if (!m_channels.isEmpty())
        sendSubscription("SUBSCRIBE", m_channels.values());
    if (!m_patterns.isEmpty())
        sendSubscription("PSUBSCRIBE", m_patterns.values());
}

void RedisSubscriber::sendSubscription(QByteArrayView verb, const QList<QByteArray> &names)
{
    QVarLengthArray<const char *, 16> argv{verb.data()};
    QVarLengthArray<size_t, 16> lens{size_t(verb.size())};
    for (const QByteArray &n : names) {
        argv.append(n.constData());
        lens.append(size_t(n.size()));
    }
    redisAsyncCommandArgv(context(), &RedisSubscriber::onPubSub, this, int(argv.size()), argv.data(), lens.data());
}

void RedisSubscriber::onPubSub(redisAsyncContext *, void *reply, void *privdata)
{
    const auto *r = static_cast<const redisReply *>(reply);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < 3)
        return; // NULL when the link goes away; RedisLink reports that
    auto *self = static_cast<RedisSubscriber *>(privdata);
    const QByteArrayView kind(r->element[0]->str, qsizetype(r->element[0]->len));
    if (kind == "message") {
        self->m_deliveries.push_back({Delivery::Kind::Message, {}, bulk(r->element[1]), bulk(r->element[2])});
    } else if (kind == "pmessage" && r->elements >= 4) {
        self->m_deliveries.push_back(
            {Delivery::Kind::PatternMessage, bulk(r->element[1]), bulk(r->element[2]), bulk(r->element[3])});
    } else if (kind == "subscribe" || kind == "psubscribe") {
        self->m_deliveries.push_back({Delivery::Kind::Subscribed, {}, bulk(r->element[1]), {}});
    }
}

void RedisSubscriber::deliverCompleted()
{
    if (m_deliveries.empty())
        return;
    const QPointer<RedisSubscriber> guard(this);
    const auto batch = std::exchange(m_deliveries, {});
    for (const Delivery &d : batch) {
        switch (d.kind) {
        case Delivery::Kind::Message:
            Q_EMIT message(d.channel, d.payload);
            break;
        case Delivery::Kind::PatternMessage:
            Q_EMIT patternMessage(d.pattern, d.channel, d.payload);
            break;
        case Delivery::Kind::Subscribed:
            Q_EMIT subscribed(d.channel);
            break;
        }
        if (!guard)
            return;
    }
}

} // namespace rill::redis
