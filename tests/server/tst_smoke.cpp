#include "ServerFixture.h"
#include "TestClient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QAbstractEventDispatcher>
#include <QTest>

using namespace rill::test;
using namespace Qt::StringLiterals;

class TestSmoke : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void runsOnTheChosenEventDispatcher()
    {
        // RILL_EVENT_DISPATCHER=epoll (the *_epoll CTest entries) must really switch.
        const bool epoll = qgetenv("RILL_EVENT_DISPATCHER") == "epoll";
        const QByteArray running = QAbstractEventDispatcher::instance()->metaObject()->className();
        QCOMPARE(running == "rill::eventloop::EpollEventDispatcher", epoll);
    }

    void twoUsersTalk()
    {
        ServerFixture server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        TestClient alice, bob;
        QVERIFY(alice.open(server.url()));
        QVERIFY(bob.open(server.url()));
        const QJsonObject hello = alice.call(u"hello"_s, {{"version"_L1, 1}});
        QCOMPARE(hello.value("ok"_L1), QJsonValue(true));
        QVERIFY(alice.signUp(u"alice"_s));
        QVERIFY(bob.signUp(u"bob"_s));
        const QJsonObject sent = alice.call(u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, u"hi bob"_s}});
        QVERIFY2(sent.value("ok"_L1).toBool(), qPrintable(QString::fromUtf8(QJsonDocument(sent).toJson())));
        const auto event = bob.waitEvent(u"message"_s, [](const QJsonObject &e) {
            return e.value("message"_L1).toObject().value("text"_L1).toString() == "hi bob"_L1;
        });
        QVERIFY(event);
        QCOMPARE(event->value("message"_L1).toObject().value("user"_L1).toString(), u"alice"_s);
    }

    void emptyStoreHasGeneral()
    {
        ServerFixture server;
        QVERIFY(server.start());
        TestClient first;
        QVERIFY(first.open(server.url()));
        QVERIFY(first.signUp(u"first"_s));
        const QJsonArray channels = first.call(u"channels"_s).value("channels"_L1).toArray();
        QCOMPARE(channels.size(), 1);
        QCOMPARE(channels.at(0).toObject().value("name"_L1).toString(), u"general"_s);
    }

    void demoSeedsUsersAndMessagesOnce()
    {
        ServerFixture server;
        server.config().demo = true;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        TestClient bob;
        QVERIFY(bob.open(server.url()));
        const QJsonObject login = bob.call(u"login"_s, {{"user"_L1, u"bob"_s}, {"password"_L1, u"rill-demo"_s}});
        QVERIFY(login.value("ok"_L1).toBool());
        QCOMPARE(login.value("channels"_L1).toArray().size(), 2); // general and random
        const QJsonArray history = bob.call(u"history"_s, {{"channel"_L1, u"general"_s}}).value("messages"_L1).toArray();
        int messages = 0;
        for (const auto &m : history)
            messages += m.toObject().value("kind"_L1).toString() == "message"_L1;
        QCOMPARE(messages, 4);
        // A restart with --demo still on seeds nothing more.
        QVERIFY(server.restart());
        TestClient again;
        QVERIFY(again.open(server.url()));
        QVERIFY(again.call(u"login"_s, {{"token"_L1, login.value("token"_L1).toString()}}).value("ok"_L1).toBool());
        QCOMPARE(again.call(u"history"_s, {{"channel"_L1, u"general"_s}}).value("messages"_L1).toArray().size(),
                 history.size());
    }

    // Password hashing is slow on purpose and runs on worker threads: a burst of sign-ups
    // must not hold up a message sent after it. On the event loop, the message's reply could
    // only come after every sign-up's.
    void burstOfSignUpsDoesNotStallMessages()
    {
        ServerFixture server;
        QVERIFY(server.start());
        TestClient alice;
        QVERIFY(alice.open(server.url()));
        QVERIFY(alice.signUp(u"alice"_s));

        constexpr int burst = 16;
        std::vector<std::unique_ptr<TestClient>> newcomers;
        QList<qint64> signUps;
        for (int i = 0; i < burst; ++i) {
            newcomers.push_back(std::make_unique<TestClient>());
            QVERIFY(newcomers.back()->open(server.url()));
        }
        for (int i = 0; i < burst; ++i)
            signUps.append(newcomers[i]->post(u"register"_s, {{"user"_L1, u"newcomer%1"_s.arg(i)},
                                                               {"password"_L1, u"long enough"_s}}));
        const QJsonObject sent = alice.call(u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, u"still here"_s}});
        QVERIFY(sent.value("ok"_L1).toBool());
        // When the message was answered, most sign-ups were still hashing.
        int answeredAlready = 0;
        for (int i = 0; i < burst; ++i)
            answeredAlready += newcomers[i]->hasReply(signUps[i]) ? 1 : 0;
        QVERIFY2(answeredAlready < burst / 2, qPrintable(QString::number(answeredAlready)));
        for (int i = 0; i < burst; ++i)
            QVERIFY(newcomers[i]->replyTo(signUps[i], std::chrono::seconds(30)).value("ok"_L1).toBool());
    }
};

QTEST_GUILESS_MAIN(TestSmoke)
#include "tst_smoke.moc"
