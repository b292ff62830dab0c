#include "Requests.h"

#include "Fields.h"
#include "StreamId.h"

#include <QJsonArray>

namespace rill::protocol {
namespace {

using namespace Qt::StringLiterals;

template<typename T>
QJsonArray jsonArray(const QList<T> &items)
{
    QJsonArray out;
    for (const T &item : items)
        out.append(item.toJson());
    return out;
}

void insertIfSet(QJsonObject &json, QLatin1StringView key, const std::optional<QString> &value)
{
    if (value)
        json.insert(key, *value);
}

// The paging fields of `channels` and `members`; a default page writes nothing, so a request
// for the first page is the revision-1 request.
void insertPage(QJsonObject &json, const PageRequest &page)
{
    if (page.limit != kMaxListPage)
        json.insert("limit"_L1, page.limit);
    insertIfSet(json, "cursor"_L1, page.cursor);
}

PageRequest readPage(FieldReader &fields)
{
    PageRequest page;
    page.limit = int(fields.integer("limit"_L1, kMaxListPage, 1, kMaxListPage));
    page.cursor = fields.optionalString("cursor"_L1);
    // A cursor is a name (a channel's or a member's): anything longer came from no page.
    if (page.cursor && page.cursor->size() > kMaxChannelNameLength)
        fields.fail(u"\"cursor\" must be the \"next\" of an earlier page"_s);
    return page;
}

} // namespace

// ---- shared result shapes

template<const QLatin1StringView &Op>
QJsonObject SignedIn<Op>::toJson() const
{
    return {{"user"_L1, user}, {"token"_L1, token}, {"channels"_L1, jsonArray(channels)}};
}

template<const QLatin1StringView &Op>
Result<SignedIn<Op>> SignedIn<Op>::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    SignedIn out;
    out.user = fields.string("user"_L1);
    out.token = fields.string("token"_L1);
    out.channels = fields.list<ChannelInfo>("channels"_L1);
    return fields.finish(std::move(out));
}

template<const QLatin1StringView &Op>
QJsonObject ChannelResult<Op>::toJson() const
{
    return {{"channel"_L1, channel.toJson()}};
}

template<const QLatin1StringView &Op>
Result<ChannelResult<Op>> ChannelResult<Op>::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    ChannelResult out;
    out.channel = fields.object<ChannelInfo>("channel"_L1);
    return fields.finish(std::move(out));
}

template<const QLatin1StringView &Op>
QJsonObject MessageResult<Op>::toJson() const
{
    return {{"message"_L1, message.toJson()}};
}

template<const QLatin1StringView &Op>
Result<MessageResult<Op>> MessageResult<Op>::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    MessageResult out;
    out.message = fields.object<Message>("message"_L1);
    return fields.finish(std::move(out));
}

template<const QLatin1StringView &Op>
QJsonObject MessagePage<Op>::toJson() const
{
    return {{"messages"_L1, jsonArray(messages)}, {"more"_L1, more}};
}

template<const QLatin1StringView &Op>
Result<MessagePage<Op>> MessagePage<Op>::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    MessagePage out;
    out.messages = fields.list<Message>("messages"_L1);
    out.more = fields.boolean("more"_L1);
    return fields.finish(std::move(out));
}

template<const QLatin1StringView &Op, typename ReplyType>
QJsonObject ChannelParams<Op, ReplyType>::toJson() const
{
    return {{"channel"_L1, channel}};
}

template<const QLatin1StringView &Op, typename ReplyType>
Result<ChannelParams<Op, ReplyType>> ChannelParams<Op, ReplyType>::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    ChannelParams out;
    out.channel = fields.string("channel"_L1);
    return fields.finish(std::move(out));
}

