// Conformance (black box, from PROTOCOL.md): history. Paging through 251 log entries (a join and
// 250 messages) backwards with `before` and forwards with `after`, `more` at every page, no gaps
// or duplicates; limit bounds and default; cursors outside the log; errors.

#include "Conformance.h"

#include <algorithm>

using namespace rill::test;
using namespace rill::test::conf;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
const QString kPassword = u"correct horse"_s;
const QString kChan = u"hist"_s;
const QString kShort = u"short"_s;
constexpr int kSent = 250;
}

class TestConformanceHistory : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<ServerFixture> m_server;
    std::unique_ptr<TestClient> m_alice, m_bob;
    QStringList m_all;              // every entry of kChan, oldest first (the join, then the messages)
    QHash<QString, QString> m_text; // id -> text, as sent
    QStringList m_short;            // kShort: alice's join and 4 messages

    QJsonObject history(const QString &channel, QJsonObject params = {})
    {
        params.insert("channel"_L1, channel);
        return m_alice->call(u"history"_s, params);
    }

    // Problems with one page: shape, order, text as sent.
    QString pageProblems(const QJsonObject &r, const QString &channel)
    {
        if (!isOk(r))
            return u"not ok: "_s + dump(r);
        if (!r.value("messages"_L1).isArray() || !r.value("more"_L1).isBool())
            return u"no messages array or more bool: "_s + dump(r);
        QString prev;
        for (const auto &v : r.value("messages"_L1).toArray()) {
            const QJsonObject m = v.toObject();
            const QString p = messageProblems(m);
            if (!p.isEmpty())
                return p;
            if (m.value("channel"_L1).toString() != channel)
                return u"wrong channel: "_s + dump(m);
            const QString id = m.value("id"_L1).toString();
            if (!prev.isEmpty() && !idLess(prev, id))
                return u"not oldest first: "_s + prev + u" then "_s + id;
            prev = id;
            if (m_text.contains(id) && m.value("text"_L1).toString() != m_text.value(id))
                return u"text differs from what was sent: "_s + dump(m);
        }
        return {};
    }

    QStringList expectedBefore(const QStringList &all, const QString &cursor, int limit)
    {
        QStringList older;
        for (const auto &id : all) {
            if (idLess(id, cursor))
                older << id;
        }
        return older.mid(std::max<qsizetype>(0, older.size() - limit));
    }
    QStringList expectedAfter(const QStringList &all, const QString &cursor, int limit)
    {
        QStringList newer;
        for (const auto &id : all) {
            if (idLess(cursor, id))
                newer << id;
        }
        return newer.mid(0, limit);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<ServerFixture>();
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        m_alice = connectTo(m_server->url());
        m_bob = connectTo(m_server->url());
        QVERIFY(m_alice && m_bob);
        QVERIFY(m_alice->signUp(u"alice"_s, kPassword));
        QVERIFY(m_bob->signUp(u"bob"_s, kPassword));

        const QJsonObject j = m_alice->call(u"join"_s, {{"channel"_L1, kChan}});
        CONF_OK(j);
        QList<qint64> reqs;
        for (int i = 0; i < kSent; ++i)
            reqs << m_alice->post(u"send"_s, {{"channel"_L1, kChan}, {"text"_L1, u"message #%1 \u00e9\U0001F600"_s.arg(i)}});
        QStringList sent;
        for (int i = 0; i < kSent; ++i) {
            const QJsonObject r = m_alice->replyTo(reqs[i]);
            CONF_OK(r);
            const QJsonObject m = r.value("message"_L1).toObject();
            QCOMPARE(m.value("text"_L1).toString(), u"message #%1 \u00e9\U0001F600"_s.arg(i));
            sent << m.value("id"_L1).toString();
            m_text.insert(sent.last(), m.value("text"_L1).toString());
        }
        std::sort(sent.begin(), sent.end(), idLess);
        QCOMPARE(QSet<QString>(sent.begin(), sent.end()).size(), kSent);
        // The join entry is the oldest; find its ID through the oldest page.
        const QJsonObject oldest = history(kChan, {{"before"_L1, sent.first()}, {"limit"_L1, 10}});
        CONF_OK(oldest);
        const QJsonArray o = oldest.value("messages"_L1).toArray();
        QCOMPARE(o.size(), 1);
        QCOMPARE(o.first().toObject().value("kind"_L1).toString(), u"join"_s);
        QCOMPARE(oldest.value("more"_L1), QJsonValue(false));
        m_all << o.first().toObject().value("id"_L1).toString();
        m_all << sent;
        QCOMPARE(m_all.size(), kSent + 1);

        CONF_OK(m_alice->call(u"join"_s, {{"channel"_L1, kShort}}));
        for (int i = 0; i < 4; ++i) {
            const QJsonObject r = m_alice->call(u"send"_s, {{"channel"_L1, kShort}, {"text"_L1, u"short %1"_s.arg(i)}});
            CONF_OK(r);
            m_short << r.value("message"_L1).toObject().value("id"_L1).toString();
        }
        const QJsonObject all = history(kShort, {{"limit"_L1, 100}});
        CONF_OK(all);
        QCOMPARE(all.value("messages"_L1).toArray().size(), 5);
        m_short.prepend(all.value("messages"_L1).toArray().first().toObject().value("id"_L1).toString());
    }

    void cleanupTestCase()
    {
        m_alice.reset();
        m_bob.reset();
        m_server.reset();
    }

    void newestByDefault()
    {
        const QJsonObject r = history(kChan);
        CONF_SHAPE(pageProblems(r, kChan));
        QCOMPARE(ids(r.value("messages"_L1).toArray()), m_all.mid(m_all.size() - 50));
        QCOMPARE(r.value("more"_L1), QJsonValue(true));
    }

    void limitBounds_data()
    {
        QTest::addColumn<int>("limit");
        QTest::newRow("1") << 1;
        QTest::newRow("2") << 2;
        QTest::newRow("50") << 50;
        QTest::newRow("99") << 99;
        QTest::newRow("100") << 100;
    }
    void limitBounds()
    {
        QFETCH(int, limit);
        const QJsonObject r = history(kChan, {{"limit"_L1, limit}});
        CONF_SHAPE(pageProblems(r, kChan));
        QCOMPARE(ids(r.value("messages"_L1).toArray()), m_all.mid(m_all.size() - limit));
        QCOMPARE(r.value("more"_L1), QJsonValue(true));
    }

    void limitOutOfRange_data()
    {
        QTest::addColumn<QJsonValue>("limit");
        QTest::newRow("0") << QJsonValue(0);
        QTest::newRow("101") << QJsonValue(101);
        QTest::newRow("-1") << QJsonValue(-1);
        QTest::newRow("1000000") << QJsonValue(1000000);
        QTest::newRow("string") << QJsonValue(u"10"_s);
        QTest::newRow("fraction") << QJsonValue(1.5);
        QTest::newRow("bool") << QJsonValue(true);
    }
    void limitOutOfRange()
    {
        QFETCH(QJsonValue, limit);
        CONF_ERROR(history(kChan, {{"limit"_L1, limit}}), "bad_request");
    }

    void pageBackward_data()
    {
        QTest::addColumn<int>("limit");
        QTest::newRow("limit 100") << 100;
        QTest::newRow("limit 50") << 50;
        QTest::newRow("limit 7") << 7;
        QTest::newRow("limit 1") << 1;
    }
    void pageBackward()
    {
        QFETCH(int, limit);
        QStringList collected;
        QJsonObject r = history(kChan, {{"limit"_L1, limit}});
        int pages = 0;
        for (;;) {
            ++pages;
            CONF_SHAPE(pageProblems(r, kChan));
            const QStringList page = ids(r.value("messages"_L1).toArray());
            QVERIFY2(!page.isEmpty(), qPrintable(u"empty page %1: "_s.arg(pages) + dump(r)));
            QVERIFY(page.size() <= limit);
            const bool olderExist = m_all.indexOf(page.first()) > 0;
            QVERIFY2(r.value("more"_L1) == QJsonValue(olderExist),
                     qPrintable(u"page %1 (before %2): more should be %3: "_s.arg(pages).arg(collected.isEmpty() ? u"-"_s : collected.first()).arg(olderExist) + dump(r.value("more"_L1))));
            if (olderExist)
                QCOMPARE(page.size(), limit);
            collected = page + collected;
            if (!olderExist)
                break;
            QVERIFY(pages <= kSent + 1);
            r = history(kChan, {{"before"_L1, page.first()}, {"limit"_L1, limit}});
        }
        QCOMPARE(collected, m_all); // no gaps, no duplicates, in order
        QCOMPARE(pages, (kSent + 1 + limit - 1) / limit);
    }

    void pageForward_data()
    {
        pageBackward_data();
    }
    void pageForward()
    {
        QFETCH(int, limit);
        // From the start (after the oldest entry, the join) forward to the newest.
        QStringList collected{m_all.first()};
        int pages = 0;
        for (;;) {
            ++pages;
            const QJsonObject r = history(kChan, {{"after"_L1, collected.last()}, {"limit"_L1, limit}});
            CONF_SHAPE(pageProblems(r, kChan));
            const QStringList page = ids(r.value("messages"_L1).toArray());
            QVERIFY2(!page.isEmpty(), qPrintable(u"empty page %1: "_s.arg(pages) + dump(r)));
            QVERIFY(page.size() <= limit);
            const bool newerExist = m_all.indexOf(page.last()) < m_all.size() - 1;
            QVERIFY2(r.value("more"_L1) == QJsonValue(newerExist),
                     qPrintable(u"page %1 (after %2): more should be %3: "_s.arg(pages).arg(collected.last()).arg(newerExist) + dump(r.value("more"_L1))));
            if (newerExist)
                QCOMPARE(page.size(), limit);
            collected << page;
            if (!newerExist)
                break;
            QVERIFY(pages <= kSent + 1);
        }
        QCOMPARE(collected, m_all);
    }

    // A page that ends exactly at the first or last entry has more = false.
    void moreAtExactEnd()
    {
        QJsonObject r = history(kChan, {{"before"_L1, m_all[10]}, {"limit"_L1, 10}});
        CONF_SHAPE(pageProblems(r, kChan));
        QCOMPARE(ids(r.value("messages"_L1).toArray()), m_all.mid(0, 10));
        QCOMPARE(r.value("more"_L1), QJsonValue(false));

        r = history(kChan, {{"after"_L1, m_all[m_all.size() - 11]}, {"limit"_L1, 10}});
        CONF_SHAPE(pageProblems(r, kChan));
        QCOMPARE(ids(r.value("messages"_L1).toArray()), m_all.mid(m_all.size() - 10));
        QCOMPARE(r.value("more"_L1), QJsonValue(false));
    }

    void shortChannel_data()
    {
        QTest::addColumn<int>("limit");
        QTest::addColumn<int>("expected");
        QTest::addColumn<bool>("more");
        QTest::newRow("limit 4 of 5") << 4 << 4 << true;
        QTest::newRow("limit 5 of 5") << 5 << 5 << false;
        QTest::newRow("limit 6 of 5") << 6 << 5 << false;
        QTest::newRow("default of 5") << 0 << 5 << false;
    }
    void shortChannel()
    {
        QFETCH(int, limit);
        QFETCH(int, expected);
        QFETCH(bool, more);
        const QJsonObject r = limit ? history(kShort, {{"limit"_L1, limit}}) : history(kShort);
        CONF_SHAPE(pageProblems(r, kShort));
        QCOMPARE(ids(r.value("messages"_L1).toArray()), m_short.mid(m_short.size() - expected));
        QCOMPARE(r.value("more"_L1), QJsonValue(more));
    }

    void cursorsOutsideTheLog_data()
    {
        QTest::addColumn<QString>("direction");
        QTest::addColumn<QString>("cursor");
        QTest::addColumn<int>("limit");
        const auto bump = [](const QString &id) { // an ID between two entries (or just after one)
            const auto [ms, seq] = idParts(id);
            return u"%1-%2"_s.arg(ms).arg(seq + 1);
        };
        const QStringList all = m_all;
        QTest::newRow("before the first ID") << u"before"_s << u"1-0"_s << 10;
        QTest::newRow("after the first ID") << u"after"_s << u"1-0"_s << 10;
        QTest::newRow("before the far future") << u"before"_s << u"99999999999999-0"_s << 10;
        QTest::newRow("after the far future") << u"after"_s << u"99999999999999-0"_s << 10;
        QTest::newRow("before a gap") << u"before"_s << bump(all[100]) << 5;
        QTest::newRow("after a gap") << u"after"_s << bump(all[100]) << 5;
        QTest::newRow("before the newest") << u"before"_s << all.last() << 3;
        QTest::newRow("after the newest") << u"after"_s << all.last() << 3;
    }
    void cursorsOutsideTheLog()
    {
        QFETCH(QString, direction);
        QFETCH(QString, cursor);
        QFETCH(int, limit);
        const QJsonObject r = history(kChan, {{direction, cursor}, {"limit"_L1, limit}});
        CONF_SHAPE(pageProblems(r, kChan));
        const QStringList expected = direction == "before"_L1 ? expectedBefore(m_all, cursor, limit) : expectedAfter(m_all, cursor, limit);
        QCOMPARE(ids(r.value("messages"_L1).toArray()), expected);
        const bool more = direction == "before"_L1 ? !expected.isEmpty() && expected.first() != m_all.first()
                                                   : !expected.isEmpty() && expected.last() != m_all.last();
        QCOMPARE(r.value("more"_L1), QJsonValue(more));
    }

    void badRequest_data()
    {
        QTest::addColumn<QJsonObject>("params");
        QTest::newRow("before and after") << QJsonObject{{"before"_L1, u"99999999999999-0"_s}, {"after"_L1, u"1-0"_s}};
        QTest::newRow("before not an ID") << QJsonObject{{"before"_L1, u"abc"_s}};
        QTest::newRow("after not an ID") << QJsonObject{{"after"_L1, u"1-2-3"_s}};
        QTest::newRow("before empty") << QJsonObject{{"before"_L1, QString()}};
        QTest::newRow("after negative") << QJsonObject{{"after"_L1, u"-1-0"_s}};
        QTest::newRow("before a number") << QJsonObject{{"before"_L1, 5}};
        QTest::newRow("after an object") << QJsonObject{{"after"_L1, QJsonObject{}}};
        QTest::newRow("redis range syntax") << QJsonObject{{"before"_L1, u"+"_s}};
        QTest::newRow("redis exclusive syntax") << QJsonObject{{"after"_L1, u"(1-0"_s}};
    }
    void badRequest()
    {
        QFETCH(QJsonObject, params);
        CONF_ERROR(history(kChan, params), "bad_request");
    }

    void channelParamBadRequest()
    {
        CONF_ERROR(m_alice->call(u"history"_s, {}), "bad_request");
        CONF_ERROR(m_alice->call(u"history"_s, {{"channel"_L1, 5}}), "bad_request");
    }

    void notMember()
    {
        CONF_ERROR(m_bob->call(u"history"_s, {{"channel"_L1, kChan}}), "not_member");
        CONF_ERROR(m_bob->call(u"history"_s, {{"channel"_L1, kChan}, {"after"_L1, m_all.first()}}), "not_member");
        CONF_ERROR(m_bob->call(u"history"_s, {{"channel"_L1, u"no-such-channel"_s}}), "not_member");
    }
};

QTEST_GUILESS_MAIN(TestConformanceHistory)
#include "tst_conformance_history.moc"
