// rill-load: a load generator that speaks PROTOCOL.md like any client and checks what it gets.
//
// Modes: a timed load run (default), --step (raise the load until p99 or delivery fails),
// --soak (hours at a fraction of the maximum, one sample a minute), --idle K (server memory
// per idle connection) and --history (page latency in a 1M log). The headline of a load
// phase is the server's CPU per delivered message; --hold-idle K keeps K more logged-in
// connections open (in a process of their own) while the load runs. --resend makes the clients
// resend as the app does and checks the history afterwards; with --kill-pid it measures what a
// fault (a Redis primary killed under Sentinel, a server instance) costs.
// With --workers K the clients are split over K copies of this program (one event loop is
// one core); this process then only coordinates, samples the server and merges the results.

#include "History.h"
#include "Participants.h"
#include "PhaseStats.h"
#include "Runner.h"

#include "support/ProcessStats.h"

#include "protocol/Names.h"

#include "redis/RedisEndpoint.h"

#include "eventloop/EventDispatcherChoice.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSaveFile>
#include <QTimer>

#include <QCoro/QCoroTask>
#include <QCoro/QCoroTimer>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>
#include <thread>
#include <unistd.h>

namespace {

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace rill::load;
using rill::bench::monotonicMicros;

enum class Mode { Load, Step, Soak, Idle, History };

struct Settings {
    Mode mode = Mode::Load;
    RunnerOptions runner;
    int workers = 1;
    std::optional<std::pair<int, int>> workerSlot; // (k, K): this process is worker k of K
    double rate = 1.0;
    bool rateGiven = false;
    double warmupSeconds = 5;
    double durationSeconds = 30;
    double drainSeconds = 3;
    double stepFactor = 1.5;
    int maxSteps = 20;
    double p99LimitMs = 50;
    double settleSeconds = 5;
    // --hold-idle: idle logged-in connections held by a worker process during the load.
    int holdIdle = 0;
    int holdIdleUsers = 0;
    QString holdIdlePrefix;
    // --soak
    double sampleSeconds = 60;
    double soakFraction = 1.0 / 3.0;
    QString soakOut;
    qint64 historyEntries = 1'000'000;
    std::optional<rill::redis::RedisEndpoint> historyRedis;
    int historyQueries = 1000;
    QList<qint64> serverPids;
    qint64 redisPid = 0;
    QString tokenCache;
    // --kill-pid/--kill-at: the fault a --resend run measures, injected by the coordinator.
    qint64 killPid = 0;
    double killAtSeconds = 0; // into the measured window
    bool json = false;
    QStringList workerArguments; // our own command line, for the workers
    QStringList holderArguments; // the command line of the idle holder (--hold-idle)
};

// Everything but the loopback is refused: this tool floods a server on purpose.
bool isLoopbackUrl(const QUrl &url, QString *why)
{
    if (url.scheme() != "ws"_L1 && url.scheme() != "wss"_L1) {
        *why = u"not a ws:// or wss:// URL"_s;
        return false;
    }
    const QString host = url.host();
    if (host == "localhost"_L1)
        return true;
    const QHostAddress address(host);
    if (address.isNull()) {
        *why = u"the host must be a loopback address (127.0.0.0/8, ::1 or localhost)"_s;
        return false;
    }
    if (!address.isLoopback()) {
        *why = u"%1 is not a loopback address; rill-load only loads servers on this machine"_s.arg(host);
        return false;
    }
    return true;
}

QHash<QString, QString> readTokenCache(const QString &path)
{
    QHash<QString, QString> tokens;
    QFile file(path);
    if (path.isEmpty() || !file.open(QIODevice::ReadOnly))
        return tokens;
    const QJsonObject json = QJsonDocument::fromJson(file.readAll()).object();
    for (auto it = json.constBegin(); it != json.constEnd(); ++it)
        tokens.insert(it.key(), it.value().toString());
    return tokens;
}

void writeTokenCache(const QString &path, const QHash<QString, QString> &old, const QJsonObject &fresh)
{
    if (path.isEmpty())
        return;
    QJsonObject all;
    for (auto it = old.cbegin(); it != old.cend(); ++it)
        all.insert(it.key(), it.value());
    for (auto it = fresh.constBegin(); it != fresh.constEnd(); ++it)
        all.insert(it.key(), it.value());
    QSaveFile file(path);
    if (file.open(QIODevice::WriteOnly)) {
        file.write(QJsonDocument(all).toJson(QJsonDocument::Compact));
        if (!file.commit())
            std::fprintf(stderr, "rill-load: cannot write %s\n", qPrintable(path));
    }
}

// CPU and memory of the server processes (and Redis) over a phase, from /proc.
struct ProcessWatch {
    qint64 pid = 0;
    QString role;
    std::optional<rill::bench::ProcessSample> before;
    std::optional<rill::bench::ProcessSample> after;
    qint64 rssMax = 0;
    qint64 wallMicros = 0;

    [[nodiscard]] QJsonObject toJson() const
    {
        QJsonObject o{{"pid"_L1, pid}, {"role"_L1, role}};
        if (before && after && wallMicros > 0) {
            o.insert("cpuSeconds"_L1, after->cpuSeconds - before->cpuSeconds);
            o.insert("cpuCores"_L1, (after->cpuSeconds - before->cpuSeconds) / (double(wallMicros) / 1e6));
            o.insert("rssBytes"_L1, after->rssBytes);
            o.insert("rssMaxBytes"_L1, std::max(rssMax, after->rssBytes));
            o.insert("rssBeforeBytes"_L1, before->rssBytes);
        } else {
            o.insert("error"_L1, u"no /proc data (wrong pid, or the process exited)"_s);
        }
        return o;
    }
};

QList<ProcessWatch> watchesFor(const Settings &s)
{
    QList<ProcessWatch> watches;
    for (qint64 pid : s.serverPids)
        watches.append(ProcessWatch{pid, u"server"_s, {}, {}, 0, 0}); // rill-server or the Node reference
    if (s.redisPid)
        watches.append(ProcessWatch{s.redisPid, u"redis-server"_s, {}, {}, 0, 0});
    return watches;
}

// How busy the machine as a whole was: on a shared machine, other people's work competes
// with the server and the tool, and CPU figures of the processes alone cannot show that.
struct MachineWatch {
    double busyBefore = 0;
    double busyAfter = 0;
    qint64 wallMicros = 0;
    double loadAverage = 0;

