#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace rill::server {

// Tells the service manager how the service is doing: systemd's notification protocol
// (sd_notify(3): "READY=1" etc. as a datagram to the unix socket named by $NOTIFY_SOCKET), so a
// Type=notify unit is "started" only once the server listens. Elsewhere, or when not started
// by systemd, it does nothing.
class ServiceNotifier
{
public:
    // Takes NOTIFY_SOCKET out of the environment, so children (the embedded redis-server) do
    // not inherit it.
    ServiceNotifier();

    void ready(const QString &status) const;
    void stopping() const;

    // Sends one notification ("KEY=value" lines); false when there is no service manager or
    // the datagram could not be sent.
    bool notify(QByteArrayView state) const;

private:
    QByteArray m_socket;
};

} // namespace rill::server
