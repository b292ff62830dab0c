#pragma once

#include "codec/Reply.h"
#include "models/DirectoryModel.h"
#include "protocol/Objects.h"

#include <QCoro/QCoroTask>
#include <QList>
#include <QString>

#include <optional>

namespace rill::client {

class Session;
struct Member;

// The stores' requests to the server, typed: the one place in the stores that writes request
// parameters and reads results, so that the wire format stays out of the logic (and a typed
// protocol layer can replace this file alone). Each function takes what it needs by value and
// does not touch the session after its reply: the caller checks that it is still there.
namespace requests {

// What a request answered (ok, an error, or lost) and, when ok, its result.
template <typename T>
struct Answer {
    Reply reply;
    T value{};
};

struct HistoryPage {
    QList<protocol::Message> messages; // oldest first
    bool more = false;
};

struct HistoryQuery {
    QString channel;
    QString before; // at most one of before/after; neither: the newest page
    QString after;
    int limit = 50;
};

[[nodiscard]] QCoro::Task<Answer<HistoryPage>> history(Session *session, HistoryQuery query);
[[nodiscard]] QCoro::Task<Answer<std::optional<protocol::Message>>> send(Session *session, QString channel, QString text,
                                                                         QString nonce);
[[nodiscard]] QCoro::Task<Answer<QList<Member>>> members(Session *session, QString channel);
[[nodiscard]] QCoro::Task<Answer<std::optional<protocol::ChannelInfo>>> join(Session *session, QString channel);
[[nodiscard]] QCoro::Task<Reply> part(Session *session, QString channel);
[[nodiscard]] QCoro::Task<Answer<std::optional<protocol::ChannelInfo>>> openDirect(Session *session, QString user);
[[nodiscard]] QCoro::Task<Answer<QList<DirectoryModel::Entry>>> publicChannels(Session *session);
QCoro::Task<Reply> typing(Session *session, QString channel);
[[nodiscard]] QCoro::Task<Reply> read(Session *session, QString channel, QString upTo);

// The human text of a refused request.
[[nodiscard]] QString problemText(const Reply &reply);

} // namespace requests
} // namespace rill::client
