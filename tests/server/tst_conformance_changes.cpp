// Rill's addition (docs/protocol.md, "Changes after a reconnect"): `history after` returns only
// newer messages, so a client that was away also asks `changes` after its cursor (ChannelInfo's
// or an update's lastChange) for the current state of every message changed meanwhile: edits,
// deletions, reactions, reply counts; each message once; `reload` when the cursor is too old.

#include "Conformance.h"

using namespace rill::test;
using namespace rill::test::conf;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
const QString kPassword = u"correct horse"_s;
const QString kChan = u"resume"_s;
}

class TestConformanceChanges : public CastSuite
{
    Q_OBJECT

private:

    QString post(TestClient &c, const QString &text, const QString &replyTo = {})
    {
        QJsonObject p{{"channel"_L1, kChan}, {"text"_L1, text}};
        if (!replyTo.isEmpty())
            p.insert("replyTo"_L1, replyTo);
        return c.call(u"send"_s, p).value("message"_L1).toObject().value("id"_L1).toString();
    }
    QJsonObject changes(TestClient &c, const QString &after, int limit = 0)
    {
        QJsonObject p{{"channel"_L1, kChan}, {"after"_L1, after}};
        if (limit)
            p.insert("limit"_L1, limit);
        return c.call(u"changes"_s, p);
    }
    QString lastChangeAtLogIn()
    {
        auto probe = connectTo(m_server->url());
        if (!probe)
            return {};
        const QJsonObject login = probe->call(u"login"_s, {{"token"_L1, m_bob->token()}});
        return findChannel(login.value("channels"_L1).toArray(), kChan).value("lastChange"_L1).toString();
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(startCast(kChan, kPassword)); }
    void cleanupTestCase() { stopCast(); }

    void changesSinceACursor()
    {
        const QString first = post(*m_a1, u"one"_s);
        const QString second = post(*m_a1, u"two"_s);
        const QString cursor = lastChangeAtLogIn();
        QCOMPARE(cursor, u"0-0"_s); // nothing changed yet
        QCOMPARE(changes(*m_bob, cursor).value("messages"_L1).toArray().size(), 0);

        m_bob->clearEvents();
        CONF_OK(m_a1->call(u"edit"_s, {{"channel"_L1, kChan}, {"messageId"_L1, first}, {"text"_L1, u"one, edited"_s}}));
        CONF_OK(m_bob->call(u"react"_s, {{"channel"_L1, kChan}, {"messageId"_L1, second}, {"emoji"_L1, u"+1"_s}, {"on"_L1, true}}));
        CONF_OK(m_a1->call(u"delete"_s, {{"channel"_L1, kChan}, {"messageId"_L1, first}}));
        post(*m_bob, u"a reply"_s, second);
        // Each update carries its cursor; the last one is where `changes` ends.
        QString lastSeen;
        for (int i = 0; i < 4; ++i) {
            const auto ev = m_bob->waitEvent(u"update"_s);
            QVERIFY(ev);
            QVERIFY2(isStreamId(ev->value("lastChange"_L1)), qPrintable(dump(*ev)));
            QVERIFY(lastSeen.isEmpty() || idLess(lastSeen, ev->value("lastChange"_L1).toString()));
            lastSeen = ev->value("lastChange"_L1).toString();
        }
        QCOMPARE(lastChangeAtLogIn(), lastSeen);

        const QJsonObject r = changes(*m_bob, cursor);
        CONF_OK(r);
        QCOMPARE(r.value("cursor"_L1).toString(), lastSeen);
        QCOMPARE(r.value("more"_L1), QJsonValue(false));
        QVERIFY(!r.contains("reload"_L1));
        const QJsonArray messages = r.value("messages"_L1).toArray();
        QCOMPARE(ids(messages), (QStringList{first, second})); // each once
        const QJsonObject gone = messages.at(0).toObject();
        QCOMPARE(gone.value("deleted"_L1), QJsonValue(true));
        QVERIFY(!gone.contains("text"_L1));
        const QJsonObject reacted = messages.at(1).toObject();
        QCOMPARE(reacted.value("reactions"_L1).toObject(), (QJsonObject{{u"+1"_s, QJsonArray{u"bob"_s}}}));
        QCOMPARE(reacted.value("replies"_L1).toInteger(), 1);
        for (const auto &m : messages)
            CONF_SHAPE(messageProblems(m.toObject()));

        // Paging: a cursor per page, `more` until the end; nothing after the newest.
        const QJsonObject page = changes(*m_bob, cursor, 1);
        QCOMPARE(ids(page.value("messages"_L1).toArray()), QStringList{first});
        QCOMPARE(page.value("more"_L1), QJsonValue(true));
        const QJsonObject rest = changes(*m_bob, page.value("cursor"_L1).toString(), 100);
        // After the edit of the first: the reaction (second), the delete (first), the reply (second).
        QCOMPARE(ids(rest.value("messages"_L1).toArray()), (QStringList{second, first}));
        QCOMPARE(rest.value("more"_L1), QJsonValue(false));
        const QJsonObject none = changes(*m_bob, lastSeen);
        QCOMPARE(none.value("messages"_L1).toArray().size(), 0);
        QCOMPARE(none.value("cursor"_L1).toString(), lastSeen);
    }

