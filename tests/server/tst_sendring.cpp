#include "socket/DescriptorTransport.h"
#include "socket/PeerConnection.h"

#include "protocol/Limits.h"

#include <QSignalSpy>
#include <QTest>

#include <arpa/inet.h>
#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <vector>

using namespace rill::server;
using namespace std::chrono_literals;

namespace {

// The batcher's two ways to write: through io_uring, many connections to a system call, or a
// sendmsg(2) per connection. Every row runs both; they must put the same bytes on the wire.
enum class WritePath { Ring, SendMsg };

// TCP connections on loopback: the server ends become PeerConnections on DescriptorTransport
// (as WebSocketListener makes them); the client ends are plain descriptors the test reads.
class Connections
{
public:
    // `smallBuffers`: 4 KiB to send on the server side and to receive on the client side, so
    // the kernel soon takes no more.
    Connections(WritePath path, int count, bool smallBuffers = false)
    {
        m_batcher.setUseSendRing(path == WritePath::Ring);
        const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (::bind(listener, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0
            || ::listen(listener, count) != 0
            || ::getsockname(listener, reinterpret_cast<sockaddr *>(&address), &length) != 0) {
            ::close(listener);
            return;
        }
        for (int i = 0; i < count; ++i) {
            const int client = ::socket(AF_INET, SOCK_STREAM, 0);
            const int small = 4096;
            if (smallBuffers) // before connecting, or the window is already agreed
                ::setsockopt(client, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
            if (::connect(client, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) { // loopback: at once
                ::close(client);
                break;
            }
            const int server = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK);
            if (smallBuffers)
                ::setsockopt(server, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
            m_clients.push_back(client);
            auto connection = std::make_unique<PeerConnection>(m_batcher, quint64(i), 64 * 1024 * 1024);
            connection->setTransport(std::make_unique<DescriptorTransport>(
                *connection, server, QHostAddress::LocalHost, quint16(0), QByteArray(), rill::protocol::kMaxFrameBytes));
            m_connections.push_back(std::move(connection));
        }
        ::close(listener);
    }
    ~Connections()
    {
        m_connections.clear();
        for (int fd : m_clients) {
            if (fd >= 0)
                ::close(fd);
        }
    }

    // Client i resets its connection: closing with a zero linger sends RST.
    void reset(int i)
    {
        linger abortive{1, 0};
        ::setsockopt(client(i), SOL_SOCKET, SO_LINGER, &abortive, sizeof abortive);
        ::close(client(i));
        m_clients[std::size_t(i)] = -1;
    }

    [[nodiscard]] int size() const { return int(m_connections.size()); }
    PeerConnection &operator[](int i) { return *m_connections[std::size_t(i)]; }
    WriteBatcher &batcher() { return m_batcher; }
    [[nodiscard]] int client(int i) const { return m_clients[std::size_t(i)]; }

    // Reads client i until `expected` bytes have come (the event loop turning meanwhile, so a
    // connection whose kernel buffer filled can continue); false if they do not.
    bool receive(int i, qsizetype expected, QByteArray &into)
    {
        ::fcntl(client(i), F_SETFL, O_NONBLOCK);
        char buffer[65536];
        return QTest::qWaitFor([&] {
            for (;;) {
                const ssize_t got = ::read(client(i), buffer, sizeof buffer);
                if (got <= 0)
                    break;
                into.append(buffer, got);
            }
            return into.size() >= expected;
        }, 20000);
    }

private:
    WriteBatcher m_batcher;
    std::vector<int> m_clients;
    std::vector<std::unique_ptr<PeerConnection>> m_connections;
};

// Frame `n` for connection `c`: distinct bytes, so order and completeness show.
Frame numbered(int c, int n, qsizetype size = 0)
{
    QByteArray payload = QByteArray::number(c) + '.' + QByteArray::number(n) + ';';
    if (size > payload.size())
        payload.append(QByteArray(size - payload.size(), char('a' + n % 26)));
    return Frame::text(payload);
}

QByteArray expectedBytes(int c, int frames, qsizetype size = 0)
{
    QByteArray bytes;
    for (int n = 0; n < frames; ++n)
        bytes += numbered(c, n, size).bytes();
    return bytes;
}

// One row per write path.
void addPathRows()
{
    QTest::addColumn<WritePath>("path");
    QTest::newRow("io_uring") << WritePath::Ring;
    QTest::newRow("sendmsg") << WritePath::SendMsg;
}

bool ringAvailable()
{
    WriteBatcher probe;
    return probe.usesSendRing();
}

} // namespace

class TestSendRing : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        // Each connection here is two descriptors.
        rlimit limit{};
        ::getrlimit(RLIMIT_NOFILE, &limit);
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }

