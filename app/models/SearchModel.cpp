#include "SearchModel.h"

#include "TimeFormat.h"
#include "render/MessageRenderer.h"

namespace rill::client {

SearchModel::SearchModel(std::function<QString(const QString &)> titleOf, QObject *parent)
    : QAbstractListModel(parent)
    , m_titleOf(std::move(titleOf))
{
}

int SearchModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

void SearchModel::reset(const QStringList &words)
{
    beginResetModel();
    m_rows.clear();
    m_words = words;
    m_more = false;
    m_loading = false;
    endResetModel();
    Q_EMIT countChanged();
}

void SearchModel::append(const QList<protocol::Message> &messages)
{
    if (messages.isEmpty())
        return;
    const int first = int(m_rows.size());
    beginInsertRows({}, first, first + int(messages.size()) - 1);
    for (const protocol::Message &m : messages)
        m_rows.append({m.id, m.channel, m.user, m.text, MessageRenderer::highlightWords(m.text, m_words), m.ts});
    endInsertRows();
    Q_EMIT countChanged();
}

QVariant SearchModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows[index.row()];
    switch (role) {
    case IdRole: return row.id;
    case ChannelRole: return row.channel;
    case ChannelTitleRole: return m_titleOf ? m_titleOf(row.channel) : row.channel;
    case AuthorRole: return MessageRenderer::revealControls(row.user);
    case Qt::DisplayRole:
    case TextRole: return row.text;
    case StyledTextRole: return row.styled;
    case TimestampRole: return QDateTime::fromMSecsSinceEpoch(row.ts);
    case WhenRole: return TimeFormat::relative(QDateTime::fromMSecsSinceEpoch(row.ts), QDateTime::currentDateTime());
    default: return {};
    }
}

QHash<int, QByteArray> SearchModel::roleNames() const
{
    return {
        {IdRole, "messageId"},
        {ChannelRole, "channel"},
        {ChannelTitleRole, "channelTitle"},
        {AuthorRole, "author"},
        {TextRole, "text"},
        {StyledTextRole, "styledText"},
        {TimestampRole, "timestamp"},
        {WhenRole, "when"},
    };
}

bool SearchModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_more && !m_loading;
}

void SearchModel::fetchMore(const QModelIndex &parent)
{
    if (canFetchMore(parent))
        Q_EMIT moreWanted();
}

} // namespace rill::client
