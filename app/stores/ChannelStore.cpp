#include "ChannelStore.h"

#include "models/MemberModel.h"
#include "models/MessageModel.h"
#include "protocol/Names.h"
#include "render/MessageRenderer.h"

#include <QDateTime>
#include <QUuid>

#include <algorithm>

namespace rill::client {

using namespace Qt::StringLiterals;
using protocol::Message;
using protocol::MessageKind;
using protocol::StreamId;

namespace {

StreamId idOf(const QString &id)
{
    return StreamId::parse(id).value_or(StreamId{});
}

bool isLater(const QString &a, const QString &b) // a > b, with empty as "nothing"
{
    if (a.isEmpty())
        return false;
    if (b.isEmpty())
        return true;
    return idOf(a) > idOf(b);
}
} // namespace

ChannelStore::ChannelStore(const protocol::ChannelInfo &info, QString self, QObject *parent)
    : QObject(parent)
    , m_info(info)
    , m_self(std::move(self))
    , m_atStart(info.lastId.isEmpty())
    , m_changeCursor(info.lastChange.value_or(QString()))
{
    m_dividerAfter = info.lastRead;
    m_typingTimer.setSingleShot(true);
    connect(&m_typingTimer, &QTimer::timeout, this, &ChannelStore::expireTyping);
    m_messageModel = new MessageModel(this);
    m_memberModel = new MemberModel(this);
}

ChannelStore::~ChannelStore() = default;

QString ChannelStore::title() const
{
    return isDirect() ? m_info.peer : m_info.name;
}

qsizetype ChannelStore::insertionIndex(const StreamId &id) const
{
    return std::upper_bound(m_messages.cbegin(), m_messages.cend(), id, [](const StreamId &a, const StoredMessage &m) { return a < m.id; })
        - m_messages.cbegin();
}

qsizetype ChannelStore::indexOfId(const QString &id) const
{
    const auto sid = StreamId::parse(id);
    if (!sid)
        return -1;
    const auto it = std::lower_bound(m_messages.cbegin(), m_messages.cend(), *sid, [](const StoredMessage &m, const StreamId &b) { return m.id < b; });
    return (it != m_messages.cend() && it->id == *sid) ? it - m_messages.cbegin() : -1;
}

QString ChannelStore::newestId() const
{
    return m_messages.isEmpty() ? QString() : m_messages.constLast().idString();
}

QString ChannelStore::oldestId() const
{
    return m_messages.isEmpty() ? QString() : m_messages.constFirst().idString();
}

QString ChannelStore::intern(const QString &user)
{
    const auto known = m_users.constFind(user);
    if (known != m_users.cend())
        return *known;
    m_users.insert(user);
    return user;
}

StoredMessage ChannelStore::stored(const Message &message, const StreamId &id)
{
    MessageExtras extras{message.reactions, message.replies, message.lastReplyTs, message.replyTo};
    if (extras.isEmpty())
        m_extras.remove(id);
    else
        m_extras.insert(id, std::move(extras));
    StoredMessage kept{id, intern(message.user), message.text, message.kind};
    kept.edited = message.edited.has_value();
    kept.deleted = message.deleted;
    return kept;
}

const MessageExtras *ChannelStore::extras(const StreamId &id) const
{
    const auto it = m_extras.constFind(id);
    return it == m_extras.cend() ? nullptr : &*it;
}

QString ChannelStore::replyToOf(const QString &id) const
{
    const MessageExtras *known = extras(idOf(id));
    return known ? known->replyTo : QString();
}

QList<qsizetype> ChannelStore::indexesOfReplies(const StreamId &root) const
{
    // Replies are among the few messages with extras, and come after their root.
    const QString rootId = root.toString();
    QList<qsizetype> found;
    for (auto it = m_extras.upperBound(root); it != m_extras.cend(); ++it) {
        const qsizetype at = insertionIndex(it.key()) - 1; // extras are kept only for held messages
        if (it->replyTo == rootId && at >= 0 && m_messages[at].id == it.key())
            found.append(at);
    }
    return found;
}

void ChannelStore::forgetExtrasBefore(const StreamId &id)
{
    m_extras.erase(m_extras.begin(), m_extras.lowerBound(id));
}

bool ChannelStore::refresh(qsizetype index, const Message &message)
{
    StoredMessage &kept = m_messages[index];
    const MessageExtras *was = extras(kept.id);
    const MessageExtras now{message.reactions, message.replies, message.lastReplyTs, message.replyTo};
    const bool sameExtras = was ? *was == now : now.isEmpty();
    if (sameExtras && kept.text == message.text && kept.edited == message.edited.has_value() && kept.deleted == message.deleted)
        return false;
    kept = stored(message, kept.id);
    Q_EMIT messageChanged(index);
    return true;
}

bool ChannelStore::applyUpdate(const Message &message)
{
    if (message.channel != m_info.name)
        return false;
    const qsizetype at = indexOfId(message.id);
    return at >= 0 && refresh(at, message);
}

void ChannelStore::setChangeCursor(const QString &cursor)
{
    if (cursor == m_changeCursor)
        return;
    m_changeCursor = cursor;
    Q_EMIT changeCursorChanged();
}

bool ChannelStore::missesChanges() const
{
    if (m_messages.isEmpty() || !m_info.lastChange)
        return false;
    return m_changeCursor.isEmpty() || isLater(*m_info.lastChange, m_changeCursor);
}

void ChannelStore::noteLiveChange(const QString &lastChange)
{
    if (!isLater(lastChange, m_info.lastChange.value_or(QString())))
        return;
    // Live changes come in order: one right after the cursor keeps the held messages current.
    // Behind it (changes missed while away, not yet fetched) the cursor stays for `changes`.
    const bool wasCurrent = m_changeCursor == m_info.lastChange.value_or(QString());
    m_info.lastChange = lastChange;
    if (wasCurrent)
        setChangeCursor(lastChange);
}

bool ChannelStore::hasReacted(qsizetype index, const QString &emoji) const
{
    const MessageExtras *known = extras(m_messages[index].id);
    if (!known)
        return false;
    const QString self = protocol::userKey(m_self);
    return std::any_of(known->reactions.cbegin(), known->reactions.cend(), [&](const protocol::Reaction &r) {
        return r.emoji == emoji
            && std::any_of(r.users.cbegin(), r.users.cend(), [&self](const QString &u) { return protocol::userKey(u) == self; });
    });
}

QString ChannelStore::lastEditableId() const
{
    const auto it = std::find_if(m_messages.crbegin(), m_messages.crend(), [this](const StoredMessage &m) {
        return m.kind == MessageKind::Message && !m.deleted && protocol::userKey(m.user) == protocol::userKey(m_self);
    });
    return it == m_messages.crend() ? QString() : it->idString();
}

QString ChannelStore::textOf(const QString &id) const
{
    const qsizetype at = indexOfId(id);
    return at < 0 ? QString() : m_messages[at].text;
}

void ChannelStore::setTopic(const QString &topic)
{
    if (m_info.topic == topic)
        return;
    m_info.topic = topic;
    Q_EMIT topicChanged();
}

QString ChannelStore::lastKnownId() const
{
    return isLater(newestId(), m_info.lastId) ? newestId() : m_info.lastId;
}

void ChannelStore::noteKnownId(const QString &id)
{
    if (isLater(id, m_info.lastId))
        m_info.lastId = id;
}

bool ChannelStore::countsAsNew(const Message &message, const StreamId &id) const
{
    // Whatever is newer than the snapshot's last ID was not in its unread count, whether it
    // comes as a live event or in a history page (which may win the race with the event).
    if (message.kind != MessageKind::Message || message.user.compare(m_self, Qt::CaseInsensitive) == 0)
        return false;
    const auto countedId = StreamId::parse(m_info.lastId);
    const auto readId = StreamId::parse(m_info.lastRead);
    return (!countedId || id > *countedId) && (!readId || id > *readId);
}

qsizetype ChannelStore::merge(const QList<Message> &incoming, bool countUnread)
{
    qint64 newUnread = 0;
    qint64 newMentions = 0;
    // Sorted and without IDs we already hold; then inserted in runs that share an insertion
    // point, so a page of history is one model insert, not a hundred.
    QList<std::pair<StreamId, const Message *>> fresh;
    fresh.reserve(incoming.size());
    for (const Message &m : incoming) {
        const auto sid = StreamId::parse(m.id);
        if (!sid || m.channel != m_info.name)
            continue;
        fresh.append({*sid, &m});
    }
    std::sort(fresh.begin(), fresh.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    fresh.erase(std::unique(fresh.begin(), fresh.end(), [](const auto &a, const auto &b) { return a.first == b.first; }),
                fresh.end());

    qsizetype added = 0;
    qsizetype i = 0;
    const auto idBefore = [](const StoredMessage &m, const StreamId &b) { return m.id < b; };
    while (i < fresh.size()) {
        const auto known = std::lower_bound(m_messages.cbegin(), m_messages.cend(), fresh[i].first, idBefore);
        if (known != m_messages.cend() && known->id == fresh[i].first) {
            // Pages carry each message's current state (a resume after edits made offline).
            refresh(known - m_messages.cbegin(), *fresh[i].second);
            ++i;
            continue;
        }
        const qsizetype at = known - m_messages.cbegin();
        // The run: following fresh IDs that also go before m_messages[at] and are not known.
        qsizetype end = i + 1;
        while (end < fresh.size() && (at == m_messages.size() || fresh[end].first < m_messages[at].id))
            ++end;
        const qsizetype count = end - i;
        Q_EMIT messagesAboutToBeInserted(at, count);
        QList<StoredMessage> run;
        run.reserve(count);
        for (qsizetype k = i; k < end; ++k) {
            const Message &m = *fresh[k].second;
            if (countUnread && countsAsNew(m, fresh[k].first)) {
                ++newUnread;
                if (protocol::mentions(m.text, m_self))
                    ++newMentions;
            }
            run.append(stored(m, fresh[k].first));
        }
        if (at == m_messages.size()) {
            m_messages.append(std::move(run));
        } else {
            // Placeholder slots, then filled in: one move of the tail, not one per message.
            // (QList keeps free space at its front, so prepending a page is cheap too.)
            m_messages.insert(at, count, StoredMessage{});
            std::move(run.begin(), run.end(), m_messages.begin() + at);
        }
        Q_EMIT messagesInserted(at, count);
        added += count;
        i = end;
    }
    if (added)
        noteKnownId(newestId());
    if (newUnread) {
        m_info.unread += newUnread;
        m_info.mentions = mentions() + newMentions;
        Q_EMIT summaryChanged();
    }
    return added;
}

bool ChannelStore::addLive(const Message &message, bool countAsUnread)
{
    if (!m_atLatest) {
        if (!noteDetached(message))
            return false;
    } else if (merge({message}, countAsUnread) == 0) {
        return false;
    }
    if (m_typing.remove(message.user))
        Q_EMIT typingChanged();
    if (message.kind == MessageKind::Join)
        setMember(message.user, true);
    else if (message.kind == MessageKind::Part)
        setMember(message.user, false);
    Q_EMIT summaryChanged();
    return true;
}

bool ChannelStore::noteDetached(const Message &message)
{
    // Live messages are newer than anything known; one that is not was seen already.
    const auto sid = StreamId::parse(message.id);
    if (!sid || message.channel != m_info.name || !isLater(message.id, lastKnownId()))
        return false;
    // Not on screen, whatever the window shows: unread until a page brings it and it is read.
    if (countsAsNew(message, *sid)) {
        ++m_info.unread;
        if (protocol::mentions(message.text, m_self))
            m_info.mentions = mentions() + 1;
    }
    noteKnownId(message.id);
    return true;
}

bool ChannelStore::holdsPlaceFor(const QString &id) const
{
    return m_atLatest || !isLater(id, newestId());
}

void ChannelStore::addOlderPage(const QList<Message> &page, bool more)
{
    const bool first = m_messages.isEmpty();
    merge(page);
    // A first page is as current as the newest change known before it was answered.
    if (first && m_info.lastChange)
        setChangeCursor(*m_info.lastChange);
    m_loaded = true;
    m_loadingOlder = false;
    m_atStart = !more;
    Q_EMIT loadingChanged();
}

void ChannelStore::addNewerPage(const QList<Message> &page, bool more)
{
    merge(page);
    m_loaded = true;
    m_loadingNewer = false;
    // A live message newer than the page (it came while the page was on its way) says the
    // page was not the newest after all, unless the server has nothing newer at all.
    m_atLatest = !more && (page.isEmpty() || !isLater(m_info.lastId, newestId()));
    if (m_atLatest)
        recountUnread();
    Q_EMIT loadingChanged();
    Q_EMIT summaryChanged();
}

void ChannelStore::resetToNewest(const QList<Message> &page, bool more)
{
    replaceWith(page, !more, true);
}

void ChannelStore::replaceWith(const QList<Message> &stretch, bool atStart, bool atLatest)
{
    Q_EMIT aboutToReset();
    ++m_sliceGeneration;
    m_messages.clear();
    m_users.clear();
    m_extras.clear();
    for (const Message &m : stretch) {
        if (const auto sid = StreamId::parse(m.id); sid && m.channel == m_info.name)
            m_messages.append(stored(m, *sid));
    }
    // Pages come oldest first; keep the invariant even if a page did not.
    const auto byId = [](const StoredMessage &a, const StoredMessage &b) { return a.id < b.id; };
    std::sort(m_messages.begin(), m_messages.end(), byId);
    m_messages.erase(std::unique(m_messages.begin(), m_messages.end(), [](const auto &a, const auto &b) { return a.id == b.id; }),
                     m_messages.end());
    m_loaded = true;
    m_loadingOlder = false;
    m_loadingNewer = false;
    m_atStart = atStart;
    m_atLatest = atLatest && (m_messages.isEmpty() || !isLater(m_info.lastId, newestId()));
    noteKnownId(newestId());
    // Fresh pages carry every change the server had told of before they were answered.
    if (m_info.lastChange)
        setChangeCursor(*m_info.lastChange);
    if (m_atLatest)
        recountUnread();
    Q_EMIT resetDone();
    Q_EMIT loadingChanged();
    Q_EMIT summaryChanged();
}

qsizetype ChannelStore::releaseOlder(qsizetype keep)
{
    const qsizetype count = m_messages.size() - std::max<qsizetype>(keep, 0);
    if (count <= 0)
        return 0;
    Q_EMIT messagesAboutToBeRemoved(0, count);
    forgetExtrasBefore(m_messages[count].id);
    m_messages.remove(0, count);
    m_messages.squeeze(); // what the view scrolled through goes back to the allocator
    Q_EMIT messagesRemoved(0, count);
    if (m_atStart) {
        m_atStart = false;
        Q_EMIT loadingChanged();
    }
    return count;
}

void ChannelStore::releaseFarHistory()
{
    if (m_messages.size() > kReleaseAbove)
        releaseOlder(kKeepWhenReleasing);
}

void ChannelStore::restore(const QList<StoredMessage> &messages, bool atStart, const QMap<StreamId, MessageExtras> &extras)
{
    Q_EMIT aboutToReset();
    m_messages.clear();
    m_extras.clear();
    m_messages.reserve(messages.size());
    for (const StoredMessage &m : messages) {
        m_messages.append({m.id, intern(m.user), m.text, m.kind});
        m_messages.last().edited = m.edited;
        // A message's text is never empty (the server refuses that), so an empty one is a
        // deletion the cache saw.
        m_messages.last().deleted = m.deleted || (m.kind == MessageKind::Message && m.text.isEmpty());
    }
    std::sort(m_messages.begin(), m_messages.end(), [](const StoredMessage &a, const StoredMessage &b) { return a.id < b.id; });
    for (auto it = extras.cbegin(); it != extras.cend(); ++it) {
        const auto held = std::lower_bound(m_messages.cbegin(), m_messages.cend(), it.key(),
                                           [](const StoredMessage &m, const StreamId &id) { return m.id < id; });
        if (held != m_messages.cend() && held->id == it.key() && !it.value().isEmpty())
            m_extras.insert(it.key(), it.value());
    }
    m_loaded = !m_messages.isEmpty();
    m_atStart = atStart;
    m_atLatest = true; // the cache keeps the newest messages
    m_loadingNewer = false;
    ++m_sliceGeneration;
    noteKnownId(newestId());
    Q_EMIT resetDone();
    Q_EMIT loadingChanged();
    setStale(m_loaded);
}

void ChannelStore::setStale(bool stale)
{
    if (stale == m_stale)
        return;
    m_stale = stale;
    Q_EMIT staleChanged();
}

void ChannelStore::requestOlder()
{
    if (!canLoadOlder())
        return;
    m_loadingOlder = true;
    Q_EMIT loadingChanged();
    Q_EMIT olderWanted();
}

void ChannelStore::olderFailed()
{
    m_loadingOlder = false;
    Q_EMIT loadingChanged();
}

void ChannelStore::loadNewer()
{
    if (!canLoadNewer())
        return;
    m_loadingNewer = true;
    Q_EMIT loadingChanged();
    Q_EMIT newerWanted();
}

void ChannelStore::newerFailed()
{
    m_loadingNewer = false;
    Q_EMIT loadingChanged();
}

void ChannelStore::returnToLatest()
{
    if (m_atLatest)
        return;
    m_loadingNewer = true;
    Q_EMIT loadingChanged();
    Q_EMIT latestWanted();
}

void ChannelStore::setFocusId(const QString &id)
{
    if (id.isEmpty() && m_focusId.isEmpty())
        return;
    // Set again to the same message, it is shown again.
    m_focusId = id;
    Q_EMIT focusChanged();
}

qsizetype ChannelStore::indexOfPending(const QString &nonce) const
{
    for (qsizetype i = 0; i < m_pending.size(); ++i) {
        if (m_pending[i].nonce == nonce)
            return i;
    }
    return -1;
}

QString ChannelStore::addPending(const QString &text, const QString &replyTo)
{
    PendingSend send;
    send.nonce = QUuid::createUuid().toString(QUuid::WithoutBraces);
    send.text = text;
    send.replyTo = replyTo;
    send.styled = MessageRenderer::render(text);
    send.createdMs = QDateTime::currentMSecsSinceEpoch();
    const qsizetype at = m_pending.size();
    Q_EMIT pendingAboutToBeInserted(at);
    m_pending.append(send);
    Q_EMIT pendingInserted(at);
    Q_EMIT sendQueued();
    return send.nonce;
}

const PendingSend *ChannelStore::nextQueued() const
{
    for (const PendingSend &p : m_pending) {
        if (p.state == PendingSend::State::Queued)
            return &p;
    }
    return nullptr;
}

void ChannelStore::setPendingState(const QString &nonce, PendingSend::State state, const QString &error)
{
    const qsizetype at = indexOfPending(nonce);
    if (at < 0)
        return;
    m_pending[at].state = state;
    m_pending[at].error = error;
    Q_EMIT pendingChanged(at);
    if (state == PendingSend::State::Queued)
        Q_EMIT sendQueued();
}

bool ChannelStore::confirm(const Message &message)
{
    const QString nonce = message.nonce.isString() ? message.nonce.toString() : QString();
    const qsizetype at = nonce.isEmpty() ? -1 : indexOfPending(nonce);
    // Away from the latest, a message beyond the slice is left to the page that reaches it.
    const auto keep = [this, &message] {
        if (holdsPlaceFor(message.id))
            merge({message});
        else
            noteKnownId(message.id);
    };
    if (at < 0) {
        keep();
        return false;
    }
    Q_EMIT pendingAboutToBeRemoved(at);
    m_pending.removeAt(at);
    Q_EMIT pendingRemoved(at);
    keep();
    // What I write I have read, and the "new messages" divider moves past it: answering is
    // reading what came before.
    applyRead(message.id);
    if (isLater(message.id, m_dividerAfter))
        setDividerAfter(message.id);
    return true;
}

void ChannelStore::discardPending(const QString &nonce)
{
    const qsizetype at = indexOfPending(nonce);
    if (at < 0)
        return;
    Q_EMIT pendingAboutToBeRemoved(at);
    m_pending.removeAt(at);
    Q_EMIT pendingRemoved(at);
}

void ChannelStore::requeueSending()
{
    for (qsizetype i = 0; i < m_pending.size(); ++i) {
        if (m_pending[i].state == PendingSend::State::Sending) {
            m_pending[i].state = PendingSend::State::Queued;
            Q_EMIT pendingChanged(i);
        }
    }
}

bool ChannelStore::applyRead(const QString &upTo)
{
    if (!isLater(upTo, m_info.lastRead))
        return false;
    const QString from = std::exchange(m_info.lastRead, upTo);
    if (m_atLatest)
        recountUnread();
    else
        subtractRead(from);
    Q_EMIT summaryChanged();
    return true;
}

void ChannelStore::subtractRead(const QString &from)
{
    const QString &read = m_info.lastRead;
    if (!isLater(lastKnownId(), read)) {
        m_info.unread = 0;
        m_info.mentions = 0;
        return;
    }
    // Exact only when the slice holds everything between the two markers; else the server's
    // next count (the sign-in snapshot) corrects it.
    const bool holdsFrom = m_atStart || (!m_messages.isEmpty() && !isLater(oldestId(), from));
    if (!holdsFrom || isLater(read, newestId()))
        return;
    qint64 count = 0;
    qint64 mentioning = 0;
    const qsizetype end = insertionIndex(idOf(read));
    for (qsizetype i = from.isEmpty() ? 0 : insertionIndex(idOf(from)); i < end; ++i) {
        const StoredMessage &m = m_messages[i];
        if (m.kind == MessageKind::Message && m.user.compare(m_self, Qt::CaseInsensitive) != 0) {
            ++count;
            if (protocol::mentions(m.text, m_self))
                ++mentioning;
        }
    }
    m_info.unread = std::max<qint64>(0, m_info.unread - count);
    m_info.mentions = std::max<qint64>(0, mentions() - mentioning);
}

void ChannelStore::recountUnread()
{
    const QString &read = m_info.lastRead;
    if (!isLater(lastKnownId(), read)) {
        m_info.unread = 0;
        m_info.mentions = 0;
        return;
    }
    // Only countable when the loaded slice reaches back to the marker.
    if (m_messages.isEmpty() || (isLater(oldestId(), read) && !m_atStart))
        return;
    const StreamId marker = idOf(read);
    qint64 count = 0;
    qint64 mentioning = 0;
    for (qsizetype i = insertionIndex(marker); i < m_messages.size(); ++i) {
        const StoredMessage &m = m_messages[i];
        if (m.kind == MessageKind::Message && m.user.compare(m_self, Qt::CaseInsensitive) != 0) {
            ++count;
            if (protocol::mentions(m.text, m_self))
                ++mentioning;
        }
    }
    m_info.unread = count;
    m_info.mentions = mentioning;
}

void ChannelStore::setDividerAfter(const QString &id)
{
    if (id == m_dividerAfter)
        return;
    const QString from = std::exchange(m_dividerAfter, id);
    Q_EMIT dividerMoved(from, id);
}

void ChannelStore::applyInfo(const protocol::ChannelInfo &info)
{
    const QString knownRead = m_info.lastRead;
    const QString knownLast = lastKnownId();
    m_info.members = info.members;
    m_info.lastId = info.lastId;
    m_info.unread = info.unread;
    m_info.mentions = info.mentions;
    m_info.lastRead = info.lastRead;
    // The server's newest change; the held messages keep their own cursor (changeCursor())
    // until `changes` brings them up to it. With nothing held, nothing is behind.
    if (info.lastChange && (!m_info.lastChange || !isLater(*m_info.lastChange, *info.lastChange)))
        m_info.lastChange = info.lastChange;
    if (m_messages.isEmpty() && m_info.lastChange)
        setChangeCursor(*m_info.lastChange);
    if (info.topic && info.topic != m_info.topic) {
        m_info.topic = info.topic;
        Q_EMIT topicChanged();
    }
    // The snapshot can be older than what we already applied; never go back.
    if (isLater(knownRead, m_info.lastRead))
        m_info.lastRead = knownRead;
    noteKnownId(knownLast);
    if (m_info.lastId.isEmpty() && m_messages.isEmpty())
        m_atStart = true;
    else if (!m_loaded)
        m_atStart = false;
    Q_EMIT summaryChanged();
    Q_EMIT loadingChanged();
}

void ChannelStore::setMembers(QList<Member> members)
{
    std::sort(members.begin(), members.end(), [](const Member &a, const Member &b) {
        if (a.online != b.online)
            return a.online;
        return a.user.compare(b.user, Qt::CaseInsensitive) < 0;
    });
    Q_EMIT membersAboutToReset();
    m_members = std::move(members);
    m_membersLoaded = true;
    const bool wasKnown = std::exchange(m_presenceKnown, true);
    Q_EMIT membersReset();
    Q_EMIT summaryChanged();
    if (!wasKnown)
        Q_EMIT presenceKnownChanged();
}

void ChannelStore::forgetPresence()
{
    if (!m_presenceKnown)
        return;
    m_presenceKnown = false;
    for (qsizetype i = 0; i < m_members.size(); ++i) {
        if (m_members[i].online) {
            m_members[i].online = false;
            Q_EMIT memberChanged(i);
        }
    }
    Q_EMIT presenceKnownChanged();
}

void ChannelStore::setMember(const QString &user, bool present)
{
    if (!m_membersLoaded)
        return;
    qsizetype at = -1;
    for (qsizetype i = 0; i < m_members.size(); ++i) {
        if (m_members[i].user.compare(user, Qt::CaseInsensitive) == 0)
            at = i;
    }
    if (present && at < 0) {
        // A user who just joined is online (they did it from somewhere).
        const Member member{user, true};
        qsizetype pos = 0;
        while (pos < m_members.size() && m_members[pos].online
               && m_members[pos].user.compare(user, Qt::CaseInsensitive) < 0)
            ++pos;
        Q_EMIT memberAboutToBeInserted(pos);
        m_members.insert(pos, member);
        Q_EMIT memberInserted();
        Q_EMIT summaryChanged();
    } else if (!present && at >= 0) {
        Q_EMIT memberAboutToBeRemoved(at);
        m_members.removeAt(at);
        Q_EMIT memberRemoved();
        Q_EMIT summaryChanged();
    }
}

void ChannelStore::setOnline(const QString &user, bool online)
{
    for (qsizetype i = 0; i < m_members.size(); ++i) {
        if (m_members[i].user.compare(user, Qt::CaseInsensitive) == 0 && m_members[i].online != online) {
            m_members[i].online = online;
            Q_EMIT memberChanged(i);
        }
    }
}

void ChannelStore::noteTyping(const QString &user)
{
    if (user.compare(m_self, Qt::CaseInsensitive) == 0)
        return;
    const bool fresh = !m_typing.contains(user);
    m_typing.insert(user, QDeadlineTimer(m_typingLifetime));
    if (!m_typingTimer.isActive())
        m_typingTimer.start(m_typingLifetime);
    if (fresh)
        Q_EMIT typingChanged();
}

void ChannelStore::expireTyping()
{
    qint64 nextMs = -1;
    bool changed = false;
    for (auto it = m_typing.begin(); it != m_typing.end();) {
        if (it->hasExpired()) {
            it = m_typing.erase(it);
            changed = true;
        } else {
            const qint64 left = it->remainingTime();
            nextMs = nextMs < 0 ? left : std::min(nextMs, left);
            ++it;
        }
    }
    if (nextMs >= 0)
        m_typingTimer.start(int(nextMs) + 1);
    if (changed)
        Q_EMIT typingChanged();
}

QStringList ChannelStore::typingUsers() const
{
    QStringList users = m_typing.keys();
    users.sort(Qt::CaseInsensitive);
    return users;
}

QString ChannelStore::typingText() const
{
    const QStringList users = typingUsers();
    switch (users.size()) {
    case 0: return {};
    case 1: return tr("%1 is typing…").arg(users[0]);
    case 2: return tr("%1 and %2 are typing…").arg(users[0], users[1]);
    default: return tr("Several people are typing…");
    }
}

} // namespace rill::client
