#include "ServerMetrics.h"

#include "protocol/Codec.h"

#include <QDir>
#include <QFile>

#if defined(Q_OS_LINUX)
#include <sys/resource.h>
#include <unistd.h>
#endif

namespace rill::server {

using namespace Qt::StringLiterals;

namespace {

#if defined(Q_OS_LINUX)
// The standard process_* metrics every Prometheus client library exports, from /proc.
struct ProcStat {
    double cpuSeconds = 0;
    double startTimeSeconds = 0; // since the epoch
    double residentBytes = 0;
    double virtualBytes = 0;
};

ProcStat readProcStat()
{
    ProcStat out;
    QFile stat(u"/proc/self/stat"_s);
    if (!stat.open(QIODevice::ReadOnly))
        return out;
    const QByteArray line = stat.readAll();
    // The fields after the command name, which is in parentheses and may hold spaces; f[0] is
    // field 3 of proc(5).
    const QList<QByteArray> f = line.mid(line.lastIndexOf(')') + 2).split(' ');
    if (f.size() < 22)
        return out;
    const double ticks = double(sysconf(_SC_CLK_TCK));
    const double page = double(sysconf(_SC_PAGESIZE));
    out.cpuSeconds = (f[11].toDouble() + f[12].toDouble()) / ticks; // utime + stime (fields 14, 15)
    out.virtualBytes = f[20].toDouble();                              // vsize (field 23)
    out.residentBytes = f[21].toDouble() * page;                      // rss (field 24)
    const double startTicks = f[19].toDouble();                       // starttime (field 22)
    QFile procStat(u"/proc/stat"_s);
    if (procStat.open(QIODevice::ReadOnly)) {
        for (const QByteArray &l : procStat.readAll().split('\n')) {
            if (l.startsWith("btime "))
                out.startTimeSeconds = l.mid(6).trimmed().toDouble() + startTicks / ticks;
        }
    }
    return out;
}

void registerProcessMetrics(metrics::Registry &registry)
{
    registry.counterFunction("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                             [] { return readProcStat().cpuSeconds; });
    registry.gaugeFunction("process_resident_memory_bytes", "Resident memory size in bytes.",
                           [] { return readProcStat().residentBytes; });
    registry.gaugeFunction("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                           [] { return readProcStat().virtualBytes; });
    const double started = readProcStat().startTimeSeconds;
    registry.gaugeFunction("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
                           [started] { return started; });
    registry.gaugeFunction("process_open_fds", "Number of open file descriptors.", [] {
        return double(QDir(u"/proc/self/fd"_s).entryList(QDir::Files | QDir::System | QDir::NoDotAndDotDot).size());
    });
    registry.gaugeFunction("process_max_fds", "Maximum number of open file descriptors.", [] {
        rlimit limit{};
        return getrlimit(RLIMIT_NOFILE, &limit) == 0 ? double(limit.rlim_cur) : 0.0;
    });
}
#else
void registerProcessMetrics(metrics::Registry &) {}
#endif

QByteArray bytes(QLatin1StringView text)
{
    return {text.data(), text.size()};
}

} // namespace

ServerMetrics::ServerMetrics()
    : connectionsOpened(m_registry.counter("rill_connections_opened_total", "WebSocket connections accepted."))
    , loginsAccepted(m_registry.counter("rill_logins_total",
                                      "Log-ins (with a password or a token) by result: accepted; refused (wrong "
                                      "password or token); rate_limited (turned away by the log-in throttle).",
                                      {{"result", "accepted"}}))
    , loginsRefused(m_registry.counter("rill_logins_total", {}, {{"result", "refused"}}))
    , loginsRateLimited(m_registry.counter("rill_logins_total", {}, {{"result", "rate_limited"}}))
    , messagesStored(m_registry.counter("rill_messages_stored_total",
                                      "Messages stored and acknowledged to their senders by this instance."))
    , deliveries(m_registry.counter("rill_deliveries_total",
                                  "Event frames (messages, presence, typing, read markers...) queued to local sessions."))
    , slowConsumerDrops(m_registry.counter("rill_slow_consumer_drops_total",
                                         "Connections dropped because their peer stopped reading (unsent backlog over max-backlog)."))
    , busGaps(m_registry.counter("rill_bus_gaps_total",
                               "Times the bus reader found entries trimmed or lost before it read them; local sessions were sent to resume."))
    , fanOut(m_registry.histogram("rill_fanout_seconds",
                                "From a batch of bus entries read from Redis to an entry's frames queued on every local connection it goes to.",
                                metrics::Registry::latencyBuckets()))
    , redisRoundTrip(m_registry.histogram("rill_redis_roundtrip_seconds",
                                        "Commands on the main Redis link, from issue to reply.",
                                        metrics::Registry::latencyBuckets()))
    , replicaWait(m_registry.histogram("rill_replica_wait_seconds",
                                     "Writes acknowledged under --redis-wait-replicas: from asking for the replicas' confirmation to WAIT's answer.",
                                     metrics::Registry::latencyBuckets()))
    , replicaWaitShort(m_registry.counter("rill_replica_wait_short_total",
                                        "Writes answered `internal` because fewer replicas than --redis-wait-replicas confirmed them in time."))
    , busLagEntries(m_registry.gauge("rill_bus_lag_entries", "Bus entries in Redis that this instance has not read yet."))
    , busLagSeconds(m_registry.gauge("rill_bus_lag_seconds",
                                   "Age of the oldest bus entry this instance has not read yet (Redis's clock), 0 when it is caught up."))
    , ready(m_registry.gauge("rill_ready", "1 when /readyz answers 200: Redis reachable and the bus reader caught up."))
{
    namespace op = protocol::op;
    const QByteArray requestsHelp = "Requests that reached dispatch, by op (ops this server does not know: \"unknown\").";
    const QByteArray errorsHelp = "Requests answered with an error, by op and error code (frames that were not "
                                  "requests, and ops this server does not know: op \"unknown\").";
    for (const QLatin1StringView name :
         {op::hello, op::registerUser, op::login, op::logout, op::channels, op::join, op::part, op::send, op::history,
          op::members, op::dm, op::typing, op::read, op::edit, op::deleteMessage, op::react, op::thread, op::topic,
          op::changes, op::search, "unknown"_L1}) {
        OpCounters counters{name, &m_registry.counter("rill_requests_total", requestsHelp, {{"op", bytes(name)}}), {}};
        for (std::size_t c = 0; c < counters.errors.size(); ++c) {
            const auto code = protocol::ErrorCode(c);
            counters.errors[c] = &m_registry.counter("rill_request_errors_total", errorsHelp,
                                                     {{"op", bytes(name)}, {"code", bytes(protocol::errorCodeName(code))}});
        }
        m_ops.push_back(counters);
    }
    registerProcessMetrics(m_registry);
}

const ServerMetrics::OpCounters &ServerMetrics::countersOf(const QString &op) const
{
    // A score of short names: the same scan dispatch does to find the handler.
    for (const OpCounters &known : m_ops) {
        if (known.op == op)
            return known;
    }
    return m_ops.back();
}

void ServerMetrics::request(const QString &op)
{
    countersOf(op).requests->inc();
}

void ServerMetrics::error(const QString &op, protocol::ErrorCode code)
{
    countersOf(op).errors.at(std::size_t(code))->inc();
}

} // namespace rill::server
