#pragma once

#include <QByteArray>
#include <QString>

#include <compare>
#include <optional>

namespace rill::protocol {

// A Redis stream entry ID, "<ms>-<seq>", which is also a Message ID on the wire.
// Ordered like Redis orders them, so clients and server sort and de-duplicate by value.
struct StreamId {
    quint64 ms = 0;
    quint64 seq = 0;

    [[nodiscard]] static std::optional<StreamId> parse(QStringView text);
    [[nodiscard]] static std::optional<StreamId> parse(QByteArrayView text);
    [[nodiscard]] QString toString() const;
    [[nodiscard]] QByteArray toByteArray() const;

    friend constexpr auto operator<=>(const StreamId &, const StreamId &) = default;
};

} // namespace rill::protocol
