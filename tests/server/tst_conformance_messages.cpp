// Conformance (black box, from PROTOCOL.md): send (shape, errors, text limits in code points),
// the `message` event (every session of every member, the sender's included; nobody else),
// message IDs, and nonce idempotency.

#include "Conformance.h"

#include <QDateTime>

using namespace rill::test;
using namespace rill::test::conf;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
const QString kPassword = u"correct horse"_s;
constexpr auto kQuiet = 300ms;
const QString kChan = u"talk"_s;
const QString kEmoji = u"\U0001F600"_s; // one code point, two UTF-16 units, four UTF-8 bytes
}

class TestConformanceMessages : public CastSuite
{
    Q_OBJECT

private:

    QJsonObject send(TestClient &c, const QString &channel, const QString &text, const QJsonValue &nonce = {})
    {
        QJsonObject p{{"channel"_L1, channel}, {"text"_L1, text}};
        if (!nonce.isUndefined())
            p.insert("nonce"_L1, nonce);
        return c.call(u"send"_s, p);
    }
    QJsonArray log(const QString &channel)
    {
        const QJsonObject h = m_bob->call(u"history"_s, {{"channel"_L1, channel}, {"limit"_L1, 100}});
        if (!isOk(h))
            qWarning("history failed: %s", qPrintable(dump(h)));
        return h.value("messages"_L1).toArray();
    }
    int countText(const QString &channel, const QString &text)
    {
        int n = 0;
        for (const auto &m : log(channel))
            n += m.toObject().value("text"_L1).toString() == text ? 1 : 0;
        return n;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(startCast(kChan, kPassword));
        CONF_OK(m_bob->call(u"join"_s, {{"channel"_L1, u"other"_s}}));
        CONF_OK(m_a1->call(u"join"_s, {{"channel"_L1, u"other"_s}}));
    }

    void cleanupTestCase()
    {
        stopCast();
    }

    void init()
    {
        for (auto *c : {m_a1.get(), m_a2.get(), m_bob.get(), m_carol.get()})
            c->clearEvents();
    }

    void sendShape()
    {
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        const QJsonObject r = send(*m_a1, kChan, u"hello world"_s);
        CONF_OK(r);
        const QJsonObject m = r.value("message"_L1).toObject();
        CONF_SHAPE(messageProblems(m));
        QCOMPARE(m.value("kind"_L1).toString(), u"message"_s);
        QCOMPARE(m.value("user"_L1).toString(), u"alice"_s);
        QCOMPARE(m.value("channel"_L1).toString(), kChan);
        QCOMPARE(m.value("text"_L1).toString(), u"hello world"_s);
        const qint64 ts = m.value("ts"_L1).toInteger();
        QVERIFY2(qAbs(ts - before) < 60'000, qPrintable(dump(m)));
        // The stored entry is the same Message.
        const QJsonArray l = log(kChan);
        QCOMPARE(l.last().toObject(), m);
    }

    void messageEventReachesEverySession()
    {
        const QString text = u"to everyone in talk"_s;
        const QJsonObject r = send(*m_a1, kChan, text);
        CONF_OK(r);
        const QJsonObject m = r.value("message"_L1).toObject();
        // The sending session included, then alice's other session, then bob.
        for (auto *c : {m_a1.get(), m_a2.get(), m_bob.get()}) {
            const auto ev = c->waitEvent(u"message"_s, messageWithText(text, kChan));
            QVERIFY2(ev, qPrintable(u"no message event for "_s + c->user()));
            QCOMPARE(ev->value("message"_L1).toObject(), m);
        }
        // Carol, logged in but not a member, gets nothing of it.
        QVERIFY(!m_carol->receivesWithin(u"message"_s, kQuiet, inChannel(kChan)));
        // And each session got it exactly once.
        QVERIFY(!m_a1->receivesWithin(u"message"_s, 0ms, messageWithText(text)));
        QVERIFY(!m_a2->receivesWithin(u"message"_s, 0ms, messageWithText(text)));
        QVERIFY(!m_bob->receivesWithin(u"message"_s, 0ms, messageWithText(text)));
    }

    void idsStrictlyIncrease()
    {
        QStringList sent;
        for (int i = 0; i < 10; ++i) {
            const QJsonObject r = send(*(i % 2 ? m_a1 : m_bob), kChan, u"seq %1"_s.arg(i));
            CONF_OK(r);
            sent << r.value("message"_L1).toObject().value("id"_L1).toString();
        }
        for (qsizetype i = 1; i < sent.size(); ++i)
            QVERIFY2(idLess(sent[i - 1], sent[i]), qPrintable(sent.join(u' ')));
        // Pipelined: distinct IDs, and history lists them in increasing order.
        QList<qint64> reqs;
        for (int i = 0; i < 20; ++i)
            reqs << m_a1->post(u"send"_s, {{"channel"_L1, kChan}, {"text"_L1, u"pipelined %1"_s.arg(i)}});
        QSet<QString> distinct;
        for (qint64 id : reqs) {
            const QJsonObject r = m_a1->replyTo(id);
            CONF_OK(r);
            distinct.insert(r.value("message"_L1).toObject().value("id"_L1).toString());
        }
        QCOMPARE(distinct.size(), 20);
        const QStringList stored = ids(log(kChan));
        for (qsizetype i = 1; i < stored.size(); ++i)
            QVERIFY2(idLess(stored[i - 1], stored[i]), qPrintable(stored.join(u' ')));
        for (const auto &id : distinct)
            QVERIFY(stored.contains(id));
    }

    void sendNotMember()
    {
        CONF_ERROR(send(*m_carol, kChan, u"let me in"_s), "not_member");
        CONF_ERROR(send(*m_carol, u"no-such-channel"_s, u"anyone?"_s), "not_member");
        QCOMPARE(countText(kChan, u"let me in"_s), 0);
        QVERIFY(!m_bob->receivesWithin(u"message"_s, kQuiet, messageWithText(u"let me in"_s)));
    }

    void sendRejectedText_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("error");
        QTest::newRow("empty") << QString() << u"empty"_s;
        QTest::newRow("one space") << u" "_s << u"empty"_s;
        QTest::newRow("white space only") << u" \t\r\n  \n"_s << u"empty"_s;
        QTest::newRow("4001 ascii") << QString(4001, u'x') << u"too_long"_s;
        QTest::newRow("4001 emoji") << kEmoji.repeated(4001) << u"too_long"_s;
        QTest::newRow("4001 ascii inside spaces") << u"  "_s + QString(4001, u'x') + u"  "_s << u"too_long"_s;
    }
    void sendRejectedText()
    {
        QFETCH(QString, text);
        QFETCH(QString, error);
        const int before = log(kChan).size();
        CONF_ERROR(send(*m_a1, kChan, text), error.toLatin1().constData());
        QCOMPARE(log(kChan).size(), before);
    }

