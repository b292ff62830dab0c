#pragma once

#include <QList>
#include <QString>
#include <QtGlobal>

#include <optional>
#include <utility>

namespace rill::redis {

// Where a Redis server is and how to log in to it, parsed from
// redis://[user:password@]host:port[/db] or unix:///path/to/socket[?db=N], or where to ask for
// it: sentinel://[user:password@]host:port,host:port,.../master-name[/db][?sentinel-password=P]
// (the credentials and database are the master's; sentinels listen on 26379 by default).
struct RedisEndpoint {
    enum class Transport { Tcp, Unix, Sentinel };

    Transport transport = Transport::Tcp;
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 6379;
    QString socketPath;
    QString user;
    QString password;
    int database = 0;
    // Sentinel: host and port above are unused; the link asks these for the master's address.
    QList<std::pair<QString, quint16>> sentinels;
    QString masterName;
    QString sentinelPassword;

    [[nodiscard]] bool isSentinel() const { return transport == Transport::Sentinel; }

    [[nodiscard]] static std::optional<RedisEndpoint> parse(const QString &url, QString *error = nullptr);
    [[nodiscard]] static RedisEndpoint tcp(QString host, quint16 port);
    [[nodiscard]] static RedisEndpoint unixSocket(QString path);

    // The URL again, with the password left out so it can be logged.
    [[nodiscard]] QString toDisplayString() const;
};

} // namespace rill::redis