    [[nodiscard]] QJsonObject toJson() const
    {
        return {{"busyCores"_L1, wallMicros > 0 ? (busyAfter - busyBefore) / (double(wallMicros) / 1e6) : 0.0},
                {"loadAverage1m"_L1, loadAverage}};
    }
};

// Samples at the start and end of the measured window, and RSS once a second in between.
QCoro::Task<> watchProcesses(QList<ProcessWatch> *watches, MachineWatch *machine, qint64 from, qint64 until)
{
    co_await sleepUntil(from);
    const qint64 start = monotonicMicros();
    machine->busyBefore = rill::bench::machineBusyCpuSeconds();
    for (auto &w : *watches)
        w.before = rill::bench::sampleProcess(w.pid);
    for (qint64 t = from + 1'000'000; t < until; t += 1'000'000) {
        co_await sleepUntil(t);
        for (auto &w : *watches) {
            if (const auto s = rill::bench::sampleProcess(w.pid))
                w.rssMax = std::max(w.rssMax, s->rssBytes);
        }
    }
    co_await sleepUntil(until);
    for (auto &w : *watches) {
        w.after = rill::bench::sampleProcess(w.pid);
        w.wallMicros = monotonicMicros() - start;
    }
    machine->busyAfter = rill::bench::machineBusyCpuSeconds();
    machine->wallMicros = monotonicMicros() - start;
    machine->loadAverage = rill::bench::loadAverage();
}

QJsonArray watchesJson(const QList<ProcessWatch> &watches)
{
    QJsonArray a;
    for (const auto &w : watches)
        a.append(w.toJson());
    return a;
}

// The headline: microseconds of server CPU per delivered message (all --server-pid
// processes together), measured over the phase's measured window, in which the delivery rate
// is steady. The same with Redis's CPU added, since servers differ in how much work they hand
// to Redis (rill-server's Lua scripts and bus reads against the reference's XADD + PUBLISH).
void addHeadline(QJsonObject *report, const QJsonArray &processes)
{
    double serverCores = 0;
    double redisCores = 0;
    qint64 serverRss = 0;
    bool complete = true;
    for (const QJsonValue &v : processes) {
        const QJsonObject p = v.toObject();
        if (p.contains("error"_L1)) {
            complete = false;
            continue;
        }
        if (p.value("role"_L1).toString() == "server"_L1) {
            serverCores += p.value("cpuCores"_L1).toDouble();
            serverRss += p.value("rssBytes"_L1).toInteger();
        } else {
            redisCores += p.value("cpuCores"_L1).toDouble();
        }
    }
    const double perSecond = report->value("deliveredPerSecond"_L1).toDouble();
    const bool known = complete && serverCores > 0 && perSecond > 0;
    report->insert("serverCpuCores"_L1, serverCores);
    report->insert("serverRssBytes"_L1, serverRss);
    report->insert("cpuPerDeliveryMicros"_L1, known ? QJsonValue(serverCores * 1e6 / perSecond) : QJsonValue());
    report->insert("cpuPerDeliveryWithRedisMicros"_L1,
                   known ? QJsonValue((serverCores + redisCores) * 1e6 / perSecond) : QJsonValue());
}

QString mib(qint64 bytes)
{
    return QString::number(double(bytes) / (1024.0 * 1024.0), 'f', 1) + u" MiB"_s;
}

void printPhase(const QJsonObject &r, const QJsonArray &servers)
{
    const QJsonObject machine = r.value("machine"_L1).toObject();
    const QJsonObject lat = r.value("latency"_L1).toObject();
    const QJsonObject ack = r.value("ackLatency"_L1).toObject();
    const QJsonObject lag = r.value("sendLag"_L1).toObject();
    const QJsonObject tool = r.value("tool"_L1).toObject();
    if (r.value("cpuPerDeliveryMicros"_L1).isDouble())
        std::printf("  HEADLINE %.2f us server CPU per delivery (%.2f with Redis), %.0f deliveries/s, p50 %.2f ms, "
                    "p99 %.2f ms, lost %lld, duplicated %lld\n",
                    r.value("cpuPerDeliveryMicros"_L1).toDouble(), r.value("cpuPerDeliveryWithRedisMicros"_L1).toDouble(),
                    r.value("deliveredPerSecond"_L1).toDouble(), lat.value("p50Ms"_L1).toDouble(),
                    lat.value("p99Ms"_L1).toDouble(), static_cast<long long>(r.value("lost"_L1).toInteger()),
                    static_cast<long long>(r.value("duplicates"_L1).toInteger()));
    else
        std::printf("  HEADLINE n/a (no --server-pid, or nothing delivered), %.0f deliveries/s, p99 %.2f ms\n",
                    r.value("deliveredPerSecond"_L1).toDouble(), lat.value("p99Ms"_L1).toDouble());
    std::printf("  offered %.1f msg/s (%lld senders x %g/s), acked %.1f/s, delivered %.1f/s over %.0f s\n",
                r.value("offeredPerSecond"_L1).toDouble(), static_cast<long long>(r.value("senders"_L1).toInteger()),
                r.value("ratePerSender"_L1).toDouble(), r.value("ackedPerSecond"_L1).toDouble(),
                r.value("deliveredPerSecond"_L1).toDouble(), r.value("measuredSeconds"_L1).toDouble());
    auto line = [](const char *what, const QJsonObject &h) {
        std::printf("  %-14s p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f ms  (%lld samples)\n", what,
                    h.value("p50Ms"_L1).toDouble(), h.value("p90Ms"_L1).toDouble(), h.value("p99Ms"_L1).toDouble(),
                    h.value("p999Ms"_L1).toDouble(), h.value("maxMs"_L1).toDouble(),
                    static_cast<long long>(h.value("count"_L1).toInteger()));
    };
    line("delivery", lat);
    line("ack", ack);
    line("send lag", lag);
    std::printf("  expected %lld, delivered %lld, lost %lld, extra %lld, duplicates %lld, reordered %lld, "
                "unacked %lld, skipped %lld, late %lld\n",
                static_cast<long long>(r.value("expected"_L1).toInteger()),
                static_cast<long long>(r.value("delivered"_L1).toInteger()),
                static_cast<long long>(r.value("lost"_L1).toInteger()),
                static_cast<long long>(r.value("extra"_L1).toInteger()),
                static_cast<long long>(r.value("duplicates"_L1).toInteger()),
                static_cast<long long>(r.value("reordered"_L1).toInteger()),
                static_cast<long long>(r.value("unacked"_L1).toInteger()),
                static_cast<long long>(r.value("skipped"_L1).toInteger()),
                static_cast<long long>(r.value("late"_L1).toInteger()));
    const QJsonObject errors = r.value("errors"_L1).toObject();
    QStringList errs;
    for (auto it = errors.constBegin(); it != errors.constEnd(); ++it)
        errs << it.key() + u'=' + QString::number(it.value().toInteger());
    std::printf("  errors: %s\n", errs.isEmpty() ? "none" : qPrintable(errs.join(u", ")));
    if (r.contains("resend"_L1)) {
        const QJsonObject f = r.value("resend"_L1).toObject();
        const auto msOrNone = [](const QJsonValue &v) {
            return v.isDouble() ? QString::number(v.toDouble(), 'f', 0) + u" ms"_s : u"never"_s;
        };
        const auto n = [&f](QLatin1StringView key) { return static_cast<long long>(f.value(key).toInteger()); };
        const bool fault = f.value("faultInjected"_L1).toBool();
        if (fault)
            std::printf("  fault: first ack of a request written after it %s later, full rate again after %s\n",
                        qPrintable(msOrNone(f.value("firstAckAfterFaultMs"_L1))),
                        qPrintable(msOrNone(f.value("fullRateAfterFaultMs"_L1))));
        const QString acked = fault ? u"%1 before the fault, %2 after"_s.arg(n("ackedBeforeFault"_L1))
                                          .arg(n("ackedAfterFault"_L1))
                                    : QString::number(n("ackedBeforeFault"_L1));
        std::printf("  resend: %lld messages (warm-up included): acknowledged %s, never %lld (%lld refused); "
                    "%lld resends, %lld reconnects\n",
                    n("messages"_L1), qPrintable(acked), n("neverAcknowledged"_L1), n("refused"_L1), n("resent"_L1),
                    n("reconnects"_L1));
        std::printf("  history: %s; acknowledged but missing %lld, duplicated %lld, stored but unacknowledged %lld; "
                    "receivers %lld, missed by receivers %lld (%lld receivers), delivered but not stored %lld\n",
                    f.value("historyChecked"_L1).toBool() ? "every channel read"
                                                         : qPrintable(QString::number(n("channelsUnread"_L1))
                                                                      + u" channel(s) unread"_s),
                    n("lost"_L1), n("duplicated"_L1), n("storedUnacknowledged"_L1), n("receivers"_L1),
                    n("receiverGaps"_L1), n("receiversWithGaps"_L1), n("deliveredNotStored"_L1));
    }
    std::printf("  tool: %.2f cores in all (busiest process %.2f), rss %s\n", tool.value("cpuCores"_L1).toDouble(),
                tool.value("maxProcessCpuCores"_L1).toDouble(), qPrintable(mib(tool.value("rssBytes"_L1).toInteger())));
    for (const QJsonValue &v : servers) {
        const QJsonObject s = v.toObject();
        if (s.contains("error"_L1))
            std::printf("  %s pid %lld: %s\n", qPrintable(s.value("role"_L1).toString()),
                        static_cast<long long>(s.value("pid"_L1).toInteger()),
                        qPrintable(s.value("error"_L1).toString()));
        else
            std::printf("  %s pid %lld: %.2f cores, rss %s (max %s)\n", qPrintable(s.value("role"_L1).toString()),
                        static_cast<long long>(s.value("pid"_L1).toInteger()), s.value("cpuCores"_L1).toDouble(),
                        qPrintable(mib(s.value("rssBytes"_L1).toInteger())),
                        qPrintable(mib(s.value("rssMaxBytes"_L1).toInteger())));
    }
    std::printf("  machine: %.2f of %d cores busy, load average %.2f\n", machine.value("busyCores"_L1).toDouble(),
                rill::bench::machineInfo().cpus, machine.value("loadAverage1m"_L1).toDouble());
    std::fflush(stdout);
}

// A step holds when every acknowledged send reached every member, in time, and nothing else
// went wrong.
bool phaseHolds(const PhaseStats &s, double p99LimitMs, QString *why)
{
    QStringList problems;
    if (s.resend) {
        // A fault is expected to cost errors, resends and latency; what must not happen is
        // an acknowledged message lost or stored twice, or a session missing one.
        const ResendStats &r = *s.resend;
        if (r.lost)
            problems << u"%1 acknowledged and not in the history"_s.arg(r.lost);
        if (r.duplicated)
            problems << u"%1 stored twice"_s.arg(r.duplicated);
        if (r.neverAcked)
            problems << u"%1 never acknowledged"_s.arg(r.neverAcked);
        if (r.receiverGaps)
            problems << u"%1 stored messages missed by receivers"_s.arg(r.receiverGaps);
        if (r.channelsUnread)
            problems << u"%1 channels' history unread"_s.arg(r.channelsUnread);
        *why = problems.join(u"; ");
        return problems.isEmpty();
    }
    if (s.acked == 0)
        problems << u"nothing acknowledged"_s;
    if (double(s.latency.percentile(99)) / 1000.0 > p99LimitMs)
        problems << u"p99 %1 ms > %2 ms"_s.arg(double(s.latency.percentile(99)) / 1000.0).arg(p99LimitMs);
    if (s.lost())
        problems << u"%1 lost"_s.arg(s.lost());
    if (s.duplicates)
        problems << u"%1 duplicated"_s.arg(s.duplicates);
    if (s.unacked)
        problems << u"%1 unacknowledged"_s.arg(s.unacked);
    if (s.skipped)
        problems << u"%1 sends skipped (clients backed up)"_s.arg(s.skipped);
    if (s.errorCount())
        problems << u"%1 errors"_s.arg(s.errorCount());
    *why = problems.join(u"; ");
    return problems.isEmpty();
}

struct StepPlan {
    double rate = 1;
    bool stepping = false;
    double warmup = 0;
    double duration = 0;
    int firstStep = 0;
};

struct StepsResult {
    QJsonArray phases;
    QJsonObject best; // the highest phase that held
    int nextStep = 0;
    bool failed = false; // a worker failed
};

class Coordinator
{
public:
    explicit Coordinator(const Settings &settings) : m_settings(settings) {}

