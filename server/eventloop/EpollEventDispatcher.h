#pragma once

#include <QAbstractEventDispatcher>

#include <atomic>
#include <map>
#include <unordered_map>
#include <vector>

namespace rill::eventloop {

// A Linux event dispatcher for the server process: epoll for socket notifiers, an eventfd for
// wake-ups from other threads, and an ordered timer queue whose nearest deadline is the wait's
// timeout.
//
// Qt's Unix dispatcher hands every registered notifier to poll(2) on every turn, so each turn
// costs in proportion to the connections held, idle or not (11.6 % of the server under load,
// issue 12). Here a turn costs in proportion to the sockets that are ready.
//
// Notifiers are armed lazily: enabling one that is still armed costs nothing, and disabling
// one leaves it armed until it next reports readiness nobody wants (QAbstractSocket toggles its
// write notifier around every flush). A socket whose last notifier goes away leaves the epoll
// set at once, so a reused descriptor never inherits a stale registration.
//
// Not for the GUI app: it has no native event filter (no X11/Wayland events to route).
class EpollEventDispatcher final : public QAbstractEventDispatcher
{
    Q_OBJECT

public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    // False when the kernel refused an epoll or eventfd descriptor (then use Qt's dispatcher).
    [[nodiscard]] bool isValid() const { return m_epoll >= 0 && m_wakeFd >= 0; }

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    using QAbstractEventDispatcher::registerTimer;
    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    [[nodiscard]] QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    void wakeUp() override;
    void interrupt() override;

private:
    // The notifiers of one descriptor (at most one per QSocketNotifier::Type) and the events
    // the epoll set has for it.
    struct Watch {
        QSocketNotifier *notifiers[3] = {};
        quint32 armed = 0;
        bool inEpoll = false;
        bool dirty = false;
    };
    struct Timer {
        QObject *object = nullptr;
        qint64 interval = 0; // ms; for very coarse timers, whole seconds in ms
        qint64 deadline = 0; // ns, CLOCK_MONOTONIC
        Qt::TimerType type = Qt::CoarseTimer;
        qint64 requestedInterval = 0;
        bool firing = false; // its event is being delivered: not again from a nested loop
    };

    [[nodiscard]] static quint32 wantedEvents(const Watch &watch);
    void markDirty(int fd, Watch &watch);
    void armDirtyWatches();
    void setArmed(int fd, Watch &watch, quint32 events);
    [[nodiscard]] int waitTimeoutMs() const;
    int waitForEvents(int timeoutMs, bool includeNotifiers);
    int activateNotifiers();
    int activateTimers();
    void schedule(int timerId, Timer &timer, qint64 deadline);
    void drainWakeFd();

    int m_epoll = -1;
    int m_wakeFd = -1;
    std::unordered_map<int, Watch> m_watches;
    std::vector<int> m_dirtyFds;
    std::vector<QSocketNotifier *> m_pending; // activations due; unregistering nulls them
    std::size_t m_pendingHead = 0;
    std::unordered_map<int, Timer> m_timers;
    std::multimap<qint64, int> m_timerQueue; // deadline -> timer id
    std::atomic<bool> m_wakeSignalled{false}; // the eventfd holds a wake-up not yet read
    std::atomic<bool> m_localWake{false};     // this thread posted an event during the turn
    std::atomic<bool> m_interrupted{false};
};

} // namespace rill::eventloop
