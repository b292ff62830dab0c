#pragma once

#include <QLatin1StringView>
#include <QtGlobal>

#include <chrono>

// The numbers of the contract (docs/protocol.md), in one place, so server, client, tests and the
// load tool agree.
namespace rill::protocol {

inline constexpr int kVersion = 1;
// The contract revision this code knows (revision 2 adds conversation features and TLS).
inline constexpr int kRevision = 2;
inline constexpr quint16 kDefaultPort = 7117;

inline constexpr qsizetype kMaxFrameBytes = 64 * 1024;

inline constexpr int kMinUserNameLength = 1;
inline constexpr int kMaxUserNameLength = 32;
inline constexpr int kMinPasswordLength = 8;
inline constexpr int kMaxPasswordLength = 1024;
inline constexpr int kMinChannelNameLength = 1;
inline constexpr int kMaxChannelNameLength = 64;
inline constexpr int kMaxTextCodePoints = 4000;
inline constexpr int kMaxNonceBytes = 128;

inline constexpr int kDefaultHistoryLimit = 50; // also thread's
inline constexpr int kMaxHistoryLimit = 100;
// Rill's addition: `channels` and `members` answer a page at a time (`limit`, `cursor`, `next`);
// without `limit`, the largest page (a page costs Redis a few microseconds per entry).
inline constexpr int kMaxListPage = 200;

inline constexpr int kDefaultSearchLimit = 20;
inline constexpr int kMaxSearchLimit = 50;
// Distinct words in a search query; each costs the index a lookup per channel searched.
inline constexpr int kMaxSearchWords = 16;

inline constexpr int kMaxTopicCodePoints = 250;
inline constexpr int kMaxEmojiBytes = 32;
inline constexpr int kMaxEmojiPerMessage = 64;

inline constexpr QLatin1StringView kDefaultChannel{"general"};
inline constexpr QLatin1StringView kDmPrefix{"dm:"};

inline constexpr std::chrono::hours kNonceLifetime{24};
inline constexpr std::chrono::hours kTokenIdleLifetime{24 * 30};
inline constexpr std::chrono::seconds kDefaultPingInterval{30};
inline constexpr std::chrono::seconds kPresenceDeadline{30};

// Close codes of the contract (RFC 6455 numbers).
enum class CloseCode : quint16 {
    Normal = 1000,
    GoingAway = 1001,
    UnsupportedData = 1003,
    Policy = 1008,
    TooBig = 1009,
    // Rill's addition: this instance missed live events (it fell behind the bus); reconnecting
    // and resuming with `history after` fills the gap. Not 1013 (try again later): Qt's
    // QWebSocket, like other RFC 6455 clients of its age, rejects 1012-2999 as a protocol error.
    ServerError = 1011,
};

} // namespace rill::protocol
