#pragma once

#include <QByteArray>
#include <QString>

// Every Redis key Rill uses (docs/storage.md describes each). Channel keys share the hash tag
// {c:<channel>} and user keys {u:<user>}, so one channel's (or one user's) keys could live on
// one Redis Cluster slot. The Lua scripts build the same names; keep the two in step.
namespace rill::store::keys {

inline QByteArray channelLog(const QString &channel) { return "rill:{c:" + channel.toUtf8() + "}:log"; }
inline QByteArray channelMembers(const QString &channel) { return "rill:{c:" + channel.toUtf8() + "}:members"; }
inline QByteArray user(const QString &userKey) { return "rill:{u:" + userKey.toUtf8() + '}'; }
inline QByteArray userChannels(const QString &userKey) { return "rill:{u:" + userKey.toUtf8() + "}:channels"; }
inline QByteArray token(const QByteArray &tokenHash) { return "rill:token:" + tokenHash; }
// Attempts counted for throttling, each in a window that starts with its first count.
inline QByteArray loginFailuresOfName(const QString &userKey) { return "rill:throttle:login:user:" + userKey.toUtf8(); }
inline QByteArray loginFailuresFrom(const QString &address) { return "rill:throttle:login:addr:" + address.toUtf8(); }
inline QByteArray registrationsFrom(const QString &address) { return "rill:throttle:register:addr:" + address.toUtf8(); }

inline constexpr QByteArrayView publicChannels = "rill:channels";
inline constexpr QByteArrayView bus = "rill:bus";
inline constexpr QByteArrayView typingChannel = "rill:typing";
// Every bus entry, published as it is added (common.lua): how instances follow the bus live.
inline constexpr QByteArrayView busLiveChannel = "rill:bus:live";
inline constexpr QByteArrayView presenceInstances = "rill:presence:instances";
inline constexpr QByteArrayView presenceOnline = "rill:presence:online";
inline QByteArray presenceInstance(const QString &instanceId) { return "rill:presence:instance:" + instanceId.toUtf8(); }

} // namespace rill::store::keys
