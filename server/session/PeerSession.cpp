#include "PeerSession.h"

#include "codec/EventFrames.h"
#include "config/ServerConfig.h"
#include "hub/Hub.h"
#include "ops/ServerMetrics.h"
#include "socket/PeerConnection.h"

#include "protocol/Limits.h"
#include "protocol/Names.h"
#include "protocol/Requests.h"
#include "store/PasswordHasher.h"

#include <QHostAddress>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcSession, "rill.session", QtInfoMsg)

namespace rill::server {

using namespace Qt::StringLiterals;
using protocol::Error;
using protocol::ErrorCode;
namespace op = protocol::op;

namespace {

// Requests that may wait behind a log-in before the connection counts as flooding, in number
// and in bytes (each frame may have 64 KiB: 256 of them would be 16 MiB).
constexpr std::size_t kMaxWaiting = 256;
constexpr qsizetype kMaxWaitingBytes = 1024 * 1024;
// A connection that keeps sending into the limit is closed with 1008: rejections without a
// second's pause for kFloodDuration, at least kFloodCount of them. A client that pipelines a
// burst (say, resending after a reconnect) and then backs off is never closed.
constexpr qint64 kFloodPauseMs = 1000;
constexpr qint64 kFloodDurationMs = 2000;
constexpr int kFloodCount = 100;
// Every op shares a bucket this much larger than the send bucket, so bursts of history or
// member requests at start-up pass while a flood of anything does not.
constexpr double kRequestBucketFactor = 10.0;

// The client's address as throttling counts it, from PeerConnection::peer() ("addr:port"): IPv4,
// or for IPv6 the /64 a host is normally given (one host has all of its addresses).
QString throttledAddress(const QString &peer)
{
    const QString text = peer.left(peer.lastIndexOf(u':'));
    const QHostAddress address(text);
    if (address.isNull())
        return text;
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4); // also unwraps ::ffff:a.b.c.d
    if (isV4)
        return QHostAddress(v4).toString();
    Q_IPV6ADDR bytes = address.toIPv6Address();
    std::fill(std::begin(bytes.c) + 8, std::end(bytes.c), quint8(0));
    return QHostAddress(bytes).toString() + u"/64"_s;
}

// Ends a barrier (register/login/logout) however its coroutine leaves.
class BarrierGuard
{
public:
    explicit BarrierGuard(std::function<void()> done) : m_done(std::move(done)) {}
    ~BarrierGuard() { m_done(); }
    BarrierGuard(const BarrierGuard &) = delete;
    BarrierGuard &operator=(const BarrierGuard &) = delete;

private:
    std::function<void()> m_done;
};

} // namespace

PeerSession::PeerSession(PeerConnection &connection, SessionServices services)
    : m_connection(&connection)
    , m_services(std::move(services))
    , m_id(m_services.instanceId + u'/' + QString::number(connection.serial()))
    , m_address(throttledAddress(connection.peer()))
    , m_sendBucket(m_services.config.rateLimitPerSecond, m_services.config.rateLimitBurst)
    , m_requestBucket(m_services.config.rateLimitPerSecond * kRequestBucketFactor,
                      m_services.config.rateLimitBurst * kRequestBucketFactor)
{
    m_clock.start();
}

PeerSession::~PeerSession() = default;

void PeerSession::receive(const QByteArray &frame)
{
    auto decoded = protocol::decodeRequest(frame);
    if (auto *rejected = std::get_if<protocol::RejectedFrame>(&decoded)) {
        failFrame(rejected->id, rejected->error);
        return;
    }
    Request request = std::get<Request>(std::move(decoded));
    if (m_barrier) {
        if (m_waiting.size() >= kMaxWaiting || m_waitingBytes + frame.size() > kMaxWaitingBytes) {
            fail(request, Error::of(ErrorCode::RateLimited, u"too many requests waiting for log-in"_s));
            return;
        }
        m_waitingBytes += frame.size();
        m_waiting.push_back({std::move(request), frame.size()});
        return;
    }
    dispatch(std::move(request));
}

