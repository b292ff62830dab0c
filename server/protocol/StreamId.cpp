#include "StreamId.h"

#include <limits>

namespace rill::protocol {
namespace {

constexpr char16_t codeUnit(QChar c) { return c.unicode(); }
constexpr char16_t codeUnit(char c) { return static_cast<unsigned char>(c); }

template<typename View>
std::optional<quint64> parseDecimal(View digits)
{
    if (digits.isEmpty() || digits.size() > 20)
        return std::nullopt;
    quint64 value = 0;
    for (auto ch : digits) {
        const char16_t c = codeUnit(ch);
        if (c < u'0' || c > u'9')
            return std::nullopt;
        const quint64 d = c - u'0';
        if (value > (std::numeric_limits<quint64>::max() - d) / 10)
            return std::nullopt;
        value = value * 10 + d;
    }
    return value;
}

template<typename View>
std::optional<StreamId> parseId(View text)
{
    qsizetype dash = 0;
    while (dash < text.size() && text[dash] != u'-')
        ++dash;
    if (dash == text.size())
        return std::nullopt;
    const auto ms = parseDecimal(text.first(dash));
    const auto seq = parseDecimal(text.sliced(dash + 1));
    if (!ms || !seq)
        return std::nullopt;
    return StreamId{*ms, *seq};
}

} // namespace

std::optional<StreamId> StreamId::parse(QStringView text)
{
    return parseId(text);
}

std::optional<StreamId> StreamId::parse(QByteArrayView text)
{
    return parseId(text);
}

QString StreamId::toString() const
{
    return QString::number(ms) + u'-' + QString::number(seq);
}

QByteArray StreamId::toByteArray() const
{
    return QByteArray::number(ms) + '-' + QByteArray::number(seq);
}

} // namespace rill::protocol
