#pragma once

#include "protocol/Objects.h"
#include "protocol/StreamId.h"

#include <QDeadlineTimer>
#include <QHash>
#include <QMap>
#include <QSet>
#include <QObject>
#include <QTimer>
#include <QtQmlIntegration>

namespace rill::client {

class MemberModel;
class MessageModel;

// A message as the client keeps it: what the timeline shows and nothing the wire needed to
// deliver it. A channel may hold 100,000 of these, so each costs about 72 bytes beyond its
// text: the ID only as a StreamId (its string is made when asked for), the author's name
// shared by all messages of that author, no channel (the store is the channel), no timestamp
// (it is the ID's time part), no nonce (a confirmed send no longer needs it) and no rendered
// text (MessageModel renders the rows that are shown and keeps the recent ones).
struct StoredMessage {
    protocol::StreamId id;
    QString user;
    QString text;
    protocol::MessageKind kind = protocol::MessageKind::Message;
    // Revision 2's flags fit in the padding after `kind`; the rarer reactions and thread
    // counts live in the store's side table (MessageExtras), so a plain message stays slim.
    bool edited = false;
    bool deleted = false; // its text is gone: empty

    [[nodiscard]] qint64 ts() const { return qint64(id.ms); }
    [[nodiscard]] QString idString() const { return id.toString(); }
};

// What few messages carry: reactions, a thread root's reply count, a reply's root.
struct MessageExtras {
    QList<protocol::Reaction> reactions;
    qint64 replies = 0;
    qint64 lastReplyTs = 0;
    QString replyTo; // the thread root this message answers

    [[nodiscard]] bool isEmpty() const { return reactions.isEmpty() && replies == 0 && replyTo.isEmpty(); }
    friend bool operator==(const MessageExtras &, const MessageExtras &) = default;
};

// A channel as the local cache kept it: its summary and its newest messages.
struct CachedChannel {
    protocol::ChannelInfo info;    // its lastChange: the change cursor the messages are current to
    QList<StoredMessage> messages; // oldest first
    QMap<protocol::StreamId, MessageExtras> extras; // of those messages that have any
    bool atStart = false;          // they reach back to the channel's first message
};

// A message the user wrote that the server has not confirmed yet.
struct PendingSend {
    enum class State { Queued, Sending, Failed };
    QString nonce; // the send's identity: a resend after a reconnect is not a second message
    QString text;
    QString styled;
    QString replyTo; // the thread root it answers, "" for none
    qint64 createdMs = 0;
    State state = State::Queued;
    QString error;
};

struct Member {
    QString user;
    bool online = false;
};

// Everything the client knows about one channel: a contiguous, ID-ordered slice of its log
// (history pages and live events merged by ID), the sends still waiting for the server, the
// read marker, members and who is typing. It does no I/O: the Workspace fills it, and asks it
// what to fetch or send next. Models observe it through its signals.
//
// The slice is usually the newest stretch of the log ("at the latest"), and live messages
// append to it. Opening a message away from the newest (a search result, a link) replaces it
// with a stretch around that message instead: live messages then only count as unread (the
// slice must stay contiguous), newer pages load as the view scrolls down, and the slice is at
// the latest again once a page reaches the newest message, or returnToLatest() reloads it.
class ChannelStore : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Channels come from the workspace")
    Q_PROPERTY(QString name READ name CONSTANT)
    Q_PROPERTY(QString title READ title CONSTANT)
    Q_PROPERTY(bool isDirect READ isDirect CONSTANT)
    Q_PROPERTY(QString peer READ peer CONSTANT)
    Q_PROPERTY(QString topic READ topic NOTIFY topicChanged)
    Q_PROPERTY(int unread READ unread NOTIFY summaryChanged)
    // How many of the unread messages mention the user (protocol::mentions).
    Q_PROPERTY(int mentions READ mentions NOTIFY summaryChanged)
    Q_PROPERTY(int memberCount READ memberCount NOTIFY summaryChanged)
    Q_PROPERTY(bool loadingOlder READ isLoadingOlder NOTIFY loadingChanged)
    Q_PROPERTY(bool atStart READ isAtStart NOTIFY loadingChanged)
    // The slice reaches the channel's newest message (live messages append to it).
    Q_PROPERTY(bool atLatest READ isAtLatest NOTIFY loadingChanged)
    Q_PROPERTY(bool loadingNewer READ isLoadingNewer NOTIFY loadingChanged)
    // A message to bring into sight and highlight (an opened search result or link), or "".
    Q_PROPERTY(QString focusId READ focusId NOTIFY focusChanged)
    Q_PROPERTY(QString typingText READ typingText NOTIFY typingChanged)
    // Shown from the local cache and not caught up with the server yet.
    Q_PROPERTY(bool stale READ isStale NOTIFY staleChanged)
    Q_PROPERTY(rill::client::MessageModel *messages READ messageModel CONSTANT)
    Q_PROPERTY(rill::client::MemberModel *members READ memberModel CONSTANT)

public:
    ChannelStore(const protocol::ChannelInfo &info, QString self, QObject *parent = nullptr);
    ~ChannelStore() override;

