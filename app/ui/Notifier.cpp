#include "Notifier.h"

#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDBusServiceWatcher>
#include <QSystemTrayIcon>
#include <QWindow>

namespace rill::app {

using namespace Qt::StringLiterals;

namespace {
const QString kService = u"org.freedesktop.Notifications"_s;
const QString kPath = u"/org/freedesktop/Notifications"_s;

QString elide(const QString &text, int max = 240)
{
    return text.size() <= max ? text : text.left(max - 1) + u'…';
}
} // namespace

Notifier::Notifier(QObject *parent)
    : QObject(parent)
{
    // Whether a notification service runs is tracked, not asked per message: asking is a
    // blocking D-Bus round trip, and the GUI thread never waits on another process.
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected())
        return;
    auto *watcher = new QDBusServiceWatcher(kService, bus, QDBusServiceWatcher::WatchForOwnerChange, this);
    connect(watcher, &QDBusServiceWatcher::serviceOwnerChanged, this,
            [this](const QString &, const QString &, const QString &newOwner) { m_serviceUp = !newOwner.isEmpty(); });
    QDBusMessage ask = QDBusMessage::createMethodCall(u"org.freedesktop.DBus"_s, u"/org/freedesktop/DBus"_s,
                                                      u"org.freedesktop.DBus"_s, u"NameHasOwner"_s);
    ask << kService;
    auto *answer = new QDBusPendingCallWatcher(bus.asyncCall(ask), this);
    connect(answer, &QDBusPendingCallWatcher::finished, this, [this, answer] {
        const QDBusPendingReply<bool> reply = *answer;
        if (reply.isValid())
            m_serviceUp = m_serviceUp || reply.value();
        answer->deleteLater();
    });
    bus.connect(kService, kPath, kService, u"ActionInvoked"_s, this, SLOT(onActionInvoked(uint, QString)));
}

Notifier::~Notifier() = default;

void Notifier::notify(const QString &channel, const QString &title, const QString &body)
{
    if (!m_enabled)
        return;
    if (m_window)
        m_window->alert(0); // until the user looks
    if (notifyOverDBus(channel, title, body)) {
        m_lastRoute = u"dbus"_s;
    } else if (m_tray && m_tray->isVisible()) {
        m_lastTrayChannel = channel;
        m_tray->showMessage(title, elide(body), QSystemTrayIcon::Information, 8000);
        m_lastRoute = u"tray"_s;
    } else {
        m_lastRoute.clear();
        return;
    }
    ++m_shown;
}

bool Notifier::notifyOverDBus(const QString &channel, const QString &title, const QString &body)
{
    if (!m_serviceUp)
        return false;
    QDBusConnection bus = QDBusConnection::sessionBus();
    QDBusMessage call = QDBusMessage::createMethodCall(kService, kPath, kService, u"Notify"_s);
    call << u"Rill"_s << uint(0) << u"rill"_s << title << elide(body).toHtmlEscaped()
         << QStringList{u"default"_s, tr("Open")} << QVariantMap{{u"category"_s, u"im.received"_s}} << int(-1);
    auto *watcher = new QDBusPendingCallWatcher(bus.asyncCall(call), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this, watcher, channel] {
        const QDBusPendingReply<uint> reply = *watcher;
        if (reply.isValid())
            m_channelOf.insert(reply.value(), channel);
        watcher->deleteLater();
    });
    return true;
}

void Notifier::onActionInvoked(uint id, const QString &action)
{
    Q_UNUSED(action);
    const QString channel = m_channelOf.take(id);
    if (channel.isEmpty())
        return;
    if (m_window) {
        m_window->show();
        m_window->raise();
        m_window->requestActivate();
    }
    Q_EMIT activated(channel);
}

} // namespace rill::app