    // Every connection's frames of one turn arrive whole and in order, through either path;
    // through the ring they take one system call per 256 connections (the ring's depth), not
    // one per connection. More frames than one send carries (256) continue after it.
    void framesArriveWholeAndInOrder_data()
    {
        QTest::addColumn<WritePath>("path");
        QTest::addColumn<int>("connections");
        QTest::addColumn<int>("frames");
        QTest::addColumn<quint64>("submissions");
        QTest::newRow("io_uring: 300 connections, 1 frame each") << WritePath::Ring << 300 << 1 << quint64(2);
        QTest::newRow("io_uring: 100 connections, 3 frames each") << WritePath::Ring << 100 << 3 << quint64(1);
        QTest::newRow("io_uring: 2 connections, 600 frames each") << WritePath::Ring << 2 << 600 << quint64(1);
        QTest::newRow("sendmsg: 300 connections, 1 frame each") << WritePath::SendMsg << 300 << 1 << quint64(0);
        QTest::newRow("sendmsg: 2 connections, 600 frames each") << WritePath::SendMsg << 2 << 600 << quint64(0);
    }
    void framesArriveWholeAndInOrder()
    {
        QFETCH(WritePath, path);
        QFETCH(int, connections);
        QFETCH(int, frames);
        QFETCH(quint64, submissions);
        if (path == WritePath::Ring && !ringAvailable())
            QSKIP("this kernel offers no io_uring");
        Connections peers(path, connections);
        QCOMPARE(peers.size(), connections);
        for (int c = 0; c < connections; ++c) {
            for (int n = 0; n < frames; ++n)
                peers[c].send(numbered(c, n));
        }
        peers.batcher().flushAll();
        QCOMPARE(peers.batcher().sendRingSubmissions(), submissions);
        for (int c = 0; c < connections; ++c) {
            const QByteArray expected = expectedBytes(c, frames);
            QByteArray got;
            QVERIFY2(peers.receive(c, expected.size(), got), qPrintable(QString::number(c)));
            QCOMPARE(got, expected);
        }
    }

    // A peer that reads slowly: the kernel takes part of a turn's frames, the rest waits for
    // the socket to become writable and follows in order; a frame written in a later turn
    // goes after them, not before. What waits goes out through the ring too (a connection
    // with a backlog is a busy server's usual case), not by a sendmsg of its own.
    void whatTheKernelRefusesFollowsInOrder_data()
    {
        addPathRows();
    }
    void whatTheKernelRefusesFollowsInOrder()
    {
        QFETCH(WritePath, path);
        if (path == WritePath::Ring && !ringAvailable())
            QSKIP("this kernel offers no io_uring");
        Connections peers(path, 2, true);
        constexpr int kFrames = 200;
        constexpr qsizetype kSize = 8000; // 1.6 MB: far more than the small buffers hold
        for (int n = 0; n < kFrames; ++n)
            peers[0].send(numbered(0, n, kSize));
        peers[1].send(numbered(1, 0));
        peers.batcher().flushAll();
        QVERIFY2(peers[0].isOpen(), "the kernel's full buffer is no error");
        const quint64 submissionsBefore = peers.batcher().sendRingSubmissions();
        peers[0].send(numbered(0, kFrames, kSize)); // a later turn
        peers.batcher().flushAll();

        QByteArray other;
        QVERIFY(peers.receive(1, numbered(1, 0).size(), other)); // not held up by the slow one
        QByteArray got;
        const QByteArray expected = expectedBytes(0, kFrames + 1, kSize);
        QVERIFY(peers.receive(0, expected.size(), got));
        QCOMPARE(got.size(), expected.size());
        QVERIFY(got == expected);
        if (path == WritePath::Ring) // the later turn, then one at least per writable event
            QVERIFY(peers.batcher().sendRingSubmissions() >= submissionsBefore + 2);
        else
            QCOMPARE(peers.batcher().sendRingSubmissions(), quint64(0));
    }

    // A peer that reset its connection: its send fails, the connection ends (closed()), and
    // the other connections of the same submission get their frames.
    void aBrokenPeerEndsAloneAfterTheRing_data()
    {
        addPathRows();
    }
    void aBrokenPeerEndsAloneAfterTheRing()
    {
        QFETCH(WritePath, path);
        if (path == WritePath::Ring && !ringAvailable())
            QSKIP("this kernel offers no io_uring");
        Connections peers(path, 3);
        QSignalSpy ended(&peers[1], &PeerConnection::closed);
        for (int c = 0; c < 3; ++c)
            peers[c].send(numbered(c, 0));
        peers.batcher().flushAll();
        // Loopback delivers the reset at once. No event is processed before the next flush, so
        // the failed send (not the read notifier) finds it.
        peers.reset(1);
        for (int c = 0; c < 3; ++c)
            peers[c].send(numbered(c, 1));
        peers.batcher().flushAll();
        QCOMPARE(ended.size(), 1);
        for (int c : {0, 2}) {
            const QByteArray expected = expectedBytes(c, 2);
            QByteArray got;
            QVERIFY(peers.receive(c, expected.size(), got));
            QCOMPARE(got, expected);
        }
    }
};

QTEST_GUILESS_MAIN(TestSendRing)
#include "tst_sendring.moc"
