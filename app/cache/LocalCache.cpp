#include "LocalCache.h"

#include "models/ChannelListModel.h"
#include "protocol/Names.h"
#include "session/ClientSession.h"
#include "stores/ChannelStore.h"
#include "stores/Workspace.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

Q_LOGGING_CATEGORY(lcClientCache, "rill.client.cache", QtInfoMsg)

namespace rill::client {

using namespace Qt::StringLiterals;
using protocol::ChannelInfo;
using protocol::MessageKind;
using protocol::StreamId;

namespace {
// 2: each message's edited and deleted flags and extras (reactions, thread), and each
// channel's change cursor (in its info's lastChange).
constexpr int kSchemaVersion = 2;

QString ownerOf(const QUrl &server, const QString &user)
{
    return server.toString(QUrl::RemoveUserInfo) + u' ' + protocol::userKey(user);
}

bool exec(QSqlQuery &query)
{
    if (query.exec())
        return true;
    qCWarning(lcClientCache) << "cache query failed:" << query.lastError().text();
    return false;
}

// A message's reactions and thread counts as the cache keeps them (NULL for none).
QVariant extrasToJson(const MessageExtras *extras)
{
    if (!extras || extras->isEmpty())
        return QVariant(QMetaType::fromType<QString>());
    QJsonObject reactions;
    for (const protocol::Reaction &r : extras->reactions)
        reactions.insert(r.emoji, QJsonArray::fromStringList(r.users));
    QJsonObject json;
    if (!reactions.isEmpty())
        json.insert("reactions"_L1, reactions);
    if (extras->replies > 0) {
        json.insert("replies"_L1, extras->replies);
        json.insert("lastReplyTs"_L1, extras->lastReplyTs);
    }
    if (!extras->replyTo.isEmpty())
        json.insert("replyTo"_L1, extras->replyTo);
    return QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Compact));
}

MessageExtras extrasFromJson(const QString &text)
{
    MessageExtras extras;
    if (text.isEmpty())
        return extras;
    const QJsonObject json = QJsonDocument::fromJson(text.toUtf8()).object();
    const QJsonObject reactions = json.value("reactions"_L1).toObject();
    for (auto it = reactions.constBegin(); it != reactions.constEnd(); ++it) {
        QStringList users;
        for (const QJsonValue &user : it.value().toArray())
            users << user.toString();
        extras.reactions.append({it.key(), users});
    }
    extras.replies = json.value("replies"_L1).toInteger();
    extras.lastReplyTs = json.value("lastReplyTs"_L1).toInteger();
    extras.replyTo = json.value("replyTo"_L1).toString();
    return extras;
}

bool exec(const QSqlDatabase &db, const QString &statement)
{
    QSqlQuery query(db);
    if (query.exec(statement))
        return true;
    qCWarning(lcClientCache) << "cache statement failed:" << statement << query.lastError().text();
    return false;
}
} // namespace

LocalCache::LocalCache(QString path, QObject *parent)
    : LocalCache(std::move(path), Options{}, parent)
{
}

LocalCache::LocalCache(QString path, Options options, QObject *parent)
    : QObject(parent)
    , m_path(std::move(path))
    , m_options(options)
    , m_connection(u"rill-cache-"_s + QUuid::createUuid().toString(QUuid::WithoutBraces))
{
    m_writeTimer.setSingleShot(true);
    m_writeTimer.setInterval(m_options.writeDelay);
    connect(&m_writeTimer, &QTimer::timeout, this, &LocalCache::flush);
}

LocalCache::~LocalCache()
{
    close();
}

bool LocalCache::open()
{
    if (m_open)
        return true;
    if (!QDir().mkpath(QFileInfo(m_path).absolutePath()))
        return false;
    // What the user read is as private as their token: the file (and SQLite's journal files,
    // which take its mode) is the user's alone.
    if (!QFileInfo::exists(m_path)) {
        QFile file(m_path);
        if (!file.open(QIODevice::WriteOnly))
            return false;
        file.close();
    }
    QFile::setPermissions(m_path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);

    QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, m_connection);
    db.setDatabaseName(m_path);
    if (!db.open()) {
        qCWarning(lcClientCache) << "cannot open the cache" << m_path << db.lastError().text();
        db = {};
        QSqlDatabase::removeDatabase(m_connection);
        return false;
    }
    m_open = true;
    if (!ensureSchema()) {
        close();
        return false;
    }
    return true;
}

