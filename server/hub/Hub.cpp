#include "Hub.h"

#include "ops/ServerMetrics.h"

#include "redis/RedisClient.h"
#include "redis/RedisSubscriber.h"
#include "store/Keys.h"

#include <QCoro/QCoroTimer>
#include <QLoggingCategory>
#include <QPointer>

Q_LOGGING_CATEGORY(lcHub, "rill.hub", QtInfoMsg)

namespace rill::server {

using namespace std::chrono_literals;
using Type = BusEvent::Type;

namespace {
constexpr std::size_t kReplayRing = 4096;
constexpr int kCatchUpPage = 1000;
} // namespace

Hub::Hub(store::Store &store, redis::RedisClient &redis, Options options, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_options(std::move(options))
    , m_redis(redis)
    , m_presence(store, redis, m_options.instanceId, m_options.presenceHeartbeat)
{
    m_options.busLink.clientName += ":bus";
    m_options.subscriberLink.clientName += ":typing";
    m_busFeed = std::make_unique<redis::RedisSubscriber>(m_options.busLink);
    m_typing = std::make_unique<redis::RedisSubscriber>(m_options.subscriberLink);
    // Pub/sub keeps nothing for a subscriber that was away: every (re)subscription catches up
    // from the stream, which has everything.
    connect(m_busFeed.get(), &redis::RedisSubscriber::subscribed, this, [this] {
        m_catchUpNeeded = true;
        drainBus();
    });
    connect(m_busFeed.get(), &redis::RedisSubscriber::message, this,
            [this](const QByteArray &, const QByteArray &payload) { pushed(payload); });
    // A feed that falls silent while its link still looks up would hold back events until
    // TCP noticed; a catch-up every heartbeat bounds that, at one XRANGE per interval.
    m_catchUpTimer.setInterval(m_options.presenceHeartbeat);
    connect(&m_catchUpTimer, &QTimer::timeout, this, [this] {
        m_catchUpNeeded = true;
        drainBus();
    });
    connect(m_typing.get(), &redis::RedisSubscriber::message, this,
            [this](const QByteArray &, const QByteArray &payload) { deliverTyping(payload); });
}

Hub::~Hub()
{
    // A consumer waiting on Redis is resumed (with a failure) when the links go; it must see this.
    m_reading = false;
    m_busFeed.reset();
}

QCoro::Task<bool> Hub::start()
{
    const auto tail = co_await m_store.busTail();
    if (!tail) {
        m_error = tail.error().message;
        co_return false;
    }
    m_cursor = tail.value();
    m_reading = true;
    m_busFeed->subscribe(store::keys::busLiveChannel.toByteArray());
    m_busFeed->open();
    m_catchUpTimer.start();
    m_typing->subscribe(store::keys::typingChannel.toByteArray());
    m_typing->open();
    m_presence.start();
    co_return true;
}

QCoro::Task<> Hub::stop()
{
    m_reading = false;
    m_catchUpTimer.stop();
    m_busFeed->close();
    m_typing->close();
    co_await m_presence.stop();
}

void Hub::pushed(const QByteArray &payload)
{
    if (auto entry = BusEvent::entryFromPush(payload)) {
        m_pushed.push_back(std::move(*entry));
    } else {
        qCWarning(lcHub) << "a push on" << store::keys::busLiveChannel << "is no bus entry; reading the stream instead";
        m_catchUpNeeded = true;
    }
    drainBus();
}

QCoro::Task<> Hub::drainBus()
{
    if (m_draining || !m_reading)
        co_return;
    const QPointer<Hub> self(this);
    m_draining = true;
    while (m_reading && (m_catchUpNeeded || !m_pushed.empty())) {
        if (m_catchUpNeeded) {
            m_catchUpNeeded = false;
            const bool caughtUp = co_await catchUp();
            if (!self)
                co_return;
            if (!caughtUp) {
                if (!m_reading)
                    break; // stopping: nothing to wait for
                // The link is down: commands fail at once until it is back, so pace the retries.
                m_catchUpNeeded = true;
                co_await QCoro::sleepFor(100ms);
                if (!self)
                    co_return;
                continue;
            }
        }
        // Pushes arrive in the order the scripts ran. One the catch-up already read is dropped;
        // one that does not follow the last (a push lost with a dropped link, a sequence not
        // known yet) sends the consumer to the stream for it and everything after.
        std::vector<redis::RedisReply> batch;
        qint64 sequence = m_lastSequence;
        for (redis::RedisReply &entry : std::exchange(m_pushed, {})) {
            const auto id = protocol::StreamId::parse(entry.at(0).bytes());
            if (!id || *id <= m_cursor)
                continue;
            const qint64 q = BusEvent::sequenceOf(entry);
            if (sequence == 0 || q != sequence + 1) {
                m_catchUpNeeded = true;
                break;
            }
            sequence = q;
            batch.push_back(std::move(entry));
        }
        if (!batch.empty()) {
            co_await applyEntries(batch);
            if (!self)
                co_return;
        }
    }
    m_draining = false;
}

QCoro::Task<bool> Hub::catchUp()
{
    const QPointer<Hub> self(this);
    const QByteArray page = QByteArray::number(kCatchUpPage);
    for (;;) {
        const QByteArray after = '(' + m_cursor.toByteArray();
        const redis::RedisReply reply = co_await m_redis.command("XRANGE", store::keys::bus, after, "+", "COUNT", page);
        if (!self || !m_reading || !reply.isArray())
            co_return false;
        if (reply.size() == 0)
            co_return true;
        co_await applyEntries(reply.elements());
        if (!self)
            co_return false;
        if (reply.size() < kCatchUpPage)
            co_return true;
    }
}

QCoro::Task<> Hub::applyEntries(const std::vector<redis::RedisReply> &entries)
{
    const QPointer<Hub> self(this);
    const auto readAt = std::chrono::steady_clock::now();
    std::vector<std::optional<BusEvent>> events;
    events.reserve(entries.size());
    for (const redis::RedisReply &entry : entries)
        events.push_back(BusEvent::fromEntry(entry));
    co_await resolvePresence(events);
    if (!self || !m_reading)
        co_return;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        checkSequence(BusEvent::sequenceOf(entries[i]));
        if (events[i]) {
            apply(*events[i]);
            if (m_options.metrics)
                m_options.metrics->fanOut.observe(std::chrono::steady_clock::now() - readAt);
        } else if (const auto id = protocol::StreamId::parse(entries[i].at(0).bytes())) {
            qCWarning(lcHub) << "skipping a bus entry this version does not understand:" << entries[i].at(0).bytes();
            m_cursor = *id;
        }
    }
}

// One lookup per presence event, all sent before the first is awaited (one round trip per
// batch), bounded by the per-user channel cap. The answer may be a moment newer than the event;
// for presence that is harmless.
QCoro::Task<> Hub::resolvePresence(std::vector<std::optional<BusEvent>> &events)
{
    const QPointer<Hub> self(this);
    std::vector<std::pair<BusEvent *, QCoro::Task<store::Result<QStringList>>>> lookups;
    for (auto &event : events) {
        if (event && event->type == Type::Presence && !m_channelMembers.isEmpty())
            lookups.emplace_back(&*event, m_store.userChannels(event->userKey));
    }
    for (auto &[event, lookup] : lookups) {
        const auto channels = co_await lookup;
        if (!self)
            co_return;
        if (channels)
            event->presenceChannels = channels.value();
        else
            qCDebug(lcHub) << "no presence for" << event->userKey << "here: its channels are unknown";
    }
}

// Entries are numbered without gaps. A gap means entries were trimmed before this instance read
// them (it fell more than the bus's length behind) or Redis lost data: the local sessions may
// have missed events, and only a resume from history can tell them which.
void Hub::checkSequence(qint64 sequence)
{
    if (sequence <= 0)
        return;
    const qint64 expected = m_lastSequence + 1;
    m_lastSequence = sequence;
    if (expected == 1 || sequence == expected)
        return;
    if (sequence > expected)
        qCWarning(lcHub) << "bus entries" << expected << "to" << sequence - 1
                         << "were gone before this instance read them; asking every local session to reconnect";
    else // a Redis failover: the promoted replica never got entries this instance had read
        qCWarning(lcHub) << "the bus numbering went back from" << expected - 1 << "to" << sequence
                         << "(Redis lost entries this instance had read); asking every local session to reconnect";
    if (m_options.metrics)
        m_options.metrics->busGaps.inc();
    std::vector<Recipient *> everyone;
    for (const auto &user : std::as_const(m_users))
        everyone.insert(everyone.end(), user->sessions.cbegin(), user->sessions.cend());
    for (Recipient *r : everyone)
        r->fellBehind();
}

Hub::LocalUser *Hub::localUser(const QString &key) const
{
    const auto it = m_users.constFind(key);
    return it == m_users.cend() ? nullptr : it->get();
}

void Hub::addToChannel(LocalUser &user, const QString &channel)
{
    user.channels.insert(channel);
    m_channelMembers[channel].insert(&user);
}

void Hub::removeFromChannel(LocalUser &user, const QString &channel)
{
    user.channels.remove(channel);
    auto it = m_channelMembers.find(channel);
    if (it != m_channelMembers.end()) {
        it->remove(&user);
        if (it->isEmpty())
            m_channelMembers.erase(it);
    }
}

namespace {
// Whether a LoggedOut event ends this session: its token (or every token) was revoked, and it
// is not the session that logged out (that one stays, anonymous).
bool endsSession(const BusEvent &event, const Recipient &session)
{
    return session.id() != event.origin && (event.tokenHash.isEmpty() || event.tokenHash == session.tokenHash());
}
} // namespace

void Hub::apply(const BusEvent &event)
{
    const auto deliver = [&event](Recipient *s, const Frame &frame) {
        if (event.id > s->busFloor() && s->id() != event.origin)
            s->deliver(frame);
    };
    // Sessions to end once the event is recorded: ending one detaches it from the index.
    std::vector<Recipient *> ending;

    switch (event.type) {
    case Type::ChannelEntry: {
        LocalUser *subject = event.membershipChange ? localUser(event.userKey) : nullptr;
        if (subject && event.joined)
            addToChannel(*subject, event.channel);
        if (const auto members = m_channelMembers.constFind(event.channel); members != m_channelMembers.cend()) {
            for (LocalUser *user : *members) {
                for (Recipient *s : user->sessions) {
                    deliver(s, event.frame);
                    if (event.membershipChange)
                        deliver(s, event.memberFrame);
                }
            }
        }
        if (subject && !event.joined)
            removeFromChannel(*subject, event.channel);
        break;
    }
    case Type::ChannelAdded:
        if (LocalUser *user = localUser(event.userKey)) {
            addToChannel(*user, event.channel);
            for (Recipient *s : user->sessions)
                deliver(s, event.frame);
        }
        break;
    case Type::ReadMarker:
        if (LocalUser *user = localUser(event.userKey)) {
            for (Recipient *s : user->sessions)
                deliver(s, event.frame);
        }
        break;
    case Type::LoggedOut:
        if (LocalUser *user = localUser(event.userKey)) {
            for (Recipient *s : user->sessions) {
                if (event.id > s->busFloor() && endsSession(event, *s))
                    ending.push_back(s);
            }
        }
        break;
    case Type::Presence: {
        QSet<LocalUser *> told;
        for (const QString &channel : event.presenceChannels) {
            const auto members = m_channelMembers.constFind(channel);
            if (members == m_channelMembers.cend())
                continue;
            for (LocalUser *user : *members) {
                if (user->key == event.userKey || told.contains(user))
                    continue;
                told.insert(user);
                for (Recipient *s : user->sessions)
                    deliver(s, event.frame);
            }
        }
        break;
    }
    }

    m_cursor = event.id;
    m_recent.push_back(event);
    if (event.type == Type::Presence) {
        // The ring keeps only what a replay here can use: channels with users here, sharing
        // the index's strings.
        QStringList local;
        for (const QString &channel : std::as_const(event.presenceChannels)) {
            if (const auto it = m_channelMembers.constFind(channel); it != m_channelMembers.cend())
                local.append(it.key());
        }
        m_recent.back().presenceChannels = std::move(local);
    }
    if (m_recent.size() > kReplayRing)
        m_recent.pop_front();
    for (Recipient *r : ending)
        r->loggedOut();
}

void Hub::attach(Recipient *recipient, const store::LoginSnapshot &snapshot)
{
    auto &slot = m_users[snapshot.userKey];
    const bool firstHere = !slot;
    if (firstHere) {
        slot = std::make_shared<LocalUser>();
        slot->key = snapshot.userKey;
        for (const auto &channel : snapshot.channels)
            addToChannel(*slot, channel.name);
    }
    slot->sessions.push_back(recipient);
    recipient->setBusFloor(snapshot.busPosition);
    const bool revoked = snapshot.busPosition < m_cursor && replay(recipient, snapshot);
    m_presence.sessionOpened(snapshot.userKey);
    if (revoked)
        recipient->loggedOut(); // its token went while it was logging in
}

// The snapshot reflects the bus up to its position; the hub is already further. Replays the
// entries in between to this session as it would have seen them, tracking its channels from
// the snapshot's, and brings the user's index to the present if this is its first session.
bool Hub::replay(Recipient *session, const store::LoginSnapshot &snapshot)
{
    bool revoked = false;
    LocalUser &user = *m_users.value(snapshot.userKey);
    const bool firstHere = user.sessions.size() == 1;
    QSet<QString> channels;
    for (const auto &c : snapshot.channels)
        channels.insert(c.name);

    if (m_recent.empty() || m_recent.front().id > snapshot.busPosition)
        qCWarning(lcHub) << "replay ring too short for a log-in; the client's history resume covers the gap";

    for (const BusEvent &e : m_recent) {
        if (e.id <= snapshot.busPosition)
            continue;
        const bool fromHere = session->id() == e.origin;
        switch (e.type) {
        case Type::ChannelEntry: {
            const bool aboutMe = e.membershipChange && e.userKey == snapshot.userKey;
            if (aboutMe && e.joined)
                channels.insert(e.channel);
            if (channels.contains(e.channel)) {
                session->deliver(e.frame);
                if (e.membershipChange)
                    session->deliver(e.memberFrame);
            }
            if (aboutMe && !e.joined)
                channels.remove(e.channel);
            break;
        }
        case Type::ChannelAdded:
            if (e.userKey == snapshot.userKey) {
                channels.insert(e.channel);
                if (!fromHere)
                    session->deliver(e.frame);
            }
            break;
        case Type::ReadMarker:
            if (e.userKey == snapshot.userKey && !fromHere)
                session->deliver(e.frame);
            break;
        case Type::Presence:
            if (e.userKey != snapshot.userKey
                && std::any_of(e.presenceChannels.cbegin(), e.presenceChannels.cend(),
                               [&channels](const QString &c) { return channels.contains(c); }))
                session->deliver(e.frame);
            break;
        case Type::LoggedOut:
            revoked = revoked || (e.userKey == snapshot.userKey && endsSession(e, *session));
            break;
        }
    }
    session->setBusFloor(m_cursor);
    if (firstHere) {
        for (const QString &c : QSet<QString>(user.channels))
            removeFromChannel(user, c);
        for (const QString &c : channels)
            addToChannel(user, c);
    }
    return revoked;
}

void Hub::detach(Recipient *recipient)
{
    const QString key = recipient->userKey();
    const auto it = m_users.find(key);
    if (it == m_users.end())
        return;
    LocalUser &user = **it;
    const auto found = std::find(user.sessions.begin(), user.sessions.end(), recipient);
    if (found == user.sessions.end())
        return;
    user.sessions.erase(found);
    if (user.sessions.empty()) {
        for (const QString &c : QSet<QString>(user.channels))
            removeFromChannel(user, c);
        m_users.erase(it);
    }
    m_presence.sessionClosed(key);
}

void Hub::deliverTyping(const QByteArray &payload)
{
    // "<channel>\n<typist's user key>\n<frame>", the frame built once by the typist's instance.
    const auto first = payload.indexOf('\n');
    const auto second = first < 0 ? -1 : payload.indexOf('\n', first + 1);
    if (second < 0)
        return;
    const QString channel = QString::fromUtf8(payload.first(first));
    const QString typist = QString::fromUtf8(payload.sliced(first + 1, second - first - 1));
    const auto members = m_channelMembers.constFind(channel);
    if (members == m_channelMembers.cend())
        return;
    const Frame frame = Frame::text(QByteArrayView(payload).sliced(second + 1));
    for (LocalUser *user : *members) {
        if (user->key == typist)
            continue;
        for (Recipient *s : user->sessions)
            s->deliver(frame);
    }
}

bool Hub::isReadingBus() const
{
    return m_reading && m_busFeed->isReady();
}

Hub::LocalChannels Hub::localChannels() const
{
    LocalChannels out;
    out.channels = m_channelMembers.size();
    for (const auto &members : m_channelMembers) {
        out.memberships += members.size();
        out.largest = std::max(out.largest, members.size());
    }
    return out;
}

} // namespace rill::server
