// rill-redis-bench: how close the Qt-Redis bridge (RedisClient) comes to Redis's own client
// library on one connection. Both are measured in the same run against the same server, since
// on a shared, noisy machine only ratios measured together mean anything.
//
// The bridge keeps W commands in flight: W coroutines each issue a command, await its reply and
// issue the next, so every command issued while one batch of replies is delivered leaves in
// one write. redis-benchmark runs with the same shape: one connection (-c 1), -P W.

#include "redis/EmbeddedRedis.h"
#include "redis/RedisClient.h"
#include "support/ProcessStats.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>

#include <QCoro/QCoroProcess>
#include <QCoro/QCoroSignal>
#include <QCoro/QCoroTask>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace {

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using rill::redis::RedisClient;
using rill::redis::RedisEndpoint;
using rill::redis::RedisReply;

struct Settings {
    std::optional<RedisEndpoint> redisUrl; // none: start our own redis-server
    QString redisServer = QStringLiteral(RILL_REDIS_SERVER);
    QString redisBenchmark = u"/usr/bin/redis-benchmark"_s;
    qint64 commands = 1'000'000;
    int window = 1000;
    qint64 unpipelinedCommands = 100'000; // window 1 is ~50x slower; keep the run short
    int rounds = 1;
    QStringList only; // command names to run; empty: all
    bool bridge = true;  // the bridge against redis-benchmark
    bool limits = false; // redis-benchmark alone on the commands of a Rill message
    qint64 limitCommands = 200'000;
    bool json = false;
};

// One command as the bridge sends it and as redis-benchmark is asked to send it.
struct BenchCommand {
    QString name;
    QList<QByteArray> args;
    QStringList benchmarkArgs; // what selects it in redis-benchmark
    QString benchmarkTest;     // the CSV row that reports it; empty: the only row
    bool resetStream = false;  // start from an empty stream, so both tools append to equal sizes
};

QList<BenchCommand> benchCommands()
{
    return {
        // redis-benchmark's -t ping runs PING_INLINE and PING_MBULK; the bridge, like every
        // hiredis client, sends the multi-bulk form, so that is the row to compare with.
        {u"PING"_s, {"PING"}, {u"-t"_s, u"ping"_s}, u"PING_MBULK"_s, false},
        // Without -r, redis-benchmark's key is literally "key:__rand_int__" and its value 3 bytes.
        {u"SET"_s, {"SET", "key:__rand_int__", "xxx"}, {u"-t"_s, u"set"_s}, u"SET"_s, false},
        {u"XADD"_s,
         {"XADD", "bench:s", "*", "f", "v"},
         {u"XADD"_s, u"bench:s"_s, u"*"_s, u"f"_s, u"v"_s},
         u"XADD bench:s * f v"_s,
         true},
    };
}

struct Measurement {
    double opsPerSecond = 0;
    double seconds = 0;
    double clientCpu = 0; // the measuring process, in cores (1.0 = one core busy)
    double redisCpu = 0;  // redis-server during the run, in cores
    qint64 errors = 0;
    QString problem; // non-empty: the measurement is not valid

    [[nodiscard]] bool valid() const { return problem.isEmpty() && errors == 0 && opsPerSecond > 0; }
    [[nodiscard]] QJsonObject toJson() const
    {
        QJsonObject o{{"opsPerSecond"_L1, opsPerSecond},
                      {"seconds"_L1, seconds},
                      {"clientCpuCores"_L1, clientCpu},
                      {"redisCpuCores"_L1, redisCpu},
                      {"errors"_L1, errors}};
        if (!problem.isEmpty())
            o.insert("problem"_L1, problem);
        return o;
    }
};

// What redis-server did during a run, from /proc: its CPU use in cores.
class RedisCpuMeter
{
public:
    explicit RedisCpuMeter(qint64 pid) : m_pid(pid), m_before(rill::bench::sampleProcess(pid)) {}
    [[nodiscard]] double coresOver(double seconds) const
    {
        const auto after = rill::bench::sampleProcess(m_pid);
        if (!m_before || !after || seconds <= 0)
            return 0;
        return (after->cpuSeconds - m_before->cpuSeconds) / seconds;
    }

private:
    qint64 m_pid;
    std::optional<rill::bench::ProcessSample> m_before;
};

struct WindowRun {
    qint64 total = 0;
    qint64 issued = 0;
    qint64 errors = 0;
    QByteArray firstError;
};

