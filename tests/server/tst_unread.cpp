#include "ServerFixture.h"
#include "TestClient.h"

#include <QJsonArray>
#include <QTest>

using namespace rill::test;
using namespace Qt::StringLiterals;

// Unread counts are exact at any size: messages by others after the marker, whatever the
// reader wrote in between, computed without scanning the backlog at log-in.
class TestUnread : public QObject
{
    Q_OBJECT

    static qint64 unreadIn(const QJsonObject &login, const QString &channel)
    {
        for (const auto &c : login.value("channels"_L1).toArray()) {
            if (c.toObject().value("name"_L1).toString() == channel)
                return c.toObject().value("unread"_L1).toInteger();
        }
        return -1;
    }

    static QString sendMany(TestClient &who, int count, const QString &tag)
    {
        QList<qint64> ids;
        for (int i = 0; i < count; ++i)
            ids.append(who.post(u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, QString(tag + QString::number(i))}}));
        QString last;
        for (qint64 id : ids)
            last = who.replyTo(id).value("message"_L1).toObject().value("id"_L1).toString();
        return last;
    }

private Q_SLOTS:
    void exactBeyondAThousandWithOwnMessagesMixedIn()
    {
        ServerFixture server;
        QVERIFY(server.start());
        TestClient alice, bob;
        QVERIFY(alice.open(server.url()));
        QVERIFY(bob.open(server.url()));
        QVERIFY(alice.signUp(u"alice"_s));
        QVERIFY(bob.signUp(u"bob"_s));

        const QString mark = sendMany(alice, 3, u"a"_s);
        QVERIFY(alice.call(u"read"_s, {{"channel"_L1, u"general"_s}, {"upTo"_L1, mark}}).value("ok"_L1).toBool());
        for (int round = 0; round < 4; ++round) {
            sendMany(bob, 300, u"b"_s);
            sendMany(alice, 50, u"a"_s); // alice's own: never unread for her
        }
        const QString bobsLast = sendMany(bob, 5, u"b"_s);

        TestClient again;
        QVERIFY(again.open(server.url()));
        QJsonObject login = again.call(u"login"_s, {{"token"_L1, alice.token()}});
        QCOMPARE(unreadIn(login, u"general"_s), 1205);
        // bob never read: every message by others, alice's 203.
        login = again.call(u"login"_s, {{"token"_L1, bob.token()}});
        QCOMPARE(unreadIn(login, u"general"_s), 203);

        // alice reads up to one of bob's in the middle: what is left are bob's after it.
        const QJsonArray page = alice.call(u"history"_s, {{"channel"_L1, u"general"_s}, {"limit"_L1, 100}})
                                    .value("messages"_L1).toArray();
        // newest 100: bob's 5 last, alice's 50, bob's 45 before them; mark the oldest of the page
        const QString middle = page.first().toObject().value("id"_L1).toString();
        QVERIFY(alice.call(u"read"_s, {{"channel"_L1, u"general"_s}, {"upTo"_L1, middle}}).value("ok"_L1).toBool());
        login = again.call(u"login"_s, {{"token"_L1, alice.token()}});
        QCOMPARE(unreadIn(login, u"general"_s), 44 + 5);
        QVERIFY(alice.call(u"read"_s, {{"channel"_L1, u"general"_s}, {"upTo"_L1, bobsLast}}).value("ok"_L1).toBool());
        login = again.call(u"login"_s, {{"token"_L1, alice.token()}});
        QCOMPARE(unreadIn(login, u"general"_s), 0);
    }
};

QTEST_GUILESS_MAIN(TestUnread)
#include "tst_unread.moc"
