// The sidebar, member, directory, filter and search result models, without a server.
#include "models/ChannelListModel.h"
#include "models/DirectoryModel.h"
#include "models/FilterModel.h"
#include "models/MemberModel.h"
#include "models/MentionCompletion.h"
#include "models/SearchModel.h"
#include "stores/ChannelStore.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace rill::client;
using namespace Qt::StringLiterals;
using rill::protocol::ChannelInfo;
using rill::protocol::ChannelKind;

namespace {
constexpr auto kReport = QAbstractItemModelTester::FailureReportingMode::QtTest;

std::unique_ptr<ChannelStore> makeStore(const QString &name, qint64 unread = 0, const QString &peer = {})
{
    ChannelInfo info;
    info.name = name;
    info.kind = peer.isEmpty() ? ChannelKind::Channel : ChannelKind::Dm;
    info.peer = peer;
    info.lastId = u"100-0"_s;
    info.unread = unread;
    return std::make_unique<ChannelStore>(info, u"alice"_s);
}

QStringList titles(const QAbstractItemModel &model)
{
    QStringList out;
    for (int row = 0; row < model.rowCount(); ++row)
        out << model.index(row, 0).data(ChannelListModel::TitleRole).toString();
    return out;
}
} // namespace

class TestListModels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void channelsSortChannelsBeforeDirectMessages()
    {
        ChannelListModel model;
        QAbstractItemModelTester tester(&model, kReport);
        auto random = makeStore(u"random"_s);
        auto dm = makeStore(u"dm:alice:bob"_s, 0, u"bob"_s);
        auto general = makeStore(u"general"_s);
        auto dev = makeStore(u"dev"_s);
        model.add(random.get());
        model.add(dm.get());
        model.add(general.get());
        model.add(dev.get());
        model.add(dev.get()); // twice is once
        QCOMPARE(titles(model), (QStringList{u"dev"_s, u"general"_s, u"random"_s, u"bob"_s}));
        QCOMPARE(model.index(3).data(ChannelListModel::SectionRole).toString(), u"Direct messages"_s);
        model.remove(u"general"_s);
        QCOMPARE(titles(model), (QStringList{u"dev"_s, u"random"_s, u"bob"_s}));
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    // Issue 9, item 5: each row says whether it starts its section, and the rows whose
    // answer changes when one comes or goes are told.
    void rowsSayWhereTheirSectionStarts()
    {
        ChannelListModel model;
        QAbstractItemModelTester tester(&model, kReport);
        auto general = makeStore(u"general"_s);
        auto bob = makeStore(u"dm:alice:bob"_s, 0, u"bob"_s);
        auto carol = makeStore(u"dm:alice:carol"_s, 0, u"carol"_s);
        auto dev = makeStore(u"dev"_s);
        const auto starts = [&] {
            QList<bool> out;
            for (int row = 0; row < model.rowCount(); ++row)
                out << model.index(row).data(ChannelListModel::StartsSectionRole).toBool();
            return out;
        };
        model.add(general.get());
        model.add(carol.get());
        QCOMPARE(starts(), (QList<bool>{true, true}));
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.add(bob.get()); // before carol: she no longer starts the DMs
        QCOMPARE(titles(model), (QStringList{u"general"_s, u"bob"_s, u"carol"_s}));
        QCOMPARE(starts(), (QList<bool>{true, true, false}));
        QVERIFY(std::any_of(changed.cbegin(), changed.cend(), [](const QList<QVariant> &args) {
            return args.at(0).value<QModelIndex>().row() == 2
                && args.at(2).value<QList<int>>().contains(ChannelListModel::StartsSectionRole);
        }));
        model.add(dev.get()); // before general
        QCOMPARE(starts(), (QList<bool>{true, false, true, false}));
        changed.clear();
        model.remove(u"dm:alice:bob"_s);
        QCOMPARE(starts(), (QList<bool>{true, false, true}));
        QVERIFY(!changed.isEmpty());
        model.remove(u"dev"_s);
        QCOMPARE(starts(), (QList<bool>{true, true}));
    }

    void unreadFollowsTheStore()
    {
        ChannelListModel model;
        QAbstractItemModelTester tester(&model, kReport);
        auto general = makeStore(u"general"_s, 2);
        auto dev = makeStore(u"dev"_s, 0);
        model.add(general.get());
        model.add(dev.get());
        const int row = model.rowOf(u"general"_s);
        QCOMPARE(model.index(row).data(ChannelListModel::UnreadRole).toInt(), 2);
        QVERIFY(model.index(row).data(ChannelListModel::HasUnreadRole).toBool());
        QCOMPARE(model.totalUnread(), 2);

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QVERIFY(general->applyRead(u"100-0"_s));
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed[0][0].value<QModelIndex>().row(), row);
        QVERIFY(!model.index(row).data(ChannelListModel::HasUnreadRole).toBool());
        QCOMPARE(model.totalUnread(), 0);
    }

    // The server's count at sign-in, plus live messages that mention the user, back to zero
    // when read; others' messages that do not mention, the user's own and e-mail addresses
    // count as unread only.
    void mentionsFollowTheStore()
    {
        ChannelListModel model;
        QAbstractItemModelTester tester(&model, kReport);
        ChannelInfo info;
        info.name = u"general"_s;
        info.lastId = u"100-0"_s;
        info.lastRead = u"90-0"_s;
        info.unread = 3;
        info.mentions = 1;
        ChannelStore store(info, u"alice"_s);
        model.add(&store);
        const auto mentionsInList = [&] { return model.index(0).data(ChannelListModel::MentionsRole).toInt(); };
        QCOMPARE(store.mentions(), 1);
        QCOMPARE(mentionsInList(), 1);

        const auto message = [](const QString &id, const QString &user, const QString &text) {
            rill::protocol::Message m;
            m.id = id;
            m.channel = u"general"_s;
            m.user = user;
            m.text = text;
            return m;
        };
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QVERIFY(store.addLive(message(u"101-0"_s, u"bob"_s, u"@Alice, look"_s), true));
        QCOMPARE(store.unread(), 4);
        QCOMPARE(store.mentions(), 2);
        QCOMPARE(mentionsInList(), 2);
        QVERIFY(std::any_of(changed.cbegin(), changed.cend(), [](const QList<QVariant> &args) {
            return args[2].value<QList<int>>().contains(ChannelListModel::MentionsRole);
        }));
        QVERIFY(store.addLive(message(u"102-0"_s, u"bob"_s, u"mail alice@alice.example"_s), true));
        QVERIFY(store.addLive(message(u"103-0"_s, u"bob"_s, u"hi alice"_s), true));
        QVERIFY(store.addLive(message(u"104-0"_s, u"alice"_s, u"@alice note to self"_s), true));
        QCOMPARE(store.unread(), 6);
        QCOMPARE(store.mentions(), 2);
        QVERIFY(store.addLive(message(u"105-0"_s, u"bob"_s, u"@alice again"_s), false)); // being looked at
        QCOMPARE(store.mentions(), 2);

        QVERIFY(store.applyRead(u"105-0"_s));
        QCOMPARE(store.unread(), 0);
        QCOMPARE(store.mentions(), 0);
        QCOMPARE(mentionsInList(), 0);

        // A newer snapshot says what the server counts (edits and deletions included).
        info.lastId = u"106-0"_s;
        info.lastRead = u"105-0"_s;
        info.unread = 1;
        info.mentions = 1;
        store.applyInfo(info);
        QCOMPARE(mentionsInList(), 1);
    }

    void mentionCompletionOffersMembers()
    {
        ChannelInfo info;
        info.name = u"general"_s;
        ChannelStore store(info, u"alice"_s);
        store.setMembers({{u"beatrice"_s, true}, {u"Bob"_s, false}, {u"alice"_s, true}, {u"carol"_s, true}});
        MentionCompletion completion;
        QAbstractItemModelTester tester(&completion, kReport);
        completion.setStore(&store);
        QSignalSpy active(&completion, &MentionCompletion::activeChanged);
        const auto users = [&] {
            QStringList out;
            for (int row = 0; row < completion.rowCount(); ++row)
                out << completion.index(row).data(MentionCompletion::UserRole).toString();
            return out;
        };

        completion.update(u"hey @"_s, 5);
        QVERIFY(completion.isActive());
        QCOMPARE(users(), (QStringList{u"beatrice"_s, u"carol"_s, u"Bob"_s})); // online first; not herself
        completion.update(u"hey @B"_s, 6);
        QCOMPARE(users(), (QStringList{u"beatrice"_s, u"Bob"_s}));
        QCOMPARE(completion.currentRow(), 0);
        completion.move(1);
        QCOMPARE(completion.currentRow(), 1);
        completion.move(1);
        QCOMPARE(completion.currentRow(), 0); // wraps
        completion.move(-1);
        QCOMPARE(completion.index(completion.currentRow()).data(MentionCompletion::OnlineRole).toBool(), false);
        const QVariantMap done = completion.complete(u"hey @B, and"_s, 6, completion.currentRow());
        QCOMPARE(done.value(u"text"_s).toString(), u"hey @Bob , and"_s);
        QCOMPARE(done.value(u"cursor"_s).toInt(), 9);
        QCOMPARE(completion.complete(u"hey @Bo"_s, 6, 1).value(u"text"_s).toString(), u"hey @Bob "_s); // the whole name

        completion.update(u"hey @bx"_s, 7);
        QVERIFY(!completion.isActive()); // nobody fits
        completion.update(u"mail x@b"_s, 8);
        QVERIFY(!completion.isActive()); // an address, not a mention

        // Esc closes it until another mention is started.
        completion.update(u"@c"_s, 2);
        QVERIFY(completion.isActive());
        // A text edit tells its new cursor before its new text: that half-step changes nothing.
        completion.update(u"@"_s, 2);
        QVERIFY(completion.isActive());
        completion.dismiss();
        QVERIFY(!completion.isActive());
        completion.update(u"@ca"_s, 3);
        QVERIFY(!completion.isActive());
        completion.update(u"@ca @"_s, 5);
        QVERIFY(completion.isActive());
        QVERIFY(active.size() >= 4);
    }

    void currentAndPeerPresence()
    {
        ChannelListModel model;
        QAbstractItemModelTester tester(&model, kReport);
        auto general = makeStore(u"general"_s);
        auto dm = makeStore(u"dm:alice:bob"_s, 0, u"bob"_s);
        model.add(general.get());
        model.add(dm.get());
        model.setCurrent(u"general"_s);
        QVERIFY(model.index(0).data(ChannelListModel::IsCurrentRole).toBool());
        model.setCurrent(u"dm:alice:bob"_s);
        QVERIFY(!model.index(0).data(ChannelListModel::IsCurrentRole).toBool());
        QVERIFY(model.index(1).data(ChannelListModel::IsCurrentRole).toBool());
        QVERIFY(!model.index(1).data(ChannelListModel::PeerOnlineRole).toBool());
        QVERIFY(!model.index(1).data(ChannelListModel::PeerPresenceKnownRole).toBool());
        model.setPeerOnline(u"Bob"_s, true);
        QVERIFY(model.index(1).data(ChannelListModel::PeerOnlineRole).toBool());
        QVERIFY(model.index(1).data(ChannelListModel::PeerPresenceKnownRole).toBool());
        // The link is down: not known, so not shown as online.
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.forgetPresence();
        QCOMPARE(changed.size(), 1);
        QVERIFY(!model.index(1).data(ChannelListModel::PeerOnlineRole).toBool());
        QVERIFY(!model.index(1).data(ChannelListModel::PeerPresenceKnownRole).toBool());
    }

    void membersOnlineFirst()
    {
        auto store = makeStore(u"general"_s);
        MemberModel &model = *store->memberModel();
        QAbstractItemModelTester tester(&model, kReport);
        store->setMembers({{u"zed"_s, true}, {u"bob"_s, false}, {u"alice"_s, true}});
        auto users = [&] {
            QStringList out;
            for (int row = 0; row < model.rowCount(); ++row)
                out << model.index(row).data(MemberModel::UserRole).toString();
            return out;
        };
        QCOMPARE(users(), (QStringList{u"alice"_s, u"zed"_s, u"bob"_s}));
        QVERIFY(model.index(0).data(MemberModel::IsSelfRole).toBool());
        QCOMPARE(model.onlineCount(), 2);
        store->setOnline(u"bob"_s, true);
        QVERIFY(model.index(2).data(MemberModel::OnlineRole).toBool());
        store->setMember(u"carol"_s, true);
        QCOMPARE(users(), (QStringList{u"alice"_s, u"carol"_s, u"zed"_s, u"bob"_s}));
        store->setMember(u"zed"_s, false);
        QCOMPARE(users(), (QStringList{u"alice"_s, u"carol"_s, u"bob"_s}));

        // Offline nobody's presence is known (issue 9, item 9).
        QVERIFY(model.presenceKnown());
        QSignalSpy known(&model, &MemberModel::presenceKnownChanged);
        store->forgetPresence();
        QCOMPARE(known.size(), 1);
        QVERIFY(!model.presenceKnown());
        QCOMPARE(model.onlineCount(), 0);
        for (int row = 0; row < model.rowCount(); ++row)
            QVERIFY(!model.index(row).data(MemberModel::OnlineRole).toBool());
        store->setMembers({{u"alice"_s, true}, {u"bob"_s, true}});
        QVERIFY(model.presenceKnown());
        QCOMPARE(known.size(), 2);
    }

    void directoryAndFilter()
    {
        DirectoryModel directory;
        QAbstractItemModelTester tester(&directory, kReport);
        directory.setEntries({{u"general"_s, 10}, {u"dev"_s, 3}, {u"devops"_s, 5}, {u"random"_s, 7}});
        QCOMPARE(directory.index(0).data(DirectoryModel::NameRole).toString(), u"general"_s);
        directory.setJoined({u"dev"_s});
        QVERIFY(!directory.index(0).data(DirectoryModel::JoinedRole).toBool());

        FilterModel filter;
        QAbstractItemModelTester filterTester(&filter, kReport);
        filter.setSourceModel(&directory);
        QCOMPARE(filter.count(), 4);
        filter.setText(u"OPS"_s);
        QCOMPARE(filter.count(), 1);
        QCOMPARE(filter.get(0, u"name"_s).toString(), u"devops"_s);
        filter.setText(u"d"_s);
        // Prefix matches first (devops, dev by source order), then "random".
        QCOMPARE(filter.count(), 3);
        QCOMPARE(filter.get(0, u"name"_s).toString(), u"devops"_s);
        QCOMPARE(filter.get(1, u"name"_s).toString(), u"dev"_s);
        QCOMPARE(filter.get(2, u"name"_s).toString(), u"random"_s);
        QCOMPARE(filter.sourceRow(2), 1); // the directory lists busiest first: general, random, devops, dev
        directory.setEntries({{u"x"_s, 1}});
        QCOMPARE(filter.count(), 0);
    }

    // What the browser offers to create, and what it finds, for what a person types.
    // A result reads as the timeline shows the message: its Markdown drawn as text (no "**"),
    // the matched words in bold; the raw text stays available (TextRole).
    void searchResultsShowTheTextAsRead()
    {
        SearchModel model([](const QString &channel) -> QString { return u"#"_s + channel; });
        QAbstractItemModelTester tester(&model, kReport);
        model.reset({u"nonce"_s});
        rill::protocol::Message found;
        found.id = u"100-0"_s;
        found.channel = u"general"_s;
        found.user = u"bob"_s;
        found.text = u"**same nonce**, see [the notes](https://example.com) and `a<b`"_s;
        found.ts = 100;
        model.append({found});
        QCOMPARE(model.rowCount(), 1);
        const QModelIndex row = model.index(0);
        QCOMPARE(row.data(SearchModel::StyledTextRole).toString(), u"same <b>nonce</b>, see the notes and a&lt;b"_s);
        QCOMPARE(row.data(SearchModel::TextRole).toString(), found.text);
        QCOMPARE(row.data(SearchModel::ChannelTitleRole).toString(), u"#general"_s);
    }

    void channelNamesAsTyped_data()
    {
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QString>("name");  // to create; empty: none
        QTest::addColumn<int>("matches");   // of general, dev, devops
        QTest::newRow("a name") << u"design"_s << u"design"_s << 0;
        QTest::newRow("as it is read") << u" #Dev "_s << u"dev"_s << 2;
        QTest::newRow("two words") << u"design team"_s << QString() << 0;
        QTest::newRow("too long") << QString(65, u'a') << QString() << 0;
        QTest::newRow("only a hash") << u"#"_s << QString() << 3;
    }

    void channelNamesAsTyped()
    {
        QFETCH(QString, typed);
        QFETCH(QString, name);
        QFETCH(int, matches);
        QCOMPARE(DirectoryModel::channelNameFor(typed), name);
        DirectoryModel directory;
        directory.setEntries({{u"general"_s, 10}, {u"dev"_s, 3}, {u"devops"_s, 5}});
        FilterModel filter;
        filter.setSourceModel(&directory);
        filter.setText(typed);
        QCOMPARE(filter.count(), matches);
    }
};

QTEST_GUILESS_MAIN(TestListModels)
#include "tst_listmodels.moc"
