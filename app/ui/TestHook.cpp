#include "TestHook.h"

#include "AppSettings.h"
#include "RillApp.h"
#include "session/ClientSession.h"
#include "stores/ChannelStore.h"
#include "stores/Workspace.h"

#include <QCoreApplication>
#include <QGuiApplication>
#include <QKeyEvent>
#include <QKeySequence>
#include <QMetaEnum>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTest>
#include <QPointer>
#include <QTimer>

#include <unistd.h>

namespace rill::app {

using namespace Qt::StringLiterals;

namespace {
QString escaped(QString text)
{
    return text.replace(u'\\', u"\\\\"_s).replace(u'\n', u"\\n"_s);
}
} // namespace

TestHook::TestHook(QQmlApplicationEngine *engine, RillApp *app, QObject *parent)
    : QObject(parent)
    , m_engine(engine)
    , m_app(app)
    , m_stdin(STDIN_FILENO, QSocketNotifier::Read)
    , m_out(stdout)
{
    connect(&m_stdin, &QSocketNotifier::activated, this, &TestHook::onReadable);
    client::ClientSession *session = app->session();
    connect(session, &client::ClientSession::statusChanged, this, [this, session] {
        // statusChanged also says "the next attempt moved"; report changes of status only.
        const QString line = u"status "_s + QString::fromLatin1(QMetaEnum::fromType<client::ClientSession::Status>().valueToKey(int(session->status())));
        if (line != m_lastStatus)
            emitLine(m_lastStatus = line);
    });
    connect(session, &client::ClientSession::signedIn, this, [this, session] { emitLine(u"signedin "_s + session->user()); });
    connect(app->workspace(), &client::Workspace::currentChanged, this,
            [this] { emitLine(u"current "_s + m_app->workspace()->currentName()); });
    connect(app->workspace(), &client::Workspace::messageAdded, this,
            [this](const QString &channel, const QString &, const QString &user, const QString &text) {
                emitLine(u"message "_s + channel + u' ' + user + u' ' + escaped(text));
            });
    emitLine(u"ready"_s);
}

void TestHook::emitLine(const QString &line)
{
    m_out << line << Qt::endl; // endl flushes: the test reads line by line
}

QQuickWindow *TestHook::window() const
{
    const auto roots = m_engine->rootObjects();
    return roots.isEmpty() ? nullptr : qobject_cast<QQuickWindow *>(roots.constFirst());
}

QObject *TestHook::find(const QString &objectName) const
{
    QQuickWindow *w = window();
    if (!w)
        return nullptr;
    if (w->objectName() == objectName)
        return w;
    if (QObject *found = w->findChild<QObject *>(objectName))
        return found;
    // Popups and delegates hang off the scene graph rather than the QObject tree.
    const QList<QQuickItem *> items = w->contentItem()->findChildren<QQuickItem *>();
    QList<QQuickItem *> queue{w->contentItem()};
    while (!queue.isEmpty()) {
        QQuickItem *item = queue.takeFirst();
        if (item->objectName() == objectName)
            return item;
        queue.append(item->childItems());
    }
    return nullptr;
}

void TestHook::onReadable()
{
    char chunk[4096];
    const ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
    if (n <= 0) {
        m_stdin.setEnabled(false); // the driver went away
        return;
    }
    m_buffer.append(chunk, n);
    qsizetype newline;
    while ((newline = m_buffer.indexOf('\n')) >= 0) {
        const QString line = QString::fromUtf8(m_buffer.left(newline)).trimmed();
        m_buffer.remove(0, newline + 1);
        if (!line.isEmpty())
            m_queue.append(line);
    }
    if (m_busy)
        return; // the command running now drains the queue when it is done
    m_busy = true;
    while (!m_queue.isEmpty())
        handle(m_queue.takeFirst());
    m_busy = false;
}

// Input goes through the window system interface, as a person's would (QTest's path), so
// shortcuts, focus and press/release handling are the real ones.
void TestHook::activate(QQuickWindow *w)
{
    // Shortcuts only fire in the focused window; with no window manager (Xvfb) nobody else
    // gives it focus.
    if (!w->isActive()) {
        w->requestActivate();
        if (!QTest::qWaitForWindowActive(w, 2000))
            emitLine(u"warning the window did not become active"_s);
    }
}

void TestHook::click(QObject *object)
{
    auto *item = qobject_cast<QQuickItem *>(object);
    QQuickWindow *w = window();
    if (!item || !w)
        return;
    activate(w);
    const QPointF scene = item->mapToScene(QPointF(item->width() / 2, item->height() / 2));
    QTest::mouseClick(w, Qt::LeftButton, Qt::NoModifier, scene.toPoint());
}

void TestHook::sendKeys(const QString &sequence)
{
    QQuickWindow *w = window();
    const QKeySequence keys = QKeySequence::fromString(sequence);
    if (!w || keys.isEmpty())
        return;
    activate(w);
    const QKeyCombination combo = keys[0];
    QTest::keyClick(w, combo.key(), combo.keyboardModifiers());
}

void TestHook::typeText(const QString &text)
{
    QQuickWindow *w = window();
    if (!w)
        return;
    activate(w);
    for (const QChar c : text) {
        if (c.unicode() < 0x80)
            QTest::keyClick(w, char(c.unicode()));
        else
            QTest::sendKeyEvent(QTest::Click, w, Qt::Key_unknown, QString(c), Qt::NoModifier);
    }
}

void TestHook::settle()
{
    // Settled: signed in, the current channel's first page is in, and a frame with it drawn.
    auto *check = new QTimer(this);
    check->setInterval(25);
    connect(check, &QTimer::timeout, this, [this, check] {
        client::ChannelStore *store = m_app->workspace()->current();
        const bool ready = m_app->session()->isOnline() && store && store->isLoaded() && !store->isLoadingOlder();
        if (!ready)
            return;
        check->deleteLater();
        QQuickWindow *w = window();
        if (!w) {
            emitLine(u"settled"_s);
            return;
        }
        auto connection = std::make_shared<QMetaObject::Connection>();
        *connection = connect(w, &QQuickWindow::afterRendering, this, [this, connection] {
            disconnect(*connection);
            QMetaObject::invokeMethod(this, [this] { emitLine(u"settled"_s); }, Qt::QueuedConnection);
        });
        w->update();
    });
    check->start();
}

void TestHook::handle(const QString &line)
{
    const QString command = line.section(u' ', 0, 0);
    const QString arg1 = line.section(u' ', 1, 1);
    const QString arg2 = line.section(u' ', 2, 2);
    const QString rest1 = line.section(u' ', 2);
    const QString rest2 = line.section(u' ', 3);
    auto fail = [&](const QString &why) { emitLine(u"error "_s + command + u' ' + why); };

    if (command == u"quit"_s) {
        emitLine(u"ok quit"_s);
        QCoreApplication::quit();
        return;
    }
    if (command == u"theme"_s) {
        m_app->settings()->setTheme(arg1);
        emitLine(u"ok theme"_s);
        return;
    }
    if (command == u"settle"_s) {
        settle();
        return;
    }
    if (command == u"screenshot"_s) {
        QQuickWindow *w = window();
        if (!w)
            return fail(u"no window"_s);
        const QImage image = w->grabWindow();
        if (image.isNull() || !image.save(line.section(u' ', 1)))
            return fail(u"cannot grab or save"_s);
        emitLine(u"ok screenshot"_s);
        return;
    }
    if (command == u"resize"_s) {
        if (QQuickWindow *w = window())
            w->resize(arg1.toInt(), arg2.toInt());
        emitLine(u"ok resize"_s);
        return;
    }

    QObject *target = find(arg1);
    if (!target)
        return fail(u"no object named "_s + arg1);
    if (command == u"set"_s) {
        if (!target->setProperty(arg2.toUtf8().constData(), rest2))
            return fail(u"cannot set "_s + arg2);
    } else if (command == u"get"_s) {
        emitLine(u"value "_s + arg1 + u' ' + arg2 + u' ' + escaped(target->property(arg2.toUtf8().constData()).toString()));
        return;
    } else if (command == u"wait"_s) {
        // Until a property shows a value (the UI caught up), at most 15 s.
        QPointer<QObject> guard(target);
        const QByteArray property = arg2.toUtf8();
        const bool reached = QTest::qWaitFor([&] { return guard && guard->property(property.constData()).toString() == rest2; }, 15000);
        if (!reached)
            return fail(arg1 + u'.' + arg2 + u" never became "_s + rest2);
    } else if (command == u"click"_s) {
        click(target);
    } else if (command == u"type"_s || command == u"key"_s) {
        if (auto *item = qobject_cast<QQuickItem *>(target))
            item->forceActiveFocus(Qt::OtherFocusReason);
        if (command == u"type"_s)
            typeText(rest1);
        else
            sendKeys(rest1);
    } else {
        return fail(u"unknown command"_s);
    }
    emitLine(u"ok "_s + command);
}

} // namespace rill::app
