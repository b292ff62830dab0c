#include "DescriptorReading.h"

#include <array>

namespace rill::server {

QByteArrayView sharedReadBuffer()
{
    thread_local std::array<char, 64 * 1024> buffer;
    return QByteArrayView(buffer.data(), qsizetype(buffer.size()));
}

} // namespace rill::server
