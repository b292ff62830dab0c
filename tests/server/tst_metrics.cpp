// The operations surface (issue 11): the metrics registry's text format, /metrics after real
// traffic over the protocol, /healthz and /readyz as Redis stops and comes back, and the
// bus-lag verdict of the health probe.
#include "HttpGet.h"
#include "ServerFixture.h"
#include "TestClient.h"

#include "metrics/Registry.h"
#include "ops/HealthMonitor.h"
#include "ops/ServerMetrics.h"
#include "protocol/StreamId.h"

#include <QJsonDocument>
#include <QTest>

using namespace rill;
using namespace rill::test;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

bool isMessage(const QJsonObject &e, const QString &text)
{
    return e.value("message"_L1).toObject().value("text"_L1).toString() == text;
}

// /metrics, checked against the exposition format on the way.
QHash<QString, double> scrapeAll(quint16 port)
{
    const HttpResult r = httpGet(port, u"/metrics"_s);
    if (r.status != 200) {
        qWarning("/metrics answered %d", r.status);
        return {};
    }
    QString problem;
    auto samples = parseExposition(r.body, &problem);
    if (!problem.isEmpty()) {
        qWarning("/metrics is not valid exposition format: %s", qPrintable(problem));
        return {};
    }
    return samples;
}

} // namespace

