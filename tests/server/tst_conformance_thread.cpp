// Conformance (black box, from PROTOCOL.md revision 2): replies (`send` with `replyTo`, one
// level deep), the root's `replies`/`lastReplyTs` and its `update` after the reply's `message`,
// `thread` paging with `after`, and replies surviving edits and deletions on either side.

#include "Conformance.h"

using namespace rill::test;
using namespace rill::test::conf;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
const QString kPassword = u"correct horse"_s;
constexpr auto kQuiet = 300ms;
const QString kChan = u"threads"_s;

qsizetype indexOf(const QList<QJsonObject> &events, const QString &ev, const QString &id)
{
    for (qsizetype i = 0; i < events.size(); ++i) {
        if (events[i].value("ev"_L1).toString() == ev
            && events[i].value("message"_L1).toObject().value("id"_L1).toString() == id)
            return i;
    }
    return -1;
}
} // namespace

class TestConformanceThread : public CastSuite
{
    Q_OBJECT

private:
    QString m_joinId;

    QJsonObject send(TestClient &c, const QString &text, const QString &replyTo = {}, const QJsonValue &nonce = {})
    {
        QJsonObject p{{"channel"_L1, kChan}, {"text"_L1, text}};
        if (!replyTo.isEmpty())
            p.insert("replyTo"_L1, replyTo);
        if (!nonce.isUndefined())
            p.insert("nonce"_L1, nonce);
        return c.call(u"send"_s, p);
    }
    QString post(TestClient &c, const QString &text, const QString &replyTo = {})
    {
        return send(c, text, replyTo).value("message"_L1).toObject().value("id"_L1).toString();
    }
    QJsonObject thread(TestClient &c, const QString &root, const QString &after = {}, int limit = 0)
    {
        QJsonObject p{{"channel"_L1, kChan}, {"messageId"_L1, root}};
        if (!after.isEmpty())
            p.insert("after"_L1, after);
        if (limit)
            p.insert("limit"_L1, limit);
        return c.call(u"thread"_s, p);
    }
    QJsonObject stored(const QString &id)
    {
        const QJsonObject h = m_bob->call(u"history"_s, {{"channel"_L1, kChan}, {"limit"_L1, 100}});
        for (const auto &m : h.value("messages"_L1).toArray()) {
            if (m.toObject().value("id"_L1).toString() == id)
                return m.toObject();
        }
        return {};
    }
    void clearAll()
    {
        for (auto *c : {m_a1.get(), m_a2.get(), m_bob.get(), m_carol.get()})
            c->clearEvents();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(startCast(kChan, kPassword));
        m_joinId = ids(m_bob->call(u"history"_s, {{"channel"_L1, kChan}}).value("messages"_L1).toArray()).value(0);
        QVERIFY(!m_joinId.isEmpty());
    }

    void cleanupTestCase()
    {
        stopCast();
    }

    void init() { clearAll(); }

