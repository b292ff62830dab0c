#include "AppSettings.h"

#include "protocol/Limits.h"

namespace rill::app {

using namespace Qt::StringLiterals;

AppSettings::AppSettings(const QString &path, QObject *parent)
    : QObject(parent)
    , m_settings(path, QSettings::IniFormat)
{
}

void AppSettings::store(const QString &key, const QVariant &value)
{
    m_settings.setValue(key, value);
    m_settings.sync(); // a crash a minute later should not lose it
}

bool AppSettings::runsBundledServer() const
{
    return m_settings.value(u"bundledServer/run"_s, false).toBool();
}

void AppSettings::setRunsBundledServer(bool on)
{
    if (on != runsBundledServer())
        store(u"bundledServer/run"_s, on);
}

bool AppSettings::sharesBundledServer() const
{
    return m_settings.value(u"bundledServer/shared"_s, false).toBool();
}

void AppSettings::setSharesBundledServer(bool on)
{
    if (on != sharesBundledServer())
        store(u"bundledServer/shared"_s, on);
}

namespace {
QString draftKey(const QString &channel)
{
    // Channel names are a-z 0-9 _ -, and DM names add a colon: all safe as INI keys.
    return u"drafts/"_s + channel;
}
} // namespace

QString AppSettings::draft(const QString &channel) const
{
    return m_settings.value(draftKey(channel)).toString();
}

void AppSettings::setDraft(const QString &channel, const QString &text)
{
    if (channel.isEmpty() || text == draft(channel))
        return;
    if (text.isEmpty()) {
        m_settings.remove(draftKey(channel));
        m_settings.sync();
        return;
    }
    store(draftKey(channel), text);
}

QString AppSettings::defaultServer()
{
    return u"ws://localhost:"_s + QString::number(protocol::kDefaultPort);
}

QString AppSettings::server() const
{
    return m_settings.value(u"server"_s, defaultServer()).toString();
}

void AppSettings::setServer(const QString &server)
{
    if (server == this->server())
        return;
    store(u"server"_s, server);
    Q_EMIT serverChanged();
}

QString AppSettings::lastUser() const
{
    return m_settings.value(u"lastUser"_s).toString();
}

void AppSettings::setLastUser(const QString &user)
{
    if (user == lastUser())
        return;
    store(u"lastUser"_s, user);
    Q_EMIT lastUserChanged();
}

QString AppSettings::theme() const
{
    const QString value = m_settings.value(u"theme"_s, u"system"_s).toString();
    return (value == u"light"_s || value == u"dark"_s) ? value : u"system"_s;
}

void AppSettings::setTheme(const QString &theme)
{
    if (theme == this->theme())
        return;
    store(u"theme"_s, theme);
    Q_EMIT themeChanged();
}

bool AppSettings::notifications() const
{
    return m_settings.value(u"notifications"_s, true).toBool();
}

void AppSettings::setNotifications(bool on)
{
    if (on == notifications())
        return;
    store(u"notifications"_s, on);
    Q_EMIT notificationsChanged();
}

QStringList AppSettings::recentEmoji() const
{
    return m_settings.value(u"recentEmoji"_s).toStringList();
}

void AppSettings::noteEmojiUsed(const QString &emoji)
{
    if (emoji.isEmpty())
        return;
    QStringList recent = recentEmoji();
    recent.removeAll(emoji);
    recent.prepend(emoji);
    if (recent.size() > kMaxRecentEmoji)
        recent.resize(kMaxRecentEmoji);
    store(u"recentEmoji"_s, recent);
    Q_EMIT recentEmojiChanged();
}

QString AppSettings::lastChannel() const
{
    return m_settings.value(u"lastChannel"_s).toString();
}

void AppSettings::setLastChannel(const QString &channel)
{
    if (channel == lastChannel() || channel.isEmpty())
        return;
    store(u"lastChannel"_s, channel);
    Q_EMIT lastChannelChanged();
}

QUrl AppSettings::serverUrl(const QString &typed)
{
    QString text = typed.trimmed();
    if (text.isEmpty())
        return {};
    const bool schemeless = !typedScheme(text);
    if (schemeless)
        text.prepend(u"wss://"_s);
    QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty() || (url.scheme() != u"ws"_s && url.scheme() != u"wss"_s))
        return {};
    // wss:// typed without a port is a server behind a TLS proxy on 443; anything else is
    // rill-server's own port.
    if (url.port() < 0 && (schemeless || url.scheme() == u"ws"_s))
        url.setPort(protocol::kDefaultPort);
    return url;
}

bool AppSettings::typedScheme(const QString &typed)
{
    return typed.contains(u"://"_s);
}

namespace {
QString trustKey(const QUrl &server)
{
    // Per host and port, not per scheme: a pinned certificate is only ever asked for over TLS.
    return u"trustedCertificates/"_s + server.host() + u'_' + QString::number(server.port(443));
}
} // namespace

QByteArray AppSettings::trustedCertificate(const QUrl &server) const
{
    return QByteArray::fromHex(m_settings.value(trustKey(server)).toByteArray());
}

void AppSettings::setTrustedCertificate(const QUrl &server, const QByteArray &sha256)
{
    store(trustKey(server), QString::fromLatin1(sha256.toHex()));
}

} // namespace rill::app
