// Conformance (black box, from PROTOCOL.md): channels, join, part, members; the default
// channel `general`; join/part entries in the log; the `member` and `channel` events.

#include "Conformance.h"

using namespace rill::test;
using namespace rill::test::conf;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
const QString kPassword = u"correct horse"_s;
// How long a "must not receive" check listens after the positive check has passed.
constexpr auto kQuiet = 300ms;
}

// alice twice, bob and carol; nobody joins anything in the set-up.
class TestConformanceChannels : public CastSuite
{
    Q_OBJECT

private:

    QJsonObject join(TestClient &c, const QString &channel) { return c.call(u"join"_s, {{"channel"_L1, channel}}); }
    QJsonObject part(TestClient &c, const QString &channel) { return c.call(u"part"_s, {{"channel"_L1, channel}}); }
    QJsonObject history(TestClient &c, const QString &channel)
    {
        return c.call(u"history"_s, {{"channel"_L1, channel}, {"limit"_L1, 100}});
    }
    QJsonArray messagesOf(TestClient &c, const QString &channel)
    {
        const QJsonObject h = history(c, channel);
        if (!isOk(h))
            qWarning("history failed: %s", qPrintable(dump(h)));
        return h.value("messages"_L1).toArray();
    }
    void drainAll()
    {
        for (auto *c : {m_a1.get(), m_a2.get(), m_bob.get(), m_carol.get()})
            c->clearEvents();
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(startCast({}, kPassword)); }
    void cleanupTestCase() { stopCast(); }

    void init() { drainAll(); }

