#pragma once

#include <QByteArray>
#include <QList>

#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <utility>
#include <vector>

namespace rill::metrics {

// Metrics for a Prometheus scrape: counters, gauges and fixed-bucket histograms, rendered in
// the text exposition format 0.0.4.
//
// Single-threaded by design: every metric is counted on the event loop's thread, as is the
// scrape, so counting is a plain add (no atomics, no lock, no allocation). A metric with labels
// is one object per label set, made once when the registry is filled; the code that counts
// holds a reference to it and never looks anything up by name or builds a string per event.

class Counter
{
public:
    void inc(quint64 by = 1) { m_value += by; }
    [[nodiscard]] quint64 value() const { return m_value; }

private:
    quint64 m_value = 0;
};

class Gauge
{
public:
    void set(double value) { m_value = value; }
    void add(double by) { m_value += by; }
    [[nodiscard]] double value() const { return m_value; }

private:
    double m_value = 0;
};

// Buckets fixed at construction (upper bounds, ascending; +Inf is implied). Values in seconds
// (or whatever unit the name says); observe() is a search through a handful of bounds.
class Histogram
{
public:
    explicit Histogram(std::vector<double> upperBounds);

    void observe(double value);
    template<typename Rep, typename Period>
    void observe(std::chrono::duration<Rep, Period> elapsed)
    {
        observe(std::chrono::duration<double>(elapsed).count());
    }

    [[nodiscard]] const std::vector<double> &upperBounds() const { return m_bounds; }
    // Observations in bucket `i` alone (not cumulative); bucket bounds().size() is +Inf.
    [[nodiscard]] quint64 bucket(std::size_t i) const { return m_counts[i]; }
    [[nodiscard]] quint64 count() const { return m_count; }
    [[nodiscard]] double sum() const { return m_sum; }

private:
    std::vector<double> m_bounds;
    std::vector<quint64> m_counts;
    quint64 m_count = 0;
    double m_sum = 0;
};

// Label name/value pairs, e.g. {{"op", "send"}, {"code", "ok"}}.
using Labels = QList<std::pair<QByteArray, QByteArray>>;

// Owns every metric and renders them. Register at start-up; count from then on.
class Registry
{
public:
    Registry();
    ~Registry();
    Registry(const Registry &) = delete;
    Registry &operator=(const Registry &) = delete;

    // The same name with other labels adds a member to that family (help and type must agree).
    Counter &counter(const QByteArray &name, const QByteArray &help, const Labels &labels = {});
    Gauge &gauge(const QByteArray &name, const QByteArray &help, const Labels &labels = {});
    Histogram &histogram(const QByteArray &name, const QByteArray &help, std::vector<double> upperBounds,
                         const Labels &labels = {});
    // Values read at scrape time, for what another object already knows (a connection count,
    // the process's CPU time): nothing is counted twice and nothing to keep in step.
    void gaugeFunction(const QByteArray &name, const QByteArray &help, std::function<double()> read,
                       const Labels &labels = {});
    void counterFunction(const QByteArray &name, const QByteArray &help, std::function<double()> read,
                         const Labels &labels = {});

    // Runs before every scrape, e.g. to refresh several gauges from one walk over a structure.
    void onScrape(std::function<void()> refresh);

    // The text exposition format 0.0.4, families in registration order.
    [[nodiscard]] QByteArray exposition() const;
    static constexpr const char *contentType = "text/plain; version=0.0.4; charset=utf-8";

    // Bounds in seconds from 0.1 ms to 10 s: a delivery here takes a few ms, a stall seconds.
    [[nodiscard]] static std::vector<double> latencyBuckets();

private:
    struct Family;
    Family &family(const QByteArray &name, const QByteArray &help, int type);

    std::vector<std::unique_ptr<Family>> m_families;
    std::vector<std::function<void()>> m_refreshers;
};

// Escapes a label value as the exposition format wants (\\, \", \n).
[[nodiscard]] QByteArray escapeLabelValue(const QByteArray &value);

} // namespace rill::metrics
