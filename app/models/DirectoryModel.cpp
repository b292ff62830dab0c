#include "DirectoryModel.h"

#include "protocol/Names.h"

namespace rill::client {

DirectoryModel::DirectoryModel(QObject *parent)
    : QAbstractListModel(parent)
{
}

QString DirectoryModel::channelNameFor(const QString &typed)
{
    const QString trimmed = typed.trimmed();
    return protocol::normalizeChannelName(trimmed.startsWith(u'#') ? QStringView(trimmed).mid(1) : QStringView(trimmed))
        .value_or(QString());
}

int DirectoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

QVariant DirectoryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Entry &e = m_entries[index.row()];
    switch (role) {
    case Qt::DisplayRole:
    case NameRole: return e.name;
    case MembersRole: return e.members;
    case JoinedRole: return m_joined.contains(e.name);
    default: return {};
    }
}

QHash<int, QByteArray> DirectoryModel::roleNames() const
{
    return {{NameRole, "name"}, {MembersRole, "members"}, {JoinedRole, "joined"}};
}

void DirectoryModel::setEntries(QList<Entry> entries)
{
    // Busiest first: in a browser the lively channels are what people look for.
    std::sort(entries.begin(), entries.end(), [](const Entry &a, const Entry &b) {
        return a.members != b.members ? a.members > b.members : a.name < b.name;
    });
    beginResetModel();
    m_entries = std::move(entries);
    endResetModel();
    Q_EMIT countChanged();
}

void DirectoryModel::setJoined(const QSet<QString> &joined)
{
    if (joined == m_joined)
        return;
    m_joined = joined;
    if (!m_entries.isEmpty())
        Q_EMIT dataChanged(index(0), index(rowCount() - 1), {JoinedRole});
}

void DirectoryModel::setLoading(bool loading)
{
    if (loading == m_loading)
        return;
    m_loading = loading;
    Q_EMIT loadingChanged();
}

} // namespace rill::client
