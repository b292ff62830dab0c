// The message model over a channel store, without a server: the store is filled directly,
// and history pages come from an in-memory log (a fake data source for a pure model test).
#include "models/MessageModel.h"
#include "stores/ChannelStore.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace rill::client;
using namespace Qt::StringLiterals;
using rill::protocol::ChannelInfo;
using rill::protocol::Message;
using rill::protocol::MessageKind;

namespace {

const qint64 kBase = QDateTime(QDate(2024, 5, 6), QTime(9, 0)).toMSecsSinceEpoch();

Message makeMessage(int n, const QString &user = u"bob"_s, qint64 ts = -1, MessageKind kind = MessageKind::Message)
{
    Message m;
    const qint64 when = ts >= 0 ? ts : kBase + n * 1000;
    m.id = QString::number(when) + u"-"_s + QString::number(n);
    m.channel = u"general"_s;
    m.kind = kind;
    m.user = user;
    m.text = kind == MessageKind::Message ? u"message %1"_s.arg(n) : QString();
    m.ts = when;
    return m;
}

ChannelInfo info(const QString &lastId = u"1-0"_s, const QString &lastRead = {}, qint64 unread = 0)
{
    ChannelInfo c;
    c.name = u"general"_s;
    c.members = 2;
    c.lastId = lastId;
    c.lastRead = lastRead;
    c.unread = unread;
    return c;
}

// Serves olderWanted() from `log` the way the workspace serves it from the server.
void serveFrom(ChannelStore &store, const QList<Message> &log, int pageSize)
{
    QObject::connect(&store, &ChannelStore::olderWanted, &store, [&store, log, pageSize] {
        qsizetype end = log.size();
        if (store.isLoaded() && !store.messages().isEmpty()) {
            end = 0;
            while (end < log.size() && log[end].id != store.oldestId())
                ++end;
        }
        const qsizetype begin = std::max<qsizetype>(0, end - pageSize);
        store.addOlderPage(log.mid(begin, end - begin), begin > 0);
    });
}

QString textAt(const MessageModel &model, int row)
{
    return model.index(row).data(MessageModel::TextRole).toString();
}

} // namespace

class TestMessageModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void newestIsRowZero()
    {
        ChannelStore store(info(), u"alice"_s);
        MessageModel &model = *store.messageModel();
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        store.merge({makeMessage(1), makeMessage(2), makeMessage(3)});
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(textAt(model, 0), u"message 3"_s);
        QCOMPARE(textAt(model, 2), u"message 1"_s);
    }

    void insertsAtBothEndsAndInBetween()
    {
        ChannelStore store(info(), u"alice"_s);
        MessageModel &model = *store.messageModel();
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

        store.merge({makeMessage(10), makeMessage(11)});
        store.merge({makeMessage(12)});                   // live: row 0
        store.merge({makeMessage(5), makeMessage(6)});    // older page: the last rows
        store.merge({makeMessage(8), makeMessage(13)});   // a gap filled and a new one
        QCOMPARE(inserted.size(), 5);
        QStringList texts;
        for (int row = 0; row < model.rowCount(); ++row)
            texts << textAt(model, row);
        QCOMPARE(texts, (QStringList{u"message 13"_s, u"message 12"_s, u"message 11"_s, u"message 10"_s,
                                     u"message 8"_s, u"message 6"_s, u"message 5"_s}));
    }

    void duplicatesAreIgnored()
    {
        ChannelStore store(info(makeMessage(2).id, makeMessage(2).id), u"alice"_s);
        QAbstractItemModelTester tester(store.messageModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(store.merge({makeMessage(1), makeMessage(2), makeMessage(1)}), 2);
        QCOMPARE(store.merge({makeMessage(2), makeMessage(1)}), 0);
        QVERIFY(!store.addLive(makeMessage(2), true));
        QCOMPARE(store.messageModel()->rowCount(), 2);
        QCOMPARE(store.unread(), 0);
    }

    void pendingSendBecomesTheConfirmedMessage()
    {
        ChannelStore store(info(), u"alice"_s);
        MessageModel &model = *store.messageModel();
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        store.merge({makeMessage(1)});
        const QString nonce = store.addPending(u"hello"_s);
        QCOMPARE(model.rowCount(), 2);
        QVERIFY(model.index(0).data(MessageModel::IsPendingRole).toBool());
        QCOMPARE(textAt(model, 0), u"hello"_s);
        QCOMPARE(model.index(0).data(MessageModel::AuthorRole).toString(), u"alice"_s);

        store.setPendingState(nonce, PendingSend::State::Failed, u"not_member"_s);
        QVERIFY(model.index(0).data(MessageModel::IsFailedRole).toBool());
        QCOMPARE(model.index(0).data(MessageModel::SendErrorRole).toString(), u"not_member"_s);

        Message confirmed = makeMessage(2, u"alice"_s);
        confirmed.text = u"hello"_s;
        confirmed.nonce = nonce;
        QVERIFY(store.confirm(confirmed));
        QVERIFY(!store.confirm(confirmed)); // the second confirmation (event after reply) is a no-op
        QCOMPARE(model.rowCount(), 2);
        QVERIFY(!model.index(0).data(MessageModel::IsPendingRole).toBool());
        QCOMPARE(model.index(0).data(MessageModel::IdRole).toString(), confirmed.id);
        QVERIFY(store.pending().isEmpty());
    }

    void pendingRowsStayNewestWhileOthersArrive()
    {
        ChannelStore store(info(), u"alice"_s);
        MessageModel &model = *store.messageModel();
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        store.addPending(u"first"_s);
        store.addPending(u"second"_s);
        store.addLive(makeMessage(1), true);
        QCOMPARE(textAt(model, 0), u"second"_s);
        QCOMPARE(textAt(model, 1), u"first"_s);
        QCOMPARE(textAt(model, 2), u"message 1"_s);
        store.discardPending(store.pending().constFirst().nonce);
        QCOMPARE(textAt(model, 0), u"second"_s);
        QCOMPARE(model.rowCount(), 2);
    }

    void resetReplacesEverything()
    {
        ChannelStore store(info(), u"alice"_s);
        MessageModel &model = *store.messageModel();
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        store.merge({makeMessage(1), makeMessage(2)});
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        store.resetToNewest({makeMessage(50), makeMessage(51), makeMessage(52)}, true);
        QCOMPARE(reset.size(), 1);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(textAt(model, 2), u"message 50"_s);
        QVERIFY(!store.isAtStart()); // (the tester itself asks for the older page at once)
    }

    void grouping_data()
    {
        QTest::addColumn<QList<Message>>("log");
        QTest::addColumn<QList<bool>>("showAuthor"); // row 0 (newest) first
        QTest::addColumn<QList<bool>>("showDay");

        QTest::newRow("one author, close together") << QList<Message>{makeMessage(1), makeMessage(2), makeMessage(3)}
                                                    << QList<bool>{false, false, true} << QList<bool>{false, false, true};
        QTest::newRow("authors alternate") << QList<Message>{makeMessage(1, u"bob"_s), makeMessage(2, u"carol"_s)}
                                           << QList<bool>{true, true} << QList<bool>{false, true};
        QTest::newRow("ten minutes apart") << QList<Message>{makeMessage(1, u"bob"_s, kBase), makeMessage(2, u"bob"_s, kBase + 600000)}
                                           << QList<bool>{true, true} << QList<bool>{false, true};
        QTest::newRow("next day") << QList<Message>{makeMessage(1, u"bob"_s, kBase), makeMessage(2, u"bob"_s, kBase + 86400000)}
                                  << QList<bool>{true, true} << QList<bool>{true, true};
        QTest::newRow("after a join notice") << QList<Message>{makeMessage(1, u"bob"_s, -1, MessageKind::Join), makeMessage(2)}
                                             << QList<bool>{true, false} << QList<bool>{false, true};
    }

    void grouping()
    {
        QFETCH(QList<Message>, log);
        QFETCH(QList<bool>, showAuthor);
        QFETCH(QList<bool>, showDay);
        ChannelStore store(info(), u"alice"_s);
        store.merge(log);
        const MessageModel &model = *store.messageModel();
        for (int row = 0; row < model.rowCount(); ++row) {
            QCOMPARE(model.index(row).data(MessageModel::ShowAuthorRole).toBool(), showAuthor[row]);
            QCOMPARE(model.index(row).data(MessageModel::ShowDayRole).toBool(), showDay[row]);
        }
    }

    void insertingBelowRegroupsTheRowAbove()
    {
        ChannelStore store(info(), u"alice"_s);
        MessageModel &model = *store.messageModel();
        store.merge({makeMessage(5)});
        QVERIFY(model.index(0).data(MessageModel::ShowAuthorRole).toBool());
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        store.merge({makeMessage(4)}); // older, same author: row 0 no longer starts a run
        QVERIFY(!changed.isEmpty());
        QCOMPARE(changed.constLast().at(0).value<QModelIndex>().row(), 0);
        QVERIFY(!model.index(0).data(MessageModel::ShowAuthorRole).toBool());
    }

    void noticesAndMentions()
    {
        ChannelStore store(info(), u"alice"_s);
        Message mention = makeMessage(2);
        mention.text = u"ping @alice, have a look"_s;
        Message notMention = makeMessage(3);
        notMention.text = u"malice aforethought"_s;
        // Issue 9: a bare name is not a mention; a mention is "@name" (protocol::mentions).
        Message bareName = makeMessage(4);
        bareName.text = u"Hi Alice, welcome"_s;
        store.merge({makeMessage(1, u"carol"_s, -1, MessageKind::Join), mention, notMention, bareName});
        const MessageModel &model = *store.messageModel();
        QVERIFY(model.index(3).data(MessageModel::IsNoticeRole).toBool());
        QCOMPARE(model.index(3).data(MessageModel::KindRole).toString(), u"join"_s);
        QVERIFY(model.index(2).data(MessageModel::MentionsMeRole).toBool());
        QVERIFY(!model.index(1).data(MessageModel::MentionsMeRole).toBool());
        QVERIFY(!model.index(0).data(MessageModel::MentionsMeRole).toBool());
    }

    void unreadDividerSitsAtTheMarker()
    {
        const QList<Message> log{makeMessage(1), makeMessage(2), makeMessage(3), makeMessage(4)};
        ChannelStore store(info(log[3].id, log[1].id, 2), u"alice"_s);
        MessageModel &model = *store.messageModel();
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        store.merge(log);
        QCOMPARE(model.dividerRow(), 1); // message 3, the first after the marker
        QVERIFY(model.index(1).data(MessageModel::ShowUnreadDividerRole).toBool());
        QVERIFY(!model.index(0).data(MessageModel::ShowUnreadDividerRole).toBool());

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        store.setDividerAfter(log[3].id);
        QCOMPARE(model.dividerRow(), -1);
        QVERIFY(!model.index(1).data(MessageModel::ShowUnreadDividerRole).toBool());
        QVERIFY(!changed.isEmpty());
    }

    // Issue 9, item 7: the divider marks others' messages since the marker, never mine.
    void unreadDividerSkipsOwnMessages()
    {
        const QList<Message> log{makeMessage(1), makeMessage(2), makeMessage(3, u"alice"_s), makeMessage(4, u"Alice"_s),
                                 makeMessage(5), makeMessage(6)};
        ChannelStore store(info(log[5].id, log[1].id, 2), u"alice"_s);
        MessageModel &model = *store.messageModel();
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        store.merge(log.mid(0, 4));
        // Only my messages after the marker: no divider at all.
        QCOMPARE(model.dividerRow(), -1);
        for (int row = 0; row < model.rowCount(); ++row)
            QVERIFY(!model.index(row).data(MessageModel::ShowUnreadDividerRole).toBool());

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        store.merge(log.mid(4)); // Bob's 5 and 6 arrive
        QCOMPARE(model.dividerRow(), 1); // above message 5, not above my 3
        QVERIFY(model.index(1).data(MessageModel::ShowUnreadDividerRole).toBool());
        QVERIFY(!model.index(3).data(MessageModel::ShowUnreadDividerRole).toBool());
        QVERIFY(!model.index(2).data(MessageModel::ShowUnreadDividerRole).toBool());
    }

    // Issue 9, item 7: reading moves with my own sends, and the divider with it.
    void ownSendMovesTheDivider()
    {
        const QList<Message> log{makeMessage(1), makeMessage(2), makeMessage(3)};
        ChannelStore store(info(log[2].id, log[0].id, 2), u"alice"_s);
        MessageModel &model = *store.messageModel();
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        store.merge(log);
        QCOMPARE(model.dividerRow(), 1); // above Bob's 2

        const QString nonce = store.addPending(u"my answer"_s);
        QCOMPARE(model.dividerRow(), 2); // the pending row is row 0 now
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        Message mine = makeMessage(4, u"alice"_s);
        mine.text = u"my answer"_s;
        mine.nonce = nonce;
        QVERIFY(store.confirm(mine));
        QCOMPARE(store.lastRead(), mine.id);
        QCOMPARE(store.dividerAfter(), mine.id);
        QCOMPARE(model.dividerRow(), -1);
        for (int row = 0; row < model.rowCount(); ++row)
            QVERIFY(!model.index(row).data(MessageModel::ShowUnreadDividerRole).toBool());
        // The row that showed it was told.
        const bool told = std::any_of(changed.cbegin(), changed.cend(), [](const QList<QVariant> &args) {
            return args.at(0).value<QModelIndex>().row() <= 2 && args.at(1).value<QModelIndex>().row() >= 2;
        });
        QVERIFY(told);
    }

    void readMarkerRecountsUnread()
    {
        const QList<Message> log{makeMessage(1), makeMessage(2, u"alice"_s), makeMessage(3), makeMessage(4)};
        ChannelStore store(info(log[3].id, log[0].id, 2), u"alice"_s);
        store.addOlderPage(log, false);
        QSignalSpy summary(&store, &ChannelStore::summaryChanged);
        QVERIFY(store.applyRead(log[2].id));
        QCOMPARE(store.unread(), 1);    // message 4; message 2 is alice's own
        QVERIFY(!store.applyRead(log[1].id)); // never backwards
        QCOMPARE(store.unread(), 1);
        QVERIFY(store.applyRead(log[3].id));
        QCOMPARE(store.unread(), 0);
        QCOMPARE(summary.size(), 2);
        QVERIFY(store.addLive(makeMessage(5), true));
        QCOMPARE(store.unread(), 1);
        QVERIFY(store.addLive(makeMessage(6), false)); // seen as it arrived
        QCOMPARE(store.unread(), 1);
        store.merge({makeMessage(7)}); // a page that beat the live event: still unread
        QCOMPARE(store.unread(), 2);
        QVERIFY(!store.addLive(makeMessage(7), true)); // and the event then counts nothing
        QCOMPARE(store.unread(), 2);
    }

    void fetchMorePagesBackToTheStart()
    {
        QList<Message> log;
        for (int n = 1; n <= 95; ++n)
            log.append(makeMessage(n));
        ChannelStore store(info(log.constLast().id), u"alice"_s);
        MessageModel &model = *store.messageModel();
        serveFrom(store, log, 20);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        // The tester calls fetchMore itself as it checks the model; pages must add up all the same.
        while (model.canFetchMore({}))
            model.fetchMore({});
        QCOMPARE(model.rowCount(), 95);
        QVERIFY(store.isAtStart());
        for (int row = 0; row < model.rowCount(); ++row)
            QCOMPARE(textAt(model, row), u"message %1"_s.arg(95 - row));
    }

    // A long channel paged all the way back: every message once, in order.
    void hundredThousandMessages()
    {
        QList<Message> log;
        log.reserve(100000);
        for (int n = 1; n <= 100000; ++n)
            log.append(makeMessage(n));
        ChannelStore store(info(log.constLast().id), u"alice"_s);
        MessageModel &model = *store.messageModel();
        serveFrom(store, log, 100);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        while (model.canFetchMore({}))
            model.fetchMore({});
        QCOMPARE(inserted.size(), 1000); // one insert per page, not per message
        QCOMPARE(model.rowCount(), 100000);
        QCOMPARE(textAt(model, 0), u"message 100000"_s);
        QCOMPARE(textAt(model, 99999), u"message 1"_s);
        QCOMPARE(model.rowOf(log[41].id), 100000 - 42);
        for (qsizetype i = 1; i < store.messages().size(); ++i)
            QVERIFY(store.messages()[i - 1].id < store.messages()[i].id);
    }

    // Issue 9: a loaded message costs about 100 bytes beyond its text. Its name is shared
    // with the author's other messages, and a message without markup keeps one string for
    // its text and its styled form.
    void storedMessagesAreSlim()
    {
        QVERIFY(sizeof(StoredMessage) <= 72);
        ChannelStore store(info(), u"alice"_s);
        QList<Message> log;
        for (int n = 1; n <= 3; ++n) {
            log.append(makeMessage(n));
            log.last().user = QString::fromUtf8("bob"); // a string of its own, as from JSON
            log.last().nonce = QString::number(n);
        }
        log[2].text = u"**bold**"_s;
        store.merge(log);
        const auto &kept = store.messages();
        QCOMPARE(kept.size(), 3);
        QCOMPARE(kept[0].user.constData(), kept[1].user.constData());
        QCOMPARE(kept[2].user.constData(), kept[1].user.constData());
        QCOMPARE(kept[1].ts(), log[1].ts);
        QCOMPARE(kept[1].idString(), log[1].id);
        QCOMPARE(store.messageModel()->index(0).data(MessageModel::StyledTextRole).toString(), u"<b>bold</b>"_s);
        QCOMPARE(store.messageModel()->index(1).data(MessageModel::StyledTextRole).toString(), u"message 2"_s);
    }

    // Scrolled far back and returned to the newest end, a channel lets go of what is far off
    // screen; scrolling up loads it again, each message once and in order.
    void releasedHistoryLoadsAgain()
    {
        QList<Message> log;
        for (int n = 1; n <= 300; ++n)
            log.append(makeMessage(n));
        ChannelStore store(info(log.constLast().id), u"alice"_s);
        MessageModel &model = *store.messageModel();
        serveFrom(store, log, 50);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        while (model.canFetchMore({}))
            model.fetchMore({});
        QCOMPARE(model.rowCount(), 300);
        QVERIFY(store.isAtStart());

        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QCOMPARE(store.releaseOlder(100), 200);
        QCOMPARE(removed.size(), 1);
        QCOMPARE(removed[0][1].toInt(), 100);
        QCOMPARE(removed[0][2].toInt(), 299);
        QCOMPARE(model.rowCount(), 100);
        QCOMPARE(textAt(model, 99), u"message 201"_s);
        QVERIFY(model.index(99).data(MessageModel::ShowDayRole).toBool()); // the oldest row left
        QVERIFY(!store.isAtStart());
        QCOMPARE(store.releaseOlder(100), 0);

        QVERIFY(model.canFetchMore({}));
        while (model.canFetchMore({}))
            model.fetchMore({});
        QCOMPARE(model.rowCount(), 300);
        for (int row = 0; row < model.rowCount(); ++row)
            QCOMPARE(textAt(model, row), u"message %1"_s.arg(300 - row));
    }

    void viewsReleaseOnlyFarHistory()
    {
        QList<Message> log;
        for (int n = 1; n <= int(ChannelStore::kReleaseAbove); ++n)
            log.append(makeMessage(n));
        ChannelStore store(info(log.constLast().id), u"alice"_s);
        store.addOlderPage(log, true);
        store.releaseFarHistory();
        QCOMPARE(store.messages().size(), ChannelStore::kReleaseAbove); // not beyond the threshold yet
        store.addLive(makeMessage(int(ChannelStore::kReleaseAbove) + 1), false);
        store.releaseFarHistory();
        QCOMPARE(store.messages().size(), ChannelStore::kKeepWhenReleasing);
        QCOMPARE(store.newestId(), makeMessage(int(ChannelStore::kReleaseAbove) + 1).id);
    }

    void fetchMoreIsNotRepeatedWhileAPageIsOnItsWay()
    {
        ChannelStore store(info(u"5-0"_s), u"alice"_s);
        QSignalSpy wanted(&store, &ChannelStore::olderWanted);
        store.messageModel()->fetchMore({});
        store.messageModel()->fetchMore({});
        QCOMPARE(wanted.size(), 1);
        QVERIFY(!store.messageModel()->canFetchMore({}));
        store.olderFailed();
        QVERIFY(store.messageModel()->canFetchMore({}));
    }

    void emptyChannelHasNothingToFetch()
    {
        ChannelStore store(info(QString()), u"alice"_s);
        QVERIFY(!store.messageModel()->canFetchMore({}));
    }

    // Revision 2: an `update` replaces the message's state in place: one dataChanged for its
    // row, never a reset, an insert or a removal.
    void updateChangesOnlyItsRow_data()
    {
        QTest::addColumn<Message>("current");
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("edited");
        QTest::addColumn<bool>("deleted");
        QTest::addColumn<int>("reactionCount");
        QTest::addColumn<int>("replies");

        Message edited = makeMessage(2);
        edited.text = u"message 2, **fixed**"_s;
        edited.edited = kBase + 60000;
        QTest::newRow("edited") << edited << u"message 2, **fixed**"_s << true << false << 0 << 0;

        Message reacted = makeMessage(2);
        reacted.reactions = {{u"👍"_s, {u"alice"_s, u"carol"_s}}, {u"🎉"_s, {u"carol"_s}}};
        QTest::newRow("reacted") << reacted << u"message 2"_s << false << false << 2 << 0;

        Message root = makeMessage(2);
        root.replies = 3;
        root.lastReplyTs = kBase + 90000;
        QTest::newRow("replied to") << root << u"message 2"_s << false << false << 0 << 3;

        Message deleted = makeMessage(2);
        deleted.text.clear();
        deleted.deleted = true;
        deleted.replies = 1; // its thread stays
        QTest::newRow("deleted") << deleted << QString() << false << true << 0 << 1;
    }

    void updateChangesOnlyItsRow()
    {
        QFETCH(Message, current);
        QFETCH(QString, text);
        QFETCH(bool, edited);
        QFETCH(bool, deleted);
        QFETCH(int, reactionCount);
        QFETCH(int, replies);

        ChannelStore store(info(), u"alice"_s);
        MessageModel &model = *store.messageModel();
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        Message withReaction = makeMessage(2);
        withReaction.reactions = {{u"👀"_s, {u"bob"_s}}}; // what it had before: replaced, not added to
        store.merge({makeMessage(1), withReaction, makeMessage(3)});
        QCOMPARE(model.index(1).data(MessageModel::ReactionsRole).toList().size(), 1);

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QVERIFY(store.applyUpdate(current));
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed[0][0].toModelIndex().row(), 1);
        QCOMPARE(changed[0][1].toModelIndex().row(), 1);
        const auto roles = changed[0][2].value<QList<int>>();
        QVERIFY(roles.contains(MessageModel::TextRole) && roles.contains(MessageModel::ReactionsRole));
        QCOMPARE(reset.size() + inserted.size() + removed.size(), 0);

        const QModelIndex row = model.index(1);
        QCOMPARE(row.data(MessageModel::TextRole).toString(), text);
        QCOMPARE(row.data(MessageModel::IsEditedRole).toBool(), edited);
        QCOMPARE(row.data(MessageModel::IsDeletedRole).toBool(), deleted);
        QCOMPARE(row.data(MessageModel::ReactionsRole).toList().size(), reactionCount);
        QCOMPARE(row.data(MessageModel::RepliesRole).toInt(), replies);
        QCOMPARE(row.data(MessageModel::IdRole).toString(), makeMessage(2).id);
        QCOMPARE(model.rowCount(), 3);
        // The neighbours are untouched.
        QCOMPARE(textAt(model, 0), u"message 3"_s);
        QVERIFY(!model.index(0).data(MessageModel::IsEditedRole).toBool());
        QCOMPARE(model.index(0).data(MessageModel::ReactionsRole).toList().size(), 0);

        // The same state again, or a message that is not loaded, changes nothing.
        QVERIFY(!store.applyUpdate(current));
        Message elsewhere = current;
        elsewhere.id = makeMessage(7).id;
        QVERIFY(!store.applyUpdate(elsewhere));
        elsewhere = current;
        elsewhere.channel = u"random"_s;
        QVERIFY(!store.applyUpdate(elsewhere));
        QCOMPARE(changed.size(), 1);
    }

    void reactionChipsSayWhoAndWhetherMine()
    {
        ChannelStore store(info(), u"Alice"_s);
        MessageModel &model = *store.messageModel();
        Message m = makeMessage(1);
        m.reactions = {{u"👍"_s, {u"bob"_s, u"alice"_s}}, {u"🎉"_s, {u"carol"_s}}};
        store.merge({m});
        const QVariantList chips = model.index(0).data(MessageModel::ReactionsRole).toList();
        QCOMPARE(chips.size(), 2);
        const QVariantMap thumbs = chips[0].toMap();
        QCOMPARE(thumbs.value(u"emoji"_s).toString(), u"👍"_s);
        QCOMPARE(thumbs.value(u"count"_s).toInt(), 2);
        QCOMPARE(thumbs.value(u"users"_s).toStringList(), (QStringList{u"bob"_s, u"alice"_s}));
        QVERIFY(thumbs.value(u"mine"_s).toBool()); // names compare case-insensitively
        QVERIFY(!chips[1].toMap().value(u"mine"_s).toBool());
        QVERIFY(store.hasReacted(0, u"👍"_s));
        QVERIFY(!store.hasReacted(0, u"🎉"_s));
    }

    // A history page carries each message's current state: one already held is brought up to
    // date in place (edits made while this client was away), not duplicated.
    // A reply in the timeline says which thread it is in: its root's first words, which
    // follow an edit or deletion of the root (that reply's row changes, no other), and a
    // generic line while the root is not loaded.
    void replyShowsItsRootsExcerpt()
    {
        ChannelStore store(info(), u"alice"_s);
        MessageModel &model = *store.messageModel();
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        Message root = makeMessage(1);
        root.text = u"Where   do we\nmeet? "_s + QString(100, u'x');
        root.replies = 1;
        Message reply = makeMessage(2);
        reply.replyTo = root.id;
        store.merge({reply, makeMessage(3)});
        QCOMPARE(model.index(1).data(MessageModel::ReplyToRole).toString(), root.id);
        QCOMPARE(model.index(1).data(MessageModel::ThreadExcerptRole).toString(), QString()); // root not loaded
        QCOMPARE(model.index(0).data(MessageModel::ReplyToRole).toString(), QString());

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        store.merge({root}); // scrolled back to it
        const QString excerpt = model.index(1).data(MessageModel::ThreadExcerptRole).toString();
        QVERIFY(excerpt.startsWith(u"Where do we meet? xxx"_s));
        QCOMPARE(excerpt.size(), 80);
        QVERIFY(excerpt.endsWith(u'…'));
        QVERIFY(std::any_of(changed.cbegin(), changed.cend(), [](const QList<QVariant> &args) {
            return args[0].toModelIndex().row() == 1 && args[2].value<QList<int>>().contains(MessageModel::ThreadExcerptRole);
        }));

        changed.clear();
        root.text = u"Meet at noon"_s;
        root.edited = root.ts + 1000;
        QVERIFY(store.applyUpdate(root));
        QCOMPARE(model.index(1).data(MessageModel::ThreadExcerptRole).toString(), u"Meet at noon"_s);
        QCOMPARE(changed.size(), 2); // the root's row, and its reply's excerpt
        QCOMPARE(changed[1][0].toModelIndex().row(), 1);
        QCOMPARE(changed[1][2].value<QList<int>>(), QList<int>{MessageModel::ThreadExcerptRole});

        root.text.clear();
        root.deleted = true;
        QVERIFY(store.applyUpdate(root));
        QCOMPARE(model.index(1).data(MessageModel::ThreadExcerptRole).toString(), u"message deleted"_s);
    }

    void pagesRefreshWhatIsHeld()
    {
        ChannelStore store(info(), u"alice"_s);
        MessageModel &model = *store.messageModel();
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        store.merge({makeMessage(1), makeMessage(2)});
        Message edited = makeMessage(1);
        edited.text = u"better"_s;
        edited.edited = kBase + 5000;
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QCOMPARE(store.merge({edited, makeMessage(2), makeMessage(3)}), 1);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(textAt(model, 2), u"better"_s);
        QVERIFY(model.index(2).data(MessageModel::IsEditedRole).toBool());
        // Refreshed before the new message went in above it: then it was row 1.
        QVERIFY(std::any_of(changed.cbegin(), changed.cend(), [](const QList<QVariant> &args) {
            return args[0].toModelIndex().row() == 1 && args[2].value<QList<int>>().contains(MessageModel::TextRole);
        }));
    }

    void lastEditableIsTheNewestOwnLiveMessage()
    {
        ChannelStore store(info(), u"alice"_s);
        QVERIFY(store.lastEditableId().isEmpty());
        Message gone = makeMessage(3, u"alice"_s);
        gone.deleted = true;
        gone.text.clear();
        store.merge({makeMessage(1, u"alice"_s), makeMessage(2, u"bob"_s), gone,
                     makeMessage(4, u"alice"_s, -1, MessageKind::Part), makeMessage(5, u"bob"_s)});
        QCOMPARE(store.lastEditableId(), makeMessage(1).id);
        QCOMPARE(store.textOf(makeMessage(1).id), u"message 1"_s);
        QVERIFY(store.textOf(u"1-99"_s).isEmpty());
    }

    // The local cache keeps a deleted message as an empty text: restored, it is still the
    // quiet "deleted" line, not an empty message.
    void restoredEmptyTextIsADeletion()
    {
        ChannelStore store(info(), u"alice"_s);
        StoredMessage kept;
        kept.id = *rill::protocol::StreamId::parse(makeMessage(1).id);
        kept.user = u"bob"_s;
        StoredMessage gone = kept;
        gone.id = *rill::protocol::StreamId::parse(makeMessage(2).id);
        kept.text = u"still here"_s;
        StoredMessage joined = gone;
        joined.id = *rill::protocol::StreamId::parse(makeMessage(3).id);
        joined.kind = MessageKind::Join;
        store.restore({kept, gone, joined}, true);
        const MessageModel &model = *store.messageModel();
        QVERIFY(!model.index(2).data(MessageModel::IsDeletedRole).toBool());
        QVERIFY(model.index(1).data(MessageModel::IsDeletedRole).toBool());
        QVERIFY(!model.index(0).data(MessageModel::IsDeletedRole).toBool()); // a join has no text anyway
    }

    void topicFromSnapshotAndEvents()
    {
        ChannelInfo withTopic = info();
        withTopic.topic = u"Plans"_s;
        ChannelStore store(withTopic, u"alice"_s);
        QCOMPARE(store.topic(), u"Plans"_s);
        QSignalSpy changed(&store, &ChannelStore::topicChanged);
        store.setTopic(u"Plans"_s);
        QCOMPARE(changed.size(), 0);
        store.setTopic(u"Launch on Friday"_s);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(store.topic(), u"Launch on Friday"_s);
        // A snapshot from a server that says nothing of topics leaves it; one that does, sets it.
        store.applyInfo(info());
        QCOMPARE(store.topic(), u"Launch on Friday"_s);
        store.applyInfo(withTopic);
        QCOMPARE(store.topic(), u"Plans"_s);
        QCOMPARE(changed.size(), 2);
    }

    // The side table of reactions and thread counts goes with the messages it belongs to.
    void releasingHistoryForgetsItsExtras()
    {
        ChannelStore store(info(), u"alice"_s);
        QList<Message> log;
        for (int n = 1; n <= 10; ++n) {
            log.append(makeMessage(n));
            log.last().replies = n;
        }
        store.merge(log);
        QVERIFY(store.extras(store.messages().first().id));
        const auto oldest = store.messages().first().id;
        QCOMPARE(store.releaseOlder(4), 6);
        QVERIFY(!store.extras(oldest));
        QCOMPARE(store.extras(store.messages().first().id)->replies, 7);
    }

    void typingExpires()
    {
        ChannelStore store(info(), u"alice"_s);
        store.setTypingLifetime(std::chrono::milliseconds(200));
        QSignalSpy typing(&store, &ChannelStore::typingChanged);
        store.noteTyping(u"alice"_s); // one's own typing is never shown
        QVERIFY(store.typingText().isEmpty());
        store.noteTyping(u"bob"_s);
        QCOMPARE(store.typingText(), u"bob is typing…"_s);
        store.addLive(makeMessage(1, u"bob"_s), true); // the message ends the typing
        QVERIFY(store.typingText().isEmpty());
        store.noteTyping(u"carol"_s);
        QCOMPARE(store.typingText(), u"carol is typing…"_s);
        QTRY_VERIFY(store.typingText().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestMessageModel)
#include "tst_messagemodel.moc"
