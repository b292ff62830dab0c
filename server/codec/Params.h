#pragma once

#include "protocol/ErrorCode.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace rill::server::codec {

// Typed access to a request's parameters. Each accessor that fails records the first problem
// as a bad_request, so a handler reads everything it needs and then checks error() once.
class Params
{
public:
    explicit Params(const QJsonObject &request) : m_request(request) {}

    [[nodiscard]] bool has(QLatin1StringView key) const;
    // A required string; a missing key or a non-string value is a bad_request.
    [[nodiscard]] QString string(QLatin1StringView key);
    // An optional string: absent (or null) gives nullopt; a non-string value is a bad_request.
    [[nodiscard]] std::optional<QString> optionalString(QLatin1StringView key);
    // An optional integer within [min, max]; absent gives `fallback`.
    [[nodiscard]] qint64 integer(QLatin1StringView key, qint64 fallback, qint64 min, qint64 max);
    // The raw value (undefined when absent), for parameters of more than one type.
    [[nodiscard]] QJsonValue value(QLatin1StringView key) const { return m_request.value(key); }

    void fail(QString message);
    [[nodiscard]] const std::optional<protocol::Error> &error() const { return m_error; }

private:
    const QJsonObject &m_request;
    std::optional<protocol::Error> m_error;
};

} // namespace rill::server::codec