    [[nodiscard]] QString name() const { return m_info.name; }
    [[nodiscard]] QString title() const;
    [[nodiscard]] bool isDirect() const { return m_info.kind == protocol::ChannelKind::Dm; }
    [[nodiscard]] QString peer() const { return m_info.peer; }
    [[nodiscard]] QString self() const { return m_self; }
    [[nodiscard]] QString topic() const { return m_info.topic.value_or(QString()); }
    void setTopic(const QString &topic);
    [[nodiscard]] int unread() const { return int(m_info.unread); }
    [[nodiscard]] int mentions() const { return int(m_info.mentions.value_or(0)); }
    [[nodiscard]] int memberCount() const { return m_membersLoaded ? int(m_members.size()) : int(m_info.members); }
    [[nodiscard]] const protocol::ChannelInfo &info() const { return m_info; }

    // --- the log ---
    [[nodiscard]] const QList<StoredMessage> &messages() const { return m_messages; }
    [[nodiscard]] qsizetype indexOfId(const QString &id) const;
    [[nodiscard]] QString newestId() const;
    [[nodiscard]] QString oldestId() const;
    // The channel's newest ID as far as anyone told us (a snapshot, an event, a page).
    [[nodiscard]] QString lastKnownId() const;
    // Whether any page was ever loaded: a channel never opened needs no resume.
    [[nodiscard]] bool isLoaded() const { return m_loaded; }
    [[nodiscard]] bool isAtStart() const { return m_atStart; }
    [[nodiscard]] bool isLoadingOlder() const { return m_loadingOlder; }
    [[nodiscard]] bool canLoadOlder() const { return !m_atStart && !m_loadingOlder; }
    [[nodiscard]] bool isAtLatest() const { return m_atLatest; }
    [[nodiscard]] bool isLoadingNewer() const { return m_loadingNewer; }
    [[nodiscard]] bool canLoadNewer() const { return !m_atLatest && !m_loadingNewer; }
    // Bumped whenever the slice is replaced: a page asked for before belongs to the old one
    // and must not be merged (it would leave a gap).
    [[nodiscard]] quint64 sliceGeneration() const { return m_sliceGeneration; }

    // Merges messages (any order, duplicates ignored). Returns how many were new. Messages
    // beyond the newest ID the server's snapshot counted are others' unread ones (and unread
    // mentions when they mention the user), unless `countUnread` is false (the user is
    // looking at them as they come).
    qsizetype merge(const QList<protocol::Message> &messages, bool countUnread = true);
    // A live message: merged, and counted as unread when it is someone else's.
    // Returns false when it was already known.
    bool addLive(const protocol::Message &message, bool countAsUnread);
    // An existing message's current state (an `update` event): replaces what is held, in
    // place. False when it is not loaded (a later page brings its current state) or nothing
    // changed.
    bool applyUpdate(const protocol::Message &message);
    // --- changes made to held messages while away (`changes`) ---
    // The change cursor the held messages are current to: every edit, deletion, reaction and
    // reply count up to it is in them. "" when unknown (then only a reload makes them current).
    [[nodiscard]] QString changeCursor() const { return m_changeCursor; }
    // The held messages are current up to `cursor` (a `changes` answer was applied).
    void setChangeCursor(const QString &cursor);
    // Whether held messages may be older than the server's newest change: `changes` after
    // changeCursor() would find something. False when the server does not say (before Rill's
    // addition) or when nothing is held.
    [[nodiscard]] bool missesChanges() const;
    // An `update` event's cursor (after its message was applied): the server's newest change,
    // and changeCursor() too when the held messages were current up to the one before.
    void noteLiveChange(const QString &lastChange);
    // Whether the user's own `emoji` is on the message at `index`.
    [[nodiscard]] bool hasReacted(qsizetype index, const QString &emoji) const;
    // The newest of the user's own messages that can still be edited, or "" (Up in an empty
    // composer edits it).
    Q_INVOKABLE QString lastEditableId() const;
    // A message's raw text (what an edit starts from), or "" when it is not loaded.
    Q_INVOKABLE QString textOf(const QString &id) const;
    // Reactions and thread counts of a loaded message; nullptr when it has none.
    [[nodiscard]] const MessageExtras *extras(const protocol::StreamId &id) const;
    // The thread root a loaded message answers, or "" (not a reply, or not loaded).
    Q_INVOKABLE QString replyToOf(const QString &id) const;
    // Where the loaded replies to `root` are, oldest first.
    [[nodiscard]] QList<qsizetype> indexesOfReplies(const protocol::StreamId &root) const;

