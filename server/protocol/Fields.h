#pragma once

#include "ErrorCode.h"
#include "Result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

// Typed reading of a JSON object's fields: a request's parameters, a reply's result, an event.
// Every accessor that fails records the first problem as a `bad_request` naming the field, so
// a fromJson reads everything it needs and then hands back the value or that one error.
namespace rill::protocol {

class FieldReader
{
public:
    explicit FieldReader(const QJsonObject &object) : m_object(object) {}

    // Present and not null.
    [[nodiscard]] bool has(QLatin1StringView key) const;
    // The raw value (undefined when absent), for fields of more than one type.
    [[nodiscard]] QJsonValue value(QLatin1StringView key) const { return m_object.value(key); }

    // A required string; a missing key or a non-string value is a bad_request.
    [[nodiscard]] QString string(QLatin1StringView key);
    // An optional string: absent (or null) gives nullopt; a non-string value is a bad_request.
    [[nodiscard]] std::optional<QString> optionalString(QLatin1StringView key);
    // A required message ID ("<ms>-<seq>").
    [[nodiscard]] QString messageId(QLatin1StringView key);
    [[nodiscard]] std::optional<QString> optionalMessageId(QLatin1StringView key);
    // A message ID or null (ChannelInfo's lastId/lastRead): empty for null or absent.
    [[nodiscard]] QString messageIdOrNull(QLatin1StringView key);
    // An optional integer within [min, max]; absent (or null) gives `fallback`.
    [[nodiscard]] qint64 integer(QLatin1StringView key, qint64 fallback, qint64 min, qint64 max);
    // A required integer within [min, max].
    [[nodiscard]] qint64 requiredInteger(QLatin1StringView key, qint64 min, qint64 max);
    [[nodiscard]] std::optional<qint64> optionalInteger(QLatin1StringView key, qint64 min, qint64 max);
    // A required or an optional true/false.
    [[nodiscard]] bool boolean(QLatin1StringView key);
    [[nodiscard]] std::optional<bool> optionalBoolean(QLatin1StringView key);
    // A nested object read by T::fromJson; its problem is reported inside this field's name.
    template<typename T>
    [[nodiscard]] T object(QLatin1StringView key);
    // An array of objects, each read by T::fromJson.
    template<typename T>
    [[nodiscard]] QList<T> list(QLatin1StringView key);
    // An array of strings.
    [[nodiscard]] QStringList stringList(QLatin1StringView key);

    void fail(QString message);
    [[nodiscard]] const std::optional<Error> &error() const { return m_error; }
    // `value`, or the first problem met while reading it.
    template<typename T>
    [[nodiscard]] Result<T> finish(T value) const
    {
        if (m_error)
            return *m_error;
        return value;
    }

    // The largest integer a JSON number holds exactly (2^53): the bound of counts and times.
    static constexpr qint64 kMaxInteger = qint64(1) << 53;

private:
    void failType(QLatin1StringView key, const QJsonValue &value, const char *expected);
    void failItemType(QLatin1StringView key, qsizetype index, const char *expected);
    // `index` < 0: the field itself is the nested object.
    void failNested(QLatin1StringView key, qsizetype index, const Error &inner);
    [[nodiscard]] QJsonArray array(QLatin1StringView key);

    const QJsonObject &m_object;
    std::optional<Error> m_error;
};

template<typename T>
T FieldReader::object(QLatin1StringView key)
{
    const QJsonValue v = m_object.value(key);
    if (!v.isObject()) {
        failType(key, v, "an object");
        return T{};
    }
    auto read = T::fromJson(v.toObject());
    if (!read) {
        failNested(key, -1, read.error());
        return T{};
    }
    return std::move(read).value();
}

template<typename T>
QList<T> FieldReader::list(QLatin1StringView key)
{
    QList<T> out;
    const QJsonArray items = array(key);
    out.reserve(items.size());
    for (qsizetype i = 0; i < items.size(); ++i) {
        if (!items[i].isObject()) {
            failItemType(key, i, "an object");
            return {};
        }
        auto read = T::fromJson(items[i].toObject());
        if (!read) {
            failNested(key, i, read.error());
            return {};
        }
        out.append(std::move(read).value());
    }
    return out;
}

} // namespace rill::protocol
