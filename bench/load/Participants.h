#pragma once

#include "PhaseStats.h"
#include "Runner.h"

#include <QByteArray>
#include <QJsonObject>
#include <QObject>
#include <QProcess>
#include <QQueue>
#include <QSocketNotifier>
#include <QStringList>

#include <QCoro/QCoroTask>

#include <chrono>
#include <memory>
#include <optional>

namespace rill::load {

// Lines arriving from a pipe (a worker's stdout, or a worker's own stdin), for a coroutine
// to await one at a time.
class LineQueue : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    void append(const QByteArray &bytes);
    void finish(); // the pipe closed: no more lines
    // The next line, or nullopt at the end of the pipe or after `timeout`.
    [[nodiscard]] QCoro::Task<std::optional<QByteArray>> next(std::chrono::milliseconds timeout);

Q_SIGNALS:
    void changed();

private:
    QByteArray m_partial;
    QQueue<QByteArray> m_lines;
    bool m_finished = false;
};

// Feeds this process's stdin into a LineQueue without ever blocking the event loop.
class StdinLines : public QObject
{
    Q_OBJECT

public:
    explicit StdinLines(QObject *parent = nullptr);
    [[nodiscard]] LineQueue &lines() { return m_lines; }

private:
    void readAvailable();

    LineQueue m_lines;
    QSocketNotifier m_notifier;
};

// A share of the clients, in this process or in a worker process. The coordinator drives
// all of them the same way and merges what they report.
class Participant
{
public:
    virtual ~Participant() = default;
    [[nodiscard]] virtual QCoro::Task<std::optional<PrepareResult>> prepare() = 0;
    [[nodiscard]] virtual QCoro::Task<std::optional<PhaseStats>> runPhase(PhaseSpec spec) = 0;
    // Disconnects; returns user -> token for the token cache.
    [[nodiscard]] virtual QCoro::Task<QJsonObject> finish() = 0;
};

class LocalParticipant final : public Participant
{
public:
    explicit LocalParticipant(RunnerOptions options);
    QCoro::Task<std::optional<PrepareResult>> prepare() override;
    QCoro::Task<std::optional<PhaseStats>> runPhase(PhaseSpec spec) override;
    QCoro::Task<QJsonObject> finish() override;

private:
    Runner m_runner;
};

// A copy of rill-load started with --worker-slot, spoken to over its stdin and stdout:
//   worker: READY <prepare json>     parent: PHASE <spec json>
//   worker: RESULT <stats json>      parent: END
//   worker: DONE <tokens json>
// Its stderr (progress, warnings) passes straight through to ours.
class WorkerParticipant final : public Participant
{
public:
    WorkerParticipant(const QString &program, const QStringList &arguments, QString name);
    ~WorkerParticipant() override;
    QCoro::Task<std::optional<PrepareResult>> prepare() override;
    QCoro::Task<std::optional<PhaseStats>> runPhase(PhaseSpec spec) override;
    QCoro::Task<QJsonObject> finish() override;

private:
    [[nodiscard]] QCoro::Task<std::optional<QJsonObject>> expect(QByteArray tag, std::chrono::milliseconds timeout);

    QString m_name;
    QProcess m_process;
    LineQueue m_lines;
};

// The worker's side of that conversation; returns the process exit code.
[[nodiscard]] QCoro::Task<int> serveAsWorker(RunnerOptions options);

} // namespace rill::load
