#pragma once

#include "ClientFrameSocket.h"
#include "PhaseStats.h"

#include "protocol/StreamId.h"

#include <QHash>
#include <QJsonObject>
#include <QMap>
#include <QObject>
#include <QSet>
#include <QString>
#include <QTimer>
#include <QUrl>
#include <QWebSocket>

#include <QCoro/QCoroTask>

#include <array>
#include <chrono>
#include <coroutine>
#include <memory>
#include <optional>

namespace rill::load {

// What the clients of one process share: which run and phase is being measured and where the
// counts go. Owned by the Runner; clients hold a pointer.
struct RunContext {
    QByteArray runId;             // tells this run's messages from those of earlier runs
    PhaseSpec spec;               // the phase in progress (or the last one)
    PhaseStats *stats = nullptr;  // where the phase in progress counts; null between phases
    QMap<QString, qint64> setupErrors;
    int maxInflight = 100;
    int messageBytes = 100;
    bool noDelay = true; // TCP_NODELAY on the clients' sockets
    // --resend: sends carry a nonce and go again, as the app's do, until acknowledged: after
    // `internal` or `rate_limited` (after resendPause), and after a reconnect.
    bool resend = false;
    std::chrono::milliseconds resendPause{1000};
};

struct Reply {
    bool ok = false;
    QString error; // the wire code, or "disconnected" / "timeout" when no reply came
    QJsonObject body;
};

namespace detail {
struct PendingReply {
    std::optional<Reply> reply;
    std::coroutine_handle<> waiter;
    qint64 deadline = 0; // monotonic us
};
} // namespace detail

// co_await client.request(...) for the reply. Not a coroutine itself, so a request costs no
// coroutine frame; the client resumes the waiter when the reply (or the failure) arrives.
class [[nodiscard]] ReplyAwaiter
{
public:
    explicit ReplyAwaiter(std::shared_ptr<detail::PendingReply> pending) : m_pending(std::move(pending)) {}
    bool await_ready() const noexcept { return m_pending->reply.has_value(); }
    void await_suspend(std::coroutine_handle<> waiter) noexcept { m_pending->waiter = waiter; }
    Reply await_resume() { return std::move(*m_pending->reply); }

private:
    std::shared_ptr<detail::PendingReply> m_pending;
};

// One simulated user on one WebSocket, speaking PROTOCOL.md through rill-protocol's codec.
// As a receiver it checks every `message` event of the run: first copy or duplicate, and
// how long after its send it arrived.
class LoadClient : public QObject
{
    Q_OBJECT

public:
    LoadClient(int index, QString user, int channel, QString channelName, bool sender, RunContext *context,
               QObject *parent = nullptr);
    ~LoadClient() override;

    [[nodiscard]] QCoro::Task<bool> open(QUrl url, std::chrono::milliseconds timeout);
    ReplyAwaiter request(QLatin1StringView op, QJsonObject params = {},
                         std::chrono::milliseconds timeout = std::chrono::seconds(60));

    enum class SendOutcome { Sent, Busy, Gone };
    // One send of the run, timestamped now. `scheduled` is when the plan wanted it.
    SendOutcome sendChat(qint64 scheduled, bool measured);
    // Measured sends of the current phase still without an answer.
    [[nodiscard]] qint64 unansweredMeasured() const;

    // --resend: the sends still waiting for an ok go again (after a reconnect).
    void resendPending();
    // --resend, after the drain: sends still unacknowledged are given up (unacknowledgedSeqs()).
    void giveUpPending();
    // --resend: sequence numbers of this phase's acknowledged and unacknowledged sends, and the
    // messages of this run delivered to this session (keys of messageKey()).
    [[nodiscard]] const QList<qint64> &acknowledgedSeqs() const { return m_resend->acked; }
    [[nodiscard]] const QList<qint64> &unacknowledgedSeqs() const { return m_resend->unacked; }
    [[nodiscard]] const QSet<qint64> &received() const { return m_resend->received; }
    void forgetPhase();
    // One send of the run: its sender's client index and sequence number.
    [[nodiscard]] static qint64 messageKey(qint64 sender, qint64 seq) { return (sender << 32) | seq; }
    // The key of a message text of run `runId`; nullopt for any other text.
    [[nodiscard]] static std::optional<qint64> runMessageKey(QStringView text, QLatin1StringView runId);

    [[nodiscard]] bool isOpen() const;
    [[nodiscard]] bool isClosing() const { return m_closing; }
    // The close code the server sent (1006 when the connection ended without one), once closed.
    [[nodiscard]] int closeCode() const;
    void failOverdue(qint64 now);
    void close();

Q_SIGNALS:
    // The connection ended without close() from our side.
    void closed();

public:
    [[nodiscard]] int index() const { return m_index; }
    [[nodiscard]] const QString &user() const { return m_user; }
    [[nodiscard]] int channel() const { return m_channel; }
    [[nodiscard]] const QString &channelName() const { return m_channelName; }
    [[nodiscard]] bool isSender() const { return m_sender; }
    [[nodiscard]] bool isReady() const { return m_ready; }
    void setReady(bool ready) { m_ready = ready; }
    [[nodiscard]] const QString &token() const { return m_token; }
    void setToken(QString token) { m_token = std::move(token); }

private:
    // Once QWebSocket's handshake is done, the descriptor is ours (ClientFrameSocket).
    [[nodiscard]] bool adoptConnection();
    void onText(const QByteArray &utf8);
    void onDisconnected();
    void onMessageEvent(const QJsonObject &message);
    void onSendReply(qint64 id, bool ok, const QString &error);
    void onResendReply(qint64 seq, qint64 writtenAt, bool ok, const QString &error);
    void countError(const QString &code);
    void failAll(const QString &why);

    struct SendInfo {
        int step = 0;
        bool measured = false;
        qint64 sentAt = 0;
        qint64 seq = 0; // --resend: the send this request carries
    };
    // --resend: a send until it is acknowledged, with what it takes to make it again.
    struct Outgoing {
        QJsonObject params; // channel, text, nonce
        int step = 0;
        bool measured = false;
        qint64 firstSentAt = 0;
        int attempts = 0;
        bool inFlight = false;
    };
    // Only with --resend: the default mode's clients carry none of it.
    struct ResendState {
        QMap<qint64, Outgoing> outgoing; // by seq: not yet acknowledged
        QList<qint64> acked;
        QList<qint64> unacked; // given up on, or still unacknowledged after the drain
        QSet<qint64> received;
        QTimer pause;          // until the refused sends go again
    };
    void writeSend(qint64 seq, Outgoing &out);

    const int m_index;
    const QString m_user;
    const int m_channel;
    const QString m_channelName;
    const bool m_sender;
    RunContext *const m_context;

    std::unique_ptr<QWebSocket> m_handshake;        // only while connecting
    std::unique_ptr<ClientFrameSocket> m_connection; // once connected
    QString m_token;
    bool m_ready = false;
    bool m_closing = false;
    qint64 m_nextId = 0;
    qint64 m_seq = 0;
    QHash<qint64, std::shared_ptr<detail::PendingReply>> m_requests;
    QHash<qint64, SendInfo> m_sends;
    const std::unique_ptr<ResendState> m_resend;

    // Message IDs grow within a channel, so "newer than the last" is the fast path; the few
    // most recent IDs tell a duplicate from a reordering when one is not newer.
    protocol::StreamId m_lastId;
    std::array<protocol::StreamId, 32> m_recentIds{};
    std::size_t m_recentNext = 0;
};

} // namespace rill::load
