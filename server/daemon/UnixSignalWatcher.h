#pragma once

#include <QObject>
#include <QSocketNotifier>

#include <initializer_list>
#include <memory>

namespace rill::server {

// Turns SIGINT/SIGTERM into a Qt signal. A signal handler may only do async-signal-safe
// things, so it writes the signal number into a socketpair and the event loop reads it
// (the self-pipe pattern from Qt's "Calling Qt Functions From Unix Signal Handlers").
class UnixSignalWatcher : public QObject
{
    Q_OBJECT

public:
    explicit UnixSignalWatcher(std::initializer_list<int> signals, QObject *parent = nullptr);
    ~UnixSignalWatcher() override;

Q_SIGNALS:
    void received(int signal);

private:
    void readSignal();

    std::unique_ptr<QSocketNotifier> m_notifier;
};

} // namespace rill::server
