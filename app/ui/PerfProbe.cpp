#include "PerfProbe.h"

#include "RillApp.h"
#include "stores/ChannelStore.h"
#include "stores/Workspace.h"

#include <QFile>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTimer>

#include <malloc.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cmath>

namespace rill::app {

using namespace Qt::StringLiterals;

namespace {
qint64 residentBytes()
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong() * 1024;
    }
    return -1;
}

double percentile(QList<double> sorted, double p)
{
    if (sorted.isEmpty())
        return 0;
    std::sort(sorted.begin(), sorted.end());
    const auto at = qsizetype(std::ceil(p * double(sorted.size()))) - 1;
    return sorted[std::clamp<qsizetype>(at, 0, sorted.size() - 1)];
}

QString ms(double value)
{
    return QString::number(value, 'f', 2);
}

// CPU time, not wall time: what a step cost the app whatever else the machine was doing.
qint64 cpuNanos(clockid_t clock)
{
    timespec now{};
    clock_gettime(clock, &now);
    return qint64(now.tv_sec) * 1000000000 + now.tv_nsec;
}
} // namespace

PerfProbe::PerfProbe(std::function<QQuickWindow *()> window, RillApp *app, std::function<void(const QString &)> report,
                     QObject *parent)
    : QObject(parent)
    , m_window(std::move(window))
    , m_app(app)
    , m_report(std::move(report))
{
    m_clock.start();
    watchFirstFrame();
}

QQuickItem *PerfProbe::currentList() const
{
    QQuickWindow *w = m_window();
    if (!w)
        return nullptr;
    QList<QQuickItem *> queue{w->contentItem()};
    while (!queue.isEmpty()) {
        QQuickItem *item = queue.takeFirst();
        if (!item->isVisible())
            continue;
        if (item->objectName() == "messageList"_L1)
            return item;
        queue.append(item->childItems());
    }
    return nullptr;
}

namespace {
// Whether a timeline has rows on screen (delegates made, not only a model with rows), and of
// which channel (its MessageView's store).
bool showsRows(QQuickItem *list)
{
    if (!list || list->property("count").toInt() == 0)
        return false;
    const auto *content = list->property("contentItem").value<QQuickItem *>();
    return content && !content->childItems().isEmpty();
}

QString channelOf(QQuickItem *list)
{
    QQuickItem *view = list ? list->parentItem() : nullptr;
    const QObject *store = view ? view->property("store").value<QObject *>() : nullptr;
    return store ? store->property("name").toString() : QString();
}
} // namespace

void PerfProbe::afterFrames(qint64 since, std::function<bool(const Frame &)> check)
{
    QQuickWindow *w = m_window();
    if (!w)
        return;
    struct State {
        QMetaObject::Connection swapped;
        QMetaObject::Connection synchronized;
        std::atomic<qint64> syncedAt{0};
        int frames = 0;
        bool done = false;
    };
    auto state = std::make_shared<State>();
    const qint64 processCpu = cpuNanos(CLOCK_PROCESS_CPUTIME_ID);
    const qint64 guiCpu = cpuNanos(CLOCK_THREAD_CPUTIME_ID);
    // The GUI thread's part of a frame (making items, polishing, synchronizing) ends here.
    state->synchronized = connect(
        w, &QQuickWindow::afterSynchronizing, this, [this, state] { state->syncedAt = m_clock.nsecsElapsed(); },
        Qt::DirectConnection);
    state->swapped = connect(
        w, &QQuickWindow::frameSwapped, this,
        [this, state, since, check, processCpu, guiCpu] {
            // On the render thread with a threaded render loop: take the time here, judge the
            // frame on the GUI thread (which had made it before the frame was rendered).
            const qint64 at = m_clock.nsecsElapsed();
            const qint64 synced = state->syncedAt;
            const qint64 processUsed = cpuNanos(CLOCK_PROCESS_CPUTIME_ID) - processCpu;
            QMetaObject::invokeMethod(
                this,
                [this, state, since, check, at, synced, processUsed, guiCpu] {
                    if (state->done)
                        return;
                    ++state->frames;
                    const Frame frame{double(at - since) / 1e6, double(synced - since) / 1e6, state->frames,
                                      double(processUsed) / 1e6, double(cpuNanos(CLOCK_THREAD_CPUTIME_ID) - guiCpu) / 1e6};
                    // A threaded render loop may swap a frame synchronized before `since`: it
                    // cannot show what changed since.
                    if (synced > since && check(frame)) {
                        state->done = true;
                        disconnect(state->swapped);
                        disconnect(state->synchronized);
                    } else if (QQuickWindow *window = m_window()) {
                        window->update();
                    }
                },
                Qt::QueuedConnection);
        },
        Qt::DirectConnection);
    w->update();
}

