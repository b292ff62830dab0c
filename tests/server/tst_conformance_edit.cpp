// Conformance (black box, from PROTOCOL.md revision 2): `edit` and `delete`, every error of
// their rows, the `update` event (whole and current, to every session of every member, once;
// none for a change that changes nothing), and history and nonce resends showing current state.

#include "Conformance.h"

using namespace rill::test;
using namespace rill::test::conf;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
const QString kPassword = u"correct horse"_s;
constexpr auto kQuiet = 300ms;
const QString kChan = u"edits"_s;
const QString kAbsentId = u"1-0"_s; // a well-formed ID no message of kChan has

std::function<bool(const QJsonObject &)> updateOf(const QString &id)
{
    return [id](const QJsonObject &e) { return e.value("message"_L1).toObject().value("id"_L1).toString() == id; };
}
} // namespace

class TestConformanceEdit : public CastSuite
{
    Q_OBJECT

private:
    QString m_joinId; // alice's join entry in kChan

    QJsonObject sendAs(TestClient &c, const QString &text, const QJsonValue &nonce = {})
    {
        QJsonObject p{{"channel"_L1, kChan}, {"text"_L1, text}};
        if (!nonce.isUndefined())
            p.insert("nonce"_L1, nonce);
        const QJsonObject r = c.call(u"send"_s, p);
        if (!isOk(r))
            qWarning("send failed: %s", qPrintable(dump(r)));
        return r.value("message"_L1).toObject();
    }
    QJsonObject edit(TestClient &c, const QString &id, const QString &text, const QString &channel = kChan)
    {
        return c.call(u"edit"_s, {{"channel"_L1, channel}, {"messageId"_L1, id}, {"text"_L1, text}});
    }
    QJsonObject remove(TestClient &c, const QString &id, const QString &channel = kChan)
    {
        return c.call(u"delete"_s, {{"channel"_L1, channel}, {"messageId"_L1, id}});
    }
    // The entry with this ID as `history` shows it now.
    QJsonObject stored(const QString &id)
    {
        const QJsonObject h = m_bob->call(u"history"_s, {{"channel"_L1, kChan}, {"limit"_L1, 100}});
        for (const auto &m : h.value("messages"_L1).toArray()) {
            if (m.toObject().value("id"_L1).toString() == id)
                return m.toObject();
        }
        return {};
    }
    // The ID of a message of kChan the data rows name: "own" (alice's), "bobs", "join" (alice's
    // join entry), "absent" (no such message), "deleted" (alice's, deleted).
    QString messageFor(const QString &target)
    {
        if (target == "join"_L1)
            return m_joinId;
        if (target == "absent"_L1)
            return kAbsentId;
        const QString id = sendAs(target == "bobs"_L1 ? *m_bob : *m_a1, u"a message"_s).value("id"_L1).toString();
        if (target == "deleted"_L1 && !isOk(remove(*m_a1, id)))
            qWarning("could not delete %s", qPrintable(id));
        return id;
    }
    void drainUpdates()
    {
        for (auto *c : {m_a1.get(), m_a2.get(), m_bob.get(), m_carol.get()})
            c->clearEvents();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(startCast(kChan, kPassword));
        const QJsonArray log = m_bob->call(u"history"_s, {{"channel"_L1, kChan}}).value("messages"_L1).toArray();
        QVERIFY(!log.isEmpty());
        QCOMPARE(log.first().toObject().value("kind"_L1).toString(), u"join"_s);
        m_joinId = log.first().toObject().value("id"_L1).toString();
    }

    void cleanupTestCase()
    {
        stopCast();
    }

    void init() { drainUpdates(); }

    void editReturnsCurrentMessage()
    {
        const QJsonObject sent = sendAs(*m_a1, u"helo"_s, u"n-edit"_s);
        const QString id = sent.value("id"_L1).toString();
        const QJsonObject r = edit(*m_a1, id, u"hello"_s);
        CONF_OK(r);
        const QJsonObject m = r.value("message"_L1).toObject();
        CONF_SHAPE(messageProblems(m));
        QCOMPARE(m.value("id"_L1).toString(), id);
        QCOMPARE(m.value("text"_L1).toString(), u"hello"_s);
        QCOMPARE(m.value("user"_L1).toString(), u"alice"_s);
        QCOMPARE(m.value("ts"_L1), sent.value("ts"_L1));
        QVERIFY2(isInteger(m.value("edited"_L1)) && m.value("edited"_L1).toInteger() >= m.value("ts"_L1).toInteger(),
                 qPrintable(dump(m)));
        QVERIFY(!m.contains("deleted"_L1));
        // History shows the current state, and so does a resend with the original nonce.
        QCOMPARE(stored(id), m);
        const QJsonObject resent = sendAs(*m_a1, u"helo"_s, u"n-edit"_s);
        QCOMPARE(resent, m);
    }

