#pragma once

#include "protocol/Objects.h"

#include <QCoro/QCoroTask>
#include <QObject>
#include <QPointer>
#include <QSet>

#include <chrono>

namespace rill::client {

class ChannelStore;
class ClientSession;

// Sends each store's queued messages, one at a time per channel and in the order they were
// written: the server orders what it stores by arrival, and pipelined sends could be stored
// out of order. A send whose reply is lost stays queued for the next sign-in (its nonce makes
// the resend safe); a rate-limited one waits and goes again; a refused one fails with the
// server's reason.
class SendQueue : public QObject
{
    Q_OBJECT

public:
    SendQueue(ClientSession *session, std::chrono::milliseconds retryPause, QObject *parent = nullptr);

    // Starts sending the store's queued messages, unless that is already going on.
    void pump(ChannelStore *store);
    // Forgets which stores are being sent (signed out: their loops end with their stores).
    void clear() { m_pumping.clear(); }

Q_SIGNALS:
    void sendConfirmed(rill::client::ChannelStore *store, const rill::protocol::Message &message);

private:
    QCoro::Task<> run(QPointer<ChannelStore> store);

    ClientSession *m_session;
    std::chrono::milliseconds m_retryPause;
    QSet<QString> m_pumping;
};

} // namespace rill::client
