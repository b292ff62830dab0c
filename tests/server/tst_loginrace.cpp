#include "ServerFixture.h"
#include "TestClient.h"

#include "protocol/StreamId.h"

#include <QJsonArray>
#include <QTest>

using namespace rill::test;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using rill::protocol::StreamId;

// Log-ins land while messages are flowing. Each session's snapshot (lastId of the channel)
// and its live events must meet exactly: every message after the snapshot arrives live once,
// none before it does. This is what the hub's replay ring is for.
class TestLoginRace : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void liveEventsStartExactlyAfterTheSnapshot_data()
    {
        QTest::addColumn<int>("burst");
        QTest::newRow("log-ins between single sends") << 1;
        QTest::newRow("log-ins between bursts of 25") << 25;
        QTest::newRow("log-ins between bursts of 200") << 200;
    }

    void liveEventsStartExactlyAfterTheSnapshot()
    {
        QFETCH(int, burst);
        ServerFixture server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        TestClient alice, seed;
        QVERIFY(alice.open(server.url()));
        QVERIFY(alice.signUp(u"alice"_s));
        QVERIFY(seed.open(server.url()));
        QVERIFY(seed.signUp(u"bob"_s));

        constexpr int sessions = 6;
        std::vector<std::unique_ptr<TestClient>> bobs;
        for (int i = 0; i < sessions; ++i) {
            bobs.push_back(std::make_unique<TestClient>());
            QVERIFY(bobs.back()->open(server.url()));
        }

        QList<qint64> sends;
        QList<qint64> logins;
        int text = 0;
        for (int round = 0; round < sessions; ++round) {
            for (int i = 0; i < burst; ++i)
                sends.append(alice.post(u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, QString::number(text++)}}));
            logins.append(bobs[round]->post(u"login"_s, {{"token"_L1, seed.token()}}));
        }
        for (int i = 0; i < burst; ++i)
            sends.append(alice.post(u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, QString::number(text++)}}));

        QList<StreamId> sentIds;
        for (qint64 id : sends) {
            const QJsonObject r = alice.replyTo(id);
            QVERIFY(r.value("ok"_L1).toBool());
            sentIds.append(*StreamId::parse(r.value("message"_L1).toObject().value("id"_L1).toString()));
        }

        for (int s = 0; s < sessions; ++s) {
            TestClient &bob = *bobs[s];
            const QJsonObject login = bob.replyTo(logins[s]);
            QVERIFY(login.value("ok"_L1).toBool());
            std::optional<StreamId> snapshot;
            for (const auto &c : login.value("channels"_L1).toArray()) {
                if (c.toObject().value("name"_L1).toString() == "general"_L1)
                    snapshot = StreamId::parse(c.toObject().value("lastId"_L1).toString());
            }
            QVERIFY(snapshot);

            QList<StreamId> expected;
            for (const StreamId &id : sentIds) {
                if (*snapshot < id)
                    expected.append(id);
            }
            QList<StreamId> live;
            const auto fromAlice = [](const QJsonObject &e) {
                const QJsonObject m = e.value("message"_L1).toObject();
                return m.value("user"_L1).toString() == "alice"_L1 && m.value("kind"_L1).toString() == "message"_L1;
            };
            while (live.size() < expected.size()) {
                const auto e = bob.waitEvent(u"message"_s, fromAlice, 5s);
                if (!e)
                    break;
                live.append(*StreamId::parse(e->value("message"_L1).toObject().value("id"_L1).toString()));
            }
            QVERIFY(!bob.receivesWithin(u"message"_s, 200ms, fromAlice)); // nothing twice, nothing older
            QCOMPARE(live, expected);
        }
    }
};

QTEST_GUILESS_MAIN(TestLoginRace)
#include "tst_loginrace.moc"
