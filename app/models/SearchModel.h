#pragma once

#include "protocol/Objects.h"

#include <QAbstractListModel>
#include <QDate>
#include <QtQmlIntegration>

#include <functional>

namespace rill::client {

// The results of a search (newest first, as the server pages them) for a ListView: each with
// its channel, author, time and text, the words that matched in bold. The text reads as the
// timeline shows it, without its markup (MessageRenderer::plainText): a result is a line or
// three cut around its first match, where drawn Markdown (a code block, a list, a link that
// would take the row's click) does not fit and an excerpt could cut it in half. Scrolling to the end asks
// for the next page (canFetchMore/fetchMore, answered by Search).
class SearchModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("The workspace's search has the results")
    Q_PROPERTY(int count READ count NOTIFY countChanged)

public:
    enum Role {
        IdRole = Qt::UserRole + 1,
        ChannelRole,
        ChannelTitleRole, // "#general", or the peer of a DM
        AuthorRole,
        TextRole,         // the message's text as written
        StyledTextRole,   // an excerpt of the text as read, as StyledText, the matching words in bold
        TimestampRole,
        WhenRole,
    };
    Q_ENUM(Role)

    // `titleOf` names a channel for the reader ("#general", a DM's peer).
    explicit SearchModel(std::function<QString(const QString &)> titleOf, QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;
    [[nodiscard]] bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

    [[nodiscard]] int count() const { return rowCount(); }

    // A new search: no rows; its words are what the excerpts highlight.
    void reset(const QStringList &words);
    // A page of results, newest first, after those already shown.
    void append(const QList<protocol::Message> &messages);
    // Whether the server has more (fetchMore then asks for them).
    void setMore(bool more) { m_more = more; }
    // A page is on its way: no second one is asked for meanwhile.
    void setLoading(bool loading) { m_loading = loading; }

Q_SIGNALS:
    void countChanged();
    void moreWanted();

private:
    struct Row {
        QString id;
        QString channel;
        QString user;
        QString text;
        QString styled;
        qint64 ts = 0;
    };

    std::function<QString(const QString &)> m_titleOf;
    QList<Row> m_rows;
    QStringList m_words;
    bool m_more = false;
    bool m_loading = false;
};

} // namespace rill::client
