#pragma once

#include "protocol/Requests.h"

#include <QCoro/QCoroTask>
#include <QObject>

namespace rill::client {

class ClientSession;

// What a user does to what is already there (revision 2): edits and deletes their messages,
// toggles reactions, sets a channel's topic. It asks the server; the stores change when the
// `update` and `topic` events come back (to every window alike), or at once from an edit's
// reply. Refusals become problem() texts, never silence.
class MessageActions : public QObject
{
    Q_OBJECT

public:
    explicit MessageActions(ClientSession *session, QObject *parent = nullptr);

    // `text` is checked (protocol::checkMessageText) already.
    void edit(const QString &channel, const QString &messageId, const QString &text);
    void remove(const QString &channel, const QString &messageId);
    void react(const QString &channel, const QString &messageId, const QString &emoji, bool on);
    void setTopic(const QString &channel, const QString &topic);

Q_SIGNALS:
    // A message's current state from a reply (the `update` event may come before or after).
    void messageChanged(const rill::protocol::Message &message);
    void problem(const QString &text);

private:
    QCoro::Task<> requestEdit(protocol::EditParams params);
    QCoro::Task<> requestDelete(protocol::DeleteParams params);
    QCoro::Task<> requestReact(protocol::ReactParams params);
    QCoro::Task<> requestTopic(protocol::TopicParams params);

    ClientSession *m_session;
};

} // namespace rill::client
