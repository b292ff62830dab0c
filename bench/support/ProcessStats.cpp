#include "ProcessStats.h"

#include <QFile>
#include <QSysInfo>

#include <ctime>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

namespace rill::bench {

using namespace Qt::StringLiterals;

namespace {

QByteArray readProcFile(const QString &path)
{
    // /proc files report a size of 0, so read until EOF rather than by size.
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

double seconds(const timeval &tv)
{
    return double(tv.tv_sec) + double(tv.tv_usec) / 1e6;
}

} // namespace

std::optional<ProcessSample> sampleProcess(qint64 pid)
{
    if (pid <= 0)
        return std::nullopt;
    const QString dir = u"/proc/"_s + QString::number(pid);
    const QByteArray stat = readProcFile(dir + u"/stat"_s);
    // The command name (field 2) is in parentheses and may itself contain spaces or ')':
    // count fields from the last ')'.
    const qsizetype close = stat.lastIndexOf(')');
    if (close < 0)
        return std::nullopt;
    const QList<QByteArray> fields = stat.mid(close + 2).split(' ');
    // After the name: state is field 3, so utime (14) and stime (15) are at 11 and 12 here.
    if (fields.size() < 13)
        return std::nullopt;
    static const double ticks = double(::sysconf(_SC_CLK_TCK));
    ProcessSample sample;
    sample.cpuSeconds = (fields[11].toDouble() + fields[12].toDouble()) / ticks;

    const QByteArray status = readProcFile(dir + u"/status"_s);
    for (const QByteArray &line : status.split('\n')) {
        if (line.startsWith("VmRSS:")) {
            const QList<QByteArray> parts = line.simplified().split(' ');
            if (parts.size() >= 2)
                sample.rssBytes = parts[1].toLongLong() * 1024; // reported in kB
            break;
        }
    }
    return sample;
}

double machineBusyCpuSeconds()
{
    const QByteArray stat = readProcFile(u"/proc/stat"_s);
    const QByteArray first = stat.left(stat.indexOf('\n'));
    const QList<QByteArray> fields = first.simplified().split(' ');
    if (fields.size() < 8 || fields[0] != "cpu")
        return 0;
    // user nice system idle iowait irq softirq steal ...
    double busy = 0;
    for (qsizetype i = 1; i < fields.size() && i <= 8; ++i) {
        if (i != 4 && i != 5)
            busy += fields[i].toDouble();
    }
    static const double ticks = double(::sysconf(_SC_CLK_TCK));
    return busy / ticks;
}

double loadAverage()
{
    return readProcFile(u"/proc/loadavg"_s).split(' ').value(0).toDouble();
}

double ownCpuSeconds()
{
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double childrenCpuSeconds()
{
    rusage usage{};
    ::getrusage(RUSAGE_CHILDREN, &usage);
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

QJsonObject MachineInfo::toJson() const
{
    return {{"cpus"_L1, cpus}, {"cpuModel"_L1, cpuModel}, {"kernel"_L1, kernel}};
}

MachineInfo machineInfo()
{
    MachineInfo info;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (::sched_getaffinity(0, sizeof(set), &set) == 0)
        info.cpus = CPU_COUNT(&set);
    const QByteArray cpuinfo = readProcFile(u"/proc/cpuinfo"_s);
    for (const QByteArray &line : cpuinfo.split('\n')) {
        if (line.startsWith("model name")) {
            info.cpuModel = QString::fromUtf8(line.mid(line.indexOf(':') + 1).trimmed());
            break;
        }
    }
    info.kernel = QSysInfo::kernelType() + u' ' + QSysInfo::kernelVersion();
    return info;
}

qint64 raiseOpenFilesLimit()
{
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return -1;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
        ::getrlimit(RLIMIT_NOFILE, &limit);
    }
    return qint64(limit.rlim_cur);
}

qint64 monotonicMicros()
{
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

} // namespace rill::bench
