#pragma once

#include <QObject>
#include <QSettings>
#include <QUrl>
#include <QtQmlIntegration>

namespace rill::app {

// The persisted preferences of one profile (QSettings, INI), as properties QML binds to.
class AppSettings : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("The app owns its settings")
    Q_PROPERTY(QString server READ server WRITE setServer NOTIFY serverChanged)
    Q_PROPERTY(QString lastUser READ lastUser WRITE setLastUser NOTIFY lastUserChanged)
    // "system", "light" or "dark"
    Q_PROPERTY(QString theme READ theme WRITE setTheme NOTIFY themeChanged)
    Q_PROPERTY(bool notifications READ notifications WRITE setNotifications NOTIFY notificationsChanged)
    Q_PROPERTY(QString lastChannel READ lastChannel WRITE setLastChannel NOTIFY lastChannelChanged)
    // The emoji the user reacted with lately, most recent first (the picker's first row).
    Q_PROPERTY(QStringList recentEmoji READ recentEmoji NOTIFY recentEmojiChanged)

public:
    explicit AppSettings(const QString &path, QObject *parent = nullptr);

    [[nodiscard]] QString server() const;
    void setServer(const QString &server);
    [[nodiscard]] QString lastUser() const;
    void setLastUser(const QString &user);
    [[nodiscard]] QString theme() const;
    void setTheme(const QString &theme);
    [[nodiscard]] bool notifications() const;
    void setNotifications(bool on);
    [[nodiscard]] QString lastChannel() const;
    void setLastChannel(const QString &channel);

    // The profile runs its own server ("Start a server on this computer"): the next start starts
    // it again before signing in. Shared: on the network with TLS, not this computer only.
    [[nodiscard]] bool runsBundledServer() const;
    void setRunsBundledServer(bool on);
    [[nodiscard]] bool sharesBundledServer() const;
    void setSharesBundledServer(bool on);

    // What was typed in a channel and not sent: it stays with that channel, also across a
    // restart (as Slack's drafts do). An empty draft is no draft.
    [[nodiscard]] Q_INVOKABLE QString draft(const QString &channel) const;
    Q_INVOKABLE void setDraft(const QString &channel, const QString &text);
    [[nodiscard]] QStringList recentEmoji() const;
    // `emoji` was just used: it goes first, and the list keeps kMaxRecentEmoji.
    Q_INVOKABLE void noteEmojiUsed(const QString &emoji);
    static constexpr int kMaxRecentEmoji = 16;

    [[nodiscard]] static QString defaultServer();
    // "host", "host:port" or a ws:// or wss:// URL, as a WebSocket URL (empty when it is none).
    // Without a scheme it is wss://: a server that offers TLS gets it (see typedScheme).
    [[nodiscard]] Q_INVOKABLE static QUrl serverUrl(const QString &typed);
    // Whether the person chose the scheme; if not, a server without TLS may be reached by ws://.
    [[nodiscard]] static bool typedScheme(const QString &typed);

    // The SHA-256 fingerprint of the one certificate trusted for this server (host and port)
    // beyond the system's store; empty when none is.
    [[nodiscard]] QByteArray trustedCertificate(const QUrl &server) const;
    void setTrustedCertificate(const QUrl &server, const QByteArray &sha256);

Q_SIGNALS:
    void serverChanged();
    void lastUserChanged();
    void themeChanged();
    void notificationsChanged();
    void lastChannelChanged();
    void recentEmojiChanged();

private:
    void store(const QString &key, const QVariant &value);
    mutable QSettings m_settings;
};

} // namespace rill::app
