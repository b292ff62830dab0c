#include "ClientSession.h"

#include "protocol/Codec.h"

#include <QLoggingCategory>
#include <QPointer>

Q_LOGGING_CATEGORY(lcClientSession, "rill.client.session", QtInfoMsg)

namespace rill::client {

using namespace Qt::StringLiterals;


ClientSession::ClientSession(QObject *parent)
    : ClientSession(Options{}, parent)
{
}

ClientSession::ClientSession(Options options, QObject *parent)
    : QObject(parent)
    , m_connection(options.connection)
{
    m_tracker.setTimeout(options.requestTimeout);
    connect(&m_connection, &ClientConnection::opened, this, &ClientSession::onOpened);
    connect(&m_connection, &ClientConnection::dropped, this, &ClientSession::onDropped);
    connect(&m_connection, &ClientConnection::frameReceived, this, &ClientSession::onFrame);
    connect(&m_connection, &ClientConnection::urlChanged, this, &ClientSession::serverChanged);
    connect(&m_connection, &ClientConnection::certificateRejected, this,
            [this] { setError(u"The server's certificate is not trusted."_s); });
    connect(&m_connection, &ClientConnection::stateChanged, this, [this] {
        if (m_status == Status::Reconnecting)
            Q_EMIT statusChanged(); // nextAttempt moved
    });
}

ClientSession::~ClientSession()
{
    m_connection.disconnect(this);
}

void ClientSession::signIn(const QUrl &server, const QString &user, const QString &password)
{
    m_password = password;
    setUser(user);
    start(server, Credentials::Password);
}

void ClientSession::createAccount(const QUrl &server, const QString &user, const QString &password)
{
    m_password = password;
    setUser(user);
    start(server, Credentials::NewAccount);
}

void ClientSession::resume(const QUrl &server, const QString &token)
{
    m_token = token;
    start(server, Credentials::Token);
}

void ClientSession::start(const QUrl &server, Credentials credentials)
{
    ++m_generation;
    m_credentials = credentials;
    setError({});
    m_tracker.failAll(u"signing in again"_s);
    const bool serverChanges = server != m_connection.url();
    setStatus(Status::Connecting);
    m_connection.open(server, m_tlsFallback);
    m_tlsFallback = ClientConnection::TlsFallback::Never;
    if (serverChanges)
        Q_EMIT serverChanged();
}

void ClientSession::signOut()
{
    const quint64 generation = ++m_generation;
    const bool wasOnline = isOnline();
    m_credentials = Credentials::None;
    m_password.clear();
    const QString token = std::exchange(m_token, QString());
    Q_EMIT tokenChanged({});
    setStatus(Status::SignedOut);
    if (wasOnline) {
        revokeAndClose(generation);
        return;
    }
    m_connection.close();
    // The server still honours the token (a copy of it may be elsewhere): it is revoked at the
    // next contact with that server.
    if (!token.isEmpty() && m_connection.url().isValid()) {
        m_pendingRevocations.append({m_connection.url(), token});
        Q_EMIT pendingRevocationsChanged();
    }
}

QCoro::Task<> ClientSession::revokeAndClose(quint64 generation)
{
    QPointer<ClientSession> self(this);
    const protocol::LogoutParams params;
    const auto reply = co_await request(params);
    if (!self || self->m_generation != generation)
        co_return; // signed in again meanwhile: that link is not ours to close
    if (!reply.ok)
        qCInfo(lcClientSession) << "logout was not confirmed:" << reply.message;
    self->m_tracker.failAll(u"signed out"_s);
    self->m_connection.close();
}

void ClientSession::disconnectFromServer()
{
    ++m_generation;
    m_connection.close();
    m_tracker.failAll(u"disconnected"_s);
    setStatus(Status::SignedOut);
}

QCoro::Task<Reply> ClientSession::requestJson(QLatin1StringView opName, QJsonObject params)
{
    auto started = m_tracker.begin();
    const qint64 id = started.first;
    RequestTracker::Awaiter awaiter = std::move(started.second);
    if (!m_connection.send(protocol::encodeRequest(id, opName, std::move(params))))
        m_tracker.fail(id, u"not connected"_s);
    Reply reply = co_await awaiter;
    co_return reply;
}

void ClientSession::setStatus(Status status)
{
    if (m_status == status)
        return;
    m_status = status;
    qCDebug(lcClientSession) << "status" << status;
    Q_EMIT statusChanged();
}

void ClientSession::setError(const QString &error)
{
    if (m_error == error)
        return;
    m_error = error;
    Q_EMIT errorChanged();
}

void ClientSession::setUser(const QString &user)
{
    if (m_user == user)
        return;
    m_user = user;
    Q_EMIT userChanged();
}

void ClientSession::fail(const QString &error)
{
    ++m_generation;
    m_credentials = Credentials::None;
    m_password.clear();
    m_connection.close();
    m_tracker.failAll(error);
    setError(error);
    setStatus(Status::SignedOut);
}

void ClientSession::onOpened()
{
    setStatus(Status::SigningIn);
    authenticate(m_generation);
}

void ClientSession::onDropped(const QString &reason)
{
    m_tracker.failAll(u"connection lost: "_s + reason);
    if (m_credentials == Credentials::Token) {
        setError(reason);
        setStatus(Status::Reconnecting);
        return;
    }
    // A first sign-in with a password does not retry behind the user's back: they may have
    // mistyped the address.
    if (m_credentials == Credentials::Password || m_credentials == Credentials::NewAccount)
        fail(u"Cannot reach the server: "_s + reason);
}

void ClientSession::dropPendingRevocation(const PendingRevocation &revocation)
{
    if (m_pendingRevocations.removeAll(revocation) > 0)
        Q_EMIT pendingRevocationsChanged();
}

QCoro::Task<bool> ClientSession::revokePending(quint64 generation)
{
    QPointer<ClientSession> self(this);
    const QString here = ClientConnection::serverKey(m_connection.url());
    QList<PendingRevocation> toRevoke;
    for (const PendingRevocation &r : std::as_const(m_pendingRevocations)) {
        if (ClientConnection::serverKey(r.server) == here)
            toRevoke.append(r);
    }
    for (const PendingRevocation &revocation : std::as_const(toRevoke)) {
        protocol::LoginParams login;
        login.token = revocation.token;
        const auto in = co_await request(login);
        if (!self || self->m_generation != generation || in.lost)
            co_return false;
        if (in.ok) {
            const protocol::LogoutParams logout;
            const auto out = co_await request(logout);
            if (!self || self->m_generation != generation || out.lost)
                co_return false;
            if (!out.ok)
                continue; // kept for the next contact
        } else if (!in.is(protocol::ErrorCode::BadCredentials)) {
            continue; // busy or failing: kept for the next contact
        }
        // Revoked now, or already gone (expired, or revoked by a logout with `all`).
        self->dropPendingRevocation(revocation);
    }
    co_return true;
}

QCoro::Task<> ClientSession::authenticate(quint64 generation)
{
    QPointer<ClientSession> self(this);
    if (!m_pendingRevocations.isEmpty()) {
        const bool stillHere = co_await revokePending(generation);
        if (!stillHere || !self)
            co_return;
    }
    if (m_credentials == Credentials::NewAccount) {
        const protocol::RegisterParams params{m_user, m_password};
        const auto reply = co_await request(params);
        if (self && self->m_generation == generation)
            self->finishSignIn(reply);
    } else if (m_credentials != Credentials::None) {
        protocol::LoginParams params;
        if (m_credentials == Credentials::Token) {
            params.token = m_token;
        } else {
            params.user = m_user;
            params.password = m_password;
        }
        const auto reply = co_await request(params);
        if (self && self->m_generation == generation)
            self->finishSignIn(reply);
    }
}

template<typename SignedIn>
void ClientSession::finishSignIn(const TypedReply<SignedIn> &reply)
{
    if (reply.lost)
        return; // the link dropped; onDropped decided what happens next

    if (!reply.ok) {
        const bool transient = reply.is(protocol::ErrorCode::Internal) || reply.is(protocol::ErrorCode::RateLimited);
        if (m_credentials == Credentials::Token && transient) {
            setError(reply.message);
            m_connection.abort(); // try again after the backoff
            return;
        }
        if (m_credentials == Credentials::Token) {
            m_token.clear();
            Q_EMIT tokenChanged({});
        }
        fail(reply.problemText());
        return;
    }

    m_password.clear();
    m_credentials = Credentials::Token;
    setUser(reply.result.user);
    if (reply.result.token != m_token) {
        m_token = reply.result.token;
        Q_EMIT tokenChanged(m_token);
    }
    setError({});
    setStatus(Status::Online);
    Q_EMIT signedIn(reply.result.channels);
}

void ClientSession::onFrame(const QByteArray &frame)
{
    const auto decoded = protocol::decodeServerFrame(frame);
    if (!decoded) {
        qCWarning(lcClientSession) << "ignoring a frame that is not the protocol:" << frame.left(200);
        return;
    }
    if (decoded->type == protocol::ServerFrame::Type::Reply) {
        if (!m_tracker.resolve(*decoded) && !decoded->ok)
            qCWarning(lcClientSession) << "error without a request:" << decoded->errorName << decoded->message;
        return;
    }
    dispatchEvent(protocol::decodeEvent(decoded->event, decoded->body));
}

void ClientSession::dispatchEvent(const protocol::Event &event)
{
    // Events before sign-in completes belong to nobody we know yet.
    if (m_status != Status::Online && !std::holds_alternative<protocol::ByeEvent>(event))
        return;
    std::visit(
        [this](const auto &e) {
            using E = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<E, protocol::MessageEvent>)
                Q_EMIT messageArrived(e);
            else if constexpr (std::is_same_v<E, protocol::ChannelEvent>)
                Q_EMIT channelAdded(e);
            else if constexpr (std::is_same_v<E, protocol::MemberEvent>)
                Q_EMIT memberChanged(e);
            else if constexpr (std::is_same_v<E, protocol::PresenceEvent>)
                Q_EMIT presenceChanged(e);
            else if constexpr (std::is_same_v<E, protocol::TypingEvent>)
                Q_EMIT typingArrived(e);
            else if constexpr (std::is_same_v<E, protocol::ReadEvent>)
                Q_EMIT readMoved(e);
            else if constexpr (std::is_same_v<E, protocol::UpdateEvent>)
                Q_EMIT messageUpdated(e);
            else if constexpr (std::is_same_v<E, protocol::TopicEvent>)
                Q_EMIT topicChanged(e);
            else if constexpr (std::is_same_v<E, protocol::ByeEvent>)
                Q_EMIT serverGoingAway(e);
            else if (e.problem.isEmpty())
                qCDebug(lcClientSession) << "unknown event" << e.name; // a newer server's addition
            else
                qCWarning(lcClientSession) << "ignoring a malformed" << e.name << "event:" << e.problem;
        },
        event);
}

} // namespace rill::client
