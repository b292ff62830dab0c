#include "Directory.h"

#include "EveryPage.h"
#include "models/DirectoryModel.h"
#include "session/ClientSession.h"

#include <QPointer>

namespace rill::client {

using protocol::ErrorCode;

Directory::Directory(ClientSession *session, int listPageSize, QObject *parent)
    : QObject(parent)
    , m_session(session)
    , m_listPageSize(listPageSize)
    , m_model(new DirectoryModel(this))
{
}

void Directory::refresh()
{
    requestList();
}

void Directory::join(const QString &name)
{
    requestJoin(name);
}

void Directory::part(const QString &name)
{
    requestPart(name);
}

void Directory::openDirect(const QString &user)
{
    requestDirect(user);
}

QCoro::Task<> Directory::requestJoin(QString name)
{
    QPointer<Directory> self(this);
    const protocol::JoinParams params{name};
    const auto reply = co_await m_session->request(params);
    if (!self)
        co_return;
    if (!reply.ok) {
        Q_EMIT self->problem(tr("Cannot join #%1: %2").arg(name, reply.problemText()));
        co_return;
    }
    Q_EMIT self->entered(reply.result.channel);
}

QCoro::Task<> Directory::requestPart(QString name)
{
    QPointer<Directory> self(this);
    const protocol::PartParams params{name};
    const auto reply = co_await m_session->request(params);
    if (!self)
        co_return;
    if (!reply.ok && !reply.is(ErrorCode::NotMember)) {
        Q_EMIT self->problem(tr("Cannot leave #%1: %2").arg(name, reply.problemText()));
        co_return;
    }
    Q_EMIT self->left(name);
}

QCoro::Task<> Directory::requestDirect(QString user)
{
    QPointer<Directory> self(this);
    const protocol::DmParams params{user};
    const auto reply = co_await m_session->request(params);
    if (!self)
        co_return;
    if (!reply.ok) {
        Q_EMIT self->problem(tr("Cannot message %1: %2").arg(user, reply.problemText()));
        co_return;
    }
    Q_EMIT self->entered(reply.result.channel);
}

QCoro::Task<> Directory::requestList()
{
    QPointer<Directory> self(this);
    m_model->setLoading(true);
    protocol::ChannelsParams params;
    params.page.limit = m_listPageSize;
    const auto reply = co_await requestEveryPage(m_session, params, &protocol::ChannelsResult::channels);
    if (!self)
        co_return;
    self->m_model->setLoading(false);
    if (!reply.ok) {
        Q_EMIT self->problem(tr("Cannot list channels: %1").arg(reply.problemText()));
        co_return;
    }
    QList<DirectoryModel::Entry> entries;
    entries.reserve(reply.result.channels.size());
    for (const protocol::PublicChannel &c : reply.result.channels)
        entries.append({c.name, c.members});
    self->m_model->setEntries(std::move(entries));
}

} // namespace rill::client
