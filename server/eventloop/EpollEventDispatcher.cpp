#include "EpollEventDispatcher.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QThread>
#include <QTimerEvent>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <ctime>

#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace rill::eventloop {

namespace {

constexpr quint64 kWakeTag = ~quint64(0);
constexpr int kMaxEventsPerWait = 256;

// What readiness activates a notifier of each type (QSocketNotifier::Read, Write, Exception),
// as Qt's Unix dispatcher does with poll(2): hang-ups and errors wake every direction, so the
// socket finds out by reading or writing.
constexpr quint32 kActivatedBy[3] = {
    EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP,
    EPOLLOUT | EPOLLHUP | EPOLLERR,
    EPOLLPRI | EPOLLHUP | EPOLLERR,
};
constexpr quint32 kArmedFor[3] = {EPOLLIN | EPOLLRDHUP, EPOLLOUT, EPOLLPRI};

qint64 monotonicNs()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

constexpr qint64 kNsPerMs = 1'000'000;
constexpr qint64 kNsPerS = 1'000'000'000;

} // namespace

EpollEventDispatcher::EpollEventDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent)
    , m_epoll(epoll_create1(EPOLL_CLOEXEC))
    , m_wakeFd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK))
{
    if (m_epoll < 0 || m_wakeFd < 0) {
        qErrnoWarning("EpollEventDispatcher: cannot create its descriptors");
        return;
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kWakeTag;
    if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wakeFd, &ev) != 0)
        qErrnoWarning("EpollEventDispatcher: cannot watch its eventfd");
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    if (m_wakeFd >= 0)
        ::close(m_wakeFd);
    if (m_epoll >= 0)
        ::close(m_epoll);
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    m_interrupted.store(false, std::memory_order_relaxed);
    Q_EMIT awake();
    // Posts made from now on (by this thread, in the handlers below) must keep the next wait
    // from blocking; earlier ones are delivered here.
    m_localWake.store(false, std::memory_order_relaxed);
    QCoreApplication::sendPostedEvents();

    const bool includeTimers = !(flags & QEventLoop::X11ExcludeTimers);
    const bool includeNotifiers = !(flags & QEventLoop::ExcludeSocketNotifiers);
    bool mayBlock = (flags & QEventLoop::WaitForMoreEvents) && !m_interrupted.load(std::memory_order_relaxed)
        && !m_localWake.load(std::memory_order_relaxed);
    if (mayBlock) {
        Q_EMIT aboutToBlock();
        mayBlock = !m_localWake.load(std::memory_order_relaxed);
    }
    if (m_interrupted.load(std::memory_order_relaxed))
        return false;

    int timeoutMs = 0;
    if (mayBlock)
        timeoutMs = includeTimers ? waitTimeoutMs() : -1;
    int handled = waitForEvents(timeoutMs, includeNotifiers);
    if (includeNotifiers)
        handled += activateNotifiers();
    if (includeTimers)
        handled += activateTimers();
    return handled > 0;
}

int EpollEventDispatcher::waitForEvents(int timeoutMs, bool includeNotifiers)
{
    if (!includeNotifiers) {
        // Sockets stay armed in the epoll set; waiting on it would spin on them.
        pollfd wake{m_wakeFd, POLLIN, 0};
        int n = 0;
        do
            n = ::poll(&wake, 1, timeoutMs);
        while (n < 0 && errno == EINTR);
        if (n > 0) {
            drainWakeFd();
            return 1;
        }
        return 0;
    }

    armDirtyWatches();
    epoll_event events[kMaxEventsPerWait];
    int n = 0;
    do
        n = epoll_wait(m_epoll, events, kMaxEventsPerWait, timeoutMs);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        qErrnoWarning("EpollEventDispatcher: epoll_wait");
        return 0;
    }

    int woken = 0;
    for (int i = 0; i < n; ++i) {
        const epoll_event &e = events[i];
        if (e.data.u64 == kWakeTag) {
            drainWakeFd();
            ++woken;
            continue;
        }
        const int fd = int(e.data.u64);
        const auto it = m_watches.find(fd);
        if (it == m_watches.end())
            continue; // unregistered in this turn, before its event was read
        Watch &watch = it->second;
        bool wanted = false;
        for (int type = 0; type < 3; ++type) {
            if (watch.notifiers[type] && (e.events & kActivatedBy[type])) {
                m_pending.push_back(watch.notifiers[type]);
                wanted = true;
            }
        }
        // Readiness that no enabled notifier wants: disarm it now (lazily, see the class comment).
        if (!wanted || (watch.armed & ~wantedEvents(watch)))
            markDirty(fd, watch);
    }
    return woken;
}

