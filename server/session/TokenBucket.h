#pragma once

#include <QElapsedTimer>

#include <algorithm>

namespace rill::server {

// Sustained `rate` per second with bursts of `burst`. A rate of 0 lets everything through.
class TokenBucket
{
public:
    TokenBucket(double rate, double burst) : m_rate(rate), m_burst(burst), m_tokens(burst) { m_clock.start(); }

    [[nodiscard]] bool take()
    {
        if (m_rate <= 0)
            return true;
        const double elapsed = double(m_clock.restart()) / 1000.0;
        m_tokens = std::min(m_burst, m_tokens + elapsed * m_rate);
        if (m_tokens < 1.0)
            return false;
        m_tokens -= 1.0;
        return true;
    }

private:
    double m_rate;
    double m_burst;
    double m_tokens;
    QElapsedTimer m_clock;
};

} // namespace rill::server
