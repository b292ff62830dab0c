#pragma once

namespace rill::eventloop {

enum class DispatcherKind { Qt, Epoll };

// Chooses the main thread's event dispatcher from RILL_EVENT_DISPATCHER ("epoll" or "qt"),
// `whenUnset` otherwise, and installs the epoll one when that is the choice. Call it before
// the QCoreApplication exists. Returns what the loop will run on (Qt's, if epoll was chosen
// but the kernel refused its descriptors).
DispatcherKind installEventDispatcher(DispatcherKind whenUnset);

} // namespace rill::eventloop
