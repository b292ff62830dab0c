// rill-abuse: one kind of hostile traffic against a server on this machine, for issue 10's
// abuse benchmark (bench/scripts/abuse.sh runs every kind at once, next to a normal client).
// Each attack keeps its pressure up for --duration seconds (what the server closes is opened
// again) and prints a JSON summary: what the attacker got, and how long the server let its
// connections live.
//
//   handshake   N TCP connections that never finish the WebSocket handshake (half of them
//               send part of the upgrade request, half nothing)
//   anonymous   N WebSockets that say hello and never log in
//   bruteforce  N connections guessing one user's password, one guess in flight each
//   register    N connections registering new accounts, one new connection per account
//   channels    N users each creating channels by joining new names
//   readcreep   N users in a long channel moving their read marker one entry per `read`
//   deepjson    N connections sending deeply nested JSON (just under the 64 KiB frame limit)

#include "load/Histogram.h"
#include "load/LoadClient.h"

#include "support/ProcessStats.h"

#include "protocol/Codec.h"
#include "protocol/Limits.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTcpSocket>
#include <QTimer>
#include <QWebSocket>

#include <QCoro/QCoroAbstractSocket>
#include <QCoro/QCoroSignal>
#include <QCoro/QCoroTask>
#include <QCoro/QCoroTimer>
#include <QCoro/QCoroWebSocket>

#include <cstdio>
#include <memory>
#include <optional>

namespace {

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using rill::bench::monotonicMicros;
using rill::load::Histogram;
using rill::load::LoadClient;
using rill::load::Reply;
using rill::load::RunContext;

// Sockets and clients are resumed from inside their own signals (a reply, a disconnection):
// the coroutine that then drops them must not delete an object whose signal is still being
// emitted, so they go through the event loop.
struct DeleteLater {
    void operator()(QObject *object) const { object->deleteLater(); }
};
template<typename T>
using Owned = std::unique_ptr<T, DeleteLater>;

struct Options {
    QString attack;
    QUrl url;
    int count = 0;
    double durationSeconds = 60;
    double rampPerSecond = 500; // new connections per second while ramping up
    QString victim;             // bruteforce: the user whose password is guessed
    QString creepChannel;       // readcreep: the long channel
    int creepIds = 20000;       // readcreep: how many of its oldest IDs to creep through
    int depth = 30000;          // deepjson: nesting depth
    QByteArray runId;
};

// What one attack saw. `codes` counts replies by error code ("ok" for successes), and
// `closes` how the server ended connections (by close code; "tcp" for a plain TCP close).
struct Tally {
    qint64 connections = 0;   // connections opened (including re-openings)
    qint64 connectFailed = 0; // attempts that did not connect (refused, timed out)
    qint64 requests = 0;
    QMap<QString, qint64> codes;
    QMap<QString, qint64> closes;
    Histogram lifetime;       // open -> closed by the server
    Histogram roundTrip;      // request -> reply
    qint64 openAtEnd = 0;

    [[nodiscard]] QJsonObject toJson(const Options &o, double seconds) const
    {
        QJsonObject c, cl;
        for (auto it = codes.cbegin(); it != codes.cend(); ++it)
            c.insert(it.key(), it.value());
        for (auto it = closes.cbegin(); it != closes.cend(); ++it)
            cl.insert(it.key(), it.value());
        return {{"attack"_L1, o.attack},
                {"count"_L1, o.count},
                {"seconds"_L1, seconds},
                {"connections"_L1, connections},
                {"connectFailed"_L1, connectFailed},
                {"requests"_L1, requests},
                {"requestsPerSecond"_L1, seconds > 0 ? double(requests) / seconds : 0},
                {"replies"_L1, c},
                {"closedByServer"_L1, cl},
                {"openAtEnd"_L1, openAtEnd},
                {"lifetimeOfClosed"_L1, lifetime.summaryMs()},
                {"roundTrip"_L1, roundTrip.summaryMs()}};
    }
};

class Attack
{
public:
    explicit Attack(Options options) : m_o(std::move(options))
    {
        m_deadline = monotonicMicros() + qint64(m_o.durationSeconds * 1e6);
        m_context.runId = m_o.runId;
        // Requests that never get an answer must end the wait.
        m_overdue.setInterval(1s);
        QObject::connect(&m_overdue, &QTimer::timeout, [this] {
            const qint64 now = monotonicMicros();
            for (LoadClient *c : std::as_const(m_live))
                c->failOverdue(now);
        });
        m_overdue.start();
    }

