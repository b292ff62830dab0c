// The local cache (issue 9, "readable offline"): a real SQLite file, a real server on a real
// Redis, the client core as the app composes it.
#include "ClientUnderTest.h"
#include "ServerFixture.h"
#include "TestClient.h"

#include "cache/LocalCache.h"
#include "models/MessageModel.h"

#include <QAbstractItemModelTester>

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace rill;
using namespace rill::client;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
LocalCache::Options quick()
{
    LocalCache::Options options;
    options.writeDelay = 10ms;
    return options;
}
} // namespace

class TestLocalCache : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::ServerFixture> m_server;
    std::unique_ptr<test::TestClient> m_bob;
    QTemporaryDir m_dir;

    // Bob says `count` numbered lines in `channel` (joining it first).
    bool bobSays(const QString &channel, const QString &prefix, int count)
    {
        m_bob->call(u"join"_s, {{u"channel"_s, channel}});
        return test::postNumbered(*m_bob, channel, prefix + u" %1"_s, 1, count).size() == count;
    }

    static QStringList numbered(const QString &prefix, int count) { return test::numbered(prefix + u" %1"_s, 1, count); }

    // Alice opens `channel` and waits for its newest page.
    static bool open(test::ClientUnderTest &alice, const QString &channel)
    {
        alice.workspace->join(channel);
        return test::waitUntil([&] {
            const ChannelStore *store = alice.channel(channel);
            return alice.workspace->currentName() == channel && store && store->isLoaded() && !store->isLoadingOlder();
        }, 10s);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_server = std::make_unique<test::ServerFixture>();
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        m_bob = std::make_unique<test::TestClient>();
        QVERIFY(m_bob->open(m_server->url()));
        QVERIFY(m_bob->signUp(u"bob"_s));
    }

    void cleanupTestCase()
    {
        m_bob.reset();
        m_server.reset();
    }

    // Opened without the server: the channels, their newest messages and read markers as
    // they were, at once, marked stale.
    void opensOfflineOnCachedContent()
    {
        const QString path = m_dir.filePath(u"offline.sqlite"_s);
        QVERIFY(bobSays(u"news"_s, u"before"_s, 60));
        QStringList shown;
        QString readUpTo;
        {
            test::ClientUnderTest alice;
            LocalCache cache(path, quick());
            cache.follow(alice.workspace.get());
            QVERIFY(alice.signUp(m_server->url(), u"alice1"_s));
            QVERIFY(open(alice, u"news"_s));
            alice.workspace->markCurrentRead();
            readUpTo = alice.channel(u"news"_s)->lastRead();
            QVERIFY(!readUpTo.isEmpty());
            shown = alice.texts(u"news"_s);
            // The newest page of fifty: Bob's newest 49 and Alice's join.
            QCOMPARE(shown, numbered(u"before"_s, 60).mid(11));
            cache.flush();
            QVERIFY(cache.textBytes() > 0);
        }
        const auto others = QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ReadOther | QFileDevice::WriteOther;
        QCOMPARE(QFile::permissions(path) & others, QFileDevice::Permissions());

        test::ClientUnderTest again; // never connects
        LocalCache cache(path, quick());
        again.workspace->setPreferredChannel(u"news"_s); // as the app does from its settings
        QVERIFY(cache.restore(again.workspace.get(), m_server->url(), u"alice1"_s));
        ChannelStore *news = again.channel(u"news"_s);
        QVERIFY(news);
        QVERIFY(again.channel(u"general"_s));
        QCOMPARE(again.workspace->currentName(), u"news"_s);
        QVERIFY(news->isStale());
        QVERIFY(news->isLoaded());
        QVERIFY(!news->isAtStart());
        QCOMPARE(again.texts(u"news"_s), shown);
        QCOMPARE(news->lastRead(), readUpTo);
        QCOMPARE(news->unread(), 0);
        QCOMPARE(news->messageModel()->rowCount(), int(news->messages().size()));
        QCOMPARE(again.session->status(), ClientSession::Status::SignedOut);

        // Someone else's, or another server's: nothing.
        test::ClientUnderTest mallory;
        LocalCache other(path, quick());
        QVERIFY(!other.restore(mallory.workspace.get(), m_server->url(), u"mallory"_s));
        QVERIFY(!other.restore(mallory.workspace.get(), QUrl(u"ws://elsewhere:7117"_s), u"alice1"_s));
        QVERIFY(mallory.workspace->stores().isEmpty());
    }

    // Opened on cached content, the sign-in resumes each channel after its newest cached
    // message: what was said meanwhile arrives, nothing is lost and nothing shows twice.
    void resumeFillsTheGapOnce()
    {
        const QString path = m_dir.filePath(u"gap.sqlite"_s);
        QVERIFY(bobSays(u"gap"_s, u"early"_s, 30));
        QString token;
        {
            test::ClientUnderTest alice;
            LocalCache cache(path, quick());
            cache.follow(alice.workspace.get());
            QVERIFY(alice.signUp(m_server->url(), u"alice2"_s));
            QVERIFY(open(alice, u"gap"_s));
            QCOMPARE(alice.texts(u"gap"_s), numbered(u"early"_s, 30));
            token = alice.session->token();
            cache.flush();
            alice.session->disconnectFromServer(); // quits without signing out
        }
        QVERIFY(bobSays(u"gap"_s, u"meanwhile"_s, 130)); // more than one page of `history after`

        test::ClientUnderTest again;
        LocalCache cache(path, quick());
        cache.follow(again.workspace.get());
        QVERIFY(cache.restore(again.workspace.get(), m_server->url(), u"alice2"_s));
        ChannelStore *gap = again.channel(u"gap"_s);
        QVERIFY(gap && gap->isStale());
        QCOMPARE(again.texts(u"gap"_s), numbered(u"early"_s, 30));

        QSignalSpy resumed(again.workspace.get(), &Workspace::resumed);
        again.session->resume(m_server->url(), token);
        QTRY_VERIFY_WITH_TIMEOUT(!resumed.isEmpty(), 10000);
        QVERIFY(!gap->isStale());
        QCOMPARE(again.channel(u"gap"_s), gap); // the same store, caught up
        QCOMPARE(again.texts(u"gap"_s), numbered(u"early"_s, 30) + numbered(u"meanwhile"_s, 130));
        const auto &messages = gap->messages();
        for (qsizetype i = 1; i < messages.size(); ++i)
            QVERIFY(messages[i - 1].id < messages[i].id);

        // And written back: the cache now ends with the newest.
        cache.flush();
        test::ClientUnderTest third;
        LocalCache reread(path, quick());
        QVERIFY(reread.restore(third.workspace.get(), m_server->url(), u"alice2"_s));
        const QStringList cached = third.texts(u"gap"_s);
        QVERIFY(!cached.isEmpty());
        QCOMPARE(cached.constLast(), u"meanwhile 130"_s);
        QVERIFY(third.channel(u"gap"_s)->messages().size() <= quick().messagesPerChannel);
    }

    // Closed, the app misses what others do to the messages it cached: the next start shows
    // the cached copies as they were (reactions and "edited" included), and the sign-in brings
    // each change since the cursor kept with them, in place.
    void changesWhileClosedShowAfterRestart()
    {
        const QString path = m_dir.filePath(u"changes.sqlite"_s);
        QVERIFY(bobSays(u"edits"_s, u"line"_s, 3));
        QString token;
        QString one, two, three;
        {
            test::ClientUnderTest alice;
            LocalCache cache(path, quick());
            cache.follow(alice.workspace.get());
            QVERIFY(alice.signUp(m_server->url(), u"alice5"_s));
            QVERIFY(open(alice, u"edits"_s));
            ChannelStore *edits = alice.channel(u"edits"_s);
            QCOMPARE(alice.texts(u"edits"_s), numbered(u"line"_s, 3));
            const auto &held = edits->messages();
            three = held[held.size() - 2].idString(); // Alice's join is the newest
            two = held[held.size() - 3].idString();
            one = held[held.size() - 4].idString();
            // Before closing: an edit and a reaction the cache must keep.
            QVERIFY(m_bob->call(u"react"_s, {{u"channel"_s, u"edits"_s}, {u"messageId"_s, one}, {u"emoji"_s, u"👍"_s}, {u"on"_s, true}})
                        .value(u"ok"_s).toBool());
            QVERIFY(m_bob->call(u"edit"_s, {{u"channel"_s, u"edits"_s}, {u"messageId"_s, three}, {u"text"_s, u"line 3!"_s}})
                        .value(u"ok"_s).toBool());
            QTRY_VERIFY(edits->extras(held[held.size() - 4].id) != nullptr);
            QTRY_VERIFY(held[held.size() - 2].edited);
            token = alice.session->token();
            cache.flush();
            alice.session->disconnectFromServer();
        }
        const auto bobDoes = [this](const QString &op, const QJsonObject &params) {
            return m_bob->call(op, params).value(u"ok"_s).toBool();
        };
        QVERIFY(bobDoes(u"edit"_s, {{u"channel"_s, u"edits"_s}, {u"messageId"_s, one}, {u"text"_s, u"line 1, edited"_s}}));
        QVERIFY(bobDoes(u"delete"_s, {{u"channel"_s, u"edits"_s}, {u"messageId"_s, two}}));
        QVERIFY(bobDoes(u"react"_s, {{u"channel"_s, u"edits"_s}, {u"messageId"_s, three}, {u"emoji"_s, u"🎉"_s}, {u"on"_s, true}}));

        test::ClientUnderTest again;
        LocalCache cache(path, quick());
        cache.follow(again.workspace.get());
        again.workspace->setPreferredChannel(u"edits"_s);
        QVERIFY(cache.restore(again.workspace.get(), m_server->url(), u"alice5"_s));
        ChannelStore *edits = again.channel(u"edits"_s);
        QVERIFY(edits && edits->isStale());
        MessageModel &model = *edits->messageModel();
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        const auto row = [&model](const QString &id) { return model.index(model.rowOf(id)); };
        const auto reactions = [&row](const QString &id) {
            QStringList emoji;
            for (const QVariant &chip : row(id).data(MessageModel::ReactionsRole).toList())
                emoji << chip.toMap().value(u"emoji"_s).toString();
            return emoji;
        };
        // As they were when the app closed.
        QCOMPARE(row(one).data(MessageModel::TextRole).toString(), u"line 1"_s);
        QCOMPARE(reactions(one), QStringList{u"👍"_s});
        QCOMPARE(row(three).data(MessageModel::TextRole).toString(), u"line 3!"_s);
        QVERIFY(row(three).data(MessageModel::IsEditedRole).toBool());
        QVERIFY(reactions(three).isEmpty());

        QSignalSpy resumed(again.workspace.get(), &Workspace::resumed);
        again.session->resume(m_server->url(), token);
        QVERIFY(resumed.wait(15000));
        QVERIFY(!edits->isStale());
        QCOMPARE(row(one).data(MessageModel::TextRole).toString(), u"line 1, edited"_s);
        QVERIFY(row(one).data(MessageModel::IsEditedRole).toBool());
        QCOMPARE(reactions(one), QStringList{u"👍"_s});
        QVERIFY(row(two).data(MessageModel::IsDeletedRole).toBool());
        QCOMPARE(reactions(three), QStringList{u"🎉"_s});
        QCOMPARE(row(three).data(MessageModel::TextRole).toString(), u"line 3!"_s);
        QCOMPARE(reset.size(), 0); // in place
        QVERIFY(!edits->missesChanges());

        // Written back with the cursor: a third start shows the changes before it connects.
        cache.flush();
        test::ClientUnderTest third;
        LocalCache reread(path, quick());
        QVERIFY(reread.restore(third.workspace.get(), m_server->url(), u"alice5"_s));
        QCOMPARE(third.texts(u"edits"_s), (QStringList{u"line 1, edited"_s, QString(), u"line 3!"_s}));
        QCOMPARE(third.channel(u"edits"_s)->changeCursor(), edits->changeCursor());
    }

    void signOutLeavesNothing()
    {
        const QString path = m_dir.filePath(u"signout.sqlite"_s);
        test::ClientUnderTest alice;
        LocalCache cache(path, quick());
        cache.follow(alice.workspace.get());
        QObject::connect(alice.session.get(), &ClientSession::tokenChanged, &cache, [&cache](const QString &token) {
            if (token.isEmpty())
                cache.clear(); // as RillApp does
        });
        QVERIFY(alice.signUp(m_server->url(), u"alice3"_s));
        QVERIFY(bobSays(u"general"_s, u"hello"_s, 3));
        QTRY_VERIFY(alice.texts(u"general"_s).contains(u"hello 3"_s));
        cache.flush();
        QVERIFY(QFile::exists(path));
        QVERIFY(cache.textBytes() > 0);

        alice.session->signOut();
        QVERIFY(!QFile::exists(path));
        QVERIFY(!QFile::exists(path + u"-wal"_s));
        QTRY_VERIFY(alice.workspace->stores().isEmpty());
        cache.flush(); // nothing to write for nobody
        QVERIFY(!QFile::exists(path));
        test::ClientUnderTest again;
        LocalCache reread(path, quick());
        QVERIFY(!reread.restore(again.workspace.get(), m_server->url(), u"alice3"_s));
    }

    // Past its size bound the cache drops the channels viewed longest ago first.
    void sizeIsBounded()
    {
        const QString path = m_dir.filePath(u"bounded.sqlite"_s);
        const QString line = QString(96, u'x');
        for (const QString &channel : {u"big-a"_s, u"big-b"_s, u"big-c"_s})
            QVERIFY(bobSays(channel, line, 40)); // about 4,000 bytes each
        LocalCache::Options options = quick();
        options.maxTextBytes = 6000;
        test::ClientUnderTest alice;
        LocalCache cache(path, options);
        cache.follow(alice.workspace.get());
        QVERIFY(alice.signUp(m_server->url(), u"alice4"_s));
        for (const QString &channel : {u"big-a"_s, u"big-b"_s, u"big-c"_s})
            QVERIFY(open(alice, channel));
        cache.flush();
        QVERIFY2(cache.textBytes() <= options.maxTextBytes, qPrintable(QString::number(cache.textBytes())));

        test::ClientUnderTest again;
        LocalCache reread(path, options);
        QVERIFY(reread.restore(again.workspace.get(), m_server->url(), u"alice4"_s));
        QCOMPARE(again.texts(u"big-c"_s).size(), 40); // viewed last: kept
        QVERIFY(again.channel(u"big-a"_s));           // the channel itself stays listed
        QVERIFY(again.texts(u"big-a"_s).isEmpty());
        QVERIFY(!again.channel(u"big-a"_s)->isStale()); // nothing cached, nothing stale: it loads when opened
    }
};

QTEST_GUILESS_MAIN(TestLocalCache)
#include "tst_localcache.moc"
