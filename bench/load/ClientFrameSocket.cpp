#include "ClientFrameSocket.h"

#include "socket/DescriptorReading.h"

#include <QObject>
#include <QRandomGenerator>
#include <QSocketNotifier>
#include <QtEndian>

#include <cerrno>
#include <cstring>

#include <sys/socket.h>
#include <unistd.h>

namespace rill::load {

using rill::server::Frame;
using rill::server::FrameReader;
using rill::server::readWaiting;
using rill::server::ReadResult;

namespace {

// What the server may send in one message. Its replies are not bounded by the protocol's
// request limit (a history page is many messages); QWebSocket, which the tool used before,
// took up to 2 GiB.
constexpr qsizetype kMaxServerMessageBytes = 256 * 1024 * 1024;
constexpr quint16 kNoStatusCode = 1005;
constexpr quint16 kAbnormalClosure = 1006;
} // namespace

ClientFrameSocket::ClientFrameSocket(int descriptor, QObject *context, Handlers handlers)
    : m_descriptor(descriptor)
    , m_context(context)
    , m_handlers(std::move(handlers))
    , m_reader(kMaxServerMessageBytes, FrameReader::Role::Client)
    , m_readNotifier(std::make_unique<QSocketNotifier>(qintptr(descriptor), QSocketNotifier::Read))
    , m_maskState(QRandomGenerator::global()->generate64() | 1)
{
    QObject::connect(m_readNotifier.get(), &QSocketNotifier::activated, m_context, [this] { readable(); });
}

ClientFrameSocket::~ClientFrameSocket()
{
    if (m_descriptor >= 0) {
        m_readNotifier.reset();
        m_writeNotifier.reset();
        ::close(m_descriptor);
    }
}

void ClientFrameSocket::readable()
{
    if (readWaiting(m_descriptor, [this](QByteArrayView bytes) { consume(bytes); }) == ReadResult::Later)
        return;
    // End of stream or reset: after the closing handshake the expected end, otherwise an
    // abnormal one.
    if (m_closeCode == 0)
        m_closeCode = kAbnormalClosure;
    finish();
}

void ClientFrameSocket::consume(QByteArrayView bytes)
{
    if (m_descriptor < 0 || m_reader.failed())
        return;
    const auto failure = m_reader.read(bytes, [this](FrameReader::Message &&message) { deliver(std::move(message)); });
    if (failure && m_descriptor >= 0) {
        // RFC 6455 7.1.7: fail the connection, telling the server why.
        m_closeCode = failure->code;
        if (!m_closeSent)
            send(Frame::Opcode::Close, Frame::closePayload(failure->code, failure->reason));
        m_closeSent = true;
        finish();
    }
}

void ClientFrameSocket::deliver(FrameReader::Message &&message)
{
    if (m_descriptor < 0)
        return;
    switch (message.opcode) {
    case Frame::Opcode::Text:
        if (!m_closeReceived)
            m_handlers.text(std::move(message.payload));
        return;
    case Frame::Opcode::Ping:
        if (!m_closeSent)
            send(Frame::Opcode::Pong, message.payload);
        return;
    case Frame::Opcode::Close:
        m_closeReceived = true;
        m_closeCode = message.payload.size() >= 2 ? int(qFromBigEndian<quint16>(message.payload.constData()))
                                                  : int(kNoStatusCode);
        if (!m_closeSent) {
            // RFC 6455 5.5.1: answer with the same code; the server then ends the connection.
            send(Frame::Opcode::Close, message.payload.first(std::min<qsizetype>(2, message.payload.size())));
            m_closeSent = true;
            return;
        }
        finish(); // the answer to ours: the handshake is complete
        return;
    case Frame::Opcode::Binary: // not part of the protocol; QWebSocket's client ignored it too
    case Frame::Opcode::Pong:
    case Frame::Opcode::Continuation:
        return;
    }
}

void ClientFrameSocket::sendText(QByteArrayView utf8)
{
    if (isOpen())
        send(Frame::Opcode::Text, utf8);
}

void ClientFrameSocket::close(quint16 code)
{
    if (!isOpen())
        return;
    send(Frame::Opcode::Close, Frame::closePayload(code, {}));
    m_closeSent = true;
}

void ClientFrameSocket::abort()
{
    finish(true);
}

Frame::MaskingKey ClientFrameSocket::nextMaskingKey()
{
    // Masking (RFC 6455 10.3) protects intermediaries from frames that a hostile script in a
    // browser chose. The tool runs no one's script, so the key need not be unpredictable, only
    // fresh per frame: xorshift64 costs a few instructions, where the system's generator
    // would cost a lock or a system call per frame.
    m_maskState ^= m_maskState << 13;
    m_maskState ^= m_maskState >> 7;
    m_maskState ^= m_maskState << 17;
    Frame::MaskingKey key;
    const auto bits = quint32(m_maskState >> 32);
    std::memcpy(key.data(), &bits, key.size());
    return key;
}

void ClientFrameSocket::send(Frame::Opcode opcode, QByteArrayView payload)
{
    if (m_descriptor < 0)
        return;
    const Frame frame = Frame::masked(opcode, payload, nextMaskingKey());
    if (!m_unsent.isEmpty()) { // behind what waits already
        m_unsent.append(frame.bytes());
        return;
    }
    m_unsent = frame.bytes();
    flush();
}

void ClientFrameSocket::flush()
{
    while (!m_unsent.isEmpty()) {
        const ssize_t sent =
            ::send(m_descriptor, m_unsent.constData(), std::size_t(m_unsent.size()), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            // Broken: what is unsent is lost with the connection. The read notifier reports
            // the end (a reset or end of stream), outside whatever is sending now.
            m_unsent = QByteArray();
            break;
        }
        if (sent < 0)
            break; // the kernel's buffer is full
        m_unsent.remove(0, sent);
    }
    const bool waiting = !m_unsent.isEmpty();
    if (waiting && !m_writeNotifier) {
        m_writeNotifier = std::make_unique<QSocketNotifier>(qintptr(m_descriptor), QSocketNotifier::Write);
        QObject::connect(m_writeNotifier.get(), &QSocketNotifier::activated, m_context, [this] { flush(); });
    }
    if (m_writeNotifier)
        m_writeNotifier->setEnabled(waiting);
}

void ClientFrameSocket::finish(bool quietly)
{
    if (m_descriptor < 0)
        return;
    rill::server::closeWatchedDescriptor(m_descriptor, m_readNotifier, m_writeNotifier);
    m_unsent = QByteArray();
    // Queued: whoever hears of it may open a new connection, and this one's reader may be
    // in the middle of a read.
    if (!quietly && m_handlers.gone)
        QMetaObject::invokeMethod(m_context, m_handlers.gone, Qt::QueuedConnection);
}

} // namespace rill::load
