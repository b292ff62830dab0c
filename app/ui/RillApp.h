#pragma once

#include "AppSettings.h"
#include "BundledServer.h"
#include "Profile.h"
#include "Theme.h"
#include "session/ClientSession.h"
#include "stores/Workspace.h"

#include <QObject>
#include <QPointer>
#include <QUrl>
#include <QtQmlIntegration>

#include <memory>

class QSystemTrayIcon;
class QMenu;
class QWindow;

namespace rill::app {

class Notifier;

// The composition root the views see: one profile's session, workspace, settings, theme,
// notifications, tray icon and bundled server, and the few actions of the connect screen.
class RillApp : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Created by main()")
    Q_PROPERTY(rill::client::ClientSession *session READ session CONSTANT)
    Q_PROPERTY(rill::client::Workspace *workspace READ workspace CONSTANT)
    Q_PROPERTY(rill::app::AppSettings *settings READ settings CONSTANT)
    Q_PROPERTY(rill::app::Theme *theme READ theme CONSTANT)
    Q_PROPERTY(rill::app::BundledServer *bundledServer READ bundledServer CONSTANT)
    Q_PROPERTY(QString profileName READ profileName CONSTANT)
    // Signed in (or signing in again with a kept token): the chat is shown, not the connect screen.
    Q_PROPERTY(bool signedIn READ isSignedIn NOTIFY signedInChanged)
    Q_PROPERTY(QString version READ version CONSTANT)

public:
    RillApp(Profile profile, QObject *parent = nullptr);
    ~RillApp() override;

    // Signs in with the kept token, if there is one. `server` (from --server) wins over the
    // remembered address.
    void start(const QUrl &server);
    void setWindow(QWindow *window);
    // Shows a tray icon where the platform has a tray.
    void enableTray();

    Q_INVOKABLE void signIn(const QString &server, const QString &user, const QString &password);
    Q_INVOKABLE void createAccount(const QString &server, const QString &user, const QString &password);
    Q_INVOKABLE void signOut();
    // Starts the bundled server and, once it runs, points the connect screen at it.
    Q_INVOKABLE void startBundledServer();
    // Brings the window to the front (tray click, notification click).
    Q_INVOKABLE void showWindow();

    [[nodiscard]] client::ClientSession *session() const { return m_session; }
    [[nodiscard]] client::Workspace *workspace() const { return m_workspace; }
    [[nodiscard]] AppSettings *settings() const { return m_settings; }
    [[nodiscard]] Theme *theme() const { return m_theme; }
    [[nodiscard]] BundledServer *bundledServer() const { return m_bundledServer; }
    [[nodiscard]] Notifier *notifier() const { return m_notifier; }
    [[nodiscard]] QString profileName() const { return m_profile.name(); }
    [[nodiscard]] bool isSignedIn() const { return m_signedIn; }
    [[nodiscard]] QString version() const;
    [[nodiscard]] const Profile &profile() const { return m_profile; }

Q_SIGNALS:
    void signedInChanged();
    // Feedback for the connect screen (bad address, …).
    void connectProblem(const QString &text);

private:
    void setSignedIn(bool on);
    void updateTray();
    [[nodiscard]] bool useServer(const QString &typed);

    Profile m_profile;
    client::ClientSession *m_session;        // children, in dependency order
    client::Workspace *m_workspace;
    AppSettings *m_settings;
    Theme *m_theme;
    BundledServer *m_bundledServer;
    Notifier *m_notifier;
    std::unique_ptr<QMenu> m_trayMenu; // QMenu is a widget: no QObject parent to give it
    QSystemTrayIcon *m_tray = nullptr;
    QPointer<QWindow> m_window;
    bool m_signedIn = false;
};

} // namespace rill::app
