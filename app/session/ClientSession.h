#pragma once

#include "codec/Reply.h"
#include "codec/RequestTracker.h"
#include "protocol/Events.h"
#include "protocol/Requests.h"
#include "socket/ClientConnection.h"

#include <QCoro/QCoroTask>
#include <QObject>
#include <QUrl>
#include <QtQmlIntegration>

namespace rill::client {

// A token signed out of while its server could not be told: still valid there until revoked.
struct PendingRevocation {
    QUrl server;
    QString token;
    friend bool operator==(const PendingRevocation &, const PendingRevocation &) = default;
};

// One user's presence on one server: signs in (password once, then the token), keeps the
// link up, sends each op's typed parameters and hands back its typed result, and turns event
// frames into typed events. No other part of the app reads or writes protocol JSON.
class ClientSession : public QObject
{
    Q_OBJECT
    QML_NAMED_ELEMENT(Session) // what the views call it; ClientSession only tells it from the server's
    QML_UNCREATABLE("The app owns the session")
    Q_PROPERTY(Status status READ status NOTIFY statusChanged)
    Q_PROPERTY(QString user READ user NOTIFY userChanged)
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)
    Q_PROPERTY(QUrl server READ server NOTIFY serverChanged)
    Q_PROPERTY(QDateTime nextAttempt READ nextAttempt NOTIFY statusChanged)
    Q_PROPERTY(bool online READ isOnline NOTIFY statusChanged)

public:
    enum class Status {
        SignedOut,
        Connecting,   // first contact: the server has not been reached yet
        SigningIn,    // reached, the login or register request is out
        Online,
        Reconnecting, // was online (or has a token), the link is down, retrying with backoff
    };
    Q_ENUM(Status)

    struct Options {
        ClientConnection::Options connection;
        std::chrono::milliseconds requestTimeout{30000};
    };

    explicit ClientSession(QObject *parent = nullptr);
    explicit ClientSession(Options options, QObject *parent = nullptr);
    ~ClientSession() override;

    // Password sign-in: failures (wrong password, unreachable server) end in SignedOut with
    // error(). After it succeeds the session lives on the token.
    Q_INVOKABLE void signIn(const QUrl &server, const QString &user, const QString &password);
    Q_INVOKABLE void createAccount(const QUrl &server, const QString &user, const QString &password);
    // Token sign-in (the next start): keeps trying until the server answers; only a refused
    // token ends it.
    void resume(const QUrl &server, const QString &token);
    // Revokes the token on the server and forgets it.
    Q_INVOKABLE void signOut();
    // Tokens to revoke: each is logged in with and out of the next time this session reaches
    // its server, before signing in there. Signing out while offline adds one.
    void setPendingRevocations(QList<PendingRevocation> revocations) { m_pendingRevocations = std::move(revocations); }
    [[nodiscard]] const QList<PendingRevocation> &pendingRevocations() const { return m_pendingRevocations; }
    // Leaves without revoking anything (quitting the app).
    void disconnectFromServer();
    Q_INVOKABLE void retryNow() { m_connection.retryNow(); }
    // How the next sign-in's first contact treats a server without TLS (an address typed
    // without a scheme may fall back to ws://; one with a scheme never does).
    void setTlsFallback(ClientConnection::TlsFallback fallback) { m_tlsFallback = fallback; }

    // One request: the answer has the op's result when it is ok. It is `lost` when the link
    // is not up or drops before the reply. In a coroutine, pass a named variable: GCC 12
    // destroys a braced temporary in a co_await expression twice.
    template<protocol::RequestParams Params>
    [[nodiscard]] QCoro::Task<TypedReply<typename Params::Reply>> request(const Params &params)
    {
        return typedRequest<typename Params::Reply>(Params::kOp, params.toJson());
    }

    [[nodiscard]] Status status() const { return m_status; }
    [[nodiscard]] bool isOnline() const { return m_status == Status::Online; }
    [[nodiscard]] QString user() const { return m_user; }
    [[nodiscard]] QString token() const { return m_token; }
    [[nodiscard]] QString error() const { return m_error; }
    [[nodiscard]] QUrl server() const { return m_connection.url(); }
    [[nodiscard]] QDateTime nextAttempt() const { return m_connection.nextAttempt(); }
    [[nodiscard]] ClientConnection &connection() { return m_connection; }

Q_SIGNALS:
    void statusChanged();
    void userChanged();
    void errorChanged();
    void serverChanged();
    // The token to keep for the next start; empty when it must be forgotten.
    void tokenChanged(const QString &token);
    void pendingRevocationsChanged();
    // Every successful sign-in, the first and each one after a reconnect, with the snapshot.
    void signedIn(const QList<rill::protocol::ChannelInfo> &channels);
    // The events of the contract, one signal each.
    void messageArrived(const rill::protocol::MessageEvent &event);
    void channelAdded(const rill::protocol::ChannelEvent &event);
    void memberChanged(const rill::protocol::MemberEvent &event);
    void presenceChanged(const rill::protocol::PresenceEvent &event);
    void typingArrived(const rill::protocol::TypingEvent &event);
    void readMoved(const rill::protocol::ReadEvent &event);
    void messageUpdated(const rill::protocol::UpdateEvent &event); // revision 2
    void topicChanged(const rill::protocol::TopicEvent &event);    // revision 2
    void serverGoingAway(const rill::protocol::ByeEvent &event);

private:
    enum class Credentials { None, Password, NewAccount, Token };

    void start(const QUrl &server, Credentials credentials);
    void setStatus(Status status);
    void setError(const QString &error);
    void setUser(const QString &user);
    void fail(const QString &error);
    void onOpened();
    void onDropped(const QString &reason);
    void onFrame(const QByteArray &frame);
    void dispatchEvent(const protocol::Event &event);
    [[nodiscard]] QCoro::Task<Reply> requestJson(QLatin1StringView op, QJsonObject params);
    template<typename Result>
    [[nodiscard]] QCoro::Task<TypedReply<Result>> typedRequest(QLatin1StringView op, QJsonObject params);
    QCoro::Task<> authenticate(quint64 generation);
    // Revokes the pending tokens of the server just reached; false when the link went meanwhile.
    [[nodiscard]] QCoro::Task<bool> revokePending(quint64 generation);
    void dropPendingRevocation(const PendingRevocation &revocation);
    template<typename SignedIn>
    void finishSignIn(const TypedReply<SignedIn> &reply);
    QCoro::Task<> revokeAndClose(quint64 generation);

    ClientConnection m_connection;
    RequestTracker m_tracker;
    Status m_status = Status::SignedOut;
    Credentials m_credentials = Credentials::None;
    ClientConnection::TlsFallback m_tlsFallback = ClientConnection::TlsFallback::Never;
    QString m_user;
    QString m_password; // only until the first sign-in answers
    QString m_token;
    QString m_error;
    QList<PendingRevocation> m_pendingRevocations;
    // Bumped by every sign-in and sign-out, so a coroutine of an earlier one knows it is stale.
    quint64 m_generation = 0;
};

template<typename Result>
QCoro::Task<TypedReply<Result>> ClientSession::typedRequest(QLatin1StringView op, QJsonObject params)
{
    Reply reply = co_await requestJson(op, std::move(params));
    co_return TypedReply<Result>::from(std::move(reply));
}

} // namespace rill::client
