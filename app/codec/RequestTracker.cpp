#include "RequestTracker.h"

#include "protocol/Codec.h"

#include <QCoreApplication>

namespace rill::client {

using namespace Qt::StringLiterals;

RequestTracker::RequestTracker(QObject *parent)
    : QObject(parent)
{
    m_sweep.setInterval(1000);
    connect(&m_sweep, &QTimer::timeout, this, &RequestTracker::expire);
}

RequestTracker::~RequestTracker()
{
    // Waiters must not resume inside this destructor, where their owner is half gone; they
    // resume from the event loop, find their QPointer empty and finish.
    if (m_pending.isEmpty() || !QCoreApplication::instance())
        return;
    auto orphans = std::move(m_pending);
    QMetaObject::invokeMethod(
        QCoreApplication::instance(),
        [orphans = std::move(orphans)] {
            for (const auto &pending : orphans) {
                pending->reply = Reply::lostReply(u"the session ended"_s);
                if (auto waiter = std::exchange(pending->waiter, {}))
                    waiter.resume();
            }
        },
        Qt::QueuedConnection);
}

std::pair<qint64, RequestTracker::Awaiter> RequestTracker::begin()
{
    const qint64 id = m_nextId++;
    auto pending = std::make_shared<Pending>();
    pending->deadline = QDeadlineTimer(m_timeout);
    m_pending.insert(id, pending);
    if (!m_sweep.isActive())
        m_sweep.start();
    return {id, Awaiter(pending)};
}

bool RequestTracker::resolve(const protocol::ServerFrame &frame)
{
    const auto id = protocol::exactInteger(frame.re);
    if (!id)
        return false;
    const auto pending = m_pending.take(*id);
    if (!pending)
        return false;
    Reply reply;
    reply.ok = frame.ok;
    reply.error = frame.error;
    reply.errorName = frame.errorName;
    reply.message = frame.message;
    reply.body = frame.body;
    answer(pending, std::move(reply));
    return true;
}

void RequestTracker::fail(qint64 id, const QString &why)
{
    if (const auto pending = m_pending.take(id))
        answer(pending, Reply::lostReply(why));
}

void RequestTracker::failAll(const QString &why)
{
    // Taken first: a resumed waiter may start new requests while we go through the old ones.
    const auto all = std::exchange(m_pending, {});
    for (const auto &pending : all)
        answer(pending, Reply::lostReply(why));
}

void RequestTracker::answer(const std::shared_ptr<Pending> &pending, Reply reply)
{
    if (m_pending.isEmpty())
        m_sweep.stop();
    pending->reply = std::move(reply);
    // Resumed right here, so a reply is handled before the frames that follow it.
    if (auto waiter = std::exchange(pending->waiter, {}))
        waiter.resume();
}

void RequestTracker::expire()
{
    QList<qint64> late;
    for (auto it = m_pending.cbegin(); it != m_pending.cend(); ++it) {
        if (it.value()->deadline.hasExpired())
            late.append(it.key());
    }
    for (const qint64 id : std::as_const(late))
        fail(id, u"the server did not answer in time"_s);
    if (m_pending.isEmpty())
        m_sweep.stop();
}

} // namespace rill::client
