#include "RillServer.h"
#include "daemon/UnixSignalWatcher.h"
#include "eventloop/EventDispatcherChoice.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QProcessEnvironment>

#include <csignal>
#include <cstdio>

#include <sys/resource.h>

namespace {

using rill::server::RillServer;

// Every connection is a descriptor; the soft limit (often 1024) would cap the server far below
// --max-connections, so take what the hard limit allows.
void raiseDescriptorLimit()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &limit) != 0)
            std::perror("rill-server: cannot raise the descriptor limit");
    }
}

QCoro::Task<> serve(RillServer &server, int &exitCode)
{
    const bool started = co_await server.start();
    if (!started) {
        qCritical("rill-server: %s", qPrintable(server.errorString()));
        exitCode = 1;
        QCoreApplication::quit();
    }
}

QCoro::Task<> shutDown(RillServer &server)
{
    co_await server.stop();
    QCoreApplication::quit();
}

} // namespace

int main(int argc, char *argv[])
{
    raiseDescriptorLimit();
    // Qt's dispatchers cost every turn in proportion to the sockets held (glib's bookkeeping
    // took a third of the server under load, the Unix one's poll(2) 12 %: bench/README.md);
    // epoll costs in proportion to the ready ones. RILL_EVENT_DISPATCHER=qt falls back to Qt's
    // Unix dispatcher (QT_NO_GLIB, unless the operator set that too).
    if (rill::eventloop::installEventDispatcher(rill::eventloop::DispatcherKind::Epoll)
            == rill::eventloop::DispatcherKind::Qt
        && !qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("rill-server"));
    QCoreApplication::setApplicationVersion(QStringLiteral(RILL_VERSION));

    const auto parsed = rill::server::parseServerConfig(QCoreApplication::arguments(),
                                                          QProcessEnvironment::systemEnvironment().toStringList());
    if (parsed.exitEarly) {
        std::fputs(qPrintable(parsed.message + QLatin1Char('\n')), stdout);
        return 0;
    }
    if (!parsed.config) {
        std::fprintf(stderr, "rill-server: %s\n(see rill-server --help)\n", qPrintable(parsed.message));
        return 2;
    }
    if (parsed.config->verbose)
        QLoggingCategory::setFilterRules(QStringLiteral("rill.*.debug=true"));

    RillServer server(*parsed.config);
    int exitCode = 0;
    bool stopping = false;
    rill::server::UnixSignalWatcher signalWatcher({SIGINT, SIGTERM});
    QObject::connect(&signalWatcher, &rill::server::UnixSignalWatcher::received, &app, [&](int) {
        if (stopping)
            return;
        stopping = true;
        shutDown(server);
    });
    QObject::connect(&server, &RillServer::fatalError, &app, [&](const QString &reason) {
        qCritical("rill-server: %s", qPrintable(reason));
        exitCode = 1;
        if (!stopping) {
            stopping = true;
            shutDown(server);
        }
    });
    serve(server, exitCode);
    const int loopCode = app.exec();
    return exitCode ? exitCode : loopCode;
}
