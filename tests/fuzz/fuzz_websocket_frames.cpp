// Every plain TCP peer's bytes go through FrameReader before anything else sees them. Whatever
// arrives, it must not crash, deliver only what the contract allows (text that is UTF-8,
// control payloads of at most 125 bytes, nothing over the limit), and read the same however
// the bytes are split: the first input byte picks the size of the pieces (its low four bits)
// and the end that reads (its top bit: the load tool's client end, which reads the server's).
#include "socket/FrameReader.h"

#include <QList>

#include <cstddef>
#include <cstdint>

using rill::server::Frame;
using rill::server::FrameReader;

namespace {

constexpr qsizetype kMax = 4096; // small, so the limit is reached often

struct Run {
    QList<QPair<int, QByteArray>> delivered;
    int failure = 0;
};

Run readAll(QByteArrayView bytes, qsizetype piece, FrameReader::Role role)
{
    FrameReader reader(kMax, role);
    Run run;
    const auto deliver = [&run](FrameReader::Message &&m) {
        const bool control = quint8(m.opcode) >= 0x8;
        if (m.payload.size() > (control ? 125 : kMax))
            __builtin_trap(); // more than a frame may carry
        if (m.opcode == Frame::Opcode::Text && !QByteArrayView(m.payload).isValidUtf8())
            __builtin_trap(); // text that is not UTF-8 reached the session
        if (m.opcode == Frame::Opcode::Continuation)
            __builtin_trap(); // fragments are joined, never delivered
        run.delivered.append({int(m.opcode), std::move(m.payload)});
    };
    for (qsizetype at = 0; at < bytes.size(); at += piece) {
        const auto failure = reader.read(bytes.sliced(at, std::min(piece, bytes.size() - at)), deliver);
        if (failure) {
            run.failure = failure->code;
            break;
        }
    }
    if (run.failure == 0 && reader.heldBytes() > bytes.size())
        __builtin_trap(); // holds more than it was given
    return run;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 1)
        return 0;
    const qsizetype piece = data[0] % 16 + 1;
    const auto role = (data[0] & 0x80) ? FrameReader::Role::Client : FrameReader::Role::Server;
    const QByteArrayView bytes(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    const Run whole = readAll(bytes, std::max<qsizetype>(bytes.size(), 1), role);
    const Run pieces = readAll(bytes, piece, role);
    if (whole.failure != pieces.failure || whole.delivered != pieces.delivered)
        __builtin_trap(); // the split changed what was read
    return 0;
}