template struct SignedIn<op::registerUser>;
template struct SignedIn<op::login>;
template struct ChannelResult<op::join>;
template struct ChannelResult<op::dm>;
template struct MessageResult<op::send>;
template struct MessageResult<op::edit>;
template struct MessagePage<op::history>;
template struct ChannelParams<op::join, JoinResult>;
template struct ChannelParams<op::part, PartResult>;
template struct ChannelParams<op::typing, TypingResult>;

// ---- hello

QJsonObject HelloParams::toJson() const
{
    return {{"version"_L1, version}};
}

Result<HelloParams> HelloParams::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    if (!fields.has("version"_L1))
        fields.fail(u"\"version\" is missing"_s);
    else if (exactInteger(fields.value("version"_L1)) != kVersion)
        fields.fail(u"this server speaks version "_s + QString::number(kVersion));
    return fields.finish(HelloParams{});
}

QJsonObject HelloResult::toJson() const
{
    QJsonObject json{{"server"_L1, server}, {"version"_L1, version}, {"instance"_L1, instance}};
    if (revision)
        json.insert("revision"_L1, *revision);
    return json;
}

Result<HelloResult> HelloResult::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    HelloResult out;
    out.server = fields.string("server"_L1);
    out.version = fields.requiredInteger("version"_L1, 0, FieldReader::kMaxInteger);
    out.instance = fields.string("instance"_L1);
    out.revision = fields.optionalInteger("revision"_L1, 0, FieldReader::kMaxInteger);
    return fields.finish(std::move(out));
}

// ---- register, login, logout

QJsonObject RegisterParams::toJson() const
{
    return {{"user"_L1, user}, {"password"_L1, password}};
}

Result<RegisterParams> RegisterParams::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    RegisterParams out;
    out.user = fields.string("user"_L1);
    out.password = fields.string("password"_L1);
    return fields.finish(std::move(out));
}

QJsonObject LoginParams::toJson() const
{
    if (token)
        return {{"token"_L1, *token}};
    return {{"user"_L1, user}, {"password"_L1, password}};
}

Result<LoginParams> LoginParams::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    LoginParams out;
    out.token = fields.optionalString("token"_L1);
    if (!out.token) {
        out.user = fields.string("user"_L1);
        out.password = fields.string("password"_L1);
    }
    // One message for every way of getting it wrong: the two forms are the whole story.
    if (fields.error())
        return Error::of(ErrorCode::BadRequest, u"log in with \"user\" and \"password\", or \"token\""_s);
    return out;
}

QJsonObject LogoutParams::toJson() const
{
    if (all)
        return {{"all"_L1, true}};
    return {};
}

Result<LogoutParams> LogoutParams::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    LogoutParams out;
    out.all = fields.optionalBoolean("all"_L1).value_or(false);
    return fields.finish(out);
}

// ---- channels, members, dm

QJsonObject ChannelsParams::toJson() const
{
    QJsonObject json;
    insertPage(json, page);
    return json;
}

Result<ChannelsParams> ChannelsParams::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    ChannelsParams out;
    out.page = readPage(fields);
    return fields.finish(std::move(out));
}

QJsonObject ChannelsResult::toJson() const
{
    QJsonObject json{{"channels"_L1, jsonArray(channels)}};
    insertIfSet(json, "next"_L1, next);
    return json;
}

Result<ChannelsResult> ChannelsResult::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    ChannelsResult out;
    out.channels = fields.list<PublicChannel>("channels"_L1);
    out.next = fields.optionalString("next"_L1);
    return fields.finish(std::move(out));
}

QJsonObject MembersParams::toJson() const
{
    QJsonObject json{{"channel"_L1, channel}};
    insertPage(json, page);
    return json;
}

Result<MembersParams> MembersParams::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    MembersParams out;
    out.channel = fields.string("channel"_L1);
    out.page = readPage(fields);
    return fields.finish(std::move(out));
}

QJsonObject MembersResult::toJson() const
{
    QJsonObject json{{"members"_L1, jsonArray(members)}};
    insertIfSet(json, "next"_L1, next);
    return json;
}

