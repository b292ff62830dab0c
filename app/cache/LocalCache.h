#pragma once

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>
#include <QUrl>

#include <chrono>

namespace rill::client {

class ChannelStore;
class Workspace;

// The app's memory between runs, like Element's and Nheko's: one SQLite file per profile
// (Qt SQL) with the channel list and read markers, and the newest messages of each channel.
// On start the workspace is filled from it at once, before the server answers (or while it
// cannot), and each channel counts as stale until the next sign-in has resumed it from its
// newest cached message. Written behind the workspace, a few seconds after things change, in
// one transaction; bounded in size; emptied (the files deleted) on sign-out.
class LocalCache : public QObject
{
    Q_OBJECT

public:
    struct Options {
        int messagesPerChannel = 200;            // the newest four pages of fifty
        qint64 maxTextBytes = 16 * 1024 * 1024;  // all cached texts together, UTF-8
        std::chrono::milliseconds writeDelay{2000};
    };

    LocalCache(QString path, Options options, QObject *parent = nullptr);
    explicit LocalCache(QString path, QObject *parent = nullptr);
    ~LocalCache() override;

    // Fills an empty workspace with what was kept for `user` on `server`. False when the cache
    // holds nothing for them (another user, another server, or nothing at all).
    bool restore(Workspace *workspace, const QUrl &server, const QString &user);
    // Keeps the cache in step with `workspace` from now on (for the user it signs in as).
    void follow(Workspace *workspace);
    // Stops following (the app is closing: what follows is not the user's doing).
    void stopFollowing();
    // Writes what changed now instead of after the delay.
    void flush();
    // Sign-out: nothing the user read stays on disk. The files are deleted.
    void clear();

    [[nodiscard]] QString path() const { return m_path; }
    // What the texts of the cached messages take, in bytes (for tests and the benchmark).
    [[nodiscard]] qint64 textBytes();

private:
    [[nodiscard]] bool open();
    void close();
    [[nodiscard]] bool ensureSchema();
    [[nodiscard]] QString meta(const QString &key);
    void watch(ChannelStore *store);
    void markDirty(const QString &channel);
    void markChannelsDirty();
    void adopt(const QUrl &server, const QString &user);
    [[nodiscard]] bool write();
    void trimToSize();

    QString m_path;
    Options m_options;
    QString m_connection; // the QSqlDatabase connection name, unique per cache
    bool m_open = false;
    QPointer<Workspace> m_workspace;
    QList<QMetaObject::Connection> m_followed;
    QString m_owner;                // "<server> <user>" the written data belongs to
    QSet<const ChannelStore *> m_watched;
    QSet<QString> m_dirty;          // channels whose messages changed
    bool m_channelsDirty = false;   // the list, markers, counts
    QHash<QString, qint64> m_viewed; // when each channel was last the current one (ms)
    QHash<QString, QString> m_cursors; // the change cursor each channel's cached messages are current to
    QTimer m_writeTimer;
};

} // namespace rill::client
