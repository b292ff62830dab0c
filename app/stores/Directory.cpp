#include "Directory.h"

#include "Requests.h"
#include "models/DirectoryModel.h"

#include <QPointer>

namespace rill::client {

using protocol::ErrorCode;
using requests::problemText;

Directory::Directory(Session *session, QObject *parent)
    : QObject(parent)
    , m_session(session)
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
    const auto answer = co_await requests::join(m_session, name);
    if (!self)
        co_return;
    if (!answer.reply.ok) {
        Q_EMIT self->problem(tr("Cannot join #%1: %2").arg(name, problemText(answer.reply)));
        co_return;
    }
    if (answer.value)
        Q_EMIT self->entered(*answer.value);
}

QCoro::Task<> Directory::requestPart(QString name)
{
    QPointer<Directory> self(this);
    const Reply reply = co_await requests::part(m_session, name);
    if (!self)
        co_return;
    if (!reply.ok && !reply.is(ErrorCode::NotMember)) {
        Q_EMIT self->problem(tr("Cannot leave #%1: %2").arg(name, problemText(reply)));
        co_return;
    }
    Q_EMIT self->left(name);
}

QCoro::Task<> Directory::requestDirect(QString user)
{
    QPointer<Directory> self(this);
    const auto answer = co_await requests::openDirect(m_session, user);
    if (!self)
        co_return;
    if (!answer.reply.ok) {
        Q_EMIT self->problem(tr("Cannot message %1: %2").arg(user, problemText(answer.reply)));
        co_return;
    }
    if (answer.value)
        Q_EMIT self->entered(*answer.value);
}

QCoro::Task<> Directory::requestList()
{
    QPointer<Directory> self(this);
    m_model->setLoading(true);
    auto answer = co_await requests::publicChannels(m_session);
    if (!self)
        co_return;
    self->m_model->setLoading(false);
    if (!answer.reply.ok) {
        Q_EMIT self->problem(tr("Cannot list channels: %1").arg(problemText(answer.reply)));
        co_return;
    }
    self->m_model->setEntries(std::move(answer.value));
}

} // namespace rill::client