void PeerSession::dispatch(Request request)
{
    m_services.metrics->request(request.op);
    const bool isSend = request.op == op::send;
    if (!m_requestBucket.take() || (isSend && !m_sendBucket.take())) {
        fail(request, Error::of(ErrorCode::RateLimited));
        noteRateLimited();
        return;
    }
    if (request.op == op::registerUser || request.op == op::login || request.op == op::logout)
        m_barrier = true;
    handle(std::move(request));
}

void PeerSession::finishBarrier()
{
    m_barrier = false;
    while (!m_barrier && !m_waiting.empty()) {
        auto [next, bytes] = std::move(m_waiting.front());
        m_waiting.pop_front();
        m_waitingBytes -= bytes;
        dispatch(std::move(next));
    }
}

void PeerSession::handle(Request request)
{
    using Handler = QCoro::Task<> (PeerSession::*)(Request);
    struct Op {
        QLatin1StringView name;
        Handler handler;
        bool needsLogin;
    };
    static constexpr Op ops[] = {
        {op::hello, &PeerSession::doHello, false},
        {op::registerUser, &PeerSession::doRegister, false},
        {op::login, &PeerSession::doLogin, false},
        {op::logout, &PeerSession::doLogout, true},
        {op::channels, &PeerSession::doChannels, true},
        {op::join, &PeerSession::doJoin, true},
        {op::part, &PeerSession::doPart, true},
        {op::send, &PeerSession::doSend, true},
        {op::history, &PeerSession::doHistory, true},
        {op::members, &PeerSession::doMembers, true},
        {op::dm, &PeerSession::doDm, true},
        {op::typing, &PeerSession::doTyping, true},
        {op::read, &PeerSession::doRead, true},
        {op::edit, &PeerSession::doEdit, true},
        {op::deleteMessage, &PeerSession::doDelete, true},
        {op::topic, &PeerSession::doTopic, true},
        {op::react, &PeerSession::doReact, true},
        {op::thread, &PeerSession::doThread, true},
        {op::changes, &PeerSession::doChanges, true},
        {op::search, &PeerSession::doSearch, true},
    };
    const auto found = std::find_if(std::begin(ops), std::end(ops),
                                    [&request](const Op &o) { return request.op == o.name; });
    if (found == std::end(ops)) {
        fail(request, Error::of(ErrorCode::BadRequest, u"unknown op \""_s + request.op + u'"'));
        return;
    }
    if (found->needsLogin && !isAuthenticated()) {
        fail(request, Error::of(ErrorCode::Unauthenticated));
        if (request.op == op::logout)
            finishBarrier();
        return;
    }
    // The handler runs until its first co_await now; its Task can be let go, the coroutine
    // keeps itself (and this session) alive until it has replied.
    (this->*(found->handler))(std::move(request));
}

void PeerSession::reply(const QJsonValue &re, QJsonObject result)
{
    if (m_connection)
        m_connection->send(Frame::text(protocol::encodeReply(re, std::move(result))));
}

void PeerSession::fail(const Request &request, const Error &error)
{
    m_services.metrics->error(request.op, error.code);
    if (m_connection)
        m_connection->send(Frame::text(protocol::encodeError(request.id, error)));
}

void PeerSession::failFrame(const QJsonValue &re, const Error &error)
{
    m_services.metrics->error(QString(), error.code);
    if (m_connection)
        m_connection->send(Frame::text(protocol::encodeError(re, error)));
}

void PeerSession::fellBehind()
{
    // The client cannot know what it missed, but it resumes every channel after a reconnect.
    if (m_connection)
        m_connection->close(protocol::CloseCode::ServerError, u"this server fell behind; reconnect to catch up"_s);
}

