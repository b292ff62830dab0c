#pragma once

#include <QString>
#include <QStringView>

#include <optional>
#include <utility>

// Validation of everything a person names: users, channels, passwords and message text.
namespace rill::protocol {

// 1-32 characters of A-Z a-z 0-9 _ . -
[[nodiscard]] bool isValidUserName(QStringView name);
// The case-insensitive identity of a user name ("Alice" and "alice" are one user).
[[nodiscard]] QString userKey(QStringView name);

// 8-1024 characters (code points, so an emoji counts once).
[[nodiscard]] bool isValidPassword(QStringView password);

// Lowercases and validates a public channel name; nullopt when it is not 1-64 of a-z 0-9 _ -.
// Direct-message names ("dm:...") are not public names and are refused here.
[[nodiscard]] std::optional<QString> normalizeChannelName(QStringView input);

[[nodiscard]] bool isDmChannel(QStringView channel);
// "dm:<a>:<b>" with both user keys sorted, so both users compute the same name.
[[nodiscard]] QString dmChannelName(QStringView userA, QStringView userB);
// The two user keys of a well-formed DM name.
[[nodiscard]] std::optional<std::pair<QString, QString>> dmParticipants(QStringView channel);
// Accepts what a client may put in a channel parameter: a public name (normalized) or a
// well-formed DM name. Membership is checked elsewhere.
[[nodiscard]] std::optional<QString> normalizeChannelReference(QStringView input);

[[nodiscard]] qsizetype codePointCount(QStringView text);

// Whether `text` mentions `user`: "@name", the name compared case-insensitively, and not
// inside a word. The "@" follows the start or a character that is not a letter or digit
// ("bob@example.org" mentions nobody), and the name is the whole run of user-name characters
// after it, less the dots and dashes that end a sentence ("@bob." and "@bob-" mention bob,
// "@bobby" and "@bob.smith" do not). A bare "bob" is not a mention.
[[nodiscard]] bool mentions(QStringView text, QStringView user);

enum class TextProblem { None, Empty, TooLong };

struct CheckedText {
    QString text; // trimmed of surrounding white space
    TextProblem problem = TextProblem::None;
};

[[nodiscard]] CheckedText checkMessageText(const QString &text);

} // namespace rill::protocol
