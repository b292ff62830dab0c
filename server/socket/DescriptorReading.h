#pragma once

#include <QByteArrayView>

#include <cerrno>
#include <memory>

#include <unistd.h>

class QSocketNotifier;

namespace rill::server {

// Closes `descriptor` and sets it to -1, after its notifiers: each is disabled first, since
// the number may be reused by the next connection and a notifier still registered for it
// would steal that one's readiness, and deleted later, since this may run inside one of their
// signals.
void closeWatchedDescriptor(int &descriptor, std::unique_ptr<QSocketNotifier> &readNotifier,
                            std::unique_ptr<QSocketNotifier> &writeNotifier);

// One read buffer for every connection of the thread: connections hold no buffer of their own.
[[nodiscard]] QByteArrayView sharedReadBuffer();

enum class ReadResult { Later, Ended };

// Reads what waits on the non-blocking `descriptor` into the shared buffer and hands each
// piece to `consume`, at most `maxReads` times so that other connections get their turn.
// `consume` may close the connection (setting `descriptor` to -1), which stops the reading.
// Ended: the peer's end of the stream, or an error.
template<typename Consume>
[[nodiscard]] ReadResult readWaiting(const int &descriptor, Consume &&consume, int maxReads = 4)
{
    const QByteArrayView buffer = sharedReadBuffer();
    char *const data = const_cast<char *>(buffer.data());
    for (int i = 0; i < maxReads && descriptor >= 0; ++i) {
        const ssize_t got = ::read(descriptor, data, std::size_t(buffer.size()));
        if (got > 0) {
            consume(QByteArrayView(data, got));
            if (got < buffer.size())
                return ReadResult::Later;
            continue;
        }
        if (got < 0 && errno == EINTR) {
            --i;
            continue;
        }
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return ReadResult::Later;
        return ReadResult::Ended;
    }
    return ReadResult::Later;
}

} // namespace rill::server