void LocalCache::close()
{
    if (!m_open)
        return;
    m_open = false;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
}

bool LocalCache::ensureSchema()
{
    const QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    // WAL: a write does not block a reader, and a crash mid-write loses only that write.
    exec(db, u"PRAGMA journal_mode=WAL"_s);
    exec(db, u"PRAGMA synchronous=NORMAL"_s);
    if (!exec(db, u"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)"_s))
        return false;
    const QString version = meta(u"version"_s);
    // Only a cache: a file from another version starts over.
    if (!version.isEmpty() && version.toInt() != kSchemaVersion) {
        const bool dropped = exec(db, u"DROP TABLE IF EXISTS messages"_s) && exec(db, u"DROP TABLE IF EXISTS channels"_s)
            && exec(db, u"DELETE FROM meta"_s);
        if (!dropped)
            return false;
    }
    const bool created = exec(db, u"CREATE TABLE IF NOT EXISTS channels(name TEXT PRIMARY KEY, info TEXT NOT NULL, "
                                  "at_start INTEGER NOT NULL, viewed INTEGER NOT NULL)"_s)
        && exec(db, u"CREATE TABLE IF NOT EXISTS messages(channel TEXT NOT NULL, ms INTEGER NOT NULL, seq INTEGER NOT NULL, "
                    "kind INTEGER NOT NULL, user TEXT NOT NULL, text TEXT NOT NULL, edited INTEGER NOT NULL, "
                    "deleted INTEGER NOT NULL, extras TEXT, PRIMARY KEY(channel, ms, seq)) WITHOUT ROWID"_s);
    if (!created)
        return false;
    QSqlQuery query(db);
    query.prepare(u"INSERT OR REPLACE INTO meta(key, value) VALUES('version', ?)"_s);
    query.addBindValue(QString::number(kSchemaVersion));
    return exec(query);
}

QString LocalCache::meta(const QString &key)
{
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    query.prepare(u"SELECT value FROM meta WHERE key = ?"_s);
    query.addBindValue(key);
    if (!exec(query) || !query.next())
        return {};
    return query.value(0).toString();
}

bool LocalCache::restore(Workspace *workspace, const QUrl &server, const QString &user)
{
    if (user.isEmpty() || !QFileInfo::exists(m_path) || !open())
        return false;
    const QString owner = ownerOf(server, user);
    if (meta(u"owner"_s) != owner)
        return false;
    const QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    QList<CachedChannel> channels;
    QSqlQuery query(db);
    query.setForwardOnly(true);
    query.prepare(u"SELECT name, info, at_start, viewed FROM channels"_s);
    if (!exec(query))
        return false;
    while (query.next()) {
        const auto info = ChannelInfo::fromJson(QJsonDocument::fromJson(query.value(1).toString().toUtf8()).object());
        if (!info || info->name != query.value(0).toString())
            continue;
        channels.append({*info, {}, {}, query.value(2).toBool()});
        m_viewed.insert(info->name, query.value(3).toLongLong());
        m_cursors.insert(info->name, info->lastChange.value_or(QString()));
    }
    QSqlQuery messages(db);
    messages.setForwardOnly(true);
    messages.prepare(u"SELECT ms, seq, kind, user, text, edited, deleted, extras FROM messages WHERE channel = ? ORDER BY ms, seq"_s);
    for (CachedChannel &channel : channels) {
        messages.addBindValue(channel.info.name);
        if (!exec(messages))
            return false;
        while (messages.next()) {
            StoredMessage m;
            m.id = StreamId{messages.value(0).toULongLong(), messages.value(1).toULongLong()};
            const int kind = messages.value(2).toInt();
            m.kind = kind == int(MessageKind::Join) ? MessageKind::Join : kind == int(MessageKind::Part) ? MessageKind::Part : MessageKind::Message;
            m.user = messages.value(3).toString();
            m.text = messages.value(4).toString();
            m.edited = messages.value(5).toBool();
            m.deleted = messages.value(6).toBool();
            if (MessageExtras extras = extrasFromJson(messages.value(7).toString()); !extras.isEmpty())
                channel.extras.insert(m.id, std::move(extras));
            channel.messages.append(std::move(m));
        }
    }
    m_owner = owner;
    workspace->restore(user, channels);
    return !channels.isEmpty();
}

