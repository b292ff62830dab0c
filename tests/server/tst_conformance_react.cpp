// Conformance (black box, from PROTOCOL.md revision 2): `react` (toggles that are idempotent,
// users in the order they reacted, at most 64 distinct emoji, what an emoji may be), its errors,
// and the `update` event it sends only when something changed.

#include "Conformance.h"

using namespace rill::test;
using namespace rill::test::conf;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
const QString kPassword = u"correct horse"_s;
constexpr auto kQuiet = 300ms;
const QString kChan = u"reactions"_s;
const QString kThumbs = u"\U0001F44D"_s; // 4 bytes of UTF-8
const QString kParty = u"\U0001F389"_s;

std::function<bool(const QJsonObject &)> updateOf(const QString &id)
{
    return [id](const QJsonObject &e) { return e.value("message"_L1).toObject().value("id"_L1).toString() == id; };
}
} // namespace

class TestConformanceReact : public CastSuite
{
    Q_OBJECT

private:
    QString m_joinId;

    QString post(TestClient &c, const QString &text)
    {
        const QJsonObject r = c.call(u"send"_s, {{"channel"_L1, kChan}, {"text"_L1, text}});
        return r.value("message"_L1).toObject().value("id"_L1).toString();
    }
    QJsonObject react(TestClient &c, const QString &id, const QString &emoji, bool on = true)
    {
        return c.call(u"react"_s, {{"channel"_L1, kChan}, {"messageId"_L1, id}, {"emoji"_L1, emoji}, {"on"_L1, on}});
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
    // The update every member's sessions get for `id`, the same for each; empty if one missed it.
    QJsonObject updateEverywhere(const QString &id)
    {
        QJsonObject seen;
        for (auto *c : {m_a1.get(), m_a2.get(), m_bob.get()}) {
            const auto ev = c->waitEvent(u"update"_s, updateOf(id));
            if (!ev || (!seen.isEmpty() && ev->value("message"_L1).toObject() != seen))
                return {};
            seen = ev->value("message"_L1).toObject();
        }
        return seen;
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

    void reactionsKeepTheOrderOfReacting()
    {
        const QString id = post(*m_a1, u"ship it?"_s);
        clearAll();
        CONF_OK(react(*m_bob, id, kThumbs));
        QJsonObject m = updateEverywhere(id);
        QVERIFY(!m.isEmpty());
        CONF_SHAPE(messageProblems(m));
        QCOMPARE(m.value("reactions"_L1).toObject(), (QJsonObject{{kThumbs, QJsonArray{u"bob"_s}}}));
        QCOMPARE(m.value("text"_L1).toString(), u"ship it?"_s);
        QVERIFY(!m_carol->receivesWithin(u"update"_s, kQuiet));

        CONF_OK(react(*m_a2, id, kThumbs));
        CONF_OK(react(*m_a1, id, kParty));
        QVERIFY(!updateEverywhere(id).isEmpty());
        m = updateEverywhere(id);
        QCOMPARE(m.value("reactions"_L1).toObject(),
                 (QJsonObject{{kThumbs, QJsonArray{u"bob"_s, u"alice"_s}}, {kParty, QJsonArray{u"alice"_s}}}));
        QCOMPARE(stored(id), m);

        // Removing: the others stay in order; the last one gone takes the emoji, then the field.
        CONF_OK(react(*m_bob, id, kThumbs, false));
        CONF_OK(react(*m_a1, id, kParty, false));
        QVERIFY(!updateEverywhere(id).isEmpty());
        m = updateEverywhere(id);
        QCOMPARE(m.value("reactions"_L1).toObject(), (QJsonObject{{kThumbs, QJsonArray{u"alice"_s}}}));
        CONF_OK(react(*m_a1, id, kThumbs, false));
        m = updateEverywhere(id);
        QVERIFY2(!m.isEmpty() && !m.contains("reactions"_L1), qPrintable(dump(m)));
        QCOMPARE(stored(id), m);
    }

    void togglesThatChangeNothingTellNobody()
    {
        const QString id = post(*m_a1, u"calm"_s);
        CONF_OK(react(*m_bob, id, kThumbs));
        QVERIFY(!updateEverywhere(id).isEmpty());
        const QJsonObject before = stored(id);
        CONF_OK(react(*m_bob, id, kThumbs));          // twice
        CONF_OK(react(*m_bob, id, kParty, false));    // not there
        CONF_OK(react(*m_a1, id, kThumbs, false));    // someone else's
        QVERIFY(!m_bob->receivesWithin(u"update"_s, kQuiet, updateOf(id)));
        QCOMPARE(stored(id), before);
    }

    void atMost64DistinctEmoji()
    {
        const QString id = post(*m_a1, u"popular"_s);
        for (int i = 0; i < 64; ++i)
            CONF_OK(react(i % 2 ? *m_a1 : *m_bob, id, u"e%1"_s.arg(i)));
        CONF_ERROR(react(*m_bob, id, u"one-too-many"_s), "bad_request");
        // Joining an emoji that is already there is still fine.
        CONF_OK(react(*m_bob, id, u"e1"_s));
        const QJsonObject m = stored(id);
        QCOMPARE(m.value("reactions"_L1).toObject().size(), 64);
        QVERIFY(!m.value("reactions"_L1).toObject().contains("one-too-many"_L1));
        QCOMPARE(m.value("reactions"_L1).toObject().value("e1"_L1).toArray(), (QJsonArray{u"alice"_s, u"bob"_s}));
    }

    void whatAnEmojiMayBe_data()
    {
        QTest::addColumn<QString>("emoji");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("one emoji") << kThumbs << true;
        QTest::newRow("32 bytes") << QString(8, u'x').replace(u"x"_s, kThumbs) << true;
        QTest::newRow("33 bytes") << QString(8, u'x').replace(u"x"_s, kThumbs) + u"a"_s << false;
        QTest::newRow("with a space") << u"\U0001F44D \U0001F44D"_s << false;
        QTest::newRow("with a tab") << u"a\tb"_s << false;
        QTest::newRow("a control character") << u"a\u0007"_s << false;
        QTest::newRow("a no-break space") << u"a\u00a0b"_s << false;
        QTest::newRow("empty") << QString() << false;
    }

    void whatAnEmojiMayBe()
    {
        QFETCH(QString, emoji);
        QFETCH(bool, accepted);
        const QString id = post(*m_a1, u"judge my emoji"_s);
        const QJsonObject r = react(*m_bob, id, emoji);
        if (accepted) {
            CONF_OK(r);
            QCOMPARE(stored(id).value("reactions"_L1).toObject().keys(), QStringList{emoji});
        } else {
            CONF_ERROR(r, "bad_request");
            QVERIFY(!stored(id).contains("reactions"_L1));
        }
    }

    void errors()
    {
        const QString id = post(*m_a1, u"target"_s);
        const QString gone = post(*m_a1, u"will go"_s);
        CONF_OK(react(*m_bob, gone, kThumbs));
        CONF_OK(m_a1->call(u"delete"_s, {{"channel"_L1, kChan}, {"messageId"_L1, gone}}));
        const QJsonObject deleted = stored(gone);
        QCOMPARE(deleted.value("deleted"_L1), QJsonValue(true));
        QVERIFY2(!deleted.contains("reactions"_L1), qPrintable(dump(deleted)));
        clearAll();
        CONF_ERROR(react(*m_carol, id, kThumbs), "not_member");
        CONF_ERROR(react(*m_bob, u"1-0"_s, kThumbs), "no_such_message");
        CONF_ERROR(react(*m_bob, gone, kThumbs), "forbidden");
        CONF_ERROR(react(*m_bob, gone, kThumbs, false), "forbidden");
        CONF_ERROR(react(*m_bob, m_joinId, kThumbs), "forbidden");
        CONF_ERROR(m_bob->call(u"react"_s, {{"channel"_L1, kChan}, {"messageId"_L1, id}, {"emoji"_L1, kThumbs}}), "bad_request");
        QVERIFY(!m_a1->receivesWithin(u"update"_s, kQuiet));
        QCOMPARE(stored(gone), deleted);
        CONF_OK(react(*m_bob, id, kThumbs));
    }
};

QTEST_GUILESS_MAIN(TestConformanceReact)
#include "tst_conformance_react.moc"