    void tooFarBehindAsksForAReload()
    {
        const QString cursor = lastChangeAtLogIn();
        const QString id = post(*m_a1, u"soon trimmed"_s);
        CONF_OK(m_a1->call(u"edit"_s, {{"channel"_L1, kChan}, {"messageId"_L1, id}, {"text"_L1, u"trimmed"_s}}));
        CONF_OK(m_a1->call(u"edit"_s, {{"channel"_L1, kChan}, {"messageId"_L1, id}, {"text"_L1, u"trimmed again"_s}}));
        // Stand in for the length/age trim (10,000 changes or 7 days) by trimming all but the newest.
        QVERIFY(m_server->redis().run({"XTRIM", "rill:{c:" + kChan.toUtf8() + "}:changes", "MAXLEN", "1"}).isOk());
        const QJsonObject r = changes(*m_bob, cursor);
        CONF_OK(r);
        QCOMPARE(r.value("reload"_L1), QJsonValue(true));
        QCOMPARE(r.value("messages"_L1).toArray().size(), 0);
        QCOMPARE(r.value("cursor"_L1).toString(), lastChangeAtLogIn());
    }

    // A store written before `lastchange` kept the newest change ID (schema 3 as first shipped)
    // has only the stream: ChannelInfo still carries its newest ID.
    void lastChangeOfAStoreWithoutItsCopy()
    {
        const QString id = post(*m_a1, u"changed in an older store"_s);
        CONF_OK(m_a1->call(u"edit"_s, {{"channel"_L1, kChan}, {"messageId"_L1, id}, {"text"_L1, u"older"_s}}));
        const QByteArray stream = "rill:{c:" + kChan.toUtf8() + "}:changes";
        const auto newest = m_server->redis().run({"XREVRANGE", stream, "+", "-", "COUNT", "1"});
        QVERIFY(newest.isArray() && newest.size() == 1);
        const QString newestId = newest.at(0).at(0).text();
        QCOMPARE(lastChangeAtLogIn(), newestId);
        QCOMPARE(m_server->redis().run({"DEL", "rill:{c:" + kChan.toUtf8() + "}:lastchange"}).integer(), 1);
        QCOMPARE(lastChangeAtLogIn(), newestId);
        QCOMPARE(lastChangeAtLogIn(), newestId); // and again, from the copy the first log-in made
    }

    void errors()
    {
        CONF_ERROR(changes(*m_carol, u"0-0"_s), "not_member");
        CONF_ERROR(m_bob->call(u"changes"_s, {{"channel"_L1, kChan}}), "bad_request");
        CONF_ERROR(changes(*m_bob, u"yesterday"_s), "bad_request");
        CONF_ERROR(changes(*m_bob, u"0-0"_s, 101), "bad_request");
    }
};

QTEST_GUILESS_MAIN(TestConformanceChanges)
#include "tst_conformance_changes.moc"
