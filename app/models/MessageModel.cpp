#include "MessageModel.h"

#include "TimeFormat.h"
#include "protocol/Names.h"
#include "protocol/StreamId.h"
#include "render/MessageRenderer.h"
#include "stores/ChannelStore.h"

namespace rill::client {

using namespace Qt::StringLiterals;
using protocol::MessageKind;
using protocol::StreamId;

namespace {
constexpr qint64 kGroupGapMs = 5 * 60 * 1000;

// What a message's current state (an edit, a deletion, a reaction, a reply) changes.
const QList<int> &stateRoles()
{
    static const QList<int> roles{Qt::DisplayRole,           MessageModel::TextRole,      MessageModel::StyledTextRole,
                                  MessageModel::MentionsMeRole, MessageModel::IsEditedRole, MessageModel::IsDeletedRole,
                                  MessageModel::ReactionsRole, MessageModel::RepliesRole};
    return roles;
}

QDateTime timeOf(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms);
}
} // namespace

MessageModel::MessageModel(ChannelStore *store)
    : QAbstractListModel(store)
    , m_store(store)
    , m_today(QDate::currentDate())
{
    m_midnight.setSingleShot(true);
    connect(&m_midnight, &QTimer::timeout, this, [this] { setToday(QDate::currentDate()); });
    scheduleMidnight();

    connect(store, &ChannelStore::messagesAboutToBeInserted, this, [this](qsizetype first, qsizetype count) {
        const int n = int(m_store->messages().size());
        const int top = pendingRows() + n - int(first); // the row the newest of them takes
        m_messagesBefore = n;
        beginInsertRows({}, top, top + int(count) - 1);
    });
    connect(store, &ChannelStore::messagesInserted, this, [this](qsizetype first, qsizetype count) {
        endInsertRows();
        Q_EMIT countChanged();
        const int top = pendingRows() + int(m_messagesBefore) - int(first);
        // The row above the new ones now has a different older neighbour.
        touchRow(top - 1);
        touchExcerpts(first, count);
        updateDivider();
    });
    connect(store, &ChannelStore::messagesAboutToBeRemoved, this, [this](qsizetype first, qsizetype count) {
        const int n = int(m_store->messages().size());
        const int top = pendingRows() + n - int(first + count); // the row the newest of them has
        beginRemoveRows({}, top, top + int(count) - 1);
    });
    connect(store, &ChannelStore::messagesRemoved, this, [this] {
        endRemoveRows();
        Q_EMIT countChanged();
        touchRow(rowCount() - 1); // the oldest row left has no older neighbour now
        updateDivider();
    });
    connect(store, &ChannelStore::pendingAboutToBeInserted, this, [this](qsizetype index) {
        const int row = pendingRows() - int(index);
        beginInsertRows({}, row, row);
    });
    connect(store, &ChannelStore::pendingInserted, this, [this] {
        endInsertRows();
        Q_EMIT countChanged();
        updateDivider();
    });
    connect(store, &ChannelStore::pendingAboutToBeRemoved, this, [this](qsizetype index) {
        const int row = pendingRows() - 1 - int(index);
        beginRemoveRows({}, row, row);
    });
    connect(store, &ChannelStore::pendingRemoved, this, [this](qsizetype index) {
        endRemoveRows();
        Q_EMIT countChanged();
        touchRow(pendingRows() - int(index) - 1);
        updateDivider();
    });
    connect(store, &ChannelStore::pendingChanged, this, [this](qsizetype index) {
        touchRow(pendingRows() - 1 - int(index), {IsPendingRole, IsFailedRole, SendErrorRole});
    });
    connect(store, &ChannelStore::messageChanged, this, [this](qsizetype index) {
        touchRow(messageRow(index), stateRoles());
        touchExcerpts(index, 1);
    });
    connect(store, &ChannelStore::aboutToReset, this, [this] { beginResetModel(); });
    connect(store, &ChannelStore::resetDone, this, [this] {
        endResetModel();
        Q_EMIT countChanged();
        m_dividerId = dividerMessageId();
        Q_EMIT dividerRowChanged();
    });
    connect(store, &ChannelStore::dividerMoved, this, &MessageModel::updateDivider);
}

void MessageModel::scheduleMidnight()
{
    const QDateTime now = QDateTime::currentDateTime();
    const QDateTime next(now.date().addDays(1), QTime(0, 0, 1));
    m_midnight.start(std::chrono::milliseconds(std::max<qint64>(1000, now.msecsTo(next))));
}

void MessageModel::setToday(const QDate &day)
{
    m_today = day;
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0), index(rowCount() - 1), {DayRole, WhenRole, ShowDayRole});
    scheduleMidnight();
}

int MessageModel::pendingRows() const
{
    return int(m_store->pending().size());
}

int MessageModel::messageRow(qsizetype index) const
{
    return pendingRows() + int(m_store->messages().size()) - 1 - int(index);
}

int MessageModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    return pendingRows() + int(m_store->messages().size());
}

MessageModel::Entry MessageModel::entry(int row) const
{
    const int p = pendingRows();
    if (row < 0 || row >= rowCount())
        return {};
    if (row < p)
        return {nullptr, &m_store->pending()[p - 1 - row]};
    const auto &messages = m_store->messages();
    return {&messages[messages.size() - 1 - (row - p)], nullptr};
}

void MessageModel::touchRow(int row, const QList<int> &roles)
{
    if (row >= 0 && row < rowCount())
        Q_EMIT dataChanged(index(row), index(row), roles);
}

namespace {
QString userOf(const auto &e, const QString &self)
{
    return e.message ? e.message->user : self;
}
qint64 tsOf(const auto &e)
{
    return e.message ? e.message->ts() : e.pending->createdMs;
}
bool isNotice(const auto &e)
{
    return e.message && e.message->kind != MessageKind::Message;
}
} // namespace

bool MessageModel::showAuthor(const Entry &e, const Entry &older) const
{
    if (isNotice(e))
        return false;
    if (!older || isNotice(older))
        return true;
    if (userOf(e, m_store->self()).compare(userOf(older, m_store->self()), Qt::CaseInsensitive) != 0)
        return true;
    if (timeOf(tsOf(e)).date() != timeOf(tsOf(older)).date())
        return true;
    return tsOf(e) - tsOf(older) > kGroupGapMs;
}

qsizetype MessageModel::dividerIndex() const
{
    // Above the first message of someone else after the marker: the user's own messages
    // never start what is new (issue 9, item 7). Unknown when the marker is not loaded.
    const auto marker = StreamId::parse(m_store->dividerAfter());
    const auto &messages = m_store->messages();
    if (!marker || messages.isEmpty())
        return -1;
    auto it = std::upper_bound(messages.cbegin(), messages.cend(), *marker, [](const StreamId &a, const StoredMessage &m) { return a < m.id; });
    if (it == messages.cbegin())
        return -1;
    const QString &self = m_store->self();
    it = std::find_if(it, messages.cend(), [&self](const StoredMessage &m) { return m.user.compare(self, Qt::CaseInsensitive) != 0; });
    return it == messages.cend() ? -1 : it - messages.cbegin();
}

QString MessageModel::dividerMessageId() const
{
    const qsizetype at = dividerIndex();
    return at < 0 ? QString() : m_store->messages()[at].idString();
}

int MessageModel::dividerRow() const
{
    const qsizetype at = dividerIndex();
    return at < 0 ? -1 : messageRow(at);
}

void MessageModel::updateDivider()
{
    const QString now = dividerMessageId();
    if (now != m_dividerId) {
        const QString was = std::exchange(m_dividerId, now);
        for (const QString &id : {was, now}) {
            if (!id.isEmpty())
                touchRow(rowOf(id), {ShowUnreadDividerRole});
        }
    }
    Q_EMIT dividerRowChanged();
}

QString MessageModel::styled(const StoredMessage &message) const
{
    const size_t key = qHashMulti(0, message.id.ms, message.id.seq);
    if (const Rendered *hit = m_rendered.object(key); hit && hit->source == message.text)
        return hit->styled;
    QString styled = MessageRenderer::render(message.text);
    m_rendered.insert(key, new Rendered{message.text, styled});
    return styled;
}

QVariantList MessageModel::reactions(const StoredMessage &message) const
{
    const MessageExtras *extras = m_store->extras(message.id);
    if (!extras || message.deleted)
        return {};
    const QString key = protocol::userKey(m_store->self());
    QVariantList chips;
    chips.reserve(extras->reactions.size());
    for (const protocol::Reaction &r : extras->reactions) {
        const bool mine = std::any_of(r.users.cbegin(), r.users.cend(), [&key](const QString &u) { return protocol::userKey(u) == key; });
        chips.append(QVariantMap{{u"emoji"_s, r.emoji}, {u"count"_s, int(r.users.size())}, {u"users"_s, r.users}, {u"mine"_s, mine}});
    }
    return chips;
}

void MessageModel::touchExcerpts(qsizetype first, qsizetype count)
{
    // Only roots have replies that show their words; a plain message costs one lookup.
    const auto &messages = m_store->messages();
    for (qsizetype i = first; i < first + count; ++i) {
        const MessageExtras *extras = m_store->extras(messages[i].id);
        if (!extras || extras->replies == 0)
            continue;
        for (const qsizetype reply : m_store->indexesOfReplies(messages[i].id))
            touchRow(messageRow(reply), {ThreadExcerptRole});
    }
}

QString MessageModel::replyTo(const Entry &e) const
{
    if (e.pending)
        return e.pending->replyTo;
    const MessageExtras *extras = m_store->extras(e.message->id);
    return extras ? extras->replyTo : QString();
}

