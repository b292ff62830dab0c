// Message IDs arrive from clients (before/after/upTo) and from Redis: both parsers, and the
// round trip of whatever parses.
#include "protocol/StreamId.h"

#include <QString>

#include <cstddef>
#include <cstdint>

using rill::protocol::StreamId;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto fromBytes = StreamId::parse(bytes);
    const QString text = QString::fromUtf8(bytes);
    const auto fromText = StreamId::parse(QStringView(text));
    if (fromBytes) {
        if (StreamId::parse(fromBytes->toString()) != fromBytes || StreamId::parse(fromBytes->toByteArray()) != fromBytes)
            __builtin_trap(); // an ID must survive printing and reading back
        if (fromText != fromBytes)
            __builtin_trap(); // ASCII digits read the same either way
    }
    return 0;
}
