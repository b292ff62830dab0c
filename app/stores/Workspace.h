#pragma once

#include "Typing.h"
#include "protocol/Limits.h"
#include "protocol/Objects.h"

#include <QHash>
#include <QObject>
#include <QtQmlIntegration>

#include <chrono>

namespace rill::protocol {
struct CheckedText;
}

namespace rill::client {

class ChannelListModel;
class ChannelStore;
struct CachedChannel;
class Directory;
class DirectoryModel;
class HistoryLoader;
class MessageActions;
class Presence;
class ReadMarkers;
class Search;
class SendQueue;
class Thread;
class ClientSession;

// The signed-in user's world: one ChannelStore per channel, kept in step with the server.
// It turns session events into store changes and is the one object the views talk to (with
// the models it owns; never to the session). The work is done by its parts: HistoryLoader
// (pages and the resume after a reconnect), SendQueue, ReadMarkers, Directory (the public
// channels, joining, leaving, DMs), Presence (members) and Typing.
class Workspace : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("The app owns the workspace")
    Q_PROPERTY(rill::client::ClientSession *session READ session CONSTANT)
    Q_PROPERTY(rill::client::ChannelListModel *channels READ channels CONSTANT)
    Q_PROPERTY(rill::client::DirectoryModel *directory READ directory CONSTANT)
    Q_PROPERTY(rill::client::ChannelStore *current READ current NOTIFY currentChanged)
    Q_PROPERTY(QString currentName READ currentName WRITE setCurrentName NOTIFY currentChanged)
    Q_PROPERTY(bool windowActive READ windowActive WRITE setWindowActive NOTIFY windowActiveChanged)
    // The thread open in the side panel (of the current channel), or none.
    Q_PROPERTY(rill::client::Thread *thread READ thread CONSTANT)
    // Message search (the search panel).
    Q_PROPERTY(rill::client::Search *search READ search CONSTANT)

public:
    struct Options {
        int pageSize = 50;
        // A channel that missed more than this many pages while offline starts over from
        // its newest page instead of replaying them all.
        int maxResumePages = 20;
        // Entries per page of the channel directory and of a channel's members (each read whole).
        int listPageSize = protocol::kMaxListPage;
        std::chrono::milliseconds typingInterval{3000};
        std::chrono::milliseconds readDelay{300};
        std::chrono::milliseconds rateLimitPause{1000};
    };

    explicit Workspace(ClientSession *session, QObject *parent = nullptr);
    Workspace(ClientSession *session, Options options, QObject *parent = nullptr);
    ~Workspace() override;

    [[nodiscard]] ClientSession *session() const { return m_session; }
    [[nodiscard]] ChannelListModel *channels() const { return m_channels; }
    [[nodiscard]] DirectoryModel *directory() const;
    Q_INVOKABLE rill::client::ChannelStore *channel(const QString &name) const;
    [[nodiscard]] QList<ChannelStore *> stores() const;

    [[nodiscard]] ChannelStore *current() const;
    [[nodiscard]] Thread *thread() const { return m_thread; }
    [[nodiscard]] Search *search() const { return m_search; }
    [[nodiscard]] QString currentName() const { return m_current; }
    void setCurrentName(const QString &name);
    [[nodiscard]] bool windowActive() const { return m_windowActive; }
    // The channel to open after signing in when it still exists (where the user left off).
    void setPreferredChannel(const QString &name) { m_preferred = name; }
    void setWindowActive(bool active);
    // Shows what the local cache kept for `user`, before the server is reached: an empty
    // workspace gets the channels and their newest messages, stale until the next sign-in
    // resumes them.
    void restore(const QString &user, const QList<CachedChannel> &channels);

