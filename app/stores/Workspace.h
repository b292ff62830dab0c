#pragma once

#include "protocol/Objects.h"

#include <QCoro/QCoroTask>
#include <QDeadlineTimer>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>
#include <QtQmlIntegration>

#include <chrono>

namespace rill::client {

class ChannelListModel;
class ChannelStore;
class DirectoryModel;
class ClientSession;

// The signed-in user's world: one ChannelStore per channel, kept in step with the server.
// It turns session events into store changes, fetches history pages the views ask for,
// resumes every channel after a reconnect, sends pending messages in order and moves read
// markers. The views talk to this object and to the models it owns; never to the session.
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

public:
    struct Options {
        int pageSize = 50;
        // A channel that missed more than this many pages while offline starts over from
        // its newest page instead of replaying them all.
        int maxResumePages = 20;
        std::chrono::milliseconds typingInterval{3000};
        std::chrono::milliseconds readDelay{300};
        std::chrono::milliseconds rateLimitPause{1000};
    };

    explicit Workspace(ClientSession *session, QObject *parent = nullptr);
    Workspace(ClientSession *session, Options options, QObject *parent = nullptr);
    ~Workspace() override;

    [[nodiscard]] ClientSession *session() const { return m_session; }
    [[nodiscard]] ChannelListModel *channels() const { return m_channels; }
    [[nodiscard]] DirectoryModel *directory() const { return m_directory; }
    Q_INVOKABLE rill::client::ChannelStore *channel(const QString &name) const;
    [[nodiscard]] QList<ChannelStore *> stores() const;

    [[nodiscard]] ChannelStore *current() const;
    [[nodiscard]] QString currentName() const { return m_current; }
    void setCurrentName(const QString &name);
    [[nodiscard]] bool windowActive() const { return m_windowActive; }
    // The channel to open after signing in when it still exists (where the user left off).
    void setPreferredChannel(const QString &name) { m_preferred = name; }
    void setWindowActive(bool active);

    // Sends to the current channel. Returns what went wrong ("" when it was queued).
    Q_INVOKABLE QString send(const QString &text);
    // Sends to a channel; returns the pending send's nonce, or "" when the text is refused.
    QString sendTo(const QString &channel, const QString &text);
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
    void onStatusChanged();
    void scheduleRead();
    void markViewedRead();
    void absorb(ChannelStore *store, const QList<protocol::Message> &messages, bool announceNew);
    void announce(ChannelStore *store, const protocol::Message &message);
    void readOwn(ChannelStore *store, const protocol::Message &message);
    void pickCurrent();

    QCoro::Task<> resume(QPointer<ChannelStore> store, quint64 epoch);
    QCoro::Task<> loadOlder(QPointer<ChannelStore> store);
    QCoro::Task<> loadMembers(QPointer<ChannelStore> store);
    QCoro::Task<> pump(QPointer<ChannelStore> store);
    QCoro::Task<> sendRead(QString channel, QString upTo);
    QCoro::Task<> requestJoin(QString name);
    QCoro::Task<> requestPart(QString name);
    QCoro::Task<> requestDirect(QString user);
    QCoro::Task<> requestDirectory();
    QCoro::Task<> requestTyping(QString channel);

    Options m_options;
    ClientSession *m_session;
    ChannelListModel *m_channels;  // child
    DirectoryModel *m_directory;   // child
    QHash<QString, ChannelStore *> m_stores; // children
    QString m_current;
    QString m_preferred;
    bool m_applyingSnapshot = false;
    QString m_user;                // whose stores these are
    bool m_windowActive = true;
    QSet<QString> m_pumping;
    QHash<QString, QDeadlineTimer> m_typingSent;
    QTimer m_readTimer;
    quint64 m_epoch = 0;           // bumped by every sign-in
    int m_resumesRunning = 0;
};

} // namespace rill::client
