#pragma once

#include <QHostAddress>
#include <QString>
#include <QStringList>

#include <chrono>
#include <optional>

namespace rill::server {

// Everything an operator can set. Sources, strongest first: command-line flags, RILL_*
// environment variables, the config file (--config, INI), built-in defaults.
struct ServerConfig {
    QHostAddress listenAddress = QHostAddress::Any;
    quint16 port = 7117;
    QString redisUrl;        // empty: start a private redis-server under dataDir
    QString dataDir;         // default: the user's data directory
    QString instanceName;    // default: host name + pid; shown in `hello`
    double rateLimitPerSecond = 5.0; // 0 turns rate limiting off (load tests)
    int rateLimitBurst = 20;
    qint64 maxBacklogBytes = 4 * 1024 * 1024; // unsent bytes per connection before it is dropped
    std::chrono::seconds pingInterval{30};
    std::chrono::seconds presenceHeartbeat{5};
    std::chrono::seconds shutdownTimeout{5};
    int hashWorkers = 2;     // threads hashing passwords
    int maxBadLogins = 5;    // per connection, then close 1008
    int maxChannelsPerUser = 100;   // channels (DMs included) one user may be in
    int channelCreatesPerHour = 20; // new public channels per user per hour; 0: no limit
    bool demo = false;       // seed a few users and messages into an empty store
    bool verbose = false;

    [[nodiscard]] static QString defaultDataDir();
};

struct ServerConfigParse {
    std::optional<ServerConfig> config;
    QString message;        // the error, or the --help / --version text
    bool exitEarly = false; // --help or --version: print message and exit 0
};

// Parses `arguments` (argv) with `environment` (as QProcessEnvironment::toStringList()).
[[nodiscard]] ServerConfigParse parseServerConfig(const QStringList &arguments, const QStringList &environment);

} // namespace rill::server
