// Conformance (black box, from PROTOCOL.md): several server instances on one Redis. A token
// works on any instance; each event goes to every session it concerns on whichever instance
// that session is connected; a user is online while a session is connected to any instance.

#include "Conformance.h"

using namespace rill::test;
using namespace rill::test::conf;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
const QString kPassword = u"correct horse"_s;
constexpr auto kQuiet = 300ms;
const QString kChan = u"across"_s;
}

// Two instances on one Redis (m_one, m_two): alice on both, bob on two, carol (not in kChan)
// on one.
class TestConformanceInstances : public CastSuite
{
    Q_OBJECT

private:
    ServerFixture *m_one = nullptr;
    ServerFixture *m_two = nullptr;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(startCast({}, kPassword, Instances::Two));
        m_one = m_server.get();
        m_two = m_second.get();
        CONF_OK(m_a1->call(u"join"_s, {{"channel"_L1, kChan}}));
    }

    void cleanupTestCase()
    {
        m_one = m_two = nullptr;
        stopCast();
    }

    void init()
    {
        for (auto *c : {m_a1.get(), m_a2.get(), m_bob.get(), m_carol.get()})
            c->clearEvents();
    }

    void helloOnEachInstance()
    {
        for (auto *s : {m_one, m_two}) {
            auto c = connectTo(s->url());
            QVERIFY(c);
            const QJsonObject r = c->call(u"hello"_s, {{"version"_L1, 1}});
            CONF_OK(r);
            QVERIFY2(r.value("instance"_L1).isString(), qPrintable(dump(r)));
        }
    }

    void credentialsWorkOnAnyInstance()
    {
        auto c = connectTo(m_one->url());
        QVERIFY(c);
        const QJsonObject reg = c->call(u"register"_s, {{"user"_L1, u"roamer"_s}, {"password"_L1, kPassword}}, 30s);
        CONF_OK(reg);
        auto byToken = connectTo(m_two->url());
        auto byPassword = connectTo(m_two->url());
        QVERIFY(byToken && byPassword);
        CONF_OK(byToken->call(u"login"_s, {{"token"_L1, reg.value("token"_L1)}}));
        CONF_OK(byPassword->call(u"login"_s, {{"user"_L1, u"roamer"_s}, {"password"_L1, kPassword}}, 30s));
        // A logout on one instance revokes the token everywhere.
        CONF_OK(c->call(u"logout"_s));
        auto after = connectTo(m_two->url());
        QVERIFY(after);
        CONF_ERROR(after->call(u"login"_s, {{"token"_L1, reg.value("token"_L1)}}), "bad_credentials");
    }

    void memberAndChannelEventsCross()
    {
        CONF_OK(m_bob->call(u"join"_s, {{"channel"_L1, kChan}}));
        for (auto *a : {m_a1.get(), m_a2.get()}) {
            QVERIFY(a->waitEvent(u"member"_s, [](const QJsonObject &e) {
                return e.value("channel"_L1).toString() == kChan && e.value("user"_L1).toString() == "bob"_L1
                    && e.value("joined"_L1) == QJsonValue(true);
            }));
        }
        QVERIFY(!m_carol->receivesWithin(u"member"_s, kQuiet, inChannel(kChan)));
        // A join on instance one reaches alice's session on instance two as a channel event.
        CONF_OK(m_a1->call(u"join"_s, {{"channel"_L1, u"cross-device"_s}}));
        QVERIFY(m_a2->waitEvent(u"channel"_s, inChannel(u"cross-device"_s)));
        // A new DM made on instance two reaches carol on instance one.
        const QJsonObject dm = m_bob->call(u"dm"_s, {{"user"_L1, u"carol"_s}});
        CONF_OK(dm);
        QVERIFY(m_carol->waitEvent(u"channel"_s, inChannel(u"dm:bob:carol"_s)));
    }

    void messageTypingReadCross()
    {
        const QString text = u"hello from instance one"_s;
        const QJsonObject r = m_a1->call(u"send"_s, {{"channel"_L1, kChan}, {"text"_L1, text}});
        CONF_OK(r);
        const QJsonObject m = r.value("message"_L1).toObject();
        for (auto *c : {m_a1.get(), m_a2.get(), m_bob.get()}) {
            const auto ev = c->waitEvent(u"message"_s, messageWithText(text, kChan));
            QVERIFY(ev);
            QCOMPARE(ev->value("message"_L1).toObject(), m);
        }
        QVERIFY(!m_carol->receivesWithin(u"message"_s, kQuiet, inChannel(kChan)));

        CONF_OK(m_bob->call(u"typing"_s, {{"channel"_L1, kChan}}));
        QVERIFY(m_a1->waitEvent(u"typing"_s, inChannel(kChan)));
        QVERIFY(m_a2->waitEvent(u"typing"_s, inChannel(kChan)));

        CONF_OK(m_a2->call(u"read"_s, {{"channel"_L1, kChan}, {"upTo"_L1, m.value("id"_L1)}}));
        const auto read = m_a1->waitEvent(u"read"_s, inChannel(kChan));
        QVERIFY(read);
        QCOMPARE(read->value("upTo"_L1), m.value("id"_L1));
        QVERIFY(!m_bob->receivesWithin(u"read"_s, kQuiet));
    }

    // Sends from both instances into one channel at once: each instance's history has them all.
    void bothInstancesSeeTheSameLog()
    {
        QList<qint64> fromOne, fromTwo;
        for (int i = 0; i < 30; ++i) {
            fromOne << m_a1->post(u"send"_s, {{"channel"_L1, kChan}, {"text"_L1, u"one %1"_s.arg(i)}});
            fromTwo << m_bob->post(u"send"_s, {{"channel"_L1, kChan}, {"text"_L1, u"two %1"_s.arg(i)}});
        }
        QSet<QString> sent;
        for (qint64 id : fromOne)
            sent.insert(m_a1->replyTo(id).value("message"_L1).toObject().value("id"_L1).toString());
        for (qint64 id : fromTwo)
            sent.insert(m_bob->replyTo(id).value("message"_L1).toObject().value("id"_L1).toString());
        sent.remove(QString());
        QCOMPARE(sent.size(), 60);
        const QJsonObject h1 = m_a1->call(u"history"_s, {{"channel"_L1, kChan}, {"limit"_L1, 100}});
        const QJsonObject h2 = m_bob->call(u"history"_s, {{"channel"_L1, kChan}, {"limit"_L1, 100}});
        CONF_OK(h1);
        CONF_OK(h2);
        QCOMPARE(h1.value("messages"_L1), h2.value("messages"_L1));
        const QStringList stored = ids(h1.value("messages"_L1).toArray());
        for (const auto &id : sent)
            QVERIFY(stored.contains(id));
        // bob (instance two) heard every one of alice's (instance one), once each.
        for (int i = 0; i < 30; ++i)
            QVERIFY2(m_bob->waitEvent(u"message"_s, messageWithText(u"one %1"_s.arg(i), kChan)), qPrintable(u"bob missed \"one %1\""_s.arg(i)));
        QVERIFY(!m_bob->receivesWithin(u"message"_s, kQuiet, messageWithText(u"one 0"_s, kChan)));
    }

    // Revision 2: an edit on instance one reaches readers on instance two as one `update`, and
    // a delete on instance two reaches instance one.
    void updatesCross()
    {
        CONF_OK(m_bob->call(u"join"_s, {{"channel"_L1, kChan}}));
        const QJsonObject sent = m_a1->call(u"send"_s, {{"channel"_L1, kChan}, {"text"_L1, u"typo hre"_s}});
        CONF_OK(sent);
        const QString id = sent.value("message"_L1).toObject().value("id"_L1).toString();
        const auto isUpdateOf = [id](const QJsonObject &e) {
            return e.value("message"_L1).toObject().value("id"_L1).toString() == id;
        };
        const QJsonObject edited = m_a1->call(u"edit"_s, {{"channel"_L1, kChan}, {"messageId"_L1, id}, {"text"_L1, u"typo here"_s}});
        CONF_OK(edited);
        for (auto *c : {m_bob.get(), m_a2.get()}) { // both on instance two
            const auto ev = c->waitEvent(u"update"_s, isUpdateOf);
            QVERIFY2(ev, qPrintable(u"no update on instance two for "_s + c->user()));
            QCOMPARE(ev->value("message"_L1).toObject(), edited.value("message"_L1).toObject());
            QVERIFY2(!c->receivesWithin(u"update"_s, kQuiet, isUpdateOf), "the update came twice");
        }
        QVERIFY(!m_carol->receivesWithin(u"update"_s, 0ms));
        QVERIFY(m_a1->waitEvent(u"update"_s, isUpdateOf)); // the edit's, on alice's own instance

        CONF_OK(m_a2->call(u"delete"_s, {{"channel"_L1, kChan}, {"messageId"_L1, id}}));
        const auto gone = m_a1->waitEvent(u"update"_s, isUpdateOf);
        QVERIFY2(gone, "no update on instance one for a delete on instance two");
        QCOMPARE(gone->value("message"_L1).toObject().value("deleted"_L1), QJsonValue(true));
        QVERIFY(!m_a1->receivesWithin(u"update"_s, kQuiet, isUpdateOf));

        CONF_OK(m_a1->call(u"topic"_s, {{"channel"_L1, kChan}, {"topic"_L1, u"across the instances"_s}}));
        const auto topic = m_bob->waitEvent(u"topic"_s, inChannel(kChan));
        QVERIFY2(topic, "no topic event on instance two");
        QCOMPARE(topic->value("topic"_L1).toString(), u"across the instances"_s);
        QVERIFY(!m_bob->receivesWithin(u"topic"_s, kQuiet));
    }

    // Revision 2: the search index lives in Redis, so a message sent on one instance is found
    // (and, edited there, found by its new text) through the other.
    void searchCrosses()
    {
        CONF_OK(m_bob->call(u"join"_s, {{"channel"_L1, kChan}}));
        const QJsonObject sent = m_a1->call(u"send"_s, {{"channel"_L1, kChan}, {"text"_L1, u"crossword puzzle"_s}});
        CONF_OK(sent);
        const QString id = sent.value("message"_L1).toObject().value("id"_L1).toString();
        const QJsonObject r = m_bob->call(u"search"_s, {{"query"_L1, u"cross puzz"_s}});
        CONF_OK(r);
        QCOMPARE(ids(r.value("messages"_L1).toArray()), QStringList{id});
        CONF_OK(m_a1->call(u"edit"_s, {{"channel"_L1, kChan}, {"messageId"_L1, id}, {"text"_L1, u"sudoku"_s}}));
        QCOMPARE(ids(m_bob->call(u"search"_s, {{"query"_L1, u"crossword"_s}}).value("messages"_L1).toArray()), QStringList{});
        QCOMPARE(ids(m_bob->call(u"search"_s, {{"query"_L1, u"sudoku"_s}, {"channel"_L1, kChan}})
                         .value("messages"_L1).toArray()),
                 QStringList{id});
    }

    void presenceAcrossInstances()
    {
        auto dave = connectTo(m_two->url());
        QVERIFY(dave);
        QVERIFY(dave->signUp(u"dave"_s, kPassword));
        const auto online = [](bool on) {
            return [on](const QJsonObject &e) { return e.value("user"_L1).toString() == "dave"_L1 && e.value("online"_L1) == QJsonValue(on); };
        };
        QVERIFY(m_a1->waitEvent(u"presence"_s, online(true)));
        // A second session on instance one; closing the one on instance two leaves dave online.
        auto dave1 = sessionWithToken(m_one->url(), dave->token());
        QVERIFY(dave1);
        dave->close();
        const QString text = u"dave still here"_s;
        CONF_OK(dave1->call(u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, text}}));
        QVERIFY(m_a1->waitEvent(u"message"_s, messageWithText(text)));
        QVERIFY2(!m_a1->receivesWithin(u"presence"_s, 1s, online(false)), "dave went offline while connected to instance one");
        const QJsonObject members = m_bob->call(u"members"_s, {{"channel"_L1, u"general"_s}});
        bool daveOnline = false;
        for (const auto &e : members.value("members"_L1).toArray())
            daveOnline = daveOnline || (e.toObject().value("user"_L1).toString() == "dave"_L1 && e.toObject().value("online"_L1).toBool());
        QVERIFY2(daveOnline, qPrintable(dump(members)));
        dave1->close();
        QVERIFY(m_bob->waitEvent(u"presence"_s, online(false), 10s));
    }
};

QTEST_GUILESS_MAIN(TestConformanceInstances)
#include "tst_conformance_instances.moc"
