#pragma once

#include "protocol/Objects.h"

#include <QCoro/QCoroTask>
#include <QObject>
#include <QPointer>
#include <QtQmlIntegration>

namespace rill::client {

class ChannelStore;
class ClientSession;
class MessageModel;

// The thread open in the side panel: its root and replies, oldest first, in a ChannelStore of
// their own (so the panel's rows are a MessageModel like the timeline's: the same grouping,
// edits, deletions and reactions, not a copy of them). It asks `thread` page by page with
// `after` until the server says there is no more, takes live messages and `update`s of the
// thread as the workspace hands them over, and loads again after a reconnect. Replies are
// sent through the channel's queue (the workspace does that): they are channel messages too.
class Thread : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("The workspace has the one open thread")
    Q_PROPERTY(bool isOpen READ isOpen NOTIFY openChanged)
    Q_PROPERTY(QString channel READ channel NOTIFY openChanged)
    Q_PROPERTY(QString rootId READ rootId NOTIFY openChanged)
    // Holds the root and its replies; null while closed. A new one for every thread opened.
    Q_PROPERTY(rill::client::ChannelStore *store READ store NOTIFY openChanged)
    Q_PROPERTY(rill::client::MessageModel *messages READ messages NOTIFY openChanged)
    Q_PROPERTY(bool loading READ isLoading NOTIFY loadingChanged)

public:
    Thread(ClientSession *session, int pageSize, QObject *parent = nullptr);
    ~Thread() override;

    [[nodiscard]] bool isOpen() const { return m_store != nullptr; }
    [[nodiscard]] QString channel() const { return m_channel; }
    [[nodiscard]] QString rootId() const { return m_rootId; }
    [[nodiscard]] ChannelStore *store() const { return m_store; }
    [[nodiscard]] MessageModel *messages() const;
    [[nodiscard]] bool isLoading() const { return m_loading; }

    // Shows the thread of `rootId` in `channel` (whose info and user the panel's store takes),
    // instead of whatever was open.
    void open(const ChannelStore &channel, const QString &rootId);
    void close();
    // Asks for the whole thread again (after a reconnect): what changed meanwhile is
    // replaced in place, what is new is added.
    void reload();

    // Whether `message` is the open thread's root or one of its replies.
    [[nodiscard]] bool holds(const protocol::Message &message) const;
    // A live message or a confirmed send: added when it belongs to the open thread.
    void take(const protocol::Message &message);
    // A message's current state (an `update`), applied when it is part of the open thread.
    void applyUpdate(const protocol::Message &message);

Q_SIGNALS:
    void openChanged();
    void loadingChanged();
    // The thread could not be loaded (the root is gone, the channel was left); it closed.
    void problem(const QString &text);

private:
    QCoro::Task<> load(quint64 epoch);
    void setLoading(bool loading);

    ClientSession *m_session;
    int m_pageSize;
    QPointer<ChannelStore> m_store; // a child; replaced by every open()
    QString m_channel;
    QString m_rootId;
    quint64 m_epoch = 0; // bumped by every open, close and reload: older loads stop
    bool m_loading = false;
};

} // namespace rill::client
