#include "TestHook.h"

#include "AppSettings.h"
#include "PerfProbe.h"
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

#include <functional>

#include <unistd.h>

namespace rill::app {

using namespace Qt::StringLiterals;

namespace {
QString escaped(QString text)
{
    return text.replace(u'\\', u"\\\\"_s).replace(u'\n', u"\\n"_s);
}

// "a.b.c" of an object: the property c of the property b of the property a.
QVariant propertyPath(QObject *object, const QString &path)
{
    const QStringList parts = path.split(u'.');
    QVariant value;
    for (qsizetype i = 0; i < parts.size() && object; ++i) {
        value = object->property(parts[i].toUtf8().constData());
        object = i + 1 < parts.size() ? value.value<QObject *>() : nullptr;
    }
    return value;
}
} // namespace

TestHook::TestHook(QQmlApplicationEngine *engine, RillApp *app, QObject *parent)
    : QObject(parent)
    , m_engine(engine)
    , m_app(app)
    , m_perf(new PerfProbe([this] { return window(); }, app, [this](const QString &line) { emitLine(line); }, this))
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

namespace {

// Breadth first through the items under `root` (popups and delegates hang off the scene graph
// rather than the QObject tree), the first that `matches`.
QQuickItem *findItem(QQuickItem *root, const std::function<bool(QQuickItem *)> &matches)
{
    QList<QQuickItem *> queue{root};
    while (!queue.isEmpty()) {
        QQuickItem *item = queue.takeFirst();
        if (matches(item))
            return item;
        queue.append(item->childItems());
    }
    return nullptr;
}

} // namespace

QObject *TestHook::find(const QString &name) const
{
    QQuickWindow *w = window();
    if (!w)
        return nullptr;
    // "outer/inner": an object named inner inside the one named outer (two composers each
    // have a "composerInput").
    if (const qsizetype slash = name.indexOf(u'/'); slash > 0) {
        auto *outer = qobject_cast<QQuickItem *>(find(name.left(slash)));
        const QString inner = name.mid(slash + 1);
        if (!outer)
            return nullptr;
        if (QObject *found = outer->findChild<QObject *>(inner))
            return found;
        return findItem(outer, [&inner](QQuickItem *item) { return item->objectName() == inner; });
    }
    // "message:<id>": the visible row showing that message.
    if (name.startsWith(u"message:"_s)) {
        const QString id = name.mid(8);
        return findItem(w->contentItem(), [&id](QQuickItem *item) {
            return item->isVisible() && item->objectName() == u"messageRow"_s && item->property("messageId").toString() == id;
        });
    }
    if (w->objectName() == name)
        return w;
    if (QObject *found = w->findChild<QObject *>(name))
        return found;
    return findItem(w->contentItem(), [&name](QQuickItem *item) { return item->objectName() == name; });
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

void TestHook::click(QObject *object, Qt::MouseButton button)
{
    auto *item = qobject_cast<QQuickItem *>(object);
    QQuickWindow *w = window();
    if (!item || !w)
        return;
    activate(w);
    const QPointF scene = item->mapToScene(QPointF(item->width() / 2, item->height() / 2));
    QTest::mouseClick(w, button, Qt::NoModifier, scene.toPoint());
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

void TestHook::typeText(QQuickItem *target, const QString &text)
{
    QQuickWindow *w = window();
    if (!w)
        return;
    for (const QChar c : text) {
        // Another app's window mapped meanwhile (three apps share one Xvfb with no window
        // manager) takes the focus away mid-text: take it back before every key, or the rest
        // of the text goes nowhere and a cut message is sent.
        activate(w);
        if (target && !target->hasActiveFocus())
            target->forceActiveFocus(Qt::OtherFocusReason);
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

QString TestHook::visibleRows() const
{
    QObject *stack = find(u"timelineStack"_s);
    auto *view = stack ? stack->property("currentView").value<QObject *>() : nullptr;
    auto *list = view ? view->property("list").value<QQuickItem *>() : nullptr;
    QString line = u"rows "_s + m_app->workspace()->currentName();
    if (!list)
        return line;
    // What the next frame shows: a change the model made since the last frame is laid out
    // first (between the two, the rows of a confirmed send may be missing for a moment).
    list->ensurePolished();
    auto *content = list->property("contentItem").value<QQuickItem *>();
    QList<std::pair<qreal, QString>> rows;
    const QList<QQuickItem *> children = content ? content->childItems() : QList<QQuickItem *>{};
    for (QQuickItem *item : children) {
        const QVariant id = item->property("messageId");
        if (!id.isValid() || !item->isVisible())
            continue; // the footer, or a delegate waiting in the reuse pool
        // A delegate the view let go of but the model still holds is culled, not hidden: it
        // stays a visible child where its row was. Only the view's item for its index counts.
        QQuickItem *shownAtIndex = nullptr;
        QMetaObject::invokeMethod(list, "itemAtIndex", Q_RETURN_ARG(QQuickItem *, shownAtIndex),
                                  Q_ARG(int, item->property("index").toInt()));
        if (shownAtIndex != item)
            continue;
        const QRectF box = item->mapRectToItem(list, QRectF(0, 0, item->width(), item->height()));
        if (box.bottom() <= 0 || box.top() >= list->height() || box.height() <= 0)
            continue;
        const QString shown = id.toString().isEmpty() ? u"pending"_s : id.toString();
        rows.append({box.top(), item->property("channel").toString() + u'/' + shown});
    }
    std::sort(rows.begin(), rows.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    for (const auto &row : std::as_const(rows))
        line += u' ' + row.second;
    return line;
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
    if (m_perf->handle(line))
        return;
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
    if (command == u"rows"_s) {
        emitLine(visibleRows());
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
        emitLine(u"value "_s + arg1 + u' ' + arg2 + u' ' + escaped(propertyPath(target, arg2).toString()));
        return;
    } else if (command == u"rect"_s) {
        auto *item = qobject_cast<QQuickItem *>(target);
        if (!item)
            return fail(arg1 + u" is not an item"_s);
        const QRectF box = item->mapRectToScene(QRectF(0, 0, item->width(), item->height()));
        emitLine(u"rect %1 %2 %3 %4 %5 %6"_s.arg(arg1)
                     .arg(qRound(box.x()))
                     .arg(qRound(box.y()))
                     .arg(qRound(box.width()))
                     .arg(qRound(box.height()))
                     .arg(item->isVisible() ? u"true"_s : u"false"_s));
        return;
    } else if (command == u"wait"_s) {
        // Until a property shows a value (the UI caught up), at most 15 s.
        QPointer<QObject> guard(target);
        const bool reached = QTest::qWaitFor([&] { return guard && propertyPath(guard, arg2).toString() == rest2; }, 15000);
        if (!reached)
            return fail(arg1 + u'.' + arg2 + u" never became "_s + rest2);
    } else if (command == u"click"_s) {
        click(target, Qt::LeftButton);
    } else if (command == u"rclick"_s) {
        click(target, Qt::RightButton);
    } else if (command == u"type"_s || command == u"key"_s) {
        if (auto *item = qobject_cast<QQuickItem *>(target))
            item->forceActiveFocus(Qt::OtherFocusReason);
        if (command == u"type"_s)
            typeText(qobject_cast<QQuickItem *>(target), rest1);
        else
            sendKeys(rest1);
    } else {
        return fail(u"unknown command"_s);
    }
    emitLine(u"ok "_s + command);
}

} // namespace rill::app
