#pragma once

#include <QHostAddress>
#include <QString>
#include <QStringList>

#include <chrono>
#include <optional>

namespace rill::server {

// Everything an operator can set. Sources, strongest first: command-line flags, RILL_*
// environment variables, the config file (--config or RILL_CONFIG, INI, keys are the flag
// names), built-in defaults.
struct ServerConfig {
    QHostAddress listenAddress = QHostAddress::LocalHost; // --listen 0.0.0.0 to serve the network
    quint16 port = 7117;
    // /healthz, /readyz and /metrics over HTTP (--http-listen); off while httpPort is unset.
    QHostAddress httpAddress = QHostAddress::LocalHost;
    std::optional<quint16> httpPort;
    QString redisUrl;        // empty: start a private redis-server under dataDir
    // Writes of what people said are acknowledged once WAIT says this many replicas have them
    // (0: as soon as the primary has them); a WAIT that times out answers `internal`.
    int redisWaitReplicas = 0;
    std::chrono::milliseconds redisWaitTimeout{200};
    QString dataDir;         // default: $STATE_DIRECTORY (systemd), else the user's data directory
    QString redisServer;     // the redis-server to run when redisUrl is empty; default: findRedisServer()
    QString instanceName;    // default: host name + pid; shown in `hello` (before log-in only if set)
    double rateLimitPerSecond = 5.0; // 0 turns rate limiting off (load tests)
    int rateLimitBurst = 20;
    qint64 maxBacklogBytes = 4 * 1024 * 1024; // unsent bytes per connection before it is dropped
    std::chrono::milliseconds writeHold{0}; // how long outgoing frames may wait to share a write
    bool sendRing = true; // writes through io_uring where the kernel offers it (else sendmsg)
    std::chrono::seconds pingInterval{30};
    std::chrono::seconds presenceHeartbeat{5};
    std::chrono::seconds shutdownTimeout{5};
    // Transport: TLS (both files, or neither), browser origins, clocks and caps.
    QString tlsCertFile;     // PEM certificate (chain); with tlsKeyFile the port speaks wss://
    QString tlsKeyFile;      // PEM private key
    QStringList allowedOrigins; // Origin values browsers may connect from; "*" for any
    std::chrono::milliseconds handshakeTimeout{10000}; // TCP (and TLS) to WebSocket open
    std::chrono::milliseconds loginTimeout{30000};     // WebSocket open to logged in
    int maxConnections = 20000;          // 0: no cap
    int maxConnectionsPerAddress = 256;  // 0: no cap
    int hashWorkers = 2;     // threads hashing passwords
    int maxBadLogins = 5;    // per connection, then close 1008
    int maxChannelsPerUser = 100;   // channels (DMs included) one user may be in
    int channelCreatesPerHour = 20; // new public channels per user per hour; 0: no limit
    int loginFailuresPerName = 10;  // per 15 minutes, across instances; per address 10x; 0: off
    int registrationsPerAddress = 20; // per hour, across instances; 0: off
    int searchBudgetPerChannel = 2000; // index entries a search examines per channel and request
    int hashQueue = 0;       // password checks waiting or running before rate_limited; 0: 8 per worker
    bool demo = false;       // seed a few users and messages into an empty store
    bool verbose = false;    // the same as logLevel = QtDebugMsg
    QtMsgType logLevel = QtInfoMsg; // the least severe message logged
    QString logRules;        // QLoggingCategory rules applied after logLevel, ';'-separated

    [[nodiscard]] static QString defaultDataDir();
    // host-pid: names the machine, so `hello` shows it only after log-in.
    [[nodiscard]] static QString defaultInstanceName();
};

// One line of `--check-config`: a setting's effective value and where it came from.
struct EffectiveSetting {
    QString name;   // the flag / file key
    QString value;  // as it will be used (a Redis password is masked)
    QString source; // "flag --port", "env RILL_PORT", "file /etc/rill/rill-server.conf" or "default"
};

struct ServerConfigParse {
    std::optional<ServerConfig> config;
    QList<EffectiveSetting> effective; // every setting, when config is set
    QString message;        // the error, or the --help / --version / --check-config text
    bool exitEarly = false; // --help, --version or --check-config: print message and exit 0
};

// Parses `arguments` (argv) with `environment` (as QProcessEnvironment::toStringList()).
[[nodiscard]] ServerConfigParse parseServerConfig(const QStringList &arguments, const QStringList &environment);

} // namespace rill::server
