#include "Workspace.h"

#include "ChannelStore.h"
#include "models/ChannelListModel.h"
#include "models/DirectoryModel.h"
#include "protocol/Limits.h"
#include "protocol/Names.h"
#include "protocol/Requests.h"
#include "protocol/StreamId.h"
#include "session/ClientSession.h"

#include <QCoro/QCoroTimer>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcClientWorkspace, "rill.client.workspace", QtInfoMsg)

namespace rill::client {

using namespace Qt::StringLiterals;
using protocol::ErrorCode;
using protocol::Message;

namespace {
QString problemText(const Reply &reply)
{
    return reply.message.isEmpty() ? reply.errorName : reply.message;
}
} // namespace

Workspace::Workspace(ClientSession *session, QObject *parent)
    : Workspace(session, Options{}, parent)
{
}

Workspace::Workspace(ClientSession *session, Options options, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_session(session)
    , m_channels(new ChannelListModel(this))
    , m_directory(new DirectoryModel(this))
{
    m_readTimer.setSingleShot(true);
    m_readTimer.setInterval(m_options.readDelay);
    connect(&m_readTimer, &QTimer::timeout, this, &Workspace::markViewedRead);

    connect(session, &ClientSession::signedIn, this, &Workspace::onSignedIn);
    connect(session, &ClientSession::statusChanged, this, &Workspace::onStatusChanged);
    connect(session, &ClientSession::messageArrived, this,
            [this](const protocol::MessageEvent &e) { onMessage(e.message); });
    connect(session, &ClientSession::channelAdded, this, [this](const protocol::ChannelEvent &e) {
        ChannelStore *store = ensureStore(e.channel);
        store->applyInfo(e.channel);
    });
    connect(session, &ClientSession::memberChanged, this, [this](const protocol::MemberEvent &e) {
        ChannelStore *store = this->channel(e.channel);
        if (!store)
            return;
        // I left on another device: this one leaves too.
        if (!e.joined && protocol::userKey(e.user) == protocol::userKey(m_session->user()))
            removeStore(e.channel);
        else
            store->setMember(e.user, e.joined);
    });
    connect(session, &ClientSession::presenceChanged, this, [this](const protocol::PresenceEvent &e) {
        for (ChannelStore *store : std::as_const(m_stores))
            store->setOnline(e.user, e.online);
        m_channels->setPeerOnline(e.user, e.online);
    });
    connect(session, &ClientSession::typingArrived, this, [this](const protocol::TypingEvent &e) {
        if (ChannelStore *store = this->channel(e.channel))
            store->noteTyping(e.user);
    });
    connect(session, &ClientSession::readMoved, this, [this](const protocol::ReadEvent &e) {
        if (ChannelStore *store = this->channel(e.channel))
            store->applyRead(e.upTo);
    });
}

Workspace::~Workspace() = default;

ChannelStore *Workspace::channel(const QString &name) const
{
    return m_stores.value(name);
}

QList<ChannelStore *> Workspace::stores() const
{
    return m_stores.values();
}

ChannelStore *Workspace::current() const
{
    return channel(m_current);
}

ChannelStore *Workspace::ensureStore(const protocol::ChannelInfo &info)
{
    if (ChannelStore *existing = channel(info.name))
        return existing;
    auto *store = new ChannelStore(info, m_session->user(), this);
    m_stores.insert(info.name, store);
    connect(store, &ChannelStore::olderWanted, this, [this, store] { loadOlder(store); });
    connect(store, &ChannelStore::sendQueued, this, [this, store] { pump(store); });
    m_channels->add(store);
    updateJoined();
    if (m_current.isEmpty() && !m_applyingSnapshot)
        pickCurrent();
    return store;
}

void Workspace::removeStore(const QString &name)
{
    ChannelStore *store = m_stores.take(name);
    if (!store)
        return;
    m_channels->remove(name);
    updateJoined();
    if (m_current == name) {
        m_current.clear();
        pickCurrent();
        if (m_current.isEmpty())
            Q_EMIT currentChanged();
    }
    store->deleteLater(); // QML may still hold it for this frame
}

void Workspace::clear()
{
    m_current.clear();
    m_channels->clear();
    const auto stores = std::exchange(m_stores, {});
    for (ChannelStore *store : stores)
        store->deleteLater();
    m_pumping.clear();
    m_typingSent.clear();
    m_directory->setEntries({});
    Q_EMIT currentChanged();
}

void Workspace::updateJoined()
{
    QSet<QString> joined;
    for (auto it = m_stores.cbegin(); it != m_stores.cend(); ++it)
        joined.insert(it.key());
    m_directory->setJoined(joined);
}

void Workspace::pickCurrent()
{
    if (!m_current.isEmpty())
        return;
    QString pick = m_channels->nameAt(0);
    if (channel(m_preferred))
        pick = m_preferred;
    else if (channel(protocol::kDefaultChannel))
        pick = QString(protocol::kDefaultChannel);
    if (!pick.isEmpty())
        setCurrentName(pick);
}

void Workspace::setCurrentName(const QString &name)
{
    if (name == m_current || (!name.isEmpty() && !channel(name)))
        return;
    if (ChannelStore *old = current())
        old->setDividerAfter(old->lastRead());
    m_current = name;
    m_channels->setCurrent(name);
    if (ChannelStore *store = current()) {
        // The divider shows where this visit's new messages begin, and stays there while
        // the channel is open even though the marker moves on.
        store->setDividerAfter(store->lastRead());
        if (!store->isLoaded())
            store->requestOlder();
        if (!store->membersLoaded())
            loadMembers(store);
    }
    Q_EMIT currentChanged();
    scheduleRead();
}

void Workspace::setWindowActive(bool active)
{
    if (active == m_windowActive)
        return;
    m_windowActive = active;
    // Coming back to the window: what arrived meanwhile is below the divider.
    if (active) {
        if (ChannelStore *store = current(); store && store->unread() > 0)
            store->setDividerAfter(store->lastRead());
    }
    Q_EMIT windowActiveChanged();
    scheduleRead();
}

void Workspace::onStatusChanged()
{
    if (m_session->status() == ClientSession::Status::SignedOut && !m_stores.isEmpty()) {
        clear();
        m_user.clear();
    }
}

void Workspace::onSignedIn(const QList<protocol::ChannelInfo> &channels)
{
    const quint64 epoch = ++m_epoch;
    if (!m_user.isEmpty() && protocol::userKey(m_user) != protocol::userKey(m_session->user()))
        clear();
    m_user = m_session->user();

    QSet<QString> present;
    m_applyingSnapshot = true; // choose the current channel once all of them are known
    for (const protocol::ChannelInfo &info : channels) {
        present.insert(info.name);
        ChannelStore *store = ensureStore(info);
        store->applyInfo(info);
    }
    m_applyingSnapshot = false;
    for (const QString &name : m_stores.keys()) {
        if (!present.contains(name))
            removeStore(name); // parted from another device while we were away
    }
    pickCurrent();

    m_resumesRunning = 0;
    for (ChannelStore *store : std::as_const(m_stores)) {
        store->requeueSending();
        if (!store->messages().isEmpty()) {
            ++m_resumesRunning;
            resume(store, epoch);
        } else {
            pump(store);
        }
    }
    if (ChannelStore *store = current()) {
        if (!store->isLoaded())
            store->requestOlder();
        loadMembers(store);
    }
    // The sidebar shows whether each DM's peer is online; presence events only tell changes.
    for (ChannelStore *store : std::as_const(m_stores)) {
        if (store->isDirect() && store != current())
            loadMembers(store);
    }
    if (m_resumesRunning == 0)
        Q_EMIT resumed();
    scheduleRead();
}

void Workspace::absorb(ChannelStore *store, const QList<Message> &messages, bool announceNew)
{
    // A page can hold our own message whose reply the link swallowed: it confirms the
    // pending send, which then is not sent again.
    QList<Message> plain;
    plain.reserve(messages.size());
    for (const Message &m : messages) {
        if (m.nonce.isString() && store->indexOfPending(m.nonce.toString()) >= 0) {
            store->confirm(m);
            announce(store, m);
            readOwn(store, m);
        } else if (!announceNew || store->indexOfId(m.id) < 0) {
            plain.append(m);
        }
    }
    store->merge(plain);
    if (announceNew) {
        for (const Message &m : std::as_const(plain))
            announce(store, m);
    }
}

QCoro::Task<> Workspace::resume(QPointer<ChannelStore> store, quint64 epoch)
{
    QPointer<Workspace> self(this);
    const QString name = store->name();
    QString cursor = store->newestId();
    int pages = 0;
    bool caughtUp = false;
    while (true) {
        const protocol::HistoryParams params{name, std::nullopt, cursor, protocol::kMaxHistoryLimit};
        const auto reply = co_await m_session->request(params);
        if (!self || !store || self->m_epoch != epoch)
            co_return; // gone, or a newer sign-in resumes instead
        if (!reply.ok) {
            if (!reply.lost)
                qCWarning(lcClientWorkspace) << "cannot resume" << name << reply.errorName;
            break;
        }
        const QList<Message> &page = reply.result.messages;
        self->absorb(store, page, true);
        const bool more = reply.result.more;
        if (!page.isEmpty())
            cursor = page.constLast().id;
        if (!more || page.isEmpty()) {
            caughtUp = true;
            break;
        }
        if (++pages >= self->m_options.maxResumePages) {
            // Too far behind to replay: start over from the newest page.
            const protocol::HistoryParams newest{name, std::nullopt, std::nullopt, self->m_options.pageSize};
            const auto fresh = co_await self->m_session->request(newest);
            if (!self || !store || self->m_epoch != epoch)
                co_return;
            if (fresh.ok) {
                store->resetToNewest(fresh.result.messages, fresh.result.more);
                caughtUp = true;
            }
            break;
        }
    }
    if (caughtUp)
        self->pump(store);
    if (--self->m_resumesRunning == 0)
        Q_EMIT self->resumed();
}

QCoro::Task<> Workspace::loadOlder(QPointer<ChannelStore> store)
{
    QPointer<Workspace> self(this);
    protocol::HistoryParams params{store->name(), std::nullopt, std::nullopt, m_options.pageSize};
    // A store never loaded may hold live messages only: its first page is the newest one.
    if (store->isLoaded() && !store->oldestId().isEmpty())
        params.before = store->oldestId();
    const auto reply = co_await m_session->request(params);
    if (!self || !store)
        co_return;
    if (!reply.ok) {
        store->olderFailed();
        co_return;
    }
    self->absorb(store, reply.result.messages, false);
    store->addOlderPage({}, reply.result.more);
    if (store->name() == self->m_current)
        self->scheduleRead();
}

QCoro::Task<> Workspace::loadMembers(QPointer<ChannelStore> store)
{
    QPointer<Workspace> self(this);
    const protocol::MembersParams params{store->name(), {}};
    const auto reply = co_await m_session->request(params);
    if (!self || !store || !reply.ok)
        co_return;
    QList<Member> members;
    for (const protocol::MemberPresence &m : reply.result.members) {
        members.append({m.user, m.online});
        if (store->isDirect())
            self->m_channels->setPeerOnline(m.user, m.online);
    }
    store->setMembers(std::move(members));
}

void Workspace::onMessage(const Message &message)
{
    ChannelStore *store = channel(message.channel);
    if (!store)
        return; // a channel we are not in (yet): its `channel` event brings it
    const bool mine = protocol::userKey(message.user) == protocol::userKey(m_session->user());
    if (mine && store->confirm(message)) {
        announce(store, message);
        readOwn(store, message);
        return;
    }
    const bool viewing = m_windowActive && message.channel == m_current;
    if (!store->addLive(message, !viewing))
        return;
    announce(store, message);
    if (mine || message.kind != protocol::MessageKind::Message)
        return;
    if (viewing)
        scheduleRead();
    if (!m_windowActive && (store->isDirect() || ChannelStore::mentions(message.text, m_session->user()))) {
        const QString title = store->isDirect() ? message.user : tr("%1 in #%2").arg(message.user, store->name());
        Q_EMIT attentionNeeded(store->name(), title, message.text);
    }
}

void Workspace::announce(ChannelStore *store, const Message &message)
{
    Q_EMIT messageAdded(store->name(), message.id, message.user, message.text);
}

void Workspace::readOwn(ChannelStore *store, const Message &message)
{
    // What I write I have read: without this the "new messages" divider of my next visit
    // would sit above my own words.
    if (store->lastRead() == message.id)
        sendRead(store->name(), message.id);
}

void Workspace::scheduleRead()
{
    if (m_windowActive && current())
        m_readTimer.start();
}

void Workspace::markViewedRead()
{
    ChannelStore *store = current();
    if (!store || !m_windowActive || !m_session->isOnline())
        return;
    const QString upTo = store->newestId();
    if (!upTo.isEmpty() && store->applyRead(upTo))
        sendRead(store->name(), upTo);
}

void Workspace::markCurrentRead()
{
    ChannelStore *store = current();
    if (!store)
        return;
    const QString upTo = store->newestId();
    if (!upTo.isEmpty() && store->applyRead(upTo))
        sendRead(store->name(), upTo);
    store->setDividerAfter(upTo);
}

QCoro::Task<> Workspace::sendRead(QString channel, QString upTo)
{
    const protocol::ReadParams params{channel, upTo};
    const auto reply = co_await m_session->request(params);
    if (!reply.ok && !reply.lost)
        qCWarning(lcClientWorkspace) << "read marker refused for" << channel << reply.errorName;
}

QString Workspace::send(const QString &text)
{
    if (!current())
        return tr("No channel selected");
    const auto checked = protocol::checkMessageText(text);
    if (checked.problem == protocol::TextProblem::TooLong)
        return tr("That is longer than %1 characters").arg(protocol::kMaxTextCodePoints);
    if (checked.problem == protocol::TextProblem::Empty)
        return tr("Nothing to send");
    sendTo(m_current, checked.text);
    return {};
}

QString Workspace::sendTo(const QString &channelName, const QString &text)
{
    ChannelStore *store = channel(channelName);
    const auto checked = protocol::checkMessageText(text);
    if (!store || checked.problem != protocol::TextProblem::None)
        return {};
    m_typingSent.remove(channelName); // the next keystroke is a new bout of typing
    return store->addPending(checked.text); // its sendQueued starts the pump
}

void Workspace::retry(const QString &nonce)
{
    if (ChannelStore *store = current())
        store->setPendingState(nonce, PendingSend::State::Queued);
}

void Workspace::discard(const QString &nonce)
{
    if (ChannelStore *store = current())
        store->discardPending(nonce);
}

QCoro::Task<> Workspace::pump(QPointer<ChannelStore> store)
{
    // One send in flight per channel: the server orders what it stores by arrival, and
    // pipelined sends could be stored out of the order they were written in.
    if (!store || m_pumping.contains(store->name()))
        co_return;
    QPointer<Workspace> self(this);
    const QString name = store->name();
    m_pumping.insert(name);
    while (self && store && self->m_session->isOnline()) {
        const PendingSend *next = store->nextQueued();
        if (!next)
            break;
        const QString nonce = next->nonce;
        protocol::SendParams params{name, next->text, nonce, {}};
        store->setPendingState(nonce, PendingSend::State::Sending);
        const auto reply = co_await self->m_session->request(params);
        if (!self || !store)
            co_return;
        if (reply.ok) {
            if (store->confirm(reply.result.message)) {
                self->announce(store, reply.result.message);
                self->readOwn(store, reply.result.message);
            }
            continue;
        }
        if (reply.lost) {
            // Written or not, it goes again after the next sign-in; the nonce makes that safe.
            store->setPendingState(nonce, PendingSend::State::Queued);
            break;
        }
        if (reply.is(ErrorCode::RateLimited) || reply.is(ErrorCode::Internal)) {
            store->setPendingState(nonce, PendingSend::State::Queued);
            QTimer pause;
            pause.setSingleShot(true);
            pause.start(self->m_options.rateLimitPause);
            co_await pause;
            continue;
        }
        store->setPendingState(nonce, PendingSend::State::Failed, problemText(reply));
    }
    if (self)
        self->m_pumping.remove(name);
}

void Workspace::join(const QString &name)
{
    const auto normalized = protocol::normalizeChannelName(name.startsWith(u'#') ? name.mid(1) : name);
    if (!normalized) {
        Q_EMIT problem(tr("“%1” is not a channel name: use 1–64 of a–z, 0–9, _ and -").arg(name));
        return;
    }
    if (channel(*normalized)) {
        setCurrentName(*normalized);
        return;
    }
    requestJoin(*normalized);
}

QCoro::Task<> Workspace::requestJoin(QString name)
{
    QPointer<Workspace> self(this);
    const protocol::JoinParams params{name};
    const auto reply = co_await m_session->request(params);
    if (!self)
        co_return;
    if (!reply.ok) {
        Q_EMIT self->problem(tr("Cannot join #%1: %2").arg(name, problemText(reply)));
        co_return;
    }
    const protocol::ChannelInfo &info = reply.result.channel;
    self->ensureStore(info)->applyInfo(info);
    self->setCurrentName(info.name);
}

void Workspace::part(const QString &name)
{
    if (channel(name))
        requestPart(name);
}

QCoro::Task<> Workspace::requestPart(QString name)
{
    QPointer<Workspace> self(this);
    const protocol::PartParams params{name};
    const auto reply = co_await m_session->request(params);
    if (!self)
        co_return;
    if (!reply.ok && !reply.is(ErrorCode::NotMember)) {
        Q_EMIT self->problem(tr("Cannot leave #%1: %2").arg(name, problemText(reply)));
        co_return;
    }
    self->removeStore(name);
}

void Workspace::openDirect(const QString &user)
{
    if (!protocol::isValidUserName(user) || protocol::userKey(user) == protocol::userKey(m_session->user()))
        return;
    const QString name = protocol::dmChannelName(m_session->user(), user);
    if (channel(name)) {
        setCurrentName(name);
        return;
    }
    requestDirect(user);
}

QCoro::Task<> Workspace::requestDirect(QString user)
{
    QPointer<Workspace> self(this);
    const protocol::DmParams params{user};
    const auto reply = co_await m_session->request(params);
    if (!self)
        co_return;
    if (!reply.ok) {
        Q_EMIT self->problem(tr("Cannot message %1: %2").arg(user, problemText(reply)));
        co_return;
    }
    const protocol::ChannelInfo &info = reply.result.channel;
    self->ensureStore(info)->applyInfo(info);
    self->setCurrentName(info.name);
}

void Workspace::refreshDirectory()
{
    requestDirectory();
}

QCoro::Task<> Workspace::requestDirectory()
{
    QPointer<Workspace> self(this);
    m_directory->setLoading(true);
    const protocol::ChannelsParams params;
    const auto reply = co_await m_session->request(params);
    if (!self)
        co_return;
    self->m_directory->setLoading(false);
    if (!reply.ok) {
        Q_EMIT self->problem(tr("Cannot list channels: %1").arg(problemText(reply)));
        co_return;
    }
    QList<DirectoryModel::Entry> entries;
    for (const protocol::PublicChannel &c : reply.result.channels)
        entries.append({c.name, c.members});
    self->m_directory->setEntries(std::move(entries));
}

void Workspace::typing()
{
    if (m_current.isEmpty() || !m_session->isOnline())
        return;
    const auto last = m_typingSent.constFind(m_current);
    if (last != m_typingSent.cend() && !last->hasExpired())
        return;
    m_typingSent.insert(m_current, QDeadlineTimer(m_options.typingInterval));
    requestTyping(m_current);
}

QCoro::Task<> Workspace::requestTyping(QString channel)
{
    const protocol::TypingParams params{channel};
    const auto reply = co_await m_session->request(params);
    Q_UNUSED(reply); // typing is a hint; a lost one does not matter
}

void Workspace::selectRelative(int delta)
{
    const int count = m_channels->rowCount();
    if (count == 0)
        return;
    const int row = std::max(0, m_channels->rowOf(m_current));
    setCurrentName(m_channels->nameAt(((row + delta) % count + count) % count));
}

} // namespace rill::client
