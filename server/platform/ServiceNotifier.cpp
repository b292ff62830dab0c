#include "ServiceNotifier.h"

#ifdef Q_OS_LINUX
#include <cstddef>
#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#endif

namespace rill::server {

ServiceNotifier::ServiceNotifier()
    : m_socket(qgetenv("NOTIFY_SOCKET"))
{
    qunsetenv("NOTIFY_SOCKET");
}

void ServiceNotifier::ready(const QString &status) const
{
    notify(QByteArray(QByteArray("READY=1\nSTATUS=") + status.toUtf8()));
}

void ServiceNotifier::stopping() const
{
    notify("STOPPING=1\nSTATUS=Stopping");
}

bool ServiceNotifier::notify(QByteArrayView state) const
{
#ifdef Q_OS_LINUX
    // A path, or '@' for an abstract socket (the name then starts with a NUL byte).
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (m_socket.isEmpty() || (m_socket[0] != '/' && m_socket[0] != '@')
        || size_t(m_socket.size()) >= sizeof(address.sun_path))
        return false;
    std::memcpy(address.sun_path, m_socket.constData(), size_t(m_socket.size()));
    if (address.sun_path[0] == '@')
        address.sun_path[0] = '\0';
    const auto length = socklen_t(offsetof(sockaddr_un, sun_path) + size_t(m_socket.size()));

    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    const ssize_t sent = ::sendto(fd, state.data(), size_t(state.size()), MSG_NOSIGNAL,
                                  reinterpret_cast<const sockaddr *>(&address), length);
    ::close(fd);
    return sent == state.size();
#else
    Q_UNUSED(state);
    return false;
#endif
}

} // namespace rill::server