template<protocol::RequestParams Params>
std::optional<Params> PeerSession::paramsOf(const Request &request)
{
    auto params = Params::fromJson(request.params);
    if (!params) {
        fail(request, params.error());
        return std::nullopt;
    }
    return std::move(params).value();
}

std::optional<QString> PeerSession::channelOf(const Request &request, const QString &channel)
{
    auto name = protocol::normalizeChannelReference(channel);
    if (!name)
        fail(request, Error::of(ErrorCode::NotMember));
    return name;
}

void PeerSession::loggedOut()
{
    if (!m_connection)
        return;
    becomeAnonymous();
    m_connection->close(protocol::CloseCode::Normal, u"logged out"_s);
}

bool PeerSession::checkText(const Request &request, const QString &text)
{
    switch (protocol::checkMessageText(text).problem) {
    case protocol::TextProblem::Empty:
        fail(request, Error::of(ErrorCode::Empty));
        return false;
    case protocol::TextProblem::TooLong:
        fail(request, Error::of(ErrorCode::TooLong));
        return false;
    case protocol::TextProblem::None:
        break;
    }
    return true;
}

void PeerSession::deliver(const Frame &frame)
{
    m_services.metrics->deliveries.inc();
    if (m_connection)
        m_connection->send(frame);
}

void PeerSession::becomeUser(const store::LoginSnapshot &snapshot, const QString &token)
{
    if (!m_connection || !m_connection->isOpen())
        return; // gone while logging in: nothing to attach
    becomeAnonymous();
    m_userKey = snapshot.userKey;
    m_userName = snapshot.name;
    m_tokenHash = store::Store::hashToken(token);
    m_connection->setAuthenticated(true); // off the log-in clock
    // Attached before attach() returns: it may find the token revoked meanwhile and call
    // loggedOut(), which detaches again.
    m_attached = true;
    m_services.hub.attach(this, snapshot);
}

void PeerSession::becomeAnonymous()
{
    if (m_attached) {
        m_services.hub.detach(this);
        m_attached = false;
    }
    m_userKey.clear();
    m_userName.clear();
    m_tokenHash.clear();
    if (m_connection)
        m_connection->setAuthenticated(false);
}

void PeerSession::connectionClosed()
{
    const QByteArray tokenHash = m_tokenHash;
    becomeAnonymous();
    m_waiting.clear();
    m_waitingBytes = 0;
    if (!tokenHash.isEmpty()) // the 30-day idle clock starts when the session ends
        (void)m_services.store.touchToken(tokenHash);
}

void PeerSession::noteRateLimited()
{
    const qint64 now = m_clock.elapsed();
    if (m_floodStart < 0 || now - m_lastRejected > kFloodPauseMs) {
        m_floodStart = now;
        m_rejectedInFlood = 0;
    }
    m_lastRejected = now;
    ++m_rejectedInFlood;
    if (m_rejectedInFlood >= kFloodCount && now - m_floodStart >= kFloodDurationMs && m_connection)
        m_connection->close(protocol::CloseCode::Policy, u"flooding"_s);
}

void PeerSession::countBadLogin()
{
    m_services.metrics->loginsRefused.inc();
    if (++m_badLogins >= m_services.config.maxBadLogins && m_connection)
        m_connection->close(protocol::CloseCode::Policy, u"too many failed log-ins"_s);
}

QCoro::Task<> PeerSession::doHello(Request r)
{
    const auto params = paramsOf<protocol::HelloParams>(r);
    if (!params)
        co_return;
    // Before log-in, nothing that names the machine (the default name is host-pid).
    const QString &instance = isAuthenticated() ? m_services.instanceName : m_services.publicInstanceName;
    reply(r.id, protocol::HelloResult{u"rill"_s, params->version, instance, 2});
}

