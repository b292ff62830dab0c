#include "Histogram.h"

#include <QJsonArray>

#include <algorithm>
#include <bit>
#include <cmath>

namespace rill::load {

using namespace Qt::StringLiterals;

int Histogram::bucketOf(qint64 micros)
{
    const quint64 v = quint64(std::max<qint64>(micros, 0));
    if (v < quint64(kSub))
        return int(v); // exact below 32 us
    const int exponent = std::min(int(std::bit_width(v)) - 1, kMaxExponent);
    if (exponent == kMaxExponent && v >= (quint64(1) << (kMaxExponent + 1)))
        return kBuckets - 1;
    const int sub = int((v >> (exponent - kSubBits)) & quint64(kSub - 1));
    return (exponent - kSubBits + 1) * kSub + sub;
}

qint64 Histogram::upperEdge(int bucket)
{
    if (bucket < kSub)
        return bucket;
    const int exponent = bucket / kSub + kSubBits - 1;
    const int sub = bucket % kSub;
    return qint64((quint64(kSub + sub + 1) << (exponent - kSubBits)) - 1);
}

void Histogram::record(qint64 micros)
{
    micros = std::max<qint64>(micros, 0);
    ++m_counts[std::size_t(bucketOf(micros))];
    m_min = m_count ? std::min(m_min, micros) : micros;
    m_max = std::max(m_max, micros);
    ++m_count;
    m_sum += micros;
}

void Histogram::merge(const Histogram &other)
{
    if (!other.m_count)
        return;
    for (std::size_t i = 0; i < m_counts.size(); ++i)
        m_counts[i] += other.m_counts[i];
    m_min = m_count ? std::min(m_min, other.m_min) : other.m_min;
    m_max = std::max(m_max, other.m_max);
    m_count += other.m_count;
    m_sum += other.m_sum;
}

qint64 Histogram::percentile(double percent) const
{
    if (!m_count)
        return 0;
    const auto rank = std::max<qint64>(1, qint64(std::ceil(percent / 100.0 * double(m_count))));
    qint64 seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
        seen += m_counts[std::size_t(i)];
        if (seen >= rank)
            return std::min(upperEdge(i), m_max);
    }
    return m_max;
}

QJsonObject Histogram::toJson() const
{
    QJsonArray buckets;
    for (int i = 0; i < kBuckets; ++i) {
        if (m_counts[std::size_t(i)])
            buckets.append(QJsonArray{i, m_counts[std::size_t(i)]});
    }
    return {{"count"_L1, m_count}, {"sum"_L1, m_sum}, {"min"_L1, min()}, {"max"_L1, m_max}, {"buckets"_L1, buckets}};
}

Histogram Histogram::fromJson(const QJsonObject &json)
{
    Histogram h;
    for (const QJsonValue &pair : json.value("buckets"_L1).toArray()) {
        const QJsonArray a = pair.toArray();
        const int i = a.at(0).toInt(-1);
        if (i >= 0 && i < kBuckets)
            h.m_counts[std::size_t(i)] += a.at(1).toInteger();
    }
    h.m_count = json.value("count"_L1).toInteger();
    h.m_sum = json.value("sum"_L1).toInteger();
    h.m_min = json.value("min"_L1).toInteger();
    h.m_max = json.value("max"_L1).toInteger();
    return h;
}

QJsonObject Histogram::summaryMs() const
{
    auto ms = [](qint64 us) { return double(us) / 1000.0; };
    return {{"count"_L1, m_count},
            {"meanMs"_L1, mean() / 1000.0},
            {"p50Ms"_L1, ms(percentile(50))},
            {"p90Ms"_L1, ms(percentile(90))},
            {"p99Ms"_L1, ms(percentile(99))},
            {"p999Ms"_L1, ms(percentile(99.9))},
            {"maxMs"_L1, ms(m_max)}};
}

} // namespace rill::load
