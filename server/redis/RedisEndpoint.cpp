#include "RedisEndpoint.h"

#include <QUrl>
#include <QUrlQuery>

namespace rill::redis {

using namespace Qt::StringLiterals;

std::optional<RedisEndpoint> RedisEndpoint::parse(const QString &text, QString *error)
{
    auto fail = [error](QString why) -> std::optional<RedisEndpoint> {
        if (error)
            *error = std::move(why);
        return std::nullopt;
    };

    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid())
        return fail(u"not a valid URL: "_s + url.errorString());

    RedisEndpoint ep;
    ep.user = url.userName(QUrl::FullyDecoded);
    ep.password = url.password(QUrl::FullyDecoded);

    if (url.scheme() == "unix"_L1) {
        ep.transport = Transport::Unix;
        ep.socketPath = url.path(QUrl::FullyDecoded);
        if (ep.socketPath.isEmpty())
            return fail(u"unix:// URL without a socket path"_s);
        const QUrlQuery query(url);
        if (query.hasQueryItem(u"db"_s)) {
            bool ok = false;
            ep.database = query.queryItemValue(u"db"_s).toInt(&ok);
            if (!ok || ep.database < 0)
                return fail(u"db must be a non-negative number"_s);
        }
        return ep;
    }

    if (url.scheme() != "redis"_L1)
        return fail(u"the scheme must be redis:// or unix://"_s);
    if (url.host().isEmpty())
        return fail(u"redis:// URL without a host"_s);
    ep.host = url.host();
    const int port = url.port(6379);
    if (port <= 0 || port > 65535)
        return fail(u"port out of range"_s);
    ep.port = quint16(port);

    const QString path = url.path();
    if (!path.isEmpty() && path != "/"_L1) {
        bool ok = false;
        ep.database = path.mid(1).toInt(&ok);
        if (!ok || ep.database < 0)
            return fail(u"the path must be a database number, e.g. /0"_s);
    }
    return ep;
}

RedisEndpoint RedisEndpoint::tcp(QString host, quint16 port)
{
    RedisEndpoint ep;
    ep.host = std::move(host);
    ep.port = port;
    return ep;
}

RedisEndpoint RedisEndpoint::unixSocket(QString path)
{
    RedisEndpoint ep;
    ep.transport = Transport::Unix;
    ep.socketPath = std::move(path);
    return ep;
}

QString RedisEndpoint::toDisplayString() const
{
    const QString userPart = user.isEmpty() ? QString() : user + u'@';
    if (transport == Transport::Unix)
        return u"unix://"_s + userPart + socketPath + (database ? u"?db="_s + QString::number(database) : QString());
    const QString hostPart = host.contains(u':') ? u'[' + host + u']' : host;
    return u"redis://"_s + userPart + hostPart + u':' + QString::number(port)
        + (database ? u'/' + QString::number(database) : QString());
}

} // namespace rill::redis