    // A page of history older than what is loaded (or the newest page of an empty store).
    void addOlderPage(const QList<protocol::Message> &page, bool more);
    // Replaces everything loaded with this newest page (a resume too long to replay).
    void resetToNewest(const QList<protocol::Message> &page, bool more);
    // Replaces everything loaded with a stretch of the log: `atStart` when nothing is older,
    // `atLatest` when the server said nothing is newer (checked against what live events told).
    void replaceWith(const QList<protocol::Message> &stretch, bool atStart, bool atLatest);
    // A page of history newer than what is loaded (a slice away from the latest).
    void addNewerPage(const QList<protocol::Message> &page, bool more);

    // Drops all but the newest `keep` messages (a view back at the newest end releases what
    // it scrolled through); older pages load again on demand. Returns how many went.
    qsizetype releaseOlder(qsizetype keep);
    // releaseOlder() for views: when more than kReleaseAbove are held, down to kKeepWhenReleasing.
    Q_INVOKABLE void releaseFarHistory();
    static constexpr qsizetype kReleaseAbove = 1000;
    static constexpr qsizetype kKeepWhenReleasing = 500;

    // The local cache's copy of the newest messages, shown before the server is reached:
    // the store counts as loaded, and stale until the workspace has resumed it.
    void restore(const QList<StoredMessage> &messages, bool atStart, const QMap<protocol::StreamId, MessageExtras> &extras = {});
    [[nodiscard]] bool isStale() const { return m_stale; }
    void setStale(bool stale);

    // Asks for an older page: emits olderWanted() unless one is already on its way.
    void requestOlder();
    // The same for views: a list resting at its top asks again when the last page arrived
    // (ListView itself only asks when it moves).
    Q_INVOKABLE void loadOlder() { requestOlder(); }
    void olderFailed();
    // The same towards the newest, for a slice away from the latest: emits newerWanted().
    Q_INVOKABLE void loadNewer();
    void newerFailed();
    // Back to the newest messages (the jump-to-latest button): a slice away from them is
    // replaced by the newest page (emits latestWanted()); one at the latest stays.
    Q_INVOKABLE void returnToLatest();

    // --- focus ---
    [[nodiscard]] QString focusId() const { return m_focusId; }
    // Asks the view to bring `id` into sight and highlight it (once it is loaded).
    void setFocusId(const QString &id);
    // The view has shown it.
    Q_INVOKABLE void clearFocus() { setFocusId({}); }

    // --- sends ---
    [[nodiscard]] const QList<PendingSend> &pending() const { return m_pending; }
    [[nodiscard]] qsizetype indexOfPending(const QString &nonce) const;
    // Adds a pending send (text already checked), a reply in the thread of `replyTo` when
    // that is not empty, and returns its nonce.
    QString addPending(const QString &text, const QString &replyTo = {});
    // The oldest send waiting to go out, or nullptr.
    [[nodiscard]] const PendingSend *nextQueued() const;
    void setPendingState(const QString &nonce, PendingSend::State state, const QString &error = {});
    // The server stored it (its reply, or our own message event): the pending row becomes the
    // message. Returns false when the nonce was not pending (already confirmed).
    bool confirm(const protocol::Message &message);
    void discardPending(const QString &nonce);
    // After a reconnect every send in flight is queued again, in its original order.
    void requeueSending();

    // --- read marker ---
    [[nodiscard]] QString lastRead() const { return m_info.lastRead; }
    // Moves the marker forward (never back) and recounts unread. True if it moved.
    bool applyRead(const QString &upTo);
    // Where the "new messages" divider sits: after this ID. Frozen while the channel is viewed.
    [[nodiscard]] QString dividerAfter() const { return m_dividerAfter; }
    void setDividerAfter(const QString &id);

    // --- snapshot ---
    void applyInfo(const protocol::ChannelInfo &info);

