#pragma once

#include "Codec.h"
#include "Limits.h"
#include "Objects.h"
#include "Result.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

// Every op of the contract as typed values: its parameters (what a client sends beside "id"
// and "op") and its result (what the server answers beside "re" and "ok"). Each type has one
// toJson and one fromJson, used by both ends.
//
// fromJson checks the shape only: a missing or wrongly typed field, a message ID that is not
// one, a number out of its range. It answers the contract's `bad_request` with a message
// naming the field. What a value means (a valid user name, text that is not too long, an emoji)
// is checked by Names.h, and what it refers to (membership, an existing message) by the server.
namespace rill::protocol {

// ---- results shared by several ops; each op still gets a type of its own

// An op that answers nothing but "ok".
template<const QLatin1StringView &Op>
struct Done {
    static constexpr QLatin1StringView kOp = Op;

    [[nodiscard]] QJsonObject toJson() const { return {}; }
    [[nodiscard]] static Result<Done> fromJson(const QJsonObject &) { return Done{}; }

    friend bool operator==(const Done &, const Done &) = default;
};

// register and login: who the session now is.
template<const QLatin1StringView &Op>
struct SignedIn {
    static constexpr QLatin1StringView kOp = Op;
    QString user;
    QString token;
    QList<ChannelInfo> channels;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<SignedIn> fromJson(const QJsonObject &json);

    friend bool operator==(const SignedIn &, const SignedIn &) = default;
};

// join and dm: the channel the user is now in.
template<const QLatin1StringView &Op>
struct ChannelResult {
    static constexpr QLatin1StringView kOp = Op;
    ChannelInfo channel;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ChannelResult> fromJson(const QJsonObject &json);

    friend bool operator==(const ChannelResult &, const ChannelResult &) = default;
};

// send and edit: the message as stored.
template<const QLatin1StringView &Op>
struct MessageResult {
    static constexpr QLatin1StringView kOp = Op;
    Message message;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<MessageResult> fromJson(const QJsonObject &json);

    friend bool operator==(const MessageResult &, const MessageResult &) = default;
};

// history: a page of messages, and whether there are more beyond it.
template<const QLatin1StringView &Op>
struct MessagePage {
    static constexpr QLatin1StringView kOp = Op;
    QList<Message> messages;
    bool more = false;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<MessagePage> fromJson(const QJsonObject &json);

    friend bool operator==(const MessagePage &, const MessagePage &) = default;
};

// ---- hello

struct HelloResult {
    static constexpr QLatin1StringView kOp = op::hello;
    QString server;
    qint64 version = kVersion;
    QString instance;
    std::optional<qint64> revision; // revision 2: the contract revision the server speaks

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<HelloResult> fromJson(const QJsonObject &json);

    friend bool operator==(const HelloResult &, const HelloResult &) = default;
};

struct HelloParams {
    static constexpr QLatin1StringView kOp = op::hello;
    using Reply = HelloResult;
    qint64 version = kVersion; // the only one there is: anything else is a bad_request

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<HelloParams> fromJson(const QJsonObject &json);

    friend bool operator==(const HelloParams &, const HelloParams &) = default;
};

// ---- register, login, logout

using RegisterResult = SignedIn<op::registerUser>;
using LoginResult = SignedIn<op::login>;
using LogoutResult = Done<op::logout>;

struct RegisterParams {
    static constexpr QLatin1StringView kOp = op::registerUser;
    using Reply = RegisterResult;
    QString user;
    QString password;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<RegisterParams> fromJson(const QJsonObject &json);

    friend bool operator==(const RegisterParams &, const RegisterParams &) = default;
};

// With a token, user and password are not read (nor written).
struct LoginParams {
    static constexpr QLatin1StringView kOp = op::login;
    using Reply = LoginResult;
    QString user;
    QString password;
    std::optional<QString> token;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<LoginParams> fromJson(const QJsonObject &json);

    friend bool operator==(const LoginParams &, const LoginParams &) = default;
};

struct LogoutParams {
    static constexpr QLatin1StringView kOp = op::logout;
    using Reply = LogoutResult;
    bool all = false; // revision 2: revoke every token of the user, close their other sessions

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<LogoutParams> fromJson(const QJsonObject &json);

