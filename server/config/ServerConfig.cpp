#include "ServerConfig.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QHostInfo>
#include <QSettings>
#include <QStandardPaths>

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

QList<Setting> settings()
{
    return {
        {u"listen"_s, u"address"_s, u"Address to listen on (default: all interfaces)."_s,
         [](ServerConfig &c, const QString &v) { return c.listenAddress.setAddress(v); }},
        {u"port"_s, u"port"_s, u"WebSocket port (default: 7117)."_s,
         [](ServerConfig &c, const QString &v) {
             int p = 0;
             if (!toPositiveInt(v, p, 0) || p > 65535)
                 return false;
             c.port = quint16(p);
             return true;
         }},
        {u"redis"_s, u"url"_s,
         u"Use this Redis: redis://[user:password@]host:port[/db] or unix:///path. "
         "Without it, a private redis-server is started under the data directory."_s,
         [](ServerConfig &c, const QString &v) {
             c.redisUrl = v;
             return true;
         },
         u"RILL_REDIS_URL"_s},
        {u"data-dir"_s, u"dir"_s, u"Where the embedded Redis keeps its data (default: the user's data directory)."_s,
         [](ServerConfig &c, const QString &v) {
             c.dataDir = QDir(v).absolutePath();
             return !v.isEmpty();
         }},
        {u"instance"_s, u"name"_s, u"This instance's name, reported by `hello` (default: host-pid)."_s,
         [](ServerConfig &c, const QString &v) {
             c.instanceName = v;
             return !v.isEmpty();
         }},
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
         }},
        {u"rate-burst"_s, u"count"_s, u"Burst size of the rate limit (default: 20)."_s,
         [](ServerConfig &c, const QString &v) { return toPositiveInt(v, c.rateLimitBurst); }},
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
         }},
        {u"ping-interval"_s, u"seconds"_s, u"Keep-alive ping interval; a peer that misses two pings in a row is dropped (default: 30)."_s,
         [](ServerConfig &c, const QString &v) { return toSeconds(v, c.pingInterval); }},
        {u"presence-heartbeat"_s, u"seconds"_s,
         u"How often this instance tells Redis it is alive; its users go offline 3 heartbeats after it dies "
         "(default: 5)."_s,
         [](ServerConfig &c, const QString &v) { return toSeconds(v, c.presenceHeartbeat); }},
        {u"shutdown-timeout"_s, u"seconds"_s, u"Longest a graceful shutdown may take (default: 5)."_s,
         [](ServerConfig &c, const QString &v) { return toSeconds(v, c.shutdownTimeout); }},
        {u"hash-workers"_s, u"threads"_s, u"Threads that hash passwords, off the event loop (default: 2)."_s,
         [](ServerConfig &c, const QString &v) { return toPositiveInt(v, c.hashWorkers); }},
        {u"max-bad-logins"_s, u"count"_s, u"Failed logins on one connection before it is closed with 1008 (default: 5)."_s,
         [](ServerConfig &c, const QString &v) { return toPositiveInt(v, c.maxBadLogins); }},
        {u"max-channels"_s, u"count"_s,
         u"Channels (direct messages included) one user may be in. A log-in reads every one of them in "
         "one script of about 5 microseconds of Redis time per channel (default: 100)."_s,
         [](ServerConfig &c, const QString &v) { return toPositiveInt(v, c.maxChannelsPerUser); }},
        {u"channel-creates"_s, u"per-hour"_s,
         u"New public channels one user may create per hour; 0 for no limit (default: 20)."_s,
         [](ServerConfig &c, const QString &v) { return toPositiveInt(v, c.channelCreatesPerHour, 0); }},
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
        {u"verbose"_s, u"Log debug messages."_s, &ServerConfig::verbose},
    };
}

} // namespace

QString ServerConfig::defaultDataDir()
{
    const QString base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    return QDir(base.isEmpty() ? QDir::homePath() : base).filePath(u"rill/server"_s);
}

ServerConfigParse parseServerConfig(const QStringList &arguments, const QStringList &environment)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Rill chat server: WebSocket on the outside, Redis on the inside. Every setting can also come "
        "from an environment variable (shown with each option, e.g. RILL_REDIS_URL for --redis) or the config file; "
        "flags win over the environment, the environment over the file."_s);
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption versionOption = parser.addVersionOption();
    const QCommandLineOption configOption(u"config"_s, u"Read settings from this INI file (keys are the flag names)."_s,
                                          u"file"_s);
    parser.addOption(configOption);
    const QList<Setting> all = settings();
    for (const Setting &s : all)
        parser.addOption(QCommandLineOption(s.flag, s.help + u" [env "_s + s.envName() + u']', s.valueName));
    for (const Switch &s : switches())
        parser.addOption(QCommandLineOption(s.flag, s.help));

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
    auto applyFrom = [&](const QString &source, const Setting &s, const QString &value) {
        if (s.apply(config, value))
            return true;
        result.message = u"invalid value \""_s + value + u"\" for "_s + s.flag + u" (from "_s + source + u')';
        return false;
    };

    const QString configFile = parser.isSet(configOption) ? parser.value(configOption) : env.value(u"RILL_CONFIG"_s);
    if (!configFile.isEmpty()) {
        if (!QFileInfo(configFile).isReadable()) {
            result.message = u"cannot read config file "_s + configFile;
            return result;
        }
        const QSettings file(configFile, QSettings::IniFormat);
        for (const Setting &s : all) {
            if (file.contains(s.fileKey()) && !applyFrom(configFile, s, file.value(s.fileKey()).toString()))
                return result;
        }
        for (const Switch &s : switches()) {
            if (file.contains(s.flag) && !toBool(file.value(s.flag).toString(), config.*(s.member))) {
                result.message = u"invalid value for "_s + s.flag + u" in "_s + configFile;
                return result;
            }
        }
    }
    for (const Setting &s : all) {
        if (env.contains(s.envName()) && !applyFrom(s.envName(), s, env.value(s.envName())))
            return result;
    }
    for (const Switch &s : switches()) {
        const QString name = u"RILL_"_s + s.flag.toUpper();
        if (env.contains(name) && !toBool(env.value(name), config.*(s.member))) {
            result.message = u"invalid value for "_s + name;
            return result;
        }
    }
    for (const Setting &s : all) {
        if (parser.isSet(s.flag) && !applyFrom(u"--"_s + s.flag, s, parser.value(s.flag)))
            return result;
    }
    for (const Switch &s : switches()) {
        if (parser.isSet(s.flag))
            config.*(s.member) = true;
    }

    if (config.dataDir.isEmpty())
        config.dataDir = ServerConfig::defaultDataDir();
    if (config.instanceName.isEmpty())
        config.instanceName = QHostInfo::localHostName() + u'-' + QString::number(QCoreApplication::applicationPid());
    result.config = config;
    return result;
}

} // namespace rill::server
