#pragma once

#include <QIcon>

namespace rill::app {

// The app's icon (resources/icons, compiled in), for the window and the tray; `unread` adds a
// red dot for the tray.
[[nodiscard]] QIcon appIcon(bool unread = false);

} // namespace rill::app
