#pragma once

#include <chrono>

namespace rill::client {

// Exponential backoff with jitter: a server that restarts is not hit by every client at the
// same instant, and a server that stays down is asked less and less often.
class Backoff
{
public:
    Backoff(std::chrono::milliseconds first, std::chrono::milliseconds ceiling)
        : m_first(first)
        , m_ceiling(ceiling)
    {
    }

    // The delay before the next attempt: between half and all of first * 2^attempts, capped.
    [[nodiscard]] std::chrono::milliseconds next();
    void reset() { m_attempts = 0; }
    [[nodiscard]] int attempts() const { return m_attempts; }
    [[nodiscard]] std::chrono::milliseconds ceiling() const { return m_ceiling; }

private:
    std::chrono::milliseconds m_first;
    std::chrono::milliseconds m_ceiling;
    int m_attempts = 0;
};

} // namespace rill::client