QCoro::Task<> PeerSession::doRegister(Request r)
{
    const auto self = shared_from_this();
    const BarrierGuard barrier([this] { finishBarrier(); });
    const auto params = paramsOf<protocol::RegisterParams>(r);
    if (!params)
        co_return;
    if (!protocol::isValidUserName(params->user)) {
        fail(r, Error::of(ErrorCode::InvalidUser));
        co_return;
    }
    if (!protocol::isValidPassword(params->password)) {
        fail(r, Error::of(ErrorCode::WeakPassword));
        co_return;
    }
    const QString key = protocol::userKey(params->user);
    // Cheap check first: hashing for a name that is taken would waste a worker.
    const auto exists = co_await m_services.store.userExists(key);
    if (!exists) {
        fail(r, exists.error());
        co_return;
    }
    if (exists.value()) {
        fail(r, Error::of(ErrorCode::UserTaken));
        co_return;
    }
    // Counted once it would cost a hash and an account: a flood is turned away cheaply.
    const auto allowed = co_await m_services.store.takeRegistration(m_address);
    if (!allowed) {
        fail(r, allowed.error());
        co_return;
    }
    const auto hash = co_await m_services.hasher.hash(params->password);
    if (!hash) {
        (void)m_services.store.refundRegistration(m_address);
        fail(r, Error::retryLater(1, u"the server is busy checking passwords; try again"_s));
        co_return;
    }
    if (hash->isEmpty()) {
        fail(r, Error::of(ErrorCode::Internal, u"could not hash the password"_s));
        co_return;
    }
    const QString token = store::Store::newToken();
    const auto snapshot = co_await m_services.store.registerUser(key, params->user, *hash, store::Store::hashToken(token));
    if (!snapshot) {
        fail(r, snapshot.error());
        co_return;
    }
    reply(r.id, protocol::RegisterResult{snapshot.value().name, token, snapshot.value().channels});
    becomeUser(snapshot.value(), token);
}

QCoro::Task<> PeerSession::doLogin(Request r)
{
    const auto self = shared_from_this();
    const BarrierGuard barrier([this] { finishBarrier(); });
    const auto params = paramsOf<protocol::LoginParams>(r);
    if (!params)
        co_return;
    QString token;
    store::Result<store::LoginSnapshot> snapshot;
    if (params->token) {
        token = *params->token;
        snapshot = co_await m_services.store.resumeSession(store::Store::hashToken(token));
    } else {
        const QString key = protocol::userKey(params->user);
        const bool possibleName = protocol::isValidUserName(params->user);
        // Counted before the check, so a burst of guesses in flight cannot overshoot the limit;
        // a log-in that succeeds gives its attempt back.
        const QString throttledName = possibleName ? key : QString();
        const auto allowed = co_await m_services.store.takeLoginAttempt(throttledName, m_address);
        if (!allowed) {
            if (allowed.error().code == ErrorCode::RateLimited)
                m_services.metrics->loginsRateLimited.inc();
            fail(r, allowed.error());
            co_return;
        }
        store::Credentials credentials;
        if (possibleName) {
            const auto stored = co_await m_services.store.credentials(key);
            if (!stored) {
                fail(r, stored.error());
                co_return;
            }
            credentials = stored.value();
        }
        const auto matches = co_await m_services.hasher.verify(credentials.passwordHash, params->password);
        if (!matches) {
            (void)m_services.store.refundLoginAttempt(throttledName, m_address);
            fail(r, Error::retryLater(1, u"the server is busy checking passwords; try again"_s));
            co_return;
        }
        if (!*matches) {
            fail(r, Error::of(ErrorCode::BadCredentials));
            countBadLogin();
            co_return;
        }
        token = store::Store::newToken();
        snapshot = co_await m_services.store.openSession(key, store::Store::hashToken(token));
        if (snapshot)
            (void)m_services.store.refundLoginAttempt(throttledName, m_address);
    }
    if (!snapshot) {
        fail(r, snapshot.error());
        if (snapshot.error().code == ErrorCode::BadCredentials)
            countBadLogin();
        co_return;
    }
    m_services.metrics->loginsAccepted.inc();
    reply(r.id, protocol::LoginResult{snapshot.value().name, token, snapshot.value().channels});
    becomeUser(snapshot.value(), token);
}