// One of W in-flight slots: issue, await, repeat until the run has issued all its commands.
QCoro::Task<> windowSlot(RedisClient *client, WindowRun *run, std::span<const QByteArrayView> args)
{
    while (run->issued < run->total) {
        ++run->issued;
        const RedisReply reply = co_await client->commandArgv(args);
        if (!reply.isOk()) {
            if (run->errors++ == 0)
                run->firstError = reply.bytes();
        }
    }
}

QCoro::Task<Measurement> measureBridge(RedisClient *client, BenchCommand command, qint64 n, int window,
                                       qint64 redisPid)
{
    std::vector<QByteArrayView> views(command.args.cbegin(), command.args.cend());
    const std::span<const QByteArrayView> args(views);
    WindowRun run;
    run.total = n;

    const RedisCpuMeter redisCpu(redisPid);
    const double cpuBefore = rill::bench::ownCpuSeconds();
    QElapsedTimer timer;
    timer.start();
    std::vector<QCoro::Task<>> slots;
    slots.reserve(std::size_t(window));
    for (int i = 0; i < window && i < n; ++i)
        slots.push_back(windowSlot(client, &run, args));
    for (auto &slot : slots)
        co_await slot;
    const double elapsed = double(timer.nsecsElapsed()) / 1e9;

    Measurement m;
    m.seconds = elapsed;
    m.opsPerSecond = double(n) / elapsed;
    m.clientCpu = (rill::bench::ownCpuSeconds() - cpuBefore) / elapsed;
    m.redisCpu = redisCpu.coresOver(elapsed);
    m.errors = run.errors;
    if (run.errors)
        m.problem = u"%1 commands failed, first: %2"_s.arg(run.errors).arg(QString::fromUtf8(run.firstError));
    co_return m;
}

// Progress goes to stderr in every mode, so stdout holds only the result (table or JSON).
void progress(const QString &line)
{
    std::fprintf(stderr, "%s\n", qPrintable(line));
}

QString formatOps(double ops)
{
    return ops > 0 ? QString::number(qint64(ops + 0.5)) : u"-"_s;
}

QStringList endpointArgs(const RedisEndpoint &endpoint)
{
    QStringList args;
    if (endpoint.transport == RedisEndpoint::Transport::Unix)
        args << u"-s"_s << endpoint.socketPath;
    else
        args << u"-h"_s << endpoint.host << u"-p"_s << QString::number(endpoint.port);
    if (!endpoint.user.isEmpty())
        args << u"--user"_s << endpoint.user;
    if (!endpoint.password.isEmpty())
        args << u"-a"_s << endpoint.password;
    if (endpoint.database)
        args << u"--dbnum"_s << QString::number(endpoint.database);
    return args;
}

// redis-benchmark --csv: a header, then "test","rps",... per test.
QHash<QString, double> parseBenchmarkCsv(const QByteArray &output)
{
    QHash<QString, double> rows;
    for (const QByteArray &line : output.split('\n')) {
        const QList<QByteArray> cells = line.trimmed().split(',');
        if (cells.size() < 2)
            continue;
        auto unquote = [](QByteArray cell) {
            if (cell.startsWith('"') && cell.endsWith('"') && cell.size() >= 2)
                cell = cell.mid(1, cell.size() - 2);
            return cell;
        };
        bool ok = false;
        const double rps = unquote(cells[1]).toDouble(&ok);
        if (ok)
            rows.insert(QString::fromUtf8(unquote(cells[0])), rps);
    }
    return rows;
}

