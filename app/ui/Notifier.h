#pragma once

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSystemTrayIcon>
#include <QWindow>

namespace rill::app {

// Desktop notifications: the freedesktop Notifications service over D-Bus where there is
// one (it has actions: clicking opens the channel), else the tray icon's balloon. Each also
// asks the window manager to flag the window (QWindow::alert).
class Notifier : public QObject
{
    Q_OBJECT

public:
    explicit Notifier(QObject *parent = nullptr);
    ~Notifier() override;

    void setWindow(QWindow *window) { m_window = window; }
    void setTray(QSystemTrayIcon *tray) { m_tray = tray; }
    void setEnabled(bool enabled) { m_enabled = enabled; }

    void notify(const QString &channel, const QString &title, const QString &body);

    // How the last notification was shown: "dbus", "tray" or "" (none): for tests and logs.
    [[nodiscard]] QString lastRoute() const { return m_lastRoute; }
    [[nodiscard]] int shownCount() const { return m_shown; }
    // A desktop notification service is on the session bus (learnt asynchronously).
    [[nodiscard]] bool hasNotificationService() const { return m_serviceUp; }

Q_SIGNALS:
    // The user clicked a notification: show this channel.
    void activated(const QString &channel);

private Q_SLOTS:
    void onActionInvoked(uint id, const QString &action);

private:
    [[nodiscard]] bool notifyOverDBus(const QString &channel, const QString &title, const QString &body);

    QPointer<QWindow> m_window;
    QPointer<QSystemTrayIcon> m_tray;
    QHash<uint, QString> m_channelOf; // notification id -> channel
    QString m_lastTrayChannel;
    QString m_lastRoute;
    int m_shown = 0;
    bool m_enabled = true;
    bool m_serviceUp = false;
};

} // namespace rill::app
