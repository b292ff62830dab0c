#pragma once

#include "Runner.h"

#include "redis/RedisEndpoint.h"

#include <QJsonObject>

#include <optional>

#include <QCoro/QCoroTask>

namespace rill::load {

struct HistoryOptions {
    RunnerOptions runner; // a few clients, all in one channel (Population::fixedChannel)
    qint64 entries = 1'000'000;
    int queries = 1000;
    int pageSize = 100;
    int fillWindow = 256; // sends in flight per filling connection
    // Set: fill by pipelined XADDs straight into the channel's log in this Redis, in the
    // entry format of docs/storage.md (seconds instead of minutes for a million entries).
    // Unset: fill through the protocol with `send`, which needs the server's rate limit off.
    std::optional<redis::RedisEndpoint> redis;
    int redisWindow = 1000;
};

// Fills one channel and times `history` pages: the newest page, and pages before random
// points of the log. Returns the report.
[[nodiscard]] QCoro::Task<QJsonObject> runHistoryBenchmark(HistoryOptions options);

} // namespace rill::load