    // --- members and typing ---
    [[nodiscard]] const QList<Member> &members() const { return m_members; }
    [[nodiscard]] bool membersLoaded() const { return m_membersLoaded; }
    // Whether the members' presence is known: not while the link is down (nobody can tell
    // us who comes and goes), until the members are asked again.
    [[nodiscard]] bool presenceKnown() const { return m_presenceKnown; }
    void setMembers(QList<Member> members);
    void forgetPresence();
    void setMember(const QString &user, bool present);
    void setOnline(const QString &user, bool online);
    void noteTyping(const QString &user);
    // How long a typing notice shows without a new one (tests shorten it).
    void setTypingLifetime(std::chrono::milliseconds lifetime) { m_typingLifetime = lifetime; }
    [[nodiscard]] QStringList typingUsers() const;
    [[nodiscard]] QString typingText() const;

    [[nodiscard]] MessageModel *messageModel() const { return m_messageModel; }
    [[nodiscard]] MemberModel *memberModel() const { return m_memberModel; }

Q_SIGNALS:
    void summaryChanged();
    void topicChanged();
    void loadingChanged();
    void typingChanged();
    void staleChanged();
    void olderWanted();
    void newerWanted();
    void latestWanted();
    void sendQueued();
    void focusChanged();
    void changeCursorChanged();

    // For the message model: positions are indexes into messages() / pending().
    void messagesAboutToBeInserted(qsizetype first, qsizetype count);
    void messagesInserted(qsizetype first, qsizetype count);
    void messagesAboutToBeRemoved(qsizetype first, qsizetype count);
    void messagesRemoved(qsizetype first, qsizetype count);
    void messageChanged(qsizetype index);
    void pendingAboutToBeInserted(qsizetype index);
    void pendingInserted(qsizetype index);
    void pendingAboutToBeRemoved(qsizetype index);
    void pendingRemoved(qsizetype index);
    void pendingChanged(qsizetype index);
    void aboutToReset();
    void resetDone();
    void dividerMoved(const QString &from, const QString &to);

    // For the member model.
    void membersAboutToReset();
    void membersReset();
    void memberChanged(qsizetype index);
    void memberAboutToBeInserted(qsizetype index);
    void memberInserted();
    void memberAboutToBeRemoved(qsizetype index);
    void memberRemoved();
    void presenceKnownChanged();

private:
    [[nodiscard]] qsizetype insertionIndex(const protocol::StreamId &id) const;
    [[nodiscard]] StoredMessage stored(const protocol::Message &message, const protocol::StreamId &id);
    // Brings a held message to `message`'s state; true when anything changed.
    bool refresh(qsizetype index, const protocol::Message &message);
    void forgetExtrasBefore(const protocol::StreamId &id);
    [[nodiscard]] QString intern(const QString &user);
    void recountUnread();
    void expireTyping();
    void noteKnownId(const QString &id);
    // Whether `message` is someone else's message newer than the last ID the snapshot counted
    // and than the read marker: one more unread.
    [[nodiscard]] bool countsAsNew(const protocol::Message &message, const protocol::StreamId &id) const;
    // A live message for a slice away from the latest: counted, not held.
    bool noteDetached(const protocol::Message &message);
    // Unread and mentions less what lay between the marker `from` and the current one, when
    // the slice holds all of it (a slice away from the latest cannot recount from scratch).
    void subtractRead(const QString &from);
    // Whether the slice, away from the latest, takes `id` (it must stay contiguous).
    [[nodiscard]] bool holdsPlaceFor(const QString &id) const;

    protocol::ChannelInfo m_info;
    QString m_self;
    QList<StoredMessage> m_messages;        // oldest first
    QSet<QString> m_users;                  // one copy of each author's name
    QMap<protocol::StreamId, MessageExtras> m_extras; // only of held messages that have any
    QList<PendingSend> m_pending;           // oldest first
    QString m_dividerAfter;
    bool m_loaded = false;
    bool m_atStart = false;
    bool m_loadingOlder = false;
    bool m_atLatest = true;
    bool m_loadingNewer = false;
    quint64 m_sliceGeneration = 0;
    QString m_changeCursor; // see changeCursor(); m_info.lastChange is the server's newest
    QString m_focusId;
    bool m_stale = false;

    QList<Member> m_members;
    bool m_membersLoaded = false;
    bool m_presenceKnown = false;
    QHash<QString, QDeadlineTimer> m_typing;
    std::chrono::milliseconds m_typingLifetime{6000};
    QTimer m_typingTimer;

    MessageModel *m_messageModel = nullptr; // children
    MemberModel *m_memberModel = nullptr;
};

} // namespace rill::client
