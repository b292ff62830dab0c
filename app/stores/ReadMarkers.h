#pragma once

#include "protocol/Objects.h"

#include <QCoro/QCoroTask>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <chrono>

namespace rill::client {

class ChannelStore;
class ClientSession;

// Moves read markers: what the user looks at becomes read after a short delay (so flicking
// through channels does not read them), what they write is read at once, and Esc reads
// everything. The server tells the user's other sessions.
class ReadMarkers : public QObject
{
    Q_OBJECT

public:
    ReadMarkers(ClientSession *session, std::chrono::milliseconds delay, QObject *parent = nullptr);

    // The store on screen: read up to its newest message after the delay, if still shown.
    void schedule(ChannelStore *store);
    // Nothing is on screen any more (another window, no channel).
    void cancel();
    // Reads the store up to its newest message now. Returns that ID ("" when it holds none).
    QString readAll(ChannelStore *store);
    // A message the user wrote was confirmed: what I write I have read.
    void readOwn(ChannelStore *store, const protocol::Message &message);

private:
    void readViewed();
    QCoro::Task<> send(QString channel, QString upTo);

    ClientSession *m_session;
    QTimer m_timer;
    QPointer<ChannelStore> m_viewed;
};

} // namespace rill::client
