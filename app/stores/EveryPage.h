#pragma once

#include "session/ClientSession.h"

#include <QPointer>

namespace rill::client {

// Lists the server answers a page at a time (`channels`, `members`: Rill's addition) are read
// whole, following `next`, up to this many entries: past it a list is too long to show in one
// piece anyway, and the app must not grow without bound because a server's lists do.
inline constexpr int kMaxListed = 10000;

// The whole list of a paged op as one reply: every page's `items` in order, or the first
// failure (a page lost or refused). `params.page` sets the page size.
template<typename Params, typename Item>
QCoro::Task<TypedReply<typename Params::Reply>> requestEveryPage(ClientSession *session, Params params,
                                                                 QList<Item> Params::Reply::*items)
{
    const QPointer<ClientSession> alive(session);
    auto all = co_await session->request(params);
    while (alive && all.ok && all.result.next && (all.result.*items).size() < kMaxListed) {
        params.page.cursor = all.result.next;
        auto page = co_await session->request(params);
        if (!page.ok)
            co_return page;
        all.result.*items += page.result.*items;
        all.result.next = page.result.next;
    }
    co_return all;
}

} // namespace rill::client
