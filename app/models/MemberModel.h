#pragma once

#include <QAbstractListModel>
#include <QtQmlIntegration>

namespace rill::client {

class ChannelStore;

// A channel's members, online first, with their presence.
class MemberModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Every channel has its member model")
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    Q_PROPERTY(int onlineCount READ onlineCount NOTIFY countChanged)
    // False while the link is down: nobody shows as online then, and the view says why.
    Q_PROPERTY(bool presenceKnown READ presenceKnown NOTIFY presenceKnownChanged)

public:
    enum Role { UserRole = Qt::UserRole + 1, OnlineRole, IsSelfRole };
    Q_ENUM(Role)

    explicit MemberModel(ChannelStore *store);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    [[nodiscard]] int count() const { return rowCount(); }
    [[nodiscard]] int onlineCount() const;
    [[nodiscard]] bool presenceKnown() const;

Q_SIGNALS:
    void countChanged();
    void presenceKnownChanged();

private:
    ChannelStore *m_store;
};

} // namespace rill::client
