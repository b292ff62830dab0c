#include "ServerConfig.h"

#include "redis/EmbeddedRedis.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostInfo>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QUrl>

#include <algorithm>
#include <array>
#include <functional>

namespace rill::server {
namespace {

using namespace Qt::StringLiterals;

// One setting: its flag, environment variable, config-file key and how to apply a value.
struct Setting {
    QString flag;
    QString valueName;
    QString help;
    std::function<bool(ServerConfig &, const QString &)> apply;
    QString environmentName = {}; // when RILL_<FLAG> is not the documented name
    // The effective value as --check-config prints it; without it, the text it was set from.
    std::function<QString(const ServerConfig &)> show = {};
    bool repeatable = false; // a list: the flag may repeat; every source may comma-separate

    [[nodiscard]] QString envName() const
    {
        return environmentName.isEmpty() ? u"RILL_"_s + flag.toUpper().replace(u'-', u'_') : environmentName;
    }
    [[nodiscard]] QString fileKey() const { return flag; }
};

bool toPositiveInt(const QString &v, int &out, int min = 1)
{
    bool ok = false;
    const int n = v.toInt(&ok);
    if (!ok || n < min)
        return false;
    out = n;
    return true;
}

bool toSeconds(const QString &v, std::chrono::seconds &out)
{
    int n = 0;
    if (!toPositiveInt(v, n))
        return false;
    out = std::chrono::seconds(n);
    return true;
}

bool toMilliseconds(const QString &v, std::chrono::milliseconds &out)
{
    std::chrono::seconds seconds{};
    if (!toSeconds(v, seconds))
        return false;
    out = seconds;
    return true;
}

bool toBool(const QString &v, bool &out)
{
    const QString s = v.trimmed().toLower();
    if (s == "1"_L1 || s == "true"_L1 || s == "yes"_L1 || s == "on"_L1)
        out = true;
    else if (s == "0"_L1 || s == "false"_L1 || s == "no"_L1 || s == "off"_L1)
        out = false;
    else
        return false;
    return true;
}

QString number(qint64 n)
{
    return QString::number(n);
}

// A Redis URL without its password, for --check-config's output (which ends up in tickets).
// By hand, not with QUrl: a sentinel:// URL's list of hosts is no authority QUrl accepts.
QString withoutPassword(QString url)
{
    const qsizetype authority = url.indexOf("://"_L1);
    if (authority >= 0) {
        const qsizetype at = url.indexOf(u'@', authority);
        const qsizetype colon = url.indexOf(u':', authority + 3);
        const qsizetype slash = url.indexOf(u'/', authority + 3);
        if (at > 0 && (slash < 0 || at < slash) && colon > 0 && colon < at)
            url.replace(colon + 1, at - colon - 1, u"xxxxx"_s);
    }
    static const QRegularExpression sentinelPassword(u"([?&]sentinel-password=)[^&]*"_s);
    return url.replace(sentinelPassword, u"\\1xxxxx"_s);
}

// --http-listen: "off", a port (on loopback), or address:port ("any:9117", "10.0.0.5:9117",
// "[::1]:9117").
bool applyHttpListen(ServerConfig &c, const QString &value)
{
    const QString v = value.trimmed();
    if (v == "off"_L1) {
        c.httpPort.reset();
        return true;
    }
    const auto colon = v.lastIndexOf(u':');
    QString host = colon < 0 ? QString() : v.left(colon);
    int port = 0;
    if (!toPositiveInt(v.mid(colon + 1), port, 0) || port > 65535)
        return false;
    QHostAddress address = QHostAddress::LocalHost;
    if (host == "any"_L1) {
        address = QHostAddress::Any;
    } else if (!host.isEmpty()) {
        if (host.startsWith(u'[') && host.endsWith(u']'))
            host = host.mid(1, host.size() - 2);
        else if (host.contains(u':'))
            return false; // an IPv6 address needs its brackets, or the port is ambiguous
        if (!address.setAddress(host))
            return false;
    }
    c.httpAddress = address;
    c.httpPort = quint16(port);
    return true;
}

QString httpListenText(const ServerConfig &c)
{
    if (!c.httpPort)
        return u"off"_s;
    const QString host = c.httpAddress == QHostAddress(QHostAddress::Any) ? u"any"_s
        : c.httpAddress.protocol() == QAbstractSocket::IPv6Protocol    ? u'[' + c.httpAddress.toString() + u']'
                                                                        : c.httpAddress.toString();
    return host + u':' + QString::number(*c.httpPort);
}

struct LogLevelName {
    QtMsgType level;
    QLatin1StringView name;
};
constexpr std::array logLevelNames{
    LogLevelName{QtDebugMsg, "debug"_L1},
    LogLevelName{QtInfoMsg, "info"_L1},
    LogLevelName{QtWarningMsg, "warning"_L1},
    LogLevelName{QtCriticalMsg, "error"_L1},
};

QString logLevelName(QtMsgType level)
{
    for (const auto &entry : logLevelNames) {
        if (entry.level == level)
            return entry.name;
    }
    return u"info"_s;
}

QList<Setting> settings()
{
    return {
        {u"listen"_s, u"address"_s,
         u"Address to listen on (default: 127.0.0.1, this machine only; \"any\" (or 0.0.0.0, ::) for every "
         "interface, with --tls-cert and --tls-key)."_s,
         [](ServerConfig &c, const QString &v) {
             if (v.trimmed() == "any"_L1) {
                 c.listenAddress = QHostAddress::Any;
                 return true;
             }
             return c.listenAddress.setAddress(v);
         },
         {},
         [](const ServerConfig &c) {
             return c.listenAddress == QHostAddress(QHostAddress::Any) ? u"any"_s : c.listenAddress.toString();
         }},
        {u"port"_s, u"port"_s, u"WebSocket port (default: 7117)."_s,
         [](ServerConfig &c, const QString &v) {
             int p = 0;
             if (!toPositiveInt(v, p, 0) || p > 65535)
                 return false;
             c.port = quint16(p);
             return true;
         },
         {}, [](const ServerConfig &c) { return number(c.port); }},
        {u"http-listen"_s, u"address:port"_s,
         u"Serve /healthz, /readyz and /metrics (Prometheus) over HTTP here: a port (on 127.0.0.1), "
         "address:port, any:port or [IPv6]:port; \"off\" turns it off (default: off)."_s,
         applyHttpListen, {}, httpListenText},
        {u"redis"_s, u"url"_s,
         u"Use this Redis: redis://[user:password@]host:port[/db], unix:///path, or its master as Redis "
         "Sentinel names it: sentinel://[user:password@]host:port,host:port,.../master[/db][?sentinel-password=P]. "
         "Without it, a private redis-server is started under the data directory."_s,
         [](ServerConfig &c, const QString &v) {
             c.redisUrl = v;
             return true;
         },
         u"RILL_REDIS_URL"_s,
         [](const ServerConfig &c) {
             return c.redisUrl.isEmpty() ? u"(embedded: a private redis-server under data-dir)"_s
                                         : withoutPassword(c.redisUrl);
         }},
        {u"redis-wait-replicas"_s, u"count"_s,
         u"Acknowledge a send, edit, delete, reaction or topic only once this many Redis replicas have it "
         "(WAIT), so that a failover cannot lose it; 0 acknowledges once the primary has it (default: 0)."_s,
         [](ServerConfig &c, const QString &v) { return toPositiveInt(v, c.redisWaitReplicas, 0); },
         {}, [](const ServerConfig &c) { return number(c.redisWaitReplicas); }},
        {u"redis-wait-timeout"_s, u"ms"_s,
         u"How long such a write waits for its replicas before it is answered `internal` (stored, not "
         "confirmed: the client retries), 10-500 (default: 200)."_s,
         [](ServerConfig &c, const QString &v) {
             int ms = 0;
             // Below the Redis link's 800 ms stuck detection: WAIT holds the link while it waits.
             if (!toPositiveInt(v, ms, 10) || ms > 500)
                 return false;
             c.redisWaitTimeout = std::chrono::milliseconds(ms);
             return true;
         },
         {}, [](const ServerConfig &c) { return number(c.redisWaitTimeout.count()); }},
        {u"redis-server"_s, u"path"_s,
         u"The redis-server program to run for the embedded Redis (default: the one next to rill-server, "
         "else the first on PATH)."_s,
         [](ServerConfig &c, const QString &v) {
             c.redisServer = v;
             return !v.isEmpty();
         },
         {},
         [](const ServerConfig &c) {
             const QString found = redis::findRedisServer(c.redisServer);
             return found.isEmpty() ? u"(none found)"_s : found;
         }},
        {u"data-dir"_s, u"dir"_s, u"Where the embedded Redis keeps its data (default: the user's data directory)."_s,
         [](ServerConfig &c, const QString &v) {
             c.dataDir = QDir(v).absolutePath();
             return !v.isEmpty();
         },
         {}, [](const ServerConfig &c) { return c.dataDir; }},
        {u"instance"_s, u"name"_s, u"This instance's name, reported by `hello` (default: host-pid)."_s,
         [](ServerConfig &c, const QString &v) {
             c.instanceName = v;
             return !v.isEmpty();
         },
         {}, [](const ServerConfig &c) { return c.instanceName; }},
        {u"rate-limit"_s, u"per-second"_s,
         u"Sustained requests per second per connection, with bursts of --rate-burst; 0 turns the limit off "
         "(load tests). Default: 5."_s,
         [](ServerConfig &c, const QString &v) {
             bool ok = false;
             const double r = v.toDouble(&ok);
             if (!ok || r < 0)
                 return false;
             c.rateLimitPerSecond = r;
             return true;
         },
         {}, [](const ServerConfig &c) { return QString::number(c.rateLimitPerSecond); }},
        {u"rate-burst"_s, u"count"_s, u"Burst size of the rate limit (default: 20)."_s,
         [](ServerConfig &c, const QString &v) { return toPositiveInt(v, c.rateLimitBurst); },
         {}, [](const ServerConfig &c) { return number(c.rateLimitBurst); }},
        {u"max-backlog"_s, u"bytes"_s,
         u"Unsent bytes a connection may fall behind by before it is dropped, so a client that stops "
         "reading never slows anyone else (default: 4194304)."_s,
         [](ServerConfig &c, const QString &v) {
             bool ok = false;
             const qint64 n = v.toLongLong(&ok);
             if (!ok || n < 65536)
                 return false;
             c.maxBacklogBytes = n;
             return true;
         },
         {}, [](const ServerConfig &c) { return number(c.maxBacklogBytes); }},
        {u"write-hold"_s, u"ms"_s,
         u"How long a connection's outgoing frames may wait to go out in one write with the frames "
         "queued after them: fewer writes (less CPU per delivery on a busy server) for up to that much "
         "more latency. 0 writes once per event-loop turn (default: 0; bench/README.md has the trade)."_s,
         [](ServerConfig &c, const QString &v) {
             int ms = 0;
             if (!toPositiveInt(v, ms, 0) || ms > 1000)
                 return false;
             c.writeHold = std::chrono::milliseconds(ms);
             return true;
         },
         {}, [](const ServerConfig &c) { return number(c.writeHold.count()); }},
        {u"io-uring"_s, u"yes|no"_s,
         u"Send each event-loop turn's writes to io_uring together, 256 connections to a system call, "
         "where the kernel offers it; no writes each with its own sendmsg (default: yes; bench/README.md "
         "has the figures)."_s,
         [](ServerConfig &c, const QString &v) { return toBool(v, c.sendRing); },
         {}, [](const ServerConfig &c) { return c.sendRing ? u"yes"_s : u"no"_s; }},
        {u"ping-interval"_s, u"seconds"_s, u"Keep-alive ping interval; a peer that misses two pings in a row is dropped (default: 30)."_s,
         [](ServerConfig &c, const QString &v) { return toSeconds(v, c.pingInterval); },
         {}, [](const ServerConfig &c) { return number(c.pingInterval.count()); }},
        {u"presence-heartbeat"_s, u"seconds"_s,
         u"How often this instance tells Redis it is alive; its users go offline 3 heartbeats after it dies "
         "(default: 5)."_s,
         [](ServerConfig &c, const QString &v) { return toSeconds(v, c.presenceHeartbeat); },
         {}, [](const ServerConfig &c) { return number(c.presenceHeartbeat.count()); }},
        {u"shutdown-timeout"_s, u"seconds"_s, u"Longest a graceful shutdown may take (default: 5)."_s,
         [](ServerConfig &c, const QString &v) { return toSeconds(v, c.shutdownTimeout); },
         {}, [](const ServerConfig &c) { return number(c.shutdownTimeout.count()); }},
        {u"hash-workers"_s, u"threads"_s, u"Threads that hash passwords, off the event loop (default: 2)."_s,
         [](ServerConfig &c, const QString &v) { return toPositiveInt(v, c.hashWorkers); },
         {}, [](const ServerConfig &c) { return number(c.hashWorkers); }},
        {u"tls-cert"_s, u"file"_s,
         u"PEM certificate (chain) for wss://; with --tls-key the port speaks TLS 1.2 or newer only."_s,
         [](ServerConfig &c, const QString &v) {
             c.tlsCertFile = v;
             return !v.isEmpty();
         }},
        {u"tls-key"_s, u"file"_s, u"PEM private key of --tls-cert."_s,
         [](ServerConfig &c, const QString &v) {
             c.tlsKeyFile = v;
             return !v.isEmpty();
         }},
        {u"allow-origin"_s, u"origin"_s,
         u"A web origin (e.g. https://chat.example.org) whose pages may connect; repeatable or comma-separated, "
         "\"*\" for any. A browser's WebSocket from any other origin is refused; clients that send no Origin "
         "(the app) are not browsers and are always let in (default: none)."_s,
         [](ServerConfig &c, const QString &v) {
             c.allowedOrigins.clear();
             for (const QString &origin : v.split(u',', Qt::SkipEmptyParts)) {
                 if (!origin.trimmed().isEmpty())
                     c.allowedOrigins.append(origin.trimmed());
             }
             return true;
         },
         {}, [](const ServerConfig &c) { return c.allowedOrigins.isEmpty() ? u"(none)"_s : c.allowedOrigins.join(u','); },
         true},
        {u"handshake-timeout"_s, u"seconds"_s,
         u"A connection that has not finished the TLS and WebSocket handshakes by then is closed (default: 10)."_s,
         [](ServerConfig &c, const QString &v) { return toMilliseconds(v, c.handshakeTimeout); },
         {}, [](const ServerConfig &c) { return number(c.handshakeTimeout.count() / 1000); }},
        {u"login-timeout"_s, u"seconds"_s,
         u"A WebSocket on which nobody has logged in (or registered) by then is closed with 1008 (default: 30)."_s,
         [](ServerConfig &c, const QString &v) { return toMilliseconds(v, c.loginTimeout); },
         {}, [](const ServerConfig &c) { return number(c.loginTimeout.count() / 1000); }},
        {u"max-connections"_s, u"count"_s,
         u"Connections held at once, in any stage; more are refused at once (default: 20000; 0: no cap)."_s,
         [](ServerConfig &c, const QString &v) { return toPositiveInt(v, c.maxConnections, 0); },
         {}, [](const ServerConfig &c) { return number(c.maxConnections); }},
        {u"max-connections-per-address"_s, u"count"_s,
         u"Connections held at once from one client address (default: 256; 0: no cap). Behind a reverse proxy on "
         "this machine every client has the proxy's address: raise it or turn it off."_s,
         [](ServerConfig &c, const QString &v) { return toPositiveInt(v, c.maxConnectionsPerAddress, 0); },
         {}, [](const ServerConfig &c) { return number(c.maxConnectionsPerAddress); }},
        {u"max-bad-logins"_s, u"count"_s, u"Failed logins on one connection before it is closed with 1008 (default: 5)."_s,
         [](ServerConfig &c, const QString &v) { return toPositiveInt(v, c.maxBadLogins); },
         {}, [](const ServerConfig &c) { return number(c.maxBadLogins); }},
        {u"max-channels"_s, u"count"_s,
         u"Channels (direct messages included) one user may be in. A log-in reads every one of them in "
         "one script of about 16 microseconds of Redis time per channel (default: 100)."_s,
         [](ServerConfig &c, const QString &v) { return toPositiveInt(v, c.maxChannelsPerUser); },
         {}, [](const ServerConfig &c) { return number(c.maxChannelsPerUser); }},
        {u"hash-queue"_s, u"count"_s,
         u"Password checks that may wait or run at once; beyond, log-ins answer rate_limited at once "
         "(default: 8 per hash worker)."_s,
         [](ServerConfig &c, const QString &v) { return toPositiveInt(v, c.hashQueue); },
         {}, [](const ServerConfig &c) { return c.hashQueue > 0 ? number(c.hashQueue) : u"8 per hash worker"_s; }},
        {u"channel-creates"_s, u"per-hour"_s,
         u"New public channels one user may create per hour; 0 for no limit (default: 20)."_s,
         [](ServerConfig &c, const QString &v) { return toPositiveInt(v, c.channelCreatesPerHour, 0); },
         {}, [](const ServerConfig &c) { return number(c.channelCreatesPerHour); }},
        {u"login-throttle"_s, u"count"_s,
         u"Failed password log-ins per user name per 15 minutes, across all instances, before `login` "
         "answers rate_limited; per client address ten times as many. 0 turns it off (default: 10)."_s,
         [](ServerConfig &c, const QString &v) { return toPositiveInt(v, c.loginFailuresPerName, 0); },
         {}, [](const ServerConfig &c) { return number(c.loginFailuresPerName); }},
        {u"register-throttle"_s, u"count"_s,
         u"Registrations per client address per hour, across all instances; 0 turns it off (default: 20)."_s,
         [](ServerConfig &c, const QString &v) { return toPositiveInt(v, c.registrationsPerAddress, 0); },
         {}, [](const ServerConfig &c) { return number(c.registrationsPerAddress); }},
        {u"search-budget"_s, u"count"_s,
         u"Index entries one search examines per channel before it answers a shorter page that the "
         "client continues (default: 2000)."_s,
         [](ServerConfig &c, const QString &v) { return toPositiveInt(v, c.searchBudgetPerChannel); },
         {}, [](const ServerConfig &c) { return number(c.searchBudgetPerChannel); }},
        {u"log-level"_s, u"level"_s,
         u"The least severe messages logged: debug, info, warning or error (default: info)."_s,
         [](ServerConfig &c, const QString &v) {
             for (const auto &entry : logLevelNames) {
                 if (v.trimmed().compare(entry.name, Qt::CaseInsensitive) == 0) {
                     c.logLevel = entry.level;
                     return true;
                 }
             }
             return false;
         },
         {}, [](const ServerConfig &c) { return logLevelName(c.logLevel); }},
        {u"log-rules"_s, u"rules"_s,
         u"Qt logging rules applied after --log-level, separated by ';', e.g. \"rill.redis.debug=true;rill.hub.info=false\". "
         "Categories: rill.server, rill.session, rill.connection, rill.hub, rill.presence, rill.store, rill.redis."_s,
         [](ServerConfig &c, const QString &v) {
             c.logRules = v;
             return true;
         },
         {}, [](const ServerConfig &c) { return c.logRules.isEmpty() ? u"(none)"_s : c.logRules; }},
    };
}

struct Switch {
    QString flag;
    QString help;
    bool ServerConfig::*member;
};

QList<Switch> switches()
{
    return {
        {u"demo"_s, u"Seed a few users and messages into an empty store, to try the app."_s, &ServerConfig::demo},
        {u"verbose"_s, u"Log debug messages (the same as --log-level debug)."_s, &ServerConfig::verbose},
    };
}

} // namespace

QString ServerConfig::defaultDataDir()
{
    const QString base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    return QDir(base.isEmpty() ? QDir::homePath() : base).filePath(u"rill/server"_s);
}

namespace {

struct ConfigLine {
    int number;
    QString key;
    QString value;
};

// The config file: `key = value` lines; whole-line comments start with '#' or ';'; a value may
// be put in double quotes to keep spaces at its ends. Not QSettings: its INI format takes '#'
// lines for keys, splits values at commas and has sections, all of which would turn an
// operator's plain file into something else without a word.
std::optional<QList<ConfigLine>> readConfigFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        *error = u"cannot read config file "_s + path + u": "_s + file.errorString();
        return std::nullopt;
    }
    QList<ConfigLine> lines;
    int number = 0;
    while (!file.atEnd()) {
        ++number;
        const QString line = QString::fromUtf8(file.readLine()).trimmed();
        if (line.isEmpty() || line.startsWith(u'#') || line.startsWith(u';'))
            continue;
        const QString where = path + u':' + QString::number(number);
        const auto eq = line.indexOf(u'=');
        if (line.startsWith(u'[') || eq <= 0) {
            *error = where + (line.startsWith(u'[') ? u": sections are not used, only `key = value` lines"_s
                                                    : u": expected `key = value`"_s);
            return std::nullopt;
        }
        ConfigLine entry{number, line.left(eq).trimmed(), line.mid(eq + 1).trimmed()};
        if (entry.value.size() >= 2 && entry.value.startsWith(u'"') && entry.value.endsWith(u'"'))
            entry.value = entry.value.mid(1, entry.value.size() - 2);
        for (const ConfigLine &earlier : std::as_const(lines)) {
            if (earlier.key == entry.key) {
                *error = where + u": "_s + entry.key + u" is already set on line "_s + QString::number(earlier.number);
                return std::nullopt;
            }
        }
        lines.append(entry);
    }
    return lines;
}

