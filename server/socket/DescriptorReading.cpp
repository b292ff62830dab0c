#include "DescriptorReading.h"

#include <QSocketNotifier>

#include <array>

namespace rill::server {

QByteArrayView sharedReadBuffer()
{
    thread_local std::array<char, 64 * 1024> buffer;
    return QByteArrayView(buffer.data(), qsizetype(buffer.size()));
}

void closeWatchedDescriptor(int &descriptor, std::unique_ptr<QSocketNotifier> &readNotifier,
                            std::unique_ptr<QSocketNotifier> &writeNotifier)
{
    for (auto *notifier : {&readNotifier, &writeNotifier}) {
        if (*notifier) {
            (*notifier)->setEnabled(false);
            notifier->release()->deleteLater();
        }
    }
    ::close(descriptor);
    descriptor = -1;
}

} // namespace rill::server