    void registerJoinsGeneral()
    {
        auto c = connectTo(m_server->url());
        QVERIFY(c);
        const QJsonObject r = c->call(u"register"_s, {{"user"_L1, u"newcomer"_s}, {"password"_L1, kPassword}}, 30s);
        CONF_OK(r);
        const QJsonObject general = findChannel(r.value("channels"_L1).toArray(), u"general"_s);
        QVERIFY2(!general.isEmpty(), qPrintable(dump(r)));
        CONF_SHAPE(channelInfoProblems(general));
        QCOMPARE(general.value("kind"_L1).toString(), u"channel"_s);

        const QJsonObject m = c->call(u"members"_s, {{"channel"_L1, u"general"_s}});
        CONF_OK(m);
        bool found = false;
        for (const auto &e : m.value("members"_L1).toArray())
            found = found || e.toObject().value("user"_L1).toString() == "newcomer"_L1;
        QVERIFY2(found, qPrintable(dump(m)));
        QCOMPARE(general.value("members"_L1).toInteger(), m.value("members"_L1).toArray().size());
        // An existing member can talk to the newcomer there.
        const QString text = u"welcome newcomer"_s;
        CONF_OK(m_bob->call(u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, text}}));
        QVERIFY(c->waitEvent(u"message"_s, messageWithText(text, u"general"_s)));
    }

    void partedGeneralStaysOut()
    {
        QString token;
        {
            auto c = connectTo(m_server->url());
            QVERIFY(c);
            const QJsonObject r = c->call(u"register"_s, {{"user"_L1, u"leaver"_s}, {"password"_L1, kPassword}}, 30s);
            CONF_OK(r);
            token = r.value("token"_L1).toString();
            CONF_OK(part(*c, u"general"_s));
        }
        // A later login, by password and by token, does not put them back.
        auto byPassword = connectTo(m_server->url());
        QVERIFY(byPassword);
        const QJsonObject r = byPassword->call(u"login"_s, {{"user"_L1, u"leaver"_s}, {"password"_L1, kPassword}}, 30s);
        CONF_OK(r);
        QVERIFY2(findChannel(r.value("channels"_L1).toArray(), u"general"_s).isEmpty(), qPrintable(dump(r)));
        auto byToken = connectTo(m_server->url());
        QVERIFY(byToken);
        const QJsonObject t = byToken->call(u"login"_s, {{"token"_L1, token}});
        CONF_OK(t);
        QVERIFY2(findChannel(t.value("channels"_L1).toArray(), u"general"_s).isEmpty(), qPrintable(dump(t)));
        CONF_ERROR(byToken->call(u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, u"am I in?"_s}}), "not_member");
        const QJsonObject members = m_bob->call(u"members"_s, {{"channel"_L1, u"general"_s}});
        CONF_OK(members);
        for (const auto &e : members.value("members"_L1).toArray())
            QVERIFY2(e.toObject().value("user"_L1).toString() != "leaver"_L1, qPrintable(dump(members)));
    }

    void joinCreatesChannel()
    {
        const QJsonObject r = join(*m_a1, u"fresh-chan"_s);
        CONF_OK(r);
        const QJsonObject info = r.value("channel"_L1).toObject();
        CONF_SHAPE(channelInfoProblems(info));
        QCOMPARE(info.value("name"_L1).toString(), u"fresh-chan"_s);
        QCOMPARE(info.value("kind"_L1).toString(), u"channel"_s);
        QCOMPARE(info.value("members"_L1).toInteger(), 1);
        QVERIFY2(!info.contains("peer"_L1), qPrintable(dump(info)));
        QCOMPARE(info.value("unread"_L1).toInteger(), 0);

        const QJsonArray log = messagesOf(*m_a1, u"fresh-chan"_s);
        QCOMPARE(log.size(), 1);
        const QJsonObject entry = log.first().toObject();
        CONF_SHAPE(messageProblems(entry));
        QCOMPARE(entry.value("kind"_L1).toString(), u"join"_s);
        QCOMPARE(entry.value("user"_L1).toString(), u"alice"_s);
        QCOMPARE(entry.value("channel"_L1).toString(), u"fresh-chan"_s);
        QVERIFY2(!entry.contains("text"_L1), qPrintable(dump(entry)));
    }

    void joinLowercasesName()
    {
        const QJsonObject r = join(*m_a1, u"MiXeD-Case_1"_s);
        CONF_OK(r);
        QCOMPARE(r.value("channel"_L1).toObject().value("name"_L1).toString(), u"mixed-case_1"_s);
        // The same channel under any case: bob joins it in upper case and both are members.
        const QJsonObject b = join(*m_bob, u"MIXED-CASE_1"_s);
        CONF_OK(b);
        QCOMPARE(b.value("channel"_L1).toObject().value("name"_L1).toString(), u"mixed-case_1"_s);
        QCOMPARE(b.value("channel"_L1).toObject().value("members"_L1).toInteger(), 2);
        const QJsonObject h = history(*m_bob, u"Mixed-Case_1"_s);
        CONF_OK(h);
        QCOMPARE(h.value("messages"_L1).toArray().size(), 2);
    }

    void joinLongestName()
    {
        const QString name = QString(64, u'z');
        const QJsonObject r = join(*m_a1, name);
        CONF_OK(r);
        QCOMPARE(r.value("channel"_L1).toObject().value("name"_L1).toString(), name);
    }

    void joinInvalid_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("empty") << QString();
        QTest::newRow("65 chars") << QString(65, u'z');
        QTest::newRow("space") << u"a b"_s;
        QTest::newRow("dot") << u"a.b"_s;
        QTest::newRow("hash") << u"#chan"_s;
        QTest::newRow("colon") << u"a:b"_s;
        QTest::newRow("slash") << u"a/b"_s;
        QTest::newRow("latin-1 letter") << u"caf\u00e9"_s;
        QTest::newRow("emoji") << u"\U0001F600"_s;
        QTest::newRow("redis protocol") << u"x\r\n*1\r\n$8\r\nFLUSHALL\r\n"_s;
        QTest::newRow("glob") << u"*"_s;
        QTest::newRow("NUL") << QString::fromUtf16(u"a\u0000b", 3);
        QTest::newRow("reserved dm: prefix") << u"dm:alice:bob"_s;
        QTest::newRow("reserved DM: prefix upper case") << u"DM:alice:carol"_s;
        QTest::newRow("bare dm:") << u"dm:"_s;
    }
    void joinInvalid()
    {
        QFETCH(QString, name);
        CONF_ERROR(join(*m_carol, name), "invalid_channel");
        const QJsonObject list = m_carol->call(u"channels"_s);
        CONF_OK(list);
        for (const auto &c : list.value("channels"_L1).toArray()) {
            const QString n = c.toObject().value("name"_L1).toString();
            QVERIFY2(n != name.toLower() || name.isEmpty(), qPrintable(dump(list)));
        }
    }

    void joinTwiceLogsNothing()
    {
        const QString ch = u"twice"_s;
        CONF_OK(join(*m_bob, ch));
        const QJsonObject first = join(*m_a1, ch);
        CONF_OK(first);
        QVERIFY(m_bob->waitEvent(u"member"_s, [&](const QJsonObject &e) {
            return e.value("channel"_L1).toString() == ch && e.value("user"_L1).toString() == "alice"_L1;
        }));
        const QStringList before = ids(messagesOf(*m_bob, ch));
        QCOMPARE(before.size(), 2); // bob's join, alice's join

        const QJsonObject second = join(*m_a1, ch);
        CONF_OK(second);
        const QJsonObject info = second.value("channel"_L1).toObject();
        CONF_SHAPE(channelInfoProblems(info));
        QCOMPARE(info.value("name"_L1).toString(), ch);
        QCOMPARE(info.value("members"_L1).toInteger(), 2);
        // Nothing logged, nothing announced: a later message arrives, and no member event before it.
        const QString sync = u"after the second join"_s;
        CONF_OK(m_a1->call(u"send"_s, {{"channel"_L1, ch}, {"text"_L1, sync}}));
        QVERIFY(m_bob->waitEvent(u"message"_s, messageWithText(sync, ch)));
        const auto aboutAlice = [&](const QJsonObject &e) {
            return e.value("channel"_L1).toString() == ch && e.value("user"_L1).toString() == "alice"_L1;
        };
        QVERIFY(!m_bob->receivesWithin(u"member"_s, kQuiet, aboutAlice));
        QVERIFY(!m_bob->receivesWithin(u"message"_s, kQuiet, [&](const QJsonObject &e) {
            const QJsonObject m = e.value("message"_L1).toObject();
            return m.value("kind"_L1).toString() == "join"_L1 && !before.contains(m.value("id"_L1).toString());
        }));
        const QJsonArray afterLog = messagesOf(*m_bob, ch);
        QStringList after = ids(afterLog);
        QVERIFY2(after.size() == 3, qPrintable(dump(afterLog)));
        after.removeLast();
        QCOMPARE(after, before);
    }

    void channelsListsPublicChannels()
    {
        const QString ch = u"listed"_s;
        CONF_OK(join(*m_a1, ch));
        // A DM must not be listed: channels lists public channels.
        CONF_OK(m_a1->call(u"dm"_s, {{"user"_L1, u"bob"_s}}));
        QJsonObject list = m_carol->call(u"channels"_s);
        CONF_OK(list);
        QJsonObject entry;
        for (const auto &c : list.value("channels"_L1).toArray()) {
            const QJsonObject o = c.toObject();
            QVERIFY2(o.value("name"_L1).isString() && isInteger(o.value("members"_L1)), qPrintable(dump(o)));
            QVERIFY2(!o.value("name"_L1).toString().startsWith("dm:"_L1), qPrintable(dump(list)));
            if (o.value("name"_L1).toString() == ch)
                entry = o;
        }
        QVERIFY2(!entry.isEmpty(), qPrintable(dump(list)));
        QCOMPARE(entry.value("members"_L1).toInteger(), 1);
        QVERIFY2(!findChannel(list.value("channels"_L1).toArray(), u"general"_s).isEmpty(), qPrintable(dump(list)));

        CONF_OK(join(*m_bob, ch));
        list = m_carol->call(u"channels"_s);
        CONF_OK(list);
        QCOMPARE(findChannel(list.value("channels"_L1).toArray(), ch).value("members"_L1).toInteger(), 2);
    }

    void memberEvents()
    {
        const QString ch = u"mem-chan"_s;
        CONF_OK(join(*m_a1, ch));
        drainAll();
        CONF_OK(join(*m_bob, ch));
        const auto joined = [&](bool j) {
            return [ch, j](const QJsonObject &e) {
                return e.value("channel"_L1).toString() == ch && e.value("user"_L1).toString() == "bob"_L1
                    && e.value("joined"_L1) == QJsonValue(j);
            };
        };
        // Every session of every member gets it.
        QVERIFY(m_a1->waitEvent(u"member"_s, joined(true)));
        QVERIFY(m_a2->waitEvent(u"member"_s, joined(true)));
        QVERIFY(!m_carol->receivesWithin(u"member"_s, kQuiet, inChannel(ch)));

        CONF_OK(part(*m_bob, ch));
        QVERIFY(m_a1->waitEvent(u"member"_s, joined(false)));
        QVERIFY(m_a2->waitEvent(u"member"_s, joined(false)));
        QVERIFY(!m_carol->receivesWithin(u"member"_s, kQuiet, inChannel(ch)));
    }

    void channelEventOnJoinFromAnotherDevice()
    {
        const QString ch = u"dev-chan"_s;
        CONF_OK(join(*m_a1, ch));
        const auto ev = m_a2->waitEvent(u"channel"_s, inChannel(ch));
        QVERIFY2(ev, "the other session of alice did not get the channel event");
        const QJsonObject info = ev->value("channel"_L1).toObject();
        CONF_SHAPE(channelInfoProblems(info));
        QCOMPARE(info.value("name"_L1).toString(), ch);
        QCOMPARE(info.value("kind"_L1).toString(), u"channel"_s);
        // Nobody else was added to it.
        QVERIFY(!m_bob->receivesWithin(u"channel"_s, kQuiet, inChannel(ch)));
        QVERIFY(!m_carol->receivesWithin(u"channel"_s, 0ms, inChannel(ch)));
    }

    void partLeavesChannel()
    {
        const QString ch = u"part-chan"_s;
        CONF_OK(join(*m_bob, ch));
        CONF_OK(join(*m_a1, ch));
        drainAll();
        const QJsonObject r = part(*m_a1, ch);
        CONF_OK(r);
        QVERIFY(m_bob->waitEvent(u"member"_s, [&](const QJsonObject &e) {
            return e.value("channel"_L1).toString() == ch && e.value("user"_L1).toString() == "alice"_L1
                && e.value("joined"_L1) == QJsonValue(false);
        }));
        // The log has a part entry, with no text.
        const QJsonArray log = messagesOf(*m_bob, ch);
        QCOMPARE(log.size(), 3);
        const QJsonObject last = log.last().toObject();
        CONF_SHAPE(messageProblems(last));
        QCOMPARE(last.value("kind"_L1).toString(), u"part"_s);
        QCOMPARE(last.value("user"_L1).toString(), u"alice"_s);
        QVERIFY2(!last.contains("text"_L1), qPrintable(dump(last)));

        // Alice is out, on both her sessions.
        for (auto *a : {m_a1.get(), m_a2.get()}) {
            CONF_ERROR(history(*a, ch), "not_member");
            CONF_ERROR(a->call(u"send"_s, {{"channel"_L1, ch}, {"text"_L1, u"still here?"_s}}), "not_member");
            CONF_ERROR(a->call(u"members"_s, {{"channel"_L1, ch}}), "not_member");
            CONF_ERROR(a->call(u"typing"_s, {{"channel"_L1, ch}}), "not_member");
        }
        const QString text = u"alice left"_s;
        CONF_OK(m_bob->call(u"send"_s, {{"channel"_L1, ch}, {"text"_L1, text}}));
        QVERIFY(m_bob->waitEvent(u"message"_s, messageWithText(text, ch)));
        QVERIFY2(!m_a1->receivesWithin(u"message"_s, kQuiet, messageWithText(text, ch)), qPrintable(dump(m_a1->pending(u"message"_s))));
        QVERIFY(!m_a2->receivesWithin(u"message"_s, 0ms, messageWithText(text, ch)));
        QVERIFY(!m_bob->receivesWithin(u"typing"_s, 0ms, inChannel(ch)));

        // A fresh login no longer lists it; the channel counts one member.
        auto fresh = connectTo(m_server->url());
        QVERIFY(fresh);
        const QJsonObject login = fresh->call(u"login"_s, {{"token"_L1, m_a1->token()}});
        CONF_OK(login);
        QVERIFY2(findChannel(login.value("channels"_L1).toArray(), ch).isEmpty(), qPrintable(dump(login)));
        const QJsonObject list = m_carol->call(u"channels"_s);
        QCOMPARE(findChannel(list.value("channels"_L1).toArray(), ch).value("members"_L1).toInteger(), 1);
    }

    void partNotMember()
    {
        CONF_ERROR(part(*m_carol, u"never-existed"_s), "not_member");
        CONF_OK(join(*m_bob, u"bobs-own"_s));
        CONF_ERROR(part(*m_carol, u"bobs-own"_s), "not_member");
        CONF_OK(join(*m_carol, u"bobs-own"_s));
        CONF_OK(part(*m_carol, u"bobs-own"_s));
        CONF_ERROR(part(*m_carol, u"bobs-own"_s), "not_member");
        // Parting twice logged one part entry.
        const QJsonArray log = messagesOf(*m_bob, u"bobs-own"_s);
        int parts = 0;
        for (const auto &m : log)
            parts += m.toObject().value("kind"_L1).toString() == "part"_L1 ? 1 : 0;
        QCOMPARE(parts, 1);
    }

    void rejoinLogsAgain()
    {
        const QString ch = u"rejoin"_s;
        CONF_OK(join(*m_bob, ch));
        CONF_OK(join(*m_carol, ch));
        CONF_OK(part(*m_carol, ch));
        CONF_OK(join(*m_carol, ch));
        const QJsonArray log = messagesOf(*m_bob, ch);
        QStringList kinds;
        for (const auto &m : log) {
            CONF_SHAPE(messageProblems(m.toObject()));
            kinds << m.toObject().value("kind"_L1).toString() + u':' + m.toObject().value("user"_L1).toString();
        }
        QCOMPARE(kinds, (QStringList{u"join:bob"_s, u"join:carol"_s, u"part:carol"_s, u"join:carol"_s}));
        // IDs strictly increase.
        for (qsizetype i = 1; i < log.size(); ++i)
            QVERIFY(idLess(log[i - 1].toObject().value("id"_L1).toString(), log[i].toObject().value("id"_L1).toString()));
    }

    void membersShape()
    {
        const QString ch = u"roster"_s;
        CONF_OK(join(*m_a1, ch));
        const QJsonObject b = join(*m_bob, ch);
        CONF_OK(b);
        const QJsonObject r = m_a1->call(u"members"_s, {{"channel"_L1, ch}});
        CONF_OK(r);
        QMap<QString, bool> seen;
        for (const auto &e : r.value("members"_L1).toArray()) {
            const QJsonObject o = e.toObject();
            QVERIFY2(o.value("user"_L1).isString() && o.value("online"_L1).isBool(), qPrintable(dump(o)));
            seen.insert(o.value("user"_L1).toString(), o.value("online"_L1).toBool());
        }
        QCOMPARE(seen.keys(), (QStringList{u"alice"_s, u"bob"_s}));
        QCOMPARE(seen.value(u"alice"_s), true);
        QCOMPARE(seen.value(u"bob"_s), true);
        QCOMPARE(b.value("channel"_L1).toObject().value("members"_L1).toInteger(), 2);
        CONF_ERROR(m_carol->call(u"members"_s, {{"channel"_L1, ch}}), "not_member");
        CONF_ERROR(m_carol->call(u"members"_s, {{"channel"_L1, u"no-such-channel"_s}}), "not_member");
    }

    // "The server lowercases input": a member reaches the channel under any case, in every op.
    void channelNameCaseInsensitiveInEveryOp_data()
    {
        QTest::addColumn<QString>("op");
        QTest::addColumn<QJsonObject>("params");
        const QString upper = u"CASE-OPS"_s;
        QTest::newRow("send") << u"send"_s << QJsonObject{{"channel"_L1, upper}, {"text"_L1, u"shouting"_s}};
        QTest::newRow("history") << u"history"_s << QJsonObject{{"channel"_L1, upper}};
        QTest::newRow("members") << u"members"_s << QJsonObject{{"channel"_L1, upper}};
        QTest::newRow("typing") << u"typing"_s << QJsonObject{{"channel"_L1, upper}};
        QTest::newRow("read") << u"read"_s << QJsonObject{{"channel"_L1, upper}, {"upTo"_L1, u"1-0"_s}};
        QTest::newRow("part") << u"part"_s << QJsonObject{{"channel"_L1, u"Case-Ops"_s}};
    }
    void channelNameCaseInsensitiveInEveryOp()
    {
        QFETCH(QString, op);
        QFETCH(QJsonObject, params);
        CONF_OK(join(*m_bob, u"case-ops"_s));
        const QJsonObject r = m_bob->call(op, params);
        CONF_OK(r);
        if (op == "send"_L1)
            QCOMPARE(r.value("message"_L1).toObject().value("channel"_L1).toString(), u"case-ops"_s);
        if (op == "history"_L1) {
            for (const auto &m : r.value("messages"_L1).toArray())
                QCOMPARE(m.toObject().value("channel"_L1).toString(), u"case-ops"_s);
        }
        if (op == "part"_L1)
            CONF_ERROR(history(*m_bob, u"case-ops"_s), "not_member");
    }

    // lastId names the newest entry of the log (join/part entries are Messages too).
    void channelInfoLastId()
    {
        const QString ch = u"last-id"_s;
        const QJsonObject j = join(*m_bob, ch);
        CONF_OK(j);
        const QJsonObject sent = m_bob->call(u"send"_s, {{"channel"_L1, ch}, {"text"_L1, u"newest"_s}});
        CONF_OK(sent);
        const QString id = sent.value("message"_L1).toObject().value("id"_L1).toString();
        const QJsonObject again = join(*m_bob, ch);
        CONF_OK(again);
        QCOMPARE(again.value("channel"_L1).toObject().value("lastId"_L1).toString(), id);
        auto fresh = connectTo(m_server->url());
        QVERIFY(fresh);
        const QJsonObject login = fresh->call(u"login"_s, {{"token"_L1, m_bob->token()}});
        CONF_OK(login);
        QCOMPARE(findChannel(login.value("channels"_L1).toArray(), ch).value("lastId"_L1).toString(), id);
    }
};

QTEST_GUILESS_MAIN(TestConformanceChannels)
#include "tst_conformance_channels.moc"
