#include "SendQueue.h"

#include "ChannelStore.h"
#include "session/ClientSession.h"

#include <QCoro/QCoroTimer>
#include <QTimer>

namespace rill::client {

using protocol::ErrorCode;

SendQueue::SendQueue(ClientSession *session, std::chrono::milliseconds retryPause, QObject *parent)
    : QObject(parent)
    , m_session(session)
    , m_retryPause(retryPause)
{
}

void SendQueue::pump(ChannelStore *store)
{
    run(store);
}

QCoro::Task<> SendQueue::run(QPointer<ChannelStore> store)
{
    if (!store || m_pumping.contains(store->name()))
        co_return;
    QPointer<SendQueue> self(this);
    const QString name = store->name();
    m_pumping.insert(name);
    while (self && store && self->m_session->isOnline()) {
        const PendingSend *next = store->nextQueued();
        if (!next)
            break;
        const QString nonce = next->nonce;
        const protocol::SendParams params{name, next->text, nonce, next->replyTo};
        store->setPendingState(nonce, PendingSend::State::Sending);
        const auto reply = co_await self->m_session->request(params);
        if (!self || !store)
            co_return;
        if (reply.ok) {
            if (store->confirm(reply.result.message))
                Q_EMIT self->sendConfirmed(store, reply.result.message);
            continue;
        }
        if (reply.lost) {
            // Written or not, it goes again after the next sign-in; the nonce makes that safe.
            store->setPendingState(nonce, PendingSend::State::Queued);
            break;
        }
        if (reply.is(ErrorCode::RateLimited) || reply.is(ErrorCode::Internal)) {
            store->setPendingState(nonce, PendingSend::State::Queued);
            QTimer pause;
            pause.setSingleShot(true);
            pause.start(self->m_retryPause);
            co_await pause;
            continue;
        }
        store->setPendingState(nonce, PendingSend::State::Failed, reply.problemText());
    }
    if (self)
        self->m_pumping.remove(name);
}

} // namespace rill::client
