#include "PasswordHasher.h"

#include <QCoro/QCoroFuture>
#include <QtConcurrent/QtConcurrentRun>

#include <sodium.h>

namespace rill::store {
namespace {

// OWASP's minimum for argon2id (m=19 MiB, t=2, p=1): ~20-40 ms here, and few enough MiB that
// a pool of two hashing at once stays small.
constexpr unsigned long long kOpsLimit = 2;
constexpr size_t kMemLimit = 19u * 1024u * 1024u;

} // namespace

PasswordHasher::PasswordHasher(int threads, int maxQueued)
    : m_maxQueued(maxQueued > 0 ? maxQueued : 8 * std::max(1, threads))
{
    if (sodium_init() < 0)
        qFatal("libsodium could not be initialised");
    m_pool.setMaxThreadCount(std::max(1, threads));
    m_pool.setExpiryTimeout(30000);
    m_decoy = hashNow("rill decoy password, never a real one");
}

PasswordHasher::~PasswordHasher()
{
    m_pool.waitForDone();
}

QByteArray PasswordHasher::hashNow(const QByteArray &password)
{
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, password.constData(), size_t(password.size()), kOpsLimit, kMemLimit) != 0)
        return {};
    return QByteArray(out);
}

bool PasswordHasher::verifyNow(const QByteArray &stored, const QByteArray &password)
{
    return !stored.isEmpty()
        && crypto_pwhash_str_verify(stored.constData(), password.constData(), size_t(password.size())) == 0;
}

QCoro::Task<std::optional<QByteArray>> PasswordHasher::hash(const QString &password)
{
    if (*m_queued >= m_maxQueued)
        co_return std::nullopt;
    const std::shared_ptr<int> queued = m_queued;
    ++*queued;
    auto future = QtConcurrent::run(&m_pool, &PasswordHasher::hashNow, password.toUtf8());
    const QByteArray hashed = co_await future;
    --*queued;
    co_return hashed;
}

QCoro::Task<std::optional<bool>> PasswordHasher::verify(const QByteArray &stored, const QString &password)
{
    if (*m_queued >= m_maxQueued)
        co_return std::nullopt;
    const std::shared_ptr<int> queued = m_queued;
    ++*queued;
    const bool known = !stored.isEmpty();
    auto future = QtConcurrent::run(&m_pool, &PasswordHasher::verifyNow, known ? stored : m_decoy,
                                    password.toUtf8());
    const bool matches = co_await future;
    --*queued;
    co_return known && matches;
}

} // namespace rill::store
