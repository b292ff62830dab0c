#pragma once

#include <QString>
#include <QStringList>
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

enum class TextProblem { None, Empty, TooLong };

struct CheckedText {
    QString text; // trimmed of surrounding white space
    TextProblem problem = TextProblem::None;
};

[[nodiscard]] CheckedText checkMessageText(const QString &text);

// Revision 2: an emoji of a reaction is 1-32 bytes of UTF-8 without white space or control
// characters (any such string: the contract does not check it is an emoji).
[[nodiscard]] bool isValidEmoji(QStringView emoji);

// Whether `text` mentions `user`: "@" and the name, letter case aside, not inside a word. The
// character before "@" is not a letter, digit or "_"; after the name comes the end, or a
// character that cannot continue a name ("." and "-" end it when no name character follows,
// so "@alice." at the end of a sentence mentions alice).
[[nodiscard]] bool mentions(QStringView text, QStringView user);
// The user keys `text` may mention by that rule (each "@name", and the name without the sentence
// punctuation after it), once each, in order: who is mentioned is among them.
[[nodiscard]] QStringList mentionedUserKeys(QStringView text);
// Where a mention being typed starts: the index of the "@" (by the rule above: no word
// character before it) followed by name characters up to `cursor`, or -1 when the cursor is
// not in one. For completion while typing.
[[nodiscard]] qsizetype mentionStartAt(QStringView text, qsizetype cursor);

// Revision 2, search: the words of a text or a query, each once, in order of first appearance.
// A word is a run of letters (Unicode categories L*), numbers (N*) and combining marks (M*, only
// after a letter or number), after NFC normalization and lowercasing (QString::toLower, not full
// case folding). Everything else separates words: "_x_" is "x", punctuation and emoji are none.
[[nodiscard]] QStringList searchWords(QStringView text);

// Revision 2: a topic is 0-250 code points after trimming; only TooLong applies.
[[nodiscard]] CheckedText checkTopic(const QString &topic);

} // namespace rill::protocol
