#include "MessageActions.h"

#include "session/ClientSession.h"

#include <QPointer>

namespace rill::client {

MessageActions::MessageActions(ClientSession *session, QObject *parent)
    : QObject(parent)
    , m_session(session)
{
}

void MessageActions::edit(const QString &channel, const QString &messageId, const QString &text)
{
    requestEdit({channel, messageId, text});
}

void MessageActions::remove(const QString &channel, const QString &messageId)
{
    requestDelete({channel, messageId});
}

void MessageActions::react(const QString &channel, const QString &messageId, const QString &emoji, bool on)
{
    requestReact({channel, messageId, emoji, on});
}

void MessageActions::setTopic(const QString &channel, const QString &topic)
{
    requestTopic({channel, topic});
}

QCoro::Task<> MessageActions::requestEdit(protocol::EditParams params)
{
    QPointer<MessageActions> self(this);
    const auto reply = co_await m_session->request(params);
    if (!self)
        co_return;
    if (!reply.ok) {
        Q_EMIT self->problem(tr("Cannot edit the message: %1").arg(reply.problemText()));
        co_return;
    }
    Q_EMIT self->messageChanged(reply.result.message);
}

QCoro::Task<> MessageActions::requestDelete(protocol::DeleteParams params)
{
    QPointer<MessageActions> self(this);
    const auto reply = co_await m_session->request(params);
    if (self && !reply.ok)
        Q_EMIT self->problem(tr("Cannot delete the message: %1").arg(reply.problemText()));
}

QCoro::Task<> MessageActions::requestReact(protocol::ReactParams params)
{
    QPointer<MessageActions> self(this);
    const auto reply = co_await m_session->request(params);
    if (self && !reply.ok)
        Q_EMIT self->problem(tr("Cannot react: %1").arg(reply.problemText()));
}

QCoro::Task<> MessageActions::requestTopic(protocol::TopicParams params)
{
    QPointer<MessageActions> self(this);
    const auto reply = co_await m_session->request(params);
    if (self && !reply.ok)
        Q_EMIT self->problem(tr("Cannot set the topic: %1").arg(reply.problemText()));
}

} // namespace rill::client