    QCoro::Task<QJsonObject> run();

private:
    [[nodiscard]] bool timeLeft() const { return monotonicMicros() < m_deadline; }
    [[nodiscard]] std::chrono::milliseconds left() const
    {
        return std::chrono::milliseconds(std::max<qint64>(0, (m_deadline - monotonicMicros()) / 1000));
    }

    // A WebSocket client, registered for the overdue sweep while it lives.
    struct Live {
        Attack *attack;
        Owned<LoadClient> client;
        explicit Live(Attack *a, const QString &user)
            : attack(a), client(new LoadClient(0, user, -1, QString(), false, &a->m_context))
        {
            attack->m_live.insert(client.get());
        }
        ~Live() { attack->m_live.remove(client.get()); }
        Live(const Live &) = delete;
        Live &operator=(const Live &) = delete;
    };

    // Opens a WebSocket and says hello; null when that failed.
    QCoro::Task<std::unique_ptr<Live>> connectClient(QString user);
    QCoro::Task<Reply> timedRequest(LoadClient *client, QLatin1StringView op, QJsonObject params);
    void countReply(const Reply &r);
    void countClose(const LoadClient &client, qint64 openedAt);
    // Staggers the start of slot `k` so connections ramp up at --ramp per second.
    QCoro::Task<> rampDelay(int k);

    static QCoro::Task<> handshakeSlot(Attack *a, int k);
    static QCoro::Task<> anonymousSlot(Attack *a, int k);
    static QCoro::Task<> bruteforceSlot(Attack *a, int k);
    static QCoro::Task<> registerSlot(Attack *a, int k);
    static QCoro::Task<> channelsSlot(Attack *a, int k);
    static QCoro::Task<> readcreepSlot(Attack *a, int k);
    static QCoro::Task<> deepjsonSlot(Attack *a, int k);

