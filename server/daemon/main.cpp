#include "config/Logging.h"
#include "eventloop/EventDispatcherChoice.h"
#include "platform/DescriptorLimit.h"
#include "platform/ServiceNotifier.h"
#include "platform/SignalWatcher.h"
#include "server/RillServer.h"

#include <QCoreApplication>
#include <QProcessEnvironment>

#include <csignal>
#include <cstdio>

namespace {

using rill::server::RillServer;
using rill::server::ServiceNotifier;

QCoro::Task<> serve(RillServer &server, const ServiceNotifier &serviceManager, int &exitCode)
{
    const bool started = co_await server.start();
    if (!started) {
        qCritical("rill-server: %s", qPrintable(server.errorString()));
        exitCode = 1;
        QCoreApplication::quit();
        co_return;
    }
    serviceManager.ready(QStringLiteral("Serving on port %1").arg(server.port()));
}

QCoro::Task<> shutDown(RillServer &server, const ServiceNotifier &serviceManager)
{
    serviceManager.stopping();
    co_await server.stop();
    QCoreApplication::quit();
}

} // namespace

int main(int argc, char *argv[])
{
    rill::server::raiseDescriptorLimit();
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
    rill::server::setUpLogging(*parsed.config, qEnvironmentVariable("JOURNAL_STREAM"));

    const ServiceNotifier serviceManager; // before anything starts a child process
    RillServer server(*parsed.config);
    int exitCode = 0;
    bool stopping = false;
    rill::server::SignalWatcher signalWatcher({SIGINT, SIGTERM});
    QObject::connect(&signalWatcher, &rill::server::SignalWatcher::received, &app, [&](int) {
        if (stopping)
            return;
        stopping = true;
        shutDown(server, serviceManager);
    });
    QObject::connect(&server, &RillServer::fatalError, &app, [&](const QString &reason) {
        qCritical("rill-server: %s", qPrintable(reason));
        exitCode = 1;
        if (!stopping) {
            stopping = true;
            shutDown(server, serviceManager);
        }
    });
    serve(server, serviceManager, exitCode);
    const int loopCode = app.exec();
    return exitCode ? exitCode : loopCode;
}
