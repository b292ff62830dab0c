#pragma once

#include "socket/FrameReader.h"

#include <QByteArray>
#include <QByteArrayView>

#include <functional>
#include <memory>

class QObject;
class QSocketNotifier;

namespace rill::load {

// The client end of a WebSocket on a plain TCP descriptor, once QWebSocket has done the
// handshake (LoadClient::open hands the descriptor over): the server's frames are read with
// FrameReader in its client role into one buffer that every connection of the thread shares;
// ours go out masked, with send(2). Pings are answered and the closing handshake is done here.
//
// It exists for the tool's CPU. On QWebSocket, receiving 100,000 frames/s took the tool 0.9 of
// a core (its per-frame machinery, a UTF-8 -> QString -> UTF-8 round trip, a signal per frame),
// and the tool then competed with the server it measures (bench/README.md, issue 12).
class ClientFrameSocket
{
public:
    struct Handlers {
        std::function<void(QByteArray &&utf8)> text; // each text message, whole and valid UTF-8
        std::function<void()> gone;                  // the connection ended (queued; never after abort())
    };

    // Takes `descriptor` (connected, the handshake done). The notifiers' signals are delivered
    // in `context`, which must outlive this.
    ClientFrameSocket(int descriptor, QObject *context, Handlers handlers);
    ~ClientFrameSocket();
    ClientFrameSocket(const ClientFrameSocket &) = delete;
    ClientFrameSocket &operator=(const ClientFrameSocket &) = delete;

    // Reads what the server sent that Qt had already taken off the socket during the handshake.
    void consume(QByteArrayView bytes);

    // Open until either side starts the closing handshake, or the connection breaks.
    [[nodiscard]] bool isOpen() const { return m_descriptor >= 0 && !m_closeSent && !m_closeReceived; }
    // What the server's close frame said (1005 if it carried no code), or 1006 when the
    // connection ended without one (RFC 6455 7.1.5); 0 while there is none.
    [[nodiscard]] int closeCode() const { return m_closeCode; }

    void sendText(QByteArrayView utf8);
    // Starts the closing handshake; the connection ends when the server answers.
    void close(quint16 code = 1000);
    // Ends the connection now, with no close frame and no gone().
    void abort();

private:
    void readable();
    void deliver(rill::server::FrameReader::Message &&message);
    void send(rill::server::Frame::Opcode opcode, QByteArrayView payload);
    void flush();
    [[nodiscard]] rill::server::Frame::MaskingKey nextMaskingKey();
    // Closes the descriptor; tells the handler (once) unless `quietly`.
    void finish(bool quietly = false);

    int m_descriptor;
    QObject *m_context;
    Handlers m_handlers;
    rill::server::FrameReader m_reader;
    std::unique_ptr<QSocketNotifier> m_readNotifier;
    std::unique_ptr<QSocketNotifier> m_writeNotifier; // only while the kernel is full
    QByteArray m_unsent;
    quint64 m_maskState;
    int m_closeCode = 0;
    bool m_closeSent = false;
    bool m_closeReceived = false;
};

} // namespace rill::load