Result<MembersResult> MembersResult::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    MembersResult out;
    out.members = fields.list<MemberPresence>("members"_L1);
    out.next = fields.optionalString("next"_L1);
    return fields.finish(std::move(out));
}

QJsonObject DmParams::toJson() const
{
    return {{"user"_L1, user}};
}

Result<DmParams> DmParams::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    DmParams out;
    out.user = fields.string("user"_L1);
    return fields.finish(std::move(out));
}

// ---- send, history, read

QJsonObject SendParams::toJson() const
{
    QJsonObject json{{"channel"_L1, channel}, {"text"_L1, text}};
    if (!nonce.isNull() && !nonce.isUndefined())
        json.insert("nonce"_L1, nonce);
    if (!replyTo.isEmpty())
        json.insert("replyTo"_L1, replyTo);
    return json;
}

Result<SendParams> SendParams::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    SendParams out;
    out.channel = fields.string("channel"_L1);
    out.text = fields.string("text"_L1);
    out.nonce = json.value("nonce"_L1);
    if (out.nonce.isUndefined())
        out.nonce = QJsonValue::Null;
    if (!nonceText(out.nonce)) {
        fields.fail(u"\"nonce\" must be a string of at most "_s + QString::number(kMaxNonceBytes)
                    + u" bytes or an integer"_s);
    }
    out.replyTo = fields.optionalMessageId("replyTo"_L1).value_or(QString());
    return fields.finish(std::move(out));
}

QJsonObject HistoryParams::toJson() const
{
    QJsonObject json{{"channel"_L1, channel}, {"limit"_L1, limit}};
    insertIfSet(json, "before"_L1, before);
    insertIfSet(json, "after"_L1, after);
    return json;
}

Result<HistoryParams> HistoryParams::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    HistoryParams out;
    out.channel = fields.string("channel"_L1);
    out.before = fields.optionalString("before"_L1);
    out.after = fields.optionalString("after"_L1);
    out.limit = int(fields.integer("limit"_L1, kDefaultHistoryLimit, 1, kMaxHistoryLimit));
    if (out.before && out.after)
        fields.fail(u"give \"before\" or \"after\", not both"_s);
    const auto &anchor = out.before ? out.before : out.after;
    if (anchor && !StreamId::parse(*anchor))
        fields.fail(u"\""_s + (out.before ? u"before"_s : u"after"_s) + u"\" must be a message ID"_s);
    return fields.finish(std::move(out));
}

QJsonObject ReadParams::toJson() const
{
    return {{"channel"_L1, channel}, {"upTo"_L1, upTo}};
}

Result<ReadParams> ReadParams::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    ReadParams out;
    out.channel = fields.string("channel"_L1);
    out.upTo = fields.messageId("upTo"_L1);
    return fields.finish(std::move(out));
}

// ---- revision 2

QJsonObject EditParams::toJson() const
{
    return {{"channel"_L1, channel}, {"messageId"_L1, messageId}, {"text"_L1, text}};
}

Result<EditParams> EditParams::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    EditParams out;
    out.channel = fields.string("channel"_L1);
    out.messageId = fields.messageId("messageId"_L1);
    out.text = fields.string("text"_L1);
    return fields.finish(std::move(out));
}

QJsonObject DeleteParams::toJson() const
{
    return {{"channel"_L1, channel}, {"messageId"_L1, messageId}};
}

Result<DeleteParams> DeleteParams::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    DeleteParams out;
    out.channel = fields.string("channel"_L1);
    out.messageId = fields.messageId("messageId"_L1);
    return fields.finish(std::move(out));
}

QJsonObject ReactParams::toJson() const
{
    return {{"channel"_L1, channel}, {"messageId"_L1, messageId}, {"emoji"_L1, emoji}, {"on"_L1, on}};
}

