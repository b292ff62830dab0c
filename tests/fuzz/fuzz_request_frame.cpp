// A client's text frame as the server decodes it: any bytes, any JSON.
#include "protocol/Codec.h"

#include <cstddef>
#include <cstdint>

using namespace rill::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView frame(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto decoded = decodeRequest(frame);
    if (const auto *request = std::get_if<Request>(&decoded)) {
        // Whatever id the server accepted, its reply carries it back readably.
        if (!decodeServerFrame(encodeReply(request->id)))
            __builtin_trap(); // what the server writes must be what a client reads
    } else {
        const auto &rejected = std::get<RejectedFrame>(decoded);
        if (!decodeServerFrame(encodeError(rejected.id, rejected.error)))
            __builtin_trap();
    }
    // The client's reader takes the same bytes from a server it may not trust.
    (void)decodeServerFrame(frame);
    return 0;
}
