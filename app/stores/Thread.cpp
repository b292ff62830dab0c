#include "Thread.h"

#include "ChannelStore.h"
#include "protocol/Requests.h"
#include "session/ClientSession.h"

namespace rill::client {

Thread::Thread(ClientSession *session, int pageSize, QObject *parent)
    : QObject(parent)
    , m_session(session)
    , m_pageSize(pageSize)
{
}

Thread::~Thread() = default;

MessageModel *Thread::messages() const
{
    return m_store ? m_store->messageModel() : nullptr;
}

void Thread::open(const ChannelStore &channel, const QString &rootId)
{
    if (m_store && m_channel == channel.name() && m_rootId == rootId)
        return;
    // Only what a timeline needs of the channel: its name and kind. No lastId: the store
    // starts "at the start" (the root is its oldest entry; nothing older to load), and no
    // read marker: a thread shows no unread divider.
    protocol::ChannelInfo info;
    info.name = channel.name();
    info.kind = channel.info().kind;
    info.peer = channel.peer();
    if (m_store)
        m_store->deleteLater(); // QML may still hold it for this frame
    m_store = new ChannelStore(info, channel.self(), this);
    m_channel = channel.name();
    m_rootId = rootId;
    Q_EMIT openChanged();
    reload();
}

void Thread::close()
{
    if (!m_store)
        return;
    ++m_epoch;
    m_store->deleteLater();
    m_store = nullptr;
    m_channel.clear();
    m_rootId.clear();
    setLoading(false);
    Q_EMIT openChanged();
}

void Thread::reload()
{
    if (m_store)
        load(++m_epoch);
}

void Thread::setLoading(bool loading)
{
    if (loading == m_loading)
        return;
    m_loading = loading;
    Q_EMIT loadingChanged();
}

QCoro::Task<> Thread::load(quint64 epoch)
{
    QPointer<Thread> self(this);
    setLoading(true);
    protocol::ThreadParams params{m_channel, m_rootId, std::nullopt, m_pageSize};
    for (;;) {
        const auto reply = co_await m_session->request(params);
        if (!self || self->m_epoch != epoch || !self->m_store)
            co_return;
        if (!reply.ok) {
            if (reply.lost) {
                self->setLoading(false); // the sign-in after the reconnect loads it again
                co_return;
            }
            const QString why = reply.problemText();
            self->close();
            Q_EMIT self->problem(tr("Cannot open the thread: %1").arg(why));
            co_return;
        }
        QList<protocol::Message> page = reply.result.messages;
        page.prepend(reply.result.root);
        // Not counted as unread: the channel's store does that for the same messages.
        self->m_store->merge(page, false);
        if (!reply.result.more || reply.result.messages.isEmpty())
            break;
        params.after = reply.result.messages.constLast().id;
    }
    self->setLoading(false);
}

bool Thread::holds(const protocol::Message &message) const
{
    return m_store && message.channel == m_channel && (message.id == m_rootId || message.replyTo == m_rootId);
}

void Thread::take(const protocol::Message &message)
{
    if (holds(message))
        m_store->merge({message}, false);
}

void Thread::applyUpdate(const protocol::Message &message)
{
    if (holds(message))
        m_store->applyUpdate(message);
}

} // namespace rill::client