    void sendAcceptedText_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("trimmedAllowed"); // surrounding white space: stored as sent or trimmed
        QTest::newRow("one char") << u"x"_s << false;
        QTest::newRow("4000 ascii") << QString(4000, u'x') << false;
        QTest::newRow("4000 emoji (8000 UTF-16 units)") << kEmoji.repeated(4000) << false;
        QTest::newRow("3999 ascii + 1 emoji") << QString(3999, u'x') + kEmoji << false;
        QTest::newRow("2000 x e+combining acute") << u"e\u0301"_s.repeated(2000) << false;
        QTest::newRow("4000 ascii inside spaces") << u"   "_s + QString(4000, u'x') + u"\n\t "_s << true;
        QTest::newRow("inner white space kept") << u"a  b\n\nc\td"_s << false;
    }
    void sendAcceptedText()
    {
        QFETCH(QString, text);
        QFETCH(bool, trimmedAllowed);
        const QJsonObject r = send(*m_a1, kChan, text);
        CONF_OK(r);
        const QJsonObject m = r.value("message"_L1).toObject();
        const QString got = m.value("text"_L1).toString();
        QVERIFY2(got == text || (trimmedAllowed && got == text.trimmed()), qPrintable(u"reply text differs, length %1 vs %2"_s.arg(got.size()).arg(text.size())));
        const auto ev = m_bob->waitEvent(u"message"_s, [&](const QJsonObject &e) {
            return e.value("message"_L1).toObject().value("id"_L1) == m.value("id"_L1);
        });
        QVERIFY(ev);
        QCOMPARE(ev->value("message"_L1).toObject().value("text"_L1).toString(), got);
        const QJsonArray l = log(kChan);
        QCOMPARE(l.last().toObject().value("id"_L1), m.value("id"_L1));
        QCOMPARE(l.last().toObject().value("text"_L1).toString(), got);
    }

    void nonceIdempotent_data()
    {
        QTest::addColumn<QJsonValue>("nonce");
        QTest::newRow("string") << QJsonValue(u"c0ffee-1"_s);
        QTest::newRow("integer") << QJsonValue(424242);
    }
    void nonceIdempotent()
    {
        QFETCH(QJsonValue, nonce);
        const QString text = u"once only "_s + dump(nonce);
        const QJsonObject first = send(*m_a1, kChan, text, nonce);
        CONF_OK(first);
        const QJsonObject original = first.value("message"_L1).toObject();
        CONF_SHAPE(messageProblems(original));
        if (original.contains("nonce"_L1))
            QCOMPARE(original.value("nonce"_L1), nonce);

        // Resent on the same session, on another session, and after a "reconnect" (a new
        // connection logged in by token), even with another text: the original comes back.
        auto reconnected = sessionWithToken(m_server->url(), m_a1->token());
        QVERIFY(reconnected);
        for (auto *c : {m_a1.get(), m_a2.get(), reconnected.get()}) {
            const QJsonObject again = send(*c, kChan, text, nonce);
            CONF_OK(again);
            QCOMPARE(again.value("message"_L1).toObject(), original);
        }
        const QJsonObject changed = send(*m_a1, kChan, u"a different text"_s, nonce);
        CONF_OK(changed);
        QCOMPARE(changed.value("message"_L1).toObject(), original);
        // Stored once.
        QCOMPARE(countText(kChan, text), 1);
        QCOMPARE(countText(kChan, u"a different text"_s), 0);
    }

    // "within 24 h": the nonce record lives 24 hours (docs/storage.md:
    // rill:{c:<channel>}:nonce:<user>:<nonce>, EX 86400).
    void nonceRememberedFor24Hours()
    {
        const QString nonce = u"ttl-nonce"_s;
        CONF_OK(send(*m_a1, kChan, u"nonce with a lifetime"_s, nonce));
        // The nonce part of the key may be its JSON text (quoted): match it loosely.
        QByteArrayList keys;
        QByteArray cursor = "0";
        do {
            const auto page = m_server->redis().run({"SCAN", cursor, "MATCH", "rill:{c:" + kChan.toUtf8() + "}:nonce:*ttl-nonce*", "COUNT", "1000"});
            QVERIFY2(page.isArray() && page.size() == 2, qPrintable(page.describe()));
            cursor = page.at(0).bytes();
            for (const auto &k : page.at(1).elements())
                keys << k.bytes();
        } while (cursor != "0");
        QCOMPARE(keys.size(), 1);
        const qint64 ttl = m_server->redis().run({"TTL", keys.first()}).integer();
        QVERIFY2(ttl > 86400 - 600 && ttl <= 86400, qPrintable(u"TTL of %1: %2"_s.arg(QString::fromUtf8(keys.first())).arg(ttl)));
    }

    void nonceScopedToUserAndChannel_data()
    {
        QTest::addColumn<QJsonValue>("nonce");
        QTest::newRow("string") << QJsonValue(u"shared-nonce"_s);
        QTest::newRow("integer") << QJsonValue(777);
    }
    void nonceScopedToUserAndChannel()
    {
        QFETCH(QJsonValue, nonce);
        const QString tag = dump(nonce);
        const QJsonObject a = send(*m_a1, kChan, u"alice in talk "_s + tag, nonce);
        const QJsonObject b = send(*m_bob, kChan, u"bob in talk "_s + tag, nonce);
        const QJsonObject o = send(*m_a1, u"other"_s, u"alice in other "_s + tag, nonce);
        CONF_OK(a);
        CONF_OK(b);
        CONF_OK(o);
        const QJsonObject am = a.value("message"_L1).toObject();
        const QJsonObject bm = b.value("message"_L1).toObject();
        const QJsonObject om = o.value("message"_L1).toObject();
        QCOMPARE(bm.value("user"_L1).toString(), u"bob"_s);
        QCOMPARE(bm.value("text"_L1).toString(), u"bob in talk "_s + tag);
        QVERIFY(bm.value("id"_L1) != am.value("id"_L1));
        QCOMPARE(om.value("channel"_L1).toString(), u"other"_s);
        QCOMPARE(om.value("text"_L1).toString(), u"alice in other "_s + tag);
        QCOMPARE(countText(kChan, u"alice in talk "_s + tag), 1);
        QCOMPARE(countText(kChan, u"bob in talk "_s + tag), 1);
        QCOMPARE(countText(u"other"_s, u"alice in other "_s + tag), 1);
    }

    // Without a nonce, the same text twice is two messages.
    void noNonceNoDedup()
    {
        const QString text = u"say it twice"_s;
        const QJsonObject r1 = send(*m_a1, kChan, text);
        const QJsonObject r2 = send(*m_a1, kChan, text);
        CONF_OK(r1);
        CONF_OK(r2);
        QVERIFY(r1.value("message"_L1).toObject().value("id"_L1) != r2.value("message"_L1).toObject().value("id"_L1));
        QCOMPARE(countText(kChan, text), 2);
    }
};

QTEST_GUILESS_MAIN(TestConformanceMessages)
#include "tst_conformance_messages.moc"
