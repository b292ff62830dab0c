#pragma once

#include <QString>
#include <QtGlobal>

namespace rill::server {

struct ServerConfig;

// The QLoggingCategory rules for a level (the least severe message type logged), followed by an
// operator's own rules (';'- or newline-separated, Qt's rule syntax), which win.
[[nodiscard]] QString loggingRules(QtMsgType level, const QString &extraRules);

// Whether this process's stderr is the systemd journal's stream: systemd sets JOURNAL_STREAM to
// "device:inode" of the stream it connected, which a child that inherits the variable but not
// the stream would not match.
[[nodiscard]] bool stderrIsJournal(const QString &journalStream);

// The message pattern: journald stamps each line itself and reads a leading "<N>" as its
// syslog priority, so it gets those instead of our time stamp; a terminal or a file gets time,
// level and category.
[[nodiscard]] QString logMessagePattern(bool toJournal);

// Applies the level, the rules and the pattern to this process. QT_LOGGING_RULES and
// QT_MESSAGE_PATTERN, when set, still win (Qt's own precedence).
void setUpLogging(const ServerConfig &config, const QString &journalStream);

} // namespace rill::server
