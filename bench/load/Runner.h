#pragma once

#include "LoadClient.h"
#include "PhaseStats.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>
#include <QUrl>

#include <QCoro/QCoroTask>

#include <chrono>
#include <memory>
#include <queue>
#include <vector>

namespace rill::load {

// The population a process simulates. Client i (over the whole run, all processes) is user
// "<userPrefix>-<i>" (or "<userPrefix>-<i % users>" with --users), in channel
// "<channelPrefix>-<i % channels>"; the same names every run, so accounts (argon2id-hashed,
// slow to make) are reused.
struct Population {
    QList<QUrl> urls;      // the members of each channel alternate between these
    int totalClients = 0;
    int users = 0;         // > 0: client i is user i % users (several sessions per user)
    int first = 0;         // this process's clients are [first, end)
    int end = 0;
    int channels = 0;      // 0: the clients join no channel (idle connections)
    double senderShare = 1.0;
    QString userPrefix;
    QString password;
    QString channelPrefix;
    QString fixedChannel; // set: every client is in this one channel (the history benchmark)

    [[nodiscard]] QString userName(int i) const;
    [[nodiscard]] int channelOf(int i) const { return channels > 0 ? i % channels : -1; }
    [[nodiscard]] QString channelName(int channel) const;
    [[nodiscard]] qsizetype urlOf(int i) const;
    // The same share of senders in every channel, spread over its members.
    [[nodiscard]] bool isSender(int i) const;
    [[nodiscard]] qint64 sendersIn(int first, int end) const;
};

struct RunnerOptions {
    Population population;
    int connectConcurrency = 32;
    std::chrono::milliseconds requestTimeout{120'000};
    int messageBytes = 100;
    int maxInflight = 100;
    bool noDelay = true;
    bool resend = false; // --resend: see RunContext; sessions whose connection drops log in again
    std::chrono::milliseconds resendPause{1000};
    QHash<QString, QString> tokens; // user -> token, from earlier runs
    QByteArray runId;
    QString tag; // names this process in progress lines
};

struct PrepareResult {
    qint64 clients = 0;
    qint64 ready = 0;
    double seconds = 0;
    QMap<QString, qint64> errors;

    void merge(const PrepareResult &other);
    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static PrepareResult fromJson(const QJsonObject &json);
};

// Runs one process's share of the clients: connects and logs them in, then runs phases.
class Runner : public QObject
{
    Q_OBJECT

public:
    explicit Runner(RunnerOptions options, QObject *parent = nullptr);
    ~Runner() override;

    [[nodiscard]] QCoro::Task<PrepareResult> prepare();
    [[nodiscard]] QCoro::Task<PhaseStats> runPhase(PhaseSpec spec);
    // user -> token of every client that logged in, to skip password hashing next time.
    [[nodiscard]] QJsonObject tokens() const;
    void closeAll();
    [[nodiscard]] std::size_t clientCount() const { return m_clients.size(); }
    [[nodiscard]] LoadClient *client(std::size_t i) const { return m_clients[i].get(); }
    // What the phase in progress has counted so far.
    [[nodiscard]] const PhaseStats &phaseStats() const { return m_stats; }

private:
    struct Due {
        qint64 at = 0;
        int client = 0; // position in m_clients
        friend bool operator>(const Due &a, const Due &b) { return a.at > b.at; }
    };

    static QCoro::Task<> setupSlot(Runner *runner);
    static QCoro::Task<bool> setupClient(Runner *runner, LoadClient *client);
    // --resend: a session whose connection dropped during a phase connects and logs in again
    // (by token) until it succeeds or the phase ends, then resends what is unacknowledged.
    void reconnectLater(LoadClient *client);
    static QCoro::Task<> reconnect(QPointer<Runner> runner, QPointer<LoadClient> client);
    // --resend: the newest message ID of each of this process's channels, where the check
    // after the phase starts reading.
    [[nodiscard]] QCoro::Task<> markHistoryStart();
    // --resend, after the drain: every channel's history against what was acknowledged and
    // what each session received.
    [[nodiscard]] QCoro::Task<> checkHistory();
    // A logged-in session per channel of this process, to read its history.
    [[nodiscard]] QHash<int, LoadClient *> readersByChannel() const;
    void fireDueSends();
    void armSendTimer();
    void printProgress() const;

    RunnerOptions m_options;
    RunContext m_context;
    std::vector<std::unique_ptr<LoadClient>> m_clients;
    int m_nextSetup = 0;
    qint64 m_setupDone = 0;
    qint64 m_setupReady = 0;

    PhaseStats m_stats;
    std::priority_queue<Due, std::vector<Due>, std::greater<>> m_due;
    qint64 m_interval = 0; // us between two sends of one client
    QTimer m_sendTimer;
    QTimer m_overdueTimer;

    // --resend only.
    std::vector<LoadClient *> m_members; // in their channel when the phase began
    QSet<LoadClient *> m_reconnecting;
    QHash<int, QString> m_historyStart;  // channel -> ID the check reads after
};

// Resumes at a CLOCK_MONOTONIC time (us), with a precise (not coarse) timer.
QCoro::Task<> sleepUntil(qint64 monotonicMicros);

} // namespace rill::load
