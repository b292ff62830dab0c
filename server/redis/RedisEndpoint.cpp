#include "RedisEndpoint.h"

#include <QUrl>
#include <QUrlQuery>

namespace rill::redis {

using namespace Qt::StringLiterals;

namespace {

std::optional<RedisEndpoint> failWith(QString *error, QString why)
{
    if (error)
        *error = std::move(why);
    return std::nullopt;
}

// sentinel://[user:password@]host:port,host:port/master[/db][?sentinel-password=P], by hand: a
// list of hosts is not a URL authority QUrl would accept.
std::optional<RedisEndpoint> parseSentinel(const QString &text, QString *error)
{
    QString rest = text.mid(QStringLiteral("sentinel://").size());
    RedisEndpoint ep;
    ep.transport = RedisEndpoint::Transport::Sentinel;

    const auto question = rest.indexOf(u'?');
    if (question >= 0) {
        const QUrlQuery query(rest.mid(question + 1));
        for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
            if (key != "sentinel-password"_L1)
                return failWith(error, u"unknown sentinel:// parameter \""_s + key + u'"');
            ep.sentinelPassword = value;
        }
        rest.truncate(question);
    }
    const auto slash = rest.indexOf(u'/');
    if (slash < 0)
        return failWith(error, u"sentinel:// URL without a master name: sentinel://host:port,.../mymaster"_s);
    QString authority = rest.left(slash);
    const QStringList path = rest.mid(slash + 1).split(u'/');
    ep.masterName = QUrl::fromPercentEncoding(path.value(0).toUtf8());
    if (ep.masterName.isEmpty() || path.size() > 2)
        return failWith(error, u"the path must be the master's name, and a database number after it: /mymaster/0"_s);
    if (path.size() == 2) {
        bool ok = false;
        ep.database = path.at(1).toInt(&ok);
        if (!ok || ep.database < 0)
            return failWith(error, u"the database after the master's name must be a non-negative number"_s);
    }
    const auto at = authority.lastIndexOf(u'@');
    if (at >= 0) {
        const QString userInfo = authority.left(at);
        const auto colon = userInfo.indexOf(u':');
        ep.user = QUrl::fromPercentEncoding(userInfo.left(colon).toUtf8());
        if (colon >= 0)
            ep.password = QUrl::fromPercentEncoding(userInfo.mid(colon + 1).toUtf8());
        authority = authority.mid(at + 1);
    }
    for (const QString &hostPort : authority.split(u',')) {
        QString host = hostPort;
        int port = 26379;
        const auto close = hostPort.lastIndexOf(u']');
        const auto colon = hostPort.lastIndexOf(u':');
        if (colon > close && (close >= 0 || hostPort.count(u':') == 1)) {
            bool ok = false;
            port = hostPort.mid(colon + 1).toInt(&ok);
            if (!ok || port <= 0 || port > 65535)
                return failWith(error, u"sentinel port out of range in \""_s + hostPort + u'"');
            host = hostPort.left(colon);
        }
        if (host.startsWith(u'[') && host.endsWith(u']'))
            host = host.mid(1, host.size() - 2);
        if (host.isEmpty())
            return failWith(error, u"sentinel:// URL with an empty host in its list"_s);
        ep.sentinels.append({host, quint16(port)});
    }
    return ep;
}

} // namespace

std::optional<RedisEndpoint> RedisEndpoint::parse(const QString &text, QString *error)
{
    auto fail = [error](QString why) { return failWith(error, std::move(why)); };
    if (text.startsWith("sentinel://"_L1))
        return parseSentinel(text, error);

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
        return fail(u"the scheme must be redis://, unix:// or sentinel://"_s);
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
    if (transport == Transport::Sentinel) {
        QStringList hosts;
        for (const auto &[host, sentinelPort] : sentinels)
            hosts << (host.contains(u':') ? u'[' + host + u']' : host) + u':' + QString::number(sentinelPort);
        return u"sentinel://"_s + userPart + hosts.join(u',') + u'/' + masterName
            + (database ? u'/' + QString::number(database) : QString());
    }
    if (transport == Transport::Unix)
        return u"unix://"_s + userPart + socketPath + (database ? u"?db="_s + QString::number(database) : QString());
    const QString hostPart = host.contains(u':') ? u'[' + host + u']' : host;
    return u"redis://"_s + userPart + hostPart + u':' + QString::number(port)
        + (database ? u'/' + QString::number(database) : QString());
}

} // namespace rill::redis
