#include "MessageLink.h"

#include "protocol/Limits.h"
#include "protocol/StreamId.h"

namespace rill::client {

using namespace Qt::StringLiterals;

namespace {
int portOf(const QUrl &url)
{
    return url.port(protocol::kDefaultPort);
}
} // namespace

QString MessageLink::make(const QUrl &server, const QString &channel, const QString &messageId)
{
    QUrl link;
    link.setScheme(kScheme);
    link.setHost(server.host());
    link.setPort(portOf(server));
    link.setPath(u'/' + channel + u'/' + messageId);
    return QString::fromLatin1(link.toEncoded());
}

std::optional<MessageLink> MessageLink::parse(const QString &link)
{
    const QUrl url(link.trimmed(), QUrl::StrictMode);
    if (!url.isValid() || url.scheme() != kScheme || url.host().isEmpty() || url.hasQuery() || url.hasFragment())
        return std::nullopt;
    const QStringList parts = url.path(QUrl::FullyDecoded).split(u'/');
    // "", channel, ID: a channel name has no "/" (protocol names), an ID none either.
    if (parts.size() != 3 || !parts[0].isEmpty() || parts[1].isEmpty() || !protocol::StreamId::parse(parts[2]))
        return std::nullopt;
    return MessageLink{url.host().toLower(), portOf(url), parts[1], parts[2]};
}

bool MessageLink::isOn(const QUrl &server) const
{
    return server.host().compare(host, Qt::CaseInsensitive) == 0 && portOf(server) == port;
}

QString MessageLink::authority() const
{
    return host + u':' + QString::number(port);
}

} // namespace rill::client
