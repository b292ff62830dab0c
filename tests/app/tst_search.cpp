// Message search from the client core against a real rill server on a real redis-server: pages
// of results newest first, in every channel of the user or in one, the words that matched in
// bold, and what cannot be searched said in words (no request for what the server refuses).
#include "ClientUnderTest.h"
#include "ServerFixture.h"
#include "TestClient.h"

#include "models/SearchModel.h"
#include "stores/Search.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace rill;
using namespace rill::client;
using namespace Qt::StringLiterals;

namespace {
QString post(test::TestClient &client, const QString &channel, const QString &text)
{
    return client.call(u"send"_s, {{u"channel"_s, channel}, {u"text"_s, text}}).value(u"message"_s).toObject().value(u"id"_s).toString();
}

QStringList texts(const SearchModel &model)
{
    QStringList out;
    for (int row = 0; row < model.rowCount(); ++row)
        out << model.index(row).data(SearchModel::TextRole).toString();
    return out;
}
} // namespace

class TestSearch : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::ServerFixture> m_server;
    std::unique_ptr<test::TestClient> m_bob;

private Q_SLOTS:
    void init()
    {
        m_server = std::make_unique<test::ServerFixture>();
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        m_bob = std::make_unique<test::TestClient>();
        QVERIFY(m_bob->open(m_server->url()));
        QVERIFY(m_bob->signUp(u"bob"_s));
    }

    void cleanup()
    {
        m_bob.reset();
        m_server.reset();
    }

    void resultsPageInNewestFirstFromEveryChannelOfTheUser()
    {
        test::ClientUnderTest alice;
        QVERIFY(alice.signUp(m_server->url(), u"alice"_s));
        alice.workspace->join(u"dev"_s);
        QTRY_VERIFY(alice.channel(u"dev"_s));
        m_bob->call(u"join"_s, {{u"channel"_s, u"dev"_s}});
        m_bob->call(u"join"_s, {{u"channel"_s, u"ops"_s}}); // Alice is not in it
        QCOMPARE(test::postNumbered(*m_bob, u"general"_s, u"deploy number %1"_s, 1, 30).size(), 30);
        QVERIFY(!post(*m_bob, u"general"_s, u"nothing to see"_s).isEmpty());
        QVERIFY(!post(*m_bob, u"ops"_s, u"deploy in ops"_s).isEmpty());
        QVERIFY(!post(*m_bob, u"dev"_s, u"Deploying dev"_s).isEmpty());

        Search *search = alice.workspace->search();
        SearchModel *results = search->results();
        QAbstractItemModelTester tester(results, QAbstractItemModelTester::FailureReportingMode::QtTest);
        search->run(u"  deploy "_s, {});
        QCOMPARE(search->query(), u"deploy"_s);
        QVERIFY(search->isLoading());
        QTRY_VERIFY(search->isDone());
        QCOMPARE(search->problem(), QString());
        QCOMPARE(results->rowCount(), protocol::kDefaultSearchLimit);
        QCOMPARE(texts(*results).first(3), (QStringList{u"Deploying dev"_s, u"deploy number 30"_s, u"deploy number 29"_s}));
        const QModelIndex newest = results->index(0);
        QCOMPARE(newest.data(SearchModel::ChannelRole).toString(), u"dev"_s);
        QCOMPARE(newest.data(SearchModel::ChannelTitleRole).toString(), u"#dev"_s);
        QCOMPARE(newest.data(SearchModel::AuthorRole).toString(), u"bob"_s);
        QCOMPARE(newest.data(SearchModel::StyledTextRole).toString(), u"<b>Deploying</b> dev"_s);
        QVERIFY(!newest.data(SearchModel::IdRole).toString().isEmpty());
        QVERIFY(!newest.data(SearchModel::WhenRole).toString().isEmpty());

        // The list scrolled to its end asks for the rest.
        QVERIFY(results->canFetchMore({}));
        results->fetchMore({});
        QVERIFY(!results->canFetchMore({})); // one page at a time
        QTRY_COMPARE(results->rowCount(), 31);
        QTRY_VERIFY(!search->isLoading());
        QVERIFY(!results->canFetchMore({}));
        QCOMPARE(texts(*results).constLast(), u"deploy number 1"_s);
        QVERIFY(!texts(*results).contains(u"deploy in ops"_s));

        // In one channel.
        search->run(u"deploy"_s, u"dev"_s);
        QTRY_VERIFY(search->isDone());
        QCOMPARE(texts(*results), QStringList{u"Deploying dev"_s});
        QCOMPARE(search->channel(), u"dev"_s);
    }

    void aNewSearchReplacesTheOneInFlight()
    {
        test::ClientUnderTest alice;
        QVERIFY(alice.signUp(m_server->url(), u"alice"_s));
        QVERIFY(!post(*m_bob, u"general"_s, u"apples"_s).isEmpty());
        QVERIFY(!post(*m_bob, u"general"_s, u"pears"_s).isEmpty());
        Search *search = alice.workspace->search();
        search->run(u"apples"_s, {});
        search->run(u"pears"_s, {});
        QTRY_VERIFY(search->isDone());
        QTRY_VERIFY(!search->isLoading());
        QCOMPARE(texts(*search->results()), QStringList{u"pears"_s});
    }

    void whatCannotBeSearchedIsSaid_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("channel");
        QTest::addColumn<QString>("problem");
        QTest::newRow("empty") << u"   "_s << QString() << u"Type what to look for"_s;
        QTest::newRow("punctuation only") << u"?! … 🎉"_s << QString() << u"Search for words: “?! … 🎉” has no letters or digits"_s;
        QTest::newRow("too many words") << u"a b c d e f g h i j k l m n o p q"_s << QString() << u"Search for at most 16 words"_s;
        QTest::newRow("not a member") << u"deploy"_s << u"secret"_s << u"Cannot search: "_s;
    }

    void whatCannotBeSearchedIsSaid()
    {
        QFETCH(QString, query);
        QFETCH(QString, channel);
        QFETCH(QString, problem);
        test::ClientUnderTest alice;
        QVERIFY(alice.signUp(m_server->url(), u"alice"_s));
        QVERIFY(!post(*m_bob, u"general"_s, u"deploy"_s).isEmpty());
        Search *search = alice.workspace->search();
        search->run(u"deploy"_s, {});
        QTRY_COMPARE(search->results()->rowCount(), 1);

        search->run(query, channel);
        QTRY_VERIFY(search->isDone());
        QVERIFY(search->problem().startsWith(problem));
        QVERIFY(search->problem().size() > QStringLiteral("Cannot search: ").size());
        QCOMPARE(search->results()->rowCount(), 0);
        QVERIFY(!search->isLoading());
        // The next search works as ever.
        search->run(u"deploy"_s, {});
        QTRY_COMPARE(search->results()->rowCount(), 1);
        QCOMPARE(search->problem(), QString());
    }
};

QTEST_GUILESS_MAIN(TestSearch)
#include "tst_search.moc"
