#include "MemberModel.h"

#include "stores/ChannelStore.h"

namespace rill::client {

MemberModel::MemberModel(ChannelStore *store)
    : QAbstractListModel(store)
    , m_store(store)
{
    connect(store, &ChannelStore::membersAboutToReset, this, [this] { beginResetModel(); });
    connect(store, &ChannelStore::membersReset, this, [this] {
        endResetModel();
        Q_EMIT countChanged();
    });
    connect(store, &ChannelStore::memberAboutToBeInserted, this,
            [this](qsizetype at) { beginInsertRows({}, int(at), int(at)); });
    connect(store, &ChannelStore::memberInserted, this, [this] {
        endInsertRows();
        Q_EMIT countChanged();
    });
    connect(store, &ChannelStore::memberAboutToBeRemoved, this,
            [this](qsizetype at) { beginRemoveRows({}, int(at), int(at)); });
    connect(store, &ChannelStore::memberRemoved, this, [this] {
        endRemoveRows();
        Q_EMIT countChanged();
    });
    connect(store, &ChannelStore::presenceKnownChanged, this, &MemberModel::presenceKnownChanged);
    connect(store, &ChannelStore::memberChanged, this, [this](qsizetype at) {
        Q_EMIT dataChanged(index(int(at)), index(int(at)), {OnlineRole});
        Q_EMIT countChanged();
    });
}

int MemberModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_store->members().size());
}

int MemberModel::onlineCount() const
{
    return int(std::count_if(m_store->members().cbegin(), m_store->members().cend(), [](const Member &m) { return m.online; }));
}

bool MemberModel::presenceKnown() const
{
    return m_store->presenceKnown();
}

QVariant MemberModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Member &m = m_store->members()[index.row()];
    switch (role) {
    case Qt::DisplayRole:
    case UserRole: return m.user;
    case OnlineRole: return m.online;
    case IsSelfRole: return m.user.compare(m_store->self(), Qt::CaseInsensitive) == 0;
    default: return {};
    }
}

QHash<int, QByteArray> MemberModel::roleNames() const
{
    return {{UserRole, "user"}, {OnlineRole, "online"}, {IsSelfRole, "isSelf"}};
}

} // namespace rill::client
