#include "Backoff.h"

#include <QRandomGenerator>

#include <algorithm>

namespace rill::client {

std::chrono::milliseconds Backoff::next()
{
    const int doublings = std::min(m_attempts, 20);
    ++m_attempts;
    const auto full = std::min<qint64>(m_first.count() << doublings, m_ceiling.count());
    const qint64 half = full / 2;
    const qint64 jitter = half > 0 ? QRandomGenerator::global()->bounded(half + 1) : 0;
    return std::chrono::milliseconds(full - half + jitter);
}

} // namespace rill::client
