#include "SignalWatcher.h"

#include <QMetaObject>

#include <atomic>
#include <csignal>

#include <windows.h>

namespace rill::server {
namespace {

// The one watcher; the console handler runs on a thread Windows creates for it.
std::atomic<SignalWatcher *> g_watcher{nullptr};

BOOL WINAPI onConsoleEvent(DWORD event)
{
    SignalWatcher *watcher = g_watcher.load();
    if (!watcher)
        return FALSE;
    const int signal = (event == CTRL_C_EVENT || event == CTRL_BREAK_EVENT) ? SIGINT : SIGTERM;
    QMetaObject::invokeMethod(watcher, [watcher, signal] { Q_EMIT watcher->received(signal); }, Qt::QueuedConnection);
    return TRUE;
}

} // namespace

SignalWatcher::SignalWatcher(std::initializer_list<int> signals, QObject *parent)
    : QObject(parent)
{
    Q_UNUSED(signals); // Windows has console events, not signals: all of them mean "stop"
    g_watcher.store(this);
    ::SetConsoleCtrlHandler(onConsoleEvent, TRUE);
}

SignalWatcher::~SignalWatcher()
{
    ::SetConsoleCtrlHandler(onConsoleEvent, FALSE);
    g_watcher.store(nullptr);
}

} // namespace rill::server
