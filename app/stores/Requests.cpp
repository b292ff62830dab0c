#include "Requests.h"

#include "ChannelStore.h"
#include "models/DirectoryModel.h"
#include "protocol/Codec.h"
#include "session/Session.h"

#include <QJsonArray>

namespace rill::client::requests {

using namespace Qt::StringLiterals;
namespace op = protocol::op;
using protocol::ChannelInfo;
using protocol::Message;

namespace {
QList<Message> messageList(const QJsonValue &value)
{
    QList<Message> out;
    const QJsonArray array = value.toArray();
    out.reserve(array.size());
    for (const QJsonValue &item : array) {
        if (auto m = Message::fromJson(item.toObject()))
            out.append(std::move(*m));
    }
    return out;
}

std::optional<ChannelInfo> channelOf(const Reply &reply)
{
    if (!reply.ok)
        return std::nullopt;
    return ChannelInfo::fromJson(reply.body.value("channel"_L1).toObject());
}
} // namespace

QString problemText(const Reply &reply)
{
    return reply.message.isEmpty() ? reply.errorName : reply.message;
}

QCoro::Task<Answer<HistoryPage>> history(Session *session, HistoryQuery query)
{
    QJsonObject params{{"channel"_L1, query.channel}, {"limit"_L1, query.limit}};
    if (!query.before.isEmpty())
        params.insert("before"_L1, query.before);
    if (!query.after.isEmpty())
        params.insert("after"_L1, query.after);
    Reply reply = co_await session->request(op::history, std::move(params));
    Answer<HistoryPage> answer{std::move(reply), {}};
    if (answer.reply.ok) {
        answer.value.messages = messageList(answer.reply.body.value("messages"_L1));
        answer.value.more = answer.reply.body.value("more"_L1).toBool();
    }
    co_return answer;
}

QCoro::Task<Answer<std::optional<Message>>> send(Session *session, QString channel, QString text, QString nonce)
{
    QJsonObject params{{"channel"_L1, channel}, {"text"_L1, text}, {"nonce"_L1, nonce}};
    Reply reply = co_await session->request(op::send, std::move(params));
    Answer<std::optional<Message>> answer{std::move(reply), {}};
    if (answer.reply.ok)
        answer.value = Message::fromJson(answer.reply.body.value("message"_L1).toObject());
    co_return answer;
}

QCoro::Task<Answer<QList<Member>>> members(Session *session, QString channel)
{
    QJsonObject params{{"channel"_L1, channel}};
    Reply reply = co_await session->request(op::members, std::move(params));
    Answer<QList<Member>> answer{std::move(reply), {}};
    const QJsonArray array = answer.reply.body.value("members"_L1).toArray();
    for (const QJsonValue &v : array) {
        const QJsonObject o = v.toObject();
        answer.value.append({o.value("user"_L1).toString(), o.value("online"_L1).toBool()});
    }
    co_return answer;
}

QCoro::Task<Answer<std::optional<ChannelInfo>>> join(Session *session, QString channel)
{
    QJsonObject params{{"channel"_L1, channel}};
    Reply reply = co_await session->request(op::join, std::move(params));
    Answer<std::optional<ChannelInfo>> answer{std::move(reply), {}};
    answer.value = channelOf(answer.reply);
    co_return answer;
}

QCoro::Task<Reply> part(Session *session, QString channel)
{
    QJsonObject params{{"channel"_L1, channel}};
    Reply reply = co_await session->request(op::part, std::move(params));
    co_return reply;
}

QCoro::Task<Answer<std::optional<ChannelInfo>>> openDirect(Session *session, QString user)
{
    QJsonObject params{{"user"_L1, user}};
    Reply reply = co_await session->request(op::dm, std::move(params));
    Answer<std::optional<ChannelInfo>> answer{std::move(reply), {}};
    answer.value = channelOf(answer.reply);
    co_return answer;
}

QCoro::Task<Answer<QList<DirectoryModel::Entry>>> publicChannels(Session *session)
{
    Reply reply = co_await session->request(op::channels);
    Answer<QList<DirectoryModel::Entry>> answer{std::move(reply), {}};
    const QJsonArray array = answer.reply.body.value("channels"_L1).toArray();
    for (const QJsonValue &v : array) {
        const QJsonObject o = v.toObject();
        answer.value.append({o.value("name"_L1).toString(), o.value("members"_L1).toInteger()});
    }
    co_return answer;
}

QCoro::Task<Reply> typing(Session *session, QString channel)
{
    QJsonObject params{{"channel"_L1, channel}};
    Reply reply = co_await session->request(op::typing, std::move(params));
    co_return reply;
}

QCoro::Task<Reply> read(Session *session, QString channel, QString upTo)
{
    QJsonObject params{{"channel"_L1, channel}, {"upTo"_L1, upTo}};
    Reply reply = co_await session->request(op::read, std::move(params));
    co_return reply;
}

} // namespace rill::client::requests
