#pragma once

#include <QAbstractListModel>
#include <QCache>
#include <QDate>
#include <QTimer>
#include <QtQmlIntegration>

namespace rill::client {

class ChannelStore;
struct PendingSend;
struct StoredMessage;

// One channel's timeline for a ListView with verticalLayoutDirection: BottomToTop: row 0 is
// the newest (pending sends first), older rows follow, so scrollback appends rows at the end
// and the view never jumps. Grouping (author runs, day separators, the unread divider) is
// computed per row from the older neighbour, so the delegate has no logic.
class MessageModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Every channel has its message model")
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    // The row of the unread divider, or -1.
    Q_PROPERTY(int dividerRow READ dividerRow NOTIFY dividerRowChanged)

public:
    enum Role {
        IdRole = Qt::UserRole + 1,
        AuthorRole,
        TextRole,
        KindRole,
        IsNoticeRole,
        TimestampRole,
        TimeRole,
        WhenRole,
        DayRole,
        ShowDayRole,
        ShowAuthorRole,
        IsOwnRole,
        IsPendingRole,
        IsFailedRole,
        SendErrorRole,
        NonceRole,
        MentionsMeRole,
        ShowUnreadDividerRole,
        StyledTextRole, // MessageRenderer's StyledText, made when the message arrived
        ChannelRole,    // the store's channel: lets a view (or a test) check what it shows
        IsEditedRole,
        IsDeletedRole,
        ReactionsRole,  // [{emoji, count, users, mine}] in the server's order
        RepliesRole,    // a thread root's reply count
        ReplyToRole,    // the thread root a reply answers, "" for none
        ThreadExcerptRole, // a reply's root as one short plain line, "" when it is not loaded
    };
    Q_ENUM(Role)

    explicit MessageModel(ChannelStore *store);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;
    [[nodiscard]] bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

    [[nodiscard]] int count() const { return rowCount(); }
    [[nodiscard]] int dividerRow() const;
    // The row of a message ID or a pending nonce, or -1.
    Q_INVOKABLE int rowOf(const QString &idOrNonce) const;

    // For tests and the day rollover: pretend today is `day`.
    void setToday(const QDate &day);

Q_SIGNALS:
    void countChanged();
    void dividerRowChanged();

private:
    struct Entry {
        const StoredMessage *message = nullptr;
        const PendingSend *pending = nullptr;
        [[nodiscard]] explicit operator bool() const { return message || pending; }
    };
    [[nodiscard]] Entry entry(int row) const;
    [[nodiscard]] int pendingRows() const;
    [[nodiscard]] QVariantList reactions(const StoredMessage &message) const;
    // The message's text as StyledText, rendered when a row first asks for it.
    [[nodiscard]] QString styled(const StoredMessage &message) const;
    [[nodiscard]] QString replyTo(const Entry &e) const;
    [[nodiscard]] QString threadExcerpt(const QString &rootId) const;
    // A root's text changed or came into the store: its replies' excerpts follow.
    void touchExcerpts(qsizetype first, qsizetype count);
    [[nodiscard]] int messageRow(qsizetype index) const;
    [[nodiscard]] bool showAuthor(const Entry &e, const Entry &older) const;
    [[nodiscard]] qsizetype dividerIndex() const; // into the store's messages, or -1
    [[nodiscard]] QString dividerMessageId() const;
    void updateDivider();
    void touchRow(int row, const QList<int> &roles = {});
    void scheduleMidnight();

    ChannelStore *m_store;
    QDate m_today;
    QTimer m_midnight;
    // Rows are announced before the store changes, in terms of the old row count.
    qsizetype m_messagesBefore = 0;
    // The message the divider was last shown above, to tell its row when it moves.
    QString m_dividerId;
    // Rendered texts of the rows shown lately, by a hash of the ID, with the text they were
    // made from (an edit, or a hash shared by two IDs, makes them stale). Held messages keep no
    // rendered copy: at 100,000 of them that was 24 bytes each, and a second string for every
    // one with markup. A view shows a few dozen rows; scrolling back over recent ones is free.
    struct Rendered {
        QString source;
        QString styled;
    };
    mutable QCache<size_t, Rendered> m_rendered{2048};
};

} // namespace rill::client
