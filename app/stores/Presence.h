#pragma once

#include <QCoro/QCoroTask>
#include <QObject>
#include <QPointer>
#include <QSet>

namespace rill::client {

class ChannelListModel;
class ChannelStore;
class ClientSession;

// Who is in each channel and who is online: the member lists (loaded when a channel is first
// shown, and for every DM so that the sidebar can show whether its peer is there) and the
// presence events that keep them current.
class Presence : public QObject
{
    Q_OBJECT

public:
    // `listPageSize`: entries per `members` page; a channel's members are read whole.
    Presence(ClientSession *session, ChannelListModel *channels, int listPageSize, QObject *parent = nullptr);

    // Asks for the store's members, unless that is already on its way.
    void loadMembers(ChannelStore *store);
    void setOnline(const QList<ChannelStore *> &stores, const QString &user, bool online);
    // The link is down: nobody's presence is known until the members are asked again.
    void forget(const QList<ChannelStore *> &stores);

private:
    QCoro::Task<> requestMembers(QPointer<ChannelStore> store);

    ClientSession *m_session;
    ChannelListModel *m_channels;
    int m_listPageSize;
    QSet<QString> m_loading;
};

} // namespace rill::client
