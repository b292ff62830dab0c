#include "Workspace.h"

#include "ChannelStore.h"
#include "Directory.h"
#include "HistoryLoader.h"
#include "MessageActions.h"
#include "Presence.h"
#include "ReadMarkers.h"
#include "Search.h"
#include "SendQueue.h"
#include "Thread.h"
#include "models/ChannelListModel.h"
#include "models/DirectoryModel.h"
#include "render/MessageLink.h"
#include "protocol/Limits.h"
#include "protocol/Names.h"
#include "protocol/StreamId.h"
#include "session/ClientSession.h"

namespace rill::client {

using namespace Qt::StringLiterals;
using protocol::Message;

Workspace::Workspace(ClientSession *session, QObject *parent)
    : Workspace(session, Options{}, parent)
{
}

Workspace::Workspace(ClientSession *session, Options options, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_session(session)
    , m_channels(new ChannelListModel(this))
    , m_history(new HistoryLoader(session, {options.pageSize, options.maxResumePages}, this))
    , m_sendQueue(new SendQueue(session, options.rateLimitPause, this))
    , m_reads(new ReadMarkers(session, options.readDelay, this))
    , m_directory(new Directory(session, options.listPageSize, this))
    , m_actions(new MessageActions(session, this))
    , m_presence(new Presence(session, m_channels, options.listPageSize, this))
    , m_thread(new Thread(session, options.pageSize, this))
    , m_search(new Search(
          session,
          [this](const QString &name) {
              const ChannelStore *store = channel(name);
              if (store && store->isDirect())
                  return store->title();
              return protocol::isDmChannel(name) ? name : u"#"_s + name;
          },
          protocol::kDefaultSearchLimit, this))
    , m_typing(session, options.typingInterval)
{
    connect(m_history, &HistoryLoader::messageAdded, this, &Workspace::announce);
    connect(m_history, &HistoryLoader::sendConfirmed, this, &Workspace::onSendConfirmed);
    connect(m_history, &HistoryLoader::messageChanged, this, &Workspace::onMessageChanged);
    // Caught up: what the local cache showed is current again, and waiting sends go out.
    connect(m_history, &HistoryLoader::caughtUp, this, [](ChannelStore *store) { store->setStale(false); });
    connect(m_history, &HistoryLoader::caughtUp, m_sendQueue, &SendQueue::pump);
    connect(m_history, &HistoryLoader::resumed, this, &Workspace::resumed);
    const auto readIfShown = [this](ChannelStore *store) {
        if (store->name() == m_current)
            scheduleRead();
    };
    connect(m_history, &HistoryLoader::olderLoaded, this, readIfShown);
    connect(m_history, &HistoryLoader::newerLoaded, this, readIfShown);
    connect(m_history, &HistoryLoader::jumped, this, &Workspace::onJumped);
    connect(m_history, &HistoryLoader::problem, this, &Workspace::problem);
    connect(m_sendQueue, &SendQueue::sendConfirmed, this, &Workspace::onSendConfirmed);
    connect(m_directory, &Directory::entered, this, &Workspace::onEntered);
    connect(m_directory, &Directory::left, this, &Workspace::removeStore);
    connect(m_directory, &Directory::problem, this, &Workspace::problem);
    connect(m_actions, &MessageActions::messageChanged, this, &Workspace::onMessageChanged);
    connect(m_actions, &MessageActions::problem, this, &Workspace::problem);
    connect(m_thread, &Thread::problem, this, &Workspace::problem);

    connect(session, &ClientSession::signedIn, this, &Workspace::onSignedIn);
    connect(session, &ClientSession::statusChanged, this, &Workspace::onStatusChanged);
    connect(session, &ClientSession::messageArrived, this,
            [this](const protocol::MessageEvent &e) { onMessage(e.message); });
    connect(session, &ClientSession::messageUpdated, this, [this](const protocol::UpdateEvent &e) {
        onMessageChanged(e.message);
        ChannelStore *store = channel(e.message.channel);
        if (store && e.lastChange)
            store->noteLiveChange(*e.lastChange);
    });
    connect(session, &ClientSession::topicChanged, this, [this](const protocol::TopicEvent &e) {
        if (ChannelStore *store = this->channel(e.channel))
            store->setTopic(e.topic);
    });
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
    connect(session, &ClientSession::presenceChanged, this,
            [this](const protocol::PresenceEvent &e) { m_presence->setOnline(stores(), e.user, e.online); });
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

DirectoryModel *Workspace::directory() const
{
    return m_directory->model();
}

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
    auto *store = new ChannelStore(info, m_user, this);
    m_stores.insert(info.name, store);
    connect(store, &ChannelStore::olderWanted, m_history, [this, store] { m_history->loadOlder(store); });
    connect(store, &ChannelStore::newerWanted, m_history, [this, store] { m_history->loadNewer(store); });
    connect(store, &ChannelStore::latestWanted, m_history, [this, store] { m_history->loadLatest(store); });
    connect(store, &ChannelStore::sendQueued, m_sendQueue, [this, store] { m_sendQueue->pump(store); });
    m_channels->add(store);
    updateJoined();
    if (!m_applyingSnapshot) {
        // A DM that comes during the session: the sidebar shows whether its peer is online,
        // and presence events only tell changes (issue 9, item 5). After a sign-in the
        // snapshot's DMs are loaded together.
        if (store->isDirect() && m_session->isOnline())
            m_presence->loadMembers(store);
        if (m_current.isEmpty())
            pickCurrent();
    }
    return store;
}

void Workspace::removeStore(const QString &name)
{
    ChannelStore *store = m_stores.take(name);
    if (!store)
        return;
    m_channels->remove(name);
    updateJoined();
    if (m_thread->channel() == name)
        m_thread->close();
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
    m_thread->close();
    m_search->clear();
    m_reads->cancel();
    m_channels->clear();
    const auto stores = std::exchange(m_stores, {});
    for (ChannelStore *store : stores)
        store->deleteLater();
    m_sendQueue->clear();
    m_typing.clear();
    m_directory->model()->setEntries({});
    Q_EMIT currentChanged();
}

void Workspace::updateJoined()
{
    QSet<QString> joined;
    for (auto it = m_stores.cbegin(); it != m_stores.cend(); ++it)
        joined.insert(it.key());
    m_directory->model()->setJoined(joined);
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
    m_thread->close(); // the panel belongs to the channel beside it
    if (ChannelStore *store = current()) {
        // The divider shows where this visit's new messages begin, and stays there while
        // the channel is open even though the marker moves on.
        store->setDividerAfter(store->lastRead());
        if (!store->isLoaded())
            store->requestOlder();
        if (!store->presenceKnown() && m_session->isOnline())
            m_presence->loadMembers(store); // also asks again what the link lost
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

void Workspace::restore(const QString &user, const QList<CachedChannel> &channels)
{
    if (!m_stores.isEmpty() || user.isEmpty())
        return;
    m_user = user;
    m_applyingSnapshot = true;
    for (const CachedChannel &cached : channels)
        ensureStore(cached.info)->restore(cached.messages, cached.atStart, cached.extras);
    m_applyingSnapshot = false;
    pickCurrent();
}

void Workspace::onStatusChanged()
{
    if (m_session->status() == ClientSession::Status::SignedOut && !m_stores.isEmpty()) {
        clear();
        m_user.clear();
    } else if (!m_session->isOnline()) {
        // Who comes and goes while the link is down nobody tells us (issue 9, item 9).
        m_presence->forget(stores());
    }
}

void Workspace::onSignedIn(const QList<protocol::ChannelInfo> &channels)
{
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

    for (ChannelStore *store : std::as_const(m_stores))
        store->requeueSending();
    // Resumes what holds messages; the rest send their queue at once.
    m_history->resumeAll(stores());
    m_thread->reload(); // what the panel missed meanwhile
    if (ChannelStore *store = current()) {
        if (!store->isLoaded())
            store->requestOlder();
        m_presence->loadMembers(store);
    }
    // The sidebar shows whether each DM's peer is online; presence events only tell changes.
    for (ChannelStore *store : std::as_const(m_stores)) {
        if (store->isDirect() && store != current())
            m_presence->loadMembers(store);
    }
    scheduleRead();
}

void Workspace::onMessage(const Message &message)
{
    ChannelStore *store = channel(message.channel);
    if (!store)
        return; // a channel we are not in (yet): its `channel` event brings it
    m_thread->take(message); // also when a page brought it to the channel's store first
    const bool mine = protocol::userKey(message.user) == protocol::userKey(m_session->user());
    if (mine && store->confirm(message)) {
        onSendConfirmed(store, message);
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
    if (!m_windowActive && (store->isDirect() || protocol::mentions(message.text, m_session->user()))) {
        const QString title = store->isDirect() ? message.user : tr("%1 in #%2").arg(message.user, store->name());
        Q_EMIT attentionNeeded(store->name(), title, message.text);
    }
}

void Workspace::onSendConfirmed(ChannelStore *store, const Message &message)
{
    announce(store, message);
    m_reads->readOwn(store, message);
}

void Workspace::onEntered(const protocol::ChannelInfo &info)
{
    ensureStore(info)->applyInfo(info);
    setCurrentName(info.name);
}

void Workspace::announce(ChannelStore *store, const Message &message)
{
    m_thread->take(message);
    Q_EMIT messageAdded(store->name(), message.id, message.user, message.text);
}

void Workspace::scheduleRead()
{
    if (m_windowActive && current())
        m_reads->schedule(current());
    else
        m_reads->cancel();
}

void Workspace::markCurrentRead()
{
    ChannelStore *store = current();
    if (!store)
        return;
    store->setDividerAfter(m_reads->readAll(store));
}

QString Workspace::checkForCurrent(const protocol::CheckedText &checked, const QString &whenEmpty) const
{
    if (!current())
        return tr("No channel selected");
    if (checked.problem == protocol::TextProblem::TooLong)
        return tr("That is longer than %1 characters").arg(protocol::kMaxTextCodePoints);
    if (checked.problem == protocol::TextProblem::Empty)
        return whenEmpty;
    return {};
}

QString Workspace::send(const QString &text)
{
    const auto checked = protocol::checkMessageText(text);
    QString problem = checkForCurrent(checked, tr("Nothing to send"));
    if (problem.isEmpty())
        sendTo(m_current, checked.text);
    return problem;
}

QString Workspace::sendTo(const QString &channelName, const QString &text, const QString &replyTo)
{
    ChannelStore *store = channel(channelName);
    const auto checked = protocol::checkMessageText(text);
    if (!store || checked.problem != protocol::TextProblem::None)
        return {};
    m_typing.sent(channelName);
    // What the user writes goes below the newest messages, so those are what the view shows.
    store->returnToLatest();
    return store->addPending(checked.text, replyTo); // its sendQueued starts the queue
}

void Workspace::openThread(const QString &messageId)
{
    ChannelStore *store = current();
    if (!store || messageId.isEmpty())
        return;
    const QString root = store->replyToOf(messageId);
    m_thread->open(*store, root.isEmpty() ? messageId : root);
}

void Workspace::openMessage(const QString &channelName, const QString &messageId)
{
    ChannelStore *store = channel(channelName);
    if (!store) {
        Q_EMIT problem(protocol::isDmChannel(channelName) ? tr("That conversation is not one of yours")
                                                          : tr("Join #%1 to see that message").arg(channelName));
        return;
    }
    if (!protocol::StreamId::parse(messageId)) {
        Q_EMIT problem(tr("“%1” is not a message").arg(messageId));
        return;
    }
    setCurrentName(channelName);
    if (store->indexOfId(messageId) >= 0)
        store->setFocusId(messageId);
    else
        m_history->loadAround(store, messageId);
}

QString Workspace::messageLink(const QString &messageId) const
{
    if (!current() || !protocol::StreamId::parse(messageId))
        return {};
    return MessageLink::make(m_session->server(), m_current, messageId);
}

void Workspace::openLink(const QString &link)
{
    const auto parsed = MessageLink::parse(link);
    if (!parsed)
        Q_EMIT problem(tr("That is not a link to a message"));
    else if (!parsed->isOn(m_session->server()))
        Q_EMIT problem(tr("That message is on another server (%1)").arg(parsed->authority()));
    else
        openMessage(parsed->channel, parsed->messageId);
}

void Workspace::onJumped(ChannelStore *store, const QString &messageId)
{
    if (store->indexOfId(messageId) >= 0)
        store->setFocusId(messageId);
    else
        Q_EMIT problem(tr("That message is not in %1 any more").arg(store->isDirect() ? store->title() : u"#"_s + store->name()));
    if (store->name() == m_current)
        scheduleRead();
}

void Workspace::closeThread()
{
    m_thread->close();
}

QString Workspace::sendReply(const QString &text)
{
    const auto checked = protocol::checkMessageText(text);
    QString problem = checkForCurrent(checked, tr("Nothing to send"));
    if (problem.isEmpty() && m_thread->channel() != m_current)
        problem = tr("No thread open");
    if (problem.isEmpty())
        sendTo(m_current, checked.text, m_thread->rootId());
    return problem;
}

void Workspace::onMessageChanged(const Message &message)
{
    if (ChannelStore *store = channel(message.channel))
        store->applyUpdate(message);
    m_thread->applyUpdate(message);
}

QString Workspace::editMessage(const QString &messageId, const QString &text)
{
    const auto checked = protocol::checkMessageText(text);
    QString problem = checkForCurrent(checked, tr("An edit cannot be empty: delete the message instead"));
    if (problem.isEmpty())
        m_actions->edit(m_current, messageId, checked.text);
    return problem;
}

void Workspace::deleteMessage(const QString &messageId)
{
    if (current())
        m_actions->remove(m_current, messageId);
}

void Workspace::toggleReaction(const QString &messageId, const QString &emoji)
{
    ChannelStore *store = current();
    if (!store)
        return;
    // The thread panel's messages may be older than what the timeline holds.
    if (store->indexOfId(messageId) < 0 && m_thread->channel() == m_current)
        store = m_thread->store();
    const qsizetype at = store->indexOfId(messageId);
    if (at < 0)
        return;
    m_actions->react(m_current, messageId, emoji, !store->hasReacted(at, emoji));
}

void Workspace::setTopic(const QString &topic)
{
    if (current())
        m_actions->setTopic(m_current, topic.trimmed());
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
    m_directory->join(*normalized);
}

void Workspace::part(const QString &name)
{
    if (channel(name))
        m_directory->part(name);
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
    m_directory->openDirect(user);
}

void Workspace::refreshDirectory()
{
    m_directory->refresh();
}

void Workspace::typing()
{
    m_typing.typing(m_current);
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