    QCoro::Task<int> run();

private:
    void startParticipants();
    [[nodiscard]] QCoro::Task<std::optional<PrepareResult>> prepareAll();
    [[nodiscard]] QCoro::Task<std::optional<PhaseStats>> runPhase(PhaseSpec spec, QJsonArray *servers,
                                                                  QJsonObject *machineLoad);
    [[nodiscard]] QCoro::Task<> finishAll();
    [[nodiscard]] std::thread injectFault(qint64 at);
    [[nodiscard]] QCoro::Task<bool> holdIdleConnections();
    [[nodiscard]] QCoro::Task<std::optional<PrepareResult>> setUp();
    [[nodiscard]] static PhaseSpec planPhase(int step, double rate, double warmup, double duration, double drain);
    // One phase, judged and with its headline; empty when a worker failed.
    [[nodiscard]] QCoro::Task<QJsonObject> measurePhase(PhaseSpec spec);
    [[nodiscard]] QCoro::Task<StepsResult> runSteps(StepPlan plan);
    [[nodiscard]] QJsonObject heldJson() const;
    [[nodiscard]] QCoro::Task<int> runLoad(bool stepping);
    [[nodiscard]] QCoro::Task<int> runSoak();
    [[nodiscard]] QCoro::Task<int> runIdle();
    [[nodiscard]] QCoro::Task<int> runHistory();
    [[nodiscard]] QJsonObject header() const;
    void emitJson(QJsonObject out) const;

    const Settings &m_settings;
    std::vector<std::unique_ptr<Participant>> m_participants;
    std::unique_ptr<Participant> m_holder; // --hold-idle
    PrepareResult m_held;
    std::atomic<qint64> m_faultLate{-1}; // us between the planned fault and the signal (-1: none sent)
};

QJsonObject Coordinator::header() const
{
    const auto &pop = m_settings.runner.population;
    QJsonArray urls;
    for (const QUrl &u : pop.urls)
        urls.append(u.toString());
    QJsonArray pids;
    for (qint64 p : m_settings.serverPids)
        pids.append(p);
    return {{"tool"_L1, u"rill-load"_s},
            {"machine"_L1, rill::bench::machineInfo().toJson()},
            {"runId"_L1, QString::fromLatin1(m_settings.runner.runId)},
            {"config"_L1,
             QJsonObject{{"urls"_L1, urls},
                         {"clients"_L1, pop.totalClients},
                         {"channels"_L1, pop.channels},
                         {"senderShare"_L1, pop.senderShare},
                         {"ratePerSender"_L1, m_settings.rate},
                         {"warmupSeconds"_L1, m_settings.warmupSeconds},
                         {"durationSeconds"_L1, m_settings.durationSeconds},
                         {"drainSeconds"_L1, m_settings.drainSeconds},
                         {"messageBytes"_L1, m_settings.runner.messageBytes},
                         {"maxInflight"_L1, m_settings.runner.maxInflight},
                         {"clientNoDelay"_L1, m_settings.runner.noDelay},
                         {"workers"_L1, m_settings.workers},
                         {"serverPids"_L1, pids},
                         {"redisPid"_L1, m_settings.redisPid},
                         {"holdIdle"_L1, m_settings.holdIdle},
                         {"users"_L1, pop.users},
                         {"resend"_L1, m_settings.runner.resend},
                         {"killPid"_L1, m_settings.killPid},
                         {"killAtSeconds"_L1,
                          m_settings.killPid ? QJsonValue(m_settings.killAtSeconds) : QJsonValue()}}}};
}

void Coordinator::emitJson(QJsonObject out) const
{
    const QJsonObject h = header();
    for (auto it = h.constBegin(); it != h.constEnd(); ++it)
        out.insert(it.key(), it.value());
    std::fputs(QJsonDocument(out).toJson(QJsonDocument::Indented).constData(), stdout);
    std::fflush(stdout);
}

void Coordinator::startParticipants()
{
    const int workers = m_settings.workers;
    if (workers <= 1) {
        m_participants.push_back(std::make_unique<LocalParticipant>(m_settings.runner));
        return;
    }
    for (int k = 0; k < workers; ++k) {
        QStringList args = m_settings.workerArguments;
        args << u"--worker-slot"_s << u"%1/%2"_s.arg(k).arg(workers) << u"--run-id"_s
             << QString::fromLatin1(m_settings.runner.runId);
        m_participants.push_back(std::make_unique<WorkerParticipant>(QCoreApplication::applicationFilePath(), args,
                                                                     u"worker %1/%2"_s.arg(k).arg(workers)));
    }
}

QCoro::Task<std::optional<PrepareResult>> Coordinator::prepareAll()
{
    std::vector<QCoro::Task<std::optional<PrepareResult>>> tasks;
    for (const auto &p : m_participants)
        tasks.push_back(p->prepare());
    PrepareResult merged;
    bool complete = true;
    for (auto &t : tasks) {
        const std::optional<PrepareResult> r = co_await t;
        if (r)
            merged.merge(*r);
        else
            complete = false;
    }
    if (!complete)
        co_return std::nullopt;
    co_return merged;
}

QCoro::Task<std::optional<PhaseStats>> Coordinator::runPhase(PhaseSpec spec, QJsonArray *servers,
                                                             QJsonObject *machineLoad)
{
    QList<ProcessWatch> watches = watchesFor(m_settings);
    MachineWatch machine;
    auto watching = watchProcesses(&watches, &machine, spec.measureFrom, spec.measureUntil);
    std::thread fault = injectFault(spec.faultAt);
    std::vector<QCoro::Task<std::optional<PhaseStats>>> tasks;
    for (const auto &p : m_participants)
        tasks.push_back(p->runPhase(spec));
    PhaseStats merged;
    bool complete = true;
    for (auto &t : tasks) {
        const std::optional<PhaseStats> r = co_await t;
        if (r)
            merged.merge(*r);
        else
            complete = false;
    }
    co_await watching;
    if (fault.joinable())
        fault.join(); // long done: the fault is planned inside the measured window
    *servers = watchesJson(watches);
    *machineLoad = machine.toJson();
    if (!complete)
        co_return std::nullopt;
    co_return merged;
}

// The participants count from the planned time, so the signal must leave on time: from a
// thread of its own, which a busy event loop cannot delay (on a saturated machine a timer in
// the loop fired half a second late). It only sleeps and sends one signal.
std::thread Coordinator::injectFault(qint64 at)
{
    m_faultLate = -1;
    if (at <= 0 || m_settings.killPid <= 0)
        return {};
    const qint64 pid = m_settings.killPid;
    return std::thread([this, at, pid] {
        const timespec when{time_t(at / 1'000'000), long(at % 1'000'000) * 1000};
        while (::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &when, nullptr) == EINTR) {
        }
        const qint64 late = monotonicMicros() - at;
        if (::kill(pid_t(pid), SIGKILL) != 0) {
            std::fprintf(stderr, "rill-load: cannot kill pid %lld: %s\n", static_cast<long long>(pid),
                         std::strerror(errno));
            return;
        }
        m_faultLate = late;
        std::fprintf(stderr, "rill-load: SIGKILL sent to pid %lld, %.1f ms after the planned time\n",
                     static_cast<long long>(pid), double(late) / 1000.0);
    });
}

QCoro::Task<> Coordinator::finishAll()
{
    std::vector<QCoro::Task<QJsonObject>> tasks;
    for (const auto &p : m_participants)
        tasks.push_back(p->finish());
    if (m_holder)
        tasks.push_back(m_holder->finish());
    QJsonObject tokens;
    for (auto &t : tasks) {
        const QJsonObject some = co_await t;
        for (auto it = some.constBegin(); it != some.constEnd(); ++it)
            tokens.insert(it.key(), it.value());
    }
    writeTokenCache(m_settings.tokenCache, m_settings.runner.tokens, tokens);
    co_await QCoro::sleepFor(300ms); // let the close frames go out before the process ends
}

QCoro::Task<int> Coordinator::run()
{
    // Each branch binds its result first: GCC 12 is fragile with co_await in other expressions.
    int code = 2;
    if (m_settings.mode == Mode::Load || m_settings.mode == Mode::Step) {
        const int r = co_await runLoad(m_settings.mode == Mode::Step);
        code = r;
    } else if (m_settings.mode == Mode::Soak) {
        const int r = co_await runSoak();
        code = r;
    } else if (m_settings.mode == Mode::Idle) {
        const int r = co_await runIdle();
        code = r;
    } else {
        const int r = co_await runHistory();
        code = r;
    }
    co_return code;
}

