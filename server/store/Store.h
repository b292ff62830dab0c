#pragma once

#include "Result.h"

#include "protocol/Objects.h"
#include "protocol/Requests.h"
#include "protocol/StreamId.h"

#include <QCoro/QCoroTask>
#include <QList>
#include <QString>

#include <chrono>
#include <memory>
#include <optional>

namespace rill::redis {
class RedisClient;
class RedisReply;
class ReplicaWait;
} // namespace rill::redis

namespace rill::store {

struct LoginSnapshot {
    QString userKey;
    QString name;
    protocol::StreamId busPosition; // the bus entry this snapshot reflects
    QList<protocol::ChannelInfo> channels;
};

struct Credentials {
    QString name;
    QByteArray passwordHash; // empty: no such user
};

struct HistoryQuery {
    enum class From { Newest, Before, After };
    From from = From::Newest;
    QString id;
    int limit = 50;
};

struct HistoryPage {
    QList<protocol::Message> messages; // oldest first
    bool more = false;
};

struct ThreadPage {
    protocol::Message root;
    QList<protocol::Message> replies; // oldest first
    bool more = false;
};

struct ChannelSummary {
    QString name;
    qint64 members = 0;
    QString topic; // revision 2
};

struct MemberPresence {
    QString user;
    bool online = false;
};

template<typename T>
struct Page {
    QList<T> items;
    std::optional<QString> next; // the cursor of the next page; none on the last one
};

struct Heartbeat {
    bool rejoined = false; // the instance was not on record: new, or taken for dead meanwhile
    QStringList toReap;
};

struct ReapStep {
    qint64 offline = 0; // users this step took off line (they had no session elsewhere)
    qint64 left = 0;    // users still to go through
};

struct ReadResult {
    QString lastRead;
    bool moved = false;
};

// What one user may make Redis hold or do, checked by the scripts themselves.
struct StoreLimits {
    // Channels one user may be in, DMs included: a log-in costs a few lookups per channel.
    int maxChannelsPerUser = 100;
    // New public channels one user may create per hour; 0 for no limit.
    int channelCreatesPerHour = 20;
    // Failed password log-ins per user name, and per client address, within loginWindow;
    // 0 for no limit. An address is shared by many people (NAT), hence the higher bound.
    int loginFailuresPerName = 10;
    int loginFailuresPerAddress = 100;
    std::chrono::seconds loginWindow{15 * 60};
    // Registrations per client address per hour; 0 for no limit.
    int registrationsPerAddress = 20;
    // Index entries one `search` examines per channel before it answers a page cut short.
    int searchBudgetPerChannel = 2000;
    // ...of which one script examines at most this many (~4 µs each on a big log, with the
    // script's start), so that no search holds Redis, which every instance shares, for more than
    // about half a millisecond at a time; the rest go in further scripts, between which Redis
    // serves everyone else.
    int searchBudgetPerScript = 128;
    // Whether `send` indexes messages for search. Only rill-store-bench turns it off, to measure
    // what the index costs a send and how much memory it takes (then indexing the store at once).
    bool indexForSearch = true;
};

// Rill's data in Redis, one async call per operation. Every write that must be atomic across
// keys is one Lua script (server/store/lua), which also appends the event to the bus.
// Redis being unreachable comes back as `internal`.
class Store
{
public:
    explicit Store(redis::RedisClient &redis, StoreLimits limits = {});
    ~Store();

    // Brings the store to this server's schema (migrating an older one, in bounded steps, before
    // anything else runs) and creates the default channel in an empty one.
    [[nodiscard]] QCoro::Task<Result<Done>> ensureDefaults();
    [[nodiscard]] const StoreLimits &limits() const { return m_limits; }
    // From now on a write that carries what people said (send, edit, delete, react, topic) is
    // acknowledged only once `wait` confirms that Redis's replicas have it.
    void setReplicaWait(std::unique_ptr<redis::ReplicaWait> wait);

    [[nodiscard]] QCoro::Task<Result<bool>> userExists(QString userKey);
    [[nodiscard]] QCoro::Task<Result<Credentials>> credentials(QString userKey);
    [[nodiscard]] QCoro::Task<Result<LoginSnapshot>> registerUser(QString userKey, QString name,
                                                                  QByteArray passwordHash, QByteArray tokenHash);
    [[nodiscard]] QCoro::Task<Result<LoginSnapshot>> openSession(QString userKey, QByteArray tokenHash);
    [[nodiscard]] QCoro::Task<Result<LoginSnapshot>> resumeSession(QByteArray tokenHash);
    // Revokes the token, or with `everyToken` all of the user's; every instance ends the
    // sessions on a revoked token (but `origin`'s).
    [[nodiscard]] QCoro::Task<Result<Done>> logout(QString userKey, QByteArray tokenHash, bool everyToken,
                                                   QString origin);
    // Restarts the token's idle clock (called when a session using it ends).
    [[nodiscard]] QCoro::Task<Result<Done>> touchToken(QByteArray tokenHash);

    // Counts a password log-in attempt against the user name (empty: not a possible name) and
    // the client address (empty: unknown); `rate_limited` with retryAfter, counting nothing, when
    // either has had its failures. A log-in that succeeds gives its attempt back (refund), so
    // only failures count.
    [[nodiscard]] QCoro::Task<Result<Done>> takeLoginAttempt(QString userKey, QString address);
    [[nodiscard]] QCoro::Task<Result<Done>> refundLoginAttempt(QString userKey, QString address);
    // Counts a registration from the client address; `rate_limited` with retryAfter when spent.
    [[nodiscard]] QCoro::Task<Result<Done>> takeRegistration(QString address);
    // Gives a registration back (its password could not be checked: the server was busy).
    [[nodiscard]] QCoro::Task<Result<Done>> refundRegistration(QString address);

