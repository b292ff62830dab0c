#include "eventloop/EpollEventDispatcher.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFutureWatcher>
#include <QHostInfo>
#include <QPointer>
#include <QProcess>
#include <QSignalSpy>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

#include <QCoro/QCoroTask>
#include <QCoro/QCoroTimer>

#include <memory>
#include <thread>

#include <sys/socket.h>
#include <unistd.h>

using namespace std::chrono_literals;
using rill::eventloop::EpollEventDispatcher;

namespace {

// Both ends of a connected Unix socket pair, closed on destruction.
struct SocketPair {
    int fds[2] = {-1, -1};
    SocketPair() { ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds); }
    ~SocketPair()
    {
        for (const int fd : fds) {
            if (fd >= 0)
                ::close(fd);
        }
    }
    SocketPair(const SocketPair &) = delete;
    SocketPair &operator=(const SocketPair &) = delete;
};

// Runs the loop until a number of turns have passed: enough for any ready descriptor or due
// zero-interval timer to have been seen, used for "must not happen" checks next to a positive one.
void spinTurns(int turns)
{
    for (int i = 0; i < turns; ++i)
        QCoreApplication::processEvents(QEventLoop::AllEvents);
}

class TimerRecorder : public QObject
{
public:
    std::vector<int> fired;

protected:
    void timerEvent(QTimerEvent *event) override { fired.push_back(event->timerId()); }
};

} // namespace