// The idle connections of --hold-idle live in a worker process of their own: in the load
// process, thousands of extra sockets would slow the tool's own event loop (Qt's poll() looks
// at every socket on every turn) and show up as the server's latency.
QCoro::Task<bool> Coordinator::holdIdleConnections()
{
    if (m_settings.holdIdle <= 0)
        co_return true;
    m_holder = std::make_unique<WorkerParticipant>(QCoreApplication::applicationFilePath(),
                                                   m_settings.holderArguments, u"idle holder"_s);
    const std::optional<PrepareResult> held = co_await m_holder->prepare();
    if (!held)
        co_return false;
    m_held = *held;
    if (!m_settings.json) {
        std::printf("holding %lld of %d idle logged-in connections (%d users) in a process of their own, set up in "
                    "%.1f s\n",
                    static_cast<long long>(held->ready), m_settings.holdIdle, m_settings.holdIdleUsers, held->seconds);
        std::fflush(stdout);
    }
    co_return true;
}

QCoro::Task<std::optional<PrepareResult>> Coordinator::setUp()
{
    const auto &pop = m_settings.runner.population;
    const bool holding = co_await holdIdleConnections();
    if (!holding) {
        co_await finishAll();
        std::fprintf(stderr, "rill-load: the idle holder failed during set-up\n");
        co_return std::nullopt;
    }
    if (!m_settings.json) {
        std::printf("rill-load: %d clients in %d channels over %lld URL(s), %lld senders, %d process(es)\n",
                    pop.totalClients, pop.channels, static_cast<long long>(pop.urls.size()),
                    static_cast<long long>(pop.sendersIn(0, pop.totalClients)), m_settings.workers);
        std::fflush(stdout);
    }
    startParticipants();
    const std::optional<PrepareResult> prepared = co_await prepareAll();
    if (!prepared) {
        co_await finishAll();
        std::fprintf(stderr, "rill-load: a worker failed during set-up\n");
        co_return std::nullopt;
    }
    if (!m_settings.json) {
        QStringList errs;
        for (auto it = prepared->errors.cbegin(); it != prepared->errors.cend(); ++it)
            errs << it.key() + u'=' + QString::number(it.value());
        std::printf("set-up: %lld of %lld clients ready in %.1f s%s\n", static_cast<long long>(prepared->ready),
                    static_cast<long long>(prepared->clients), prepared->seconds,
                    errs.isEmpty() ? "" : qPrintable(u" (errors: "_s + errs.join(u", ") + u')'));
        std::fflush(stdout);
    }
    if (prepared->ready == 0) {
        co_await finishAll();
        std::fprintf(stderr, "rill-load: no client could connect and log in; nothing to measure\n");
        co_return std::nullopt;
    }
    co_return prepared;
}

QCoro::Task<QJsonObject> Coordinator::measurePhase(PhaseSpec spec)
{
    QJsonArray servers;
    QJsonObject machineLoad;
    const std::optional<PhaseStats> stats = co_await runPhase(spec, &servers, &machineLoad);
    if (!stats) {
        std::fprintf(stderr, "rill-load: a worker failed during the run\n");
        co_return QJsonObject{};
    }
    QString why;
    const bool holds = phaseHolds(*stats, m_settings.p99LimitMs, &why);
    QJsonObject report = stats->report();
    if (report.contains("resend"_L1)) {
        QJsonObject resend = report.value("resend"_L1).toObject();
        const qint64 faultLate = m_faultLate;
        const QJsonValue late = faultLate >= 0 ? QJsonValue(double(faultLate) / 1000.0) : QJsonValue();
        resend.insert("faultSignalLateMs"_L1, late);
        if (spec.faultAt > 0 && faultLate < 0)
            resend.insert("faultInjected"_L1, false);
        report.insert("resend"_L1, resend);
    }
    report.insert("servers"_L1, servers);
    report.insert("machine"_L1, machineLoad);
    report.insert("holds"_L1, holds);
    if (!holds)
        report.insert("problems"_L1, why);
    addHeadline(&report, servers);
    co_return report;
}

PhaseSpec Coordinator::planPhase(int step, double rate, double warmup, double duration, double drain)
{
    PhaseSpec spec;
    spec.step = step;
    spec.ratePerSender = rate;
    // A moment for every worker to receive the plan before it starts.
    spec.start = monotonicMicros() + 500'000;
    spec.measureFrom = spec.start + qint64(warmup * 1e6);
    spec.measureUntil = spec.measureFrom + qint64(duration * 1e6);
    spec.drainUntil = spec.measureUntil + qint64(drain * 1e6);
    return spec;
}

QCoro::Task<StepsResult> Coordinator::runSteps(StepPlan plan)
{
    StepsResult result;
    double rate = plan.rate;
    const int steps = plan.stepping ? m_settings.maxSteps : 1;
    for (int k = 0; k < steps; ++k) {
        const int step = plan.firstStep + k;
        PhaseSpec spec = planPhase(step, rate, plan.warmup, plan.duration, m_settings.drainSeconds);
        if (m_settings.killPid > 0)
            spec.faultAt = spec.measureFrom + qint64(m_settings.killAtSeconds * 1e6);
        if (!m_settings.json) {
            std::printf("%s %d: %g msg/s per sender\n", plan.stepping ? "step" : "phase", step, rate);
            std::fflush(stdout);
        }
        const QJsonObject report = co_await measurePhase(spec);
        result.nextStep = step + 1;
        if (report.isEmpty()) {
            result.failed = true;
            break;
        }
        result.phases.append(report);
        const bool holds = report.value("holds"_L1).toBool();
        if (!m_settings.json) {
            printPhase(report, report.value("servers"_L1).toArray());
            std::printf("  => %s%s\n", holds ? "holds" : "fails: ", qPrintable(report.value("problems"_L1).toString()));
            std::fflush(stdout);
        }
        if (!holds)
            break;
        result.best = report;
        rate *= m_settings.stepFactor;
    }
    co_return result;
}

QJsonObject Coordinator::heldJson() const
{
    if (m_settings.holdIdle <= 0)
        return {};
    QJsonObject held = m_held.toJson();
    held.insert("requested"_L1, m_settings.holdIdle);
    held.insert("users"_L1, m_settings.holdIdleUsers);
    return held;
}

QCoro::Task<int> Coordinator::runLoad(bool stepping)
{
    const std::optional<PrepareResult> prepared = co_await setUp();
    if (!prepared)
        co_return 1;

    const StepPlan plan{m_settings.rate, stepping, m_settings.warmupSeconds, m_settings.durationSeconds, 0};
    const StepsResult steps = co_await runSteps(plan);
    co_await finishAll();

    int code = 0;
    if (steps.failed)
        code = 1;
    else if (!stepping)
        code = steps.phases.isEmpty() || !steps.phases.first().toObject().value("holds"_L1).toBool() ? 1 : 0;

    QJsonObject out{{"mode"_L1, stepping ? u"step"_s : u"load"_s},
                    {"prepare"_L1, prepared->toJson()},
                    {"phases"_L1, steps.phases}};
    if (m_settings.holdIdle > 0)
        out.insert("idleHeld"_L1, heldJson());
    if (stepping) {
        const QJsonObject &best = steps.best;
        out.insert("highestSustained"_L1, best.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(best));
        if (!m_settings.json) {
            if (best.isEmpty())
                std::printf("highest sustained step: none (the first step failed)\n");
            else
                std::printf("highest sustained step: %d, offered %.1f msg/s, delivered %.1f msg/s, p99 %.2f ms, "
                            "%.2f us server CPU per delivery\n",
                            best.value("step"_L1).toInt(), best.value("offeredPerSecond"_L1).toDouble(),
                            best.value("deliveredPerSecond"_L1).toDouble(),
                            best.value("latency"_L1).toObject().value("p99Ms"_L1).toDouble(),
                            best.value("cpuPerDeliveryMicros"_L1).toDouble());
        }
        code = best.isEmpty() ? 1 : 0;
    }
    if (m_settings.json)
        emitJson(out);
    co_return code;
}

namespace {

// One line of the soak's time series.
struct SoakRow {
    double elapsedSeconds = 0;
    QJsonObject report;

    [[nodiscard]] static QByteArray csvHeader()
    {
        return "elapsed_s,offered_per_s,delivered_per_s,p50_ms,p90_ms,p99_ms,p999_ms,max_ms,lost,duplicates,unacked,"
               "errors,server_rss_mib,server_cpu_cores,cpu_per_delivery_us,redis_rss_mib,redis_cpu_cores,tool_cpu_cores,"
               "machine_busy_cores\n";
    }

