#pragma once

#include <QIcon>

namespace rill::app {

// The app's icon, drawn rather than shipped: no image plugin needed, and the unread variant
// (a dot) for the tray comes for free.
[[nodiscard]] QIcon appIcon(bool unread = false);

} // namespace rill::app
