#pragma once

#include <QJsonObject>
#include <QtGlobal>

#include <array>

namespace rill::load {

// Latencies in microseconds, counted in log-spaced buckets: 32 per power of two, so a
// percentile is off by at most about 3%, memory is fixed (about 9 KiB) whatever the rate, and
// histograms from several processes merge by adding counts.
class Histogram
{
public:
    void record(qint64 micros);
    void merge(const Histogram &other);

    [[nodiscard]] qint64 count() const { return m_count; }
    [[nodiscard]] qint64 min() const { return m_count ? m_min : 0; }
    [[nodiscard]] qint64 max() const { return m_max; }
    [[nodiscard]] double mean() const { return m_count ? double(m_sum) / double(m_count) : 0; }
    // The value below which `percent` of the samples lie (the upper edge of its bucket, never
    // above the largest sample).
    [[nodiscard]] qint64 percentile(double percent) const;

    // Sparse, lossless: for merging across processes.
    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Histogram fromJson(const QJsonObject &json);
    // For reports: count, mean and percentiles in milliseconds.
    [[nodiscard]] QJsonObject summaryMs() const;

private:
    static constexpr int kSubBits = 5;
    static constexpr int kSub = 1 << kSubBits;
    static constexpr int kMaxExponent = 40; // 2^41 us: 25 days, far beyond any latency
    static constexpr int kBuckets = (kMaxExponent - kSubBits + 2) * kSub;

    [[nodiscard]] static int bucketOf(qint64 micros);
    [[nodiscard]] static qint64 upperEdge(int bucket);

    std::array<qint64, kBuckets> m_counts{};
    qint64 m_count = 0;
    qint64 m_sum = 0;
    qint64 m_min = 0;
    qint64 m_max = 0;
};

} // namespace rill::load