    Options m_o;
    RunContext m_context;
    Tally m_t;
    qint64 m_deadline = 0;
    qint64 m_open = 0;
    QSet<LoadClient *> m_live;
    QTimer m_overdue;
};

QCoro::Task<> Attack::rampDelay(int k)
{
    const qint64 at = monotonicMicros() + qint64(double(k) / m_o.rampPerSecond * 1e6);
    const qint64 wait = at - monotonicMicros();
    if (wait > 0)
        co_await QCoro::sleepFor(std::chrono::milliseconds(wait / 1000));
}

QCoro::Task<std::unique_ptr<Attack::Live>> Attack::connectClient(QString user)
{
    auto live = std::make_unique<Live>(this, user);
    ++m_t.connections;
    const bool opened = co_await live->client->open(m_o.url, 10s);
    if (!opened) {
        ++m_t.connectFailed;
        co_return std::unique_ptr<Live>();
    }
    const QJsonObject helloParams{{"version"_L1, rill::protocol::kVersion}};
    // Not counted: the replies of an attack are its own requests'.
    const Reply hello = co_await live->client->request(rill::protocol::op::hello, helloParams, 30s);
    if (!hello.ok)
        co_return std::unique_ptr<Live>();
    co_return live;
}

QCoro::Task<Reply> Attack::timedRequest(LoadClient *client, QLatin1StringView op, QJsonObject params)
{
    const qint64 start = monotonicMicros();
    ++m_t.requests;
    Reply reply = co_await client->request(op, std::move(params), 30s);
    if (reply.ok || (reply.error != "disconnected"_L1 && reply.error != "timeout"_L1))
        m_t.roundTrip.record(monotonicMicros() - start);
    countReply(reply);
    co_return reply;
}

void Attack::countReply(const Reply &r)
{
    ++m_t.codes[r.ok ? u"ok"_s : r.error];
}

void Attack::countClose(const LoadClient &client, qint64 openedAt)
{
    ++m_t.closes[QString::number(client.closeCode())];
    m_t.lifetime.record(monotonicMicros() - openedAt);
}

// Connects, sends part of an upgrade request (or nothing), and waits for the server to give up.
QCoro::Task<> Attack::handshakeSlot(Attack *a, int k)
{
    co_await a->rampDelay(k);
    const QUrl &url = a->m_o.url;
    while (a->timeLeft()) {
        const Owned<QTcpSocket> owned(new QTcpSocket);
        QTcpSocket &socket = *owned;
        ++a->m_t.connections;
        auto s = qCoro(socket);
        const bool connected = co_await s.connectToHost(QHostAddress(url.host()), quint16(url.port(7117)), QIODevice::ReadWrite, 10s);
        if (!connected) {
            ++a->m_t.connectFailed;
            co_await QCoro::sleepFor(200ms);
            continue;
        }
        if (k % 2 == 0)
            socket.write("GET / HTTP/1.1\r\nHost: " + url.host().toLatin1() + "\r\nUpgrade: websocket\r\n");
        const qint64 openedAt = monotonicMicros();
        ++a->m_open;
        const bool closed = co_await s.waitForDisconnected(a->left());
        --a->m_open;
        if (!closed) {
            ++a->m_t.openAtEnd;
            socket.abort();
            break;
        }
        ++a->m_t.closes[u"tcp"_s];
        a->m_t.lifetime.record(monotonicMicros() - openedAt);
    }
}

// Says hello, then nothing: waits for the server to close the anonymous connection.
QCoro::Task<> Attack::anonymousSlot(Attack *a, int k)
{
    co_await a->rampDelay(k);
    while (a->timeLeft()) {
        auto live = co_await a->connectClient(u"anonymous"_s);
        if (!live) {
            co_await QCoro::sleepFor(200ms);
            continue;
        }
        const qint64 openedAt = monotonicMicros();
        if (live->client->isOpen()) {
            auto closedOrEnd = qCoro(live->client.get(), &LoadClient::closed, a->left());
            const auto closed = co_await closedOrEnd;
            if (!closed) {
                ++a->m_t.openAtEnd;
                break;
            }
        }
        a->countClose(*live->client, openedAt);
    }
}

// Wrong passwords for one user as fast as the server answers; reconnects when closed.
QCoro::Task<> Attack::bruteforceSlot(Attack *a, int k)
{
    co_await a->rampDelay(k);
    qint64 guess = 0;
    while (a->timeLeft()) {
        auto live = co_await a->connectClient(u"brute"_s);
        if (!live) {
            co_await QCoro::sleepFor(200ms);
            continue;
        }
        const qint64 openedAt = monotonicMicros();
        while (a->timeLeft() && live->client->isOpen()) {
            const QJsonObject params{{"user"_L1, a->m_o.victim},
                                     {"password"_L1, u"guess-%1-%2-%3"_s.arg(k).arg(++guess).arg(QString::fromLatin1(a->m_o.runId))}};
            const Reply r = co_await a->timedRequest(live->client.get(), rill::protocol::op::login, params);
            if (r.ok)
                break; // cannot happen with these passwords
        }
        if (!live->client->isOpen())
            a->countClose(*live->client, openedAt);
        else
            ++a->m_t.openAtEnd;
    }
}

// New accounts as fast as the server makes them: a new connection for each.
QCoro::Task<> Attack::registerSlot(Attack *a, int k)
{
    co_await a->rampDelay(k);
    qint64 n = 0;
    std::unique_ptr<Live> live;
    qint64 openedAt = 0;
    while (a->timeLeft()) {
        if (!live || !live->client->isOpen()) {
            if (live)
                a->countClose(*live->client, openedAt);
            live = co_await a->connectClient(u"register"_s);
            openedAt = monotonicMicros();
            if (!live) {
                co_await QCoro::sleepFor(200ms);
                continue;
            }
        }
        const QJsonObject params{
            {"user"_L1, u"ab%1r%2x%3"_s.arg(QString::fromLatin1(a->m_o.runId)).arg(k).arg(++n)},
            {"password"_L1, u"abuse-password-%1"_s.arg(n)}};
        const Reply r = co_await a->timedRequest(live->client.get(), rill::protocol::op::registerUser, params);
        if (r.ok)
            live.reset(); // logged in now: the next account comes from a new connection
    }
    if (live && live->client->isOpen())
        ++a->m_t.openAtEnd;
}

// One user creating channels: join of a new name, again and again.
QCoro::Task<> Attack::channelsSlot(Attack *a, int k)
{
    co_await a->rampDelay(k);
    const QString user = u"ab%1c%2"_s.arg(QString::fromLatin1(a->m_o.runId)).arg(k);
    qint64 n = 0;
    while (a->timeLeft()) {
        auto live = co_await a->connectClient(user);
        if (!live) {
            co_await QCoro::sleepFor(200ms);
            continue;
        }
        const qint64 openedAt = monotonicMicros();
        const QJsonObject credentials{{"user"_L1, user}, {"password"_L1, u"abuse-password"_s}};
        Reply auth = co_await a->timedRequest(live->client.get(), rill::protocol::op::registerUser, credentials);
        if (!auth.ok && auth.error == "user_taken"_L1)
            auth = co_await a->timedRequest(live->client.get(), rill::protocol::op::login, credentials);
        if (!auth.ok) {
            co_await QCoro::sleepFor(1s);
            continue;
        }
        while (a->timeLeft() && live->client->isOpen()) {
            const QJsonObject params{
                {"channel"_L1, u"ab%1-%2-%3"_s.arg(QString::fromLatin1(a->m_o.runId)).arg(k).arg(++n)}};
            const Reply r = co_await a->timedRequest(live->client.get(), rill::protocol::op::join, params);
            if (!r.ok && r.error == "rate_limited"_L1)
                co_await QCoro::sleepFor(100ms);
        }
        if (!live->client->isOpen())
            a->countClose(*live->client, openedAt);
        else
            ++a->m_t.openAtEnd;
    }
}

// A member of a long channel moves its read marker forward one entry per `read`, from the
// oldest: every call makes the server count the user's messages after the marker.
QCoro::Task<> Attack::readcreepSlot(Attack *a, int k)
{
    co_await a->rampDelay(k);
    const QString user = u"ab%1m%2"_s.arg(QString::fromLatin1(a->m_o.runId)).arg(k);
    const QString channel = a->m_o.creepChannel;
    while (a->timeLeft()) {
        auto live = co_await a->connectClient(user);
        if (!live) {
            co_await QCoro::sleepFor(200ms);
            continue;
        }
        const qint64 openedAt = monotonicMicros();
        const QJsonObject credentials{{"user"_L1, user}, {"password"_L1, u"abuse-password"_s}};
        Reply auth = co_await a->timedRequest(live->client.get(), rill::protocol::op::registerUser, credentials);
        if (!auth.ok && auth.error == "user_taken"_L1)
            auth = co_await a->timedRequest(live->client.get(), rill::protocol::op::login, credentials);
        const QJsonObject joinParams{{"channel"_L1, channel}};
        Reply joined;
        if (auth.ok)
            joined = co_await a->timedRequest(live->client.get(), rill::protocol::op::join, joinParams);
        if (!joined.ok) {
            co_await QCoro::sleepFor(1s);
            continue;
        }
        // The oldest IDs, page by page.
        QStringList ids;
        QString after = u"0-0"_s;
        while (ids.size() < a->m_o.creepIds && a->timeLeft()) {
            const QJsonObject page{{"channel"_L1, channel}, {"after"_L1, after}, {"limit"_L1, 100}};
            const Reply r = co_await a->timedRequest(live->client.get(), rill::protocol::op::history, page);
            if (!r.ok) {
                if (r.error == "rate_limited"_L1) {
                    co_await QCoro::sleepFor(100ms);
                    continue;
                }
                break;
            }
            const QJsonArray messages = r.body.value("messages"_L1).toArray();
            for (const QJsonValue &m : messages)
                ids << m.toObject().value("id"_L1).toString();
            if (messages.isEmpty() || !r.body.value("more"_L1).toBool())
                break;
            after = ids.last();
        }
        if (ids.isEmpty()) {
            co_await QCoro::sleepFor(1s); // nothing to creep through (yet): do not spin on log-ins
            continue;
        }
        for (qsizetype i = 0; i < ids.size() && a->timeLeft() && live->client->isOpen(); ++i) {
            const QJsonObject params{{"channel"_L1, channel}, {"upTo"_L1, ids[i]}};
            const Reply r = co_await a->timedRequest(live->client.get(), rill::protocol::op::read, params);
            if (!r.ok && r.error == "rate_limited"_L1) {
                --i; // the same step again, later
                co_await QCoro::sleepFor(50ms);
            }
        }
        if (!live->client->isOpen())
            a->countClose(*live->client, openedAt);
        else if (!a->timeLeft())
            ++a->m_t.openAtEnd;
    }
}

// Deeply nested arrays and objects in a request, one in flight per connection. A raw
// QWebSocket: the answer to a frame the server cannot parse has no request id to match.
QCoro::Task<> Attack::deepjsonSlot(Attack *a, int k)
{
    co_await a->rampDelay(k);
    const int depth = a->m_o.depth;
    qint64 n = 0;
    while (a->timeLeft()) {
        const Owned<QWebSocket> owned(new QWebSocket);
        QWebSocket &socket = *owned;
        ++a->m_t.connections;
        auto ws = qCoro(socket);
        const bool opened = co_await ws.open(a->m_o.url, 10s);
        if (!opened) {
            ++a->m_t.connectFailed;
            co_await QCoro::sleepFor(200ms);
            continue;
        }
        const qint64 openedAt = monotonicMicros();
        while (a->timeLeft() && socket.state() == QAbstractSocket::ConnectedState) {
            // {"x": [[[...]]]} or {"x": {"a":{"a":...}}} next to a valid op, written raw
            // (QJsonDocument refuses to build such a document).
            const bool arrays = (++n % 2) == 0;
            const QByteArray open = arrays ? "[" : "{\"a\":";
            const QByteArray close = arrays ? "]" : "}";
            const int d = std::min<int>(depth, (60 * 1024) / int(open.size() + close.size()));
            const QByteArray nested = open.repeated(d) + (arrays ? "" : "1") + close.repeated(d);
            const QByteArray frame =
                "{\"id\":" + QByteArray::number(n) + ",\"op\":\"hello\",\"version\":1,\"x\":" + nested + "}";
            const qint64 start = monotonicMicros();
            ++a->m_t.requests;
            socket.sendTextMessage(QString::fromLatin1(frame));
            // A second at a time, so that a closed connection is noticed without waiting 30 s.
            std::optional<QString> answer;
            for (int waited = 0; !answer && waited < 30 && socket.state() == QAbstractSocket::ConnectedState; ++waited) {
                auto textOrSecond = qCoro(&socket, &QWebSocket::textMessageReceived, 1s);
                auto got = co_await textOrSecond;
                if (got)
                    answer = std::move(*got);
            }
            if (!answer) {
                ++a->m_t.codes[socket.state() == QAbstractSocket::ConnectedState ? u"timeout"_s : u"disconnected"_s];
                break;
            }
            a->m_t.roundTrip.record(monotonicMicros() - start);
            const QJsonObject reply = QJsonDocument::fromJson(answer->toUtf8()).object();
            ++a->m_t.codes[reply.value("ok"_L1).toBool() ? u"ok"_s : reply.value("error"_L1).toString(u"?"_s)];
        }
        if (socket.state() != QAbstractSocket::ConnectedState) {
            ++a->m_t.closes[QString::number(int(socket.closeCode()))];
            a->m_t.lifetime.record(monotonicMicros() - openedAt);
        } else {
            ++a->m_t.openAtEnd;
        }
    }
}

QCoro::Task<QJsonObject> Attack::run()
{
    using Slot = QCoro::Task<> (*)(Attack *, int);
    const QHash<QString, Slot> kinds{{u"handshake"_s, &Attack::handshakeSlot}, {u"anonymous"_s, &Attack::anonymousSlot},
                                     {u"bruteforce"_s, &Attack::bruteforceSlot}, {u"register"_s, &Attack::registerSlot},
                                     {u"channels"_s, &Attack::channelsSlot},   {u"readcreep"_s, &Attack::readcreepSlot},
                                     {u"deepjson"_s, &Attack::deepjsonSlot}};
    const Slot slot = kinds.value(m_o.attack);
    const qint64 start = monotonicMicros();
    std::vector<QCoro::Task<>> running;
    running.reserve(std::size_t(m_o.count));
    for (int k = 0; k < m_o.count; ++k)
        running.push_back(slot(this, k));
    for (auto &t : running)
        co_await t;
    co_return m_t.toJson(m_o, double(monotonicMicros() - start) / 1e6);
}

QCoro::Task<> runAndExit(Options options)
{
    Attack attack(std::move(options));
    const QJsonObject result = co_await attack.run();
    std::fputs(QJsonDocument(result).toJson(QJsonDocument::Compact).constData(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
    QCoreApplication::exit(0);
}

} // namespace

int main(int argc, char *argv[])
{
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"rill-abuse"_s);
    rill::bench::raiseOpenFilesLimit();

    QCommandLineParser parser;
    parser.setApplicationDescription(u"Hostile traffic of one kind against a Rill server on this machine "
                                     "(issue 10's abuse benchmark; bench/scripts/abuse.sh runs them all)."_s);
    parser.addHelpOption();
    const QCommandLineOption urlOpt(u"url"_s, u"Server URL (loopback only)."_s, u"url"_s, u"ws://127.0.0.1:7117/"_s);
    const QCommandLineOption attackOpt(u"attack"_s, u"handshake, anonymous, bruteforce, register, channels, readcreep "
                                                    "or deepjson."_s,
                                       u"name"_s);
    const QCommandLineOption countOpt(u"count"_s, u"Connections (or users) of the attack."_s, u"n"_s, u"10"_s);
    const QCommandLineOption durationOpt(u"duration"_s, u"Seconds (default 60)."_s, u"s"_s, u"60"_s);
    const QCommandLineOption rampOpt(u"ramp"_s, u"New connections per second at the start (default 500)."_s, u"n"_s,
                                     u"500"_s);
    const QCommandLineOption victimOpt(u"victim"_s, u"bruteforce: the user attacked (default load-0)."_s, u"user"_s,
                                       u"load-0"_s);
    const QCommandLineOption channelOpt(u"channel"_s, u"readcreep: the long channel (default load-history)."_s,
                                        u"name"_s, u"load-history"_s);
    const QCommandLineOption idsOpt(u"creep-ids"_s, u"readcreep: oldest entries to creep through (default 20000)."_s,
                                    u"n"_s, u"20000"_s);
    const QCommandLineOption depthOpt(u"depth"_s, u"deepjson: nesting depth (default: what fits in 60 KiB)."_s,
                                      u"n"_s, u"30000"_s);
    parser.addOptions({urlOpt, attackOpt, countOpt, durationOpt, rampOpt, victimOpt, channelOpt, idsOpt, depthOpt});
    parser.process(app);

    Options o;
    o.attack = parser.value(attackOpt);
    o.url = QUrl(parser.value(urlOpt));
    o.count = parser.value(countOpt).toInt();
    o.durationSeconds = parser.value(durationOpt).toDouble();
    o.rampPerSecond = std::max(1.0, parser.value(rampOpt).toDouble());
    o.victim = parser.value(victimOpt);
    o.creepChannel = parser.value(channelOpt);
    o.creepIds = parser.value(idsOpt).toInt();
    o.depth = parser.value(depthOpt).toInt();
    o.runId = QByteArray::number(QRandomGenerator::global()->bounded(1u << 30), 36);
    const QStringList attacks{u"handshake"_s, u"anonymous"_s, u"bruteforce"_s, u"register"_s,
                              u"channels"_s,  u"readcreep"_s, u"deepjson"_s};
    if (!attacks.contains(o.attack)) {
        std::fprintf(stderr, "rill-abuse: --attack must be one of %s\n", qPrintable(attacks.join(u", ")));
        return 2;
    }
    const QHostAddress host(o.url.host());
    if (!o.url.isValid() || o.url.scheme() != "ws"_L1 || (!host.isLoopback() && o.url.host() != "localhost"_L1)) {
        std::fprintf(stderr, "rill-abuse: --url must be a ws:// URL on this machine (loopback)\n");
        return 2;
    }
    if (o.count < 1 || o.durationSeconds <= 0) {
        std::fprintf(stderr, "rill-abuse: --count and --duration must be positive\n");
        return 2;
    }
    QTimer::singleShot(0, &app, [o] { runAndExit(o); });
    return app.exec();
}