QCoro::Task<Measurement> measureRedisBenchmark(const Settings *settings, RedisEndpoint endpoint,
                                               BenchCommand command, qint64 n, int window, qint64 redisPid,
                                               QHash<QString, double> *allRows, int connections = 1)
{
    QStringList args = endpointArgs(endpoint);
    args << u"-c"_s << QString::number(connections) << u"-P"_s << QString::number(window) << u"-n"_s << QString::number(n) << u"-q"_s
         << u"--csv"_s;
    args << command.benchmarkArgs;

    Measurement m;
    QProcess process;
    const RedisCpuMeter redisCpu(redisPid);
    const double childCpuBefore = rill::bench::childrenCpuSeconds();
    QElapsedTimer timer;
    timer.start();
    process.start(settings->redisBenchmark, args);
    auto waiter = qCoro(process);
    const bool started = co_await waiter.waitForStarted(10s);
    if (!started) {
        m.problem = u"cannot start "_s + settings->redisBenchmark + u": "_s + process.errorString();
        co_return m;
    }
    const bool finished = co_await waiter.waitForFinished(10min);
    const double elapsed = double(timer.nsecsElapsed()) / 1e9;
    if (!finished || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        process.kill();
        m.problem = u"redis-benchmark failed: "_s + QString::fromUtf8(process.readAllStandardError().trimmed());
        co_return m;
    }
    const QHash<QString, double> rows = parseBenchmarkCsv(process.readAllStandardOutput());
    if (allRows)
        allRows->insert(rows);
    // A custom command is the only test of its run; its row is named after the whole command.
    m.opsPerSecond = command.benchmarkTest.isEmpty() && rows.size() == 1 ? rows.cbegin().value()
                                                                          : rows.value(command.benchmarkTest);
    // redis-benchmark's own rate excludes its start-up; its CPU share is over the whole process.
    m.seconds = m.opsPerSecond > 0 ? double(n) / m.opsPerSecond : elapsed;
    m.clientCpu = (rill::bench::childrenCpuSeconds() - childCpuBefore) / elapsed;
    m.redisCpu = redisCpu.coresOver(elapsed);
    if (m.opsPerSecond <= 0)
        m.problem = u"no \"%1\" row in redis-benchmark's output"_s.arg(command.benchmarkTest);
    co_return m;
}

double median(std::vector<double> values)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const std::size_t mid = values.size() / 2;
    return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

// One line of the result table: a command at one window size, over all rounds.
struct Comparison {
    QString command;
    int window = 0;
    qint64 n = 0;
    std::vector<Measurement> bridge;
    std::vector<Measurement> benchmark;
    QHash<QString, double> benchmarkRows; // every row redis-benchmark printed (last round)

    [[nodiscard]] static double medianOps(const std::vector<Measurement> &ms)
    {
        std::vector<double> v;
        for (const auto &m : ms) {
            if (m.valid())
                v.push_back(m.opsPerSecond);
        }
        return median(std::move(v));
    }
    [[nodiscard]] double bridgeOps() const { return medianOps(bridge); }
    [[nodiscard]] double benchmarkOps() const { return medianOps(benchmark); }
    // The median of per-round ratios: each ratio compares two runs made moments apart.
    [[nodiscard]] double ratio() const
    {
        std::vector<double> v;
        for (std::size_t i = 0; i < bridge.size() && i < benchmark.size(); ++i) {
            if (bridge[i].valid() && benchmark[i].valid())
                v.push_back(bridge[i].opsPerSecond / benchmark[i].opsPerSecond);
        }
        return median(std::move(v));
    }
    [[nodiscard]] QJsonObject toJson() const
    {
        QJsonArray b;
        for (const auto &m : bridge)
            b.append(m.toJson());
        QJsonArray r;
        for (const auto &m : benchmark)
            r.append(m.toJson());
        QJsonObject rows;
        for (auto it = benchmarkRows.cbegin(); it != benchmarkRows.cend(); ++it)
            rows.insert(it.key(), it.value());
        return {{"command"_L1, command},
                {"window"_L1, window},
                {"commands"_L1, n},
                {"bridgeOpsPerSecond"_L1, bridgeOps()},
                {"redisBenchmarkOpsPerSecond"_L1, benchmarkOps()},
                {"ratio"_L1, ratio()},
                {"bridgeRuns"_L1, b},
                {"redisBenchmarkRuns"_L1, r},
                {"redisBenchmarkRows"_L1, rows}};
    }
};


