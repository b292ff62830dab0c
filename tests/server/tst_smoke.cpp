#include "ServerFixture.h"
#include "TestClient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace rill::test;
using namespace Qt::StringLiterals;

class TestSmoke : public QObject
{
    Q_OBJECT

private Q_SLOTS:
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
};

QTEST_GUILESS_MAIN(TestSmoke)
#include "tst_smoke.moc"
