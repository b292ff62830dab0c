#pragma once

#include "RedisLink.h"

#include <QByteArray>
#include <QSet>

#include <vector>

namespace rill::redis {

// A dedicated pub/sub connection. Subscriptions are state, not commands: the subscriber
// remembers them and subscribes again on every new link, so an owner sets them once.
// Messages published while the link was down are lost (pub/sub is at-most-once); owners that
// care listen to connected() and catch up from a durable source.
class RedisSubscriber : public RedisLink
{
    Q_OBJECT

public:
    explicit RedisSubscriber(RedisOptions options, QObject *parent = nullptr);
    ~RedisSubscriber() override;

    void subscribe(const QByteArray &channel);
    void unsubscribe(const QByteArray &channel);
    void psubscribe(const QByteArray &pattern);
    void punsubscribe(const QByteArray &pattern);

    [[nodiscard]] const QSet<QByteArray> &channels() const { return m_channels; }
    [[nodiscard]] const QSet<QByteArray> &patterns() const { return m_patterns; }

Q_SIGNALS:
    void message(const QByteArray &channel, const QByteArray &payload);
    void patternMessage(const QByteArray &pattern, const QByteArray &channel, const QByteArray &payload);
    // Redis confirmed a (re)subscription: from now on its messages arrive.
    void subscribed(const QByteArray &channelOrPattern);

protected:
    void linkReady() override;
    void deliverCompleted() override;

private:
    struct Delivery {
        enum class Kind { Message, PatternMessage, Subscribed } kind;
        QByteArray pattern;
        QByteArray channel;
        QByteArray payload;
    };

    void sendSubscription(QByteArrayView verb, const QList<QByteArray> &names);
    static void onPubSub(struct redisAsyncContext *ac, void *reply, void *privdata);

    QSet<QByteArray> m_channels;
    QSet<QByteArray> m_patterns;
    std::vector<Delivery> m_deliveries;
};

} // namespace rill::redis
