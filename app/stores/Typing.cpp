#include "Typing.h"

#include "Requests.h"
#include "session/Session.h"

namespace rill::client {

Typing::Typing(Session *session, std::chrono::milliseconds interval)
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
    requests::typing(m_session, channel); // fire and forget
}

} // namespace rill::client