class TestEpollDispatcher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void runsOnTheEpollDispatcher()
    {
        QVERIFY(qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance()));
    }

    void timersOfEveryTypeFireAndNeverEarly_data()
    {
        QTest::addColumn<Qt::TimerType>("type");
        QTest::addColumn<int>("interval");
        QTest::newRow("precise 0 ms") << Qt::PreciseTimer << 0;
        QTest::newRow("precise 15 ms") << Qt::PreciseTimer << 15;
        QTest::newRow("coarse 10 ms") << Qt::CoarseTimer << 10;
        QTest::newRow("coarse 120 ms") << Qt::CoarseTimer << 120;
        QTest::newRow("very coarse 1 s") << Qt::VeryCoarseTimer << 1000;
    }
    void timersOfEveryTypeFireAndNeverEarly()
    {
        QFETCH(Qt::TimerType, type);
        QFETCH(int, interval);
        QTimer timer;
        timer.setTimerType(type);
        timer.setSingleShot(true);
        timer.setInterval(interval);
        QSignalSpy fired(&timer, &QTimer::timeout);
        QElapsedTimer clock;
        clock.start();
        timer.start();
        QVERIFY(fired.wait(10000));
        // A lower bound only (a loaded machine may be late, never early). Very coarse timers
        // round to whole seconds, as Qt's do, so they may fire up to half a second early.
        if (type != Qt::VeryCoarseTimer)
            QCOMPARE_GE(clock.elapsed(), qint64(interval));
        QCOMPARE(fired.size(), 1);
        QVERIFY(!timer.isActive());
    }

    void singleShotsFireInDeadlineOrder()
    {
        QList<int> order;
        for (const int ms : {40, 5, 25, 0, 15})
            QTimer::singleShot(ms, Qt::PreciseTimer, this, [&order, ms] { order.append(ms); });
        QTRY_COMPARE_WITH_TIMEOUT(order.size(), 5, 10000);
        QCOMPARE(order, (QList<int>{0, 5, 15, 25, 40}));
    }

    void repeatingTimerRepeatsAndStops()
    {
        TimerRecorder recorder;
        const int id = recorder.startTimer(5ms, Qt::PreciseTimer);
        QVERIFY(id > 0);
        const auto infos = QAbstractEventDispatcher::instance()->registeredTimers(&recorder);
        QCOMPARE(infos.size(), 1);
        QCOMPARE(infos.first().timerId, id);
        QCOMPARE(infos.first().interval, 5);
        QCOMPARE(infos.first().timerType, Qt::PreciseTimer);
        const int left = QAbstractEventDispatcher::instance()->remainingTime(id);
        QVERIFY(left >= 0 && left <= 5);
        QTRY_VERIFY_WITH_TIMEOUT(recorder.fired.size() >= 3, 10000);
        recorder.killTimer(id);
        QCOMPARE(QAbstractEventDispatcher::instance()->remainingTime(id), -1);
        QVERIFY(QAbstractEventDispatcher::instance()->registeredTimers(&recorder).isEmpty());
        const auto count = recorder.fired.size();
        bool later = false;
        QTimer::singleShot(30, this, [&later] { later = true; });
        QTRY_VERIFY(later);
        QCOMPARE(recorder.fired.size(), count);
    }

    void timerRestartedFromItsHandlerFiresAgain()
    {
        QTimer timer;
        timer.setSingleShot(true);
        int count = 0;
        connect(&timer, &QTimer::timeout, this, [&] {
            if (++count < 3)
                timer.start(1);
        });
        timer.start(1);
        QTRY_COMPARE(count, 3);
    }

    void destroyedObjectsTimersAreForgotten()
    {
        auto *recorder = new TimerRecorder;
        recorder->startTimer(1ms);
        recorder->startTimer(2ms);
        delete recorder; // unregisterTimers(); a firing would be a use after free (ASan)
        bool later = false;
        QTimer::singleShot(20, this, [&later] { later = true; });
        QTRY_VERIFY(later);
    }

    void zeroTimerDoesNotStarvePostedEventsOrSockets()
    {
        QTimer spinner;
        spinner.setInterval(0);
        int spins = 0;
        connect(&spinner, &QTimer::timeout, this, [&spins] { ++spins; });
        spinner.start();

        bool posted = false;
        QMetaObject::invokeMethod(this, [&posted] { posted = true; }, Qt::QueuedConnection);
        SocketPair pair;
        QSocketNotifier reader(pair.fds[0], QSocketNotifier::Read);
        bool readable = false;
        connect(&reader, &QSocketNotifier::activated, this, [&] {
            char c;
            while (::read(pair.fds[0], &c, 1) == 1) {
            }
            readable = true;
        });
        QCOMPARE(::write(pair.fds[1], "x", 1), 1);
        QTRY_VERIFY(posted && readable);
        QVERIFY(spins > 0);
    }

    void readAndWriteNotifiers()
    {
        SocketPair pair;
        QSocketNotifier writer(pair.fds[0], QSocketNotifier::Write);
        QSignalSpy writable(&writer, &QSocketNotifier::activated);
        QVERIFY(writable.wait(5000)); // an empty socket is writable
        writer.setEnabled(false);

        QSocketNotifier reader(pair.fds[1], QSocketNotifier::Read);
        QSignalSpy readable(&reader, &QSocketNotifier::activated);
        QCOMPARE(::write(pair.fds[0], "ping", 4), 4);
        QVERIFY(readable.wait(5000));
        char buf[8];
        QCOMPARE(::read(pair.fds[1], buf, sizeof buf), 4);

        // Disabled: not activated, though still writable (it may still be armed in epoll).
        writable.clear();
        spinTurns(20);
        QCOMPARE(writable.size(), 0);
        writer.setEnabled(true);
        QVERIFY(writable.wait(5000));
    }

    void disabledReadNotifierIsQuietUntilEnabled()
    {
        SocketPair pair;
        QSocketNotifier reader(pair.fds[1], QSocketNotifier::Read);
        QSignalSpy readable(&reader, &QSocketNotifier::activated);
        reader.setEnabled(false);
        QCOMPARE(::write(pair.fds[0], "x", 1), 1);
        spinTurns(20);
        QCOMPARE(readable.size(), 0);
        reader.setEnabled(true);
        QVERIFY(readable.wait(5000));
    }

    void readAndWriteNotifiersOnOneSocket()
    {
        SocketPair pair;
        QSocketNotifier reader(pair.fds[0], QSocketNotifier::Read);
        QSocketNotifier writer(pair.fds[0], QSocketNotifier::Write);
        QSignalSpy readable(&reader, &QSocketNotifier::activated);
        QSignalSpy writable(&writer, &QSocketNotifier::activated);
        QVERIFY(writable.wait(5000));
        writer.setEnabled(false);
        QCOMPARE(::write(pair.fds[1], "x", 1), 1);
        QVERIFY(readable.wait(5000));
        // Deleting the read notifier leaves the write one working.
        reader.setEnabled(false);
        writable.clear();
        writer.setEnabled(true);
        QVERIFY(writable.wait(5000));
    }

    void reusedDescriptorGetsItsOwnEvents()
    {
        int reusedFd = -1;
        {
            SocketPair first;
            auto notifier = std::make_unique<QSocketNotifier>(first.fds[0], QSocketNotifier::Read);
            QCOMPARE(::write(first.fds[1], "x", 1), 1);
            QSignalSpy readable(notifier.get(), &QSocketNotifier::activated);
            QVERIFY(readable.wait(5000));
            reusedFd = first.fds[0];
            notifier.reset();
        } // both descriptors closed
        SocketPair second; // the lowest free numbers: the ones just closed
        QCOMPARE(second.fds[0], reusedFd);
        QSocketNotifier notifier(second.fds[0], QSocketNotifier::Read);
        QSignalSpy readable(&notifier, &QSocketNotifier::activated);
        QCOMPARE(::write(second.fds[1], "y", 1), 1);
        QVERIFY(readable.wait(5000));
    }

    void notifierDeletedByAnotherHandlerInTheSameTurnIsNotActivated()
    {
        SocketPair a;
        SocketPair b;
        auto first = std::make_unique<QSocketNotifier>(a.fds[0], QSocketNotifier::Read);
        auto second = std::make_unique<QSocketNotifier>(b.fds[0], QSocketNotifier::Read);
        int activations = 0;
        // Whichever is activated first deletes the other; both are ready in the same turn.
        connect(first.get(), &QSocketNotifier::activated, this, [&] {
            ++activations;
            char c;
            (void)::read(a.fds[0], &c, 1);
            second.reset();
        });
        connect(second.get(), &QSocketNotifier::activated, this, [&] {
            ++activations;
            char c;
            (void)::read(b.fds[0], &c, 1);
            first.reset();
        });
        QCOMPARE(::write(a.fds[1], "x", 1), 1);
        QCOMPARE(::write(b.fds[1], "x", 1), 1);
        QTRY_COMPARE(activations, 1);
        spinTurns(5);
        QCOMPARE(activations, 1);
    }

    void postedEventsAndDeferredDeletes()
    {
        bool ran = false;
        QMetaObject::invokeMethod(this, [&ran] { ran = true; }, Qt::QueuedConnection);
        QPointer<QObject> doomed = new QObject;
        doomed->deleteLater();
        QTRY_VERIFY(ran);
        QTRY_VERIFY(doomed.isNull());
    }

    void wakeUpFromAnotherThreadEndsABlockingWait()
    {
        // No timer is due and no socket ready: the loop blocks until the other thread posts.
        QEventLoop loop;
        std::thread poster([&loop] {
            std::this_thread::sleep_for(20ms);
            QMetaObject::invokeMethod(&loop, [&loop] { loop.exit(7); }, Qt::QueuedConnection);
        });
        const int code = loop.exec();
        poster.join();
        QCOMPARE(code, 7);
    }

    void futureWatcherFromThePool()
    {
        QFutureWatcher<int> watcher;
        QSignalSpy finished(&watcher, &QFutureWatcherBase::finished);
        watcher.setFuture(QtConcurrent::run([] { return 6 * 7; }));
        QVERIFY(finished.wait(10000));
        QCOMPARE(watcher.result(), 42);
    }

    void process()
    {
        QProcess p;
        p.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), QStringLiteral("read line; echo \"got $line\"")});
        QVERIFY(p.waitForStarted(10000));
        p.write("hello\n");
        p.closeWriteChannel();
        QSignalSpy finished(&p, &QProcess::finished);
        QVERIFY(finished.wait(10000));
        QCOMPARE(p.readAllStandardOutput(), QByteArray("got hello\n"));
        QCOMPARE(p.exitCode(), 0);
    }

    void tcpRoundTrip()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost));
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, server.serverPort());
        QSignalSpy accepted(&server, &QTcpServer::newConnection);
        QVERIFY(accepted.wait(5000));
        std::unique_ptr<QTcpSocket> peer(server.nextPendingConnection());
        QVERIFY(peer);
        // Larger than the socket buffers: the writer's notifier must carry the rest.
        const QByteArray payload(8 * 1024 * 1024, 'r');
        peer->write(payload);
        QByteArray received;
        connect(&client, &QTcpSocket::readyRead, this, [&] { received += client.readAll(); });
        QTRY_COMPARE_WITH_TIMEOUT(received.size(), payload.size(), 30000);
        QVERIFY(received == payload);
        QTRY_COMPARE(peer->bytesToWrite(), qint64(0));
        peer->close();
        QTRY_COMPARE(client.state(), QAbstractSocket::UnconnectedState);
    }

    void hostLookup()
    {
        QHostInfo info;
        bool done = false;
        QHostInfo::lookupHost(QStringLiteral("localhost"), this, [&](const QHostInfo &result) {
            info = result;
            done = true;
        });
        QTRY_VERIFY_WITH_TIMEOUT(done, 10000);
        QCOMPARE(info.error(), QHostInfo::NoError);
    }

    void nestedLoopInsideATimerHandler()
    {
        // As QCoro::waitFor does: a handler runs a nested loop, which must serve other timers
        // and sockets but not re-enter the timer whose handler it is in.
        QTimer outer;
        outer.setInterval(1);
        int outerEntries = 0;
        int maxDepth = 0;
        int depth = 0;
        bool innerFired = false;
        bool socketSeen = false;
        SocketPair pair;
        QSocketNotifier reader(pair.fds[0], QSocketNotifier::Read);
        connect(&reader, &QSocketNotifier::activated, this, [&] {
            char c;
            while (::read(pair.fds[0], &c, 1) == 1) {
            }
            socketSeen = true;
        });
        connect(&outer, &QTimer::timeout, this, [&] {
            ++outerEntries;
            maxDepth = std::max(maxDepth, ++depth);
            if (outerEntries == 1) {
                QEventLoop nested;
                QTimer::singleShot(5, this, [&] { innerFired = true; });
                QTimer::singleShot(0, this, [&] { (void)::write(pair.fds[1], "x", 1); });
                QTimer::singleShot(30, &nested, &QEventLoop::quit);
                nested.exec();
            }
            --depth;
        });
        outer.start();
        QTRY_VERIFY(outerEntries >= 3);
        outer.stop();
        QVERIFY(innerFired);
        QVERIFY(socketSeen);
        QCOMPARE(maxDepth, 1);
    }

    void coroutineWaitForRunsNestedLoops()
    {
        auto task = []() -> QCoro::Task<int> {
            co_await QCoro::sleepFor(5ms);
            co_return 3;
        };
        QCOMPARE(QCoro::waitFor(task()), 3);
    }

    void quitEndsTheLoop()
    {
        QEventLoop loop;
        QTimer::singleShot(0, &loop, &QEventLoop::quit);
        QCOMPARE(loop.exec(), 0);
    }

    void awakeAndAboutToBlockAreEmitted()
    {
        auto *dispatcher = QAbstractEventDispatcher::instance();
        QSignalSpy awake(dispatcher, &QAbstractEventDispatcher::awake);
        QSignalSpy aboutToBlock(dispatcher, &QAbstractEventDispatcher::aboutToBlock);
        QEventLoop loop; // exec() waits for more events, so it may block
        QTimer::singleShot(10, &loop, &QEventLoop::quit);
        loop.exec();
        QVERIFY(awake.size() > 0);
        QVERIFY(aboutToBlock.size() > 0);
    }
};

int main(int argc, char *argv[])
{
    QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
    QCoreApplication app(argc, argv);
    TestEpollDispatcher test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_epolldispatcher.moc"
