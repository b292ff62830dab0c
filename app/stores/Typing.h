#pragma once

#include <QDeadlineTimer>
#include <QHash>
#include <QString>

#include <chrono>

namespace rill::client {

class ClientSession;

// Tells the others that the user is typing: at most once per interval and channel, while
// the user keeps typing. A hint: nothing waits for it and a lost one does not matter.
class Typing
{
public:
    Typing(ClientSession *session, std::chrono::milliseconds interval);

    void typing(const QString &channel);
    // The message went out: the next keystroke starts a new bout of typing.
    void sent(const QString &channel) { m_sent.remove(channel); }
    void clear() { m_sent.clear(); }

private:
    ClientSession *m_session;
    std::chrono::milliseconds m_interval;
    QHash<QString, QDeadlineTimer> m_sent;
};

} // namespace rill::client
