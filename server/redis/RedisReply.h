#pragma once

#include <QByteArray>
#include <QString>
#include <QtGlobal>

#include <vector>

struct redisReply;

namespace rill::redis {

// One Redis reply as a value. Error replies are values too: a failed command never throws.
// `Failure` is not a Redis reply at all but its absence: the link went down or timed out
// before Redis answered.
class RedisReply
{
public:
    enum class Type : quint8 { Nil, Status, Error, Integer, String, Array, Failure };

    RedisReply() = default;

    [[nodiscard]] static RedisReply fromHiredis(const redisReply *reply);
    [[nodiscard]] static RedisReply failure(QByteArray reason);
    [[nodiscard]] static RedisReply nil() { return {}; }
    [[nodiscard]] static RedisReply status(QByteArray text);
    [[nodiscard]] static RedisReply error(QByteArray text);
    [[nodiscard]] static RedisReply integer(qint64 value);
    [[nodiscard]] static RedisReply string(QByteArray bytes);
    [[nodiscard]] static RedisReply array(std::vector<RedisReply> elements);

    [[nodiscard]] Type type() const { return m_type; }
    [[nodiscard]] bool isNil() const { return m_type == Type::Nil; }
    [[nodiscard]] bool isStatus() const { return m_type == Type::Status; }
    [[nodiscard]] bool isError() const { return m_type == Type::Error; }
    [[nodiscard]] bool isInteger() const { return m_type == Type::Integer; }
    [[nodiscard]] bool isString() const { return m_type == Type::String; }
    [[nodiscard]] bool isArray() const { return m_type == Type::Array; }
    [[nodiscard]] bool isFailure() const { return m_type == Type::Failure; }
    // Redis answered and did not answer with an error.
    [[nodiscard]] bool isOk() const { return m_type != Type::Error && m_type != Type::Failure; }

    // The text of a status, error, string or failure; empty otherwise.
    [[nodiscard]] const QByteArray &bytes() const { return m_bytes; }
    // The bytes as UTF-8 text, a leading U+FEFF included (QString::fromUtf8 would drop it,
    // and a message may well begin with one).
    [[nodiscard]] QString text() const;
    [[nodiscard]] qint64 integer() const { return m_integer; }
    [[nodiscard]] const std::vector<RedisReply> &elements() const { return m_elements; }
    [[nodiscard]] std::vector<RedisReply> &elements() { return m_elements; }
    [[nodiscard]] qsizetype size() const { return qsizetype(m_elements.size()); }
    [[nodiscard]] const RedisReply &at(qsizetype i) const { return m_elements[std::size_t(i)]; }

    // For logs and test failure messages: a RESP-like one-line rendering.
    [[nodiscard]] QString describe() const;

    friend bool operator==(const RedisReply &, const RedisReply &) = default;

private:
    Type m_type = Type::Nil;
    qint64 m_integer = 0;
    QByteArray m_bytes;
    std::vector<RedisReply> m_elements;
};

} // namespace rill::redis
