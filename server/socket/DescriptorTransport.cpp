#include "DescriptorTransport.h"

#include "socket/DescriptorReading.h"
#include "socket/PeerConnection.h"
#include "socket/SendRing.h"

#include <QSocketNotifier>

#include <algorithm>
#include <array>
#include <cerrno>
#include <utility>

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

namespace rill::server {

namespace {

constexpr std::size_t kMaxIovecs = 256;

// Points iov[0...] at frames[done...], the first from `offset`; returns how many it filled.
std::size_t fillBuffers(const std::vector<Frame> &frames, std::size_t done, qsizetype offset, iovec *iov,
                        std::size_t capacity)
{
    std::size_t count = 0;
    for (std::size_t i = done; i < frames.size() && count < capacity; ++i, ++count) {
        const QByteArray &bytes = frames[i].bytes();
        const qsizetype skip = count == 0 ? offset : 0;
        iov[count].iov_base = const_cast<char *>(bytes.constData() + skip);
        iov[count].iov_len = std::size_t(bytes.size() - skip);
    }
    return count;
}

// Moves `done` and `offset` past `sent` bytes of frames[done...]. False when the kernel took
// only part of what it was offered (its buffer is full).
bool advance(const std::vector<Frame> &frames, qsizetype sent, std::size_t &done, qsizetype &offset)
{
    while (sent > 0) {
        const qsizetype rest = frames[done].size() - offset;
        if (sent < rest) {
            offset += sent;
            return false;
        }
        sent -= rest;
        offset = 0;
        ++done;
    }
    return true;
}

} // namespace

DescriptorTransport::DescriptorTransport(PeerConnection &owner, int descriptor, QHostAddress address, quint16 port,
                                         QByteArray early, qsizetype maxMessageBytes)
    : m_owner(owner)
    , m_descriptor(descriptor)
    , m_address(std::move(address))
    , m_port(port)
    , m_reader(maxMessageBytes)
    , m_readNotifier(std::make_unique<QSocketNotifier>(qintptr(descriptor), QSocketNotifier::Read))
{
    QObject::connect(m_readNotifier.get(), &QSocketNotifier::activated, &m_owner, [this] { readable(); });
    if (!early.isEmpty()) {
        // After the owner is wired up (its signals are connected once it is announced).
        QMetaObject::invokeMethod(
            &m_owner, [this, early = std::move(early)] { consume(early); }, Qt::QueuedConnection);
    }
}

DescriptorTransport::~DescriptorTransport()
{
    if (m_descriptor >= 0) {
        m_readNotifier.reset();
        m_writeNotifier.reset();
        ::close(m_descriptor);
    }
}

void DescriptorTransport::readable()
{
    if (readWaiting(m_descriptor, [this](QByteArrayView bytes) { consume(bytes); }) == ReadResult::Ended)
        finish(); // end of stream, or reset
}

void DescriptorTransport::consume(QByteArrayView bytes)
{
    if (m_descriptor < 0 || m_reader.failed())
        return;
    m_owner.heard();
    const auto failure = m_reader.read(bytes, [this](FrameReader::Message &&message) { deliver(std::move(message)); });
    if (failure)
        m_owner.close(protocol::CloseCode(failure->code), failure->reason);
}

void DescriptorTransport::deliver(FrameReader::Message &&message)
{
    if (m_descriptor < 0)
        return;
    switch (message.opcode) {
    case Frame::Opcode::Text:
    case Frame::Opcode::Binary:
        if (!m_closeSent)
            m_owner.received(message.opcode, std::move(message.payload));
        return;
    case Frame::Opcode::Ping:
        if (!m_closeSent)
            writeOne(Frame::control(Frame::Opcode::Pong, message.payload));
        return;
    case Frame::Opcode::Close:
        if (m_closeSent) { // the answer to ours: the handshake is complete
            finish();
            return;
        }
        // RFC 6455 5.5.1: answer with a close frame (echoing the code), then end the connection.
        writeOne(message.payload.isEmpty() ? Frame::close(1000, QString())
                                           : Frame::control(Frame::Opcode::Close, message.payload));
        m_closeSent = true;
        m_owner.closing();
        if (m_unsent.empty())
            finish();
        else
            m_finishWhenWritten = true;
        return;
    case Frame::Opcode::Pong:
    case Frame::Opcode::Continuation:
        return; // heard() counted it
    }
}

void DescriptorTransport::write(std::vector<Frame> &frames)
{
    if (m_descriptor < 0 || m_closeSent || frames.empty())
        return;
    if (!m_unsent.empty()) { // behind what waits already
        for (Frame &frame : frames) {
            m_unsentBytes += frame.size();
            m_unsent.push_back(std::move(frame));
        }
        flush();
        return;
    }
    // The usual case: the kernel takes everything, straight from the caller's frames.
    std::size_t done = 0;
    qsizetype offset = 0;
    if (!writeFrames(frames, done, offset)) {
        finish();
        return;
    }
    keepUnsent(frames, done, offset);
}

Transport::Staging DescriptorTransport::stage(SendRing &ring, std::vector<Frame> &frames, void *token)
{
    if (m_descriptor < 0 || m_closeSent)
        return Staging::WritesItself;
    if (m_unsent.empty() && frames.empty())
        return Staging::Nothing;
    const std::size_t count = std::min(m_unsent.size() + frames.size(), kMaxIovecs);
    iovec *iov = ring.stage(m_descriptor, count, token);
    if (!iov)
        return Staging::RingFull;
    if (m_unsent.empty()) { // the usual case: straight from the caller's frames
        fillBuffers(frames, 0, 0, iov, count);
        return Staging::Staged;
    }
    // Behind what waits already: the send continues from there, with the new frames after it.
    for (Frame &frame : frames) {
        m_unsentBytes += frame.size();
        m_unsent.push_back(std::move(frame));
    }
    frames.clear();
    fillBuffers(m_unsent, 0, m_unsentOffset, iov, count);
    m_stagedUnsent = true;
    return Staging::Staged;
}

bool DescriptorTransport::completeStaged(std::vector<Frame> &frames, int result)
{
    const bool fromUnsent = std::exchange(m_stagedUnsent, false);
    if (m_descriptor < 0)
        return true;
    if (result < 0 && result != -EAGAIN && result != -EWOULDBLOCK && result != -EINTR)
        return false;
    if (fromUnsent) {
        settleUnsent(std::max(result, 0));
        return true;
    }
    std::size_t done = 0;
    qsizetype offset = 0;
    advance(frames, std::max(result, 0), done, offset);
    // Frames past what one send carries, or refused by a full buffer, follow once writable.
    keepUnsent(frames, done, offset);
    return true;
}

void DescriptorTransport::keepUnsent(std::vector<Frame> &frames, std::size_t done, qsizetype offset)
{
    for (std::size_t i = done; i < frames.size(); ++i) {
        m_unsentBytes += frames[i].size() - (i == done ? offset : 0);
        m_unsent.push_back(std::move(frames[i]));
    }
    m_unsentOffset = offset;
    watchWritable(!m_unsent.empty());
}

void DescriptorTransport::flush()
{
    if (m_descriptor < 0 || m_unsent.empty())
        return;
    std::size_t done = 0;
    qsizetype offset = m_unsentOffset;
    if (!writeFrames(m_unsent, done, offset)) {
        finish();
        return;
    }
    qsizetype written = -m_unsentOffset;
    for (std::size_t i = 0; i < done; ++i)
        written += m_unsent[i].size();
    settleUnsent(written + offset);
    if (m_unsent.empty() && m_finishWhenWritten)
        finish();
}

void DescriptorTransport::settleUnsent(qint64 written)
{
    m_unsentBytes -= written;
    std::size_t done = 0;
    advance(m_unsent, written, done, m_unsentOffset);
    m_unsent.erase(m_unsent.begin(), m_unsent.begin() + qsizetype(done));
    if (m_unsent.empty())
        m_unsent = {}; // an idle connection holds no queue
    watchWritable(!m_unsent.empty());
}

bool DescriptorTransport::writeFrames(const std::vector<Frame> &frames, std::size_t &done, qsizetype &offset)
{
    std::array<iovec, kMaxIovecs> iov;
    while (done < frames.size()) {
        msghdr message{};
        message.msg_iov = iov.data();
        message.msg_iovlen = fillBuffers(frames, done, offset, iov.data(), iov.size());
        const ssize_t sent = ::sendmsg(m_descriptor, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent < 0) {
            if (errno == EINTR)
                continue;
            return errno == EAGAIN || errno == EWOULDBLOCK;
        }
        if (!advance(frames, qsizetype(sent), done, offset))
            return true; // the kernel's buffer is full
    }
    return true;
}

void DescriptorTransport::writeOne(Frame frame)
{
    std::vector<Frame> frames{std::move(frame)};
    write(frames);
}

void DescriptorTransport::watchWritable(bool on)
{
    if (!on) {
        if (m_writeNotifier)
            m_writeNotifier->setEnabled(false);
        return;
    }
    if (!m_writeNotifier) {
        m_writeNotifier = std::make_unique<QSocketNotifier>(qintptr(m_descriptor), QSocketNotifier::Write);
        // Writable again: what waits goes out with the batcher's next flush, with the turn's
        // other writes (through its ring, where there is one).
        QObject::connect(m_writeNotifier.get(), &QSocketNotifier::activated, &m_owner, [this] {
            m_writeNotifier->setEnabled(false);
            m_owner.flushSoon();
        });
    }
    m_writeNotifier->setEnabled(true);
}

void DescriptorTransport::close(quint16 code, const QString &reason)
{
    if (m_descriptor < 0 || m_closeSent)
        return;
    writeOne(Frame::close(code, reason));
    m_closeSent = true;
    m_owner.closing();
}

void DescriptorTransport::ping()
{
    if (!m_closeSent)
        writeOne(Frame::control(Frame::Opcode::Ping));
}

void DescriptorTransport::abort()
{
    finish();
}

void DescriptorTransport::finish()
{
    if (m_descriptor < 0)
        return;
    closeWatchedDescriptor(m_descriptor, m_readNotifier, m_writeNotifier);
    m_unsent = {};
    m_unsentBytes = 0;
    m_unsentOffset = 0;
    m_owner.gone();
}

} // namespace rill::server