void LocalCache::follow(Workspace *workspace)
{
    stopFollowing();
    m_workspace = workspace;
    ChannelListModel *list = workspace->channels();
    const auto watchRows = [this, list](int first, int last) {
        for (int row = first; row <= last; ++row) {
            if (ChannelStore *store = m_workspace ? m_workspace->channel(list->nameAt(row)) : nullptr)
                watch(store);
        }
        markChannelsDirty();
    };
    m_followed << connect(list, &QAbstractItemModel::rowsInserted, this, [watchRows](const QModelIndex &, int first, int last) {
        watchRows(first, last);
    });
    m_followed << connect(list, &QAbstractItemModel::rowsRemoved, this, [this] { markChannelsDirty(); });
    m_followed << connect(list, &QAbstractItemModel::modelReset, this, [watchRows, list] { watchRows(0, list->rowCount() - 1); });
    m_followed << connect(workspace, &Workspace::currentChanged, this, [this] {
        if (!m_workspace || m_workspace->currentName().isEmpty())
            return;
        m_viewed.insert(m_workspace->currentName(), QDateTime::currentMSecsSinceEpoch());
        markChannelsDirty();
    });
    ClientSession *session = workspace->session();
    m_followed << connect(session, &ClientSession::signedIn, this, [this, session] { adopt(session->server(), session->user()); });
    watchRows(0, list->rowCount() - 1);
    if (session->isOnline())
        adopt(session->server(), session->user());
}

void LocalCache::stopFollowing()
{
    for (const auto &connection : std::as_const(m_followed))
        disconnect(connection);
    m_followed.clear();
    m_writeTimer.stop();
    m_workspace.clear();
}

void LocalCache::adopt(const QUrl &server, const QString &user)
{
    const QString owner = ownerOf(server, user);
    if (owner == m_owner)
        return;
    m_owner = owner;
    if (!open())
        return;
    // Someone else's (or another server's) cache: it goes before anything of this user is written.
    const QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    if (meta(u"owner"_s) != owner) {
        exec(db, u"DELETE FROM messages"_s);
        exec(db, u"DELETE FROM channels"_s);
        m_cursors.clear();
        QSqlQuery query(db);
        query.prepare(u"INSERT OR REPLACE INTO meta(key, value) VALUES('owner', ?)"_s);
        query.addBindValue(owner);
        exec(query);
    }
    markChannelsDirty();
    if (m_workspace) {
        for (ChannelStore *store : m_workspace->stores())
            markDirty(store->name());
    }
}

void LocalCache::watch(ChannelStore *store)
{
    const QString name = store->name();
    markDirty(name);
    if (m_watched.contains(store))
        return;
    m_watched.insert(store);
    // These end with the store; after stopFollowing() they find no workspace and do nothing.
    const auto changed = [this, name] { markDirty(name); };
    connect(store, &ChannelStore::messagesInserted, this, changed);
    connect(store, &ChannelStore::resetDone, this, changed);
    // An edit, deletion or reaction, and the change cursor they are current to, go together.
    connect(store, &ChannelStore::messageChanged, this, changed);
    connect(store, &ChannelStore::changeCursorChanged, this, changed);
    connect(store, &ChannelStore::summaryChanged, this, &LocalCache::markChannelsDirty);
    connect(store, &QObject::destroyed, this, [this, store] { m_watched.remove(store); });
}

void LocalCache::markDirty(const QString &channel)
{
    if (!m_workspace)
        return;
    m_dirty.insert(channel);
    m_channelsDirty = true;
    if (!m_writeTimer.isActive())
        m_writeTimer.start();
}

void LocalCache::markChannelsDirty()
{
    if (!m_workspace)
        return;
    m_channelsDirty = true;
    if (!m_writeTimer.isActive())
        m_writeTimer.start();
}

void LocalCache::flush()
{
    m_writeTimer.stop();
    if (!m_workspace || m_owner.isEmpty() || (!m_channelsDirty && m_dirty.isEmpty()))
        return;
    if (!open())
        return;
    if (write()) {
        m_dirty.clear();
        m_channelsDirty = false;
    }
}

