#pragma once

#include "Reply.h"

#include <QDeadlineTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <chrono>
#include <coroutine>
#include <memory>

namespace rill::protocol {
struct ServerFrame;
}

namespace rill::client {

// Request/reply correlation: an ID per request, an awaitable per ID, and every waiter
// answered exactly once: by its reply, by the link dropping, or by its deadline.
class RequestTracker : public QObject
{
    Q_OBJECT

    struct Pending {
        std::optional<Reply> reply;
        std::coroutine_handle<> waiter;
        QDeadlineTimer deadline;
    };

public:
    class Awaiter
    {
    public:
        explicit Awaiter(std::shared_ptr<Pending> pending)
            : m_pending(std::move(pending))
        {
        }
        [[nodiscard]] bool await_ready() const noexcept { return m_pending->reply.has_value(); }
        void await_suspend(std::coroutine_handle<> waiter) noexcept { m_pending->waiter = waiter; }
        [[nodiscard]] Reply await_resume() { return std::move(*m_pending->reply); }

    private:
        std::shared_ptr<Pending> m_pending;
    };

    explicit RequestTracker(QObject *parent = nullptr);
    ~RequestTracker() override;

    void setTimeout(std::chrono::milliseconds timeout) { m_timeout = timeout; }

    // A new request ID and the awaitable that yields its reply.
    [[nodiscard]] std::pair<qint64, Awaiter> begin();
    // Routes a reply frame to its waiter. False if nobody waits for that ID.
    bool resolve(const protocol::ServerFrame &frame);
    // Answers one waiter, or every waiter, with Reply::lost.
    void fail(qint64 id, const QString &why);
    void failAll(const QString &why);

    [[nodiscard]] qsizetype pendingCount() const { return m_pending.size(); }

private:
    void answer(const std::shared_ptr<Pending> &pending, Reply reply);
    void expire();

    QHash<qint64, std::shared_ptr<Pending>> m_pending;
    QTimer m_sweep;
    std::chrono::milliseconds m_timeout{30000};
    qint64 m_nextId = 1;
};

} // namespace rill::client
