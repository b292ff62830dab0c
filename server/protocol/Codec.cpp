#include "Codec.h"

#include <QJsonDocument>
#include <QJsonParseError>

#include <cctype>
#include <cmath>

namespace rill::protocol {
namespace {

using namespace Qt::StringLiterals;

constexpr double kMaxExactInteger = 9007199254740992.0; // 2^53

// Qt 6.4's JSON reader drops a raw U+FEFF at the start of a string value (and QJsonDocument
// writes U+FEFF raw), so a text beginning with a byte-order mark would lose it on either end.
// Both directions use the escape instead; a raw BOM can only stand inside a string in valid JSON.
constexpr QByteArrayView kRawBom = "\xEF\xBB\xBF";
constexpr QByteArrayView kEscapedBom = "\\ufeff";

QByteArray compact(const QJsonObject &object)
{
    QByteArray json = QJsonDocument(object).toJson(QJsonDocument::Compact);
    if (json.contains(kRawBom))
        json.replace(kRawBom, kEscapedBom);
    return json;
}

// Qt's reader also accepts escapes RFC 8259 does not (\p, \l, ...); such a frame is not JSON.
bool hasInvalidEscape(QByteArrayView json)
{
    bool inString = false;
    for (qsizetype i = 0; i < json.size(); ++i) {
        const char c = json[i];
        if (!inString) {
            inString = c == '"';
            continue;
        }
        if (c == '"') {
            inString = false;
        } else if (c == '\\') {
            if (++i >= json.size())
                return true;
            const char e = json[i];
            if (e == 'u') {
                if (i + 4 >= json.size())
                    return true;
                for (qsizetype k = 1; k <= 4; ++k) {
                    if (!std::isxdigit(static_cast<unsigned char>(json[i + k])))
                        return true;
                }
                i += 4;
            } else if (QByteArrayView("\"\\/bfnrt").indexOf(e) < 0) {
                return true;
            }
        }
    }
    return false;
}

std::optional<QJsonObject> parseObject(QByteArrayView frame, QString *problem)
{
    QByteArray text = frame.toByteArray();
    if (text.contains('\\') && hasInvalidEscape(text)) {
        *problem = u"invalid JSON: invalid escape sequence"_s;
        return std::nullopt;
    }
    if (text.contains(kRawBom))
        text.replace(kRawBom, kEscapedBom);
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(text, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *problem = u"invalid JSON: "_s + parseError.errorString();
        return std::nullopt;
    }
    if (!doc.isObject()) {
        *problem = u"a frame must be a JSON object"_s;
        return std::nullopt;
    }
    return doc.object();
}

} // namespace

std::optional<qint64> exactInteger(const QJsonValue &value)
{
    if (!value.isDouble())
        return std::nullopt;
    const double d = value.toDouble();
    if (!std::isfinite(d) || std::trunc(d) != d || std::fabs(d) > kMaxExactInteger)
        return std::nullopt;
    return static_cast<qint64>(d);
}

std::variant<Request, RejectedFrame> decodeRequest(QByteArrayView frame)
{
    QString problem;
    auto object = parseObject(frame, &problem);
    if (!object)
        return RejectedFrame{QJsonValue::Null, Error::of(ErrorCode::BadRequest, problem)};

    const QJsonValue id = object->value("id"_L1);
    if (!exactInteger(id)) {
        return RejectedFrame{QJsonValue::Null,
                             Error::of(ErrorCode::BadRequest, u"\"id\" must be an integer"_s)};
    }
    const QJsonValue op = object->value("op"_L1);
    if (!op.isString())
        return RejectedFrame{id, Error::of(ErrorCode::BadRequest, u"\"op\" must be a string"_s)};

    return Request{id, op.toString(), std::move(*object)};
}

QByteArray encodeRequest(qint64 id, QLatin1StringView op, QJsonObject params)
{
    params.insert("id"_L1, id);
    params.insert("op"_L1, op);
    return compact(params);
}

QByteArray encodeReply(const QJsonValue &re, QJsonObject result)
{
    result.insert("re"_L1, re);
    result.insert("ok"_L1, true);
    return compact(result);
}

QByteArray encodeError(const QJsonValue &re, const Error &error)
{
    QJsonObject reply{
        {"re"_L1, re},
        {"ok"_L1, false},
        {"error"_L1, errorCodeName(error.code)},
        {"message"_L1, error.message},
    };
    if (error.retryAfter)
        reply.insert("retryAfter"_L1, *error.retryAfter);
    return compact(reply);
}

QByteArray encodeEvent(QLatin1StringView event, QJsonObject fields)
{
    fields.insert("ev"_L1, event);
    return compact(fields);
}

std::optional<ServerFrame> decodeServerFrame(QByteArrayView frame)
{
    QString problem;
    auto object = parseObject(frame, &problem);
    if (!object)
        return std::nullopt;

    ServerFrame out;
    if (object->contains("ev"_L1)) {
        if (!object->value("ev"_L1).isString())
            return std::nullopt;
        out.type = ServerFrame::Type::Event;
        out.event = object->value("ev"_L1).toString();
    } else {
        if (!object->contains("re"_L1) || !object->value("ok"_L1).isBool())
            return std::nullopt;
        out.type = ServerFrame::Type::Reply;
        out.re = object->value("re"_L1);
        out.ok = object->value("ok"_L1).toBool();
        if (!out.ok) {
            out.errorName = object->value("error"_L1).toString();
            out.error = errorCodeFromName(out.errorName);
            out.message = object->value("message"_L1).toString();
            out.retryAfter = exactInteger(object->value("retryAfter"_L1));
        }
    }
    out.body = std::move(*object);
    return out;
}

} // namespace rill::protocol