    [[nodiscard]] QByteArray csvLine() const
    {
        const QJsonObject lat = report.value("latency"_L1).toObject();
        double redisRss = 0;
        double redisCores = 0;
        for (const QJsonValue &v : report.value("servers"_L1).toArray()) {
            const QJsonObject p = v.toObject();
            if (p.value("role"_L1).toString() == "redis-server"_L1) {
                redisRss = double(p.value("rssBytes"_L1).toInteger()) / (1024.0 * 1024.0);
                redisCores = p.value("cpuCores"_L1).toDouble();
            }
        }
        QStringList f;
        auto num = [&f](double v, int decimals) { f << QString::number(v, 'f', decimals); };
        num(elapsedSeconds, 0);
        num(report.value("offeredPerSecond"_L1).toDouble(), 1);
        num(report.value("deliveredPerSecond"_L1).toDouble(), 1);
        for (const auto key : {"p50Ms"_L1, "p90Ms"_L1, "p99Ms"_L1, "p999Ms"_L1, "maxMs"_L1})
            num(lat.value(key).toDouble(), 2);
        for (const auto key : {"lost"_L1, "duplicates"_L1, "unacked"_L1})
            f << QString::number(report.value(key).toInteger());
        qint64 errors = 0;
        for (const QJsonValue &e : report.value("errors"_L1).toObject())
            errors += e.toInteger();
        f << QString::number(errors);
        num(double(report.value("serverRssBytes"_L1).toInteger()) / (1024.0 * 1024.0), 1);
        num(report.value("serverCpuCores"_L1).toDouble(), 3);
        num(report.value("cpuPerDeliveryMicros"_L1).toDouble(), 2);
        num(redisRss, 1);
        num(redisCores, 3);
        num(report.value("tool"_L1).toObject().value("cpuCores"_L1).toDouble(), 3);
        num(report.value("machine"_L1).toObject().value("busyCores"_L1).toDouble(), 3);
        return f.join(u',').toLatin1() + '\n';
    }
};

// Least-squares slope of y over x, per unit of x.
double slope(const QList<double> &x, const QList<double> &y)
{
    const qsizetype n = std::min(x.size(), y.size());
    if (n < 2)
        return 0;
    double mx = 0, my = 0;
    for (qsizetype i = 0; i < n; ++i) {
        mx += x[i];
        my += y[i];
    }
    mx /= double(n);
    my /= double(n);
    double sxy = 0, sxx = 0;
    for (qsizetype i = 0; i < n; ++i) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
    }
    return sxx > 0 ? sxy / sxx : 0;
}