// What --check-config prints: every setting, its value and its source, aligned.
QString describe(const QString &configFile, const QString &configSource, const QList<EffectiveSetting> &effective)
{
    qsizetype nameWidth = 0;
    qsizetype valueWidth = 0;
    for (const EffectiveSetting &e : effective) {
        nameWidth = std::max(nameWidth, e.name.size());
        valueWidth = std::max(valueWidth, e.value.size());
    }
    QString out = QCoreApplication::applicationName() + u' ' + QCoreApplication::applicationVersion()
        + u": the configuration is valid.\n"_s;
    out += configFile.isEmpty() ? u"config file: none\n"_s
                                : u"config file: "_s + configFile + u" (from "_s + configSource + u")\n"_s;
    out += u"precedence: flags > RILL_* environment > config file > defaults\n\n"_s;
    for (const EffectiveSetting &e : effective)
        out += e.name.leftJustified(nameWidth + 2) + e.value.leftJustified(valueWidth + 2) + e.source + u'\n';
    out.chop(1);
    return out;
}

} // namespace

ServerConfigParse parseServerConfig(const QStringList &arguments, const QStringList &environment)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Rill chat server: WebSocket on the outside, Redis on the inside.\n\n"
        "Every setting comes from, strongest first: a flag; its environment variable (shown with each option, "
        "e.g. RILL_REDIS_URL for --redis); the config file (--config or RILL_CONFIG: INI, one `flag-name = value` "
        "per line, switches as yes/no); the default. --check-config shows which one each setting came from."_s);
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption versionOption = parser.addVersionOption();
    const QCommandLineOption configOption(
        u"config"_s, u"Read settings from this INI file (keys are the flag names). [env RILL_CONFIG]"_s, u"file"_s);
    parser.addOption(configOption);
    const QCommandLineOption checkOption(
        u"check-config"_s,
        u"Check the settings, print each one's effective value and where it came from, and exit: "
        "0 when they are valid, 2 when not."_s);
    parser.addOption(checkOption);
    const QList<Setting> all = settings();
    for (const Setting &s : all)
        parser.addOption(QCommandLineOption(s.flag, s.help + u" [env "_s + s.envName() + u']', s.valueName));
    const QList<Switch> allSwitches = switches();
    for (const Switch &s : allSwitches)
        parser.addOption(QCommandLineOption(s.flag, s.help + u" [env RILL_"_s + s.flag.toUpper() + u']'));

    ServerConfigParse result;
    if (!parser.parse(arguments)) {
        result.message = parser.errorText();
        return result;
    }
    if (parser.isSet(helpOption)) {
        result.exitEarly = true;
        result.message = parser.helpText();
        return result;
    }
    if (parser.isSet(versionOption)) {
        result.exitEarly = true;
        result.message = QCoreApplication::applicationName() + u' ' + QCoreApplication::applicationVersion();
        return result;
    }
    if (!parser.positionalArguments().isEmpty()) {
        result.message = u"unexpected argument: "_s + parser.positionalArguments().constFirst();
        return result;
    }

    QHash<QString, QString> env;
    for (const QString &line : environment) {
        const auto eq = line.indexOf(u'=');
        if (eq > 0)
            env.insert(line.left(eq), line.mid(eq + 1));
    }

    ServerConfig config;
    QHash<QString, QString> sourceOf; // flag name -> where its value came from; absent: default
    QHash<QString, QString> textOf;   // flag name -> the text it was set from
    auto applyFrom = [&](const QString &source, const Setting &s, const QString &value) {
        if (s.apply(config, value)) {
            sourceOf.insert(s.flag, source);
            textOf.insert(s.flag, value);
            return true;
        }
        result.message = u"invalid value \""_s + value + u"\" for "_s + s.flag + u" (from "_s + source + u')';
        return false;
    };
    auto switchFrom = [&](const QString &source, const Switch &s, const QString &value) {
        if (toBool(value, config.*(s.member))) {
            sourceOf.insert(s.flag, source);
            return true;
        }
        result.message = u"invalid value \""_s + value + u"\" for "_s + s.flag + u" (from "_s + source
            + u"): use yes or no"_s;
        return false;
    };

    const bool configFromFlag = parser.isSet(configOption);
    const QString configFile = configFromFlag ? parser.value(configOption) : env.value(u"RILL_CONFIG"_s);
    if (!configFile.isEmpty()) {
        if (!QFileInfo(configFile).isReadable()) {
            result.message = u"cannot read config file "_s + configFile;
            return result;
        }
        QString why;
        const auto file = readConfigFile(configFile, &why);
        if (!file) {
            result.message = why;
            return result;
        }
        // A misspelt key would otherwise be a setting silently left at its default.
        for (const ConfigLine &line : *file) {
            const bool known = std::any_of(all.cbegin(), all.cend(), [&](const Setting &s) { return s.fileKey() == line.key; })
                || std::any_of(allSwitches.cbegin(), allSwitches.cend(), [&](const Switch &s) { return s.flag == line.key; });
            if (!known) {
                result.message = u"unknown setting \""_s + line.key + u"\" at "_s + configFile + u':'
                    + QString::number(line.number) + u" (keys are the flag names)"_s;
                return result;
            }
        }
        const QString source = u"file "_s + configFile;
        for (const ConfigLine &line : *file) {
            const auto setting = std::find_if(all.cbegin(), all.cend(), [&](const Setting &s) { return s.fileKey() == line.key; });
            if (setting != all.cend()) {
                if (!applyFrom(source, *setting, line.value))
                    return result;
                continue;
            }
            const auto sw = std::find_if(allSwitches.cbegin(), allSwitches.cend(), [&](const Switch &s) { return s.flag == line.key; });
            if (!switchFrom(source, *sw, line.value))
                return result;
        }
    }
    for (const Setting &s : all) {
        if (env.contains(s.envName()) && !applyFrom(u"env "_s + s.envName(), s, env.value(s.envName())))
            return result;
    }
    for (const Switch &s : allSwitches) {
        const QString name = u"RILL_"_s + s.flag.toUpper();
        if (env.contains(name) && !switchFrom(u"env "_s + name, s, env.value(name)))
            return result;
    }
    for (const Setting &s : all) {
        if (!parser.isSet(s.flag))
            continue;
        const QString value = s.repeatable ? parser.values(s.flag).join(u',') : parser.value(s.flag);
        if (!applyFrom(u"flag --"_s + s.flag, s, value))
            return result;
    }
    for (const Switch &s : allSwitches) {
        if (parser.isSet(s.flag)) {
            config.*(s.member) = true;
            sourceOf.insert(s.flag, u"flag --"_s + s.flag);
        }
    }

    if (config.tlsCertFile.isEmpty() != config.tlsKeyFile.isEmpty()) {
        result.message = u"--tls-cert and --tls-key go together"_s;
        return result;
    }
    if (config.demo && !config.listenAddress.isLoopback()) {
        result.message = u"--demo seeds users with a published password: it only listens on a loopback address"_s;
        return result;
    }
    if (config.dataDir.isEmpty()) {
        // systemd's StateDirectory= says where a service keeps its state.
        const QString stateDirectory = env.value(u"STATE_DIRECTORY"_s).section(u':', 0, 0);
        if (!stateDirectory.isEmpty())
            sourceOf.insert(u"data-dir"_s, u"default ($STATE_DIRECTORY)"_s);
        config.dataDir = stateDirectory.isEmpty() ? ServerConfig::defaultDataDir() : stateDirectory;
    }
    if (config.instanceName.isEmpty())
        config.instanceName = ServerConfig::defaultInstanceName();
    if (config.verbose) {
        config.logLevel = QtDebugMsg;
        sourceOf.insert(u"log-level"_s, sourceOf.value(u"verbose"_s));
    }

    for (const Setting &s : all) {
        result.effective.append({s.flag, s.show ? s.show(config) : textOf.value(s.flag, u"(not set)"_s),
                                 sourceOf.value(s.flag, u"default"_s)});
    }
    for (const Switch &s : allSwitches)
        result.effective.append({s.flag, config.*(s.member) ? u"yes"_s : u"no"_s, sourceOf.value(s.flag, u"default"_s)});

    if (parser.isSet(checkOption)) {
        // What the server would only find out when it starts.
        if (config.redisUrl.isEmpty() && redis::findRedisServer(config.redisServer).isEmpty()) {
            result.message = redis::redisServerNotFound(config.redisServer);
            return result;
        }
        if (!config.redisUrl.isEmpty()) {
            QString why;
            if (!redis::RedisEndpoint::parse(config.redisUrl, &why)) {
                result.message = u"invalid value for redis (from "_s + sourceOf.value(u"redis"_s) + u"): "_s + why;
                return result;
            }
        }
        result.exitEarly = true;
        result.message = describe(configFile, configFromFlag ? u"--config"_s : u"RILL_CONFIG"_s, result.effective);
    }
    result.config = config;
    return result;
}

QString ServerConfig::defaultInstanceName()
{
    return QHostInfo::localHostName() + u'-' + QString::number(QCoreApplication::applicationPid());
}

} // namespace rill::server