void PerfProbe::watchFirstFrame()
{
    afterFrames(0, [this](const Frame &frame) {
        if (!showsRows(currentList()))
            return false;
        m_report(u"perf shown "_s + ms(frame.swappedMs));
        return true;
    });
}

bool PerfProbe::handle(const QString &line)
{
    const QStringList words = line.split(u' ', Qt::SkipEmptyParts);
    if (words.value(0) != "perf"_L1)
        return false;
    const QString what = words.value(1);
    if (what == "switch"_L1 && words.size() == 3) {
        switchTo(words[2]);
    } else if (what == "load"_L1 && words.size() == 4) {
        load(words[2], words[3].toLongLong());
    } else if (what == "scroll"_L1 && words.size() == 4) {
        scroll(words[2].toInt(), words[3].toDouble());
    } else if (what == "memory"_L1) {
        qint64 messages = 0;
        qint64 textBytes = 0;
        const auto stores = m_app->workspace()->stores();
        for (const client::ChannelStore *store : stores) {
            messages += store->messages().size();
            for (const auto &m : store->messages())
                textBytes += m.text.size() * qint64(sizeof(QChar));
        }
        m_report(u"perf memory %1 %2 %3"_s.arg(residentBytes()).arg(messages).arg(textBytes));
    } else if (what == "trim"_L1) {
        malloc_trim(0);
        m_report(u"perf trimmed"_s);
    } else {
        m_report(u"error perf unknown: "_s + line);
    }
    return true;
}

void PerfProbe::switchTo(const QString &channel)
{
    client::Workspace *workspace = m_app->workspace();
    if (!workspace->channel(channel)) {
        m_report(u"error perf no channel "_s + channel);
        return;
    }
    const qint64 start = m_clock.nsecsElapsed();
    workspace->setCurrentName(channel);
    afterFrames(start, [this, channel](const Frame &frame) {
        QQuickItem *list = currentList();
        if (!showsRows(list) || channelOf(list) != channel)
            return false;
        m_report(u"perf switch %1 %2 %3 %4 %5 %6"_s.arg(channel, ms(frame.swappedMs))
                     .arg(frame.count)
                     .arg(ms(frame.synchronizedMs), ms(frame.processCpuMs), ms(frame.guiCpuMs)));
        return true;
    });
}

void PerfProbe::load(const QString &channel, qsizetype count)
{
    client::ChannelStore *store = m_app->workspace()->channel(channel);
    if (!store) {
        m_report(u"error perf no channel "_s + channel);
        return;
    }
    const qint64 start = m_clock.nsecsElapsed();
    auto connection = std::make_shared<QMetaObject::Connection>();
    const auto next = [this, store, channel, count, start, connection] {
        if (store->messages().size() >= count || store->isAtStart()) {
            disconnect(*connection);
            m_report(u"perf loaded %1 %2 %3"_s.arg(channel).arg(store->messages().size()).arg(ms(double(m_clock.nsecsElapsed() - start) / 1e6)));
            return;
        }
        if (!store->isLoadingOlder())
            store->requestOlder();
    };
    *connection = connect(store, &client::ChannelStore::loadingChanged, this, next, Qt::QueuedConnection);
    next();
}

void PerfProbe::scroll(int steps, double pixels)
{
    scrollStep(0, steps, pixels, {}, {});
}

void PerfProbe::scrollStep(int step, int steps, double pixels, QList<double> times, QList<double> cpu)
{
    QQuickItem *list = currentList();
    if (step == steps || !list) {
        m_report(u"perf scroll %1 %2 %3 %4 %5 %6 %7"_s.arg(times.size())
                     .arg(ms(percentile(times, 0.5)), ms(percentile(times, 0.9)), ms(percentile(times, 0.99)), ms(percentile(times, 1.0)),
                          ms(percentile(cpu, 0.5)), ms(percentile(cpu, 0.99))));
        return;
    }
    const qint64 start = m_clock.nsecsElapsed();
    const qreal top = list->property("originY").toReal();
    list->setProperty("contentY", std::max(top, list->property("contentY").toReal() - pixels));
    afterFrames(start, [this, step, steps, pixels, times, cpu](const Frame &frame) mutable {
        times.append(frame.swappedMs);
        cpu.append(frame.processCpuMs);
        // The next step after this frame, as a wheel would come.
        QTimer::singleShot(0, this, [this, step, steps, pixels, times, cpu] { scrollStep(step + 1, steps, pixels, times, cpu); });
        return true;
    });
}

} // namespace rill::app
