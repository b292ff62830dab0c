#include "Participants.h"

#include "support/ProcessStats.h"

#include <QCoro/QCoroProcess>
#include <QCoro/QCoroSignal>
#include <QCoro/QCoroTimer>
#include <QJsonDocument>
#include <QTimer>

#include <cerrno>
#include <cstdio>
#include <unistd.h>

namespace rill::load {

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

QByteArray compactJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

void writeLine(const QByteArray &tag, const QJsonObject &body)
{
    const QByteArray line = tag + ' ' + compactJson(body) + '\n';
    std::fwrite(line.constData(), 1, std::size_t(line.size()), stdout);
    std::fflush(stdout);
}

} // namespace

void LineQueue::append(const QByteArray &bytes)
{
    m_partial += bytes;
    qsizetype newline = m_partial.indexOf('\n');
    if (newline < 0)
        return;
    while (newline >= 0) {
        m_lines.enqueue(m_partial.left(newline));
        m_partial.remove(0, newline + 1);
        newline = m_partial.indexOf('\n');
    }
    Q_EMIT changed();
}

void LineQueue::finish()
{
    m_finished = true;
    Q_EMIT changed();
}

QCoro::Task<std::optional<QByteArray>> LineQueue::next(std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (m_lines.isEmpty() && !m_finished) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left <= 0ms)
            co_return std::nullopt;
        auto changedOrTimeout = qCoro(this, &LineQueue::changed, left);
        co_await changedOrTimeout;
    }
    if (m_lines.isEmpty())
        co_return std::nullopt;
    co_return m_lines.dequeue();
}

StdinLines::StdinLines(QObject *parent)
    : QObject(parent)
    , m_notifier(STDIN_FILENO, QSocketNotifier::Read)
{
    connect(&m_notifier, &QSocketNotifier::activated, this, &StdinLines::readAvailable);
}

void StdinLines::readAvailable()
{
    char buffer[4096];
    const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (n > 0) {
        m_lines.append(QByteArray(buffer, qsizetype(n)));
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        m_notifier.setEnabled(false); // end of file: the parent is gone or done with us
        m_lines.finish();
    }
}

LocalParticipant::LocalParticipant(RunnerOptions options)
    : m_runner(std::move(options))
{
}

QCoro::Task<std::optional<PrepareResult>> LocalParticipant::prepare()
{
    const PrepareResult result = co_await m_runner.prepare();
    co_return result;
}

QCoro::Task<std::optional<PhaseStats>> LocalParticipant::runPhase(PhaseSpec spec)
{
    const PhaseStats stats = co_await m_runner.runPhase(spec);
    co_return stats;
}

QCoro::Task<QJsonObject> LocalParticipant::finish()
{
    const QJsonObject tokens = m_runner.tokens();
    m_runner.closeAll();
    co_return tokens;
}

WorkerParticipant::WorkerParticipant(const QString &program, const QStringList &arguments, QString name)
    : m_name(std::move(name))
{
    m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    QObject::connect(&m_process, &QProcess::readyReadStandardOutput, &m_lines,
                     [this] { m_lines.append(m_process.readAllStandardOutput()); });
    QObject::connect(&m_process, &QProcess::finished, &m_lines, [this] {
        m_lines.append(m_process.readAllStandardOutput());
        m_lines.finish();
    });
    QObject::connect(&m_process, &QProcess::errorOccurred, &m_lines, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            m_lines.finish();
    });
    m_process.start(program, arguments);
}

WorkerParticipant::~WorkerParticipant()
{
    QObject::disconnect(&m_process, nullptr, &m_lines, nullptr);
    // finish() normally saw it exit; this is the error path, where waiting is pointless.
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(1000);
    }
}

QCoro::Task<std::optional<QJsonObject>> WorkerParticipant::expect(QByteArray tag, std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        const std::optional<QByteArray> line = co_await m_lines.next(std::max(left, 0ms));
        if (!line) {
            std::fprintf(stderr, "%s: no %s from the worker (%s)\n", qPrintable(m_name), tag.constData(),
                         m_process.state() == QProcess::NotRunning ? "it exited" : "timed out");
            co_return std::nullopt;
        }
        if (!line->startsWith(QByteArray(tag + ' ')))
            continue; // not part of the conversation
        const QJsonDocument doc = QJsonDocument::fromJson(line->mid(tag.size() + 1));
        if (!doc.isObject())
            co_return std::nullopt;
        co_return doc.object();
    }
}

QCoro::Task<std::optional<PrepareResult>> WorkerParticipant::prepare()
{
    // Setting up thousands of accounts (argon2id on the server) can take many minutes.
    const auto ready = co_await expect("READY", 6h);
    if (!ready)
        co_return std::nullopt;
    co_return PrepareResult::fromJson(*ready);
}

QCoro::Task<std::optional<PhaseStats>> WorkerParticipant::runPhase(PhaseSpec spec)
{
    m_process.write("PHASE " + compactJson(spec.toJson()) + '\n');
    const qint64 phaseMicros = spec.drainUntil - bench::monotonicMicros();
    const auto result = co_await expect("RESULT", std::chrono::milliseconds(phaseMicros / 1000) + 60s);
    if (!result)
        co_return std::nullopt;
    co_return PhaseStats::fromJson(*result);
}

QCoro::Task<QJsonObject> WorkerParticipant::finish()
{
    if (m_process.state() == QProcess::NotRunning)
        co_return QJsonObject{};
    m_process.write("END\n");
    const auto done = co_await expect("DONE", 60s);
    auto process = qCoro(m_process);
    co_await process.waitForFinished(10s);
    co_return done ? done->value("tokens"_L1).toObject() : QJsonObject{};
}

QCoro::Task<int> serveAsWorker(RunnerOptions options)
{
    StdinLines input;
    Runner runner(std::move(options));
    const PrepareResult prepared = co_await runner.prepare();
    writeLine("READY", prepared.toJson());
    for (;;) {
        const std::optional<QByteArray> line = co_await input.lines().next(24h);
        if (!line) {
            runner.closeAll();
            co_return 1; // the coordinator went away
        }
        if (line->startsWith("PHASE ")) {
            const PhaseSpec spec = PhaseSpec::fromJson(QJsonDocument::fromJson(line->mid(6)).object());
            const PhaseStats stats = co_await runner.runPhase(spec);
            writeLine("RESULT", stats.toJson());
        } else if (line->trimmed() == "END") {
            writeLine("DONE", QJsonObject{{"tokens"_L1, runner.tokens()}});
            runner.closeAll();
            co_await QCoro::sleepFor(200ms); // let the close frames go out
            co_return 0;
        }
    }
}

} // namespace rill::load
