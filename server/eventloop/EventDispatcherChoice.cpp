#include "EventDispatcherChoice.h"

#ifdef RILL_HAVE_EPOLL
#include "EpollEventDispatcher.h"
#endif

#include <QCoreApplication>

#include <memory>

namespace rill::eventloop {

DispatcherKind installEventDispatcher(DispatcherKind whenUnset)
{
    const QByteArray chosen = qgetenv("RILL_EVENT_DISPATCHER").trimmed().toLower();
    DispatcherKind kind = whenUnset;
    if (chosen == "epoll")
        kind = DispatcherKind::Epoll;
    else if (chosen == "qt")
        kind = DispatcherKind::Qt;
    else if (!chosen.isEmpty())
        qWarning("RILL_EVENT_DISPATCHER=%s is neither \"epoll\" nor \"qt\"; ignored", chosen.constData());
    if (kind == DispatcherKind::Qt)
        return kind;
#ifndef RILL_HAVE_EPOLL
    return DispatcherKind::Qt;
#else
    auto dispatcher = std::make_unique<EpollEventDispatcher>();
    if (!dispatcher->isValid())
        return DispatcherKind::Qt;
    // The main thread owns it from here; QCoreApplication deletes it.
    QCoreApplication::setEventDispatcher(dispatcher.release());
    return DispatcherKind::Epoll;
#endif
}

} // namespace rill::eventloop
