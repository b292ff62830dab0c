#include "RillApp.h"

#include "AppSettings.h"
#include "BundledServer.h"
#include "Icons.h"
#include "Notifier.h"
#include "Theme.h"
#include "models/ChannelListModel.h"
#include "protocol/Limits.h"
#include "session/ClientSession.h"
#include "stores/Workspace.h"

#include <QCoreApplication>
#include <QMenu>
#include <QSystemTrayIcon>
#include <QWindow>

namespace rill::app {

using namespace Qt::StringLiterals;

RillApp::RillApp(Profile profile, QObject *parent)
    : QObject(parent)
    , m_profile(std::move(profile))
    , m_session(new client::ClientSession(this))
    , m_workspace(new client::Workspace(m_session, this))
    , m_settings(new AppSettings(m_profile.settingsPath(), this))
    , m_theme(new Theme(this))
    , m_bundledServer(new BundledServer(m_profile.serverDataDir(), protocol::kDefaultPort, this))
    , m_notifier(new Notifier(this))
{
    m_theme->setMode(m_settings->theme());
    connect(m_settings, &AppSettings::themeChanged, this, [this] { m_theme->setMode(m_settings->theme()); });
    m_notifier->setEnabled(m_settings->notifications());
    connect(m_settings, &AppSettings::notificationsChanged, this,
            [this] { m_notifier->setEnabled(m_settings->notifications()); });

    // The token is the only credential kept; the password never is.
    connect(m_session, &client::ClientSession::tokenChanged, this, [this](const QString &token) {
        m_profile.writeToken(token);
        if (token.isEmpty())
            setSignedIn(false);
    });
    connect(m_session, &client::ClientSession::signedIn, this, [this] {
        m_settings->setLastUser(m_session->user());
        m_settings->setServer(m_session->server().toString());
        setSignedIn(true);
    });
    // Back where the user left off.
    m_workspace->setPreferredChannel(m_settings->lastChannel());
    connect(m_session, &client::ClientSession::statusChanged, this, [this] {
        if (m_session->status() == client::ClientSession::Status::SignedOut)
            setSignedIn(false);
    });
    connect(m_workspace, &client::Workspace::currentChanged, this,
            [this] { m_settings->setLastChannel(m_workspace->currentName()); });
    connect(m_workspace, &client::Workspace::attentionNeeded, m_notifier, &Notifier::notify);
    connect(m_notifier, &Notifier::activated, this, [this](const QString &channel) {
        showWindow();
        m_workspace->setCurrentName(channel);
    });
    connect(m_bundledServer, &BundledServer::started, this, [this](const QUrl &url) { m_settings->setServer(url.toString()); });
}

RillApp::~RillApp()
{
    // Leave without revoking anything: the token signs in again next time.
    m_session->disconnectFromServer();
}

QString RillApp::version() const
{
    return QCoreApplication::applicationVersion();
}

void RillApp::setSignedIn(bool on)
{
    if (on == m_signedIn)
        return;
    m_signedIn = on;
    Q_EMIT signedInChanged();
}

void RillApp::start(const QUrl &server)
{
    if (server.isValid())
        m_settings->setServer(server.toString());
    const QString token = m_profile.readToken();
    const QUrl url = AppSettings::serverUrl(m_settings->server());
    if (!token.isEmpty() && url.isValid()) {
        setSignedIn(true);
        m_session->resume(url, token);
    }
}

void RillApp::setWindow(QWindow *window)
{
    m_window = window;
    m_notifier->setWindow(window);
    connect(window, &QWindow::activeChanged, this, [this] {
        if (m_window)
            m_workspace->setWindowActive(m_window->isActive());
    });
    m_workspace->setWindowActive(window->isActive());
}

bool RillApp::useServer(const QString &typed)
{
    if (!AppSettings::serverUrl(typed).isValid()) {
        Q_EMIT connectProblem(tr("“%1” is not a server address. Try host:7117 or ws://host:7117.").arg(typed));
        return false;
    }
    m_settings->setServer(typed.trimmed());
    return true;
}

void RillApp::signIn(const QString &server, const QString &user, const QString &password)
{
    if (useServer(server))
        m_session->signIn(AppSettings::serverUrl(server), user.trimmed(), password);
}

void RillApp::createAccount(const QString &server, const QString &user, const QString &password)
{
    if (useServer(server))
        m_session->createAccount(AppSettings::serverUrl(server), user.trimmed(), password);
}

void RillApp::signOut()
{
    m_session->signOut();
}

void RillApp::startBundledServer()
{
    m_bundledServer->start();
}

void RillApp::showWindow()
{
    if (!m_window)
        return;
    m_window->show();
    m_window->raise();
    m_window->requestActivate();
}

void RillApp::enableTray()
{
    if (m_tray || !QSystemTrayIcon::isSystemTrayAvailable())
        return;
    m_tray = new QSystemTrayIcon(appIcon(false), this);
    m_trayMenu = std::make_unique<QMenu>();
    m_trayMenu->addAction(tr("Show Rill"), this, &RillApp::showWindow);
    m_trayMenu->addSeparator();
    m_trayMenu->addAction(tr("Quit"), qApp, &QCoreApplication::quit);
    m_tray->setContextMenu(m_trayMenu.get());
    connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger)
            showWindow();
    });
    connect(m_tray, &QSystemTrayIcon::messageClicked, this, &RillApp::showWindow);
    connect(m_workspace->channels(), &client::ChannelListModel::totalUnreadChanged, this, &RillApp::updateTray);
    m_notifier->setTray(m_tray);
    updateTray();
    m_tray->show();
}

void RillApp::updateTray()
{
    if (!m_tray)
        return;
    const int unread = m_workspace->channels()->totalUnread();
    m_tray->setIcon(appIcon(unread > 0));
    m_tray->setToolTip(unread > 0 ? tr("Rill: %n unread", nullptr, unread) : tr("Rill"));
}

} // namespace rill::app
