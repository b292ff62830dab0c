#pragma once

#include "protocol/Objects.h"

#include <QCoro/QCoroTask>
#include <QObject>

namespace rill::client {

class DirectoryModel;
class ClientSession;

// The server's channels as the user reaches them: the list of public channels (the channel
// browser's model), joining, leaving and opening direct messages. It asks; the Workspace
// makes or removes the stores when the answers come.
class Directory : public QObject
{
    Q_OBJECT

public:
    // `listPageSize`: entries per `channels` page; the list is read whole, page by page.
    Directory(ClientSession *session, int listPageSize, QObject *parent = nullptr);

    [[nodiscard]] DirectoryModel *model() const { return m_model; }

    void refresh();
    // `name` is a valid, normalized public channel name.
    void join(const QString &name);
    void part(const QString &name);
    // `user` is a valid user name, not the user's own.
    void openDirect(const QString &user);

Q_SIGNALS:
    // The server answered a join or a DM: the user is in this channel now.
    void entered(const rill::protocol::ChannelInfo &channel);
    // The server answered a part (or said the user was not in it anyway).
    void left(const QString &name);
    void problem(const QString &text);

private:
    QCoro::Task<> requestJoin(QString name);
    QCoro::Task<> requestPart(QString name);
    QCoro::Task<> requestDirect(QString user);
    QCoro::Task<> requestList();

    ClientSession *m_session;
    int m_listPageSize;
    DirectoryModel *m_model; // child
};

} // namespace rill::client
