// rill-server on Redis with Sentinel and replicas (real processes): writes acknowledged only once
// replicas have them (--redis-wait-replicas), and a master that dies under a client that keeps
// sending, with nothing acknowledged lost and nothing stored twice.

#include "Conformance.h"
#include "SentinelFixture.h"
#include "ServerFixture.h"

#include <QElapsedTimer>

#include <csignal>

using namespace rill::test;
using namespace rill::test::conf;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
const QString kChan = u"general"_s;

QJsonObject sendAs(TestClient &c, const QString &text, const QString &nonce)
{
    return c.call(u"send"_s, {{"channel"_L1, kChan}, {"text"_L1, text}, {"nonce"_L1, nonce}});
}

QStringList textsOf(TestClient &c)
{
    QStringList texts;
    const QJsonObject h = c.call(u"history"_s, {{"channel"_L1, kChan}, {"limit"_L1, 100}});
    for (const auto &m : h.value("messages"_L1).toArray()) {
        if (m.toObject().value("kind"_L1).toString() == "message"_L1)
            texts << m.toObject().value("text"_L1).toString();
    }
    return texts;
}
} // namespace

class TestRedisFailover : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Each write that carries what people said, with its one replica unable to confirm it:
    // answered `internal` (stored, not confirmed), and once the replica answers again the same
    // request succeeds.
    void writesWaitForTheirReplicas_data()
    {
        QTest::addColumn<QString>("op");
        QTest::newRow("send") << u"send"_s;
        QTest::newRow("edit") << u"edit"_s;
        QTest::newRow("delete") << u"delete"_s;
        QTest::newRow("react") << u"react"_s;
        QTest::newRow("topic") << u"topic"_s;
    }

    void writesWaitForTheirReplicas()
    {
        QFETCH(QString, op);
        SentinelFixture sentinels;
        QVERIFY2(sentinels.start(SentinelFixture::Watch::ReplicasOnly), qPrintable(sentinels.errorString()));
        ServerFixture server(&sentinels.master());
        server.config().redisWaitReplicas = 2;
        server.config().redisWaitTimeout = 100ms;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        TestClient alice;
        QVERIFY(alice.open(server.url()));
        QVERIFY(alice.signUp(u"alice"_s));
        // Even with both replicas answering, a busy machine may miss the 100 ms: retried as a
        // client would, with the same nonce.
        QJsonObject first;
        QVERIFY(waitUntil([&] { return isOk(first = sendAs(alice, u"first"_s, u"n1"_s)); }, 30s));
        const QString id = first.value("message"_L1).toObject().value("id"_L1).toString();

        QJsonObject params{{"channel"_L1, kChan}};
        if (op == "send"_L1) {
            params.insert("text"_L1, u"second"_s);
            params.insert("nonce"_L1, u"n2"_s);
        } else if (op == "edit"_L1) {
            params.insert("messageId"_L1, id);
            params.insert("text"_L1, u"first, edited"_s);
        } else if (op == "delete"_L1) {
            params.insert("messageId"_L1, id);
        } else if (op == "react"_L1) {
            params.insert("messageId"_L1, id);
            params.insert("emoji"_L1, u"👍"_s);
            params.insert("on"_L1, true);
        } else {
            params.insert("topic"_L1, u"replicated"_s);
        }

        // Two replicas, so waiting for two: one that does not answer is enough to fall short.
        ::kill(pid_t(sentinels.replica(1).pid()), SIGSTOP);
        const QJsonObject unconfirmed = alice.call(op, params);
        ::kill(pid_t(sentinels.replica(1).pid()), SIGCONT);
        QVERIFY2(isError(unconfirmed, "internal"_L1), qPrintable(dump(unconfirmed)));
        QVERIFY2(unconfirmed.value("message"_L1).toString().contains(u"replicas"_s), qPrintable(dump(unconfirmed)));

        // The retry a client makes (the same nonce for a send) succeeds, and stores nothing twice.
        QJsonObject confirmed;
        QVERIFY(waitUntil([&] { return isOk(confirmed = alice.call(op, params)); }, 30s));
        if (op == "send"_L1)
            QCOMPARE(textsOf(alice), (QStringList{u"first"_s, u"second"_s}));
    }

    // The master is killed while alice keeps sending (each send retried with its nonce until
    // it is acknowledged, as the app does): the server finds the promoted replica through
    // Sentinel by itself, and every acknowledged message is there exactly once.
    void followsAFailoverAndLosesNothingAcknowledged()
    {
        SentinelFixture sentinels;
        QVERIFY2(sentinels.start(), qPrintable(sentinels.errorString()));
        ServerFixture server(&sentinels.master());
        server.config().redisUrl = sentinels.url();
        server.config().redisWaitReplicas = 1;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        TestClient alice;
        QVERIFY(alice.open(server.url()));
        QVERIFY(alice.signUp(u"alice"_s));

        QStringList acknowledged;
        auto sendUntilAcknowledged = [&](int n) {
            const QString text = u"message "_s + QString::number(n);
            return waitUntil(
                [&] {
                    const QJsonObject r = sendAs(alice, text, u"nonce-"_s + QString::number(n));
                    if (!isOk(r)) {
                        // Only while Redis is away: anything else is a failure of its own.
                        if (!isError(r, "internal"_L1))
                            qWarning("send %d: %s", n, qPrintable(dump(r)));
                        return false;
                    }
                    acknowledged << text;
                    return true;
                },
                90s);
        };
        for (int n = 0; n < 10; ++n)
            QVERIFY(sendUntilAcknowledged(n));
        QElapsedTimer outage; // reported, not asserted: how long the machine takes is its own business
        outage.start();
        sentinels.master().kill();
        QVERIFY2(sendUntilAcknowledged(10), "the server never served again after the failover");
        qInfo("first send acknowledged %lld ms after the master was killed", qint64(outage.elapsed()));
        for (int n = 11; n < 20; ++n)
            QVERIFY(sendUntilAcknowledged(n));
        QVERIFY(sentinels.waitForPromotion(60s));
        QCOMPARE(textsOf(alice), acknowledged);
    }
};

QTEST_GUILESS_MAIN(TestRedisFailover)
#include "tst_redisfailover.moc"
