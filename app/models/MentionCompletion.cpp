#include "MentionCompletion.h"

#include "protocol/Names.h"
#include "stores/ChannelStore.h"

namespace rill::client {

using namespace Qt::StringLiterals;

MentionCompletion::MentionCompletion(QObject *parent)
    : QAbstractListModel(parent)
{
}

int MentionCompletion::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_users.size());
}

QVariant MentionCompletion::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    switch (role) {
    case Qt::DisplayRole:
    case UserRole: return m_users[index.row()];
    case OnlineRole: return m_online[index.row()];
    default: return {};
    }
}

QHash<int, QByteArray> MentionCompletion::roleNames() const
{
    return {{UserRole, "user"}, {OnlineRole, "online"}};
}

void MentionCompletion::setStore(ChannelStore *store)
{
    if (store == m_store)
        return;
    if (m_store)
        disconnect(m_store, nullptr, this, nullptr);
    m_store = store;
    m_dismissed = -1;
    setMatches(-1, {});
    // The members may come after the "@" was typed (they are asked when a channel opens).
    const auto again = [this] { update(m_text, m_cursor); };
    if (store) {
        connect(store, &ChannelStore::membersReset, this, again);
        connect(store, &ChannelStore::memberInserted, this, again);
        connect(store, &ChannelStore::memberRemoved, this, again);
    }
    Q_EMIT storeChanged();
}

void MentionCompletion::setCurrentRow(int row)
{
    row = m_users.isEmpty() ? 0 : std::clamp(row, 0, int(m_users.size()) - 1);
    if (row == m_current)
        return;
    m_current = row;
    Q_EMIT currentRowChanged();
}

void MentionCompletion::update(const QString &text, int cursor)
{
    // A text edit moves its cursor before it says its text changed: the next call is whole.
    if (cursor > text.size())
        return;
    m_text = text;
    m_cursor = cursor;
    const qsizetype start = protocol::mentionStartAt(text, cursor);
    if (start != m_dismissed)
        m_dismissed = -1;
    if (start < 0 || start == m_dismissed || !m_store) {
        setMatches(-1, {});
        return;
    }
    const QString prefix = protocol::userKey(QStringView(text).sliced(start + 1, cursor - start - 1).toString());
    const QString self = protocol::userKey(m_store->self());
    QStringList users;
    for (const Member &member : m_store->members()) {
        const QString key = protocol::userKey(member.user);
        if (key != self && key.startsWith(prefix))
            users.append(member.user);
        if (users.size() == kMaxRows)
            break;
    }
    setMatches(start, std::move(users));
}

void MentionCompletion::setMatches(qsizetype start, QStringList users)
{
    const bool wasActive = isActive();
    const bool same = users == m_users;
    m_start = start;
    if (!same) {
        beginResetModel();
        m_users = std::move(users);
        m_online.clear();
        for (const QString &user : std::as_const(m_users)) {
            const auto &members = m_store->members();
            const auto it = std::find_if(members.cbegin(), members.cend(), [&user](const Member &m) { return m.user == user; });
            m_online.append(it != members.cend() && it->online);
        }
        endResetModel();
        m_current = -1; // a new list starts at its first row
        setCurrentRow(0);
    }
    if (wasActive != isActive())
        Q_EMIT activeChanged();
}

void MentionCompletion::move(int delta)
{
    if (m_users.isEmpty())
        return;
    const int n = int(m_users.size());
    setCurrentRow(((m_current + delta) % n + n) % n);
}

void MentionCompletion::dismiss()
{
    if (m_start < 0)
        return;
    m_dismissed = m_start;
    setMatches(-1, {});
}

QVariantMap MentionCompletion::complete(const QString &text, int cursor, int row) const
{
    const qsizetype start = protocol::mentionStartAt(text, cursor);
    if (start < 0 || row < 0 || row >= m_users.size())
        return {{u"text"_s, text}, {u"cursor"_s, cursor}};
    // The whole name the cursor is in goes, also what follows the cursor.
    qsizetype end = cursor;
    while (end < text.size() && protocol::mentionStartAt(text, end + 1) == start)
        ++end;
    const QString inserted = u'@' + m_users[row] + u' ';
    const QString completed = text.left(start) + inserted + text.mid(end);
    return {{u"text"_s, completed}, {u"cursor"_s, int(start + inserted.size())}};
}

} // namespace rill::client
