#include "ReadMarkers.h"

#include "ChannelStore.h"
#include "session/ClientSession.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcClientRead, "rill.client.read", QtInfoMsg)

namespace rill::client {

ReadMarkers::ReadMarkers(ClientSession *session, std::chrono::milliseconds delay, QObject *parent)
    : QObject(parent)
    , m_session(session)
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(delay);
    connect(&m_timer, &QTimer::timeout, this, &ReadMarkers::readViewed);
}

void ReadMarkers::schedule(ChannelStore *store)
{
    m_viewed = store;
    if (store)
        m_timer.start();
    else
        m_timer.stop();
}

void ReadMarkers::cancel()
{
    schedule(nullptr);
}

void ReadMarkers::readViewed()
{
    if (m_viewed && m_session->isOnline())
        readAll(m_viewed);
}

QString ReadMarkers::readAll(ChannelStore *store)
{
    const QString upTo = store->newestId();
    if (!upTo.isEmpty() && store->applyRead(upTo))
        send(store->name(), upTo);
    return upTo;
}

void ReadMarkers::readOwn(ChannelStore *store, const protocol::Message &message)
{
    // The store moved its marker when it confirmed the send; the server learns it here.
    // Without this the "new messages" divider of my next visit would sit above my own words.
    if (store->lastRead() == message.id)
        send(store->name(), message.id);
}

QCoro::Task<> ReadMarkers::send(QString channel, QString upTo)
{
    const protocol::ReadParams params{channel, upTo};
    const auto reply = co_await m_session->request(params);
    if (!reply.ok && !reply.lost)
        qCWarning(lcClientRead) << "read marker refused for" << channel << reply.errorName;
}

} // namespace rill::client
