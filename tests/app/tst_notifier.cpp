// Desktop notifications over D-Bus: a private dbus-daemon and a stand-in for the desktop's
// notification service (what a GNOME or KDE session provides), so the app's side of the
// freedesktop protocol is checked for real.
#include "ui/Notifier.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

using namespace rill::app;
using namespace Qt::StringLiterals;

class NotificationService : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")

public:
    struct Shown {
        QString summary;
        QString body;
        QStringList actions;
    };
    QList<Shown> shown;

public Q_SLOTS:
    Q_SCRIPTABLE uint Notify(const QString &app, uint replaces, const QString &icon, const QString &summary, const QString &body,
                             const QStringList &actions, const QVariantMap &hints, int timeout)
    {
        Q_UNUSED(app);
        Q_UNUSED(replaces);
        Q_UNUSED(icon);
        Q_UNUSED(hints);
        Q_UNUSED(timeout);
        shown.append({summary, body, actions});
        return uint(shown.size() + 41);
    }
};

class TestNotifier : public QObject
{
    Q_OBJECT

    QProcess m_bus;
    NotificationService m_service;
    QString m_address;

private Q_SLOTS:
    void initTestCase()
    {
        m_bus.start(u"dbus-daemon"_s, {u"--session"_s, u"--nofork"_s, u"--print-address=1"_s});
        QVERIFY2(m_bus.waitForStarted(5000), "dbus-daemon is needed (package dbus)");
        QTRY_VERIFY(m_bus.canReadLine());
        m_address = QString::fromUtf8(m_bus.readLine()).trimmed();
        // Before anything touches the session bus: the app under test uses this one.
        qputenv("DBUS_SESSION_BUS_ADDRESS", m_address.toUtf8());
        QDBusConnection desktop = QDBusConnection::connectToBus(m_address, u"desktop"_s);
        QVERIFY(desktop.isConnected());
        QVERIFY(desktop.registerObject(u"/org/freedesktop/Notifications"_s, &m_service, QDBusConnection::ExportScriptableSlots));
        QVERIFY(desktop.registerService(u"org.freedesktop.Notifications"_s));
    }

    void cleanupTestCase()
    {
        QDBusConnection::disconnectFromBus(u"desktop"_s);
        m_bus.terminate();
        m_bus.waitForFinished(3000);
    }

    void init() { m_service.shown.clear(); }

    void showsAndOpensTheChannel()
    {
        Notifier notifier;
        QTRY_VERIFY(notifier.hasNotificationService());
        notifier.notify(u"dm:alice:bob"_s, u"bob"_s, u"psst <b>look</b>"_s);
        QCOMPARE(notifier.lastRoute(), u"dbus"_s);
        QTRY_COMPARE(m_service.shown.size(), 1);
        QCOMPARE(m_service.shown[0].summary, u"bob"_s);
        QCOMPARE(m_service.shown[0].body, u"psst &lt;b&gt;look&lt;/b&gt;"_s); // the body is markup to the server
        QVERIFY(m_service.shown[0].actions.contains(u"default"_s));

        // The user clicks it: the notification service says so, the app opens the channel.
        QSignalSpy activated(&notifier, &Notifier::activated);
        QDBusMessage clicked = QDBusMessage::createSignal(u"/org/freedesktop/Notifications"_s,
                                                          u"org.freedesktop.Notifications"_s, u"ActionInvoked"_s);
        clicked << uint(42) << u"default"_s;
        // The notifier learns the notification's id from Notify's reply; a click before that is
        // not one of ours and is ignored, so click until it lands. Later clicks must change nothing.
        QDBusConnection desktop(u"desktop"_s);
        for (int attempt = 0; activated.isEmpty() && attempt < 50; ++attempt) {
            QVERIFY(desktop.send(clicked));
            activated.wait(100);
        }
        QCOMPARE(activated.size(), 1);
        QVERIFY(desktop.send(clicked));
        QVERIFY(!activated.wait(300));
        QCOMPARE(activated.size(), 1);
        QCOMPARE(activated.constFirst().constFirst().toString(), u"dm:alice:bob"_s);
    }

    void disabledShowsNothing()
    {
        Notifier notifier;
        QTRY_VERIFY(notifier.hasNotificationService());
        notifier.setEnabled(false);
        notifier.notify(u"general"_s, u"bob in #general"_s, u"@alice hi"_s);
        notifier.setEnabled(true);
        notifier.notify(u"general"_s, u"bob in #general"_s, u"@alice again"_s);
        QTRY_COMPARE(m_service.shown.size(), 1);
        QCOMPARE(m_service.shown[0].body, u"@alice again"_s);
        QCOMPARE(notifier.shownCount(), 1);
    }

    // The desktop's service goes away (session ends, daemon restarts): nothing is sent into the
    // void, and it is used again once it is back.
    void followsTheServiceComingAndGoing()
    {
        Notifier notifier;
        QTRY_VERIFY(notifier.hasNotificationService());
        QDBusConnection desktop(u"desktop"_s);
        QVERIFY(desktop.unregisterService(u"org.freedesktop.Notifications"_s));
        QTRY_VERIFY(!notifier.hasNotificationService());
        notifier.notify(u"general"_s, u"bob in #general"_s, u"@alice nobody hears this"_s);
        QCOMPARE(notifier.lastRoute(), QString());
        QCOMPARE(notifier.shownCount(), 0);

        QVERIFY(desktop.registerService(u"org.freedesktop.Notifications"_s));
        QTRY_VERIFY(notifier.hasNotificationService());
        notifier.notify(u"general"_s, u"bob in #general"_s, u"@alice back"_s);
        QCOMPARE(notifier.lastRoute(), u"dbus"_s);
        QTRY_COMPARE(m_service.shown.size(), 1);
        QCOMPARE(m_service.shown[0].body, u"@alice back"_s);
    }
};

QTEST_GUILESS_MAIN(TestNotifier)
#include "tst_notifier.moc"
