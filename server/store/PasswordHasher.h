#pragma once

#include <QByteArray>
#include <QCoro/QCoroTask>
#include <QString>
#include <QThreadPool>

#include <memory>
#include <optional>

namespace rill::store {

// argon2id (libsodium) on a small thread pool of its own. Hashing is slow and memory-hard on
// purpose; on the event loop a burst of log-ins would stall every other connection, and on
// Qt's global pool it would compete with everything else.
//
// The queue is bounded: a flood of log-ins must not delay every real one for minutes. When
// `maxQueued` jobs wait or run, hash() and verify() refuse at once (nullopt) and the caller
// answers rate_limited.
class PasswordHasher
{
public:
    // maxQueued 0: eight per thread (about a quarter of a second of work each).
    explicit PasswordHasher(int threads, int maxQueued = 0);
    ~PasswordHasher();
    PasswordHasher(const PasswordHasher &) = delete;
    PasswordHasher &operator=(const PasswordHasher &) = delete;

    // The encoded hash ("$argon2id$v=19$m=...,t=...,p=1$salt$hash"); empty if out of memory;
    // nullopt when the queue is full.
    [[nodiscard]] QCoro::Task<std::optional<QByteArray>> hash(const QString &password);
    // Constant-time against the stored hash. An empty `stored` (no such user) still costs a
    // full verification, so response time does not reveal which user names exist. Nullopt
    // when the queue is full.
    [[nodiscard]] QCoro::Task<std::optional<bool>> verify(const QByteArray &stored, const QString &password);
    [[nodiscard]] int queued() const { return *m_queued; }
    [[nodiscard]] int maxQueued() const { return m_maxQueued; }

    // The blocking primitives, for tools that hash outside an event loop.
    [[nodiscard]] static QByteArray hashNow(const QByteArray &password);
    [[nodiscard]] static bool verifyNow(const QByteArray &stored, const QByteArray &password);

private:
    QThreadPool m_pool;
    QByteArray m_decoy;
    int m_maxQueued;
    // Jobs waiting or running, counted in and out on the owner's thread. Shared with the
    // coroutines, which may resume (and count out) after this object is gone.
    std::shared_ptr<int> m_queued = std::make_shared<int>(0);
};

} // namespace rill::store
