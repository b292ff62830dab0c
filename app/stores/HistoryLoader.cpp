#include "HistoryLoader.h"

#include "ChannelStore.h"
#include "protocol/Limits.h"
#include "session/ClientSession.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcClientHistory, "rill.client.history", QtInfoMsg)

namespace rill::client {

using protocol::Message;

HistoryLoader::HistoryLoader(ClientSession *session, Options options, QObject *parent)
    : QObject(parent)
    , m_session(session)
    , m_options(options)
{
}

void HistoryLoader::resumeAll(const QList<ChannelStore *> &stores)
{
    const quint64 epoch = ++m_epoch;
    m_running = 0;
    for (ChannelStore *store : stores) {
        if (!store->messages().isEmpty()) {
            ++m_running;
            resume(store, epoch);
        } else {
            Q_EMIT caughtUp(store);
        }
    }
    if (m_running == 0)
        Q_EMIT resumed();
}

void HistoryLoader::loadOlder(ChannelStore *store)
{
    fetchOlder(store);
}

void HistoryLoader::absorb(ChannelStore *store, const QList<Message> &messages, bool announceNew)
{
    // A page can hold our own message whose reply the link swallowed: it confirms the
    // pending send, which then is not sent again.
    QList<Message> plain;
    plain.reserve(messages.size());
    for (const Message &m : messages) {
        if (m.nonce.isString() && store->indexOfPending(m.nonce.toString()) >= 0) {
            store->confirm(m);
            Q_EMIT sendConfirmed(store, m);
        } else if (!announceNew || store->indexOfId(m.id) < 0) {
            plain.append(m);
        }
    }
    store->merge(plain);
    if (announceNew) {
        for (const Message &m : std::as_const(plain))
            Q_EMIT messageAdded(store, m);
    }
}

QCoro::Task<> HistoryLoader::resume(QPointer<ChannelStore> store, quint64 epoch)
{
    QPointer<HistoryLoader> self(this);
    const QString name = store->name();
    QString cursor = store->newestId();
    int pages = 0;
    bool caughtUp = false;
    while (true) {
        const protocol::HistoryParams params{name, std::nullopt, cursor, protocol::kMaxHistoryLimit};
        const auto reply = co_await m_session->request(params);
        if (!self || !store || self->m_epoch != epoch)
            co_return; // gone, or a newer sign-in resumes instead
        if (!reply.ok) {
            if (!reply.lost)
                qCWarning(lcClientHistory) << "cannot resume" << name << reply.errorName;
            break;
        }
        const QList<Message> &page = reply.result.messages;
        self->absorb(store, page, true);
        if (!page.isEmpty())
            cursor = page.constLast().id;
        if (!reply.result.more || page.isEmpty()) {
            caughtUp = true;
            break;
        }
        if (++pages >= self->m_options.maxResumePages) {
            // Too far behind to replay: start over from the newest page.
            const protocol::HistoryParams newest{name, std::nullopt, std::nullopt, self->m_options.pageSize};
            const auto fresh = co_await self->m_session->request(newest);
            if (!self || !store || self->m_epoch != epoch)
                co_return;
            if (fresh.ok) {
                store->resetToNewest(fresh.result.messages, fresh.result.more);
                caughtUp = true;
            }
            break;
        }
    }
    self->finishResume(store, caughtUp);
}

void HistoryLoader::finishResume(ChannelStore *store, bool caughtUp)
{
    if (caughtUp)
        Q_EMIT this->caughtUp(store);
    if (--m_running == 0)
        Q_EMIT resumed();
}

QCoro::Task<> HistoryLoader::fetchOlder(QPointer<ChannelStore> store)
{
    QPointer<HistoryLoader> self(this);
    protocol::HistoryParams params{store->name(), std::nullopt, std::nullopt, m_options.pageSize};
    // A store never loaded may hold live messages only: its first page is the newest one.
    if (store->isLoaded() && !store->oldestId().isEmpty())
        params.before = store->oldestId();
    const auto reply = co_await m_session->request(params);
    if (!self || !store)
        co_return;
    if (!reply.ok) {
        store->olderFailed();
        co_return;
    }
    self->absorb(store, reply.result.messages, false);
    store->addOlderPage({}, reply.result.more);
    Q_EMIT self->olderLoaded(store);
}

} // namespace rill::client
