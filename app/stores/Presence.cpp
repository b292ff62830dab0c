#include "Presence.h"

#include "ChannelStore.h"
#include "EveryPage.h"
#include "models/ChannelListModel.h"
#include "session/ClientSession.h"

namespace rill::client {

Presence::Presence(ClientSession *session, ChannelListModel *channels, int listPageSize, QObject *parent)
    : QObject(parent)
    , m_session(session)
    , m_channels(channels)
    , m_listPageSize(listPageSize)
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
    const protocol::MembersParams params{name, {m_listPageSize, std::nullopt}};
    const auto reply = co_await requestEveryPage(m_session, params, &protocol::MembersResult::members);
    if (!self)
        co_return;
    self->m_loading.remove(name);
    if (!store || !reply.ok)
        co_return;
    QList<Member> members;
    members.reserve(reply.result.members.size());
    for (const protocol::MemberPresence &m : reply.result.members) {
        members.append({m.user, m.online});
        if (store->isDirect())
            self->m_channels->setPeerOnline(m.user, m.online);
    }
    store->setMembers(std::move(members));
}

} // namespace rill::client