    // Sends to the current channel. Returns what went wrong ("" when it was queued).
    Q_INVOKABLE QString send(const QString &text);
    // Sends to a channel (a reply when `replyTo` is a root's ID); returns the pending send's
    // nonce, or "" when the text is refused.
    QString sendTo(const QString &channel, const QString &text, const QString &replyTo = {});
    // Revision 2, in the current channel. edit() returns what is wrong with the text ("" when
    // the edit went out); the rest report refusals through problem().
    Q_INVOKABLE QString editMessage(const QString &messageId, const QString &text);
    Q_INVOKABLE void deleteMessage(const QString &messageId);
    // Adds the user's `emoji` to a message, or takes it back when it is there.
    Q_INVOKABLE void toggleReaction(const QString &messageId, const QString &emoji);
    Q_INVOKABLE void setTopic(const QString &topic);
    // Opens the thread of a message of the current channel in the side panel: its own thread
    // when it is a root (or has no replies yet), its root's when it is a reply (threads are
    // one level deep).
    Q_INVOKABLE void openThread(const QString &messageId);
    Q_INVOKABLE void closeThread();
    // Answers in the open thread, through the channel's send queue. Returns what went wrong
    // ("" when it was queued).
    Q_INVOKABLE QString sendReply(const QString &text);
    // Opens `channel` at a message (a search result, a link): the stretch of history around it
    // when it is not loaded, brought into sight and highlighted (ChannelStore::focusId).
    // Refusals (not a member, no such message) come as problem().
    Q_INVOKABLE void openMessage(const QString &channel, const QString &messageId);
    // "Copy link": the link to a message of the current channel (MessageLink), "" without one.
    Q_INVOKABLE QString messageLink(const QString &messageId) const;
    // A message link clicked: opens it (openMessage) when it is for the server the app is
    // connected to, else says which server it is for.
    Q_INVOKABLE void openLink(const QString &link);
    Q_INVOKABLE void retry(const QString &nonce);
    Q_INVOKABLE void discard(const QString &nonce);

    Q_INVOKABLE void join(const QString &name);
    Q_INVOKABLE void part(const QString &name);
    Q_INVOKABLE void openDirect(const QString &user);
    Q_INVOKABLE void refreshDirectory();
    // Everything in the current channel is read (Esc); the divider goes away.
    Q_INVOKABLE void markCurrentRead();
    // The user is typing in the current channel; throttled.
    Q_INVOKABLE void typing();
    // Alt+Up/Down: the channel `delta` rows away in the sidebar, wrapping around.
    Q_INVOKABLE void selectRelative(int delta);

Q_SIGNALS:
    void currentChanged();
    void windowActiveChanged();
    // A message that deserves a desktop notification: in a DM or mentioning the user, while
    // the window is not active.
    void attentionNeeded(const QString &channel, const QString &title, const QString &text);
    // Something the user asked for went wrong (shown in the status line).
    void problem(const QString &text);
    // A message appeared in a store (live or confirmed): hooks for tests and notifications.
    void messageAdded(const QString &channel, const QString &id, const QString &user, const QString &text);
    // Every loaded channel has caught up after a (re)connect.
    void resumed();

private:
    ChannelStore *ensureStore(const protocol::ChannelInfo &info);
    void removeStore(const QString &name);
    void clear();
    void updateJoined();
    void onSignedIn(const QList<protocol::ChannelInfo> &channels);
    void onMessage(const protocol::Message &message);
    void onMessageChanged(const protocol::Message &message);
    // What keeps a text the user wrote from going to the current channel ("" when nothing).
    [[nodiscard]] QString checkForCurrent(const protocol::CheckedText &checked, const QString &whenEmpty) const;
    void onStatusChanged();
    void onEntered(const protocol::ChannelInfo &info);
    void onSendConfirmed(ChannelStore *store, const protocol::Message &message);
    void onJumped(ChannelStore *store, const QString &messageId);
    void scheduleRead();
    void announce(ChannelStore *store, const protocol::Message &message);
    void pickCurrent();

    Options m_options;
    ClientSession *m_session;
    ChannelListModel *m_channels; // children, all of them
    HistoryLoader *m_history;
    SendQueue *m_sendQueue;
    ReadMarkers *m_reads;
    Directory *m_directory;
    MessageActions *m_actions;
    Presence *m_presence;
    Thread *m_thread;
    Search *m_search;
    Typing m_typing;
    QHash<QString, ChannelStore *> m_stores;
    QString m_current;
    QString m_preferred;
    bool m_applyingSnapshot = false;
    QString m_user;               // whose stores these are
    bool m_windowActive = true;
};

} // namespace rill::client