    void updateReachesEverySessionOfEveryMemberOnce()
    {
        const QString id = sendAs(*m_a1, u"first draft"_s).value("id"_L1).toString();
        drainUpdates();
        const QJsonObject r = edit(*m_a2, id, u"second draft"_s);
        CONF_OK(r);
        for (auto *c : {m_a1.get(), m_a2.get(), m_bob.get()}) {
            const auto ev = c->waitEvent(u"update"_s, updateOf(id));
            QVERIFY2(ev, qPrintable(u"no update for "_s + c->user()));
            QCOMPARE(ev->value("message"_L1).toObject(), r.value("message"_L1).toObject());
        }
        QVERIFY(!m_carol->receivesWithin(u"update"_s, kQuiet));
        for (auto *c : {m_a1.get(), m_a2.get(), m_bob.get()})
            QVERIFY2(!c->receivesWithin(u"update"_s, 0ms, updateOf(id)), "an update came twice");
    }

    void sameTextChangesNothing()
    {
        const QString id = sendAs(*m_a1, u"steady"_s).value("id"_L1).toString();
        drainUpdates();
        const QJsonObject r = edit(*m_a1, id, u"steady"_s);
        CONF_OK(r);
        const QJsonObject m = r.value("message"_L1).toObject();
        QVERIFY2(!m.contains("edited"_L1), qPrintable(dump(m)));
        QCOMPARE(stored(id), m);
        QVERIFY(!m_bob->receivesWithin(u"update"_s, kQuiet, updateOf(id)));
    }

    void editErrors_data()
    {
        QTest::addColumn<QString>("who");
        QTest::addColumn<QString>("target"); // "own", "bobs", "join", "absent", "deleted"
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("error");
        QTest::newRow("not a member") << u"carol"_s << u"own"_s << u"x"_s << u"not_member"_s;
        QTest::newRow("no such message") << u"alice"_s << u"absent"_s << u"x"_s << u"no_such_message"_s;
        QTest::newRow("not the author") << u"alice"_s << u"bobs"_s << u"x"_s << u"forbidden"_s;
        QTest::newRow("a join entry") << u"alice"_s << u"join"_s << u"x"_s << u"forbidden"_s;
        QTest::newRow("a deleted message") << u"alice"_s << u"deleted"_s << u"x"_s << u"forbidden"_s;
        QTest::newRow("empty") << u"alice"_s << u"own"_s << u"  \n "_s << u"empty"_s;
        QTest::newRow("too long") << u"alice"_s << u"own"_s << QString(4001, u'a') << u"too_long"_s;
    }

    void editErrors()
    {
        QFETCH(QString, who);
        QFETCH(QString, target);
        QFETCH(QString, text);
        QFETCH(QString, error);
        const QString own = sendAs(*m_a1, u"mine"_s).value("id"_L1).toString();
        const QString id = target == "own"_L1 ? own : messageFor(target);
        const QJsonObject before = stored(id);
        drainUpdates();
        TestClient &client = who == "carol"_L1 ? *m_carol : *m_a1;
        CONF_ERROR(edit(client, id, text), error.toLatin1().constData());
        // Nothing changed, nobody was told, and the session keeps serving.
        QCOMPARE(stored(id), before);
        QVERIFY(!m_bob->receivesWithin(u"update"_s, kQuiet));
        CONF_OK(edit(*m_a1, own, u"still serving"_s));
    }

    void malformedRequestsAreBadRequest_data()
    {
        QTest::addColumn<QString>("op");
        QTest::addColumn<QJsonObject>("params");
        QTest::newRow("edit without messageId") << u"edit"_s << QJsonObject{{"channel"_L1, kChan}, {"text"_L1, u"x"_s}};
        QTest::newRow("edit, messageId not an ID") << u"edit"_s
                                                   << QJsonObject{{"channel"_L1, kChan}, {"messageId"_L1, u"abc"_s}, {"text"_L1, u"x"_s}};
        QTest::newRow("edit without text") << u"edit"_s << QJsonObject{{"channel"_L1, kChan}, {"messageId"_L1, kAbsentId}};
        QTest::newRow("delete without messageId") << u"delete"_s << QJsonObject{{"channel"_L1, kChan}};
        QTest::newRow("delete, messageId a number") << u"delete"_s << QJsonObject{{"channel"_L1, kChan}, {"messageId"_L1, 12}};
    }

