#include "RillApp.h"

#include "AppSettings.h"
#include "BundledServer.h"
#include "Icons.h"
#include "Notifier.h"
#include "SelfSignedCertificate.h"
#include "Theme.h"
#include "cache/LocalCache.h"
#include "models/ChannelListModel.h"
#include "protocol/Limits.h"
#include "session/ClientSession.h"
#include "stores/Workspace.h"

#include <QCoreApplication>
#include <QPointer>
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
    , m_cache(new client::LocalCache(m_profile.cachePath(), this))
    , m_tokens(new TokenStore(m_profile, this))
{
    m_theme->setMode(m_settings->theme());
    connect(m_settings, &AppSettings::themeChanged, this, [this] { m_theme->setMode(m_settings->theme()); });
    m_notifier->setEnabled(m_settings->notifications());
    connect(m_settings, &AppSettings::notificationsChanged, this,
            [this] { m_notifier->setEnabled(m_settings->notifications()); });

    // The token is the only credential kept; the password never is.
    connect(m_session, &client::ClientSession::tokenChanged, this, [this](const QString &token) {
        (void)m_tokens->setToken(m_session->server(), token);
        if (token.isEmpty()) {
            m_cache->clear(); // signed out: what the user read does not stay behind
            setSignedIn(false);
        }
    });
    connect(m_session, &client::ClientSession::pendingRevocationsChanged, this,
            [this] { (void)m_tokens->setRevocations(m_session->pendingRevocations()); });
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
    connect(m_bundledServer, &BundledServer::started, this, &RillApp::onBundledServerStarted);
    connect(&m_session->connection(), &client::ClientConnection::stateChanged, this, &RillApp::untrustedCertificateChanged);
    m_cache->follow(m_workspace);
}

RillApp::~RillApp()
{
    // What the cache has not written yet goes now; what happens to the stores after this is
    // the app closing, not the user's doing.
    m_cache->flush();
    m_cache->stopFollowing();
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

void RillApp::start(const QString &server)
{
    if (AppSettings::serverUrl(server).isValid()) {
        m_settings->setServer(server);
        m_settings->setRunsBundledServer(false);
    }
    if (m_settings->runsBundledServer()) {
        // Its own server first; onBundledServerStarted signs in with the token once it runs.
        m_bundledServer->setShared(m_settings->sharesBundledServer());
        m_bundledServer->start();
        return;
    }
    const QUrl url = prepareContact(m_settings->server());
    if (url.isValid())
        resumeWithSavedToken(url, true);
}

QCoro::Task<> RillApp::resumeWithSavedToken(QUrl url, bool restoreCache)
{
    const QPointer<RillApp> self(this);
    auto revocations = co_await m_tokens->revocations();
    if (!self)
        co_return;
    m_session->setPendingRevocations(std::move(revocations));
    const QString token = co_await m_tokens->token(url);
    // Stale once the user has signed in meanwhile (the connect screen does not wait for this).
    if (!self || token.isEmpty() || m_session->status() != client::ClientSession::Status::SignedOut)
        co_return;
    if (restoreCache) // the channels as they were, at once; the sign-in then catches them up
        m_cache->restore(m_workspace, url, m_settings->lastUser());
    setSignedIn(true);
    m_session->resume(url, token);
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
    // Signing in elsewhere: the next start need not run this profile's own server.
    m_settings->setRunsBundledServer(m_bundledServer->status() == BundledServer::Status::Running
                                     && AppSettings::serverUrl(typed) == m_bundledServer->localUrl());
    return true;
}

void RillApp::signIn(const QString &server, const QString &user, const QString &password)
{
    if (useServer(server))
        m_session->signIn(prepareContact(server), user.trimmed(), password);
}

void RillApp::createAccount(const QString &server, const QString &user, const QString &password)
{
    if (useServer(server))
        m_session->createAccount(prepareContact(server), user.trimmed(), password);
}

QUrl RillApp::prepareContact(const QString &address)
{
    const QUrl url = AppSettings::serverUrl(address);
    m_session->setTlsFallback(AppSettings::typedScheme(address) ? client::ClientConnection::TlsFallback::Never
                                                                : client::ClientConnection::TlsFallback::PlainWhenServerHasNoTls);
    m_session->connection().setTrustedCertificate(m_settings->trustedCertificate(url));
    return url;
}

QString RillApp::untrustedCertificate() const
{
    const client::ClientConnection &link = m_session->connection();
    if (link.state() != client::ClientConnection::State::Untrusted)
        return {};
    return displayFingerprint(link.rejectedCertificate());
}

QString RillApp::untrustedReason() const
{
    const client::ClientConnection &link = m_session->connection();
    return link.state() == client::ClientConnection::State::Untrusted ? link.rejectionReason() : QString();
}

void RillApp::trustCertificate()
{
    client::ClientConnection &link = m_session->connection();
    if (link.state() != client::ClientConnection::State::Untrusted)
        return;
    m_settings->setTrustedCertificate(link.url(), link.rejectedCertificate());
    link.trustRejectedCertificate();
}

void RillApp::rejectCertificate()
{
    if (m_session->connection().state() == client::ClientConnection::State::Untrusted)
        m_session->disconnectFromServer();
}

void RillApp::signOut()
{
    m_session->signOut();
}

void RillApp::startBundledServer(bool shared)
{
    m_settings->setRunsBundledServer(true);
    m_settings->setSharesBundledServer(shared);
    m_bundledServer->setShared(shared);
    m_bundledServer->start();
}

void RillApp::shareBundledServer(bool shared)
{
    m_settings->setSharesBundledServer(shared);
    m_bundledServer->restart(shared);
}

void RillApp::onBundledServerStarted(const QUrl &url)
{
    m_settings->setServer(url.toString());
    // This app made the certificate: it trusts it without asking.
    if (const QByteArray own = m_bundledServer->certificateDigest(); !own.isEmpty())
        m_settings->setTrustedCertificate(url, own);
    const QUrl contact = prepareContact(url.toString());
    // Restarted (shared or not) under this session: it follows with the token it holds.
    if (const QString token = m_session->token(); !token.isEmpty()) {
        setSignedIn(true);
        m_session->resume(contact, token);
        return;
    }
    // Started with the app: the token kept for it, if any; without one (a new server), the
    // connect screen signs up.
    resumeWithSavedToken(contact, false);
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
