#pragma once

#include "hub/Recipient.h"
#include "session/TokenBucket.h"

#include "protocol/Codec.h"
#include "protocol/StreamId.h"
#include "store/Store.h"

#include <QCoro/QCoroTask>
#include <QElapsedTimer>
#include <QPointer>
#include <QString>

#include <deque>
#include <memory>

namespace rill::store {
class PasswordHasher;
}

namespace rill::server {

class PeerConnection;
class Hub;
class ServerMetrics;
struct ServerConfig;

// What a session needs from the instance it lives in.
struct SessionServices {
    store::Store &store;
    store::PasswordHasher &hasher;
    Hub &hub;
    const ServerConfig &config;
    QString instanceId;   // unique per process, e.g. "web-1#3fa2c9e1"
    QString instanceName; // what `hello` reports after log-in
    QString publicInstanceName; // and before it
    std::shared_ptr<ServerMetrics> metrics;
};

// One connection's protocol state: anonymous or logged in as a user; its rate limits and
// bad-login count; one coroutine per request. Owned by shared_ptr so that a request still in
// flight keeps it alive after the connection is gone (its reply is then dropped).
//
// Requests are handled concurrently and replied to as they finish, except around the ops that
// change who the session is (register, login, logout): those are barriers, and requests
// arriving meanwhile wait, so a pipelined `login` + `send` works as written.
class PeerSession final : public Recipient, public std::enable_shared_from_this<PeerSession>
{
public:
    PeerSession(PeerConnection &connection, SessionServices services);
    ~PeerSession() override;
    PeerSession(const PeerSession &) = delete;
    PeerSession &operator=(const PeerSession &) = delete;

    void receive(const QByteArray &frame);
    // The connection is gone: leave the hub, let the token's idle clock start.
    void connectionClosed();
    [[nodiscard]] bool isAuthenticated() const { return !m_userKey.isEmpty(); }

    // Recipient
    [[nodiscard]] const QString &id() const override { return m_id; }
    [[nodiscard]] const QString &userKey() const override { return m_userKey; }
    [[nodiscard]] protocol::StreamId busFloor() const override { return m_busFloor; }
    void setBusFloor(protocol::StreamId floor) override { m_busFloor = floor; }
    [[nodiscard]] const QByteArray &tokenHash() const override { return m_tokenHash; }
    void fellBehind() override;
    void loggedOut() override;
    void deliver(const Frame &frame) override;

private:
    using Request = protocol::Request;

    void dispatch(Request request);
    void handle(Request request);
    void finishBarrier();
    void reply(const QJsonValue &re, QJsonObject result = {});
    template<protocol::ReplyResult Result>
    void reply(const QJsonValue &re, const Result &result) { reply(re, result.toJson()); }
    // Answers the request with an error, counted under its op and code.
    void fail(const Request &request, const protocol::Error &error);
    // Answers a frame that was not a request (no op to count it under).
    void failFrame(const QJsonValue &re, const protocol::Error &error);
    // The op's parameters, or nullopt once `bad_request` has been answered.
    template<protocol::RequestParams Params>
    [[nodiscard]] std::optional<Params> paramsOf(const Request &request);
    // For ops on one of the user's channels: a public name (lowercased) or a DM name, or
    // nullopt once `not_member` has been answered (no such name can be one of theirs).
    [[nodiscard]] std::optional<QString> channelOf(const Request &request, const QString &channel);
    // A message text the contract accepts; otherwise answers `empty` or `too_long` and is false.
    [[nodiscard]] bool checkText(const Request &request, const QString &text);
    void becomeUser(const store::LoginSnapshot &snapshot, const QString &token);
    void becomeAnonymous();
    void countBadLogin();
    void noteRateLimited();

    QCoro::Task<> doHello(Request r);
    QCoro::Task<> doRegister(Request r);
    QCoro::Task<> doLogin(Request r);
    QCoro::Task<> doLogout(Request r);
    QCoro::Task<> doChannels(Request r);
    QCoro::Task<> doJoin(Request r);
    QCoro::Task<> doPart(Request r);
    QCoro::Task<> doSend(Request r);
    QCoro::Task<> doHistory(Request r);
    QCoro::Task<> doMembers(Request r);
    QCoro::Task<> doDm(Request r);
    QCoro::Task<> doTyping(Request r);
    QCoro::Task<> doRead(Request r);
    // Revision 2.
    QCoro::Task<> doEdit(Request r);
    QCoro::Task<> doDelete(Request r);
    QCoro::Task<> doTopic(Request r);
    QCoro::Task<> doReact(Request r);
    QCoro::Task<> doThread(Request r);
    QCoro::Task<> doChanges(Request r);
    QCoro::Task<> doSearch(Request r);

    QPointer<PeerConnection> m_connection;
    SessionServices m_services;
    QString m_id;
    QString m_address; // the client's, as throttling counts it
    QString m_userKey;
    QString m_userName;
    QByteArray m_tokenHash;
    protocol::StreamId m_busFloor;
    bool m_attached = false;
    bool m_barrier = false;
    std::deque<std::pair<Request, qsizetype>> m_waiting; // with the size of its frame
    qsizetype m_waitingBytes = 0;
    TokenBucket m_sendBucket;
    TokenBucket m_requestBucket;
    QElapsedTimer m_clock; // for the flood episode below
    qint64 m_floodStart = -1;
    qint64 m_lastRejected = -1;
    int m_rejectedInFlood = 0;
    int m_badLogins = 0;
};

} // namespace rill::server
