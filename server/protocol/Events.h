#pragma once

#include "Codec.h"
#include "Objects.h"
#include "Result.h"

#include <QJsonObject>
#include <QString>

#include <variant>

// Every event of the contract as a typed value (the fields beside "ev"), with one toJson and
// one fromJson used by both ends; and the client's decoder from an event frame to one of them.
namespace rill::protocol {

struct MessageEvent {
    static constexpr QLatin1StringView kEvent = ev::message;
    Message message;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<MessageEvent> fromJson(const QJsonObject &json);
    friend bool operator==(const MessageEvent &, const MessageEvent &) = default;
};

struct ChannelEvent {
    static constexpr QLatin1StringView kEvent = ev::channel;
    ChannelInfo channel;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ChannelEvent> fromJson(const QJsonObject &json);
    friend bool operator==(const ChannelEvent &, const ChannelEvent &) = default;
};

struct MemberEvent {
    static constexpr QLatin1StringView kEvent = ev::member;
    QString channel;
    QString user;
    bool joined = false;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<MemberEvent> fromJson(const QJsonObject &json);
    friend bool operator==(const MemberEvent &, const MemberEvent &) = default;
};

struct PresenceEvent {
    static constexpr QLatin1StringView kEvent = ev::presence;
    QString user;
    bool online = false;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<PresenceEvent> fromJson(const QJsonObject &json);
    friend bool operator==(const PresenceEvent &, const PresenceEvent &) = default;
};

struct TypingEvent {
    static constexpr QLatin1StringView kEvent = ev::typing;
    QString channel;
    QString user;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<TypingEvent> fromJson(const QJsonObject &json);
    friend bool operator==(const TypingEvent &, const TypingEvent &) = default;
};

struct ReadEvent {
    static constexpr QLatin1StringView kEvent = ev::read;
    QString channel;
    QString upTo; // a message ID

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ReadEvent> fromJson(const QJsonObject &json);
    friend bool operator==(const ReadEvent &, const ReadEvent &) = default;
};

struct ByeEvent {
    static constexpr QLatin1StringView kEvent = ev::bye;
    QString reason;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ByeEvent> fromJson(const QJsonObject &json);
    friend bool operator==(const ByeEvent &, const ByeEvent &) = default;
};

// Revision 2: an existing message changed (edited, deleted, reacted to, replied to); the
// message is whole and current.
struct UpdateEvent {
    static constexpr QLatin1StringView kEvent = ev::update;
    Message message;
    std::optional<QString> lastChange; // Rill's addition: this change's cursor (see `changes`)

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<UpdateEvent> fromJson(const QJsonObject &json);
    friend bool operator==(const UpdateEvent &, const UpdateEvent &) = default;
};

// Revision 2: a channel's topic changed.
struct TopicEvent {
    static constexpr QLatin1StringView kEvent = ev::topic;
    QString channel;
    QString topic;
    QString user; // who set it

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<TopicEvent> fromJson(const QJsonObject &json);
    friend bool operator==(const TopicEvent &, const TopicEvent &) = default;
};

// An event this version does not know (a newer server's addition), or a known one whose fields
// are not the contract's: kept whole, for a log line, never acted on.
struct UnknownEvent {
    QString name;
    QJsonObject body; // the whole frame
    QString problem;  // why a known event was not understood; empty for an unknown one

    friend bool operator==(const UnknownEvent &, const UnknownEvent &) = default;
};

using Event = std::variant<UnknownEvent, MessageEvent, ChannelEvent, MemberEvent, PresenceEvent, TypingEvent,
                           ReadEvent, ByeEvent, UpdateEvent, TopicEvent>;

// The typed event of an event frame (`name` is its "ev", `body` the whole frame).
[[nodiscard]] Event decodeEvent(const QString &name, const QJsonObject &body);

} // namespace rill::protocol
