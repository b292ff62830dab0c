// Conformance (black box, from PROTOCOL.md revision 2): `search`. Words (letters and digits,
// NFC, lowercase), prefix matching, every word must match, membership now (parted channels and
// others' DMs are not searched), deleted never found, edited found by current text, `before`
// paging across channels that never ends a page between two equal IDs, limits, bad input. And
// Rill's `next`: a page cut short by the per-channel budget is continued from it.

#include "Conformance.h"

#include <QSet>

using namespace rill::test;
using namespace rill::test::conf;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
const QString kPassword = u"correct horse"_s;
const QString kChan = u"finds"_s;
} // namespace

class TestConformanceSearch : public CastSuite
{
    Q_OBJECT

private:
    int m_marks = 0;

    // A word no other test's message starts with (and none starts with it), to keep rows apart.
    QString mark() { return u"mk%1q"_s.arg(++m_marks); }

    QString sendAs(TestClient &c, const QString &text, const QString &channel = kChan)
    {
        const QJsonObject r = c.call(u"send"_s, {{"channel"_L1, channel}, {"text"_L1, text}});
        if (!isOk(r))
            qWarning("send failed: %s", qPrintable(dump(r)));
        return r.value("message"_L1).toObject().value("id"_L1).toString();
    }
    QJsonObject search(TestClient &c, const QString &query, QJsonObject more = {})
    {
        more.insert("query"_L1, query);
        return c.call(u"search"_s, more);
    }
    QStringList found(TestClient &c, const QString &query, const QJsonObject &more = {})
    {
        const QJsonObject r = search(c, query, more);
        if (!isOk(r))
            qWarning("search failed: %s", qPrintable(dump(r)));
        for (const auto &m : r.value("messages"_L1).toArray()) {
            const QString problems = messageProblems(m.toObject());
            if (!problems.isEmpty())
                qWarning("%s", qPrintable(problems));
        }
        return ids(r.value("messages"_L1).toArray());
    }
    // Every result of a query, page after page (following `next`), with the pages' sizes.
    QStringList allPages(TestClient &c, const QString &query, int limit, QList<qsizetype> *sizes = nullptr)
    {
        QStringList out;
        QJsonObject params{{"limit"_L1, limit}};
        for (int guard = 0; guard < 1000; ++guard) {
            const QJsonObject r = search(c, query, params);
            if (!isOk(r)) {
                qWarning("search failed: %s", qPrintable(dump(r)));
                return {};
            }
            const QStringList page = ids(r.value("messages"_L1).toArray());
            out += page;
            if (sizes)
                sizes->append(page.size());
            if (r.value("more"_L1) != QJsonValue(true))
                return out;
            const QString next = r.value("next"_L1).toString(page.isEmpty() ? QString() : page.last());
            if (next.isEmpty()) {
                qWarning("more without a next and an empty page: %s", qPrintable(dump(r)));
                return {};
            }
            params.insert("before"_L1, next);
        }
        return {};
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(startCast(kChan, kPassword)); }
    void cleanupTestCase() { stopCast(); }
    void init()
    {
        for (auto *c : {m_a1.get(), m_a2.get(), m_bob.get(), m_carol.get()})
            c->clearEvents();
    }

    void helloSaysRevision2()
    {
        const QJsonObject r = m_carol->call(u"hello"_s, {{"version"_L1, 1}});
        CONF_OK(r);
        QCOMPARE(r.value("revision"_L1).toInteger(), 2);
    }