    void malformedRequestsAreBadRequest()
    {
        QFETCH(QString, op);
        QFETCH(QJsonObject, params);
        CONF_ERROR(m_a1->call(op, params), "bad_request");
    }

    void deleteKeepsThePlaceWithoutTheText()
    {
        // bob has read up to here; alice's message after it is unread for him.
        const QString mark = sendAs(*m_bob, u"marker"_s).value("id"_L1).toString();
        CONF_OK(m_bob->call(u"read"_s, {{"channel"_L1, kChan}, {"upTo"_L1, mark}}));
        const QJsonObject sent = sendAs(*m_a1, u"regrettable"_s);
        const QString id = sent.value("id"_L1).toString();
        const QString after = sendAs(*m_a1, u"after it"_s).value("id"_L1).toString();
        drainUpdates();
        const QJsonObject r = remove(*m_a1, id);
        CONF_OK(r);
        for (auto *c : {m_a1.get(), m_a2.get(), m_bob.get()}) {
            const auto ev = c->waitEvent(u"update"_s, updateOf(id));
            QVERIFY2(ev, qPrintable(u"no update for "_s + c->user()));
            const QJsonObject m = ev->value("message"_L1).toObject();
            QCOMPARE(m.value("deleted"_L1), QJsonValue(true));
            QVERIFY2(!m.contains("text"_L1) && !m.contains("reactions"_L1) && !m.contains("edited"_L1), qPrintable(dump(m)));
            QCOMPARE(m.value("user"_L1).toString(), u"alice"_s);
            QCOMPARE(m.value("ts"_L1), sent.value("ts"_L1));
            QCOMPARE(stored(id), m);
        }
        QVERIFY(!m_carol->receivesWithin(u"update"_s, kQuiet));
        // It keeps its place between its neighbours and still counts in bob's unread.
        const QJsonArray page = m_bob->call(u"history"_s, {{"channel"_L1, kChan}, {"after"_L1, mark}}).value("messages"_L1).toArray();
        QCOMPARE(ids(page), (QStringList{id, after}));
        auto probe = connectTo(m_server->url());
        QVERIFY(probe);
        const QJsonObject login = probe->call(u"login"_s, {{"token"_L1, m_bob->token()}});
        QCOMPARE(findChannel(login.value("channels"_L1).toArray(), kChan).value("unread"_L1).toInteger(), 2);
        // Deleting again changes nothing and tells nobody.
        drainUpdates();
        CONF_OK(remove(*m_a1, id));
        QVERIFY(!m_bob->receivesWithin(u"update"_s, kQuiet, updateOf(id)));
    }

    void editedThenDeletedShowsNoEdit()
    {
        const QString id = sendAs(*m_a1, u"one"_s).value("id"_L1).toString();
        CONF_OK(edit(*m_a1, id, u"two"_s));
        CONF_OK(remove(*m_a1, id));
        const QJsonObject m = stored(id);
        QCOMPARE(m.value("deleted"_L1), QJsonValue(true));
        QVERIFY2(!m.contains("text"_L1) && !m.contains("edited"_L1), qPrintable(dump(m)));
    }

    void deleteErrors_data()
    {
        QTest::addColumn<QString>("who");
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("error");
        QTest::newRow("not a member") << u"carol"_s << u"own"_s << u"not_member"_s;
        QTest::newRow("no such message") << u"alice"_s << u"absent"_s << u"no_such_message"_s;
        QTest::newRow("not the author") << u"alice"_s << u"bobs"_s << u"forbidden"_s;
        QTest::newRow("a join entry") << u"alice"_s << u"join"_s << u"forbidden"_s;
        QTest::newRow("not a channel of the user") << u"alice"_s << u"elsewhere"_s << u"not_member"_s;
    }

    void deleteErrors()
    {
        QFETCH(QString, who);
        QFETCH(QString, target);
        QFETCH(QString, error);
        const bool elsewhere = target == "elsewhere"_L1;
        const QString id = messageFor(elsewhere ? u"own"_s : target);
        const QString channel = elsewhere ? u"never-joined"_s : kChan;
        const QJsonObject before = stored(id);
        drainUpdates();
        TestClient &client = who == "carol"_L1 ? *m_carol : *m_a1;
        CONF_ERROR(remove(client, id, channel), error.toLatin1().constData());
        QCOMPARE(stored(id), before);
        QVERIFY(!m_bob->receivesWithin(u"update"_s, kQuiet));
    }
};

QTEST_GUILESS_MAIN(TestConformanceEdit)
#include "tst_conformance_edit.moc"
