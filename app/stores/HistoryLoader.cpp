#include "HistoryLoader.h"

#include "ChannelStore.h"
#include "protocol/Limits.h"
#include "session/ClientSession.h"

#include <QLoggingCategory>

#include <limits>

Q_LOGGING_CATEGORY(lcClientHistory, "rill.client.history", QtInfoMsg)

namespace rill::client {

using protocol::Message;

namespace {
// Newer pages read at once after going back to the newest page found messages that raced it.
constexpr int kCatchUpPages = 3;
} // namespace

HistoryLoader::HistoryLoader(ClientSession *session, Options options, QObject *parent)
    : QObject(parent)
    , m_session(session)
    , m_options(options)
{
}

void HistoryLoader::resumeAll(const QList<ChannelStore *> &stores)
{
    const quint64 epoch = ++m_epoch;
    m_running = 0;
    for (ChannelStore *store : stores) {
        // A slice away from the latest misses no new messages (its newer pages come when
        // scrolled to), only changes to those it holds.
        if ((!store->messages().isEmpty() && store->isAtLatest()) || store->missesChanges()) {
            ++m_running;
            resume(store, epoch);
        } else {
            Q_EMIT caughtUp(store);
        }
    }
    if (m_running == 0)
        Q_EMIT resumed();
}

void HistoryLoader::loadOlder(ChannelStore *store)
{
    fetchPages(store, Direction::Older, 1);
}

void HistoryLoader::confirmSends(ChannelStore *store, const QList<Message> &page)
{
    // A page can hold our own message whose reply the link swallowed: it confirms the
    // pending send, which then is not sent again.
    for (const Message &m : page) {
        if (m.nonce.isString() && store->indexOfPending(m.nonce.toString()) >= 0) {
            store->confirm(m);
            Q_EMIT sendConfirmed(store, m);
        }
    }
}

void HistoryLoader::absorb(ChannelStore *store, const QList<Message> &messages)
{
    QList<Message> fresh;
    for (const Message &m : messages) {
        const bool pending = m.nonce.isString() && store->indexOfPending(m.nonce.toString()) >= 0;
        if (!pending && store->indexOfId(m.id) < 0)
            fresh.append(m);
    }
    confirmSends(store, messages);
    store->merge(messages);
    for (const Message &m : std::as_const(fresh))
        Q_EMIT messageAdded(store, m);
}

QCoro::Task<> HistoryLoader::resume(QPointer<ChannelStore> store, quint64 epoch)
{
    QPointer<HistoryLoader> self(this);
    const quint64 generation = store->sliceGeneration();
    Step step = co_await fetchChanges(store, epoch);
    if (step == Step::Reload)
        step = co_await self->reloadNewest(store, epoch, generation);
    else if (step == Step::Done && store->isAtLatest())
        step = co_await self->replayNewer(store, epoch);
    if (step != Step::Superseded)
        self->finishResume(store, step == Step::Done);
}

QCoro::Task<HistoryLoader::Step> HistoryLoader::fetchChanges(QPointer<ChannelStore> store, quint64 epoch)
{
    QPointer<HistoryLoader> self(this);
    if (!store->missesChanges())
        co_return Step::Done; // nothing changed since: no request
    const QString name = store->name();
    const quint64 generation = store->sliceGeneration();
    QString cursor = store->changeCursor();
    if (cursor.isEmpty())
        co_return Step::Reload; // held without knowing how current: only a reload tells
    while (true) {
        const protocol::ChangesParams params{name, cursor, protocol::kMaxHistoryLimit};
        const auto reply = co_await m_session->request(params);
        if (!self || !store || self->m_epoch != epoch)
            co_return Step::Superseded;
        if (store->sliceGeneration() != generation)
            co_return Step::Done; // replaced meanwhile by a fresh answer, current as it is
        if (!reply.ok) {
            if (reply.lost)
                co_return Step::Stopped;
            // Refused (not a member any more, say): the held copies stay as they are, the
            // cursor too, and the rest of the resume goes on.
            qCWarning(lcClientHistory) << "cannot read the changes of" << name << reply.errorName;
            co_return Step::Done;
        }
        if (reply.result.reload)
            co_return Step::Reload;
        for (const Message &m : reply.result.messages)
            Q_EMIT self->messageChanged(m);
        const bool advanced = !reply.result.cursor.isEmpty() && reply.result.cursor != cursor;
        if (advanced) {
            cursor = reply.result.cursor;
            store->setChangeCursor(cursor);
        }
        if (!reply.result.more || !advanced)
            co_return Step::Done;
    }
}

QCoro::Task<HistoryLoader::Step> HistoryLoader::replayNewer(QPointer<ChannelStore> store, quint64 epoch)
{
    QPointer<HistoryLoader> self(this);
    const QString name = store->name();
    QString cursor = store->newestId();
    const quint64 generation = store->sliceGeneration();
    int pages = 0;
    while (true) {
        const protocol::HistoryParams params{name, std::nullopt, cursor, protocol::kMaxHistoryLimit};
        const auto reply = co_await m_session->request(params);
        if (!self || !store || self->m_epoch != epoch)
            co_return Step::Superseded;
        if (store->sliceGeneration() != generation)
            co_return Step::Done; // the slice was replaced by a newer answer meanwhile
        if (!reply.ok) {
            if (!reply.lost)
                qCWarning(lcClientHistory) << "cannot resume" << name << reply.errorName;
            co_return Step::Stopped;
        }
        const QList<Message> &page = reply.result.messages;
        self->absorb(store, page);
        if (!page.isEmpty())
            cursor = page.constLast().id;
        if (!reply.result.more || page.isEmpty())
            co_return Step::Done;
        // Too far behind to replay: start over from the newest page.
        if (++pages >= self->m_options.maxResumePages)
            co_return co_await self->reloadNewest(store, epoch, generation);
    }
}

QCoro::Task<HistoryLoader::Step> HistoryLoader::reloadNewest(QPointer<ChannelStore> store, quint64 epoch, quint64 generation)
{
    QPointer<HistoryLoader> self(this);
    const protocol::HistoryParams newest{store->name(), std::nullopt, std::nullopt, m_options.pageSize};
    const auto fresh = co_await m_session->request(newest);
    if (!self || !store || self->m_epoch != epoch)
        co_return Step::Superseded;
    if (!fresh.ok)
        co_return Step::Stopped;
    if (store->sliceGeneration() == generation) { // else a newer answer replaced it
        self->confirmSends(store, fresh.result.messages);
        store->resetToNewest(fresh.result.messages, fresh.result.more);
    }
    co_return Step::Done;
}

void HistoryLoader::finishResume(ChannelStore *store, bool caughtUp)
{
    if (caughtUp)
        Q_EMIT this->caughtUp(store);
    if (--m_running == 0)
        Q_EMIT resumed();
}

void HistoryLoader::loadNewer(ChannelStore *store)
{
    fetchPages(store, Direction::Newer, 1);
}

QCoro::Task<> HistoryLoader::fetchPages(QPointer<ChannelStore> store, Direction direction, int pages)
{
    QPointer<HistoryLoader> self(this);
    const bool older = direction == Direction::Older;
    // Newer pages go on only while the slice is away from the latest.
    for (int page = 0; page < pages && self && store && (older || !store->isAtLatest()); ++page) {
        const quint64 generation = store->sliceGeneration();
        protocol::HistoryParams params{store->name(), std::nullopt, std::nullopt, self->m_options.pageSize};
        if (older) {
            // A store never loaded may hold live messages only: its first page is the newest one.
            if (store->isLoaded() && !store->oldestId().isEmpty())
                params.before = store->oldestId();
        } else if (store->newestId().isEmpty()) {
            store->newerFailed();
            self->loadLatest(store); // nothing to continue from
            co_return;
        } else {
            params.after = store->newestId();
        }
        const auto reply = co_await self->m_session->request(params);
        if (!self || !store || store->sliceGeneration() != generation)
            co_return; // gone, or the page of a slice replaced meanwhile (which reset the flags)
        if (!reply.ok) {
            if (older)
                store->olderFailed();
            else
                store->newerFailed();
            co_return;
        }
        // A page confirms the sends it holds (a slice away from the latest leaves them to the
        // newer page that reaches them).
        self->confirmSends(store, reply.result.messages);
        if (older) {
            store->addOlderPage(reply.result.messages, reply.result.more);
            Q_EMIT self->olderLoaded(store);
        } else {
            store->addNewerPage(reply.result.messages, reply.result.more);
            Q_EMIT self->newerLoaded(store);
        }
    }
}

void HistoryLoader::loadLatest(ChannelStore *store)
{
    const quint64 serial = ++m_lastSerial;
    m_stretchSerial.insert(store->name(), serial);
    fetchStretch(store, {}, serial);
}

void HistoryLoader::loadAround(ChannelStore *store, const QString &messageId)
{
    const quint64 serial = ++m_lastSerial;
    m_stretchSerial.insert(store->name(), serial);
    fetchStretch(store, messageId, serial);
}

QCoro::Task<> HistoryLoader::fetchStretch(QPointer<ChannelStore> store, QString messageId, quint64 serial)
{
    QPointer<HistoryLoader> self(this);
    const QString name = store->name();
    const auto superseded = [&] { return !self || !store || self->m_stretchSerial.value(name) != serial; };
    if (messageId.isEmpty()) {
        const protocol::HistoryParams newest{name, std::nullopt, std::nullopt, m_options.pageSize};
        const auto reply = co_await m_session->request(newest);
        if (superseded())
            co_return;
        if (!reply.ok) {
            store->newerFailed();
            Q_EMIT self->problem(tr("Cannot load the newest messages: %1").arg(reply.problemText()));
            co_return;
        }
        store->resetToNewest(reply.result.messages, reply.result.more);
        Q_EMIT self->newerLoaded(store);
        // A message that raced the page (the user's own send, say) is fetched at once: going
        // back to the latest ends there.
        if (!store->isAtLatest())
            self->fetchPages(store, Direction::Newer, kCatchUpPages);
        co_return;
    }
    // `before` is strict: the ID right after the message's makes the older half end with it.
    const protocol::StreamId at = protocol::StreamId::parse(messageId).value_or(protocol::StreamId{});
    const protocol::StreamId justAfter = at.seq == std::numeric_limits<quint64>::max() ? protocol::StreamId{at.ms + 1, 0}
                                                                                        : protocol::StreamId{at.ms, at.seq + 1};
    const int half = std::max(1, m_options.pageSize / 2);
    const protocol::HistoryParams olderParams{name, justAfter.toString(), std::nullopt, half};
    const protocol::HistoryParams newerParams{name, std::nullopt, messageId, half};
    const auto older = co_await m_session->request(olderParams);
    if (superseded())
        co_return;
    const auto newer = co_await self->m_session->request(newerParams);
    if (superseded())
        co_return;
    if (!older.ok || !newer.ok) {
        Q_EMIT self->problem(tr("Cannot open the message: %1").arg(older.ok ? newer.problemText() : older.problemText()));
        co_return;
    }
    store->replaceWith(older.result.messages + newer.result.messages, !older.result.more, !newer.result.more);
    Q_EMIT self->jumped(store, messageId);
}

} // namespace rill::client
