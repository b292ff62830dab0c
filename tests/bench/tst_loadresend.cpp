// rill-load --resend (bench/load): sends that fail while Redis or the server is away go again
// with their nonce until they are acknowledged, sessions whose connection dropped log in again
// by token, and the history check after the phase finds every acknowledged message stored once.

#include "ServerFixture.h"

#include "load/Runner.h"
#include "support/ProcessStats.h"

#include <QCoro/QCoroTask>
#include <QTest>
#include <QTimer>

#include <functional>

using namespace rill::test;
using namespace rill::load;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

RunnerOptions resendingClients(const QUrl &url)
{
    RunnerOptions options;
    Population &pop = options.population;
    pop.urls = {url};
    pop.totalClients = 4;
    pop.first = 0;
    pop.end = pop.totalClients;
    pop.channels = 1;
    pop.senderShare = 1.0;
    pop.userPrefix = u"resend"_s;
    pop.password = u"resend-password"_s;
    pop.channelPrefix = u"resend"_s;
    options.resend = true;
    options.resendPause = 50ms;
    options.requestTimeout = 30s;
    options.runId = "test";
    options.tag = u"tst_loadresend"_s;
    return options;
}

// Sends for a few seconds, then a drain long enough for a busy machine to catch up.
PhaseSpec aPhase()
{
    PhaseSpec spec;
    spec.ratePerSender = 5;
    spec.start = rill::bench::monotonicMicros() + 200'000;
    spec.measureFrom = spec.start;
    spec.measureUntil = spec.measureFrom + 2'000'000;
    spec.drainUntil = spec.measureUntil + 8'000'000;
    return spec;
}

} // namespace

class TestLoadResend : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void resendsUntilAcknowledged_data()
    {
        QTest::addColumn<bool>("serverRestarted"); // else Redis is killed and restarted
        QTest::newRow("redis killed") << false;
        QTest::newRow("server restarted") << true;
    }

    void resendsUntilAcknowledged()
    {
        QFETCH(bool, serverRestarted);
        RedisFixture redis;
        redis.setPersistent(true);
        QVERIFY2(redis.start(), qPrintable(redis.errorString()));
        ServerFixture server(&redis);
        QVERIFY2(server.start(), qPrintable(server.errorString()));

        Runner runner(resendingClients(server.url()));
        const PrepareResult prepared = QCoro::waitFor(runner.prepare());
        QCOMPARE(prepared.ready, prepared.clients);

        // The fault strikes once the phase has shown it: Redis is gone before the phase begins
        // and comes back after a send was refused; the server goes away after a send went through.
        if (!serverRestarted)
            redis.kill();
        bool recovered = false;
        QTimer watch;
        watch.setInterval(20ms);
        connect(&watch, &QTimer::timeout, this, [&] {
            const PhaseStats &stats = runner.phaseStats();
            if (recovered || !stats.resend)
                return;
            if (!serverRestarted && stats.errors.value(u"send:internal"_s) > 0)
                recovered = redis.restart();
            else if (serverRestarted && stats.resend->ackedBeforeFault > 0)
                recovered = server.restart();
        });
        watch.start();
        const PhaseStats stats = QCoro::waitFor(runner.runPhase(aPhase()));
        watch.stop();
        QVERIFY(recovered);

        QVERIFY(stats.resend);
        const ResendStats &r = *stats.resend;
        QVERIFY(r.messages > 0);
        if (serverRestarted) {
            QStringList errors;
            for (auto it = stats.errors.cbegin(); it != stats.errors.cend(); ++it)
                errors << it.key() + u'=' + QString::number(it.value());
            QVERIFY2(r.reconnects > 0, qPrintable(u"no session logged in again; errors: "_s + errors.join(u", ")));
        } else {
            QVERIFY2(r.resent > 0, "nothing was resent");
            // Every session stayed connected: each got every stored message live.
            QCOMPARE(r.receiverGaps, 0);
        }
        QCOMPARE(r.neverAcked, 0);
        QCOMPARE(r.ackedBeforeFault + r.ackedAfterFault, r.messages);
        QCOMPARE(r.channelsUnread, 0);
        QCOMPARE(r.lost, 0);
        QCOMPARE(r.duplicated, 0);
        QCOMPARE(r.receivers, 4);
    }

    // The check after the phase reads the channel's history: an acknowledged message taken out
    // of the log is lost (and was delivered live, but not stored), one put in twice is
    // duplicated.
    void historyCheckFindsLossAndDuplicates()
    {
        ServerFixture server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        Runner runner(resendingClients(server.url()));
        const PrepareResult prepared = QCoro::waitFor(runner.prepare());
        QCOMPARE(prepared.ready, prepared.clients);

        // docs/storage.md: the log's entries, and their texts beside it by entry ID.
        const QByteArray log = "rill:{c:resend-0}:log";
        const QByteArray texts = "rill:{c:resend-0}:text";
        bool tampered = false;
        QTimer watch;
        watch.setInterval(20ms);
        connect(&watch, &QTimer::timeout, this, [&] {
            const PhaseStats &stats = runner.phaseStats();
            if (tampered || !stats.resend || stats.resend->ackedBeforeFault < 2)
                return;
            // The entries of this run (their text starts "rl test"), oldest first.
            const rill::redis::RedisReply entries = server.redis().run({"XRANGE", log, "-", "+"});
            std::vector<const rill::redis::RedisReply *> sent;
            for (const auto &entry : entries.elements()) {
                if (server.redis().run({"HGET", texts, entry.at(0).bytes()}).bytes().startsWith("rl test "))
                    sent.push_back(&entry);
            }
            if (sent.size() < 2)
                return;
            const QByteArray gone = sent[0]->at(0).bytes();
            const QByteArray twice = sent[1]->at(0).bytes();
            QList<QByteArray> copy{"XADD", log, "*"};
            for (const auto &field : sent[1]->at(1).elements())
                copy << field.bytes();
            const QByteArray copyId = server.redis().run(copy).bytes();
            const QByteArray text = server.redis().run({"HGET", texts, twice}).bytes();
            tampered = !copyId.isEmpty() && server.redis().run({"HSET", texts, copyId, text}).isOk()
                && server.redis().run({"XDEL", log, gone}).integer() == 1;
        });
        watch.start();
        const PhaseStats stats = QCoro::waitFor(runner.runPhase(aPhase()));
        watch.stop();
        QVERIFY(tampered);

        QVERIFY(stats.resend);
        const ResendStats &r = *stats.resend;
        QCOMPARE(r.channelsUnread, 0);
        QCOMPARE(r.neverAcked, 0);
        QCOMPARE(r.lost, 1);
        QCOMPARE(r.duplicated, 1);
        QCOMPARE(r.deliveredNotStored, 4); // the lost one, at each of the four sessions
        QCOMPARE(r.receiverGaps, 0);
    }
};

QTEST_GUILESS_MAIN(TestLoadResend)
#include "tst_loadresend.moc"
