#include "Store.h"

#include "Keys.h"

#include "protocol/Limits.h"
#include "protocol/Names.h"
#include "redis/RedisClient.h"
#include "redis/ReplicaWait.h"

#include <QCoro/QCoroTimer>
#include <QCryptographicHash>
#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QVarLengthArray>

#include <sodium.h>

Q_LOGGING_CATEGORY(lcStore, "rill.store", QtInfoMsg)

namespace rill::store {

using namespace Qt::StringLiterals;
using protocol::ChannelInfo;
using protocol::Error;
using protocol::ErrorCode;
using protocol::Message;
using redis::RedisReply;

namespace {

const QByteArray kTokenTtl = QByteArray::number(
    std::chrono::duration_cast<std::chrono::seconds>(protocol::kTokenIdleLifetime).count());

// The key layout this server reads and writes (docs/storage.md, "Schema").
constexpr QByteArrayView kSchema = "4";
// Who migrates holds this; it expires if that instance dies, so another can take over.
constexpr QByteArrayView kMigrationLock = "rill:migrating";
constexpr auto kMigrationLockTtl = std::chrono::seconds(30);

// The scripts, each with the shared prelude in front, loaded once from the resources.
const redis::RedisScript &script(const char *name)
{
    static QHash<QByteArray, std::shared_ptr<redis::RedisScript>> cache;
    auto it = cache.find(name);
    if (it == cache.end()) {
        auto read = [](const QString &path) {
            QFile f(path);
            if (!f.open(QIODevice::ReadOnly))
                qFatal("missing Lua resource %s", qPrintable(path));
            return f.readAll();
        };
        const QByteArray source = read(u":/rill/lua/common.lua"_s) + '\n'
            + read(u":/rill/lua/"_s + QLatin1StringView(name) + u".lua"_s);
        it = cache.insert(name, std::make_shared<redis::RedisScript>(source));
    }
    return **it;
}

Error storageError(const RedisReply &reply)
{
    // An unreachable Redis is logged once by the link; per request it is only debug noise.
    if (reply.isFailure())
        qCDebug(lcStore).noquote() << "storage unreachable:" << reply.describe();
    else
        qCWarning(lcStore).noquote() << "storage error:" << reply.describe();
    return Error::of(ErrorCode::Internal, u"storage unavailable"_s);
}

// Scripts answer {code, ...}: "ok" or a contract error name, then its message and, for
// rate_limited, the seconds until it may succeed.
std::optional<Error> scriptError(const RedisReply &reply)
{
    if (!reply.isArray() || reply.size() == 0)
        return storageError(reply);
    const QByteArray &code = reply.at(0).bytes();
    if (code == "ok" || code == "dup")
        return std::nullopt;
    const auto known = protocol::errorCodeFromName(QString::fromLatin1(code));
    if (!known)
        return storageError(reply);
    Error error = Error::of(*known, reply.size() > 1 ? reply.at(1).text() : QString());
    if (reply.size() > 2 && reply.at(2).isInteger())
        error.retryAfter = std::max<qint64>(1, reply.at(2).integer());
    return error;
}

QString text(const RedisReply &r)
{
    return r.text();
}

// A ChannelInfo is this many values in a script's reply (common.lua, append_channel_info).
constexpr qsizetype kChannelInfoWidth = 10;

ChannelInfo channelInfoAt(const RedisReply &reply, qsizetype at)
{
    ChannelInfo c;
    c.name = text(reply.at(at));
    c.kind = reply.at(at + 1).bytes() == "dm" ? protocol::ChannelKind::Dm : protocol::ChannelKind::Channel;
    c.peer = text(reply.at(at + 2));
    c.members = reply.at(at + 3).integer();
    c.lastId = text(reply.at(at + 4));
    c.lastRead = text(reply.at(at + 5));
    c.unread = reply.at(at + 6).integer();
    if (c.kind == protocol::ChannelKind::Channel)
        c.topic = text(reply.at(at + 7));
    c.mentions = reply.at(at + 8).integer();
    c.lastChange = text(reply.at(at + 9));
    return c;
}

Result<LoginSnapshot> snapshotFrom(const RedisReply &reply)
{
    if (auto error = scriptError(reply))
        return *error;
    LoginSnapshot snap;
    snap.userKey = text(reply.at(1));
    snap.name = text(reply.at(2));
    snap.busPosition = protocol::StreamId::parse(reply.at(3).bytes()).value_or(protocol::StreamId{});
    for (qsizetype i = 4; i + kChannelInfoWidth <= reply.size(); i += kChannelInfoWidth)
        snap.channels.append(channelInfoAt(reply, i));
    std::sort(snap.channels.begin(), snap.channels.end(),
              [](const ChannelInfo &a, const ChannelInfo &b) { return a.name < b.name; });
    return snap;
}

QJsonValue nonceFromJsonText(const QByteArray &json)
{
    if (json.isEmpty())
        return QJsonValue::Null;
    const QJsonArray wrapped = QJsonDocument::fromJson('[' + json + ']').array();
    return wrapped.isEmpty() ? QJsonValue(QJsonValue::Null) : wrapped.first();
}

// Reactions as the scripts keep them: [[emoji, [user, ...]], ...] in the order first used.
QList<protocol::Reaction> reactionsFromJsonText(const QByteArray &json)
{
    QList<protocol::Reaction> out;
    const QJsonArray all = QJsonDocument::fromJson(json).array();
    for (const QJsonValue &item : all) {
        const QJsonArray pair = item.toArray();
        protocol::Reaction r{pair.at(0).toString(), {}};
        for (const QJsonValue &user : pair.at(1).toArray())
            r.users.append(user.toString());
        if (!r.emoji.isEmpty() && !r.users.isEmpty())
            out.append(std::move(r));
    }
    return out;
}

qint64 timestampOf(const QString &id)
{
    const auto parsed = protocol::StreamId::parse(id);
    return parsed ? qint64(parsed->ms) : 0;
}

// The user keys a text may mention, as extra script arguments; a text with more @names than
// this mentions only the first ones (each costs the script two lookups).
constexpr qsizetype kMaxMentionCandidates = 100;
void appendMentionCandidates(QList<QByteArray> &args, const QString &text)
{
    const QStringList keys = protocol::mentionedUserKeys(text);
    for (qsizetype i = 0; i < std::min(keys.size(), kMaxMentionCandidates); ++i)
        args.append(keys.at(i).toUtf8());
}

// A text's search words (protocol::searchWords) as script arguments: their number, then each.
void appendSearchWords(QList<QByteArray> &args, const QString &text)
{
    const QStringList words = protocol::searchWords(text);
    args.append(QByteArray::number(words.size()));
    for (const QString &word : words)
        args.append(word.toUtf8());
}

QCoro::Task<RedisReply> evalWith(redis::RedisClient &redis, const redis::RedisScript &script, QList<QByteArray> args)
{
    QVarLengthArray<QByteArrayView, 16> views(args.cbegin(), args.cend());
    const RedisReply r = co_await redis.evalArgv(script, 0, std::span<const QByteArrayView>(views.data(), std::size_t(views.size())));
    co_return r;
}

QByteArray migrationLockTtl()
{
    return QByteArray::number(qint64(std::chrono::milliseconds(kMigrationLockTtl).count()));
}

QCoro::Task<RedisReply> migrationStep(redis::RedisClient &redis, QList<QByteArray> args)
{
    redis.post("PEXPIRE", kMigrationLock, migrationLockTtl()); // still ours, still working
    const RedisReply r = co_await evalWith(redis, script("migrate"), std::move(args));
    co_return r;
}

QCoro::Task<Result<Done>> migrateToSortedSet(redis::RedisClient &redis, QByteArray key)
{
    QByteArray cursor = "0";
    do {
        const QList<QByteArray> args{"zset", key, cursor};
        const RedisReply r = co_await migrationStep(redis, args);
        if (!r.isString())
            co_return storageError(r);
        cursor = r.bytes();
    } while (cursor != "0");
    co_return Done{};
}

// Runs a per-log migration step ("log": schema 1 to 2, "text": 2 to 3) until the log is done.
QCoro::Task<Result<Done>> migrateLog(redis::RedisClient &redis, QByteArray step, QByteArray channel)
{
    for (;;) {
        const QList<QByteArray> args{step, channel};
        const RedisReply r = co_await migrationStep(redis, args);
        if (!r.isInteger())
            co_return storageError(r);
        if (r.integer() == 1)
            co_return Done{};
    }
}

QByteArray channelOfLogKey(const QByteArray &key)
{
    return key.sliced(8, key.size() - 8 - 5); // rill:{c: ... }:log
}

// Every key of one pattern and type, by SCAN (never KEYS, which blocks Redis for the whole
// keyspace).
QCoro::Task<Result<QList<QByteArray>>> allKeys(redis::RedisClient &redis, QByteArray pattern, QByteArray type)
{
    QList<QByteArray> out;
    QByteArray cursor = "0";
    do {
        const RedisReply page = co_await redis.command("SCAN", cursor, "MATCH", pattern, "COUNT", "1000", "TYPE", type);
        if (!page.isArray() || page.size() != 2)
            co_return storageError(page);
        cursor = page.at(0).bytes();
        for (const RedisReply &key : page.at(1).elements())
            out.append(key.bytes());
    } while (cursor != "0");
    co_return out;
}

} // namespace

Store::Store(redis::RedisClient &redis, StoreLimits limits)
    : m_redis(redis)
    , m_limits(limits)
{
}

Store::~Store() = default;

void Store::setReplicaWait(std::unique_ptr<redis::ReplicaWait> wait)
{
    m_replicaWait = std::move(wait);
}

QCoro::Task<std::optional<Error>> Store::unreplicated()
{
    if (!m_replicaWait)
        co_return std::nullopt;
    const int wanted = m_replicaWait->replicas();
    const auto timeout = m_replicaWait->timeout().count();
    auto confirmation = m_replicaWait->confirm();
    const qint64 confirmed = co_await confirmation;
    if (confirmed >= wanted)
        co_return std::nullopt;
    // Stored on the primary (and already delivered), not yet safe from a failover: the client's
    // retry is harmless (a send repeats its nonce; edit, delete, react and topic are idempotent).
    co_return Error::of(ErrorCode::Internal,
                        u"stored, but %1 of %2 Redis replicas confirmed it within %3 ms; try again"_s
                            .arg(std::max<qint64>(confirmed, 0))
                            .arg(wanted)
                            .arg(timeout));
}

QByteArray Store::scriptSha1(const char *name)
{
    return script(name).sha1();
}

QString Store::newToken()
{
    QByteArray bytes(32, Qt::Uninitialized);
    randombytes_buf(bytes.data(), size_t(bytes.size()));
    return QString::fromLatin1(bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QByteArray Store::hashToken(const QString &token)
{
    // Tokens carry 256 random bits, so a fast hash is enough to make a stolen database
    // useless for logging in; no salt or slow hash needed.
    return QCryptographicHash::hash(token.toUtf8(), QCryptographicHash::Sha256).toHex();
}

std::optional<Message> Store::messageFromEntry(const QString &channel, const RedisReply &entry)
{
    if (!entry.isArray() || entry.size() < 2 || !entry.at(1).isArray())
        return std::nullopt;
    Message m;
    m.id = entry.at(0).text();
    m.channel = channel;
    m.ts = timestampOf(m.id);
    const RedisReply &fields = entry.at(1);
    QByteArray kind;
    for (qsizetype i = 0; i + 1 < fields.size(); i += 2) {
        const QByteArray &name = fields.at(i).bytes();
        const RedisReply &value = fields.at(i + 1);
        if (name == "k")
            kind = value.bytes();
        else if (name == "u")
            m.user = value.text();
        else if (name == "t")
            m.text = value.text();
        else if (name == "n")
            m.nonce = nonceFromJsonText(value.bytes());
        else if (name == "r")
            m.replyTo = value.text();
        else if (name == "ed")
            m.edited = value.bytes().toLongLong();
        else if (name == "d")
            m.deleted = true;
        else if (name == "rn")
            m.replies = value.bytes().toLongLong();
        else if (name == "rl")
            m.lastReplyTs = value.bytes().toLongLong();
        else if (name == "x")
            m.reactions = reactionsFromJsonText(value.bytes());
    }
    if (m.deleted) { // whatever an older entry still holds, a deleted message shows none of it
        m.text.clear();
        m.reactions.clear();
        m.edited.reset();
    }
    if (kind == "j")
        m.kind = protocol::MessageKind::Join;
    else if (kind == "p")
        m.kind = protocol::MessageKind::Part;
    else
        m.kind = protocol::MessageKind::Message;
    return m;
}

QCoro::Task<Result<Done>> Store::ensureDefaults()
{
    for (bool migrated = false;;) {
        const RedisReply r = co_await m_redis.eval(script("ensure_defaults"), 0, protocol::kDefaultChannel.latin1(),
                                                   kSchema);
        if (!r.isString())
            co_return storageError(r);
        if (r.bytes() == kSchema)
            co_return Done{};
        if ((r.bytes() != "1" && r.bytes() != "2" && r.bytes() != "3") || migrated) {
            co_return Error::of(ErrorCode::Internal, u"the store is at schema "_s + r.text()
                                                         + u", which this server cannot read (a newer Rill wrote it?)"_s);
        }
        const auto done = co_await migrate();
        if (!done)
            co_return done.error();
        migrated = true;
    }
}

namespace {

// Runs a per-log migration step on every channel's log, one log after the other.
QCoro::Task<Result<Done>> migrateEveryLog(redis::RedisClient &redis, QByteArray step)
{
    const auto logs = co_await allKeys(redis, "rill:{c:*}:log", "stream");
    Result<Done> result = logs ? Result<Done>(Done{}) : Result<Done>(logs.error());
    for (qsizetype i = 0; result && logs && i < logs.value().size(); ++i)
        result = co_await migrateLog(redis, step, channelOfLogKey(logs.value().at(i)));
    co_return result;
}

// The step that records the new schema, once every other step is done.
QCoro::Task<Result<Done>> finishMigration(redis::RedisClient &redis, QByteArray step)
{
    const QList<QByteArray> args{step};
    const RedisReply done = co_await migrationStep(redis, args);
    if (!done.isOk())
        co_return storageError(done);
    co_return Done{};
}

// Schema 1 kept channel lists and members in sets and counted authors' messages in a hash;
// schema 2 pages them by name (sorted sets) and indexes each author's messages (own:<user>).
QCoro::Task<Result<Done>> migrateSchema1To2(redis::RedisClient &redis)
{
    Result<Done> result = co_await migrateToSortedSet(redis, keys::publicChannels.toByteArray());
    if (result) {
        const auto memberSets = co_await allKeys(redis, "rill:{c:*}:members", "set");
        result = memberSets ? Result<Done>(Done{}) : Result<Done>(memberSets.error());
        for (qsizetype i = 0; result && memberSets && i < memberSets.value().size(); ++i)
            result = co_await migrateToSortedSet(redis, memberSets.value().at(i));
    }
    if (result)
        result = co_await migrateEveryLog(redis, "log");
    if (result)
        result = co_await finishMigration(redis, "done");
    co_return result;
}

// Schema 2 kept each message's text in its log entry, where deleting cannot reach it (a stream
// entry is immutable); schema 3 keeps texts in a hash beside the log (docs/storage.md).
QCoro::Task<Result<Done>> migrateSchema2To3(redis::RedisClient &redis)
{
    Result<Done> result = co_await migrateEveryLog(redis, "text");
    if (result)
        result = co_await finishMigration(redis, "done3");
    co_return result;
}

// Indexes one channel's existing messages for search, 200 log entries a step: the texts are read,
// their words computed here (the one rule, protocol::searchWords), and a second script indexes
// them and records the progress together, so a step that dies half-way is repeated.
QCoro::Task<Result<Done>> indexLog(redis::RedisClient &redis, QByteArray channel)
{
    const QList<QByteArray> read{"texts", channel};
    for (;;) {
        const RedisReply batch = co_await migrationStep(redis, read);
        if (!batch.isArray())
            co_return storageError(batch);
        if (batch.size() == 0)
            co_return Done{}; // indexed already
        QList<QByteArray> args{"index", channel, batch.at(0).bytes()};
        for (qsizetype i = 1; i + 2 < batch.size(); i += 3) {
            args << batch.at(i).bytes() << batch.at(i + 1).bytes();
            appendSearchWords(args, batch.at(i + 2).text());
        }
        const RedisReply indexed = co_await migrationStep(redis, std::move(args));
        if (!indexed.isInteger())
            co_return storageError(indexed);
        if (indexed.integer() == 1)
            co_return Done{};
    }
}

// Schema 4 adds the search index (docs/storage.md, "Search"); schema 3's messages are indexed
// a channel at a time.
QCoro::Task<Result<Done>> migrateSchema3To4(redis::RedisClient &redis)
{
    const auto logs = co_await allKeys(redis, "rill:{c:*}:log", "stream");
    Result<Done> result = logs ? Result<Done>(Done{}) : Result<Done>(logs.error());
    for (qsizetype i = 0; result && logs && i < logs.value().size(); ++i)
        result = co_await indexLog(redis, channelOfLogKey(logs.value().at(i)));
    if (result)
        result = co_await finishMigration(redis, "done4");
    co_return result;
}

} // namespace

// Brings an older store to this server's schema, one schema at a time. The steps are small
// scripts, so Redis stays responsive to everyone else while this runs; an instance that dies
// half-way leaves each key either done or resumable, and the next one picks up where it stopped.
QCoro::Task<Result<Done>> Store::migrate()
{
    using namespace std::chrono_literals;
    const QByteArray owner = newToken().toLatin1();
    for (;;) {
        const RedisReply locked = co_await m_redis.command("SET", kMigrationLock, owner, "NX", "PX", migrationLockTtl());
        if (!locked.isOk())
            co_return storageError(locked);
        if (locked.isStatus())
            break;
        // Another instance is migrating: wait for it to finish (or for its lock to expire).
        const RedisReply schema = co_await m_redis.command("HGET", "rill:meta", "schema");
        if (!schema.isOk())
            co_return storageError(schema);
        if (schema.bytes() == kSchema)
            co_return Done{};
        co_await QCoro::sleepFor(200ms);
    }
    // Read under the lock: whoever held it before may have done part of the way.
    const RedisReply schema = co_await m_redis.command("HGET", "rill:meta", "schema");
    Result<Done> result = schema.isOk() ? Result<Done>(Done{}) : Result<Done>(storageError(schema));
    if (result && schema.bytes() == "1") {
        qCInfo(lcStore) << "migrating the store from schema 1 to 2";
        result = co_await migrateSchema1To2(m_redis);
    }
    if (result && (schema.bytes() == "1" || schema.bytes() == "2")) {
        qCInfo(lcStore) << "migrating the store from schema 2 to 3 (texts out of the logs)";
        result = co_await migrateSchema2To3(m_redis);
    }
    if (result && (schema.bytes() == "1" || schema.bytes() == "2" || schema.bytes() == "3")) {
        qCInfo(lcStore) << "migrating the store from schema 3 to 4 (indexing messages for search)";
        result = co_await migrateSchema3To4(m_redis);
    }
    m_redis.post("DEL", kMigrationLock);
    if (result)
        qCInfo(lcStore) << "the store is at schema" << kSchema;
    co_return result;
}

QCoro::Task<Result<bool>> Store::userExists(QString userKey)
{
    const RedisReply r = co_await m_redis.command("EXISTS", keys::user(userKey));
    if (!r.isInteger())
        co_return storageError(r);
    co_return r.integer() == 1;
}

QCoro::Task<Result<Credentials>> Store::credentials(QString userKey)
{
    const RedisReply r = co_await m_redis.command("HMGET", keys::user(userKey), "name", "pw");
    if (!r.isArray() || r.size() != 2)
        co_return storageError(r);
    co_return Credentials{r.at(0).text(), r.at(1).bytes()};
}

QCoro::Task<Result<LoginSnapshot>> Store::registerUser(QString userKey, QString name, QByteArray passwordHash,
                                                       QByteArray tokenHash)
{
    const QByteArray now = QByteArray::number(QDateTime::currentMSecsSinceEpoch());
    const RedisReply r = co_await m_redis.eval(script("register"), 0, userKey.toUtf8(), name.toUtf8(), passwordHash,
                                               tokenHash, kTokenTtl, protocol::kDefaultChannel.latin1(), now);
    co_return snapshotFrom(r);
}

QCoro::Task<Result<LoginSnapshot>> Store::openSession(QString userKey, QByteArray tokenHash)
{
    const RedisReply r = co_await m_redis.eval(script("open_session"), 0, userKey.toUtf8(), tokenHash, kTokenTtl);
    co_return snapshotFrom(r);
}

QCoro::Task<Result<LoginSnapshot>> Store::resumeSession(QByteArray tokenHash)
{
    const RedisReply r = co_await m_redis.eval(script("resume_session"), 0, tokenHash, kTokenTtl);
    co_return snapshotFrom(r);
}

QCoro::Task<Result<Done>> Store::logout(QString userKey, QByteArray tokenHash, bool everyToken, QString origin)
{
    const RedisReply r = co_await m_redis.eval(script("logout"), 0, userKey.toUtf8(), tokenHash,
                                               everyToken ? "1" : "0", origin.toUtf8());
    if (auto error = scriptError(r))
        co_return *error;
    co_return Done{};
}

QCoro::Task<Result<Done>> Store::touchToken(QByteArray tokenHash)
{
    const RedisReply r = co_await m_redis.command("EXPIRE", keys::token(tokenHash), kTokenTtl);
    if (!r.isOk())
        co_return storageError(r);
    co_return Done{};
}

QCoro::Task<Result<Done>> Store::throttle(QByteArray mode, std::chrono::seconds window,
                                          QList<std::pair<QByteArray, int>> counters)
{
    QList<QByteArray> args{mode, QByteArray::number(qint64(window.count()))};
    for (const auto &[key, limit] : std::as_const(counters)) {
        if (limit > 0)
            args << key << QByteArray::number(limit);
    }
    if (args.size() == 2)
        co_return Done{};
    QVarLengthArray<QByteArrayView, 6> views(args.cbegin(), args.cend());
    const std::span<const QByteArrayView> argv(views.data(), std::size_t(views.size()));
    const RedisReply r = co_await m_redis.evalArgv(script("throttle"), 0, argv);
    if (auto error = scriptError(r))
        co_return *error;
    co_return Done{};
}

namespace {
// The counters of a password log-in: the name's (when it can be a name) and the address's.
QList<std::pair<QByteArray, int>> loginCounters(const StoreLimits &limits, const QString &userKey, const QString &address)
{
    QList<std::pair<QByteArray, int>> counters;
    if (!userKey.isEmpty())
        counters.append({keys::loginFailuresOfName(userKey), limits.loginFailuresPerName});
    if (!address.isEmpty())
        counters.append({keys::loginFailuresFrom(address), limits.loginFailuresPerAddress});
    return counters;
}
QList<std::pair<QByteArray, int>> registrationCounters(const StoreLimits &limits, const QString &address)
{
    QList<std::pair<QByteArray, int>> counters;
    if (!address.isEmpty())
        counters.append({keys::registrationsFrom(address), limits.registrationsPerAddress});
    return counters;
}
constexpr std::chrono::hours kRegistrationWindow{1};
} // namespace

QCoro::Task<Result<Done>> Store::takeLoginAttempt(QString userKey, QString address)
{
    co_return co_await throttle("take", m_limits.loginWindow, loginCounters(m_limits, userKey, address));
}

QCoro::Task<Result<Done>> Store::refundLoginAttempt(QString userKey, QString address)
{
    co_return co_await throttle("refund", m_limits.loginWindow, loginCounters(m_limits, userKey, address));
}

QCoro::Task<Result<Done>> Store::takeRegistration(QString address)
{
    co_return co_await throttle("take", kRegistrationWindow, registrationCounters(m_limits, address));
}

QCoro::Task<Result<Done>> Store::refundRegistration(QString address)
{
    co_return co_await throttle("refund", kRegistrationWindow, registrationCounters(m_limits, address));
}

QCoro::Task<Result<Page<ChannelSummary>>> Store::publicChannels(protocol::PageRequest page)
{
    const RedisReply r = co_await m_redis.eval(script("channels"), 0, page.cursor.value_or(QString()).toUtf8(),
                                               QByteArray::number(page.limit));
    if (!r.isArray() || r.size() == 0)
        co_return storageError(r);
    Page<ChannelSummary> out;
    if (const QString next = r.at(0).text(); !next.isEmpty())
        out.next = next;
    for (qsizetype i = 1; i + 2 < r.size(); i += 3)
        out.items.append({r.at(i).text(), r.at(i + 1).integer(), r.at(i + 2).text()});
    co_return out;
}

QCoro::Task<Result<Done>> Store::react(QString userKey, QString name, QString channel, QString messageId,
                                       QString emoji, bool on)
{
    const RedisReply r = co_await m_redis.eval(script("react"), 0, userKey.toUtf8(), name.toUtf8(), channel.toUtf8(),
                                               messageId.toUtf8(), emoji.toUtf8(), on ? "1" : "0",
                                               QByteArray::number(protocol::kMaxEmojiPerMessage));
    if (auto error = scriptError(r))
        co_return *error;
    const auto unconfirmed = co_await unreplicated();
    if (unconfirmed)
        co_return *unconfirmed;
    co_return Done{};
}

QCoro::Task<Result<protocol::ChangesResult>> Store::changes(QString name, QString channel, QString after, int limit)
{
    const RedisReply r = co_await m_redis.eval(script("changes"), 0, name.toUtf8(), channel.toUtf8(), after.toUtf8(),
                                               QByteArray::number(limit));
    if (auto error = scriptError(r))
        co_return *error;
    if (r.size() < 3)
        co_return storageError(r);
    protocol::ChangesResult out;
    out.cursor = r.at(2).text();
    out.reload = r.at(1).bytes() == "reload";
    if (out.reload)
        co_return out;
    if (r.size() != 5)
        co_return storageError(r);
    out.more = r.at(3).integer() == 1;
    for (const RedisReply &e : r.at(4).elements()) {
        if (auto m = messageFromEntry(channel, e))
            out.messages.append(std::move(*m));
    }
    co_return out;
}

QCoro::Task<Result<Done>> Store::setTopic(QString name, QString channel, QString topic)
{
    const RedisReply r = co_await m_redis.eval(script("topic"), 0, name.toUtf8(), channel.toUtf8(), topic.toUtf8());
    if (auto error = scriptError(r))
        co_return *error;
    const auto unconfirmed = co_await unreplicated();
    if (unconfirmed)
        co_return *unconfirmed;
    co_return Done{};
}

QCoro::Task<Result<ChannelInfo>> Store::join(QString userKey, QString name, QString channel, QString origin)
{
    const RedisReply r = co_await m_redis.eval(script("join"), 0, userKey.toUtf8(), name.toUtf8(), channel.toUtf8(),
                                               origin.toUtf8(), QByteArray::number(m_limits.maxChannelsPerUser),
                                               QByteArray::number(m_limits.channelCreatesPerHour));
    if (auto error = scriptError(r))
        co_return *error;
    co_return channelInfoAt(r, 1);
}

QCoro::Task<Result<Done>> Store::part(QString userKey, QString name, QString channel)
{
    const RedisReply r = co_await m_redis.eval(script("part"), 0, userKey.toUtf8(), name.toUtf8(), channel.toUtf8());
    if (auto error = scriptError(r))
        co_return *error;
    co_return Done{};
}

QCoro::Task<Result<Message>> Store::send(QString userKey, QString name, QString channel, QString text,
                                         QByteArray nonceJson, QString replyTo)
{
    QList<QByteArray> args{userKey.toUtf8(), name.toUtf8(), channel.toUtf8(), text.toUtf8(), nonceJson, replyTo.toUtf8()};
    if (m_limits.indexForSearch)
        appendSearchWords(args, text);
    else
        args.append("off");
    appendMentionCandidates(args, text);
    const RedisReply r = co_await evalWith(m_redis, script("send"), args);
    if (auto error = scriptError(r))
        co_return *error;
    // A resend (dup) waits too: the original may not have reached the replicas.
    const auto unconfirmed = co_await unreplicated();
    if (unconfirmed)
        co_return *unconfirmed;
    // A repeated nonce answers with the original message as it is now.
    if (r.at(0).bytes() == "dup") {
        if (auto original = messageFromEntry(channel, r.at(1)))
            co_return std::move(*original);
        co_return storageError(r);
    }
    Message m;
    m.id = r.at(1).text();
    m.channel = channel;
    m.kind = protocol::MessageKind::Message;
    m.user = name;
    m.text = text;
    m.ts = timestampOf(m.id);
    m.nonce = nonceFromJsonText(nonceJson);
    m.replyTo = replyTo;
    co_return m;
}

QCoro::Task<Result<ThreadPage>> Store::thread(QString name, QString channel, QString rootId, QString after, int limit)
{
    const RedisReply r = co_await m_redis.eval(script("thread"), 0, name.toUtf8(), channel.toUtf8(), rootId.toUtf8(),
                                               after.toUtf8(), QByteArray::number(limit));
    if (auto error = scriptError(r))
        co_return *error;
    auto root = r.size() == 4 ? messageFromEntry(channel, r.at(1)) : std::nullopt;
    if (!root)
        co_return storageError(r);
    ThreadPage page{std::move(*root), {}, r.at(2).integer() == 1};
    page.replies.reserve(r.at(3).size());
    for (const RedisReply &e : r.at(3).elements()) {
        if (auto m = messageFromEntry(channel, e))
            page.replies.append(std::move(*m));
    }
    co_return page;
}

QCoro::Task<Result<Message>> Store::edit(QString userKey, QString name, QString channel, QString messageId,
                                         QString text)
{
    QList<QByteArray> args{userKey.toUtf8(), name.toUtf8(), channel.toUtf8(), messageId.toUtf8(), text.toUtf8()};
    appendSearchWords(args, text);
    appendMentionCandidates(args, text);
    const RedisReply r = co_await evalWith(m_redis, script("edit"), args);
    if (auto error = scriptError(r))
        co_return *error;
    const auto unconfirmed = co_await unreplicated();
    if (unconfirmed)
        co_return *unconfirmed;
    auto message = r.size() > 1 ? messageFromEntry(channel, r.at(1)) : std::nullopt;
    if (!message)
        co_return storageError(r);
    co_return std::move(*message);
}

QCoro::Task<Result<Done>> Store::deleteMessage(QString userKey, QString name, QString channel, QString messageId)
{
    const RedisReply r = co_await m_redis.eval(script("delete"), 0, userKey.toUtf8(), name.toUtf8(), channel.toUtf8(),
                                               messageId.toUtf8());
    if (auto error = scriptError(r))
        co_return *error;
    const auto unconfirmed = co_await unreplicated();
    if (unconfirmed)
        co_return *unconfirmed;
    co_return Done{};
}

QCoro::Task<Result<HistoryPage>> Store::history(QString name, QString channel, HistoryQuery query)
{
    const char *mode = query.from == HistoryQuery::From::After ? "after"
        : query.from == HistoryQuery::From::Before             ? "before"
                                                               : "newest";
    const RedisReply r = co_await m_redis.eval(script("history"), 0, name.toUtf8(), channel.toUtf8(), mode,
                                               query.id.toUtf8(), QByteArray::number(query.limit));
    if (auto error = scriptError(r))
        co_return *error;
    HistoryPage page;
    page.more = r.at(1).integer() == 1;
    const RedisReply &entries = r.at(2);
    page.messages.reserve(entries.size());
    for (const RedisReply &e : entries.elements()) {
        if (auto m = messageFromEntry(channel, e))
            page.messages.append(std::move(*m));
    }
    co_return page;
}

QCoro::Task<Result<protocol::SearchResult>> Store::search(QString userKey, QString name,
                                                         std::optional<QString> channel, QStringList words,
                                                         QString before, int limit)
{
    QStringList channels;
    if (channel) {
        channels.append(*channel);
    } else {
        auto mine = co_await userChannels(userKey);
        if (!mine)
            co_return mine.error();
        channels = std::move(mine.value());
    }
    // Each channel is searched in scripts of a bounded scan (searchBudgetPerScript), all the
    // channels' scripts of a round sent before the first answer is awaited (one round trip);
    // a channel whose script stopped for its budget goes on from its floor in the next round,
    // until it has limit + 1 results, has no more, or has used searchBudgetPerChannel.
    struct ChannelSearch {
        QByteArray channel;
        QByteArray before;
        int budgetLeft = 0;
        int results = 0;
        bool done = false;
        std::optional<protocol::StreamId> floor; // where its results stop being complete
    };
    std::vector<ChannelSearch> searches;
    searches.reserve(std::size_t(channels.size()));
    for (const QString &searched : channels)
        searches.push_back({searched.toUtf8(), before.toUtf8(), m_limits.searchBudgetPerChannel, 0, false, {}});
    QList<QByteArray> args{name.toUtf8(), {}, {}, {}, {}};
    for (const QString &word : words)
        args.append(word.toUtf8());
    struct Found {
        protocol::StreamId id;
        Message message;
    };
    std::vector<Found> found;
    std::vector<std::pair<ChannelSearch *, redis::RedisCall>> calls;
    for (;;) {
        calls.clear();
        for (ChannelSearch &search : searches) {
            if (search.done)
                continue;
            const int budget = std::min(search.budgetLeft, m_limits.searchBudgetPerScript);
            search.budgetLeft -= budget;
            args[1] = search.channel;
            args[2] = search.before;
            args[3] = QByteArray::number(limit - search.results);
            args[4] = QByteArray::number(budget);
            QVarLengthArray<QByteArrayView, 24> views(args.cbegin(), args.cend());
            calls.emplace_back(&search, m_redis.evalArgv(script("search"), 0,
                                                         std::span<const QByteArrayView>(views.data(),
                                                                                         std::size_t(views.size()))));
        }
        if (calls.empty())
            break;
        for (auto &[search, call] : calls) {
            const RedisReply r = co_await call;
            search->done = true;
            if (auto error = scriptError(r)) {
                if (!channel && error->code == ErrorCode::NotMember)
                    continue; // parted since its channels were read: not searched, as it should be
                co_return *error;
            }
            if (r.size() != 4)
                co_return storageError(r);
            const QString searchedChannel = QString::fromUtf8(search->channel);
            for (const RedisReply &e : r.at(2).elements()) {
                auto m = messageFromEntry(searchedChannel, e);
                const auto id = m ? protocol::StreamId::parse(m->id) : std::nullopt;
                if (id) {
                    found.push_back({*id, std::move(*m)});
                    ++search->results;
                }
            }
            search->floor = protocol::StreamId::parse(r.at(1).bytes());
            const bool cutByBudget = r.at(3).integer() == 1;
            if (cutByBudget && search->budgetLeft > 0 && search->floor) {
                search->before = r.at(1).bytes();
                search->done = false;
            }
        }
    }
    // Every channel's results are complete at and after its floor; so all of them are after
    // the highest floor, which is where this page must stop.
    std::optional<protocol::StreamId> floor;
    for (const ChannelSearch &search : searches) {
        if (search.floor)
            floor = std::max(floor.value_or(*search.floor), *search.floor);
    }
    std::stable_sort(found.begin(), found.end(), [](const Found &a, const Found &b) { return a.id > b.id; });
    std::size_t complete = found.size();
    if (floor)
        complete = std::size_t(std::partition_point(found.begin(), found.end(),
                                                    [&floor](const Found &f) { return f.id >= *floor; })
                               - found.begin());
    // At most `limit`, but never between two results with the same ID (IDs repeat across
    // channels): cut before the run the limit falls in, or after it when that run is the page.
    std::size_t take = std::min(complete, std::size_t(limit));
    if (take < complete && take > 0 && found[take].id == found[take - 1].id) {
        std::size_t start = take - 1;
        while (start > 0 && found[start - 1].id == found[take].id)
            --start;
        take = start;
        if (take == 0)
            while (take < complete && found[take].id == found[0].id)
                ++take;
    }
    protocol::SearchResult result;
    result.more = take < found.size() || floor.has_value();
    result.messages.reserve(qsizetype(take));
    for (std::size_t i = 0; i < take; ++i)
        result.messages.append(std::move(found[i].message));
    if (result.more)
        result.next = take < complete ? found[take - 1].id.toString() : floor->toString();
    co_return result;
}

QCoro::Task<Result<Page<MemberPresence>>> Store::members(QString name, QString channel, protocol::PageRequest page)
{
    const RedisReply r = co_await m_redis.eval(script("members"), 0, name.toUtf8(), channel.toUtf8(),
                                               page.cursor.value_or(QString()).toUtf8(), QByteArray::number(page.limit));
    if (auto error = scriptError(r))
        co_return *error;
    Page<MemberPresence> out;
    if (const QString next = r.at(1).text(); !next.isEmpty())
        out.next = next;
    for (qsizetype i = 2; i + 1 < r.size(); i += 2)
        out.items.append({r.at(i).text(), r.at(i + 1).integer() == 1});
    co_return out;
}

QCoro::Task<Result<ChannelInfo>> Store::openDm(QString userKey, QString name, QString peerKey, QString origin)
{
    const QString channel = protocol::dmChannelName(userKey, peerKey);
    const RedisReply r = co_await m_redis.eval(script("dm"), 0, userKey.toUtf8(), name.toUtf8(), peerKey.toUtf8(),
                                               channel.toUtf8(), origin.toUtf8(),
                                               QByteArray::number(m_limits.maxChannelsPerUser));
    if (auto error = scriptError(r))
        co_return *error;
    co_return channelInfoAt(r, 1);
}

QCoro::Task<Result<ReadResult>> Store::markRead(QString userKey, QString name, QString channel, QString upTo,
                                                QString origin)
{
    const RedisReply r = co_await m_redis.eval(script("read"), 0, userKey.toUtf8(), name.toUtf8(), channel.toUtf8(),
                                               upTo.toUtf8(), origin.toUtf8());
    if (auto error = scriptError(r))
        co_return *error;
    co_return ReadResult{r.at(1).text(), r.at(2).integer() == 1};
}

QCoro::Task<Result<Done>> Store::typing(QString name, QString channel, QByteArray payload)
{
    const RedisReply r = co_await m_redis.eval(script("typing"), 0, name.toUtf8(), channel.toUtf8(), payload);
    if (auto error = scriptError(r))
        co_return *error;
    co_return Done{};
}

QCoro::Task<Result<QStringList>> Store::userChannels(QString userKey)
{
    const RedisReply r = co_await m_redis.command("SMEMBERS", keys::userChannels(userKey));
    if (!r.isArray())
        co_return storageError(r);
    QStringList out;
    out.reserve(r.size());
    for (const RedisReply &c : r.elements())
        out.append(c.text());
    co_return out;
}

QCoro::Task<Result<Done>> Store::presenceUp(QString instance, QString userKey)
{
    const RedisReply r = co_await m_redis.eval(script("presence_up"), 0, instance.toUtf8(), userKey.toUtf8());
    if (!r.isOk())
        co_return storageError(r);
    co_return Done{};
}

QCoro::Task<Result<Done>> Store::presenceDown(QString instance, QString userKey)
{
    const RedisReply r = co_await m_redis.eval(script("presence_down"), 0, instance.toUtf8(), userKey.toUtf8());
    if (!r.isOk())
        co_return storageError(r);
    co_return Done{};
}

QCoro::Task<Result<QStringList>> Store::instanceUsers(QString instance)
{
    const QByteArray key = keys::presenceInstance(instance);
    QStringList out;
    QByteArray cursor = "0";
    do {
        const RedisReply page = co_await m_redis.command("SSCAN", key, cursor, "COUNT", "1000");
        if (!page.isArray() || page.size() != 2)
            co_return storageError(page);
        cursor = page.at(0).bytes();
        for (const RedisReply &user : page.at(1).elements())
            out.append(user.text());
    } while (cursor != "0");
    out.removeDuplicates(); // SSCAN may return one twice while the set is rehashed
    co_return out;
}

QCoro::Task<Result<Heartbeat>> Store::heartbeat(QString instance, std::chrono::milliseconds deadAfter)
{
    const RedisReply r = co_await m_redis.eval(script("heartbeat"), 0, instance.toUtf8(),
                                               QByteArray::number(qint64(deadAfter.count())));
    if (!r.isArray() || r.size() == 0)
        co_return storageError(r);
    Heartbeat beat;
    beat.rejoined = r.at(0).integer() == 1;
    for (qsizetype i = 1; i < r.size(); ++i)
        beat.toReap.append(r.at(i).text());
    beat.toReap.removeDuplicates();
    co_return beat;
}

QCoro::Task<Result<ReapStep>> Store::reapStep(QString instance)
{
    constexpr int kUsersPerStep = 50; // each costs a handful of commands: a step stays well under a millisecond
    const RedisReply r = co_await m_redis.eval(script("reap"), 0, instance.toUtf8(), QByteArray::number(kUsersPerStep));
    if (!r.isArray() || r.size() != 2)
        co_return storageError(r);
    co_return ReapStep{r.at(0).integer(), r.at(1).integer()};
}

QCoro::Task<Result<protocol::StreamId>> Store::busTail()
{
    const RedisReply r = co_await m_redis.command("XREVRANGE", keys::bus, "+", "-", "COUNT", "1");
    if (!r.isArray())
        co_return storageError(r);
    if (r.size() == 0)
        co_return protocol::StreamId{};
    co_return protocol::StreamId::parse(r.at(0).at(0).bytes()).value_or(protocol::StreamId{});
}

} // namespace rill::store