int EpollEventDispatcher::activateNotifiers()
{
    int activated = 0;
    QEvent event(QEvent::SockAct);
    // A queue shared with nested loops (a handler may run one, as QCoro::waitFor does): they
    // take from its head too. Unregistering a notifier nulls its entries.
    while (m_pendingHead < m_pending.size()) {
        QSocketNotifier *notifier = std::exchange(m_pending[m_pendingHead++], nullptr);
        if (!notifier)
            continue;
        QCoreApplication::sendEvent(notifier, &event);
        ++activated;
    }
    m_pending.clear();
    m_pendingHead = 0;
    return activated;
}

quint32 EpollEventDispatcher::wantedEvents(const Watch &watch)
{
    quint32 events = 0;
    for (int type = 0; type < 3; ++type) {
        if (watch.notifiers[type])
            events |= kArmedFor[type];
    }
    return events;
}

void EpollEventDispatcher::markDirty(int fd, Watch &watch)
{
    if (!watch.dirty) {
        watch.dirty = true;
        m_dirtyFds.push_back(fd);
    }
}

void EpollEventDispatcher::armDirtyWatches()
{
    for (const int fd : m_dirtyFds) {
        const auto it = m_watches.find(fd);
        if (it == m_watches.end())
            continue;
        Watch &watch = it->second;
        watch.dirty = false;
        const quint32 wanted = wantedEvents(watch);
        if (wanted != watch.armed || !watch.inEpoll)
            setArmed(fd, watch, wanted);
    }
    m_dirtyFds.clear();
}

void EpollEventDispatcher::setArmed(int fd, Watch &watch, quint32 events)
{
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = quint64(fd);
    int rc = epoll_ctl(m_epoll, watch.inEpoll ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev);
    if (rc != 0 && watch.inEpoll && errno == ENOENT) // closed and reused behind our back
        rc = epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev);
    else if (rc != 0 && !watch.inEpoll && errno == EEXIST)
        rc = epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &ev);
    if (rc != 0) {
        qErrnoWarning("EpollEventDispatcher: cannot watch socket %d", fd);
        return;
    }
    watch.inEpoll = true;
    watch.armed = events;
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    const int type = int(notifier->type());
    if (fd < 0 || type < 0 || type > 2)
        return;
    Watch &watch = m_watches[fd];
    if (watch.notifiers[type] && watch.notifiers[type] != notifier)
        qWarning("EpollEventDispatcher: a second socket notifier of type %d for socket %d replaces the first", type, fd);
    watch.notifiers[type] = notifier;
    if (!(watch.armed & kArmedFor[type]) || !watch.inEpoll)
        markDirty(fd, watch);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    std::replace(m_pending.begin() + qsizetype(m_pendingHead), m_pending.end(), notifier,
                 static_cast<QSocketNotifier *>(nullptr));
    const int fd = int(notifier->socket());
    const int type = int(notifier->type());
    const auto it = m_watches.find(fd);
    if (it == m_watches.end() || type < 0 || type > 2 || it->second.notifiers[type] != notifier)
        return;
    Watch &watch = it->second;
    watch.notifiers[type] = nullptr;
    if (wantedEvents(watch) != 0)
        return; // still armed for this type until it reports readiness (see the class comment)
    // The descriptor may be closed next and its number reused: leave the epoll set now.
    if (watch.inEpoll)
        epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr); // fails harmlessly if already closed
    m_watches.erase(it);
}

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object)
{
    if (timerId < 1 || interval < 0 || !object) {
        qWarning("EpollEventDispatcher::registerTimer: invalid arguments");
        return;
    }
    Timer timer;
    timer.object = object;
    timer.type = timerType;
    timer.requestedInterval = interval;
    const qint64 now = monotonicNs();
    // As Qt's own timers do: coarse timers of 20 s or more, and very coarse ones, keep whole
    // seconds (one wake-up serves many); shorter coarse timers run as precise ones, which their
    // 5 % tolerance allows.
    if (timerType == Qt::VeryCoarseTimer || (timerType == Qt::CoarseTimer && interval >= 20000)) {
        timer.interval = (interval + 500) / 1000 * 1000;
        const qint64 roundedNow = (now + kNsPerS / 2) / kNsPerS * kNsPerS;
        unregisterTimer(timerId);
        schedule(timerId, m_timers[timerId] = timer, roundedNow + timer.interval * kNsPerMs);
        return;
    }
    timer.interval = interval;
    unregisterTimer(timerId);
    schedule(timerId, m_timers[timerId] = timer, now + interval * kNsPerMs);
}

