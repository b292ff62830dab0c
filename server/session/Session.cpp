#include "Session.h"

#include "codec/EventFrames.h"
#include "codec/Params.h"
#include "config/ServerConfig.h"
#include "hub/Hub.h"
#include "socket/Connection.h"

#include "protocol/Limits.h"
#include "protocol/Names.h"
#include "store/PasswordHasher.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcSession, "rill.session", QtInfoMsg)

namespace rill::server {

using namespace Qt::StringLiterals;
using codec::Params;
using protocol::Error;
using protocol::ErrorCode;
namespace op = protocol::op;

namespace {

// Requests that may wait behind a log-in before the connection counts as flooding.
constexpr std::size_t kMaxWaiting = 256;
// A connection that keeps sending into the limit is closed with 1008: rejections without a
// second's pause for kFloodDuration, at least kFloodCount of them. A client that pipelines a
// burst (say, resending after a reconnect) and then backs off is never closed.
constexpr qint64 kFloodPauseMs = 1000;
constexpr qint64 kFloodDurationMs = 2000;
constexpr int kFloodCount = 100;
// Every op shares a bucket this much larger than the send bucket, so bursts of history or
// member requests at start-up pass while a flood of anything does not.
constexpr double kRequestBucketFactor = 10.0;

QJsonArray channelsJson(const QList<protocol::ChannelInfo> &channels)
{
    QJsonArray out;
    for (const auto &c : channels)
        out.append(c.toJson());
    return out;
}

// The nonce as JSON text (so it comes back with the type it was sent with), or an error.
std::optional<QByteArray> nonceText(const QJsonValue &nonce, Params &params)
{
    if (nonce.isUndefined() || nonce.isNull())
        return QByteArray();
    QByteArray text;
    if (nonce.isString())
        text = QJsonDocument(QJsonArray{nonce}).toJson(QJsonDocument::Compact).chopped(1).sliced(1);
    else if (protocol::exactInteger(nonce))
        text = QByteArray::number(*protocol::exactInteger(nonce));
    if (text.isEmpty() || text.size() > protocol::kMaxNonceBytes + 2) {
        params.fail(u"\"nonce\" must be a string of at most "_s + QString::number(protocol::kMaxNonceBytes)
                    + u" bytes or an integer"_s);
        return std::nullopt;
    }
    return text;
}

// A channel parameter: a public name (lowercased) or a DM name. Anything else cannot be a
// channel the user is in, hence `not_member` for the ops that only act on their channels.
std::optional<QString> channelParam(Params &params)
{
    const QString raw = params.string("channel"_L1);
    if (params.error())
        return std::nullopt;
    return protocol::normalizeChannelReference(raw);
}

// `cursor` (the `next` of the page before) and `limit` of the listing ops, Rill's additions:
// a list of every channel or of the members of `general` is one page at a time.
store::PageQuery pageParams(Params &params)
{
    store::PageQuery page;
    page.after = params.optionalString("cursor"_L1).value_or(QString());
    page.limit = int(params.integer("limit"_L1, protocol::kMaxListPage, 1, protocol::kMaxListPage));
    if (page.after.size() > protocol::kMaxChannelNameLength)
        params.fail(u"\"cursor\" must be the \"next\" of an earlier page"_s);
    return page;
}

// The result of a listing op: the page, and `next` when more follow.
QJsonObject pageResult(QLatin1StringView name, QJsonArray items, const QString &next)
{
    QJsonObject result{{name, items}};
    if (!next.isEmpty())
        result.insert("next"_L1, next);
    return result;
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

Session::Session(Connection &connection, SessionServices services)
    : m_connection(&connection)
    , m_services(std::move(services))
    , m_id(m_services.instanceId + u'/' + QString::number(connection.serial()))
    , m_sendBucket(m_services.config.rateLimitPerSecond, m_services.config.rateLimitBurst)
    , m_requestBucket(m_services.config.rateLimitPerSecond * kRequestBucketFactor,
                      m_services.config.rateLimitBurst * kRequestBucketFactor)
{
    m_clock.start();
}

Session::~Session() = default;

void Session::receive(const QString &frame)
{
    auto decoded = protocol::decodeRequest(frame.toUtf8());
    if (auto *rejected = std::get_if<protocol::RejectedFrame>(&decoded)) {
        fail(rejected->id, rejected->error);
        return;
    }
    Request request = std::get<Request>(std::move(decoded));
    if (m_barrier) {
        if (m_waiting.size() >= kMaxWaiting) {
            fail(request.id, Error::of(ErrorCode::RateLimited, u"too many requests waiting for log-in"_s));
            return;
        }
        m_waiting.push_back(std::move(request));
        return;
    }
    dispatch(std::move(request));
}

void Session::dispatch(Request request)
{
    const bool isSend = request.op == op::send;
    if (!m_requestBucket.take() || (isSend && !m_sendBucket.take())) {
        fail(request.id, Error::of(ErrorCode::RateLimited));
        noteRateLimited();
        return;
    }
    if (request.op == op::registerUser || request.op == op::login || request.op == op::logout)
        m_barrier = true;
    handle(std::move(request));
}

void Session::finishBarrier()
{
    m_barrier = false;
    while (!m_barrier && !m_waiting.empty()) {
        Request next = std::move(m_waiting.front());
        m_waiting.pop_front();
        dispatch(std::move(next));
    }
}

void Session::handle(Request request)
{
    using Handler = QCoro::Task<> (Session::*)(Request);
    struct Op {
        QLatin1StringView name;
        Handler handler;
        bool needsLogin;
    };
    static constexpr Op ops[] = {
        {op::hello, &Session::doHello, false},       {op::registerUser, &Session::doRegister, false},
        {op::login, &Session::doLogin, false},       {op::logout, &Session::doLogout, true},
        {op::channels, &Session::doChannels, true},  {op::join, &Session::doJoin, true},
        {op::part, &Session::doPart, true},          {op::send, &Session::doSend, true},
        {op::history, &Session::doHistory, true},    {op::members, &Session::doMembers, true},
        {op::dm, &Session::doDm, true},              {op::typing, &Session::doTyping, true},
        {op::read, &Session::doRead, true},
    };
    const auto found = std::find_if(std::begin(ops), std::end(ops),
                                    [&request](const Op &o) { return request.op == o.name; });
    if (found == std::end(ops)) {
        fail(request.id, Error::of(ErrorCode::BadRequest, u"unknown op \""_s + request.op + u'"'));
        return;
    }
    if (found->needsLogin && !isAuthenticated()) {
        fail(request.id, Error::of(ErrorCode::Unauthenticated));
        if (request.op == op::logout)
            finishBarrier();
        return;
    }
    // The handler runs until its first co_await now; its Task can be let go, the coroutine
    // keeps itself (and this session) alive until it has replied.
    (this->*(found->handler))(std::move(request));
}

void Session::reply(const QJsonValue &re, QJsonObject result)
{
    if (m_connection)
        m_connection->send(QString::fromUtf8(protocol::encodeReply(re, std::move(result))));
}

void Session::fail(const QJsonValue &re, const Error &error)
{
    if (m_connection)
        m_connection->send(QString::fromUtf8(protocol::encodeError(re, error)));
}

void Session::fellBehind()
{
    // The client cannot know what it missed, but it resumes every channel after a reconnect.
    if (m_connection)
        m_connection->close(protocol::CloseCode::ServerError, u"this server fell behind; reconnect to catch up"_s);
}

bool Session::refusedChannelRequest(const QJsonValue &re, const Params &params, const std::optional<QString> &channel)
{
    if (params.error()) {
        fail(re, *params.error());
        return true;
    }
    if (!channel) {
        fail(re, Error::of(ErrorCode::NotMember));
        return true;
    }
    return false;
}

void Session::deliver(const QString &frame)
{
    if (m_connection)
        m_connection->send(frame);
}

void Session::becomeUser(const store::LoginSnapshot &snapshot, const QString &token)
{
    if (!m_connection || !m_connection->isOpen())
        return; // gone while logging in: nothing to attach
    becomeAnonymous();
    m_userKey = snapshot.userKey;
    m_userName = snapshot.name;
    m_tokenHash = store::Store::hashToken(token);
    m_services.hub.attach(this, snapshot);
    m_attached = true;
}

void Session::becomeAnonymous()
{
    if (m_attached) {
        m_services.hub.detach(this);
        m_attached = false;
    }
    m_userKey.clear();
    m_userName.clear();
    m_tokenHash.clear();
}

void Session::connectionClosed()
{
    const QByteArray tokenHash = m_tokenHash;
    becomeAnonymous();
    m_waiting.clear();
    if (!tokenHash.isEmpty()) // the 30-day idle clock starts when the session ends
        (void)m_services.store.touchToken(tokenHash);
}

void Session::noteRateLimited()
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

void Session::countBadLogin()
{
    if (++m_badLogins >= m_services.config.maxBadLogins && m_connection)
        m_connection->close(protocol::CloseCode::Policy, u"too many failed log-ins"_s);
}

QCoro::Task<> Session::doHello(Request r)
{
    Params params(r.params);
    if (!params.has("version"_L1)) {
        fail(r.id, Error::of(ErrorCode::BadRequest, u"\"version\" is missing"_s));
        co_return;
    }
    const qint64 version = params.integer("version"_L1, 0, 1, 1);
    if (params.error()) {
        fail(r.id, Error::of(ErrorCode::BadRequest, u"this server speaks version 1"_s));
        co_return;
    }
    reply(r.id, {{"server"_L1, u"rill"_s}, {"version"_L1, version}, {"instance"_L1, m_services.instanceName}});
}

QCoro::Task<> Session::doRegister(Request r)
{
    const auto self = shared_from_this();
    const BarrierGuard barrier([this] { finishBarrier(); });
    Params params(r.params);
    const QString user = params.string("user"_L1);
    const QString password = params.string("password"_L1);
    if (params.error()) {
        fail(r.id, *params.error());
        co_return;
    }
    if (!protocol::isValidUserName(user)) {
        fail(r.id, Error::of(ErrorCode::InvalidUser));
        co_return;
    }
    if (!protocol::isValidPassword(password)) {
        fail(r.id, Error::of(ErrorCode::WeakPassword));
        co_return;
    }
    const QString key = protocol::userKey(user);
    // Cheap check first: hashing for a name that is taken would waste a worker.
    const auto exists = co_await m_services.store.userExists(key);
    if (!exists) {
        fail(r.id, exists.error());
        co_return;
    }
    if (exists.value()) {
        fail(r.id, Error::of(ErrorCode::UserTaken));
        co_return;
    }
    const QByteArray hash = co_await m_services.hasher.hash(password);
    if (hash.isEmpty()) {
        fail(r.id, Error::of(ErrorCode::Internal, u"could not hash the password"_s));
        co_return;
    }
    const QString token = store::Store::newToken();
    const auto snapshot = co_await m_services.store.registerUser(key, user, hash, store::Store::hashToken(token));
    if (!snapshot) {
        fail(r.id, snapshot.error());
        co_return;
    }
    reply(r.id, {{"user"_L1, snapshot.value().name}, {"token"_L1, token},
                 {"channels"_L1, channelsJson(snapshot.value().channels)}});
    becomeUser(snapshot.value(), token);
}

QCoro::Task<> Session::doLogin(Request r)
{
    const auto self = shared_from_this();
    const BarrierGuard barrier([this] { finishBarrier(); });
    Params params(r.params);
    QString token;
    store::Result<store::LoginSnapshot> snapshot;
    if (const auto given = params.optionalString("token"_L1)) {
        token = *given;
        snapshot = co_await m_services.store.resumeSession(store::Store::hashToken(token));
    } else {
        const QString user = params.string("user"_L1);
        const QString password = params.string("password"_L1);
        if (params.error()) {
            fail(r.id, Error::of(ErrorCode::BadRequest, u"log in with \"user\" and \"password\", or \"token\""_s));
            co_return;
        }
        const QString key = protocol::userKey(user);
        store::Credentials credentials;
        if (protocol::isValidUserName(user)) {
            const auto stored = co_await m_services.store.credentials(key);
            if (!stored) {
                fail(r.id, stored.error());
                co_return;
            }
            credentials = stored.value();
        }
        const bool matches = co_await m_services.hasher.verify(credentials.passwordHash, password);
        if (!matches) {
            fail(r.id, Error::of(ErrorCode::BadCredentials));
            countBadLogin();
            co_return;
        }
        token = store::Store::newToken();
        snapshot = co_await m_services.store.openSession(key, store::Store::hashToken(token));
    }
    if (!snapshot) {
        fail(r.id, snapshot.error());
        if (snapshot.error().code == ErrorCode::BadCredentials)
            countBadLogin();
        co_return;
    }
    reply(r.id, {{"user"_L1, snapshot.value().name}, {"token"_L1, token},
                 {"channels"_L1, channelsJson(snapshot.value().channels)}});
    becomeUser(snapshot.value(), token);
}

QCoro::Task<> Session::doLogout(Request r)
{
    const auto self = shared_from_this();
    const BarrierGuard barrier([this] { finishBarrier(); });
    const auto revoked = co_await m_services.store.revokeToken(m_tokenHash);
    if (!revoked) {
        fail(r.id, revoked.error());
        co_return;
    }
    becomeAnonymous();
    reply(r.id);
}

QCoro::Task<> Session::doChannels(Request r)
{
    const auto self = shared_from_this();
    Params params(r.params);
    const store::PageQuery page = pageParams(params);
    if (params.error()) {
        fail(r.id, *params.error());
        co_return;
    }
    const auto channels = co_await m_services.store.publicChannels(page);
    if (!channels) {
        fail(r.id, channels.error());
        co_return;
    }
    QJsonArray list;
    for (const auto &c : channels.value().items)
        list.append(QJsonObject{{"name"_L1, c.name}, {"members"_L1, c.members}});
    reply(r.id, pageResult("channels"_L1, list, channels.value().next));
}

QCoro::Task<> Session::doJoin(Request r)
{
    const auto self = shared_from_this();
    Params params(r.params);
    const QString raw = params.string("channel"_L1);
    if (params.error()) {
        fail(r.id, *params.error());
        co_return;
    }
    const auto channel = protocol::normalizeChannelName(raw);
    if (!channel) {
        fail(r.id, Error::of(ErrorCode::InvalidChannel,
                             protocol::isDmChannel(raw.toLower())
                                 ? u"direct-message channels are opened with the dm op"_s
                                 : QString()));
        co_return;
    }
    const auto info = co_await m_services.store.join(m_userKey, m_userName, *channel, m_id);
    if (!info) {
        fail(r.id, info.error());
        co_return;
    }
    reply(r.id, {{"channel"_L1, info.value().toJson()}});
}

QCoro::Task<> Session::doPart(Request r)
{
    const auto self = shared_from_this();
    Params params(r.params);
    const auto channel = channelParam(params);
    if (refusedChannelRequest(r.id, params, channel))
        co_return;
    const auto parted = co_await m_services.store.part(m_userKey, m_userName, *channel);
    if (!parted) {
        fail(r.id, parted.error());
        co_return;
    }
    reply(r.id);
}

QCoro::Task<> Session::doSend(Request r)
{
    const auto self = shared_from_this();
    Params params(r.params);
    const auto channel = channelParam(params);
    const QString text = params.string("text"_L1);
    const auto nonce = nonceText(params.value("nonce"_L1), params);
    if (refusedChannelRequest(r.id, params, channel))
        co_return;
    switch (protocol::checkMessageText(text).problem) {
    case protocol::TextProblem::Empty:
        fail(r.id, Error::of(ErrorCode::Empty));
        co_return;
    case protocol::TextProblem::TooLong:
        fail(r.id, Error::of(ErrorCode::TooLong));
        co_return;
    case protocol::TextProblem::None:
        break;
    }
    // Stored as sent, byte for byte; the trimming above only decides what counts as empty.
    const auto message = co_await m_services.store.send(m_userKey, m_userName, *channel, text, *nonce);
    if (!message) {
        fail(r.id, message.error());
        co_return;
    }
    reply(r.id, {{"message"_L1, message.value().toJson()}});
}

QCoro::Task<> Session::doHistory(Request r)
{
    const auto self = shared_from_this();
    Params params(r.params);
    const auto channel = channelParam(params);
    const auto before = params.optionalString("before"_L1);
    const auto after = params.optionalString("after"_L1);
    const int limit = int(params.integer("limit"_L1, protocol::kDefaultHistoryLimit, 1, protocol::kMaxHistoryLimit));
    if (before && after)
        params.fail(u"give \"before\" or \"after\", not both"_s);
    const auto anchor = before ? before : after;
    if (anchor && !protocol::StreamId::parse(*anchor))
        params.fail(u"\""_s + (before ? u"before"_s : u"after"_s) + u"\" must be a message ID"_s);
    if (refusedChannelRequest(r.id, params, channel))
        co_return;
    store::HistoryQuery query;
    query.from = before ? store::HistoryQuery::From::Before
        : after         ? store::HistoryQuery::From::After
                        : store::HistoryQuery::From::Newest;
    query.id = anchor.value_or(QString());
    query.limit = limit;
    const auto page = co_await m_services.store.history(m_userName, *channel, query);
    if (!page) {
        fail(r.id, page.error());
        co_return;
    }
    QJsonArray messages;
    for (const auto &m : page.value().messages)
        messages.append(m.toJson());
    reply(r.id, {{"messages"_L1, messages}, {"more"_L1, page.value().more}});
}

QCoro::Task<> Session::doMembers(Request r)
{
    const auto self = shared_from_this();
    Params params(r.params);
    const auto channel = channelParam(params);
    const store::PageQuery page = pageParams(params);
    if (refusedChannelRequest(r.id, params, channel))
        co_return;
    const auto members = co_await m_services.store.members(m_userName, *channel, page);
    if (!members) {
        fail(r.id, members.error());
        co_return;
    }
    QJsonArray list;
    for (const auto &m : members.value().items)
        list.append(QJsonObject{{"user"_L1, m.user}, {"online"_L1, m.online}});
    reply(r.id, pageResult("members"_L1, list, members.value().next));
}

QCoro::Task<> Session::doDm(Request r)
{
    const auto self = shared_from_this();
    Params params(r.params);
    const QString peer = params.string("user"_L1);
    if (params.error()) {
        fail(r.id, *params.error());
        co_return;
    }
    if (!protocol::isValidUserName(peer)) {
        fail(r.id, Error::of(ErrorCode::NoSuchUser));
        co_return;
    }
    const auto info = co_await m_services.store.openDm(m_userKey, m_userName, protocol::userKey(peer), m_id);
    if (!info) {
        fail(r.id, info.error());
        co_return;
    }
    reply(r.id, {{"channel"_L1, info.value().toJson()}});
}

QCoro::Task<> Session::doTyping(Request r)
{
    const auto self = shared_from_this();
    Params params(r.params);
    const auto channel = channelParam(params);
    if (refusedChannelRequest(r.id, params, channel))
        co_return;
    const QByteArray payload = channel->toUtf8() + '\n' + m_userKey.toUtf8() + '\n'
        + codec::typingEvent(*channel, m_userName).toUtf8();
    const auto sent = co_await m_services.store.typing(m_userName, *channel, payload);
    if (!sent) {
        fail(r.id, sent.error());
        co_return;
    }
    reply(r.id);
}

QCoro::Task<> Session::doRead(Request r)
{
    const auto self = shared_from_this();
    Params params(r.params);
    const auto channel = channelParam(params);
    const QString upTo = params.string("upTo"_L1);
    if (!params.error() && !protocol::StreamId::parse(upTo))
        params.fail(u"\"upTo\" must be a message ID"_s);
    if (refusedChannelRequest(r.id, params, channel))
        co_return;
    const auto marked = co_await m_services.store.markRead(m_userKey, m_userName, *channel, upTo, m_id);
    if (!marked) {
        fail(r.id, marked.error());
        co_return;
    }
    reply(r.id);
}

} // namespace rill::server