void printTable(const QList<Comparison> &rows)
{
    std::printf("%-6s %7s %9s %14s %18s %7s %11s %11s %11s %11s\n", "cmd", "window", "n", "bridge ops/s",
                "redis-bench ops/s", "ratio", "bridge cpu", "redis cpu", "rb cpu", "redis cpu");
    std::printf("%-6s %7s %9s %14s %18s %7s %11s %11s %11s %11s\n", "", "", "", "", "", "", "(cores)", "(bridge)",
                "(cores)", "(rb)");
    for (const Comparison &c : rows) {
        const auto &b = c.bridge.back();
        const auto &r = c.benchmark.back();
        std::printf("%-6s %7d %9lld %14s %18s %7.3f %11.2f %11.2f %11.2f %11.2f\n", qPrintable(c.command), c.window,
                    static_cast<long long>(c.n), qPrintable(formatOps(c.bridgeOps())),
                    qPrintable(formatOps(c.benchmarkOps())), c.ratio(), b.clientCpu, b.redisCpu, r.clientCpu,
                    r.redisCpu);
        for (const auto &m : c.bridge) {
            if (!m.problem.isEmpty())
                std::printf("  bridge: %s\n", qPrintable(m.problem));
        }
        for (const auto &m : c.benchmark) {
            if (!m.problem.isEmpty())
                std::printf("  redis-benchmark: %s\n", qPrintable(m.problem));
        }
    }
    std::fflush(stdout);
}

// What Redis itself can do with the commands behind one Rill message, so a server figure can
// be read as a share of Redis's limit. A message is one EVALSHA of send.lua (SISMEMBER, INCR,
// XADD to the channel log, XADD to the bus with MAXLEN ~); every instance then XREADs the bus
// in batches; typing goes over PUBLISH. Measured like the field notes' figures: 50 clients,
// without pipelining and with -P 32.
struct LimitRow {
    QString name;
    QString note;
    BenchCommand command;
    std::vector<Measurement> byPipeline; // one per entry of kLimitPipelines
};

constexpr std::array kLimitPipelines{1, 32};
constexpr int kLimitClients = 50;

// send.lua's storage work for a message without a nonce, with the same commands and sizes.
const QByteArray kSendShapeScript =
    "if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then redis.call('SADD', KEYS[1], ARGV[1]) end "
    "local s = redis.call('INCR', KEYS[2]) "
    "local id = redis.call('XADD', KEYS[3], '*', 'k', 'm', 'u', ARGV[1], 't', ARGV[2], 's', s) "
    "redis.call('XADD', KEYS[4], 'MAXLEN', '~', 100000, '*', 'e', 'msg', 'c', 'bench', 'i', id, 'k', 'm', "
    "'u', ARGV[1], 't', ARGV[2]) "
    "return id";

QCoro::Task<QList<LimitRow>> measureLimits(const Settings *settings, RedisClient *client, RedisEndpoint endpoint,
                                           qint64 n, qint64 redisPid)
{
    const QString text = QString(100, u'x'); // a typical chat line
    const RedisReply loaded = co_await client->command("SCRIPT", "LOAD", kSendShapeScript);
    const QString sha = QString::fromUtf8(loaded.bytes());
    // A bus to read from: 1000 entries of the bus's shape.
    co_await client->command("DEL", "bench:bus", "bench:log", "bench:members", "bench:seq");
    for (int i = 0; i < 1000; ++i)
        client->post("XADD", "bench:bus", "*", "e", "msg", "c", "bench", "i", "1-1", "k", "m", "u", "load-1", "t",
                     text.toUtf8());
    co_await client->command("PING");

    QList<LimitRow> rows{
        {u"EVALSHA send-shape"_s, u"storage of one message (send.lua's commands)"_s,
         BenchCommand{u"EVALSHA"_s, {},
                      {u"EVALSHA"_s, sha, u"4"_s, u"bench:members"_s, u"bench:seq"_s, u"bench:log"_s, u"bench:bus2"_s,
                       u"load-1"_s, text},
                      {}, false},
         {}},
        {u"XADD"_s, u"one log entry of a message"_s,
         BenchCommand{u"XADD"_s, {},
                      {u"XADD"_s, u"bench:log"_s, u"*"_s, u"k"_s, u"m"_s, u"u"_s, u"load-1"_s, u"t"_s, text, u"s"_s,
                       u"1"_s},
                      {}, false},
         {}},
        {u"PUBLISH"_s, u"a typing notice (nobody subscribed)"_s,
         BenchCommand{u"PUBLISH"_s, {}, {u"PUBLISH"_s, u"bench:typing"_s, text}, {}, false}, {}},
        {u"XREAD COUNT 100"_s, u"the bus reader's batch read (100 entries per call)"_s,
         BenchCommand{u"XREAD"_s, {}, {u"XREAD"_s, u"COUNT"_s, u"100"_s, u"STREAMS"_s, u"bench:bus"_s, u"0-0"_s}, {},
                      false},
         {}},
    };
    for (LimitRow &row : rows) {
        for (int pipeline : kLimitPipelines) {
            const Measurement m = co_await measureRedisBenchmark(settings, endpoint, row.command, n, pipeline,
                                                                 redisPid, nullptr, kLimitClients);
            progress(u"  redis-benchmark %1 -c %2 -P %3: %4 ops/s"_s.arg(row.name)
                         .arg(kLimitClients)
                         .arg(pipeline)
                         .arg(formatOps(m.valid() ? m.opsPerSecond : 0)));
            row.byPipeline.push_back(m);
            co_await client->command("DEL", "bench:log", "bench:bus2", "bench:seq");
        }
    }
    co_await client->command("DEL", "bench:bus", "bench:log", "bench:bus2", "bench:members", "bench:seq");
    co_return rows;
}

