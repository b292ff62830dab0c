#pragma once

#include <QByteArray>
#include <QCoro/QCoroTask>
#include <QString>
#include <QThreadPool>

namespace rill::store {

// argon2id (libsodium) on a small thread pool of its own. Hashing is slow and memory-hard on
// purpose; on the event loop a burst of log-ins would stall every other connection, and on
// Qt's global pool it would compete with everything else.
class PasswordHasher
{
public:
    explicit PasswordHasher(int threads);
    ~PasswordHasher();
    PasswordHasher(const PasswordHasher &) = delete;
    PasswordHasher &operator=(const PasswordHasher &) = delete;

    // The encoded hash ("$argon2id$v=19$m=...,t=...,p=1$salt$hash"); empty if out of memory.
    [[nodiscard]] QCoro::Task<QByteArray> hash(const QString &password);
    // Constant-time against the stored hash. An empty `stored` (no such user) still costs a
    // full verification, so response time does not reveal which user names exist.
    [[nodiscard]] QCoro::Task<bool> verify(const QByteArray &stored, const QString &password);

    // The blocking primitives, for tools that hash outside an event loop.
    [[nodiscard]] static QByteArray hashNow(const QByteArray &password);
    [[nodiscard]] static bool verifyNow(const QByteArray &stored, const QByteArray &password);

private:
    QThreadPool m_pool;
    QByteArray m_decoy;
};

} // namespace rill::store
