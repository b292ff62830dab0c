#include "Presence.h"

#include "ChannelStore.h"
#include "Requests.h"
#include "models/ChannelListModel.h"

namespace rill::client {

Presence::Presence(Session *session, ChannelListModel *channels, QObject *parent)
    : QObject(parent)
    , m_session(session)
    , m_channels(channels)
{
}

void Presence::loadMembers(ChannelStore *store)
{
    if (!m_loading.contains(store->name()))
        requestMembers(store);
}

void Presence::setOnline(const QList<ChannelStore *> &stores, const QString &user, bool online)
{
    for (ChannelStore *store : stores)
        store->setOnline(user, online);
    m_channels->setPeerOnline(user, online);
}

void Presence::forget(const QList<ChannelStore *> &stores)
{
    for (ChannelStore *store : stores)
        store->forgetPresence();
    m_channels->forgetPresence();
}

QCoro::Task<> Presence::requestMembers(QPointer<ChannelStore> store)
{
    QPointer<Presence> self(this);
    const QString name = store->name();
    m_loading.insert(name);
    auto answer = co_await requests::members(m_session, name);
    if (!self)
        co_return;
    self->m_loading.remove(name);
    if (!store || !answer.reply.ok)
        co_return;
    if (store->isDirect()) {
        for (const Member &member : std::as_const(answer.value))
            self->m_channels->setPeerOnline(member.user, member.online);
    }
    store->setMembers(std::move(answer.value));
}

} // namespace rill::client