    // Each row sends `text` with a word of its own and searches for that word and `query`.
    void words_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("query");
        QTest::addColumn<bool>("found");
        QTest::newRow("whole word") << u"deploy on friday"_s << u"friday"_s << true;
        QTest::newRow("prefix of a word") << u"the deployment"_s << u"depl"_s << true;
        QTest::newRow("not inside a word") << u"we redeploy"_s << u"deploy"_s << false;
        QTest::newRow("not a suffix") << u"deployment"_s << u"ment"_s << false;
        QTest::newRow("query longer than the word") << u"depl"_s << u"deploy"_s << false;
        QTest::newRow("case of the text") << u"DEPLOY Friday"_s << u"deploy friday"_s << true;
        QTest::newRow("case of the query") << u"deploy friday"_s << u"DePlOy FRIDAY"_s << true;
        QTest::newRow("every word must match") << u"alpha beta"_s << u"alpha gamma"_s << false;
        QTest::newRow("words in any order") << u"alpha beta gamma"_s << u"gamma alpha"_s << true;
        QTest::newRow("each query word a prefix") << u"kubernetes cluster"_s << u"kube clu"_s << true;
        QTest::newRow("punctuation ignored in the query") << u"release notes"_s << u"\"release\", notes?!"_s << true;
        QTest::newRow("underscore splits") << u"max_retry_count"_s << u"retry"_s << true;
        QTest::newRow("hyphen splits") << u"follow-up"_s << u"up"_s << true;
        QTest::newRow("é composed finds decomposed") << u"Cafe\u0301 au lait"_s << u"caf\u00e9"_s << true;
        QTest::newRow("é decomposed finds composed") << u"Caf\u00e9 au lait"_s << u"CAFE\u0301"_s << true;
        QTest::newRow("e does not find é") << u"caf\u00e9"_s << u"cafe"_s << false;
        QTest::newRow("Cyrillic, case") << u"Привет, Мир"_s << u"ПРИВ мир"_s << true;
        QTest::newRow("CJK by its start") << u"東京タワーに行った"_s << u"東京"_s << true;
        QTest::newRow("digits") << u"build 4711 failed"_s << u"471"_s << true;
        QTest::newRow("no full case folding") << u"Straße"_s << u"strasse"_s << false;
        QTest::newRow("emoji in the text") << u"ship🚀it"_s << u"it"_s << true;
    }
    void words()
    {
        QFETCH(QString, text);
        QFETCH(QString, query);
        QFETCH(bool, found);
        const QString own = mark();
        const QString id = sendAs(*m_a1, text + u' ' + own);
        QVERIFY(!id.isEmpty());
        const QStringList inChannel = this->found(*m_bob, own + u' ' + query, {{"channel"_L1, kChan}});
        const QStringList everywhere = this->found(*m_bob, query + u' ' + own);
        QCOMPARE(inChannel, found ? QStringList{id} : QStringList{});
        QCOMPARE(everywhere, inChannel);
    }

    // A short prefix of more words than the server expands (64) still finds every message.
    void prefixOfManyWords()
    {
        const QString own = mark();
        QStringList sent; // newest first
        for (int i = 0; i < 70; ++i)
            sent.prepend(sendAs(i % 2 ? *m_a1 : *m_bob, own + u"x%1"_s.arg(i)));
        QCOMPARE(allPages(*m_bob, own, 50), sent);
        QCOMPARE(allPages(*m_bob, own.left(3) + u" "_s + own, 20), sent);
    }

    void resultIsTheWholeCurrentMessage()
    {
        const QString own = mark();
        const QString root = sendAs(*m_a1, u"root "_s + own);
        const QJsonObject reply = m_bob->call(u"send"_s, {{"channel"_L1, kChan}, {"text"_L1, QString(u"answer "_s + own)},
                                                          {"replyTo"_L1, root}});
        CONF_OK(reply);
        CONF_OK(m_bob->call(u"react"_s, {{"channel"_L1, kChan}, {"messageId"_L1, root}, {"emoji"_L1, u"👍"_s}, {"on"_L1, true}}));
        const QJsonObject r = search(*m_carol, own); // carol is not in kChan
        CONF_OK(r);
        QCOMPARE(r.value("messages"_L1).toArray().size(), 0);
        const QJsonArray page = search(*m_bob, own).value("messages"_L1).toArray();
        QCOMPARE(page.size(), 2);
        const QJsonObject newest = page.at(0).toObject(), oldest = page.at(1).toObject();
        QCOMPARE(newest.value("replyTo"_L1).toString(), root);
        QCOMPARE(oldest.value("id"_L1).toString(), root);
        QCOMPARE(oldest.value("replies"_L1).toInteger(), 1);
        QCOMPARE(oldest.value("reactions"_L1).toObject().value(u"👍"_s).toArray(), QJsonArray{u"bob"_s});
        QCOMPARE(oldest.value("channel"_L1).toString(), kChan);
        QCOMPARE(oldest.value("text"_L1).toString(), u"root "_s + own);
    }

    void deletedIsNeverFound()
    {
        const QString own = mark();
        const QString id = sendAs(*m_a1, u"secret plan "_s + own);
        const QString kept = sendAs(*m_a1, u"public plan "_s + own);
        QCOMPARE(found(*m_bob, own), (QStringList{kept, id}));
        CONF_OK(m_a1->call(u"delete"_s, {{"channel"_L1, kChan}, {"messageId"_L1, id}}));
        QCOMPARE(found(*m_bob, own), QStringList{kept});
        QCOMPARE(found(*m_bob, u"secret "_s + own), QStringList{});
        QCOMPARE(found(*m_bob, QString(u"plan "_s + own), {{"channel"_L1, kChan}}), QStringList{kept});
    }

    void editedIsFoundByItsCurrentText()
    {
        const QString own = mark();
        const QString id = sendAs(*m_a1, u"colour scheme "_s + own);
        const QString later = sendAs(*m_bob, u"unrelated "_s + own);
        QCOMPARE(found(*m_bob, u"colour "_s + own), QStringList{id});
        // An older message gains a word (its posting arrives out of order) and loses two.
        const QJsonObject r = m_a1->call(u"edit"_s, {{"channel"_L1, kChan}, {"messageId"_L1, id},
                                                     {"text"_L1, QString(u"color palette "_s + own)}});
        CONF_OK(r);
        QCOMPARE(found(*m_bob, u"colour "_s + own), QStringList{});
        QCOMPARE(found(*m_bob, u"scheme "_s + own), QStringList{});
        QCOMPARE(found(*m_bob, u"palette "_s + own), QStringList{id});
        QCOMPARE(found(*m_bob, u"col "_s + own), QStringList{id});
        const QJsonArray page = search(*m_bob, own).value("messages"_L1).toArray();
        QCOMPARE(ids(page), (QStringList{later, id}));
        QCOMPARE(page.at(1).toObject().value("text"_L1).toString(), u"color palette "_s + own);
        QVERIFY(page.at(1).toObject().contains("edited"_L1));
        // Back again: the old words are found again, the dropped ones are not.
        CONF_OK(m_a1->call(u"edit"_s, {{"channel"_L1, kChan}, {"messageId"_L1, id}, {"text"_L1, QString(u"colour "_s + own)}}));
        QCOMPARE(found(*m_bob, u"colour "_s + own), QStringList{id});
        QCOMPARE(found(*m_bob, u"palette "_s + own), QStringList{});
    }

    void onlyChannelsTheUserIsInNow()
    {
        const QString own = mark();
        CONF_OK(m_bob->call(u"join"_s, {{"channel"_L1, u"side"_s}}));
        CONF_OK(m_carol->call(u"join"_s, {{"channel"_L1, u"side"_s}}));
        const QString side = sendAs(*m_carol, QString(u"side talk "_s + own), u"side"_s);
        const QString main = sendAs(*m_a1, u"main talk "_s + own);
        QCOMPARE(found(*m_bob, own), (QStringList{main, side}));
        QCOMPARE(found(*m_carol, own), QStringList{side});
        CONF_ERROR(search(*m_carol, own, {{"channel"_L1, kChan}}), "not_member");
        CONF_OK(m_bob->call(u"part"_s, {{"channel"_L1, u"side"_s}}));
        QCOMPARE(found(*m_bob, own), QStringList{main});
        CONF_ERROR(search(*m_bob, own, {{"channel"_L1, u"side"_s}}), "not_member");
        // Joining again: found again (membership now, not at the time it was written).
        CONF_OK(m_bob->call(u"join"_s, {{"channel"_L1, u"side"_s}}));
        QCOMPARE(found(*m_bob, own), (QStringList{main, side}));
    }

    void directMessagesOfTheirTwoUsersOnly()
    {
        const QString own = mark();
        const QJsonObject dm = m_a1->call(u"dm"_s, {{"user"_L1, u"bob"_s}});
        CONF_OK(dm);
        const QString channel = dm.value("channel"_L1).toObject().value("name"_L1).toString();
        const QString id = sendAs(*m_a1, QString(u"just between us "_s + own), channel);
        QCOMPARE(found(*m_bob, own), QStringList{id});
        QCOMPARE(found(*m_a2, own, {{"channel"_L1, channel}}), QStringList{id});
        QCOMPARE(found(*m_carol, own), QStringList{});
        CONF_ERROR(search(*m_carol, own, {{"channel"_L1, channel}}), "not_member");
    }

    void limitAndMore()
    {
        const QString own = mark();
        QStringList sent; // newest first
        for (int i = 0; i < 13; ++i) {
            sent.prepend(sendAs(*m_a1, u"n%1 "_s.arg(i) + own));
            sent.prepend(sendAs(*m_bob, u"n%1 "_s.arg(i) + own));
        }
        const QJsonObject first = search(*m_bob, own);
        CONF_OK(first);
        QCOMPARE(ids(first.value("messages"_L1).toArray()), sent.mid(0, 20)); // 20 by default
        QCOMPARE(first.value("more"_L1), QJsonValue(true));
        const QJsonObject second = search(*m_bob, own, {{"before"_L1, sent.at(19)}});
        QCOMPARE(ids(second.value("messages"_L1).toArray()), sent.mid(20));
        QCOMPARE(second.value("more"_L1), QJsonValue(false));
        QVERIFY(!second.contains("next"_L1));
        QCOMPARE(found(*m_bob, own, {{"limit"_L1, 50}}), sent);
        QCOMPARE(found(*m_bob, own, {{"limit"_L1, 1}}), sent.mid(0, 1));
        QCOMPARE(allPages(*m_bob, own, 7), sent);
        CONF_ERROR(search(*m_bob, own, {{"limit"_L1, 0}}), "bad_request");
        CONF_ERROR(search(*m_bob, own, {{"limit"_L1, 51}}), "bad_request");
    }

    // IDs are unique within a channel only: two channels written in the same millisecond share
    // them. Pages go by ID across channels and never end between two equal IDs.
    void pagesAcrossChannelsWithEqualIds()
    {
        const QString own = mark();
        QStringList all;
        QSet<QString> shared;
        for (int attempt = 0; attempt < 5 && shared.isEmpty(); ++attempt) {
            const QString one = u"eq%1a"_s.arg(attempt), two = u"eq%1b"_s.arg(attempt);
            CONF_OK(m_a1->call(u"join"_s, {{"channel"_L1, one}}));
            CONF_OK(m_a1->call(u"join"_s, {{"channel"_L1, two}}));
            CONF_OK(m_bob->call(u"join"_s, {{"channel"_L1, one}}));
            CONF_OK(m_bob->call(u"join"_s, {{"channel"_L1, two}}));
            // Pipelined from two connections, so both logs are written in the same milliseconds.
            QList<qint64> posted[2];
            for (int i = 0; i < 15; ++i) {
                posted[0] << m_a1->post(u"send"_s, {{"channel"_L1, one}, {"text"_L1, own}});
                posted[1] << m_a2->post(u"send"_s, {{"channel"_L1, two}, {"text"_L1, own}});
            }
            QSet<QString> seen[2];
            for (int side = 0; side < 2; ++side) {
                for (qint64 id : posted[side]) {
                    const QJsonObject r = (side == 0 ? *m_a1 : *m_a2).replyTo(id);
                    CONF_OK(r);
                    const QString messageId = r.value("message"_L1).toObject().value("id"_L1).toString();
                    seen[side].insert(messageId);
                    all << messageId;
                }
            }
            shared = seen[0] & seen[1];
        }
        QVERIFY2(!shared.isEmpty(), "no two messages of the two channels got the same ID; cannot test ties");
        std::sort(all.begin(), all.end(), [](const QString &a, const QString &b) { return idLess(b, a); });
        for (int limit : {1, 2, 3, 5, 50}) {
            QList<qsizetype> sizes;
            const QStringList got = allPages(*m_bob, own, limit, &sizes);
            QCOMPARE(got, all); // every result once, newest first
            qsizetype at = 0;
            for (qsizetype size : sizes) {
                const QStringList page = got.mid(at, size);
                at += size;
                if (size > 0 && at < got.size())
                    QVERIFY2(got.at(at - 1) != got.at(at), qPrintable(u"limit %1: a page ends between two results "
                                                                      "with the ID %2"_s.arg(limit).arg(got.at(at))));
                // Beyond the limit only when the page is one ID whose results cannot be split.
                QVERIFY2(size <= limit || QSet<QString>(page.cbegin(), page.cend()).size() == 1,
                         qPrintable(u"limit %1: a page of %2"_s.arg(limit).arg(size)));
            }
        }
    }

    void badInputIsRefusedAndServingGoesOn()
    {
        const QString own = mark();
        const QString id = sendAs(*m_a1, u"still here "_s + own);
        CONF_ERROR(search(*m_bob, QString()), "bad_request");
        CONF_ERROR(search(*m_bob, u"   "_s), "bad_request");
        CONF_ERROR(search(*m_bob, u"?!… -- ..."_s), "bad_request");
        CONF_ERROR(search(*m_bob, u"🎉🚀"_s), "bad_request");
        CONF_ERROR(search(*m_bob, u"___"_s), "bad_request");
        CONF_ERROR(m_bob->call(u"search"_s, {}), "bad_request");
        CONF_ERROR(m_bob->call(u"search"_s, {{"query"_L1, 5}}), "bad_request");
        CONF_ERROR(search(*m_bob, own, {{"before"_L1, u"yesterday"_s}}), "bad_request");
        CONF_ERROR(search(*m_bob, own, {{"channel"_L1, 7}}), "bad_request");
        CONF_ERROR(search(*m_bob, own, {{"channel"_L1, u"no such channel!"_s}}), "not_member");
        CONF_ERROR(search(*m_bob, own, {{"channel"_L1, u"nobody-here"_s}}), "not_member");
        QStringList many;
        for (int i = 0; i < 17; ++i)
            many << u"w%1"_s.arg(i);
        CONF_ERROR(search(*m_bob, many.join(u' ')), "bad_request");
        auto anonymous = connectTo(m_server->url());
        QVERIFY(anonymous);
        CONF_ERROR(search(*anonymous, own), "unauthenticated");
        // Nothing stored is lost, and everyone is still served.
        QCOMPARE(found(*m_bob, own), QStringList{id});
        QCOMPARE(found(*m_a2, u"still "_s + own), QStringList{id});
        QVERIFY(!sendAs(*m_bob, u"after the bad input"_s).isEmpty());
    }

    // Rill's addition: each channel examines a bounded number of index entries per request; a
    // page cut short says `more` and `next`, and following `next` finds everything.
    void budgetCutsPagesThatNextContinues()
    {
        ServerFixture server;
        server.config().searchBudgetPerChannel = 3;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        auto dave = connectTo(server.url());
        QVERIFY(dave && dave->signUp(u"dave"_s, kPassword));
        QStringList both; // newest first
        both << sendAs(*dave, u"alpha beta"_s, u"general"_s);
        for (int i = 0; i < 8; ++i) {
            sendAs(*dave, u"alpha %1"_s.arg(i), u"general"_s);
            sendAs(*dave, u"beta %1"_s.arg(i), u"general"_s);
        }
        both.prepend(sendAs(*dave, u"beta alpha"_s, u"general"_s));
        const QJsonObject first = search(*dave, u"alpha beta"_s, {{"before"_L1, both.at(0)}});
        CONF_OK(first);
        QCOMPARE(first.value("messages"_L1).toArray().size(), 0);
        QCOMPARE(first.value("more"_L1), QJsonValue(true));
        QVERIFY2(isStreamId(first.value("next"_L1)), qPrintable(dump(first)));
        QList<qsizetype> sizes;
        QCOMPARE(allPages(*dave, u"alpha beta"_s, 20, &sizes), both);
        QVERIFY2(sizes.size() > 2, "the budget did not cut any page");
    }
};

QTEST_GUILESS_MAIN(TestConformanceSearch)
#include "tst_conformance_search.moc"
