#pragma once

#include "protocol/Objects.h"

#include <QCoro/QCoroTask>
#include <QHash>
#include <QObject>
#include <QPointer>

namespace rill::client {

class ChannelStore;
class ClientSession;

// Fills stores from `history`: older pages when a view scrolls back, newer ones when a slice
// away from the latest is scrolled down, the stretch around a message that is opened (a search
// result, a link), and after every sign-in whatever each loaded channel missed, page by page,
// while live events merge in by ID: first what changed in the messages it holds (`changes`
// after the store's change cursor, only when the server's moved), then what is new.
class HistoryLoader : public QObject
{
    Q_OBJECT

public:
    struct Options {
        int pageSize = 50;
        // A channel that missed more than this many pages while offline starts over from
        // its newest page instead of replaying them all.
        int maxResumePages = 20;
    };

    HistoryLoader(ClientSession *session, Options options, QObject *parent = nullptr);

    // After a sign-in: catches up every store that holds messages (a store that holds none
    // has nothing to catch up; one away from the latest only needs the changes). Each store
    // is caughtUp() when done; resumed() once all are. A newer call supersedes the runs of an
    // earlier one.
    void resumeAll(const QList<ChannelStore *> &stores);
    // The page before the oldest loaded message (or the newest page of a store never loaded).
    void loadOlder(ChannelStore *store);
    // The page after the newest loaded message of a slice away from the latest.
    void loadNewer(ChannelStore *store);
    // Replaces the store's slice with its newest page (back from a stretch away from it).
    void loadLatest(ChannelStore *store);
    // Replaces the store's slice with the stretch around `messageId`: jumped() when it is in,
    // problem() when it could not be loaded. A later loadAround or loadLatest of the same store
    // supersedes it.
    void loadAround(ChannelStore *store, const QString &messageId);

Q_SIGNALS:
    // A message that was new to its store.
    void messageAdded(rill::client::ChannelStore *store, const rill::protocol::Message &message);
    // A held message changed while we were away: its current state (from `changes`).
    void messageChanged(const rill::protocol::Message &message);
    // A page held one of our pending sends whose reply the link swallowed: it is confirmed.
    void sendConfirmed(rill::client::ChannelStore *store, const rill::protocol::Message &message);
    // The store has everything up to the present: its queued sends may go.
    void caughtUp(rill::client::ChannelStore *store);
    void resumed();
    void olderLoaded(rill::client::ChannelStore *store);
    void newerLoaded(rill::client::ChannelStore *store);
    // The stretch around `messageId` is in the store (the message itself is, unless the
    // channel has no such message).
    void jumped(rill::client::ChannelStore *store, const QString &messageId);
    void problem(const QString &text);

private:
    // Confirms the pending sends a page holds.
    void confirmSends(ChannelStore *store, const QList<protocol::Message> &page);
    // A resumed page: merged, its new messages announced.
    void absorb(ChannelStore *store, const QList<protocol::Message> &messages);
    void finishResume(ChannelStore *store, bool caughtUp);
    // How one step of a resume ended.
    enum class Step {
        Superseded, // the loader or store is gone, or a newer sign-in resumes instead
        Stopped,    // the link went: the next sign-in tries again
        Done,
        Reload,     // the server no longer has the changes: the held history must go
    };
    QCoro::Task<> resume(QPointer<ChannelStore> store, quint64 epoch);
    // `changes` after the store's cursor, page by page, applied as they come.
    QCoro::Task<Step> fetchChanges(QPointer<ChannelStore> store, quint64 epoch);
    // `history after` the newest held message, page by page.
    QCoro::Task<Step> replayNewer(QPointer<ChannelStore> store, quint64 epoch);
    // Replaces what the store holds with its newest page.
    QCoro::Task<Step> reloadNewest(QPointer<ChannelStore> store, quint64 epoch, quint64 generation);
    enum class Direction { Older, Newer };
    // Up to `pages` pages beyond the oldest (or newest) loaded message; newer ones only while
    // the store is not at the latest.
    QCoro::Task<> fetchPages(QPointer<ChannelStore> store, Direction direction, int pages);
    // The stretch around `messageId`, or the newest page when it is empty.
    QCoro::Task<> fetchStretch(QPointer<ChannelStore> store, QString messageId, quint64 serial);

    ClientSession *m_session;
    Options m_options;
    quint64 m_epoch = 0; // bumped by every resumeAll
    int m_running = 0;
    // Per channel, the latest loadAround or loadLatest: only its answer replaces the slice.
    QHash<QString, quint64> m_stretchSerial;
    quint64 m_lastSerial = 0;
};

} // namespace rill::client
