#include "Params.h"

#include "protocol/Codec.h"

namespace rill::server::codec {

using namespace Qt::StringLiterals;

bool Params::has(QLatin1StringView key) const
{
    const QJsonValue v = m_request.value(key);
    return !v.isUndefined() && !v.isNull();
}

QString Params::string(QLatin1StringView key)
{
    const QJsonValue v = m_request.value(key);
    if (!v.isString()) {
        fail(u"\""_s + key + (v.isUndefined() ? u"\" is missing"_s : u"\" must be a string"_s));
        return {};
    }
    return v.toString();
}

std::optional<QString> Params::optionalString(QLatin1StringView key)
{
    const QJsonValue v = m_request.value(key);
    if (v.isUndefined() || v.isNull())
        return std::nullopt;
    if (!v.isString()) {
        fail(u"\""_s + key + u"\" must be a string"_s);
        return std::nullopt;
    }
    return v.toString();
}

qint64 Params::integer(QLatin1StringView key, qint64 fallback, qint64 min, qint64 max)
{
    const QJsonValue v = m_request.value(key);
    if (v.isUndefined() || v.isNull())
        return fallback;
    const auto n = protocol::exactInteger(v);
    if (!n || *n < min || *n > max) {
        fail(u"\""_s + key + u"\" must be an integer from "_s + QString::number(min) + u" to "_s
             + QString::number(max));
        return fallback;
    }
    return *n;
}

void Params::fail(QString message)
{
    if (!m_error)
        m_error = protocol::Error::of(protocol::ErrorCode::BadRequest, std::move(message));
}

} // namespace rill::server::codec