class TestMetrics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void registryWritesTheTextFormat()
    {
        metrics::Registry registry;
        registry.counter("t_requests_total", "Requests.", {{"op", "send"}}).inc(3);
        registry.counter("t_requests_total", {}, {{"op", "we\"ird\\\nname"}}).inc();
        registry.gauge("t_level", "A level.").set(0.25);
        auto &h = registry.histogram("t_wait_seconds", "Waits.", {0.01, 0.001});
        h.observe(0.0009765625); // values binary floating point holds exactly, so the sum is exact
        h.observe(std::chrono::duration<double>(0.00390625));
        h.observe(0.5);
        h.observe(0.01); // on a bound: in that bucket (le is "less or equal")
        registry.gaugeFunction("t_read", "Read at scrape.", [] { return 7.0; }, {{"kind", "x"}});

        const QByteArray expected =
            "# HELP t_requests_total Requests.\n"
            "# TYPE t_requests_total counter\n"
            "t_requests_total{op=\"send\"} 3\n"
            "t_requests_total{op=\"we\\\"ird\\\\\\nname\"} 1\n"
            "# HELP t_level A level.\n"
            "# TYPE t_level gauge\n"
            "t_level 0.25\n"
            "# HELP t_wait_seconds Waits.\n"
            "# TYPE t_wait_seconds histogram\n"
            "t_wait_seconds_bucket{le=\"0.001\"} 1\n"
            "t_wait_seconds_bucket{le=\"0.01\"} 3\n"
            "t_wait_seconds_bucket{le=\"+Inf\"} 4\n"
            "t_wait_seconds_sum 0.5148828125\n"
            "t_wait_seconds_count 4\n"
            "# HELP t_read Read at scrape.\n"
            "# TYPE t_read gauge\n"
            "t_read{kind=\"x\"} 7\n";
        QCOMPARE(registry.exposition(), expected);
        QString problem;
        const auto parsed = parseExposition(expected, &problem);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QCOMPARE(parsed.value(u"t_wait_seconds_bucket{le=\"0.01\"}"_s), 3.0);
    }

    // The checker itself: each of these is a mistake a scraper would reject.
    void exposition_checkerCatchesMistakes_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("no TYPE") << QByteArray("a 1\n");
        QTest::newRow("bad name") << QByteArray("# TYPE 1a counter\n1a 1\n");
        QTest::newRow("unquoted label") << QByteArray("# TYPE a counter\na{x=1} 1\n");
        QTest::newRow("not a number") << QByteArray("# TYPE a gauge\na one\n");
        QTest::newRow("TYPE after samples") << QByteArray("# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\n# TYPE a gauge\n");
        QTest::newRow("split family") << QByteArray("# TYPE a gauge\n# TYPE b gauge\na{x=\"1\"} 1\nb 1\na{x=\"2\"} 1\n");
        QTest::newRow("not cumulative") << QByteArray("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\n"
                                                      "h_sum 1\nh_count 1\n");
        QTest::newRow("count differs") << QByteArray("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 1\n");
        QTest::newRow("no newline at the end") << QByteArray("# TYPE a gauge\na 1");
    }

    void exposition_checkerCatchesMistakes()
    {
        QFETCH(QByteArray, text);
        QString problem;
        (void)parseExposition(text, &problem);
        QVERIFY2(!problem.isEmpty(), text.constData());
    }

    void httpIsOffByDefault()
    {
        QVERIFY(!server::ServerConfig().httpPort);
        ServerFixture server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        QCOMPARE(server.server()->httpPort(), quint16(0));
    }

    void httpPortInUseStopsTheStart()
    {
        ServerFixture first;
        first.config().httpPort = 0;
        QVERIFY2(first.start(), qPrintable(first.errorString()));
        ServerFixture second(&first.redis());
        second.config().httpPort = first.server()->httpPort();
        QVERIFY(!second.start());
        QVERIFY2(second.errorString().contains(u"HTTP"_s), qPrintable(second.errorString()));
    }

    void countersFollowTheTraffic()
    {
        ServerFixture server;
        server.config().httpPort = 0; // any free port
        server.config().loginFailuresPerName = 2;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        const quint16 http = server.server()->httpPort();
        QVERIFY(http != 0);

        const HttpResult first = httpGet(http, u"/metrics"_s);
        QCOMPARE(first.status, 200);
        QVERIFY2(first.contentType.startsWith("text/plain; version=0.0.4"), first.contentType.constData());
        auto m = scrapeAll(http);
        QVERIFY(!m.isEmpty());
        QCOMPARE(m.value(u"rill_build_info{version=\"%1\",qt=\"%2\"}"_s.arg(QStringLiteral(RILL_VERSION),
                                                                              QString::fromLatin1(qVersion()))),
                 1.0);
        QCOMPARE(m.value(u"rill_connections"_s, -1), 0.0);
        QCOMPARE(m.value(u"rill_requests_total{op=\"send\"}"_s, -1), 0.0);
        QCOMPARE(m.value(u"rill_request_errors_total{op=\"send\",code=\"internal\"}"_s, -1), 0.0);
        QVERIFY(m.value(u"process_resident_memory_bytes"_s) > 0);

        TestClient alice, bob, aliceAgain, guesser;
        QVERIFY(alice.open(server.url()) && bob.open(server.url()) && aliceAgain.open(server.url())
                && guesser.open(server.url()));
        QVERIFY(alice.signUp(u"alice"_s));
        QVERIFY(bob.signUp(u"bob"_s));
        const QJsonObject wrong = aliceAgain.call(u"login"_s, {{"user"_L1, u"alice"_s}, {"password"_L1, u"not the password"_s}});
        QCOMPARE(wrong.value("error"_L1).toString(), u"bad_credentials"_s);
        QVERIFY(aliceAgain.call(u"login"_s, {{"token"_L1, alice.token()}}).value("ok"_L1).toBool());
        // The throttle allows two failures per name: the third guess is turned away unchecked.
        QCOMPARE(guesser.call(u"login"_s, {{"user"_L1, u"bob"_s}, {"password"_L1, u"guess one"_s}}).value("error"_L1).toString(),
                 u"bad_credentials"_s);
        QCOMPARE(guesser.call(u"login"_s, {{"user"_L1, u"bob"_s}, {"password"_L1, u"guess two"_s}}).value("error"_L1).toString(),
                 u"bad_credentials"_s);
        QCOMPARE(guesser.call(u"login"_s, {{"user"_L1, u"bob"_s}, {"password"_L1, u"guess three"_s}}).value("error"_L1).toString(),
                 u"rate_limited"_s);

        m = scrapeAll(http);
        QCOMPARE(m.value(u"rill_connections_opened_total"_s), 4.0);
        QCOMPARE(m.value(u"rill_connections"_s), 4.0);
        QCOMPARE(m.value(u"rill_sessions"_s), 3.0);
        QCOMPARE(m.value(u"rill_users"_s), 2.0);
        QCOMPARE(m.value(u"rill_requests_total{op=\"register\"}"_s), 2.0);
        QCOMPARE(m.value(u"rill_requests_total{op=\"login\"}"_s), 5.0);
        QCOMPARE(m.value(u"rill_logins_total{result=\"refused\"}"_s), 3.0);
        QCOMPARE(m.value(u"rill_logins_total{result=\"accepted\"}"_s), 1.0);
        QCOMPARE(m.value(u"rill_logins_total{result=\"rate_limited\"}"_s), 1.0);
        QCOMPARE(m.value(u"rill_request_errors_total{op=\"login\",code=\"bad_credentials\"}"_s), 3.0);
        QCOMPARE(m.value(u"rill_request_errors_total{op=\"login\",code=\"rate_limited\"}"_s), 1.0);
        QCOMPARE(m.value(u"rill_local_channels"_s), 1.0);        // general
        QCOMPARE(m.value(u"rill_local_channel_members"_s), 2.0); // alice and bob
        QCOMPARE(m.value(u"rill_local_channel_members_max"_s), 2.0);
        QVERIFY(m.value(u"rill_redis_roundtrip_seconds_count"_s) > 0);
        QCOMPARE(m.value(u"rill_redis_connected"_s), 1.0);
        const double deliveriesBefore = m.value(u"rill_deliveries_total"_s);
        const double fanOutBefore = m.value(u"rill_fanout_seconds_count"_s);

        // Five messages to general: the three sessions there (alice twice, bob) get each once,
        // the sending session too (its own message event, besides the reply).
        constexpr int n = 5;
        for (int i = 0; i < n; ++i)
            QVERIFY(alice.call(u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, u"m%1"_s.arg(i)}}).value("ok"_L1).toBool());
        for (TestClient *c : {&alice, &bob, &aliceAgain})
            QVERIFY(c->waitEvent(u"message"_s, [](const QJsonObject &e) { return isMessage(e, u"m4"_s); }));
        QCOMPARE(alice.call(u"send"_s, {{"channel"_L1, u"nowhere"_s}, {"text"_L1, u"x"_s}}).value("error"_L1).toString(),
                 u"not_member"_s);
        QCOMPARE(alice.call(u"shout"_s).value("error"_L1).toString(), u"bad_request"_s);
        alice.sendRaw(u"not a request"_s);
        QVERIFY(alice.waitNullReply());

        // Deliveries and fan-out are counted as the bus is read, which may be a moment after
        // the clients saw the frames: wait for the count rather than assume it.
        QTRY_COMPARE(scrape(http, u"rill_fanout_seconds_count"_s) - fanOutBefore, double(n));
        m = scrapeAll(http);
        QCOMPARE(m.value(u"rill_messages_stored_total"_s), double(n));
        QCOMPARE(m.value(u"rill_requests_total{op=\"send\"}"_s), double(n + 1));
        QCOMPARE(m.value(u"rill_requests_total{op=\"unknown\"}"_s), 1.0);
        QCOMPARE(m.value(u"rill_request_errors_total{op=\"send\",code=\"not_member\"}"_s), 1.0);
        // An op this server does not know and a frame that is no request at all: op "unknown".
        QCOMPARE(m.value(u"rill_request_errors_total{op=\"unknown\",code=\"bad_request\"}"_s), 2.0);
        QCOMPARE(m.value(u"rill_request_errors_total{op=\"send\",code=\"bad_request\"}"_s), 0.0);
        QCOMPARE(m.value(u"rill_deliveries_total"_s) - deliveriesBefore, double(3 * n));
        QCOMPARE(m.value(u"rill_fanout_seconds_bucket{le=\"+Inf\"}"_s), m.value(u"rill_fanout_seconds_count"_s));
        QCOMPARE(m.value(u"rill_slow_consumer_drops_total"_s), 0.0);
        QCOMPARE(m.value(u"rill_bus_gaps_total"_s), 0.0);

        bob.close();
        QTRY_COMPARE(scrape(http, u"rill_connections"_s), 3.0);
        QCOMPARE(scrape(http, u"rill_users"_s), 1.0);
        QCOMPARE(httpGet(http, u"/nothing-here"_s).status, 404);
    }

    void readyzFollowsRedis()
    {
        RedisFixture redis;
        redis.setPersistent(true); // what a real Redis that restarts keeps
        QVERIFY2(redis.start(), qPrintable(redis.errorString()));
        ServerFixture server(&redis);
        server.config().httpPort = 0;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        const quint16 http = server.server()->httpPort();
        QTRY_COMPARE(httpGet(http, u"/readyz"_s).status, 200);
        QCOMPARE(httpGet(http, u"/healthz"_s).status, 200);
        QCOMPARE(scrape(http, u"rill_ready"_s), 1.0);

        redis.stop();
        QTRY_COMPARE_WITH_TIMEOUT(httpGet(http, u"/readyz"_s).status, 503, 15000);
        const HttpResult notReady = httpGet(http, u"/readyz"_s);
        QVERIFY2(notReady.body.contains("Redis"), notReady.body.constData());
        QCOMPARE(httpGet(http, u"/healthz"_s).status, 200); // alive all the same
        QCOMPARE(scrape(http, u"rill_redis_connected"_s), 0.0);
        QTRY_COMPARE(scrape(http, u"rill_ready"_s), 0.0);

        QVERIFY2(redis.restart(), qPrintable(redis.errorString()));
        QTRY_COMPARE_WITH_TIMEOUT(httpGet(http, u"/readyz"_s).status, 200, 15000);
        QTRY_COMPARE(scrape(http, u"rill_ready"_s), 1.0);
        // And it serves again, which is what ready promises.
        TestClient alice;
        QVERIFY(alice.open(server.url()));
        QVERIFY(alice.signUp(u"alice"_s));
    }

    void readyzIsNotReadyWhileShuttingDown()
    {
        ServerFixture server;
        server.config().httpPort = 0;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        const quint16 http = server.server()->httpPort();
        QTRY_COMPARE(httpGet(http, u"/readyz"_s).status, 200);
        bool stopped = false;
        auto stopping = [](server::RillServer *s, bool *done) -> QCoro::Task<> {
            co_await s->stop();
            *done = true;
        }(server.server(), &stopped);
        // The endpoint outlives the graceful stop, so a balancer sees it go and moves clients.
        const HttpResult during = httpGet(http, u"/readyz"_s);
        QCOMPARE(during.status, 503);
        QVERIFY2(during.body.contains("shutting down"), during.body.constData());
        QVERIFY(waitUntil([&stopped] { return stopped; }, 10s));
    }

    // The probe counts the bus entries this instance has not read and how old the oldest is;
    // an instance too far behind is not ready. A cursor that stands still plays the stuck reader.
    void busLagMakesAnInstanceNotReady()
    {
        RedisFixture redis;
        QVERIFY2(redis.start(), qPrintable(redis.errorString()));
        const auto time = redis.run({"TIME"});
        const qint64 nowMs = time.at(0).bytes().toLongLong() * 1000;
        QList<protocol::StreamId> ids;
        for (int q = 1; q <= 3; ++q) {
            // Written a minute ago, as far as Redis's clock is concerned.
            const QByteArray id = QByteArray::number(nowMs - 60000 + q) + "-0";
            QVERIFY(redis.run({"XADD", "rill:bus", id, "q", QByteArray::number(q), "e", "msg"}).isOk());
            ids.append(*protocol::StreamId::parse(id));
        }
        redis::RedisClient client(redis.clientOptions());
        client.open();
        QTRY_VERIFY(client.isReady());

        server::ServerMetrics metrics;
        protocol::StreamId cursor; // 0-0: nothing read
        server::HealthMonitor::Options options;
        options.interval = 50ms;
        options.maxBusLag = 10s;
        server::HealthMonitor health(client, {[&cursor] { return cursor; }, [] { return true; }, [] { return true; }},
                                     metrics, options);
        health.start();
        QTRY_COMPARE(metrics.busLagEntries.value(), 3.0);
        QVERIFY(metrics.busLagSeconds.value() >= 59);
        QVERIFY(!health.verdict().ready);
        QVERIFY2(health.verdict().reason.contains(u"behind"_s), qPrintable(health.verdict().reason));
        QCOMPARE(metrics.ready.value(), 0.0);

        cursor = ids.at(1); // read two of three
        QTRY_COMPARE(metrics.busLagEntries.value(), 1.0);
        cursor = ids.at(2); // caught up
        QTRY_VERIFY(health.verdict().ready);
        QCOMPARE(metrics.busLagEntries.value(), 0.0);
        QCOMPARE(metrics.busLagSeconds.value(), 0.0);
        QTRY_COMPARE(metrics.ready.value(), 1.0);
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
