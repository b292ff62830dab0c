#include "Registry.h"

#include <QLocale>
#include <QtGlobal>

#include <algorithm>
#include <cmath>

namespace rill::metrics {

namespace {

enum Type { CounterType, GaugeType, HistogramType };

const char *typeName(int type)
{
    switch (type) {
    case CounterType:
        return "counter";
    case GaugeType:
        return "gauge";
    default:
        return "histogram";
    }
}

QByteArray renderLabels(const Labels &labels)
{
    QByteArray out;
    for (const auto &[name, value] : labels) {
        if (!out.isEmpty())
            out += ',';
        out += name + "=\"" + escapeLabelValue(value) + '"';
    }
    return out;
}

// Go's strconv.FormatFloat(v, 'g', -1, 64) is what Prometheus writes; shortest round-trip
// digits are what matter, and integers stay integers.
QByteArray number(double value)
{
    if (std::isnan(value))
        return "NaN";
    if (std::isinf(value))
        return value > 0 ? "+Inf" : "-Inf";
    if (value == std::floor(value) && std::abs(value) < 1e15)
        return QByteArray::number(qint64(value));
    // Plain decimals where Go would write them ("0.0001", not "1e-04"), exponents beyond.
    const double magnitude = std::abs(value);
    return QByteArray::number(value, magnitude >= 1e-4 && magnitude < 1e21 ? 'f' : 'g', QLocale::FloatingPointShortest);
}

void sample(QByteArray &out, const QByteArray &name, const QByteArray &labels, const QByteArray &value)
{
    out += name;
    if (!labels.isEmpty())
        out += '{' + labels + '}';
    out += ' ' + value + '\n';
}

} // namespace

QByteArray escapeLabelValue(const QByteArray &value)
{
    QByteArray out;
    out.reserve(value.size());
    for (const char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

Histogram::Histogram(std::vector<double> upperBounds)
    : m_bounds(std::move(upperBounds))
    , m_counts(m_bounds.size() + 1, 0)
{
    std::sort(m_bounds.begin(), m_bounds.end());
}

void Histogram::observe(double value)
{
    const auto at = std::lower_bound(m_bounds.cbegin(), m_bounds.cend(), value) - m_bounds.cbegin();
    ++m_counts[std::size_t(at)];
    ++m_count;
    m_sum += value;
}

struct Registry::Family {
    struct Member {
        QByteArray labels; // rendered once: name="value",...
        std::unique_ptr<Counter> counter;
        std::unique_ptr<Gauge> gauge;
        std::unique_ptr<Histogram> histogram;
        std::function<double()> read;
    };

    QByteArray name;
    QByteArray help;
    int type = CounterType;
    std::vector<Member> members;
};

Registry::Registry() = default;
Registry::~Registry() = default;

Registry::Family &Registry::family(const QByteArray &name, const QByteArray &help, int type)
{
    const auto found = std::find_if(m_families.begin(), m_families.end(), [&](const auto &f) { return f->name == name; });
    if (found != m_families.end()) {
        if ((*found)->type != type)
            qFatal("metric %s registered twice with different types", name.constData());
        return **found;
    }
    auto made = std::make_unique<Family>();
    made->name = name;
    made->help = help;
    made->type = type;
    m_families.push_back(std::move(made));
    return *m_families.back();
}

Counter &Registry::counter(const QByteArray &name, const QByteArray &help, const Labels &labels)
{
    auto &f = family(name, help, CounterType);
    f.members.push_back({renderLabels(labels), std::make_unique<Counter>(), {}, {}, {}});
    return *f.members.back().counter;
}

Gauge &Registry::gauge(const QByteArray &name, const QByteArray &help, const Labels &labels)
{
    auto &f = family(name, help, GaugeType);
    f.members.push_back({renderLabels(labels), {}, std::make_unique<Gauge>(), {}, {}});
    return *f.members.back().gauge;
}

Histogram &Registry::histogram(const QByteArray &name, const QByteArray &help, std::vector<double> upperBounds,
                               const Labels &labels)
{
    auto &f = family(name, help, HistogramType);
    f.members.push_back({renderLabels(labels), {}, {}, std::make_unique<Histogram>(std::move(upperBounds)), {}});
    return *f.members.back().histogram;
}

void Registry::gaugeFunction(const QByteArray &name, const QByteArray &help, std::function<double()> read,
                             const Labels &labels)
{
    family(name, help, GaugeType).members.push_back({renderLabels(labels), {}, {}, {}, std::move(read)});
}

void Registry::counterFunction(const QByteArray &name, const QByteArray &help, std::function<double()> read,
                               const Labels &labels)
{
    family(name, help, CounterType).members.push_back({renderLabels(labels), {}, {}, {}, std::move(read)});
}

void Registry::onScrape(std::function<void()> refresh)
{
    m_refreshers.push_back(std::move(refresh));
}

QByteArray Registry::exposition() const
{
    for (const auto &refresh : m_refreshers)
        refresh();
    QByteArray out;
    out.reserve(16 * 1024);
    for (const auto &f : m_families) {
        out += "# HELP " + f->name + ' ' + f->help + '\n';
        out += "# TYPE " + f->name + ' ' + typeName(f->type) + '\n';
        for (const auto &m : f->members) {
            if (m.read) {
                sample(out, f->name, m.labels, number(m.read()));
            } else if (m.counter) {
                sample(out, f->name, m.labels, QByteArray::number(m.counter->value()));
            } else if (m.gauge) {
                sample(out, f->name, m.labels, number(m.gauge->value()));
            } else if (m.histogram) {
                const Histogram &h = *m.histogram;
                const QByteArray prefix = m.labels.isEmpty() ? QByteArray() : m.labels + ',';
                quint64 cumulative = 0;
                for (std::size_t i = 0; i <= h.upperBounds().size(); ++i) {
                    cumulative += h.bucket(i);
                    const QByteArray le = i < h.upperBounds().size() ? number(h.upperBounds()[i]) : "+Inf";
                    sample(out, f->name + "_bucket", prefix + "le=\"" + le + '"', QByteArray::number(cumulative));
                }
                sample(out, f->name + "_sum", m.labels, number(h.sum()));
                sample(out, f->name + "_count", m.labels, QByteArray::number(h.count()));
            }
        }
    }
    return out;
}

std::vector<double> Registry::latencyBuckets()
{
    return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

} // namespace rill::metrics