QCoro::Task<> PeerSession::doLogout(Request r)
{
    const auto self = shared_from_this();
    const BarrierGuard barrier([this] { finishBarrier(); });
    const auto params = paramsOf<protocol::LogoutParams>(r);
    if (!params)
        co_return;
    const auto revoked = co_await m_services.store.logout(m_userKey, m_tokenHash, params->all, m_id);
    if (!revoked) {
        fail(r, revoked.error());
        co_return;
    }
    becomeAnonymous();
    reply(r.id, protocol::LogoutResult{});
}

QCoro::Task<> PeerSession::doChannels(Request r)
{
    const auto self = shared_from_this();
    const auto params = paramsOf<protocol::ChannelsParams>(r);
    if (!params)
        co_return;
    const auto channels = co_await m_services.store.publicChannels(params->page);
    if (!channels) {
        fail(r, channels.error());
        co_return;
    }
    protocol::ChannelsResult result;
    result.channels.reserve(channels.value().items.size());
    for (const auto &c : channels.value().items)
        result.channels.append({c.name, c.members, c.topic});
    result.next = channels.value().next;
    reply(r.id, result);
}

QCoro::Task<> PeerSession::doJoin(Request r)
{
    const auto self = shared_from_this();
    const auto params = paramsOf<protocol::JoinParams>(r);
    if (!params)
        co_return;
    const auto channel = protocol::normalizeChannelName(params->channel);
    if (!channel) {
        fail(r, Error::of(ErrorCode::InvalidChannel,
                             protocol::isDmChannel(params->channel.toLower())
                                 ? u"direct-message channels are opened with the dm op"_s
                                 : QString()));
        co_return;
    }
    const auto info = co_await m_services.store.join(m_userKey, m_userName, *channel, m_id);
    if (!info) {
        fail(r, info.error());
        co_return;
    }
    reply(r.id, protocol::JoinResult{info.value()});
}

QCoro::Task<> PeerSession::doPart(Request r)
{
    const auto self = shared_from_this();
    const auto params = paramsOf<protocol::PartParams>(r);
    if (!params)
        co_return;
    const auto channel = channelOf(r, params->channel);
    if (!channel)
        co_return;
    const auto parted = co_await m_services.store.part(m_userKey, m_userName, *channel);
    if (!parted) {
        fail(r, parted.error());
        co_return;
    }
    reply(r.id, protocol::PartResult{});
}

QCoro::Task<> PeerSession::doSend(Request r)
{
    const auto self = shared_from_this();
    const auto params = paramsOf<protocol::SendParams>(r);
    if (!params)
        co_return;
    const auto channel = channelOf(r, params->channel);
    if (!channel)
        co_return;
    if (!checkText(r, params->text))
        co_return;
    // SendParams::fromJson has checked the nonce, so it has a text.
    const QByteArray nonce = protocol::nonceText(params->nonce).value_or(QByteArray());
    // Stored as sent, byte for byte; the trimming above only decides what counts as empty.
    const auto message = co_await m_services.store.send(m_userKey, m_userName, *channel, params->text, nonce,
                                                        params->replyTo);
    if (!message) {
        fail(r, message.error());
        co_return;
    }
    m_services.metrics->messagesStored.inc();
    reply(r.id, protocol::SendResult{message.value()});
}

