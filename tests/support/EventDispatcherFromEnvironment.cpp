// Compiled into every suite that links rill-test-support: before main() creates the
// application, RILL_EVENT_DISPATCHER=epoll puts the suite on the server's epoll dispatcher
// (CTest runs a few server suites so); unset, suites run on Qt's, as the desktop app does.
#include "eventloop/EventDispatcherChoice.h"

namespace {
[[maybe_unused]] const auto chosenDispatcher = rill::eventloop::installEventDispatcher(rill::eventloop::DispatcherKind::Qt);
} // namespace
