#include "RedisReply.h"

#include <QStringDecoder>

#include <hiredis/hiredis.h>

namespace rill::redis {

RedisReply RedisReply::fromHiredis(const redisReply *reply)
{
    RedisReply out;
    switch (reply->type) {
    case REDIS_REPLY_STATUS:
        out.m_type = Type::Status;
        out.m_bytes = QByteArray(reply->str, qsizetype(reply->len));
        break;
    case REDIS_REPLY_ERROR:
        out.m_type = Type::Error;
        out.m_bytes = QByteArray(reply->str, qsizetype(reply->len));
        break;
    case REDIS_REPLY_INTEGER:
        out.m_type = Type::Integer;
        out.m_integer = reply->integer;
        break;
    case REDIS_REPLY_STRING:
        out.m_type = Type::String;
        out.m_bytes = QByteArray(reply->str, qsizetype(reply->len));
        break;
    case REDIS_REPLY_ARRAY:
        out.m_type = Type::Array;
        out.m_elements.reserve(reply->elements);
        for (size_t i = 0; i < reply->elements; ++i)
            out.m_elements.push_back(fromHiredis(reply->element[i]));
        break;
    case REDIS_REPLY_NIL:
    default:
        out.m_type = Type::Nil;
        break;
    }
    return out;
}

QString RedisReply::text() const
{
    QStringDecoder decoder(QStringDecoder::Utf8,
                           QStringDecoder::Flag::Stateless | QStringDecoder::Flag::ConvertInitialBom);
    return decoder.decode(m_bytes);
}

RedisReply RedisReply::failure(QByteArray reason)
{
    RedisReply r;
    r.m_type = Type::Failure;
    r.m_bytes = std::move(reason);
    return r;
}

RedisReply RedisReply::status(QByteArray text)
{
    RedisReply r;
    r.m_type = Type::Status;
    r.m_bytes = std::move(text);
    return r;
}

RedisReply RedisReply::error(QByteArray text)
{
    RedisReply r;
    r.m_type = Type::Error;
    r.m_bytes = std::move(text);
    return r;
}

RedisReply RedisReply::integer(qint64 value)
{
    RedisReply r;
    r.m_type = Type::Integer;
    r.m_integer = value;
    return r;
}

RedisReply RedisReply::string(QByteArray bytes)
{
    RedisReply r;
    r.m_type = Type::String;
    r.m_bytes = std::move(bytes);
    return r;
}

RedisReply RedisReply::array(std::vector<RedisReply> elements)
{
    RedisReply r;
    r.m_type = Type::Array;
    r.m_elements = std::move(elements);
    return r;
}

QString RedisReply::describe() const
{
    using namespace Qt::StringLiterals;
    switch (m_type) {
    case Type::Nil: return u"(nil)"_s;
    case Type::Status: return u"+"_s + text();
    case Type::Error: return u"-"_s + text();
    case Type::Integer: return u":"_s + QString::number(m_integer);
    case Type::String: return u'"' + text() + u'"';
    case Type::Failure: return u"(failure: "_s + text() + u')';
    case Type::Array: {
        QString s = u"["_s;
        for (std::size_t i = 0; i < m_elements.size(); ++i) {
            if (i)
                s += u", "_s;
            s += m_elements[i].describe();
        }
        return s + u']';
    }
    }
    return {};
}

} // namespace rill::redis