double median(QList<double> v)
{
    if (v.isEmpty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace

// Soak: the same load for hours, one sample (a measured phase, checked like any other) per
// --sample-interval. Between samples the sends pause for the drain, so that every sample's
// deliveries are counted against its own sends: with a 60 s sample and the default 2 s drain
// the load is on 96 % of the time.
QCoro::Task<int> Coordinator::runSoak()
{
    const std::optional<PrepareResult> prepared = co_await setUp();
    if (!prepared)
        co_return 1;

    QJsonObject out{{"mode"_L1, u"soak"_s}, {"prepare"_L1, prepared->toJson()}};
    double rate = m_settings.rate;
    int nextStep = 0;
    if (!m_settings.rateGiven) {
        // "A third of the measured maximum": measure it first, on this population and server.
        if (!m_settings.json) {
            std::printf("soak: finding the maximum first (step mode, 10 s steps)\n");
            std::fflush(stdout);
        }
        const StepPlan search{m_settings.rate, true, 3, 10, 0};
        const StepsResult steps = co_await runSteps(search);
        nextStep = steps.nextStep;
        if (steps.failed || steps.best.isEmpty()) {
            co_await finishAll();
            std::fprintf(stderr, "rill-load: no step held; nothing to soak at\n");
            co_return 1;
        }
        const double maxRate = steps.best.value("ratePerSender"_L1).toDouble();
        rate = maxRate * m_settings.soakFraction;
        out.insert("maximum"_L1, steps.best);
    }
    out.insert("ratePerSender"_L1, rate);

    QFile csv(m_settings.soakOut);
    if (!m_settings.soakOut.isEmpty()) {
        if (!csv.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            std::fprintf(stderr, "rill-load: cannot write %s\n", qPrintable(m_settings.soakOut));
        } else {
            csv.write(SoakRow::csvHeader());
            csv.flush();
        }
    }
    const int samples = std::max(1, int(std::ceil(m_settings.durationSeconds / m_settings.sampleSeconds)));
    if (!m_settings.json) {
        std::printf("soak: %g msg/s per sender for %d samples of %g s%s\n", rate, samples, m_settings.sampleSeconds,
                    m_settings.rateGiven ? "" : qPrintable(u" (%1 of the maximum)"_s.arg(m_settings.soakFraction)));
        std::printf("%8s %10s %8s %8s %8s %6s %6s %10s %10s %8s %10s\n", "elapsed", "deliv/s", "p50 ms", "p99 ms",
                    "max ms", "lost", "dup", "server MiB", "us/deliv", "cores", "redis MiB");
        std::fflush(stdout);
    }
    const qint64 soakStart = monotonicMicros();
    QJsonArray series;
    QList<double> elapsed, rss, p99s, redisRss;
    qint64 lost = 0, duplicates = 0;
    bool failed = false;
    for (int k = 0; k < samples; ++k) {
        const PhaseSpec spec = planPhase(nextStep + k, rate, k == 0 ? m_settings.warmupSeconds : 0,
                                         m_settings.sampleSeconds, m_settings.drainSeconds);
        const QJsonObject report = co_await measurePhase(spec);
        if (report.isEmpty()) {
            failed = true;
            break;
        }
        SoakRow row{double(spec.measureUntil - soakStart) / 1e6, report};
        if (csv.isOpen()) {
            csv.write(row.csvLine());
            csv.flush();
        }
        QJsonObject point = report;
        point.insert("elapsedSeconds"_L1, row.elapsedSeconds);
        series.append(point);
        elapsed << row.elapsedSeconds / 3600.0;
        rss << double(report.value("serverRssBytes"_L1).toInteger()) / (1024.0 * 1024.0);
        p99s << report.value("latency"_L1).toObject().value("p99Ms"_L1).toDouble();
        for (const QJsonValue &v : report.value("servers"_L1).toArray()) {
            if (v.toObject().value("role"_L1).toString() == "redis-server"_L1)
                redisRss << double(v.toObject().value("rssBytes"_L1).toInteger()) / (1024.0 * 1024.0);
        }
        lost += report.value("lost"_L1).toInteger();
        duplicates += report.value("duplicates"_L1).toInteger();
        if (!m_settings.json) {
            const QJsonObject lat = report.value("latency"_L1).toObject();
            std::printf("%7.0fs %10.0f %8.2f %8.2f %8.2f %6lld %6lld %10.1f %10.2f %8.3f %10.1f\n",
                        row.elapsedSeconds, report.value("deliveredPerSecond"_L1).toDouble(),
                        lat.value("p50Ms"_L1).toDouble(), lat.value("p99Ms"_L1).toDouble(),
                        lat.value("maxMs"_L1).toDouble(), static_cast<long long>(report.value("lost"_L1).toInteger()),
                        static_cast<long long>(report.value("duplicates"_L1).toInteger()), rss.last(),
                        report.value("cpuPerDeliveryMicros"_L1).toDouble(), report.value("serverCpuCores"_L1).toDouble(),
                        redisRss.isEmpty() ? 0.0 : redisRss.last());
            std::fflush(stdout);
        }
    }
    co_await finishAll();

    QJsonObject summary{{"samples"_L1, series.size()},
                        {"lost"_L1, lost},
                        {"duplicates"_L1, duplicates},
                        {"serverRssFirstMiB"_L1, rss.value(0)},
                        {"serverRssLastMiB"_L1, rss.isEmpty() ? 0.0 : rss.last()},
                        {"serverRssMaxMiB"_L1, rss.isEmpty() ? 0.0 : *std::max_element(rss.cbegin(), rss.cend())},
                        {"serverRssSlopeMiBPerHour"_L1, slope(elapsed, rss)},
                        {"redisRssSlopeMiBPerHour"_L1, slope(elapsed, redisRss)},
                        {"p99MedianMs"_L1, median(p99s)},
                        {"p99MaxMs"_L1, p99s.isEmpty() ? 0.0 : *std::max_element(p99s.cbegin(), p99s.cend())},
                        {"p99SlopeMsPerHour"_L1, slope(elapsed, p99s)}};
    out.insert("summary"_L1, summary);
    out.insert("series"_L1, series);
    if (m_settings.holdIdle > 0)
        out.insert("idleHeld"_L1, heldJson());
    if (m_settings.json) {
        emitJson(out);
    } else {
        std::printf("soak summary: %lld samples, lost %lld, duplicated %lld; server RSS %.1f -> %.1f MiB (max %.1f, "
                    "slope %+.2f MiB/h), Redis RSS slope %+.2f MiB/h; p99 median %.2f ms, max %.2f ms, slope %+.2f "
                    "ms/h\n",
                    static_cast<long long>(series.size()), static_cast<long long>(lost),
                    static_cast<long long>(duplicates), summary.value("serverRssFirstMiB"_L1).toDouble(),
                    summary.value("serverRssLastMiB"_L1).toDouble(), summary.value("serverRssMaxMiB"_L1).toDouble(),
                    summary.value("serverRssSlopeMiBPerHour"_L1).toDouble(),
                    summary.value("redisRssSlopeMiBPerHour"_L1).toDouble(), summary.value("p99MedianMs"_L1).toDouble(),
                    summary.value("p99MaxMs"_L1).toDouble(), summary.value("p99SlopeMsPerHour"_L1).toDouble());
    }
    co_return failed || lost || duplicates ? 1 : 0;
}

QCoro::Task<int> Coordinator::runIdle()
{
    const auto &pop = m_settings.runner.population;
    QList<ProcessWatch> watches = watchesFor(m_settings);
    if (watches.isEmpty())
        std::fprintf(stderr, "rill-load: --idle without --server-pid measures no server memory\n");
    for (auto &w : watches)
        w.before = rill::bench::sampleProcess(w.pid);
    const auto toolBefore = rill::bench::sampleProcess(::getpid());

    startParticipants();
    const std::optional<PrepareResult> prepared = co_await prepareAll();
    if (!prepared) {
        co_await finishAll();
        std::fprintf(stderr, "rill-load: a worker failed during set-up\n");
        co_return 1;
    }
    // Let the server finish what connecting set off (presence, log-in snapshots) and its
    // allocator settle, so the figure is the cost of holding connections, not of making them.
    co_await QCoro::sleepFor(std::chrono::milliseconds(qint64(m_settings.settleSeconds * 1000)));
    for (auto &w : watches) {
        w.after = rill::bench::sampleProcess(w.pid);
        w.wallMicros = 1;
    }
    co_await finishAll();

    const qint64 n = prepared->ready;
    QJsonArray servers;
    for (const auto &w : watches) {
        QJsonObject o{{"pid"_L1, w.pid}, {"role"_L1, w.role}};
        if (w.before && w.after) {
            const qint64 grown = w.after->rssBytes - w.before->rssBytes;
            o.insert("rssBeforeBytes"_L1, w.before->rssBytes);
            o.insert("rssAfterBytes"_L1, w.after->rssBytes);
            o.insert("rssPerConnectionBytes"_L1, n ? double(grown) / double(n) : 0.0);
        } else {
            o.insert("error"_L1, u"no /proc data"_s);
        }
        servers.append(o);
    }
    QJsonObject out{{"mode"_L1, u"idle"_s},
                    {"connections"_L1, n},
                    {"settleSeconds"_L1, m_settings.settleSeconds},
                    {"prepare"_L1, prepared->toJson()},
                    {"servers"_L1, servers}};
    if (m_settings.workers <= 1 && toolBefore) {
        const auto toolAfter = rill::bench::sampleProcess(::getpid());
        if (toolAfter)
            out.insert("toolRssPerConnectionBytes"_L1,
                       n ? double(toolAfter->rssBytes - toolBefore->rssBytes) / double(n) : 0.0);
    }
    if (m_settings.json) {
        emitJson(out);
    } else {
        std::printf("idle: %lld of %d connections authenticated in %.1f s\n", static_cast<long long>(n),
                    pop.totalClients, prepared->seconds);
        for (const QJsonValue &v : servers) {
            const QJsonObject s = v.toObject();
            if (s.contains("error"_L1))
                continue;
            std::printf("  %s pid %lld: rss %s -> %s, %.1f KiB per connection\n",
                        qPrintable(s.value("role"_L1).toString()), static_cast<long long>(s.value("pid"_L1).toInteger()),
                        qPrintable(mib(s.value("rssBeforeBytes"_L1).toInteger())),
                        qPrintable(mib(s.value("rssAfterBytes"_L1).toInteger())),
                        s.value("rssPerConnectionBytes"_L1).toDouble() / 1024.0);
        }
        if (out.contains("toolRssPerConnectionBytes"_L1))
            std::printf("  rill-load itself: %.1f KiB per connection\n",
                        out.value("toolRssPerConnectionBytes"_L1).toDouble() / 1024.0);
    }
    co_return n == pop.totalClients ? 0 : 1;
}

QCoro::Task<int> Coordinator::runHistory()
{
    HistoryOptions options;
    options.runner = m_settings.runner;
    options.entries = m_settings.historyEntries;
    options.queries = m_settings.historyQueries;
    options.redis = m_settings.historyRedis;
    QJsonObject report = co_await runHistoryBenchmark(options);
    QJsonObject out{{"mode"_L1, u"history"_s}, {"history"_L1, report}};
    if (m_settings.json) {
        emitJson(out);
    } else {
        if (report.contains("error"_L1)) {
            std::printf("history: %s\n", qPrintable(report.value("error"_L1).toString()));
        } else {
            std::printf("history: %s holds %lld entries (%lld added now at %.0f/s)\n",
                        qPrintable(report.value("channel"_L1).toString()),
                        static_cast<long long>(report.value("entriesBefore"_L1).toInteger()
                                               + report.value("filled"_L1).toInteger()),
                        static_cast<long long>(report.value("filled"_L1).toInteger()),
                        report.value("fillPerSecond"_L1).toDouble());
            for (const auto key : {"newestPage"_L1, "randomBeforePage"_L1}) {
                const QJsonObject q = report.value(key).toObject();
                const QJsonObject l = q.value("latency"_L1).toObject();
                std::printf("  %-17s p50 %.2f  p90 %.2f  p99 %.2f  max %.2f ms  (%lld pages, %.1f messages each)\n",
                            key.data(), l.value("p50Ms"_L1).toDouble(), l.value("p90Ms"_L1).toDouble(),
                            l.value("p99Ms"_L1).toDouble(), l.value("maxMs"_L1).toDouble(),
                            static_cast<long long>(l.value("count"_L1).toInteger()),
                            q.value("meanMessagesPerPage"_L1).toDouble());
            }
        }
        std::fflush(stdout);
    }
    co_return report.contains("error"_L1) ? 1 : 0;
}

QCoro::Task<> runAndExit(const Settings *settings)
{
    int code = 0;
    if (settings->workerSlot) {
        code = co_await serveAsWorker(settings->runner);
    } else {
        Coordinator coordinator(*settings);
        code = co_await coordinator.run();
    }
    QCoreApplication::exit(code);
}

// Our command line without --workers, for the workers to parse the same settings.
QStringList argumentsForWorkers(const QStringList &arguments)
{
    QStringList out;
    for (qsizetype i = 1; i < arguments.size(); ++i) {
        const QString &a = arguments[i];
        if (a == "--workers"_L1 || a == "--json"_L1 || a == "--run-id"_L1 || a == "--worker-slot"_L1) {
            if (a != "--json"_L1)
                ++i; // and its value
            continue;
        }
        if (a.startsWith("--workers="_L1) || a.startsWith("--run-id="_L1) || a.startsWith("--worker-slot="_L1))
            continue;
        out << a;
    }
    return out;
}

std::optional<Settings> parseSettings(const QCoreApplication &app)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Load generator for rill-server: N clients in M channels, a share of them sending R messages/s; measures "
        "delivery latency, losses and duplicates against the acknowledgements, and the server's CPU and memory."_s);
    parser.addHelpOption();
    const QCommandLineOption urlOpt(u"url"_s, u"Server URL, loopback only; repeat for several instances "
                                              "(clients are spread round-robin). Default ws://127.0.0.1:7117/."_s,
                                    u"url"_s);
    const QCommandLineOption clientsOpt({u"n"_s, u"clients"_s}, u"Clients (default 100)."_s, u"n"_s, u"100"_s);
    const QCommandLineOption channelsOpt({u"m"_s, u"channels"_s}, u"Channels; client i is in channel i % M "
                                                                  "(default 10; 0 in --idle mode)."_s,
                                         u"m"_s);
    const QCommandLineOption sendersOpt(u"senders"_s, u"Share of the clients that send, 0..1 (default 1)."_s,
                                        u"share"_s, u"1"_s);
    const QCommandLineOption rateOpt(u"rate"_s, u"Messages per second per sender (default 1; the first step "
                                                "in --step mode)."_s,
                                     u"per-second"_s, u"1"_s);
    const QCommandLineOption durationOpt(u"duration"_s, u"Measured seconds (default 30)."_s, u"s"_s, u"30"_s);
    const QCommandLineOption warmupOpt(u"warmup"_s, u"Seconds of load before measuring (default 5)."_s, u"s"_s,
                                       u"5"_s);
    const QCommandLineOption drainOpt(u"drain"_s, u"Seconds after the last measured send in which deliveries "
                                                  "still count (default 3)."_s,
                                      u"s"_s, u"3"_s);
    const QCommandLineOption sizeOpt(u"size"_s, u"Message text length in bytes (default 100)."_s, u"bytes"_s,
                                     u"100"_s);
    const QCommandLineOption inflightOpt(u"max-inflight"_s, u"Unanswered sends per client before it skips "
                                                            "(counted) sends (default 100)."_s,
                                         u"n"_s, u"100"_s);
    const QCommandLineOption workersOpt(u"workers"_s, u"Processes to spread the clients over (default 1)."_s,
                                        u"k"_s, u"1"_s);
    const QCommandLineOption stepOpt(u"step"_s, u"Raise the load step by step until p99 exceeds the limit or "
                                                "anything is lost; report the highest step that held."_s);
    const QCommandLineOption factorOpt(u"step-factor"_s, u"Rate multiplier between steps (default 1.5)."_s,
                                       u"x"_s, u"1.5"_s);
    const QCommandLineOption maxStepsOpt(u"max-steps"_s, u"Most steps (default 20)."_s, u"n"_s, u"20"_s);
    const QCommandLineOption p99Opt(u"p99-limit"_s, u"Delivery p99 a step may reach, ms (default 50)."_s, u"ms"_s,
                                    u"50"_s);
    const QCommandLineOption idleOpt(u"idle"_s, u"Open K authenticated idle connections and report the "
                                                "server's RSS per connection."_s,
                                     u"k"_s);
    const QCommandLineOption settleOpt(u"settle"_s, u"Idle mode: seconds to wait before measuring (default 5)."_s,
                                       u"s"_s, u"5"_s);
    const QCommandLineOption soakOpt(u"soak"_s, u"Soak: run --duration seconds (hours) at --rate, or without "
                                                "--rate at --soak-fraction of the highest step that holds (found "
                                                "first, from --search-from), checking and sampling every "
                                                "--sample-interval."_s);
    const QCommandLineOption sampleOpt(u"sample-interval"_s, u"Soak: seconds per sample (default 60)."_s, u"s"_s,
                                       u"60"_s);
    const QCommandLineOption fractionOpt(u"soak-fraction"_s, u"Soak: share of the maximum to run at (default "
                                                             "0.333)."_s,
                                         u"x"_s, u"0.333333"_s);
    const QCommandLineOption searchFromOpt(u"search-from"_s, u"Soak: first step of the search for the maximum, "
                                                             "msg/s per sender (default 1)."_s,
                                           u"per-second"_s, u"1"_s);
    const QCommandLineOption soakOutOpt(u"soak-out"_s, u"Soak: write the time series to this CSV file (one row per "
                                                       "sample, flushed as it goes)."_s,
                                        u"file"_s);
    const QCommandLineOption holdIdleOpt(u"hold-idle"_s, u"Load, step and soak modes: keep K more logged-in idle "
                                                         "connections open during the run (in a process of their "
                                                         "own; users <user-prefix>-idle-<j % --idle-users>)."_s,
                                         u"k"_s, u"0"_s);
    const QCommandLineOption idleUsersOpt(u"idle-users"_s, u"Distinct users behind the --hold-idle connections "
                                                           "(default: one per 10 connections)."_s,
                                          u"n"_s);
    const QCommandLineOption usersOpt(u"users"_s, u"Distinct users: client i is user i % U, so several sessions "
                                                  "share a user (default: one user per client)."_s,
                                      u"n"_s);
    const QCommandLineOption historyOpt(u"history"_s, u"Fill one channel and time `history` pages."_s);
    const QCommandLineOption entriesOpt(u"history-entries"_s, u"Entries to fill (default 1000000)."_s, u"n"_s,
                                        u"1000000"_s);
    const QCommandLineOption queriesOpt(u"history-queries"_s, u"Pages to time per kind (default 1000)."_s,
                                        u"n"_s, u"1000"_s);
    const QCommandLineOption historyRedisOpt(u"history-redis"_s, u"Fill the history channel by pipelined XADDs "
                                                                  "straight into this Redis (the server's own, loopback "
                                                                  "only), in the layout of docs/storage.md; without it "
                                                                  "the fill goes through `send`."_s,
                                             u"url"_s);
    const QCommandLineOption prefixOpt(u"user-prefix"_s, u"User names are <prefix>-<i> (default load)."_s,
                                       u"prefix"_s, u"load"_s);
    const QCommandLineOption passwordOpt(u"password"_s, u"Password of every load user."_s, u"password"_s,
                                         u"rill-load-password"_s);
    const QCommandLineOption channelPrefixOpt(u"channel-prefix"_s, u"Channels are <prefix>-<c> (default load)."_s,
                                              u"prefix"_s, u"load"_s);
    const QCommandLineOption tokenOpt(u"token-cache"_s, u"File of user -> token from earlier runs: logging in "
                                                        "with a token skips password hashing."_s,
                                      u"file"_s);
    const QCommandLineOption concurrencyOpt(u"connect-concurrency"_s, u"Set-ups (connect, register or log in, "
                                                                      "join) in flight per process (default 32)."_s,
                                            u"n"_s, u"32"_s);
    const QCommandLineOption timeoutOpt(u"request-timeout"_s, u"Seconds to wait for a set-up reply (default 120)."_s,
                                        u"s"_s, u"120"_s);
    const QCommandLineOption pidOpt(u"server-pid"_s, u"rill-server process to sample (repeatable)."_s, u"pid"_s);
    const QCommandLineOption redisPidOpt(u"redis-pid"_s, u"redis-server process to sample."_s, u"pid"_s);
    const QCommandLineOption nagleOpt(u"nagle"_s, u"Leave Nagle's algorithm on for the clients' sockets, as a "
                                                  "stock QWebSocket client does (default: TCP_NODELAY)."_s);
    const QCommandLineOption resendOpt(u"resend"_s, u"Load mode: send with a nonce and resend, as the app does, until "
                                                    "acknowledged (after `internal` or `rate_limited`, and after "
                                                    "logging in again when the connection drops); then read every "
                                                    "channel's history and report what was lost, stored twice or "
                                                    "missed by receivers."_s);
    const QCommandLineOption resendPauseOpt(u"resend-pause"_s, u"--resend: ms before a send refused with "
                                                               "`internal` goes again (default 1000, as the app)."_s,
                                            u"ms"_s, u"1000"_s);
    const QCommandLineOption killPidOpt(u"kill-pid"_s, u"--resend: send SIGKILL to this process (a Redis primary, "
                                                       "a server) --kill-at seconds into the measured window."_s,
                                        u"pid"_s);
    const QCommandLineOption killAtOpt(u"kill-at"_s, u"Seconds into the measured window for --kill-pid."_s, u"s"_s);
    const QCommandLineOption jsonOpt(u"json"_s, u"Print the result as JSON."_s);
    QCommandLineOption slotOpt(u"worker-slot"_s, u"(internal) Run as worker k of K."_s, u"k/K"_s);
    slotOpt.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption runIdOpt(u"run-id"_s, u"(internal) The coordinator's run ID."_s, u"id"_s);
    runIdOpt.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOptions({urlOpt,     clientsOpt,  channelsOpt, sendersOpt,   rateOpt,        durationOpt,
                       warmupOpt,  drainOpt,    sizeOpt,     inflightOpt,  workersOpt,     stepOpt,
                       factorOpt,  maxStepsOpt, p99Opt,      idleOpt,      settleOpt,      historyOpt,
                       entriesOpt, queriesOpt,  historyRedisOpt, prefixOpt,   passwordOpt,  channelPrefixOpt, tokenOpt,
                       concurrencyOpt, timeoutOpt, pidOpt,   redisPidOpt,  nagleOpt,       jsonOpt,        slotOpt,
                       runIdOpt, soakOpt, sampleOpt, fractionOpt, searchFromOpt, soakOutOpt, holdIdleOpt,
                       idleUsersOpt, usersOpt, resendOpt, resendPauseOpt, killPidOpt, killAtOpt});
    parser.process(app);

    bool good = true;
    auto fail = [&good](const QString &what) {
        std::fprintf(stderr, "rill-load: %s\n", qPrintable(what));
        good = false;
    };
    auto number = [&](const QCommandLineOption &opt, double min, double max) {
        bool ok = false;
        const double v = parser.value(opt).toDouble(&ok);
        if (!ok || v < min || v > max || !std::isfinite(v)) {
            fail(u"--%1 must be a number from %2 to %3"_s.arg(opt.names().last()).arg(min).arg(max));
            return min;
        }
        return v;
    };

    Settings s;
    Population &pop = s.runner.population;
    const QStringList urls = parser.isSet(urlOpt) ? parser.values(urlOpt) : QStringList{u"ws://127.0.0.1:7117/"_s};
    for (const QString &text : urls) {
        const QUrl url(text);
        QString why;
        if (!url.isValid() || !isLoopbackUrl(url, &why))
            fail(u"refusing --url %1: %2"_s.arg(text, why.isEmpty() ? u"not a valid URL"_s : why));
        pop.urls.append(url);
    }

    const int modes = int(parser.isSet(stepOpt)) + int(parser.isSet(idleOpt)) + int(parser.isSet(historyOpt))
        + int(parser.isSet(soakOpt));
    if (modes > 1)
        fail(u"--step, --soak, --idle and --history are separate modes; pick one"_s);
    s.mode = parser.isSet(stepOpt)      ? Mode::Step
             : parser.isSet(soakOpt)    ? Mode::Soak
             : parser.isSet(idleOpt)    ? Mode::Idle
             : parser.isSet(historyOpt) ? Mode::History
                                        : Mode::Load;

    pop.totalClients = int(number(parser.isSet(idleOpt) ? idleOpt : clientsOpt, 1, 1'000'000));
    pop.channels = parser.isSet(channelsOpt) ? int(number(channelsOpt, 0, 100'000))
                   : s.mode == Mode::Idle    ? 0
                                             : 10;
    if (s.mode != Mode::Idle && pop.channels < 1)
        fail(u"--channels must be at least 1 outside --idle mode"_s);
    pop.senderShare = number(sendersOpt, 0, 1);
    pop.userPrefix = parser.value(prefixOpt);
    pop.password = parser.value(passwordOpt);
    pop.channelPrefix = parser.value(channelPrefixOpt);
    if (!rill::protocol::isValidUserName(pop.userName(pop.totalClients)))
        fail(u"--user-prefix makes invalid user names (A-Z a-z 0-9 _ . -, at most 32)"_s);
    if (!rill::protocol::isValidPassword(pop.password))
        fail(u"--password must be 8 to 1024 characters"_s);
    if (!rill::protocol::normalizeChannelName(QString(pop.channelName(std::max(pop.channels, 1)) + u"-history"_s)))
        fail(u"--channel-prefix makes invalid channel names (a-z 0-9 _ -)"_s);

    if (s.mode == Mode::History) {
        // A couple of connections fill the log; their own `message` events are part of the cost.
        pop.totalClients = 2;
        pop.channels = 1;
        pop.senderShare = 0;
        pop.userPrefix = pop.userPrefix + u"-hist"_s;
        pop.fixedChannel = pop.channelPrefix + u"-history"_s;
        s.historyEntries = qint64(number(entriesOpt, 1, 1e9));
        s.historyQueries = int(number(queriesOpt, 1, 1e7));
        if (parser.isSet(historyRedisOpt)) {
            QString error;
            s.historyRedis = rill::redis::RedisEndpoint::parse(parser.value(historyRedisOpt), &error);
            if (!s.historyRedis)
                fail(u"--history-redis: "_s + error);
            else if (s.historyRedis->transport == rill::redis::RedisEndpoint::Transport::Tcp
                     && !QHostAddress(s.historyRedis->host).isLoopback() && s.historyRedis->host != "localhost"_L1)
                fail(u"--history-redis must be a Redis on this machine"_s);
        }
    }

    s.rateGiven = parser.isSet(rateOpt);
    s.rate = s.mode == Mode::Soak && !s.rateGiven ? number(searchFromOpt, 0.001, 1e6) : number(rateOpt, 0.001, 1e6);
    s.sampleSeconds = number(sampleOpt, 1, 86400);
    s.soakFraction = number(fractionOpt, 0.01, 1);
    s.soakOut = parser.value(soakOutOpt);
    if (parser.isSet(usersOpt))
        pop.users = int(number(usersOpt, 1, 1'000'000));
    s.holdIdle = int(number(holdIdleOpt, 0, 1'000'000));
    if (s.holdIdle > 0 && (s.mode == Mode::Idle || s.mode == Mode::History))
        fail(u"--hold-idle goes with the load, step and soak modes"_s);
    s.holdIdleUsers = parser.isSet(idleUsersOpt) ? int(number(idleUsersOpt, 1, 1'000'000))
                                                 : std::max(1, (s.holdIdle + 9) / 10);
    s.holdIdlePrefix = pop.userPrefix + u"-idle"_s;
    s.durationSeconds = number(durationOpt, 0.1, 86400);
    s.warmupSeconds = number(warmupOpt, 0, 3600);
    s.drainSeconds = number(drainOpt, 0, 3600);
    s.stepFactor = number(factorOpt, 1.01, 100);
    s.maxSteps = int(number(maxStepsOpt, 1, 1000));
    s.p99LimitMs = number(p99Opt, 0.001, 1e6);
    s.settleSeconds = number(settleOpt, 0, 3600);
    s.workers = s.mode == Mode::History ? 1 : int(number(workersOpt, 1, 256));
    s.runner.messageBytes = int(number(sizeOpt, 1, 16'000));
    s.runner.maxInflight = int(number(inflightOpt, 1, 1'000'000));
    s.runner.connectConcurrency = int(number(concurrencyOpt, 1, 100'000));
    s.runner.requestTimeout = std::chrono::milliseconds(qint64(number(timeoutOpt, 1, 86400) * 1000));
    for (const QString &p : parser.values(pidOpt)) {
        const qint64 pid = p.toLongLong();
        if (pid <= 0)
            fail(u"--server-pid: not a process ID: "_s + p);
        s.serverPids.append(pid);
    }
    if (parser.isSet(redisPidOpt))
        s.redisPid = parser.value(redisPidOpt).toLongLong();
    s.tokenCache = parser.value(tokenOpt);
    s.runner.tokens = readTokenCache(s.tokenCache);
    s.json = parser.isSet(jsonOpt);
    s.runner.noDelay = !parser.isSet(nagleOpt);
    s.runner.resend = parser.isSet(resendOpt);
    s.runner.resendPause = std::chrono::milliseconds(qint64(number(resendPauseOpt, 1, 600'000)));
    if (s.runner.resend && s.mode != Mode::Load)
        fail(u"--resend goes with the load mode (one phase) only"_s);
    if (parser.isSet(killPidOpt) != parser.isSet(killAtOpt))
        fail(u"--kill-pid and --kill-at go together"_s);
    if (parser.isSet(killPidOpt)) {
        s.killPid = parser.value(killPidOpt).toLongLong();
        s.killAtSeconds = number(killAtOpt, 0, s.durationSeconds);
        if (s.killPid <= 0)
            fail(u"--kill-pid: not a process ID: "_s + parser.value(killPidOpt));
        if (!s.runner.resend)
            fail(u"--kill-pid needs --resend (without it a fault's cost is not measured)"_s);
    }

    if (parser.isSet(slotOpt)) {
        const QStringList parts = parser.value(slotOpt).split(u'/');
        const int k = parts.value(0).toInt();
        const int K = parts.value(1).toInt();
        if (parts.size() != 2 || K < 1 || k < 0 || k >= K)
            fail(u"--worker-slot must be k/K"_s);
        else
            s.workerSlot = std::pair{k, K};
    }
    s.runner.runId = parser.isSet(runIdOpt)
        ? parser.value(runIdOpt).toLatin1()
        : QByteArray::number(QRandomGenerator::global()->generate(), 16).rightJustified(8, '0');
    const auto [k, K] = s.workerSlot.value_or(std::pair{0, 1});
    pop.first = int(qint64(pop.totalClients) * k / K);
    pop.end = int(qint64(pop.totalClients) * (k + 1) / K);
    s.runner.tag = s.workerSlot ? u"worker %1/%2"_s.arg(k).arg(K) : u"rill-load"_s;
    s.workerArguments = argumentsForWorkers(QCoreApplication::arguments());
    if (s.holdIdle > 0) {
        // The holder is a worker of the idle mode: it sets its connections up, says READY and
        // keeps them until END.
        s.holderArguments = QStringList{u"--idle"_s, QString::number(s.holdIdle), u"--users"_s,
                                        QString::number(s.holdIdleUsers), u"--user-prefix"_s, s.holdIdlePrefix,
                                        u"--password"_s, pop.password, u"--connect-concurrency"_s,
                                        QString::number(s.runner.connectConcurrency), u"--request-timeout"_s,
                                        parser.value(timeoutOpt), u"--worker-slot"_s, u"0/1"_s, u"--run-id"_s,
                                        QString::fromLatin1(s.runner.runId)};
        for (const QUrl &url : pop.urls)
            s.holderArguments << u"--url"_s << url.toString();
        if (!s.tokenCache.isEmpty())
            s.holderArguments << u"--token-cache"_s << s.tokenCache;
        if (!s.runner.noDelay)
            s.holderArguments << u"--nagle"_s;
    }
    if (!good)
        return std::nullopt;
    return s;
}

} // namespace

int main(int argc, char *argv[])
{
    // The tool holds thousands of sockets, as the server does, and runs on the server's
    // dispatcher: epoll costs in proportion to the ready sockets, Qt's dispatchers in
    // proportion to all of them (glib's bookkeeping dominated the tool's profile once).
    // RILL_EVENT_DISPATCHER=qt falls back to Qt's Unix dispatcher (QT_NO_GLIB, unless set).
    if (rill::eventloop::installEventDispatcher(rill::eventloop::DispatcherKind::Epoll)
            == rill::eventloop::DispatcherKind::Qt
        && !qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"rill-load"_s);
    // Every client is a socket: thousands of them need more than the usual soft limit of 1024.
    const qint64 files = rill::bench::raiseOpenFilesLimit();
    const std::optional<Settings> settings = parseSettings(app);
    if (!settings)
        return 2;
    if (files >= 0 && files < qint64(settings->runner.population.end - settings->runner.population.first) + 64)
        std::fprintf(stderr, "rill-load: warning: the open-files limit (%lld) is below the client count\n",
                     static_cast<long long>(files));
    QTimer::singleShot(0, &app, [&settings] { runAndExit(&*settings); });
    return app.exec();
}
