#include "ChannelListModel.h"

#include "protocol/Names.h"
#include "stores/ChannelStore.h"

namespace rill::client {

ChannelListModel::ChannelListModel(QObject *parent)
    : QAbstractListModel(parent)
{
}

int ChannelListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

bool ChannelListModel::before(const ChannelStore *a, const ChannelStore *b)
{
    if (a->isDirect() != b->isDirect())
        return !a->isDirect();
    return a->title().compare(b->title(), Qt::CaseInsensitive) < 0;
}

void ChannelListModel::add(ChannelStore *store)
{
    if (rowOf(store->name()) >= 0)
        return;
    int at = 0;
    while (at < m_rows.size() && before(m_rows[at], store))
        ++at;
    beginInsertRows({}, at, at);
    m_rows.insert(at, store);
    endInsertRows();
    touchSectionStart(at + 1); // its neighbour below may have started the section
    connect(store, &ChannelStore::summaryChanged, this, [this, store] {
        const int row = rowOf(store->name());
        if (row >= 0)
            Q_EMIT dataChanged(index(row), index(row), {UnreadRole, HasUnreadRole, MentionsRole});
        Q_EMIT totalUnreadChanged();
    });
    Q_EMIT countChanged();
    Q_EMIT totalUnreadChanged();
}

void ChannelListModel::remove(const QString &name)
{
    const int row = rowOf(name);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    if (m_rows[row])
        m_rows[row]->disconnect(this);
    m_rows.removeAt(row);
    endRemoveRows();
    touchSectionStart(row); // the row that took its place may start the section now
    Q_EMIT countChanged();
    Q_EMIT totalUnreadChanged();
}

void ChannelListModel::clear()
{
    beginResetModel();
    for (const auto &store : std::as_const(m_rows)) {
        if (store)
            store->disconnect(this);
    }
    m_rows.clear();
    endResetModel();
    Q_EMIT countChanged();
    Q_EMIT totalUnreadChanged();
}

void ChannelListModel::setCurrent(const QString &name)
{
    const int old = rowOf(m_current);
    m_current = name;
    const int now = rowOf(name);
    for (const int row : {old, now}) {
        if (row >= 0)
            Q_EMIT dataChanged(index(row), index(row), {IsCurrentRole});
    }
}

void ChannelListModel::setPeerOnline(const QString &user, bool online)
{
    const QString key = protocol::userKey(user);
    m_peerOnline.insert(key, online);
    touchPeers(key);
}

void ChannelListModel::forgetPresence()
{
    m_peerOnline.clear();
    touchPeers({});
}

// The DM rows whose peer is `userKey`, or every DM row when it is empty.
void ChannelListModel::touchPeers(const QString &userKey)
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows[row] && m_rows[row]->isDirect() && (userKey.isEmpty() || protocol::userKey(m_rows[row]->peer()) == userKey))
            Q_EMIT dataChanged(index(row), index(row), {PeerOnlineRole, PeerPresenceKnownRole});
    }
}

bool ChannelListModel::startsSection(int row) const
{
    const ChannelStore *store = storeAt(row);
    if (!store)
        return false;
    const ChannelStore *above = storeAt(row - 1);
    return !above || above->isDirect() != store->isDirect();
}

void ChannelListModel::touchSectionStart(int row)
{
    if (row >= 0 && row < rowCount())
        Q_EMIT dataChanged(index(row), index(row), {StartsSectionRole});
}

int ChannelListModel::totalUnread() const
{
    int total = 0;
    for (const auto &store : m_rows) {
        if (store)
            total += store->unread();
    }
    return total;
}

int ChannelListModel::rowOf(const QString &name) const
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows[row] && m_rows[row]->name() == name)
            return row;
    }
    return -1;
}

QString ChannelListModel::nameAt(int row) const
{
    const ChannelStore *store = storeAt(row);
    return store ? store->name() : QString();
}

ChannelStore *ChannelListModel::storeAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows[row].data() : nullptr;
}

QVariant ChannelListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    ChannelStore *store = m_rows[index.row()];
    if (!store)
        return {};
    switch (role) {
    case NameRole: return store->name();
    case Qt::DisplayRole:
    case TitleRole: return store->title();
    case IsDirectRole: return store->isDirect();
    case SectionRole: return store->isDirect() ? tr("Direct messages") : tr("Channels");
    case UnreadRole: return store->unread();
    case HasUnreadRole: return store->unread() > 0;
    case MentionsRole: return store->mentions();
    case IsCurrentRole: return store->name() == m_current;
    case PeerOnlineRole: return store->isDirect() && m_peerOnline.value(protocol::userKey(store->peer()), false);
    case StoreRole: return QVariant::fromValue(store);
    case StartsSectionRole: return startsSection(index.row());
    case PeerPresenceKnownRole: return store->isDirect() && m_peerOnline.contains(protocol::userKey(store->peer()));
    default: return {};
    }
}

QHash<int, QByteArray> ChannelListModel::roleNames() const
{
    return {
        {NameRole, "name"},
        {TitleRole, "title"},
        {IsDirectRole, "isDirect"},
        {SectionRole, "section"},
        {UnreadRole, "unread"},
        {HasUnreadRole, "hasUnread"},
        {MentionsRole, "mentions"},
        {IsCurrentRole, "isCurrent"},
        {PeerOnlineRole, "peerOnline"},
        {StoreRole, "store"},
        {StartsSectionRole, "startsSection"},
        {PeerPresenceKnownRole, "peerPresenceKnown"},
    };
}

} // namespace rill::client