    [[nodiscard]] QCoro::Task<Result<Page<ChannelSummary>>> publicChannels(protocol::PageRequest page);
    [[nodiscard]] QCoro::Task<Result<protocol::ChannelInfo>> join(QString userKey, QString name, QString channel,
                                                                  QString origin);
    [[nodiscard]] QCoro::Task<Result<Done>> part(QString userKey, QString name, QString channel);
    // `nonceJson` is the nonce's JSON text, empty for none; `replyTo` the thread root, empty for none.
    [[nodiscard]] QCoro::Task<Result<protocol::Message>> send(QString userKey, QString name, QString channel,
                                                              QString text, QByteArray nonceJson,
                                                              QString replyTo = {});
    // Revision 2. The edited message as it now is (unchanged, and no update, for the same text).
    [[nodiscard]] QCoro::Task<Result<protocol::Message>> edit(QString userKey, QString name, QString channel,
                                                              QString messageId, QString text);
    // Erases the text and reactions; deleting a deleted message changes nothing.
    [[nodiscard]] QCoro::Task<Result<Done>> deleteMessage(QString userKey, QString name, QString channel,
                                                          QString messageId);
    // Adds (on) or removes the user's reaction; a toggle that changes nothing is not an error.
    [[nodiscard]] QCoro::Task<Result<Done>> react(QString userKey, QString name, QString channel, QString messageId,
                                                  QString emoji, bool on);
    // A thread root and a page of its replies, oldest first, strictly after `after` (empty: from
    // the first).
    [[nodiscard]] QCoro::Task<Result<ThreadPage>> thread(QString name, QString channel, QString rootId, QString after,
                                                         int limit);
    // Rill's addition: the messages of `channel` changed after the cursor `after`.
    [[nodiscard]] QCoro::Task<Result<protocol::ChangesResult>> changes(QString name, QString channel, QString after,
                                                                      int limit);
    // Sets a public channel's topic (already trimmed and checked); DMs have none (`forbidden`).
    [[nodiscard]] QCoro::Task<Result<Done>> setTopic(QString name, QString channel, QString topic);
    // Messages of `channel` (or, without one, of every channel the user is in now) with every
    // one of `words` (protocol::searchWords of the query) as a prefix of one of theirs, strictly
    // before `before` (empty: the newest), newest first (docs/storage.md, "Search").
    [[nodiscard]] QCoro::Task<Result<protocol::SearchResult>> search(QString userKey, QString name,
                                                                     std::optional<QString> channel, QStringList words,
                                                                     QString before, int limit);
    [[nodiscard]] QCoro::Task<Result<HistoryPage>> history(QString name, QString channel, HistoryQuery query);
    [[nodiscard]] QCoro::Task<Result<Page<MemberPresence>>> members(QString name, QString channel, protocol::PageRequest page);
    [[nodiscard]] QCoro::Task<Result<protocol::ChannelInfo>> openDm(QString userKey, QString name, QString peerKey,
                                                                    QString origin);
    [[nodiscard]] QCoro::Task<Result<ReadResult>> markRead(QString userKey, QString name, QString channel,
                                                           QString upTo, QString origin);
    [[nodiscard]] QCoro::Task<Result<Done>> typing(QString name, QString channel, QByteArray payload);

    // The channels the user is in (at most limits().maxChannelsPerUser of them).
    [[nodiscard]] QCoro::Task<Result<QStringList>> userChannels(QString userKey);

    [[nodiscard]] QCoro::Task<Result<Done>> presenceUp(QString instance, QString userKey);
    [[nodiscard]] QCoro::Task<Result<Done>> presenceDown(QString instance, QString userKey);
    // The users Redis has on record for the instance (read a page at a time).
    [[nodiscard]] QCoro::Task<Result<QStringList>> instanceUsers(QString instance);
    // Beats for `instance`, which counts as dead if silent for `deadAfter`; names the instances
    // to reap (dead ones, and reapings left unfinished).
    [[nodiscard]] QCoro::Task<Result<Heartbeat>> heartbeat(QString instance, std::chrono::milliseconds deadAfter);
    // Takes up to a few hundred of a dead (or stopping) instance's users off line; call again
    // while `left` > 0. Any instance may continue another's reaping.
    [[nodiscard]] QCoro::Task<Result<ReapStep>> reapStep(QString instance);
    // The newest bus entry's ID ("0-0" for an empty bus).
    [[nodiscard]] QCoro::Task<Result<protocol::StreamId>> busTail();

    // The SHA-1 Redis knows a script by (EVALSHA), for tools that read Redis's own timings.
    [[nodiscard]] static QByteArray scriptSha1(const char *name);

    // A fresh random session token (256 bits, base64url) and its stored form.
    [[nodiscard]] static QString newToken();
    [[nodiscard]] static QByteArray hashToken(const QString &token);
    // A stream entry (as XRANGE returns it) of `channel`'s log as a Message, with the current
    // state the scripts append to its fields (common.lua, with_state).
    [[nodiscard]] static std::optional<protocol::Message> messageFromEntry(const QString &channel,
                                                                           const redis::RedisReply &entry);

private:
    [[nodiscard]] QCoro::Task<Result<Done>> migrate();
    // After a write's reply: an `internal` error when replication was required and not confirmed.
    [[nodiscard]] QCoro::Task<std::optional<protocol::Error>> unreplicated();
    [[nodiscard]] QCoro::Task<Result<Done>> throttle(QByteArray mode, std::chrono::seconds window,
                                                     QList<std::pair<QByteArray, int>> counters);

    redis::RedisClient &m_redis;
    StoreLimits m_limits;
    std::unique_ptr<redis::ReplicaWait> m_replicaWait;
};

} // namespace rill::store