    void replyThenRootUpdate()
    {
        const QString root = post(*m_a1, u"lunch?"_s);
        clearAll();
        const QJsonObject r = send(*m_bob, u"yes"_s, root);
        CONF_OK(r);
        const QJsonObject reply = r.value("message"_L1).toObject();
        CONF_SHAPE(messageProblems(reply));
        QCOMPARE(reply.value("replyTo"_L1).toString(), root);
        const QString replyId = reply.value("id"_L1).toString();
        for (auto *c : {m_a1.get(), m_a2.get(), m_bob.get()}) {
            QTRY_VERIFY_WITH_TIMEOUT(indexOf(c->events(), u"update"_s, root) >= 0, 5000);
            const qsizetype message = indexOf(c->events(), u"message"_s, replyId);
            const qsizetype update = indexOf(c->events(), u"update"_s, root);
            QVERIFY2(message >= 0 && message < update, qPrintable(u"the reply's message must come before the root's update, for "_s + c->user()));
            QCOMPARE(c->events().at(message).value("message"_L1).toObject(), reply);
            const QJsonObject updated = c->events().at(update).value("message"_L1).toObject();
            QCOMPARE(updated.value("replies"_L1).toInteger(), 1);
            QCOMPARE(updated.value("lastReplyTs"_L1), reply.value("ts"_L1));
            QCOMPARE(updated.value("text"_L1).toString(), u"lunch?"_s);
            QVERIFY(!updated.contains("replyTo"_L1));
        }
        QVERIFY(!m_carol->receivesWithin(u"update"_s, kQuiet));
        // The reply is in the channel's history too, with its replyTo.
        QCOMPARE(stored(replyId), reply);
        QCOMPARE(stored(root).value("replies"_L1).toInteger(), 1);
        // A resend with the same nonce stores nothing and counts nothing.
        const QJsonObject first = send(*m_bob, u"again"_s, root, u"reply-nonce"_s);
        const QJsonObject resent = send(*m_bob, u"again"_s, root, u"reply-nonce"_s);
        QCOMPARE(resent.value("message"_L1).toObject(), first.value("message"_L1).toObject());
        QCOMPARE(stored(root).value("replies"_L1).toInteger(), 2);
    }

    void threadPagesOldestFirst()
    {
        const QString root = post(*m_bob, u"poll: tabs or spaces"_s);
        QStringList replies;
        for (int i = 0; i < 5; ++i)
            replies << post(i % 2 ? *m_bob : *m_a1, u"answer %1"_s.arg(i), root);
        post(*m_a1, u"unrelated"_s);
        QJsonObject page = thread(*m_a1, root, {}, 2);
        CONF_OK(page);
        QCOMPARE(page.value("root"_L1).toObject(), stored(root));
        QCOMPARE(page.value("root"_L1).toObject().value("replies"_L1).toInteger(), 5);
        QCOMPARE(page.value("root"_L1).toObject().value("lastReplyTs"_L1), stored(replies.last()).value("ts"_L1));
        QCOMPARE(ids(page.value("messages"_L1).toArray()), replies.mid(0, 2));
        QCOMPARE(page.value("more"_L1), QJsonValue(true));
        for (const auto &m : page.value("messages"_L1).toArray())
            CONF_SHAPE(messageProblems(m.toObject()));
        page = thread(*m_a1, root, replies.at(1), 2);
        QCOMPARE(ids(page.value("messages"_L1).toArray()), replies.mid(2, 2));
        QCOMPARE(page.value("more"_L1), QJsonValue(true));
        page = thread(*m_a1, root, replies.at(3), 2);
        QCOMPARE(ids(page.value("messages"_L1).toArray()), replies.mid(4));
        QCOMPARE(page.value("more"_L1), QJsonValue(false));
        page = thread(*m_a1, root); // default limit: all five
        QCOMPARE(ids(page.value("messages"_L1).toArray()), replies);
        QCOMPARE(page.value("more"_L1), QJsonValue(false));
        QCOMPARE(page.value("messages"_L1).toArray().at(0).toObject(), stored(replies.at(0)));
    }

    void threadsAreOneLevelDeep()
    {
        const QString root = post(*m_a1, u"root"_s);
        const QString reply = post(*m_bob, u"reply"_s, root);
        const QString newest = stored(reply).value("id"_L1).toString();
        clearAll();
        CONF_ERROR(send(*m_a1, u"reply to a reply"_s, reply), "no_such_message");
        CONF_ERROR(send(*m_a1, u"reply to nothing"_s, u"1-0"_s), "no_such_message");
        CONF_ERROR(send(*m_a1, u"reply to a join"_s, m_joinId), "no_such_message");
        CONF_ERROR(send(*m_a1, u"bad id"_s, u"not-an-id"_s), "bad_request");
        CONF_ERROR(send(*m_carol, u"not a member"_s, root), "not_member");
        // Nothing was stored or told.
        const QJsonArray tail = m_bob->call(u"history"_s, {{"channel"_L1, kChan}, {"limit"_L1, 1}}).value("messages"_L1).toArray();
        QCOMPARE(ids(tail), QStringList{newest});
        QCOMPARE(stored(root).value("replies"_L1).toInteger(), 1);
        QVERIFY(!m_bob->receivesWithin(u"message"_s, kQuiet, inChannel(kChan)));
    }