Result<ReactParams> ReactParams::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    ReactParams out;
    out.channel = fields.string("channel"_L1);
    out.messageId = fields.messageId("messageId"_L1);
    out.emoji = fields.string("emoji"_L1);
    out.on = fields.boolean("on"_L1);
    return fields.finish(std::move(out));
}

QJsonObject ThreadParams::toJson() const
{
    QJsonObject json{{"channel"_L1, channel}, {"messageId"_L1, messageId}, {"limit"_L1, limit}};
    insertIfSet(json, "after"_L1, after);
    return json;
}

Result<ThreadParams> ThreadParams::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    ThreadParams out;
    out.channel = fields.string("channel"_L1);
    out.messageId = fields.messageId("messageId"_L1);
    out.after = fields.optionalMessageId("after"_L1);
    out.limit = int(fields.integer("limit"_L1, kDefaultHistoryLimit, 1, kMaxHistoryLimit));
    return fields.finish(std::move(out));
}

QJsonObject ThreadResult::toJson() const
{
    return {{"root"_L1, root.toJson()}, {"messages"_L1, jsonArray(messages)}, {"more"_L1, more}};
}

Result<ThreadResult> ThreadResult::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    ThreadResult out;
    out.root = fields.object<Message>("root"_L1);
    out.messages = fields.list<Message>("messages"_L1);
    out.more = fields.boolean("more"_L1);
    return fields.finish(std::move(out));
}

QJsonObject TopicParams::toJson() const
{
    return {{"channel"_L1, channel}, {"topic"_L1, topic}};
}

Result<TopicParams> TopicParams::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    TopicParams out;
    out.channel = fields.string("channel"_L1);
    out.topic = fields.string("topic"_L1);
    return fields.finish(std::move(out));
}

QJsonObject SearchResult::toJson() const
{
    QJsonObject json{{"messages"_L1, jsonArray(messages)}, {"more"_L1, more}};
    insertIfSet(json, "next"_L1, next);
    return json;
}

Result<SearchResult> SearchResult::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    SearchResult out;
    out.messages = fields.list<Message>("messages"_L1);
    out.more = fields.boolean("more"_L1);
    out.next = fields.optionalMessageId("next"_L1);
    return fields.finish(std::move(out));
}

QJsonObject SearchParams::toJson() const
{
    QJsonObject json{{"query"_L1, query}, {"limit"_L1, limit}};
    insertIfSet(json, "channel"_L1, channel);
    insertIfSet(json, "before"_L1, before);
    return json;
}

Result<SearchParams> SearchParams::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    SearchParams out;
    out.query = fields.string("query"_L1);
    out.channel = fields.optionalString("channel"_L1);
    out.before = fields.optionalMessageId("before"_L1);
    out.limit = int(fields.integer("limit"_L1, kDefaultSearchLimit, 1, kMaxSearchLimit));
    return fields.finish(std::move(out));
}

QJsonObject ChangesParams::toJson() const
{
    return {{"channel"_L1, channel}, {"after"_L1, after}, {"limit"_L1, limit}};
}

Result<ChangesParams> ChangesParams::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    ChangesParams out;
    out.channel = fields.string("channel"_L1);
    out.after = fields.messageId("after"_L1);
    out.limit = int(fields.integer("limit"_L1, kMaxHistoryLimit, 1, kMaxHistoryLimit));
    return fields.finish(std::move(out));
}

QJsonObject ChangesResult::toJson() const
{
    QJsonObject json{{"messages"_L1, jsonArray(messages)}, {"cursor"_L1, cursor}, {"more"_L1, more}};
    if (reload)
        json.insert("reload"_L1, true);
    return json;
}

Result<ChangesResult> ChangesResult::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    ChangesResult out;
    out.messages = fields.list<Message>("messages"_L1);
    out.cursor = fields.messageId("cursor"_L1);
    out.more = fields.boolean("more"_L1);
    out.reload = fields.optionalBoolean("reload"_L1).value_or(false);
    return fields.finish(std::move(out));
}

} // namespace rill::protocol
