#include "LoadClient.h"

#include "support/ProcessStats.h"

#include "protocol/Codec.h"
#include "protocol/ErrorCode.h"

#include <QCoro/QCoroWebSocket>
#include <QPointer>
#include <QTcpSocket>

#include <algorithm>

#include <fcntl.h>

namespace rill::load {

using namespace Qt::StringLiterals;
using rill::bench::monotonicMicros;

LoadClient::LoadClient(int index, QString user, int channel, QString channelName, bool sender, RunContext *context,
                       QObject *parent)
    : QObject(parent)
    , m_index(index)
    , m_user(std::move(user))
    , m_channel(channel)
    , m_channelName(std::move(channelName))
    , m_sender(sender)
    , m_context(context)
    , m_resend(context->resend ? std::make_unique<ResendState>() : nullptr)
{
    if (m_resend) {
        m_resend->pause.setSingleShot(true);
        connect(&m_resend->pause, &QTimer::timeout, this, &LoadClient::resendPending);
    }
}

LoadClient::~LoadClient()
{
    // The handshake's socket is a member: its destructor may still signal, into an object half
    // gone.
    m_closing = true;
    if (m_handshake) {
        m_handshake->disconnect(this);
        m_handshake->abort();
    }
}

QCoro::Task<bool> LoadClient::open(QUrl url, std::chrono::milliseconds timeout)
{
    const QPointer<LoadClient> self(this);
    m_connection.reset(); // a reconnect: the last connection has ended
    m_handshake = std::make_unique<QWebSocket>();
    // Until the descriptor is ours, what QWebSocket reads after its handshake is ours too.
    connect(m_handshake.get(), &QWebSocket::textMessageReceived, this,
            [this](const QString &text) { onText(text.toUtf8()); });
    auto socket = qCoro(m_handshake.get());
    const bool opened = co_await socket.open(url, timeout);
    if (!self)
        co_return false;
    co_return opened && adoptConnection();
}

bool LoadClient::adoptConnection()
{
    // What WebSocketListener::adoptDescriptor does for the server's peers, at the client end.
    const std::unique_ptr<QWebSocket> handshake = std::move(m_handshake);
    auto *tcp = handshake->findChild<QTcpSocket *>(); // QWebSocket's transport is its child
    if (!tcp || handshake->state() != QAbstractSocket::ConnectedState
        || tcp->state() != QAbstractSocket::ConnectedState)
        return false;
    // The tool must not add Nagle delays of its own to what it measures.
    if (m_context->noDelay)
        tcp->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    tcp->flush();
    if (tcp->bytesToWrite() > 0)
        return false; // nothing but the handshake request was written: it has long left
    // A second descriptor for the same connection: Qt closes its own with its objects.
    const int descriptor = ::fcntl(int(tcp->socketDescriptor()), F_DUPFD_CLOEXEC, 0);
    if (descriptor < 0)
        return false;
    const QByteArray early = tcp->readAll();
    // abort(), not close(): no FIN, which would end our descriptor's connection too. The
    // QWebSocket still hears of its socket, knows it is unconnected and sends no close frame.
    handshake->disconnect(this);
    tcp->abort();
    m_connection = std::make_unique<ClientFrameSocket>(
        descriptor, this,
        ClientFrameSocket::Handlers{[this](QByteArray &&utf8) { onText(utf8); }, [this] { onDisconnected(); }});
    if (!early.isEmpty())
        m_connection->consume(early);
    return isOpen();
}

bool LoadClient::isOpen() const
{
    return m_connection && m_connection->isOpen();
}

int LoadClient::closeCode() const
{
    return m_connection ? m_connection->closeCode() : 1006; // never connected: RFC 6455 7.1.5
}

ReplyAwaiter LoadClient::request(QLatin1StringView op, QJsonObject params, std::chrono::milliseconds timeout)
{
    auto pending = std::make_shared<detail::PendingReply>();
    if (!isOpen()) {
        pending->reply = Reply{false, u"disconnected"_s, {}};
        return ReplyAwaiter(std::move(pending));
    }
    const qint64 id = ++m_nextId;
    pending->deadline = monotonicMicros() + qint64(timeout.count()) * 1000;
    m_requests.insert(id, pending);
    m_connection->sendText(protocol::encodeRequest(id, op, std::move(params)));
    return ReplyAwaiter(std::move(pending));
}

LoadClient::SendOutcome LoadClient::sendChat(qint64 scheduled, bool measured)
{
    const bool resend = bool(m_resend);
    // With --resend a message written while the connection is being made again waits for it,
    // as in the app; otherwise a client that is gone skips its sends.
    const bool connected = m_ready && isOpen();
    if (!connected && (!resend || m_closing))
        return SendOutcome::Gone;
    // Open loop up to a point: a client whose sends go unanswered this long stops adding to a
    // queue that would only measure the tool's own backlog.
    if ((resend ? m_resend->outgoing.size() : m_sends.size()) >= m_context->maxInflight)
        return SendOutcome::Busy;

    const qint64 seq = ++m_seq;
    const int step = m_context->spec.step;
    const qint64 now = monotonicMicros();
    // Sender, sequence and send time travel in the text, so any receiver in any process can
    // measure the latency without a shared table. The run ID keeps old runs' messages out.
    QByteArray text = "rl " + m_context->runId + ' ' + QByteArray::number(step) + (measured ? " m " : " w ")
        + QByteArray::number(m_index) + ' ' + QByteArray::number(seq) + ' ' + QByteArray::number(now);
    if (text.size() + 1 < m_context->messageBytes)
        text += ' ' + QByteArray(m_context->messageBytes - text.size() - 1, 'x');

    if (resend) {
        // The nonce makes every resend of this message the same message to the server.
        const QString nonce = QString::fromLatin1(m_context->runId) + u'-' + QString::number(m_index) + u'-'
            + QString::number(seq);
        const QJsonObject params{
            {"channel"_L1, m_channelName}, {"text"_L1, QString::fromLatin1(text)}, {"nonce"_L1, nonce}};
        Outgoing &out = m_resend->outgoing.insert(seq, Outgoing{params, step, measured, now, 0, false}).value();
        if (connected)
            writeSend(seq, out);
        if (m_context->stats && m_context->stats->resend)
            ++m_context->stats->resend->messages;
    } else {
        const qint64 id = ++m_nextId;
        m_sends.insert(id, SendInfo{step, measured, now, 0});
        const QJsonObject params{{"channel"_L1, m_channelName}, {"text"_L1, QString::fromLatin1(text)}};
        m_connection->sendText(protocol::encodeRequest(id, protocol::op::send, params));
    }
    if (measured && m_context->stats) {
        ++m_context->stats->sent;
        m_context->stats->sendLag.record(now - scheduled);
    }
    return SendOutcome::Sent;
}

void LoadClient::writeSend(qint64 seq, Outgoing &out)
{
    const qint64 id = ++m_nextId;
    if (out.attempts++ > 0 && m_context->stats && m_context->stats->resend)
        ++m_context->stats->resend->resent;
    out.inFlight = true;
    m_sends.insert(id, SendInfo{out.step, out.measured, monotonicMicros(), seq});
    m_connection->sendText(protocol::encodeRequest(id, protocol::op::send, out.params));
}

void LoadClient::resendPending()
{
    if (!m_resend || !m_ready || !isOpen())
        return;
    for (auto it = m_resend->outgoing.begin(); it != m_resend->outgoing.end(); ++it) {
        if (!it->inFlight)
            writeSend(it.key(), it.value());
    }
}

void LoadClient::giveUpPending()
{
    if (!m_resend)
        return;
    m_resend->pause.stop();
    for (auto it = m_resend->outgoing.cbegin(); it != m_resend->outgoing.cend(); ++it)
        m_resend->unacked.append(it.key());
    m_resend->outgoing.clear();
}

void LoadClient::forgetPhase()
{
    if (!m_resend)
        return;
    m_resend->acked.clear();
    m_resend->unacked.clear();
    m_resend->received.clear();
}

std::optional<qint64> LoadClient::runMessageKey(QStringView text, QLatin1StringView runId)
{
    // rl <run> <step> <m|w> <sender> <seq> ...
    std::array<QStringView, 6> fields;
    std::size_t n = 0;
    for (const QStringView field : text.tokenize(u' ')) {
        if (n == fields.size())
            break;
        fields[n++] = field;
    }
    if (n < fields.size() || fields[0] != u"rl" || fields[1] != runId)
        return std::nullopt;
    return messageKey(fields[4].toLongLong(), fields[5].toLongLong());
}

qint64 LoadClient::unansweredMeasured() const
{
    const int step = m_context->spec.step;
    if (m_resend)
        return std::count_if(m_resend->outgoing.cbegin(), m_resend->outgoing.cend(),
                             [step](const Outgoing &o) { return o.measured && o.step == step; });
    return std::count_if(m_sends.cbegin(), m_sends.cend(),
                         [step](const SendInfo &s) { return s.measured && s.step == step; });
}

void LoadClient::onText(const QByteArray &utf8)
{
    const auto decoded = protocol::decodeServerFrame(utf8);
    if (!decoded) {
        countError(u"bad_frame"_s);
        return;
    }
    if (decoded->type == protocol::ServerFrame::Type::Event) {
        if (decoded->event == protocol::ev::message)
            onMessageEvent(decoded->body.value("message"_L1).toObject());
        else if (decoded->event == protocol::ev::bye)
            countError(u"bye"_s);
        return;
    }
    const auto id = protocol::exactInteger(decoded->re);
    if (!id) {
        countError(u"reply_without_id"_s);
        return;
    }
    if (m_sends.contains(*id)) {
        onSendReply(*id, decoded->ok, decoded->errorName);
        return;
    }
    const auto pending = m_requests.take(*id);
    if (!pending) {
        countError(u"unexpected_reply"_s);
        return;
    }
    pending->reply = Reply{decoded->ok, decoded->errorName, decoded->body};
    if (auto waiter = std::exchange(pending->waiter, {}))
        waiter.resume();
}

void LoadClient::onSendReply(qint64 id, bool ok, const QString &error)
{
    const SendInfo info = m_sends.take(id);
    if (m_resend) {
        onResendReply(info.seq, info.sentAt, ok, error);
        return;
    }
    PhaseStats *stats = m_context->stats;
    // Answers to an earlier phase's sends, or to warm-up sends, are not this phase's figures.
    if (!stats || !info.measured || info.step != m_context->spec.step)
        return;
    if (ok) {
        ++stats->acked;
        ++stats->channelAcked[std::size_t(m_channel)];
        stats->ackLatency.record(monotonicMicros() - info.sentAt);
    } else {
        ++stats->errors[u"send:"_s + error];
    }
}

void LoadClient::onResendReply(qint64 seq, qint64 writtenAt, bool ok, const QString &error)
{
    const auto it = m_resend->outgoing.find(seq);
    if (it == m_resend->outgoing.end())
        return; // given up on after the drain
    it->inFlight = false;
    PhaseStats *stats = m_context->stats;
    ResendStats *resend = stats && stats->resend ? &*stats->resend : nullptr;
    const PhaseSpec &spec = m_context->spec;
    if (ok) {
        const qint64 now = monotonicMicros();
        if (resend) {
            if (spec.faultAt > 0 && now >= spec.faultAt) {
                ++resend->ackedAfterFault;
                // Only a request written after the fault shows the server serving again: an
                // answer to an older one may have been on its way when the fault struck.
                const qint64 sinceFault = now - spec.faultAt;
                const qint64 firstSoFar = resend->firstAckAfterFault;
                if (writtenAt >= spec.faultAt && (firstSoFar < 0 || sinceFault < firstSoFar))
                    resend->firstAckAfterFault = sinceFault;
            } else {
                ++resend->ackedBeforeFault;
            }
            if (it->attempts == 1)
                resend->recordFirstAttemptAck(now - spec.start);
        }
        if (stats && it->measured && it->step == spec.step) {
            ++stats->acked;
            ++stats->channelAcked[std::size_t(m_channel)];
            stats->ackLatency.record(now - it->firstSentAt); // what the user waited, resends included
        }
        m_resend->acked.append(seq);
        m_resend->outgoing.erase(it);
        return;
    }
    countError(u"send:"_s + error);
    if (error == protocol::errorCodeName(protocol::ErrorCode::Internal)
        || error == protocol::errorCodeName(protocol::ErrorCode::RateLimited)) {
        if (!m_resend->pause.isActive())
            m_resend->pause.start(m_context->resendPause);
        return;
    }
    // Refused for a reason a resend cannot mend.
    if (resend)
        ++resend->refused;
    m_resend->unacked.append(seq);
    m_resend->outgoing.erase(it);
}

void LoadClient::onMessageEvent(const QJsonObject &message)
{
    const QString text = message.value("text"_L1).toString();
    if (!text.startsWith("rl "_L1))
        return; // join and part notices, and other people's messages
    const qint64 now = monotonicMicros();

    // rl <run> <step> <m|w> <sender> <seq> <sent-at> [padding]
    std::array<QStringView, 7> fields;
    std::size_t n = 0;
    for (const QStringView field : QStringView(text).tokenize(u' ')) {
        if (n == fields.size())
            break;
        fields[n++] = field;
    }
    if (n < fields.size() || fields[1] != QLatin1StringView(m_context->runId))
        return;
    if (m_resend)
        m_resend->received.insert(messageKey(fields[4].toLongLong(), fields[5].toLongLong()));

    const auto id = protocol::StreamId::parse(message.value("id"_L1).toString());
    if (!id) {
        countError(u"bad_message_id"_s);
        return;
    }
    bool duplicate = false;
    bool reordered = false;
    if (*id > m_lastId) {
        m_lastId = *id;
    } else if (std::find(m_recentIds.cbegin(), m_recentIds.cend(), *id) != m_recentIds.cend()) {
        duplicate = true;
    } else {
        reordered = true;
    }
    if (!duplicate)
        m_recentIds[m_recentNext++ % m_recentIds.size()] = *id;

    PhaseStats *stats = m_context->stats;
    if (!stats)
        return;
    if (fields[2].toInt() != m_context->spec.step) {
        ++stats->late;
        return;
    }
    if (duplicate) {
        ++stats->duplicates;
        return;
    }
    if (reordered)
        ++stats->reordered;
    if (fields[3] != u"m")
        return;
    if (message.value("channel"_L1).toString() != m_channelName) {
        countError(u"foreign_channel"_s);
        return;
    }
    ++stats->delivered;
    ++stats->channelDelivered[std::size_t(m_channel)];
    stats->latency.record(now - fields[6].toLongLong());
}

void LoadClient::countError(const QString &code)
{
    if (m_context->stats)
        ++m_context->stats->errors[code];
    else
        ++m_context->setupErrors[code];
}

void LoadClient::onDisconnected()
{
    if (m_closing)
        return;
    if (m_ready)
        countError(u"disconnected:"_s + QString::number(closeCode()));
    m_ready = false;
    if (m_resend) {
        // Their answers are gone with the connection: they go again after the next log-in.
        m_sends.clear();
        for (Outgoing &out : m_resend->outgoing)
            out.inFlight = false;
    }
    // A waiter resumed here may end this client's life: only touch it if it is still there.
    const QPointer<LoadClient> self(this);
    failAll(u"disconnected"_s);
    if (self)
        Q_EMIT self->closed();
}

void LoadClient::failAll(const QString &why)
{
    const auto pending = std::exchange(m_requests, {});
    for (const auto &p : pending) {
        p->reply = Reply{false, why, {}};
        if (auto waiter = std::exchange(p->waiter, {}))
            waiter.resume();
    }
}

void LoadClient::failOverdue(qint64 now)
{
    QList<std::shared_ptr<detail::PendingReply>> overdue;
    for (auto it = m_requests.begin(); it != m_requests.end();) {
        if (it.value()->deadline <= now) {
            overdue.append(it.value());
            it = m_requests.erase(it);
        } else {
            ++it;
        }
    }
    for (const auto &p : overdue) {
        p->reply = Reply{false, u"timeout"_s, {}};
        if (auto waiter = std::exchange(p->waiter, {}))
            waiter.resume();
    }
}

void LoadClient::close()
{
    m_closing = true;
    m_ready = false;
    if (m_connection)
        m_connection->close();
    else if (m_handshake)
        m_handshake->abort();
}

} // namespace rill::load
