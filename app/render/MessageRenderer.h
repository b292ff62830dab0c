#pragma once

#include <QList>
#include <QString>

namespace rill::client {

// Message text to what the timeline shows: the subset of HTML that Qt Quick's Text.StyledText
// reads, written by us from md4c's parse of the Markdown. Only tags we write reach the view,
// so a message cannot make the app load anything (there is no <img>, no raw HTML, and Markdown
// images become links), cannot spoof the direction of its text (bidi embedding, override and
// isolate controls show as visible marks), and links only to http, https and mailto, and to
// messages (MessageLink: rill://host:port/channel/id, written bare or as a link), which only
// open inside the app.
//
// Work and size are linear in the text: md4c parses in one pass, nesting deeper than a few
// levels is drawn at the deepest level shown, and output that would still grow too large
// falls back to the text as typed.
namespace MessageRenderer {

// Deepest list and quote nesting drawn; deeper content is drawn at this depth.
inline constexpr int kMaxListDepth = 6;
inline constexpr int kMaxQuoteDepth = 4;

// StyledText for `text`; `text` itself (shared, not copied) when it needs no markup, which is
// what most chat messages are.
[[nodiscard]] QString render(const QString &text);

struct Link {
    QString target; // the href as rendered: what Text.linkActivated reports
    QString text;   // what the reader sees (for a Markdown image: "[image: alt]")
};
// The links of `text` as render() shows them, in order.
[[nodiscard]] QList<Link> links(const QString &text);

// The URL a link may open, fully percent-encoded (safe inside a StyledText attribute): only
// http and https with a host, mailto with an address, and message links. Empty for anything
// else.
[[nodiscard]] QString openableTarget(const QString &href);

// The text render() shows, without its markup (emphasis, links and code as their text, an
// image as "[image: …]", list items with their marks, a line break per block): what a reader
// sees, for summaries that cannot hold styled text. `text` itself when it needs no markup.
[[nodiscard]] QString plainText(const QString &text);

// A search result as one line of StyledText: what the timeline shows of `text` (plainText(),
// or, when long, an excerpt from a little before its first match) with every word that
// matches one of `words` in bold. Words and
// matching are protocol::searchWords's: runs of letters and digits, NFC and lowercased, a
// query word matching a word's beginning. Everything else is text (escaped, controls shown).
[[nodiscard]] QString highlightWords(const QString &text, const QStringList &words);

// `text` with each bidi embedding, override and isolate control (U+202A-U+202E,
// U+2066-U+2069) replaced by a visible mark such as "[RLO]", for text shown plain (names,
// link targets). The same string, shared, when there is none.
[[nodiscard]] QString revealControls(const QString &text);

} // namespace MessageRenderer

} // namespace rill::client