QCoro::Task<int> runBenchmarks(const Settings *settings)
{
    const auto machine = rill::bench::machineInfo();
    QTemporaryDir dataDir;
    std::unique_ptr<rill::redis::EmbeddedRedis> embedded;
    RedisEndpoint endpoint;
    if (settings->redisUrl) {
        endpoint = *settings->redisUrl;
    } else {
        rill::redis::EmbeddedRedis::Options options;
        options.dataDir = dataDir.path();
        options.executable = settings->redisServer;
        options.listen = rill::redis::EmbeddedRedis::Options::Listen::Tcp;
        options.appendOnly = false;
        embedded = std::make_unique<rill::redis::EmbeddedRedis>(options);
        const bool started = co_await embedded->start();
        if (!started) {
            std::fprintf(stderr, "rill-redis-bench: %s\n", qPrintable(embedded->errorString()));
            co_return 1;
        }
        endpoint = embedded->endpoint();
    }

    rill::redis::RedisOptions options;
    options.endpoint = endpoint;
    // A window of 1000 on a loaded two-core machine can stall for a moment; the bridge's
    // default of 2 s would count that as a dead link and fail the run.
    options.commandTimeout = 30s;
    options.clientName = "rill-redis-bench";
    RedisClient client(options);
    client.open();
    if (!client.isReady()) {
        auto connected = qCoro(&client, &rill::redis::RedisLink::connected, 10s);
        const auto up = co_await connected;
        if (!up) {
            std::fprintf(stderr, "rill-redis-bench: cannot connect to %s: %s\n",
                         qPrintable(endpoint.toDisplayString()), qPrintable(client.lastError()));
            co_return 1;
        }
    }

    const RedisReply info = co_await client.command("INFO", "server");
    QString redisVersion;
    qint64 redisPid = 0;
    for (const QByteArray &line : info.bytes().split('\n')) {
        if (line.startsWith("redis_version:"))
            redisVersion = QString::fromUtf8(line.mid(14).trimmed());
        else if (line.startsWith("process_id:"))
            redisPid = line.mid(11).trimmed().toLongLong();
    }
    // Only a local Redis can be measured through /proc.
    if (endpoint.transport == RedisEndpoint::Transport::Tcp && endpoint.host != "127.0.0.1"_L1
        && endpoint.host != "localhost"_L1 && endpoint.host != "::1"_L1)
        redisPid = 0;

    progress(u"redis %1 at %2 (pid %3); %4 CPUs, %5"_s.arg(redisVersion, endpoint.toDisplayString())
                            .arg(redisPid)
                            .arg(machine.cpus)
                            .arg(machine.cpuModel));

    QList<Comparison> table;
    const QList<std::pair<int, qint64>> shapes{{settings->window, settings->commands},
                                               {1, settings->unpipelinedCommands}};
    for (const auto &[window, n] : settings->bridge ? shapes : QList<std::pair<int, qint64>>{}) {
        for (const BenchCommand &command : benchCommands()) {
            if (!settings->only.isEmpty() && !settings->only.contains(command.name, Qt::CaseInsensitive))
                continue;
            Comparison row;
            row.command = command.name;
            row.window = window;
            row.n = n;
            for (int round = 0; round < settings->rounds; ++round) {
                if (command.resetStream)
                    co_await client.command("DEL", "bench:s");
                const Measurement b = co_await measureBridge(&client, command, n, window, redisPid);
                progress(u"  bridge          %1 W=%2 round %3: %4 ops/s"_s.arg(command.name)
                                        .arg(window)
                                        .arg(round + 1)
                                        .arg(formatOps(b.valid() ? b.opsPerSecond : 0)));
                row.bridge.push_back(b);
                if (command.resetStream)
                    co_await client.command("DEL", "bench:s");
                const Measurement r = co_await measureRedisBenchmark(settings, endpoint, command, n, window,
                                                                     redisPid, &row.benchmarkRows);
                progress(u"  redis-benchmark %1 P=%2 round %3: %4 ops/s"_s.arg(command.name)
                                        .arg(window)
                                        .arg(round + 1)
                                        .arg(formatOps(r.valid() ? r.opsPerSecond : 0)));
                row.benchmark.push_back(r);
            }
            table.append(row);
        }
    }
    co_await client.command("DEL", "bench:s", "key:__rand_int__");
    QList<LimitRow> limits;
    if (settings->limits) {
        const QList<LimitRow> measured = co_await measureLimits(settings, &client, endpoint, settings->limitCommands,
                                                                redisPid);
        limits = measured;
    }
    client.close();
    if (embedded)
        co_await embedded->stop();

    bool allValid = true;
    for (const Comparison &c : table) {
        for (const auto &m : c.bridge)
            allValid = allValid && m.valid();
        for (const auto &m : c.benchmark)
            allValid = allValid && m.valid();
    }
    for (const LimitRow &row : limits) {
        for (const auto &m : row.byPipeline)
            allValid = allValid && m.valid();
    }

    if (settings->json) {
        QJsonArray rows;
        for (const Comparison &c : table)
            rows.append(c.toJson());
        QJsonArray limitRows;
        for (const LimitRow &row : limits) {
            QJsonObject byPipeline;
            for (std::size_t i = 0; i < row.byPipeline.size(); ++i)
                byPipeline.insert(u"P%1"_s.arg(kLimitPipelines[i]), row.byPipeline[i].toJson());
            limitRows.append(QJsonObject{{"command"_L1, row.name},
                                         {"what"_L1, row.note},
                                         {"clients"_L1, kLimitClients},
                                         {"commands"_L1, settings->limitCommands},
                                         {"runs"_L1, byPipeline}});
        }
        const QJsonObject out{{"tool"_L1, u"rill-redis-bench"_s},
                              {"machine"_L1, machine.toJson()},
                              {"redis"_L1, QJsonObject{{"version"_L1, redisVersion},
                                                       {"endpoint"_L1, endpoint.toDisplayString()},
                                                       {"embedded"_L1, embedded != nullptr}}},
                              {"rounds"_L1, settings->rounds},
                              {"results"_L1, rows},
                              {"redisLimits"_L1, limitRows},
                              {"valid"_L1, allValid}};
        std::fputs(QJsonDocument(out).toJson(QJsonDocument::Indented).constData(), stdout);
    } else {
        std::printf("machine: %d CPUs, %s; redis %s\n", machine.cpus, qPrintable(machine.cpuModel),
                    qPrintable(redisVersion));
        if (!table.isEmpty())
            printTable(table);
        if (!limits.isEmpty()) {
            std::printf("\nredis-benchmark alone, %d clients, %lld commands (the commands of one Rill message):\n",
                        kLimitClients, static_cast<long long>(settings->limitCommands));
            std::printf("%-20s %12s %12s  %s\n", "command", "-P 1 ops/s", "-P 32 ops/s", "what");
            for (const LimitRow &row : limits) {
                std::printf("%-20s %12s %12s  %s\n", qPrintable(row.name),
                            qPrintable(formatOps(row.byPipeline[0].valid() ? row.byPipeline[0].opsPerSecond : 0)),
                            qPrintable(formatOps(row.byPipeline[1].valid() ? row.byPipeline[1].opsPerSecond : 0)),
                            qPrintable(row.note));
                for (const auto &m : row.byPipeline) {
                    if (!m.problem.isEmpty())
                        std::printf("  %s\n", qPrintable(m.problem));
                }
            }
        }
    }
    co_return allValid ? 0 : 1;
}