void EpollEventDispatcher::schedule(int timerId, Timer &timer, qint64 deadline)
{
    timer.deadline = deadline;
    m_timerQueue.emplace(deadline, timerId);
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return false;
    auto [first, last] = m_timerQueue.equal_range(it->second.deadline);
    for (; first != last; ++first) {
        if (first->second == timerId) {
            m_timerQueue.erase(first);
            break;
        }
    }
    m_timers.erase(it);
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    std::vector<int> ids;
    for (const auto &[id, timer] : m_timers) {
        if (timer.object == object)
            ids.push_back(id);
    }
    for (const int id : ids)
        unregisterTimer(id);
    return !ids.empty();
}

QList<QAbstractEventDispatcher::TimerInfo> EpollEventDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> list;
    for (const auto &[id, timer] : m_timers) {
        if (timer.object == object)
            list.append(TimerInfo(id, int(timer.requestedInterval), timer.type));
    }
    return list;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return -1;
    const qint64 left = it->second.deadline - monotonicNs();
    return left <= 0 ? 0 : int((left + kNsPerMs - 1) / kNsPerMs);
}

int EpollEventDispatcher::waitTimeoutMs() const
{
    // The nearest deadline of a timer that may fire now: one whose event is being delivered
    // (a nested loop runs inside its handler) waits until the handler returns.
    for (const auto &[deadline, id] : m_timerQueue) {
        if (m_timers.at(id).firing)
            continue;
        const qint64 left = deadline - monotonicNs();
        if (left <= 0)
            return 0;
        // Rounded up: waking before the deadline would only cost another turn.
        return int(std::min<qint64>((left + kNsPerMs - 1) / kNsPerMs, INT_MAX));
    }
    return -1;
}

int EpollEventDispatcher::activateTimers()
{
    if (m_timerQueue.empty())
        return 0;
    const qint64 now = monotonicNs();
    // The timers due now, taken before any fires: one re-armed meanwhile (a zero-interval
    // timer, say) fires next turn, so sockets and posted events are never starved.
    std::vector<int> due;
    for (auto it = m_timerQueue.begin(); it != m_timerQueue.end() && it->first <= now; ++it)
        due.push_back(it->second);

    int fired = 0;
    for (const int id : due) {
        auto it = m_timers.find(id);
        if (it == m_timers.end() || it->second.firing || it->second.deadline > now)
            continue;
        Timer &timer = it->second;
        // Next deadline first (the handler may kill or restart the timer). Precise timers keep
        // their phase; one that fell behind skips the missed ticks instead of bursting.
        qint64 next = timer.deadline + timer.interval * kNsPerMs;
        if (next <= now)
            next = now + timer.interval * kNsPerMs;
        auto [first, last] = m_timerQueue.equal_range(timer.deadline);
        for (; first != last; ++first) {
            if (first->second == id) {
                m_timerQueue.erase(first);
                break;
            }
        }
        schedule(id, timer, next);
        timer.firing = true;
        QObject *object = timer.object;
        QTimerEvent event(id);
        QCoreApplication::sendEvent(object, &event);
        ++fired;
        // The handler may have unregistered the timer (and another may reuse its id; a fresh
        // one is not firing either way).
        it = m_timers.find(id);
        if (it != m_timers.end())
            it->second.firing = false;
    }
    return fired;
}

void EpollEventDispatcher::wakeUp()
{
    // Every postEvent() calls this. From our own thread a flag suffices: the loop checks it
    // before it waits. From another thread (the hashing pool, QtConcurrent) the eventfd wakes
    // the wait, written once until it is read.
    if (QThread::currentThread() == thread()) {
        m_localWake.store(true, std::memory_order_relaxed);
        return;
    }
    if (!m_wakeSignalled.exchange(true, std::memory_order_acq_rel))
        eventfd_write(m_wakeFd, 1);
}

void EpollEventDispatcher::interrupt()
{
    m_interrupted.store(true, std::memory_order_relaxed);
    wakeUp();
}

void EpollEventDispatcher::drainWakeFd()
{
    eventfd_t value = 0;
    eventfd_read(m_wakeFd, &value);
    m_wakeSignalled.store(false, std::memory_order_release);
}

} // namespace rill::eventloop