QString MessageModel::threadExcerpt(const QString &rootId) const
{
    constexpr qsizetype kExcerptLength = 80;
    const qsizetype at = rootId.isEmpty() ? -1 : m_store->indexOfId(rootId);
    if (at < 0)
        return {};
    const StoredMessage &root = m_store->messages()[at];
    if (root.deleted)
        return tr("message deleted");
    // One line of what the root says, its controls visible like any author-given text.
    QString line = root.text.simplified();
    if (line.size() > kExcerptLength)
        line = line.left(kExcerptLength - 1) + u'…';
    return MessageRenderer::revealControls(line);
}

QVariant MessageModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Entry e = entry(index.row());
    const QString &self = m_store->self();
    switch (role) {
    case IdRole: return e.message ? e.message->idString() : QString();
    case AuthorRole: return MessageRenderer::revealControls(userOf(e, self));
    case Qt::DisplayRole:
    case TextRole: return e.message ? e.message->text : e.pending->text;
    case KindRole: return e.message ? QString(protocol::messageKindName(e.message->kind)) : u"message"_s;
    case IsNoticeRole: return isNotice(e);
    case TimestampRole: return timeOf(tsOf(e));
    case TimeRole: return TimeFormat::clock(timeOf(tsOf(e)));
    case WhenRole: return TimeFormat::relative(timeOf(tsOf(e)), QDateTime(m_today, QTime::currentTime()));
    case DayRole: return TimeFormat::day(timeOf(tsOf(e)).date(), m_today);
    case ShowDayRole: {
        const Entry older = entry(index.row() + 1);
        return !older || timeOf(tsOf(older)).date() != timeOf(tsOf(e)).date();
    }
    case ShowAuthorRole: return showAuthor(e, entry(index.row() + 1));
    case IsOwnRole: return userOf(e, self).compare(self, Qt::CaseInsensitive) == 0;
    case IsPendingRole: return e.pending != nullptr;
    case IsFailedRole: return e.pending && e.pending->state == PendingSend::State::Failed;
    case SendErrorRole: return e.pending ? e.pending->error : QString();
    case NonceRole: return e.pending ? e.pending->nonce : QString();
    case MentionsMeRole:
        return e.message && e.message->kind == MessageKind::Message && e.message->user.compare(self, Qt::CaseInsensitive) != 0
            && protocol::mentions(e.message->text, self);
    case ShowUnreadDividerRole: return e.message != nullptr && index.row() == dividerRow();
    case StyledTextRole: return e.message ? styled(*e.message) : e.pending->styled;
    case ChannelRole: return m_store->name();
    case IsEditedRole: return e.message && e.message->edited;
    case IsDeletedRole: return e.message && e.message->deleted;
    case ReactionsRole: return e.message ? reactions(*e.message) : QVariantList();
    case RepliesRole: {
        const MessageExtras *extras = e.message ? m_store->extras(e.message->id) : nullptr;
        return extras ? int(extras->replies) : 0;
    }
    case ReplyToRole: return replyTo(e);
    case ThreadExcerptRole: return threadExcerpt(replyTo(e));
    default: return {};
    }
}

QHash<int, QByteArray> MessageModel::roleNames() const
{
    return {
        {IdRole, "messageId"},
        {AuthorRole, "author"},
        {TextRole, "text"},
        {KindRole, "kind"},
        {IsNoticeRole, "isNotice"},
        {TimestampRole, "timestamp"},
        {TimeRole, "time"},
        {WhenRole, "when"},
        {DayRole, "day"},
        {ShowDayRole, "showDay"},
        {ShowAuthorRole, "showAuthor"},
        {IsOwnRole, "isOwn"},
        {IsPendingRole, "isPending"},
        {IsFailedRole, "isFailed"},
        {SendErrorRole, "sendError"},
        {NonceRole, "nonce"},
        {MentionsMeRole, "mentionsMe"},
        {ShowUnreadDividerRole, "showUnreadDivider"},
        {StyledTextRole, "styledText"},
        {ChannelRole, "channel"},
        {IsEditedRole, "isEdited"},
        {IsDeletedRole, "isDeleted"},
        {ReactionsRole, "reactions"},
        {RepliesRole, "replies"},
        {ReplyToRole, "replyTo"},
        {ThreadExcerptRole, "threadExcerpt"},
    };
}

bool MessageModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_store->canLoadOlder();
}

void MessageModel::fetchMore(const QModelIndex &parent)
{
    if (!parent.isValid())
        m_store->requestOlder();
}

int MessageModel::rowOf(const QString &idOrNonce) const
{
    const qsizetype pending = m_store->indexOfPending(idOrNonce);
    if (pending >= 0)
        return pendingRows() - 1 - int(pending);
    const qsizetype at = m_store->indexOfId(idOrNonce);
    return at >= 0 ? messageRow(at) : -1;
}

} // namespace rill::client
