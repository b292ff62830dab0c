#pragma once

#include "Runner.h"

#include <QJsonObject>

#include <QCoro/QCoroTask>

namespace rill::load {

struct HistoryOptions {
    RunnerOptions runner; // a few clients, all in one channel (Population::fixedChannel)
    qint64 entries = 1'000'000;
    int queries = 1000;
    int pageSize = 100;
    int fillWindow = 256; // sends in flight per filling connection
};

// Fills one channel (through the protocol: the server's key layout is not documented yet,
// so writing to Redis behind its back is not an option) and times `history` pages: the
// newest page, and pages before random points of the log. Returns the report.
[[nodiscard]] QCoro::Task<QJsonObject> runHistoryBenchmark(HistoryOptions options);

} // namespace rill::load