QCoro::Task<> runAndQuit(const Settings *settings)
{
    const int code = co_await runBenchmarks(settings);
    QCoreApplication::exit(code);
}

std::optional<Settings> parseSettings(const QCoreApplication &app)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Pipelined command rate of Rill's Redis bridge on one connection, next to redis-benchmark "
        "with the same shape (-c 1 -P <window>), measured in the same run."_s);
    parser.addHelpOption();
    const QCommandLineOption redisOpt(u"redis"_s, u"Use this Redis instead of starting one."_s, u"url"_s);
    const QCommandLineOption nOpt({u"n"_s, u"commands"_s}, u"Commands per pipelined run (default 1000000)."_s,
                                  u"count"_s, u"1000000"_s);
    const QCommandLineOption windowOpt({u"w"_s, u"window"_s}, u"Commands kept in flight (default 1000)."_s,
                                       u"count"_s, u"1000"_s);
    const QCommandLineOption n1Opt(u"unpipelined-commands"_s,
                                   u"Commands per window-1 run, the no-pipelining contrast (default 100000)."_s,
                                   u"count"_s, u"100000"_s);
    const QCommandLineOption roundsOpt(u"rounds"_s, u"Repeat every pair of runs; medians are reported (default 1)."_s,
                                       u"count"_s, u"1"_s);
    const QCommandLineOption onlyOpt(u"only"_s, u"Only these commands (comma-separated: ping,set,xadd)."_s,
                                     u"list"_s);
    const QCommandLineOption serverOpt(u"redis-server"_s, u"redis-server executable for the throwaway server."_s,
                                       u"path"_s, QStringLiteral(RILL_REDIS_SERVER));
    const QCommandLineOption rbOpt(u"redis-benchmark"_s, u"redis-benchmark executable."_s, u"path"_s,
                                   u"/usr/bin/redis-benchmark"_s);
    const QCommandLineOption limitsOpt(u"limits"_s, u"Also run redis-benchmark alone (50 clients, -P 1 and -P 32) "
                                                    "on the commands of one Rill message: send.lua's shape, XADD, "
                                                    "PUBLISH, XREAD."_s);
    const QCommandLineOption limitsOnlyOpt(u"limits-only"_s, u"Only that, without the bridge comparison."_s);
    const QCommandLineOption limitNOpt(u"limit-commands"_s, u"Commands per limits run (default 200000)."_s,
                                       u"count"_s, u"200000"_s);
    const QCommandLineOption jsonOpt(u"json"_s, u"Print the results as JSON."_s);
    parser.addOptions({redisOpt, nOpt, windowOpt, n1Opt, roundsOpt, onlyOpt, serverOpt, rbOpt, limitsOpt,
                       limitsOnlyOpt, limitNOpt, jsonOpt});
    parser.process(app);

    Settings s;
    auto positive = [&](const QCommandLineOption &opt, qint64 &out) {
        bool ok = false;
        const qint64 v = parser.value(opt).toLongLong(&ok);
        if (!ok || v < 1) {
            std::fprintf(stderr, "rill-redis-bench: --%s needs a positive number\n", qPrintable(opt.names().last()));
            return false;
        }
        out = v;
        return true;
    };
    qint64 window = 0;
    qint64 rounds = 0;
    if (!positive(nOpt, s.commands) || !positive(windowOpt, window) || !positive(n1Opt, s.unpipelinedCommands)
        || !positive(roundsOpt, rounds) || !positive(limitNOpt, s.limitCommands))
        return std::nullopt;
    s.limits = parser.isSet(limitsOpt) || parser.isSet(limitsOnlyOpt);
    s.bridge = !parser.isSet(limitsOnlyOpt);
    s.window = int(std::min<qint64>(window, 1'000'000));
    s.rounds = int(std::min<qint64>(rounds, 100));
    if (parser.isSet(redisOpt)) {
        QString error;
        s.redisUrl = RedisEndpoint::parse(parser.value(redisOpt), &error);
        if (!s.redisUrl) {
            std::fprintf(stderr, "rill-redis-bench: --redis: %s\n", qPrintable(error));
            return std::nullopt;
        }
    }
    if (parser.isSet(onlyOpt))
        s.only = parser.value(onlyOpt).split(u',', Qt::SkipEmptyParts);
    s.redisServer = parser.value(serverOpt);
    s.redisBenchmark = parser.value(rbOpt);
    s.json = parser.isSet(jsonOpt);
    return s;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"rill-redis-bench"_s);
    const std::optional<Settings> settings = parseSettings(app);
    if (!settings)
        return 2;
    // Started from the loop so that exit() inside it is seen by exec().
    QTimer::singleShot(0, &app, [&settings] { runAndQuit(&*settings); });
    return app.exec();
}