    friend bool operator==(const LogoutParams &, const LogoutParams &) = default;
};

// ---- channels, join, part, members, dm

// Rill's addition: `channels` and `members` answer a page at a time, in name order. A request
// may give `limit` (1 to kMaxListPage, default the largest) and `cursor` (the `next` of the page
// before); a result has `next` when more follow.
struct PageRequest {
    int limit = kMaxListPage;
    std::optional<QString> cursor;

    friend bool operator==(const PageRequest &, const PageRequest &) = default;
};

struct ChannelsResult {
    static constexpr QLatin1StringView kOp = op::channels;
    QList<PublicChannel> channels;
    std::optional<QString> next; // Rill's addition: the cursor of the next page, if any

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ChannelsResult> fromJson(const QJsonObject &json);

    friend bool operator==(const ChannelsResult &, const ChannelsResult &) = default;
};

struct ChannelsParams {
    static constexpr QLatin1StringView kOp = op::channels;
    using Reply = ChannelsResult;
    PageRequest page;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ChannelsParams> fromJson(const QJsonObject &json);

    friend bool operator==(const ChannelsParams &, const ChannelsParams &) = default;
};

using JoinResult = ChannelResult<op::join>;
using PartResult = Done<op::part>;
using DmResult = ChannelResult<op::dm>;

// The ops whose only parameter is a channel.
template<const QLatin1StringView &Op, typename ReplyType>
struct ChannelParams {
    static constexpr QLatin1StringView kOp = Op;
    using Reply = ReplyType;
    QString channel;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ChannelParams> fromJson(const QJsonObject &json);

    friend bool operator==(const ChannelParams &, const ChannelParams &) = default;
};

struct MembersResult {
    static constexpr QLatin1StringView kOp = op::members;
    QList<MemberPresence> members;
    std::optional<QString> next; // Rill's addition: the cursor of the next page, if any

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<MembersResult> fromJson(const QJsonObject &json);

    friend bool operator==(const MembersResult &, const MembersResult &) = default;
};

using TypingResult = Done<op::typing>;

using JoinParams = ChannelParams<op::join, JoinResult>;
using PartParams = ChannelParams<op::part, PartResult>;
using TypingParams = ChannelParams<op::typing, TypingResult>;

struct MembersParams {
    static constexpr QLatin1StringView kOp = op::members;
    using Reply = MembersResult;
    QString channel;
    PageRequest page;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<MembersParams> fromJson(const QJsonObject &json);

    friend bool operator==(const MembersParams &, const MembersParams &) = default;
};

struct DmParams {
    static constexpr QLatin1StringView kOp = op::dm;
    using Reply = DmResult;
    QString user;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<DmParams> fromJson(const QJsonObject &json);

    friend bool operator==(const DmParams &, const DmParams &) = default;
};

// ---- send, history, read

using SendResult = MessageResult<op::send>;
using HistoryResult = MessagePage<op::history>;
using ReadResult = Done<op::read>;

struct SendParams {
    static constexpr QLatin1StringView kOp = op::send;
    using Reply = SendResult;
    QString channel;
    QString text;
    QJsonValue nonce;  // Null for none; else a string or an integer (see nonceText)
    QString replyTo;   // revision 2: the thread root; empty for none

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<SendParams> fromJson(const QJsonObject &json);

    friend bool operator==(const SendParams &, const SendParams &) = default;
};

// At most one of before and after.
struct HistoryParams {
    static constexpr QLatin1StringView kOp = op::history;
    using Reply = HistoryResult;
    QString channel;
    std::optional<QString> before;
    std::optional<QString> after;
    int limit = kDefaultHistoryLimit;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<HistoryParams> fromJson(const QJsonObject &json);

    friend bool operator==(const HistoryParams &, const HistoryParams &) = default;
};

struct ReadParams {
    static constexpr QLatin1StringView kOp = op::read;
    using Reply = ReadResult;
    QString channel;
    QString upTo;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ReadParams> fromJson(const QJsonObject &json);

    friend bool operator==(const ReadParams &, const ReadParams &) = default;
};

// ---- revision 2: edit, delete, react, thread, topic, search

using EditResult = MessageResult<op::edit>;
using DeleteResult = Done<op::deleteMessage>;
using ReactResult = Done<op::react>;
using TopicResult = Done<op::topic>;

struct EditParams {
    static constexpr QLatin1StringView kOp = op::edit;
    using Reply = EditResult;
    QString channel;
    QString messageId;
    QString text;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<EditParams> fromJson(const QJsonObject &json);

