#pragma once

#include <QAbstractListModel>
#include <QPointer>
#include <QtQmlIntegration>

namespace rill::client {

class ChannelStore;

// The sidebar: public channels, then direct messages, each alphabetical, with unread counts.
// Each row says whether it starts its section, so the view draws the heading with the row:
// Qt 6.4's ListView reuses section heading items without updating their text, which put a
// DM under a second "Channels" heading (issue 9, item 5).
class ChannelListModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("The workspace owns the channel list")
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    Q_PROPERTY(int totalUnread READ totalUnread NOTIFY totalUnreadChanged)

public:
    enum Role {
        NameRole = Qt::UserRole + 1,
        TitleRole,
        IsDirectRole,
        SectionRole,
        UnreadRole,
        HasUnreadRole,
        IsCurrentRole,
        PeerOnlineRole,
        StoreRole,
        StartsSectionRole,
        PeerPresenceKnownRole, // false while the link is down, until the DM's members are asked again
        MentionsRole,          // how many unread messages mention the user
    };
    Q_ENUM(Role)

    explicit ChannelListModel(QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    void add(ChannelStore *store);
    void remove(const QString &name);
    void clear();
    void setCurrent(const QString &name);
    void setPeerOnline(const QString &user, bool online);
    // Nobody's presence is known (the link is down).
    void forgetPresence();

    [[nodiscard]] int count() const { return rowCount(); }
    [[nodiscard]] int totalUnread() const;
    Q_INVOKABLE int rowOf(const QString &name) const;
    Q_INVOKABLE QString nameAt(int row) const;
    [[nodiscard]] ChannelStore *storeAt(int row) const;

Q_SIGNALS:
    void countChanged();
    void totalUnreadChanged();

private:
    [[nodiscard]] static bool before(const ChannelStore *a, const ChannelStore *b);
    [[nodiscard]] bool startsSection(int row) const;
    void touchSectionStart(int row);
    void touchPeers(const QString &userKey);

    QList<QPointer<ChannelStore>> m_rows;
    QHash<QString, bool> m_peerOnline; // user key -> online; absent: not known
    QString m_current;
};

} // namespace rill::client
