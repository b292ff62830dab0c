#pragma once

#include "ErrorCode.h"

#include <utility>
#include <variant>

namespace rill::protocol {

// A value or the contract error to answer with: what reading a frame's fields gives
// (`bad_request` naming the field) and what the server's storage gives (`internal`, never an
// exception), so whoever holds one has exactly one answer to give.
template<typename T>
class [[nodiscard]] Result
{
public:
    Result() : m_value(Error::of(ErrorCode::Internal)) {}
    Result(T value) : m_value(std::move(value)) {}
    Result(Error error) : m_value(std::move(error)) {}

    [[nodiscard]] bool ok() const { return std::holds_alternative<T>(m_value); }
    explicit operator bool() const { return ok(); }
    [[nodiscard]] const T &value() const & { return std::get<T>(m_value); }
    [[nodiscard]] T &value() & { return std::get<T>(m_value); }
    [[nodiscard]] T &&value() && { return std::get<T>(std::move(m_value)); }
    [[nodiscard]] const T &operator*() const & { return value(); }
    [[nodiscard]] T &&operator*() && { return std::move(*this).value(); }
    [[nodiscard]] const T *operator->() const { return &value(); }
    [[nodiscard]] const Error &error() const { return std::get<Error>(m_value); }

private:
    std::variant<T, Error> m_value;
};

} // namespace rill::protocol
