#pragma once

#include "protocol/Objects.h"

#include <QCoro/QCoroTask>
#include <QObject>
#include <QPointer>

namespace rill::client {

class ChannelStore;
class ClientSession;

// Fills stores from `history`: older pages when a view scrolls back, and after every sign-in
// whatever each loaded channel missed, page by page, while live events merge in by ID.
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
    // has nothing to catch up). Each store is caughtUp() when done; resumed() once all are.
    // A newer call supersedes the runs of an earlier one.
    void resumeAll(const QList<ChannelStore *> &stores);
    // The page before the oldest loaded message (or the newest page of a store never loaded).
    void loadOlder(ChannelStore *store);

Q_SIGNALS:
    // A message that was new to its store.
    void messageAdded(rill::client::ChannelStore *store, const rill::protocol::Message &message);
    // A page held one of our pending sends whose reply the link swallowed: it is confirmed.
    void sendConfirmed(rill::client::ChannelStore *store, const rill::protocol::Message &message);
    // The store has everything up to the present: its queued sends may go.
    void caughtUp(rill::client::ChannelStore *store);
    void resumed();
    void olderLoaded(rill::client::ChannelStore *store);

private:
    void absorb(ChannelStore *store, const QList<protocol::Message> &messages, bool announceNew);
    void finishResume(ChannelStore *store, bool caughtUp);
    QCoro::Task<> resume(QPointer<ChannelStore> store, quint64 epoch);
    QCoro::Task<> fetchOlder(QPointer<ChannelStore> store);

    ClientSession *m_session;
    Options m_options;
    quint64 m_epoch = 0; // bumped by every resumeAll
    int m_running = 0;
};

} // namespace rill::client
