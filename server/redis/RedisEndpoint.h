#pragma once

#include <QString>
#include <QtGlobal>

#include <optional>

namespace rill::redis {

// Where a Redis server is and how to log in to it, parsed from
// redis://[user:password@]host:port[/db] or unix:///path/to/socket[?db=N].
struct RedisEndpoint {
    enum class Transport { Tcp, Unix };

    Transport transport = Transport::Tcp;
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 6379;
    QString socketPath;
    QString user;
    QString password;
    int database = 0;

    [[nodiscard]] static std::optional<RedisEndpoint> parse(const QString &url, QString *error = nullptr);
    [[nodiscard]] static RedisEndpoint tcp(QString host, quint16 port);
    [[nodiscard]] static RedisEndpoint unixSocket(QString path);

    // The URL again, with the password left out so it can be logged.
    [[nodiscard]] QString toDisplayString() const;
};

} // namespace rill::redis