bool LocalCache::write()
{
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    if (!db.transaction())
        return false;
    const QList<ChannelStore *> stores = m_workspace->stores();
    bool ok = true;
    if (m_channelsDirty) {
        ok = exec(db, u"DELETE FROM channels"_s);
        QSqlQuery insert(db);
        insert.prepare(u"INSERT INTO channels(name, info, at_start, viewed) VALUES(?, ?, ?, ?)"_s);
        for (ChannelStore *store : stores) {
            if (!ok)
                break;
            ChannelInfo info = store->info();
            info.lastId = store->lastKnownId();
            // The cursor the cached messages are current to: the store's when they are written
            // from it, else what was kept with them.
            if (store->isAtLatest())
                m_cursors.insert(info.name, store->changeCursor());
            const QString cursor = m_cursors.value(info.name);
            info.lastChange = cursor.isEmpty() ? std::nullopt : std::optional(cursor);
            // The whole channel is cached only when it all fits (and is what the cache has).
            const bool atStart = store->isAtStart() && store->isAtLatest() && store->messages().size() <= m_options.messagesPerChannel;
            insert.addBindValue(info.name);
            insert.addBindValue(QString::fromUtf8(QJsonDocument(info.toJson()).toJson(QJsonDocument::Compact)));
            insert.addBindValue(atStart);
            insert.addBindValue(m_viewed.value(info.name));
            ok = exec(insert);
        }
        ok = ok && exec(db, u"DELETE FROM messages WHERE channel NOT IN (SELECT name FROM channels)"_s);
    }
    QSqlQuery remove(db);
    remove.prepare(u"DELETE FROM messages WHERE channel = ?"_s);
    QSqlQuery insert(db);
    insert.prepare(u"INSERT OR REPLACE INTO messages(channel, ms, seq, kind, user, text, edited, deleted, extras) "
                   "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)"_s);
    for (const QString &name : std::as_const(m_dirty)) {
        const ChannelStore *store = m_workspace->channel(name);
        // The cache keeps the newest messages: a slice away from them leaves what it has.
        if (!ok || !store || !store->isAtLatest())
            continue;
        remove.addBindValue(name);
        ok = exec(remove);
        const auto &messages = store->messages();
        for (qsizetype i = std::max<qsizetype>(0, messages.size() - m_options.messagesPerChannel); ok && i < messages.size(); ++i) {
            const StoredMessage &m = messages[i];
            insert.addBindValue(name);
            insert.addBindValue(qint64(m.id.ms));
            insert.addBindValue(qint64(m.id.seq));
            insert.addBindValue(int(m.kind));
            insert.addBindValue(m.user);
            insert.addBindValue(m.text.isNull() ? u""_s : m.text); // join and part have none: NULL would be refused
            insert.addBindValue(m.edited);
            insert.addBindValue(m.deleted);
            insert.addBindValue(extrasToJson(store->extras(m.id)));
            ok = exec(insert);
        }
    }
    if (ok)
        trimToSize();
    if (!ok || !db.commit()) {
        db.rollback();
        return false;
    }
    return true;
}

// Past the size bound, the channels viewed longest ago lose their messages first (the one on
// screen last of all).
void LocalCache::trimToSize()
{
    const QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    QSqlQuery sizes(db);
    sizes.setForwardOnly(true);
    if (!sizes.exec(u"SELECT c.name, COALESCE(SUM(LENGTH(CAST(m.text AS BLOB))), 0) FROM channels c "
                    "LEFT JOIN messages m ON m.channel = c.name GROUP BY c.name ORDER BY c.viewed DESC, c.name"_s))
        return;
    qint64 total = 0;
    QStringList evict;
    while (sizes.next()) {
        const qint64 bytes = sizes.value(1).toLongLong();
        if (total + bytes > m_options.maxTextBytes)
            evict << sizes.value(0).toString();
        else
            total += bytes;
    }
    sizes.finish();
    QSqlQuery remove(db);
    remove.prepare(u"DELETE FROM messages WHERE channel = ?"_s);
    QSqlQuery mark(db);
    mark.prepare(u"UPDATE channels SET at_start = 0 WHERE name = ?"_s);
    for (const QString &name : std::as_const(evict)) {
        remove.addBindValue(name);
        exec(remove);
        mark.addBindValue(name);
        exec(mark);
    }
}

qint64 LocalCache::textBytes()
{
    if (!QFileInfo::exists(m_path) || !open())
        return 0;
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    if (!query.exec(u"SELECT COALESCE(SUM(LENGTH(CAST(text AS BLOB))), 0) FROM messages"_s) || !query.next())
        return 0;
    return query.value(0).toLongLong();
}

void LocalCache::clear()
{
    m_writeTimer.stop();
    m_dirty.clear();
    m_channelsDirty = false;
    m_owner.clear();
    m_viewed.clear();
    m_cursors.clear();
    close();
    for (const QString &suffix : {QString(), u"-wal"_s, u"-shm"_s, u"-journal"_s})
        QFile::remove(m_path + suffix);
}

} // namespace rill::client
