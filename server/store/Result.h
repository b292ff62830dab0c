#pragma once

#include "protocol/ErrorCode.h"

#include <variant>

namespace rill::store {

// A value or the contract error to answer with. Storage failures arrive here as `internal`,
// never as exceptions, so a handler always has exactly one reply to give.
template<typename T>
class [[nodiscard]] Result
{
public:
    Result() : m_value(protocol::Error::of(protocol::ErrorCode::Internal)) {}
    Result(T value) : m_value(std::move(value)) {}
    Result(protocol::Error error) : m_value(std::move(error)) {}

    [[nodiscard]] bool ok() const { return std::holds_alternative<T>(m_value); }
    explicit operator bool() const { return ok(); }
    [[nodiscard]] const T &value() const & { return std::get<T>(m_value); }
    [[nodiscard]] T &value() & { return std::get<T>(m_value); }
    [[nodiscard]] T &&value() && { return std::get<T>(std::move(m_value)); }
    [[nodiscard]] const protocol::Error &error() const { return std::get<protocol::Error>(m_value); }

private:
    std::variant<T, protocol::Error> m_value;
};

// The value of a Result that has nothing to say but "done".
struct Done {};

} // namespace rill::store