QCoro::Task<> PeerSession::doHistory(Request r)
{
    const auto self = shared_from_this();
    const auto params = paramsOf<protocol::HistoryParams>(r);
    if (!params)
        co_return;
    const auto channel = channelOf(r, params->channel);
    if (!channel)
        co_return;
    store::HistoryQuery query;
    query.from = params->before ? store::HistoryQuery::From::Before
        : params->after         ? store::HistoryQuery::From::After
                                : store::HistoryQuery::From::Newest;
    query.id = params->before.value_or(params->after.value_or(QString()));
    query.limit = params->limit;
    const auto page = co_await m_services.store.history(m_userName, *channel, query);
    if (!page) {
        fail(r, page.error());
        co_return;
    }
    reply(r.id, protocol::HistoryResult{page.value().messages, page.value().more});
}

QCoro::Task<> PeerSession::doMembers(Request r)
{
    const auto self = shared_from_this();
    const auto params = paramsOf<protocol::MembersParams>(r);
    if (!params)
        co_return;
    const auto channel = channelOf(r, params->channel);
    if (!channel)
        co_return;
    const auto members = co_await m_services.store.members(m_userName, *channel, params->page);
    if (!members) {
        fail(r, members.error());
        co_return;
    }
    protocol::MembersResult result;
    result.members.reserve(members.value().items.size());
    for (const auto &m : members.value().items)
        result.members.append({m.user, m.online});
    result.next = members.value().next;
    reply(r.id, result);
}

QCoro::Task<> PeerSession::doDm(Request r)
{
    const auto self = shared_from_this();
    const auto params = paramsOf<protocol::DmParams>(r);
    if (!params)
        co_return;
    if (!protocol::isValidUserName(params->user)) {
        fail(r, Error::of(ErrorCode::NoSuchUser));
        co_return;
    }
    const auto info = co_await m_services.store.openDm(m_userKey, m_userName, protocol::userKey(params->user), m_id);
    if (!info) {
        fail(r, info.error());
        co_return;
    }
    reply(r.id, protocol::DmResult{info.value()});
}

QCoro::Task<> PeerSession::doTyping(Request r)
{
    const auto self = shared_from_this();
    const auto params = paramsOf<protocol::TypingParams>(r);
    if (!params)
        co_return;
    const auto channel = channelOf(r, params->channel);
    if (!channel)
        co_return;
    const QByteArray payload = channel->toUtf8() + '\n' + m_userKey.toUtf8() + '\n'
        + codec::typingEvent(*channel, m_userName).payload().toByteArray();
    const auto sent = co_await m_services.store.typing(m_userName, *channel, payload);
    if (!sent) {
        fail(r, sent.error());
        co_return;
    }
    reply(r.id, protocol::TypingResult{});
}

QCoro::Task<> PeerSession::doRead(Request r)
{
    const auto self = shared_from_this();
    const auto params = paramsOf<protocol::ReadParams>(r);
    if (!params)
        co_return;
    const auto channel = channelOf(r, params->channel);
    if (!channel)
        co_return;
    const auto marked = co_await m_services.store.markRead(m_userKey, m_userName, *channel, params->upTo, m_id);
    if (!marked) {
        fail(r, marked.error());
        co_return;
    }
    reply(r.id, protocol::ReadResult{});
}

QCoro::Task<> PeerSession::doEdit(Request r)
{
    const auto self = shared_from_this();
    const auto params = paramsOf<protocol::EditParams>(r);
    if (!params)
        co_return;
    const auto channel = channelOf(r, params->channel);
    if (!channel || !checkText(r, params->text))
        co_return;
    const auto message = co_await m_services.store.edit(m_userKey, m_userName, *channel, params->messageId, params->text);
    if (!message) {
        fail(r, message.error());
        co_return;
    }
    reply(r.id, protocol::EditResult{message.value()});
}

QCoro::Task<> PeerSession::doDelete(Request r)
{
    const auto self = shared_from_this();
    const auto params = paramsOf<protocol::DeleteParams>(r);
    if (!params)
        co_return;
    const auto channel = channelOf(r, params->channel);
    if (!channel)
        co_return;
    const auto deleted = co_await m_services.store.deleteMessage(m_userKey, m_userName, *channel, params->messageId);
    if (!deleted) {
        fail(r, deleted.error());
        co_return;
    }
    reply(r.id, protocol::DeleteResult{});
}

