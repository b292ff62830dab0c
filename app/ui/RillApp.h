#pragma once

#include "AppSettings.h"
#include "BundledServer.h"
#include "Profile.h"
#include "TokenStore.h"
#include "Theme.h"
#include "session/ClientSession.h"
#include "stores/Workspace.h"

#include <QObject>
#include <QPointer>
#include <QUrl>
#include <QtQmlIntegration>

#include <memory>

namespace rill::client {
class LocalCache;
}

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
    // The server presented a certificate the system does not trust: its SHA-256 fingerprint
    // (hex pairs joined by colons) for the person to compare, and why; empty otherwise.
    Q_PROPERTY(QString untrustedCertificate READ untrustedCertificate NOTIFY untrustedCertificateChanged)
    Q_PROPERTY(QString untrustedReason READ untrustedReason NOTIFY untrustedCertificateChanged)

public:
    RillApp(Profile profile, QObject *parent = nullptr);
    ~RillApp() override;

    // Signs in with the kept token, if there is one. `server` (from --server, as typed) wins
    // over the remembered address.
    void start(const QString &server = {});
    void setWindow(QWindow *window);
    // Shows a tray icon where the platform has a tray.
    void enableTray();

    Q_INVOKABLE void signIn(const QString &server, const QString &user, const QString &password);
    Q_INVOKABLE void createAccount(const QString &server, const QString &user, const QString &password);
    Q_INVOKABLE void signOut();
    // Starts the bundled server (shared on the network or not) and, once it runs, points the
    // connect screen at it; the profile remembers to start it again next time.
    Q_INVOKABLE void startBundledServer(bool shared);
    // Shares the running bundled server on the network, or takes it back to this computer:
    // it restarts, and this window follows it.
    Q_INVOKABLE void shareBundledServer(bool shared);
    // Brings the window to the front (tray click, notification click).
    Q_INVOKABLE void showWindow();
    // The answer to untrustedCertificate: trust that one certificate for this server from now
    // on (kept in the profile) and connect, or give up on this server.
    Q_INVOKABLE void trustCertificate();
    Q_INVOKABLE void rejectCertificate();

    [[nodiscard]] client::ClientSession *session() const { return m_session; }
    [[nodiscard]] client::Workspace *workspace() const { return m_workspace; }
    [[nodiscard]] AppSettings *settings() const { return m_settings; }
    [[nodiscard]] Theme *theme() const { return m_theme; }
    [[nodiscard]] BundledServer *bundledServer() const { return m_bundledServer; }
    [[nodiscard]] Notifier *notifier() const { return m_notifier; }
    [[nodiscard]] client::LocalCache *cache() const { return m_cache; }
    [[nodiscard]] QString profileName() const { return m_profile.name(); }
    [[nodiscard]] bool isSignedIn() const { return m_signedIn; }
    [[nodiscard]] QString version() const;
    [[nodiscard]] const Profile &profile() const { return m_profile; }
    [[nodiscard]] QString untrustedCertificate() const;
    [[nodiscard]] QString untrustedReason() const;

Q_SIGNALS:
    void signedInChanged();
    // Feedback for the connect screen (bad address, …).
    void connectProblem(const QString &text);
    void untrustedCertificateChanged();

private:
    void setSignedIn(bool on);
    void updateTray();
    [[nodiscard]] bool useServer(const QString &typed);
    // Readies the session's next first contact with the server at `address` (typed or kept).
    [[nodiscard]] QUrl prepareContact(const QString &address);
    void onBundledServerStarted(const QUrl &url);
    // Signs in with the token kept for `url`, if there is one (the token store may be async).
    QCoro::Task<> resumeWithSavedToken(QUrl url, bool restoreCache);

    Profile m_profile;
    client::ClientSession *m_session;        // children, in dependency order
    client::Workspace *m_workspace;
    AppSettings *m_settings;
    Theme *m_theme;
    BundledServer *m_bundledServer;
    Notifier *m_notifier;
    client::LocalCache *m_cache;
    TokenStore *m_tokens;
    std::unique_ptr<QMenu> m_trayMenu; // QMenu is a widget: no QObject parent to give it
    QSystemTrayIcon *m_tray = nullptr;
    QPointer<QWindow> m_window;
    bool m_signedIn = false;
};

} // namespace rill::app
