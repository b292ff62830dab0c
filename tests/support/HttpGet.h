#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>

#include <chrono>

namespace rill::test {

struct HttpResult {
    int status = 0; // 0: no answer
    QByteArray contentType;
    QByteArray body;
};

// A GET to http://127.0.0.1:<port><path>, waited for on the event loop.
[[nodiscard]] HttpResult httpGet(quint16 port, const QString &path,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(5));

// A Prometheus text exposition (format 0.0.4) as sample -> value, keyed as written: `name` or
// `name{labels}`. With `problem`, also checks the format and says what is wrong in it (empty
// when it is valid): metric and label names, quoting, values, HELP/TYPE before the samples of
// each family and once, histograms' buckets cumulative, ending in +Inf equal to _count.
[[nodiscard]] QHash<QString, double> parseExposition(const QByteArray &text, QString *problem = nullptr);

// Scrapes /metrics and returns one sample (-1 when it is missing or the scrape failed).
[[nodiscard]] double scrape(quint16 port, const QString &sample);

} // namespace rill::test