QCoro::Task<> PeerSession::doTopic(Request r)
{
    const auto self = shared_from_this();
    const auto params = paramsOf<protocol::TopicParams>(r);
    if (!params)
        co_return;
    const auto channel = channelOf(r, params->channel);
    if (!channel)
        co_return;
    const auto checked = protocol::checkTopic(params->topic);
    if (checked.problem == protocol::TextProblem::TooLong) {
        fail(r, Error::of(ErrorCode::TooLong));
        co_return;
    }
    const auto set = co_await m_services.store.setTopic(m_userName, *channel, checked.text);
    if (!set) {
        fail(r, set.error());
        co_return;
    }
    reply(r.id, protocol::TopicResult{});
}

QCoro::Task<> PeerSession::doReact(Request r)
{
    const auto self = shared_from_this();
    const auto params = paramsOf<protocol::ReactParams>(r);
    if (!params)
        co_return;
    const auto channel = channelOf(r, params->channel);
    if (!channel)
        co_return;
    if (!protocol::isValidEmoji(params->emoji)) {
        fail(r, Error::of(ErrorCode::BadRequest, u"an emoji is 1-32 bytes of UTF-8 without white space"_s));
        co_return;
    }
    const auto reacted = co_await m_services.store.react(m_userKey, m_userName, *channel, params->messageId,
                                                         params->emoji, params->on);
    if (!reacted) {
        fail(r, reacted.error());
        co_return;
    }
    reply(r.id, protocol::ReactResult{});
}

QCoro::Task<> PeerSession::doThread(Request r)
{
    const auto self = shared_from_this();
    const auto params = paramsOf<protocol::ThreadParams>(r);
    if (!params)
        co_return;
    const auto channel = channelOf(r, params->channel);
    if (!channel)
        co_return;
    const auto page = co_await m_services.store.thread(m_userName, *channel, params->messageId,
                                                       params->after.value_or(QString()), params->limit);
    if (!page) {
        fail(r, page.error());
        co_return;
    }
    reply(r.id, protocol::ThreadResult{page.value().root, page.value().replies, page.value().more});
}

QCoro::Task<> PeerSession::doChanges(Request r)
{
    const auto self = shared_from_this();
    const auto params = paramsOf<protocol::ChangesParams>(r);
    if (!params)
        co_return;
    const auto channel = channelOf(r, params->channel);
    if (!channel)
        co_return;
    const auto changed = co_await m_services.store.changes(m_userName, *channel, params->after, params->limit);
    if (!changed) {
        fail(r, changed.error());
        co_return;
    }
    reply(r.id, changed.value());
}

QCoro::Task<> PeerSession::doSearch(Request r)
{
    const auto self = shared_from_this();
    const auto params = paramsOf<protocol::SearchParams>(r);
    if (!params)
        co_return;
    std::optional<QString> channel;
    if (params->channel) {
        channel = channelOf(r, *params->channel);
        if (!channel)
            co_return;
    }
    const QStringList words = protocol::searchWords(params->query);
    if (words.isEmpty()) {
        fail(r, Error::of(ErrorCode::BadRequest, u"the query has no words (letters or digits)"_s));
        co_return;
    }
    if (words.size() > protocol::kMaxSearchWords) {
        fail(r, Error::of(ErrorCode::BadRequest,
                             u"a query has at most %1 different words"_s.arg(protocol::kMaxSearchWords)));
        co_return;
    }
    const auto found = co_await m_services.store.search(m_userKey, m_userName, channel, words,
                                                        params->before.value_or(QString()), params->limit);
    if (!found) {
        fail(r, found.error());
        co_return;
    }
    reply(r.id, found.value());
}

} // namespace rill::server
