#pragma once

#include "protocol/Requests.h"

#include <QCoro/QCoroTask>
#include <QObject>
#include <QtQmlIntegration>

#include <functional>

namespace rill::client {

class ClientSession;
class SearchModel;

// Message search (revision 2's `search`): in one channel or in every channel the user is in.
// The results page in as the list scrolls (`before` = the server's `next`); a query the server
// would refuse (no words, too many) is said here, without asking it, and so is any error: in
// `problem`, for the panel to show.
class Search : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("The workspace has the search")
    Q_PROPERTY(QString query READ query NOTIFY changed)
    // The channel searched, "" for every channel.
    Q_PROPERTY(QString channel READ channel NOTIFY changed)
    Q_PROPERTY(rill::client::SearchModel *results READ results CONSTANT)
    Q_PROPERTY(bool loading READ isLoading NOTIFY changed)
    // Whether an answer came (so "no results" can be told from "not searched yet").
    Q_PROPERTY(bool done READ isDone NOTIFY changed)
    Q_PROPERTY(QString problem READ problem NOTIFY changed)

public:
    // `titleOf` names a channel for the reader (the results show it).
    Search(ClientSession *session, std::function<QString(const QString &)> titleOf, int pageSize, QObject *parent = nullptr);
    ~Search() override;

    [[nodiscard]] QString query() const { return m_query; }
    [[nodiscard]] QString channel() const { return m_channel; }
    [[nodiscard]] SearchModel *results() const { return m_results; }
    [[nodiscard]] bool isLoading() const { return m_loading; }
    [[nodiscard]] bool isDone() const { return m_done; }
    [[nodiscard]] QString problem() const { return m_problem; }

    // Searches `query` in `channel` ("" for every channel of the user), instead of whatever
    // was searched before.
    Q_INVOKABLE void run(const QString &query, const QString &channel);
    // The next page, when there is one.
    Q_INVOKABLE void loadMore();
    // Nothing searched (signed out, the panel closed).
    Q_INVOKABLE void clear();

Q_SIGNALS:
    void changed();

private:
    QCoro::Task<> fetch(protocol::SearchParams params, quint64 epoch);
    void finish(const QString &problem);

    ClientSession *m_session;
    int m_pageSize;
    SearchModel *m_results; // a child
    QString m_query;
    QString m_channel;
    QString m_next; // the `before` of the next page
    QString m_problem;
    bool m_loading = false;
    bool m_done = false;
    quint64 m_epoch = 0; // bumped by every run and clear: answers to older ones are dropped
};

} // namespace rill::client
