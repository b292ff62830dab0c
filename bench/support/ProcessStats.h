#pragma once

#include <QJsonObject>
#include <QString>
#include <QtGlobal>

#include <optional>

// What a benchmark needs to say about the machine and the processes it measured, so a reader
// can tell whether the server, Redis, or the measuring tool itself was the bottleneck.
namespace rill::bench {

struct ProcessSample {
    double cpuSeconds = 0; // user + system since the process started
    qint64 rssBytes = 0;   // resident set (VmRSS)
};

// From /proc/<pid>/stat and /proc/<pid>/status; nullopt when the process is gone or unreadable.
[[nodiscard]] std::optional<ProcessSample> sampleProcess(qint64 pid);

// The whole machine, from the first line of /proc/stat: CPU seconds spent busy (everything
// but idle and iowait), summed over all CPUs. Its rate next to the processes' rates shows how
// much of the machine something else was using during a measurement.
[[nodiscard]] double machineBusyCpuSeconds();
// The 1-minute load average.
[[nodiscard]] double loadAverage();

// This process (getrusage): user + system CPU seconds.
[[nodiscard]] double ownCpuSeconds();
// Waited-for children of this process (getrusage RUSAGE_CHILDREN).
[[nodiscard]] double childrenCpuSeconds();

struct MachineInfo {
    int cpus = 0;     // what nproc prints: CPUs this process may run on
    QString cpuModel; // first "model name" of /proc/cpuinfo
    QString kernel;

    [[nodiscard]] QJsonObject toJson() const;
};

[[nodiscard]] MachineInfo machineInfo();

// Raises RLIMIT_NOFILE's soft limit to the hard limit; returns the soft limit now in force.
qint64 raiseOpenFilesLimit();

// CLOCK_MONOTONIC in microseconds. Several processes compare these timestamps (a sender's
// time in a message against a receiver's clock in another worker): on Linux this clock is one
// system-wide clock, unlike std::chrono::steady_clock whose origin the standard leaves to each
// process, and unlike CLOCK_REALTIME it never jumps when NTP steps the wall clock.
[[nodiscard]] qint64 monotonicMicros();

} // namespace rill::bench
