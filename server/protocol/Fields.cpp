#include "Fields.h"

#include "Codec.h"
#include "StreamId.h"

namespace rill::protocol {

using namespace Qt::StringLiterals;

namespace {
QString quoted(QLatin1StringView key)
{
    return u'"' + key + u'"';
}
} // namespace

bool FieldReader::has(QLatin1StringView key) const
{
    const QJsonValue v = m_object.value(key);
    return !v.isUndefined() && !v.isNull();
}

QString FieldReader::string(QLatin1StringView key)
{
    const QJsonValue v = m_object.value(key);
    if (!v.isString()) {
        failType(key, v, "a string");
        return {};
    }
    return v.toString();
}

std::optional<QString> FieldReader::optionalString(QLatin1StringView key)
{
    if (!has(key))
        return std::nullopt;
    const QJsonValue v = m_object.value(key);
    if (!v.isString()) {
        failType(key, v, "a string");
        return std::nullopt;
    }
    return v.toString();
}

QString FieldReader::messageId(QLatin1StringView key)
{
    const QJsonValue v = m_object.value(key);
    if (!v.isString()) {
        failType(key, v, "a string");
        return {};
    }
    if (!StreamId::parse(v.toString()))
        fail(quoted(key) + u" must be a message ID"_s);
    return v.toString();
}

std::optional<QString> FieldReader::optionalMessageId(QLatin1StringView key)
{
    if (!has(key))
        return std::nullopt;
    return messageId(key);
}

QString FieldReader::messageIdOrNull(QLatin1StringView key)
{
    const QJsonValue v = m_object.value(key);
    if (v.isNull() || v.isUndefined())
        return {};
    if (!v.isString() || !StreamId::parse(v.toString())) {
        fail(quoted(key) + u" must be a message ID or null"_s);
        return {};
    }
    return v.toString();
}

qint64 FieldReader::integer(QLatin1StringView key, qint64 fallback, qint64 min, qint64 max)
{
    return optionalInteger(key, min, max).value_or(fallback);
}

qint64 FieldReader::requiredInteger(QLatin1StringView key, qint64 min, qint64 max)
{
    if (!has(key)) {
        fail(quoted(key) + u" is missing"_s);
        return min;
    }
    return optionalInteger(key, min, max).value_or(min);
}

std::optional<qint64> FieldReader::optionalInteger(QLatin1StringView key, qint64 min, qint64 max)
{
    if (!has(key))
        return std::nullopt;
    const auto n = exactInteger(m_object.value(key));
    if (!n || *n < min || *n > max) {
        fail(quoted(key) + u" must be an integer from "_s + QString::number(min) + u" to "_s + QString::number(max));
        return std::nullopt;
    }
    return n;
}

bool FieldReader::boolean(QLatin1StringView key)
{
    const QJsonValue v = m_object.value(key);
    if (!v.isBool()) {
        failType(key, v, "true or false");
        return false;
    }
    return v.toBool();
}

std::optional<bool> FieldReader::optionalBoolean(QLatin1StringView key)
{
    if (!has(key))
        return std::nullopt;
    return boolean(key);
}

QStringList FieldReader::stringList(QLatin1StringView key)
{
    QStringList out;
    const QJsonArray items = array(key);
    out.reserve(items.size());
    for (qsizetype i = 0; i < items.size(); ++i) {
        if (!items[i].isString()) {
            failItemType(key, i, "a string");
            return {};
        }
        out.append(items[i].toString());
    }
    return out;
}

QJsonArray FieldReader::array(QLatin1StringView key)
{
    const QJsonValue v = m_object.value(key);
    if (!v.isArray()) {
        failType(key, v, "an array");
        return {};
    }
    return v.toArray();
}

void FieldReader::fail(QString message)
{
    if (!m_error)
        m_error = Error::of(ErrorCode::BadRequest, std::move(message));
}

void FieldReader::failType(QLatin1StringView key, const QJsonValue &value, const char *expected)
{
    if (value.isUndefined())
        fail(quoted(key) + u" is missing"_s);
    else
        fail(quoted(key) + u" must be "_s + QLatin1StringView(expected));
}

void FieldReader::failItemType(QLatin1StringView key, qsizetype index, const char *expected)
{
    fail(quoted(key) + u'[' + QString::number(index) + u"] must be "_s + QLatin1StringView(expected));
}

void FieldReader::failNested(QLatin1StringView key, qsizetype index, const Error &inner)
{
    const QString where = index < 0 ? quoted(key) : quoted(key) + u'[' + QString::number(index) + u']';
    fail(u"in "_s + where + u": "_s + inner.message);
}

} // namespace rill::protocol
