#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>

#include <functional>

class QQuickItem;
class QQuickWindow;

namespace rill::app {

class RillApp;

// The test hook's `perf` commands, for bench/app: what a user waits for, timed inside the app
// up to the frame that shows it.
//
//   perf switch <channel>     the current channel becomes <channel>; reports the time to the
//                             first frame whose timeline shows its rows, how many frames
//                             that took, when the GUI thread's part of that frame ended, and
//                             the CPU time the process and its GUI thread spent meanwhile
//                             (a figure the rest of a busy machine does not inflate):
//                             "perf switch <channel> <ms> <frames> <ms to synchronized>
//                              <process CPU ms> <GUI thread CPU ms>"
//   perf load <channel> <n>   loads older pages of <channel> until it holds <n> messages or
//                             reaches the start: "perf loaded <channel> <messages> <ms>"
//   perf scroll <steps> <px>  scrolls the current timeline <px> up per step, each step when
//                             the last one is on screen: "perf scroll <steps> <p50> <p90> <p99>
//                             <max> <CPU p50> <CPU p99>" (ms from a step to the frame that
//                             shows it; the process's CPU ms for it)
//   perf memory               "perf memory <rss bytes> <messages held> <their text, bytes>"
//   perf trim                 returns the allocator's free memory to the system (glibc keeps
//                             it), so that RSS says what is held: "perf trimmed"
// And once, unasked: "perf shown <ms since the hook started>" at the first frame whose timeline
// shows rows (from the local cache, or from the server).
class PerfProbe : public QObject
{
    Q_OBJECT

public:
    PerfProbe(std::function<QQuickWindow *()> window, RillApp *app, std::function<void(const QString &)> report,
              QObject *parent = nullptr);

    // Handles "perf …" lines; false for anything else.
    bool handle(const QString &line);

private:
    // The timeline on screen: the visible ListView named "messageList".
    [[nodiscard]] QQuickItem *currentList() const;
    struct Frame {
        double swappedMs = 0;      // since the start: the frame is on screen
        double synchronizedMs = 0; // since the start: the GUI thread's part of it was done
        int count = 0;             // frames so far
        double processCpuMs = 0;   // CPU time of the whole process until the frame was on screen
        double guiCpuMs = 0;       // CPU time of the GUI thread until it saw the frame swapped
    };
    // Calls `check` after each frame until it returns true.
    void afterFrames(qint64 since, std::function<bool(const Frame &)> check);
    void switchTo(const QString &channel);
    void load(const QString &channel, qsizetype count);
    void scroll(int steps, double pixels);
    void scrollStep(int step, int steps, double pixels, QList<double> times, QList<double> cpu);
    void watchFirstFrame();

    std::function<QQuickWindow *()> m_window;
    RillApp *m_app;
    std::function<void(const QString &)> m_report;
    QElapsedTimer m_clock;
};

} // namespace rill::app
