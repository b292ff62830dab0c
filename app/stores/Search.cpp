#include "Search.h"

#include "models/SearchModel.h"
#include "protocol/Limits.h"
#include "protocol/Names.h"
#include "session/ClientSession.h"

#include <QPointer>

namespace rill::client {

namespace {
// Pages the server cut short to stay fast may be empty and still have more; a request for more
// follows them this many times before it waits for the list to ask again.
constexpr int kEmptyPagesFollowed = 8;
} // namespace

Search::Search(ClientSession *session, std::function<QString(const QString &)> titleOf, int pageSize, QObject *parent)
    : QObject(parent)
    , m_session(session)
    , m_pageSize(std::clamp(pageSize, 1, protocol::kMaxSearchLimit))
    , m_results(new SearchModel(std::move(titleOf), this))
{
    connect(m_results, &SearchModel::moreWanted, this, &Search::loadMore);
}

Search::~Search() = default;

void Search::run(const QString &query, const QString &channel)
{
    ++m_epoch;
    m_query = query.trimmed();
    m_channel = channel;
    m_next.clear();
    m_done = false;
    m_problem.clear();
    const QStringList words = protocol::searchWords(m_query);
    m_results->reset(words);
    // What the server would refuse is said at once, in words a person reads.
    if (words.isEmpty()) {
        finish(m_query.isEmpty() ? tr("Type what to look for") : tr("Search for words: “%1” has no letters or digits").arg(m_query));
        return;
    }
    if (words.size() > protocol::kMaxSearchWords) {
        finish(tr("Search for at most %1 words").arg(protocol::kMaxSearchWords));
        return;
    }
    protocol::SearchParams params;
    params.query = m_query;
    if (!channel.isEmpty())
        params.channel = channel;
    params.limit = m_pageSize;
    fetch(params, m_epoch);
}

void Search::loadMore()
{
    if (m_loading || m_next.isEmpty() || m_query.isEmpty())
        return;
    protocol::SearchParams params;
    params.query = m_query;
    if (!m_channel.isEmpty())
        params.channel = m_channel;
    params.before = m_next;
    params.limit = m_pageSize;
    fetch(params, m_epoch);
}

void Search::clear()
{
    ++m_epoch;
    m_query.clear();
    m_channel.clear();
    m_next.clear();
    m_results->reset({});
    finish({});
}

void Search::finish(const QString &problem)
{
    m_loading = false;
    m_done = !m_query.isEmpty() || !problem.isEmpty();
    m_problem = problem;
    m_results->setLoading(false);
    m_results->setMore(!m_next.isEmpty());
    Q_EMIT changed();
}

QCoro::Task<> Search::fetch(protocol::SearchParams params, quint64 epoch)
{
    QPointer<Search> self(this);
    m_loading = true;
    m_results->setLoading(true);
    Q_EMIT changed();
    for (int empty = 0;; ++empty) {
        const auto reply = co_await m_session->request(params);
        if (!self || self->m_epoch != epoch)
            co_return; // gone, or another search replaced this one
        if (!reply.ok) {
            self->m_next.clear();
            self->finish(reply.lost ? tr("Not connected: search again once the connection is back")
                                    : tr("Cannot search: %1").arg(reply.problemText()));
            co_return;
        }
        self->m_results->append(reply.result.messages);
        // A server without Rill's `next` pages by the last result's ID.
        const QString last = reply.result.messages.isEmpty() ? QString() : reply.result.messages.constLast().id;
        self->m_next = reply.result.more ? reply.result.next.value_or(last) : QString();
        if (self->m_next.isEmpty() || !reply.result.messages.isEmpty() || empty >= kEmptyPagesFollowed)
            break;
        params.before = self->m_next;
    }
    self->finish({});
}

} // namespace rill::client
