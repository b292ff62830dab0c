#include "Typing.h"

#include "session/ClientSession.h"

namespace rill::client {

namespace {
// Takes what it sends by value and touches nothing after the reply: it may outlive the
// session's owner.
QCoro::Task<> sendTyping(ClientSession *session, QString channel)
{
    const protocol::TypingParams params{std::move(channel)};
    const auto reply = co_await session->request(params);
    Q_UNUSED(reply); // typing is a hint; a lost one does not matter
}
} // namespace

Typing::Typing(ClientSession *session, std::chrono::milliseconds interval)
    : m_session(session)
    , m_interval(interval)
{
}

void Typing::typing(const QString &channel)
{
    if (channel.isEmpty() || !m_session->isOnline())
        return;
    const auto last = m_sent.constFind(channel);
    if (last != m_sent.cend() && !last->hasExpired())
        return;
    m_sent.insert(channel, QDeadlineTimer(m_interval));
    sendTyping(m_session, channel); // fire and forget
}

} // namespace rill::client
