#include "ClientSession.h"

#include "protocol/Codec.h"

#include <QJsonArray>
#include <QLoggingCategory>
#include <QPointer>

Q_LOGGING_CATEGORY(lcClientSession, "rill.client.session", QtInfoMsg)

namespace rill::client {

using namespace Qt::StringLiterals;
namespace op = protocol::op;
namespace ev = protocol::ev;

namespace {
QList<protocol::ChannelInfo> channelList(const QJsonValue &value)
{
    QList<protocol::ChannelInfo> out;
    const QJsonArray array = value.toArray();
    out.reserve(array.size());
    for (const QJsonValue &item : array) {
        if (auto info = protocol::ChannelInfo::fromJson(item.toObject()))
            out.append(std::move(*info));
    }
    return out;
}
} // namespace

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
    m_connection.open(server);
    if (serverChanges)
        Q_EMIT serverChanged();
}

void ClientSession::signOut()
{
    const quint64 generation = ++m_generation;
    const bool wasOnline = isOnline();
    m_credentials = Credentials::None;
    m_password.clear();
    m_token.clear();
    Q_EMIT tokenChanged({});
    setStatus(Status::SignedOut);
    if (wasOnline)
        revokeAndClose(generation);
    else
        m_connection.close();
}

QCoro::Task<> ClientSession::revokeAndClose(quint64 generation)
{
    QPointer<ClientSession> self(this);
    const Reply reply = co_await request(op::logout);
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

QCoro::Task<Reply> ClientSession::request(QLatin1StringView opName, QJsonObject params)
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

QCoro::Task<> ClientSession::authenticate(quint64 generation)
{
    QPointer<ClientSession> self(this);
    QJsonObject params;
    QLatin1StringView opName = op::login;
    switch (m_credentials) {
    case Credentials::None:
        co_return;
    case Credentials::Token:
        params.insert("token"_L1, m_token);
        break;
    case Credentials::NewAccount:
        opName = op::registerUser;
        [[fallthrough]];
    case Credentials::Password:
        params.insert("user"_L1, m_user);
        params.insert("password"_L1, m_password);
        break;
    }

    const Reply reply = co_await request(opName, params);
    if (!self || self->m_generation != generation)
        co_return;
    if (reply.lost)
        co_return; // the link dropped; onDropped decided what happens next

    if (!reply.ok) {
        const bool transient = reply.is(protocol::ErrorCode::Internal) || reply.is(protocol::ErrorCode::RateLimited);
        if (self->m_credentials == Credentials::Token && transient) {
            self->setError(reply.message);
            self->m_connection.abort(); // try again after the backoff
            co_return;
        }
        if (self->m_credentials == Credentials::Token) {
            self->m_token.clear();
            Q_EMIT self->tokenChanged({});
        }
        self->fail(reply.message.isEmpty() ? reply.errorName : reply.message);
        co_return;
    }

    self->m_password.clear();
    self->m_credentials = Credentials::Token;
    self->setUser(reply.body.value("user"_L1).toString());
    const QString token = reply.body.value("token"_L1).toString();
    if (token != self->m_token) {
        self->m_token = token;
        Q_EMIT self->tokenChanged(token);
    }
    self->setError({});
    self->setStatus(Status::Online);
    Q_EMIT self->signedIn(channelList(reply.body.value("channels"_L1)));
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
    dispatchEvent(decoded->event, decoded->body);
}

void ClientSession::dispatchEvent(const QString &event, const QJsonObject &body)
{
    // Events before sign-in completes belong to nobody we know yet.
    if (m_status != Status::Online && event != ev::bye)
        return;
    if (event == ev::message) {
        if (auto message = protocol::Message::fromJson(body.value("message"_L1).toObject()))
            Q_EMIT messageArrived(*message);
    } else if (event == ev::channel) {
        if (auto info = protocol::ChannelInfo::fromJson(body.value("channel"_L1).toObject()))
            Q_EMIT channelAdded(*info);
    } else if (event == ev::member) {
        Q_EMIT memberChanged(body.value("channel"_L1).toString(), body.value("user"_L1).toString(),
                             body.value("joined"_L1).toBool());
    } else if (event == ev::presence) {
        Q_EMIT presenceChanged(body.value("user"_L1).toString(), body.value("online"_L1).toBool());
    } else if (event == ev::typing) {
        Q_EMIT typingArrived(body.value("channel"_L1).toString(), body.value("user"_L1).toString());
    } else if (event == ev::read) {
        Q_EMIT readMoved(body.value("channel"_L1).toString(), body.value("upTo"_L1).toString());
    } else if (event == ev::bye) {
        Q_EMIT serverGoingAway(body.value("reason"_L1).toString());
    } else {
        qCDebug(lcClientSession) << "unknown event" << event; // a newer server's addition
    }
}

} // namespace rill::client