    friend bool operator==(const EditParams &, const EditParams &) = default;
};

struct DeleteParams {
    static constexpr QLatin1StringView kOp = op::deleteMessage;
    using Reply = DeleteResult;
    QString channel;
    QString messageId;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<DeleteParams> fromJson(const QJsonObject &json);

    friend bool operator==(const DeleteParams &, const DeleteParams &) = default;
};

struct ReactParams {
    static constexpr QLatin1StringView kOp = op::react;
    using Reply = ReactResult;
    QString channel;
    QString messageId;
    QString emoji; // see isValidEmoji
    bool on = true;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ReactParams> fromJson(const QJsonObject &json);

    friend bool operator==(const ReactParams &, const ReactParams &) = default;
};

struct ThreadResult {
    static constexpr QLatin1StringView kOp = op::thread;
    Message root;
    QList<Message> messages; // the replies, oldest first
    bool more = false;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ThreadResult> fromJson(const QJsonObject &json);

    friend bool operator==(const ThreadResult &, const ThreadResult &) = default;
};

struct ThreadParams {
    static constexpr QLatin1StringView kOp = op::thread;
    using Reply = ThreadResult;
    QString channel;
    QString messageId; // the root
    std::optional<QString> after;
    int limit = kDefaultHistoryLimit;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ThreadParams> fromJson(const QJsonObject &json);

    friend bool operator==(const ThreadParams &, const ThreadParams &) = default;
};

struct TopicParams {
    static constexpr QLatin1StringView kOp = op::topic;
    using Reply = TopicResult;
    QString channel;
    QString topic; // see checkTopic

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<TopicParams> fromJson(const QJsonObject &json);

    friend bool operator==(const TopicParams &, const TopicParams &) = default;
};

// Newest first. `next` (Rill's addition, set when `more`): the `before` of the next page; a
// page the server cut short to stay fast may hold fewer than `limit` messages, even none.
struct SearchResult {
    static constexpr QLatin1StringView kOp = op::search;
    QList<Message> messages;
    bool more = false;
    std::optional<QString> next;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<SearchResult> fromJson(const QJsonObject &json);

    friend bool operator==(const SearchResult &, const SearchResult &) = default;
};

struct SearchParams {
    static constexpr QLatin1StringView kOp = op::search;
    using Reply = SearchResult;
    QString query;
    std::optional<QString> channel; // only this channel; every channel of the user when absent
    std::optional<QString> before;
    int limit = kDefaultSearchLimit;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<SearchParams> fromJson(const QJsonObject &json);

    friend bool operator==(const SearchParams &, const SearchParams &) = default;
};

// Rill's addition: the current state of every message of `channel` changed after the cursor
// `after` (a ChannelInfo's or update's lastChange, or a previous answer's cursor), oldest change
// first, each message once. `reload`: the cursor is older than what the server keeps; reload the
// channel's history instead (messages is then empty and cursor the newest).
struct ChangesResult {
    static constexpr QLatin1StringView kOp = op::changes;
    QList<Message> messages;
    QString cursor;
    bool more = false;
    bool reload = false;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ChangesResult> fromJson(const QJsonObject &json);

    friend bool operator==(const ChangesResult &, const ChangesResult &) = default;
};

struct ChangesParams {
    static constexpr QLatin1StringView kOp = op::changes;
    using Reply = ChangesResult;
    QString channel;
    QString after;
    int limit = kMaxHistoryLimit; // changes read per call (1-100)

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ChangesParams> fromJson(const QJsonObject &json);

    friend bool operator==(const ChangesParams &, const ChangesParams &) = default;
};

extern template struct SignedIn<op::registerUser>;
extern template struct SignedIn<op::login>;
extern template struct ChannelResult<op::join>;
extern template struct ChannelResult<op::dm>;
extern template struct MessageResult<op::send>;
extern template struct MessageResult<op::edit>;
extern template struct MessagePage<op::history>;
extern template struct ChannelParams<op::join, JoinResult>;
extern template struct ChannelParams<op::part, PartResult>;
extern template struct ChannelParams<op::members, MembersResult>;
extern template struct ChannelParams<op::typing, TypingResult>;

} // namespace rill::protocol
