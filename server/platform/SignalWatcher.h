#pragma once

#include <QObject>
#include <QSocketNotifier>

#include <initializer_list>
#include <memory>

namespace rill::server {

// Turns SIGINT/SIGTERM into a Qt signal, on the thread that created it.
// POSIX: a signal handler may only do async-signal-safe things, so it writes the signal number
// into a socketpair and the event loop reads it (the self-pipe pattern from Qt's "Calling Qt
// Functions From Unix Signal Handlers").
// Windows: console control events (Ctrl+C, Ctrl+Break: SIGINT; closing the console, log-off,
// shutdown: SIGTERM) arrive on a thread of their own and are queued to the watcher's thread.
class SignalWatcher : public QObject
{
    Q_OBJECT

public:
    explicit SignalWatcher(std::initializer_list<int> signals, QObject *parent = nullptr);
    ~SignalWatcher() override;

Q_SIGNALS:
    void received(int signal);

private:
#ifdef Q_OS_UNIX
    void readSignal();

    std::unique_ptr<QSocketNotifier> m_notifier;
#endif
};

} // namespace rill::server