    void repliesSurviveEditsAndDeletions()
    {
        const QString root = post(*m_a1, u"original"_s);
        const QString first = post(*m_bob, u"first"_s, root);
        const QString second = post(*m_a1, u"second"_s, root);
        CONF_OK(m_a1->call(u"edit"_s, {{"channel"_L1, kChan}, {"messageId"_L1, root}, {"text"_L1, u"edited"_s}}));
        CONF_OK(m_bob->call(u"delete"_s, {{"channel"_L1, kChan}, {"messageId"_L1, first}}));
        QJsonObject page = thread(*m_bob, root);
        CONF_OK(page);
        QCOMPARE(page.value("root"_L1).toObject().value("text"_L1).toString(), u"edited"_s);
        QCOMPARE(page.value("root"_L1).toObject().value("replies"_L1).toInteger(), 2);
        QCOMPARE(ids(page.value("messages"_L1).toArray()), (QStringList{first, second}));
        const QJsonObject gone = page.value("messages"_L1).toArray().at(0).toObject();
        QCOMPARE(gone.value("deleted"_L1), QJsonValue(true));
        QCOMPARE(gone.value("replyTo"_L1).toString(), root);
        QVERIFY(!gone.contains("text"_L1));

        // A deleted root keeps its replies and takes new ones.
        CONF_OK(m_a1->call(u"delete"_s, {{"channel"_L1, kChan}, {"messageId"_L1, root}}));
        clearAll();
        const QString third = post(*m_bob, u"third"_s, root);
        QVERIFY(!third.isEmpty());
        const auto update = m_a1->waitEvent(u"update"_s, [&root](const QJsonObject &e) {
            return e.value("message"_L1).toObject().value("id"_L1).toString() == root;
        });
        QVERIFY(update);
        const QJsonObject deletedRoot = update->value("message"_L1).toObject();
        QCOMPARE(deletedRoot.value("deleted"_L1), QJsonValue(true));
        QCOMPARE(deletedRoot.value("replies"_L1).toInteger(), 3);
        QVERIFY(!deletedRoot.contains("text"_L1));
        page = thread(*m_bob, root);
        QCOMPARE(ids(page.value("messages"_L1).toArray()), (QStringList{first, second, third}));
        QCOMPARE(page.value("root"_L1).toObject(), deletedRoot);
    }

    void threadErrors()
    {
        const QString root = post(*m_a1, u"errors root"_s);
        const QString reply = post(*m_bob, u"errors reply"_s, root);
        CONF_ERROR(thread(*m_carol, root), "not_member");
        CONF_ERROR(thread(*m_a1, u"1-0"_s), "no_such_message");
        CONF_ERROR(thread(*m_a1, reply), "no_such_message");
        CONF_ERROR(thread(*m_a1, m_joinId), "no_such_message");
        CONF_ERROR(m_a1->call(u"thread"_s, {{"channel"_L1, kChan}, {"messageId"_L1, root}, {"limit"_L1, 0}}), "bad_request");
        CONF_ERROR(m_a1->call(u"thread"_s, {{"channel"_L1, kChan}, {"messageId"_L1, root}, {"limit"_L1, 101}}), "bad_request");
        CONF_ERROR(m_a1->call(u"thread"_s, {{"channel"_L1, kChan}}), "bad_request");
        CONF_OK(thread(*m_a1, root));
    }
};

QTEST_GUILESS_MAIN(TestConformanceThread)
#include "tst_conformance_thread.moc"
