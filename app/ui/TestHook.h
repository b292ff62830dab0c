#pragma once

#include <QObject>
#include <QPointer>
#include <QSocketNotifier>
#include <QStringList>
#include <QTextStream>

class QQmlApplicationEngine;
class QQuickItem;
class QQuickWindow;

namespace rill::app {

class PerfProbe;
class RillApp;

// `rill --test-hook`: a line protocol on stdin/stdout for end-to-end tests and the screenshot
// script. Commands act on the real UI as a person would (find an item by objectName, click
// it, type into it, press keys); the app reports what happens (status, messages) as lines,
// so a test waits for a line instead of sleeping.
//
//   set <object> <property> <value…>   get <object> <property>    click|rclick <object>
//   type <object> <text…>              key <object> <sequence>    theme light|dark|system
//   wait <object> <property> <value>   settle                     screenshot <path>
//   resize <w> <h>                     rows                       rect <object>
//   quit
//   perf …                             timings and memory for bench/app (PerfProbe)
// A <property> may be a path ("contentItem.truncated"); an <object> may be "outer/inner" (inner
// inside outer) or "message:<id>" (the visible row of that message).
// Out: "ok <command>" / "error <command> <why>", "value <object> <property> <value>",
//      "status <Status>", "signedin <user>", "current <channel>", "settled",
//      "message <channel> <user> <text>" (newlines as \n),
//      "rows <current channel> <channel>/<id>…": the rows the current timeline shows, top to
//      bottom, each with the channel it belongs to (a pending send's id is "pending"),
//      "rect <object> <x> <y> <width> <height> <visible>" in window coordinates.
class TestHook : public QObject
{
    Q_OBJECT

public:
    TestHook(QQmlApplicationEngine *engine, RillApp *app, QObject *parent = nullptr);

private:
    void onReadable();
    void handle(const QString &line);
    void emitLine(const QString &line);
    [[nodiscard]] QObject *find(const QString &objectName) const;
    [[nodiscard]] QQuickWindow *window() const;
    void activate(QQuickWindow *window);
    void click(QObject *item, Qt::MouseButton button);
    void sendKeys(const QString &sequence);
    void typeText(QQuickItem *target, const QString &text);
    void settle();
    [[nodiscard]] QString visibleRows() const;

    QQmlApplicationEngine *m_engine;
    RillApp *m_app;
    PerfProbe *m_perf; // child
    QSocketNotifier m_stdin;
    QTextStream m_out;
    QByteArray m_buffer;
    QStringList m_queue;
    QString m_lastStatus;
    bool m_busy = false; // QTest input spins the event loop: commands must not nest
};

} // namespace rill::app
