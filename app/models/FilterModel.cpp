#include "FilterModel.h"

namespace rill::client {

FilterModel::FilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setDynamicSortFilter(true);
    connect(this, &QAbstractItemModel::rowsInserted, this, &FilterModel::countChanged);
    connect(this, &QAbstractItemModel::rowsRemoved, this, &FilterModel::countChanged);
    connect(this, &QAbstractItemModel::modelReset, this, &FilterModel::countChanged);
    connect(this, &QAbstractItemModel::layoutChanged, this, &FilterModel::countChanged);
}

void FilterModel::setText(const QString &text)
{
    if (text == m_text)
        return;
    m_text = text;
    invalidate();
    // Ranking only matters while filtering; without text the source order stands.
    sort(m_text.isEmpty() ? -1 : 0);
    Q_EMIT textChanged();
    Q_EMIT countChanged();
}

void FilterModel::setFilterRoleName(const QString &name)
{
    if (name == m_roleName)
        return;
    m_roleName = name;
    invalidate();
    Q_EMIT filterRoleNameChanged();
}

int FilterModel::role() const
{
    if (!sourceModel())
        return Qt::DisplayRole;
    return sourceModel()->roleNames().key(m_roleName.toUtf8(), Qt::DisplayRole);
}

QString FilterModel::needle() const
{
    // People write channels the way they read them, "#design".
    const QString trimmed = m_text.trimmed();
    return trimmed.startsWith(u'#') ? trimmed.mid(1) : trimmed;
}

bool FilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_text.isEmpty())
        return true;
    const QString value = sourceModel()->index(sourceRow, 0, sourceParent).data(role()).toString();
    return value.contains(needle(), Qt::CaseInsensitive);
}

bool FilterModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const QString a = left.data(role()).toString();
    const QString b = right.data(role()).toString();
    const QString wanted = needle();
    const bool aPrefix = a.startsWith(wanted, Qt::CaseInsensitive);
    const bool bPrefix = b.startsWith(wanted, Qt::CaseInsensitive);
    if (aPrefix != bPrefix)
        return aPrefix;
    return left.row() < right.row();
}

int FilterModel::sourceRow(int row) const
{
    return mapToSource(index(row, 0)).row();
}

QVariant FilterModel::get(int row, const QString &roleName) const
{
    if (!sourceModel())
        return {};
    const int r = sourceModel()->roleNames().key(roleName.toUtf8(), -1);
    return r < 0 ? QVariant() : index(row, 0).data(r);
}

} // namespace rill::client
