#pragma once

#include <QDateTime>
#include <QString>

namespace rill::client {

// How a chat shows time: relative to now, in the local time zone.
namespace TimeFormat {
// "today 14:02", "yesterday 09:15", "Monday 18:30" (this week), "3 March 14:02", "3 March 2023 14:02".
[[nodiscard]] QString relative(const QDateTime &when, const QDateTime &now);
// The day separator's label: "Today", "Yesterday", "Monday", "Tuesday 3 March", "3 March 2023".
[[nodiscard]] QString day(const QDate &day, const QDate &today);
// "14:02"
[[nodiscard]] QString clock(const QDateTime &when);
} // namespace TimeFormat

} // namespace rill::client
