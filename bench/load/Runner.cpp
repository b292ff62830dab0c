#include "Runner.h"

#include "support/ProcessStats.h"

#include "protocol/Codec.h"
#include "protocol/Limits.h"

#include <QCoro/QCoroTimer>
#include <QElapsedTimer>
#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unistd.h>

namespace rill::load {

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using rill::bench::monotonicMicros;

QString Population::userName(int i) const
{
    return userPrefix + u'-' + QString::number(users > 0 ? i % users : i);
}

QString Population::channelName(int channel) const
{
    if (!fixedChannel.isEmpty())
        return fixedChannel;
    return channelPrefix + u'-' + QString::number(channel);
}

qsizetype Population::urlOf(int i) const
{
    // By position within the channel, not by i: with i % urls, every member of a channel
    // would land on the same instance whenever the URL count divides the channel count, and
    // delivery across instances would go untested.
    const int member = channels > 0 ? i / channels : i;
    return member % urls.size();
}

bool Population::isSender(int i) const
{
    const int member = channels > 0 ? i / channels : i; // position within its channel
    return std::floor(double(member + 1) * senderShare) > std::floor(double(member) * senderShare);
}

qint64 Population::sendersIn(int from, int to) const
{
    qint64 n = 0;
    for (int i = from; i < to; ++i)
        n += isSender(i) ? 1 : 0;
    return n;
}

void PrepareResult::merge(const PrepareResult &other)
{
    clients += other.clients;
    ready += other.ready;
    seconds = std::max(seconds, other.seconds);
    for (auto it = other.errors.cbegin(); it != other.errors.cend(); ++it)
        errors[it.key()] += it.value();
}

QJsonObject PrepareResult::toJson() const
{
    QJsonObject errs;
    for (auto it = errors.cbegin(); it != errors.cend(); ++it)
        errs.insert(it.key(), it.value());
    return {{"clients"_L1, clients}, {"ready"_L1, ready}, {"seconds"_L1, seconds}, {"errors"_L1, errs}};
}

PrepareResult PrepareResult::fromJson(const QJsonObject &json)
{
    PrepareResult r;
    r.clients = json.value("clients"_L1).toInteger();
    r.ready = json.value("ready"_L1).toInteger();
    r.seconds = json.value("seconds"_L1).toDouble();
    const QJsonObject errs = json.value("errors"_L1).toObject();
    for (auto it = errs.constBegin(); it != errs.constEnd(); ++it)
        r.errors.insert(it.key(), it.value().toInteger());
    return r;
}

QCoro::Task<> sleepUntil(qint64 target)
{
    const qint64 wait = target - monotonicMicros();
    if (wait <= 0)
        co_return;
    QTimer timer;
    timer.setTimerType(Qt::PreciseTimer); // a coarse timer may be 5% late: 500 ms on 10 s
    timer.setSingleShot(true);
    timer.start(std::chrono::milliseconds((wait + 999) / 1000));
    co_await timer;
}

Runner::Runner(RunnerOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{
    m_context.runId = m_options.runId;
    m_context.maxInflight = m_options.maxInflight;
    m_context.messageBytes = m_options.messageBytes;
    m_context.noDelay = m_options.noDelay;
    m_context.resend = m_options.resend;
    m_context.resendPause = m_options.resendPause;
    const Population &pop = m_options.population;
    m_clients.reserve(std::size_t(std::max(0, pop.end - pop.first)));
    for (int i = pop.first; i < pop.end; ++i) {
        const int channel = pop.channelOf(i);
        m_clients.push_back(std::make_unique<LoadClient>(i, pop.userName(i), channel,
                                                         channel >= 0 ? pop.channelName(channel) : QString(),
                                                         channel >= 0 && pop.isSender(i), &m_context));
        if (m_options.resend) {
            LoadClient *client = m_clients.back().get();
            connect(client, &LoadClient::closed, this, [this, client] { reconnectLater(client); });
        }
    }
    m_sendTimer.setSingleShot(true);
    m_sendTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_sendTimer, &QTimer::timeout, this, &Runner::fireDueSends);
    // Requests that never get an answer (a stuck server) must end the wait, not hang the tool.
    m_overdueTimer.setInterval(1s);
    connect(&m_overdueTimer, &QTimer::timeout, this, [this] {
        const qint64 now = monotonicMicros();
        for (const auto &c : m_clients)
            c->failOverdue(now);
    });
    m_overdueTimer.start();
}

Runner::~Runner() = default;

QCoro::Task<PrepareResult> Runner::prepare()
{
    QElapsedTimer elapsed;
    elapsed.start();
    QTimer progress;
    progress.setInterval(2s);
    connect(&progress, &QTimer::timeout, this, &Runner::printProgress);
    progress.start();

    m_nextSetup = 0;
    std::vector<QCoro::Task<>> slots;
    const int concurrency = std::max(1, std::min<int>(m_options.connectConcurrency, int(m_clients.size())));
    for (int i = 0; i < concurrency; ++i)
        slots.push_back(setupSlot(this));
    for (auto &slot : slots)
        co_await slot;
    progress.stop();
    printProgress();

    PrepareResult result;
    result.clients = qint64(m_clients.size());
    result.ready = m_setupReady;
    result.seconds = double(elapsed.nsecsElapsed()) / 1e9;
    result.errors = std::exchange(m_context.setupErrors, {});
    co_return result;
}

void Runner::printProgress() const
{
    std::fprintf(stderr, "%s: %lld/%zu clients set up, %lld ready\n", qPrintable(m_options.tag),
                 static_cast<long long>(m_setupDone), m_clients.size(), static_cast<long long>(m_setupReady));
}

// One of the bounded number of set-ups in flight: the server hashes passwords slowly, and
// asking for thousands at once would only lengthen every one of them past its timeout.
QCoro::Task<> Runner::setupSlot(Runner *runner)
{
    while (runner->m_nextSetup < int(runner->m_clients.size())) {
        LoadClient *client = runner->m_clients[std::size_t(runner->m_nextSetup++)].get();
        const bool ready = co_await setupClient(runner, client);
        client->setReady(ready);
        ++runner->m_setupDone;
        if (ready)
            ++runner->m_setupReady;
        else
            client->close();
    }
}

QCoro::Task<bool> Runner::setupClient(Runner *runner, LoadClient *client)
{
    const RunnerOptions &options = runner->m_options;
    const Population &pop = options.population;
    auto &errors = runner->m_context.setupErrors;
    const auto timeout = options.requestTimeout;

    const QUrl url = pop.urls.at(pop.urlOf(client->index()));
    // A reconnect whose log-in failed tries again on the connection it has.
    if (!client->isOpen()) {
        const bool opened = co_await client->open(url, 30s);
        if (!opened) {
            ++errors[u"connect"_s];
            co_return false;
        }
    }
    // Parameters are built before each co_await: GCC 12 rejects an initializer_list inside one.
    const QJsonObject helloParams{{"version"_L1, protocol::kVersion}};
    const Reply hello = co_await client->request(protocol::op::hello, helloParams, timeout);
    if (!hello.ok) {
        ++errors[u"hello:"_s + hello.error];
        co_return false;
    }

    // Cheapest first: a token (this session's own after a reconnect, or one from an earlier
    // run) costs the server no password hashing.
    Reply auth;
    const QString token = client->token().isEmpty() ? options.tokens.value(client->user()) : client->token();
    if (!token.isEmpty()) {
        const QJsonObject tokenParams{{"token"_L1, token}};
        auth = co_await client->request(protocol::op::login, tokenParams, timeout);
    }
    if (!auth.ok) {
        const QJsonObject credentials{{"user"_L1, client->user()}, {"password"_L1, pop.password}};
        auth = co_await client->request(protocol::op::registerUser, credentials, timeout);
        if (!auth.ok && auth.error == "user_taken"_L1)
            auth = co_await client->request(protocol::op::login, credentials, timeout);
    }
    if (!auth.ok) {
        ++errors[u"auth:"_s + auth.error];
        co_return false;
    }
    client->setToken(auth.body.value("token"_L1).toString());

    // Leave every other channel (`general`, which register joins, and channels of earlier
    // runs with another layout): a receiver must get its own channel's messages only, and
    // presence fan-out through a shared `general` would grow with the square of the clients.
    const QJsonArray channels = auth.body.value("channels"_L1).toArray();
    for (const QJsonValue &info : channels) {
        const QString name = info.toObject().value("name"_L1).toString();
        if (name.isEmpty() || name == client->channelName())
            continue;
        const QJsonObject partParams{{"channel"_L1, name}};
        const Reply parted = co_await client->request(protocol::op::part, partParams, timeout);
        if (!parted.ok)
            ++errors[u"part:"_s + parted.error];
    }
    if (client->channel() >= 0) {
        const QJsonObject joinParams{{"channel"_L1, client->channelName()}};
        const Reply joined = co_await client->request(protocol::op::join, joinParams, timeout);
        if (!joined.ok) {
            ++errors[u"join:"_s + joined.error];
            co_return false;
        }
    }
    co_return true;
}

QCoro::Task<PhaseStats> Runner::runPhase(PhaseSpec spec)
{
    const Population &pop = m_options.population;
    m_stats = PhaseStats{};
    m_stats.step = spec.step;
    m_stats.ratePerSender = spec.ratePerSender;
    m_stats.measuredSeconds = spec.measuredSeconds();
    m_stats.clients = qint64(m_clients.size());
    m_stats.resizeChannels(std::max(0, pop.channels));
    m_context.spec = spec;
    m_context.stats = &m_stats;
    if (m_options.resend) {
        m_stats.resend.emplace();
        m_stats.resend->faultOffset = spec.faultAt > 0 ? spec.faultAt - spec.start : -1;
        m_stats.resend->sendEndOffset = spec.measureUntil - spec.start;
        m_members.clear();
        for (const auto &c : m_clients)
            c->forgetPhase();
    }

    m_due = {};
    m_interval = spec.ratePerSender > 0 ? qint64(1e6 / spec.ratePerSender) : 0;
    for (std::size_t k = 0; k < m_clients.size(); ++k) {
        LoadClient &c = *m_clients[k];
        if (!c.isReady() || c.channel() < 0)
            continue;
        if (m_options.resend)
            m_members.push_back(&c);
        ++m_stats.connected;
        ++m_stats.channelMembers[std::size_t(c.channel())];
        if (!c.isSender() || m_interval <= 0)
            continue;
        ++m_stats.senders;
        // Spread first sends over one interval (golden-ratio offsets), so the load is smooth
        // rather than one burst per interval.
        const double offset = std::fmod(double(c.index()) * 0.6180339887498949, 1.0);
        m_due.push(Due{spec.start + qint64(offset * double(m_interval)), int(k)});
    }
    if (m_options.resend)
        co_await markHistoryStart();
    armSendTimer();

    co_await sleepUntil(spec.measureFrom);
    const double cpuBefore = bench::ownCpuSeconds();
    const qint64 wallBefore = monotonicMicros();
    co_await sleepUntil(spec.measureUntil);
    m_stats.toolCpuSeconds = bench::ownCpuSeconds() - cpuBefore;
    m_stats.toolWallSeconds = double(monotonicMicros() - wallBefore) / 1e6;
    m_stats.toolCpuCoresPerProcess = {m_stats.toolWallSeconds > 0 ? m_stats.toolCpuSeconds / m_stats.toolWallSeconds : 0};
    co_await sleepUntil(spec.drainUntil);

    m_sendTimer.stop();
    m_due = {};
    for (const auto &c : m_clients)
        m_stats.unacked += c->unansweredMeasured();
    if (m_options.resend)
        co_await checkHistory();
    if (const auto self = bench::sampleProcess(::getpid()))
        m_stats.toolRssBytes = self->rssBytes;
    m_context.stats = nullptr;
    co_return m_stats;
}

void Runner::reconnectLater(LoadClient *client)
{
    // Only sessions of the phase in progress: one that failed its set-up stays out.
    if (!m_context.stats || m_reconnecting.contains(client)
        || std::find(m_members.cbegin(), m_members.cend(), client) == m_members.cend())
        return;
    m_reconnecting.insert(client);
    reconnect(this, client);
}

QCoro::Task<> Runner::reconnect(QPointer<Runner> runner, QPointer<LoadClient> client)
{
    LoadClient *const key = client.data();
    auto pause = 100ms;
    bool ready = false;
    for (;;) {
        // A pause first, also before the first attempt: this runs from the socket's own
        // `disconnected`, and a socket opened again inside that signal was found dead.
        co_await QCoro::sleepFor(pause);
        pause = std::min<std::chrono::milliseconds>(pause * 2, 1s);
        if (!runner || !client || client->isClosing() || monotonicMicros() >= runner->m_context.spec.drainUntil)
            break;
        ready = co_await setupClient(runner.data(), client.data());
        if (!runner)
            co_return;
        // Set-up counts its failures for the set-up report; these belong to the phase.
        auto &failures = runner->m_context.setupErrors;
        if (PhaseStats *stats = runner->m_context.stats) {
            for (auto it = failures.cbegin(); it != failures.cend(); ++it)
                stats->errors[u"reconnect:"_s + it.key()] += it.value();
        }
        failures.clear();
        if (ready)
            break;
    }
    if (!runner)
        co_return;
    runner->m_reconnecting.remove(key);
    if (!ready || !client)
        co_return;
    client->setReady(true);
    if (PhaseStats *stats = runner->m_context.stats; stats && stats->resend)
        ++stats->resend->reconnects;
    client->resendPending();
}

QHash<int, LoadClient *> Runner::readersByChannel() const
{
    QHash<int, LoadClient *> readers;
    for (const auto &c : m_clients) {
        if (c->channel() >= 0 && c->isReady() && c->isOpen() && !readers.contains(c->channel()))
            readers.insert(c->channel(), c.get());
    }
    return readers;
}

QCoro::Task<> Runner::markHistoryStart()
{
    m_historyStart.clear();
    const QHash<int, LoadClient *> readers = readersByChannel();
    for (auto it = readers.cbegin(); it != readers.cend(); ++it) {
        const QJsonObject params{{"channel"_L1, it.value()->channelName()}, {"limit"_L1, 1}};
        const Reply newest = co_await it.value()->request(protocol::op::history, params, m_options.requestTimeout);
        const QJsonArray messages = newest.body.value("messages"_L1).toArray();
        // Without a mark the check reads the channel from its start: slower, as sure.
        if (!messages.isEmpty())
            m_historyStart.insert(it.key(), messages.first().toObject().value("id"_L1).toString());
    }
}

QCoro::Task<> Runner::checkHistory()
{
    ResendStats &r = *m_stats.resend;
    const Population &pop = m_options.population;
    const QLatin1StringView runId(m_context.runId);
    for (const auto &c : m_clients)
        c->giveUpPending();

    // Per channel: message key -> copies in the history.
    QHash<int, QHash<qint64, int>> stored;
    const QHash<int, LoadClient *> readers = readersByChannel();
    for (auto it = readers.cbegin(); it != readers.cend(); ++it) {
        LoadClient *reader = it.value();
        QHash<qint64, int> copies;
        QString after = m_historyStart.value(it.key(), u"0-0"_s);
        bool complete = false;
        for (;;) {
            const QJsonObject params{{"channel"_L1, reader->channelName()},
                                     {"after"_L1, after},
                                     {"limit"_L1, protocol::kMaxHistoryLimit}};
            const Reply page = co_await reader->request(protocol::op::history, params, m_options.requestTimeout);
            if (!page.ok) {
                ++m_stats.errors[u"check:history:"_s + page.error];
                break;
            }
            const QJsonArray messages = page.body.value("messages"_L1).toArray();
            if (messages.isEmpty()) {
                complete = true;
                break;
            }
            for (const QJsonValue &v : messages) {
                const QJsonObject m = v.toObject();
                after = m.value("id"_L1).toString();
                if (const auto key = LoadClient::runMessageKey(m.value("text"_L1).toString(), runId))
                    ++copies[*key];
            }
        }
        if (complete)
            stored.insert(it.key(), std::move(copies));
    }
    QSet<int> memberChannels;
    for (const LoadClient *m : m_members)
        memberChannels.insert(m->channel());
    for (const int channel : std::as_const(memberChannels)) {
        if (!stored.contains(channel))
            ++r.channelsUnread;
    }

    for (const auto &c : m_clients) {
        r.neverAcked += c->unacknowledgedSeqs().size();
        const auto copies = stored.constFind(c->channel());
        if (copies == stored.cend())
            continue;
        for (const qint64 seq : c->acknowledgedSeqs()) {
            if (!copies->contains(LoadClient::messageKey(c->index(), seq)))
                ++r.lost;
        }
        for (const qint64 seq : c->unacknowledgedSeqs()) {
            if (copies->contains(LoadClient::messageKey(c->index(), seq)))
                ++r.storedUnacked;
        }
    }
    for (const LoadClient *m : m_members) {
        ++r.receivers;
        const auto copies = stored.constFind(m->channel());
        if (copies == stored.cend())
            continue;
        qint64 gaps = 0;
        for (auto it = copies->cbegin(); it != copies->cend(); ++it) {
            if (!m->received().contains(it.key()))
                ++gaps;
        }
        for (const qint64 key : m->received()) {
            if (!copies->contains(key))
                ++r.deliveredNotStored;
        }
        r.receiverGaps += gaps;
        if (gaps > 0)
            ++r.receiversWithGaps;
    }
    // Every sender belongs to one process: its duplicates are counted there, once.
    for (const auto &copies : std::as_const(stored)) {
        for (auto it = copies.cbegin(); it != copies.cend(); ++it) {
            const qint64 sender = it.key() >> 32;
            if (it.value() > 1 && sender >= pop.first && sender < pop.end)
                r.duplicated += it.value() - 1;
        }
    }
}

void Runner::armSendTimer()
{
    if (m_due.empty())
        return;
    const qint64 wait = m_due.top().at - monotonicMicros();
    m_sendTimer.start(std::chrono::milliseconds(std::max<qint64>(0, (wait + 999) / 1000)));
}

void Runner::fireDueSends()
{
    const PhaseSpec &spec = m_context.spec;
    const qint64 now = monotonicMicros();
    while (!m_due.empty() && m_due.top().at <= now) {
        const Due due = m_due.top();
        m_due.pop();
        if (due.at >= spec.measureUntil)
            continue; // this client's sending is over
        const bool measured = due.at >= spec.measureFrom;
        LoadClient &client = *m_clients[std::size_t(due.client)];
        const auto outcome = client.sendChat(due.at, measured);
        if (outcome != LoadClient::SendOutcome::Sent && measured)
            ++m_stats.skipped;
        // Open loop: the next send keeps to the plan even when this one was late, so a slow
        // server shows up as latency, not as a quietly lowered offered load.
        m_due.push(Due{due.at + m_interval, due.client});
    }
    armSendTimer();
}

QJsonObject Runner::tokens() const
{
    QJsonObject out;
    for (const auto &c : m_clients) {
        if (!c->token().isEmpty())
            out.insert(c->user(), c->token());
    }
    return out;
}

void Runner::closeAll()
{
    m_sendTimer.stop();
    for (const auto &c : m_clients)
        c->close();
}

} // namespace rill::load
