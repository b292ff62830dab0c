#include "HttpGet.h"
#include "ServerFixture.h"
#include "TestClient.h"

#include "redis/EmbeddedRedis.h"

#include <QDir>
#include <QDirIterator>
#include <QProcess>
#include <QJsonDocument>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <arpa/inet.h>
#include <csignal>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace rill::test;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

// A WebSocket peer at the TCP level: it completes the handshake, can send frames, and then
// does what a broken or malicious client does: stops reading, or never answers a ping.
class RawPeer
{
public:
    bool open(quint16 port, int receiveBuffer = 0)
    {
        // A small receive buffer makes "not reading" fill up quickly; it must be set before
        // connecting, so the socket is made by hand and then given to Qt.
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        if (receiveBuffer)
            ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receiveBuffer, sizeof receiveBuffer);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) { // loopback: immediate
            ::close(fd);
            return false;
        }
        if (!m_socket.setSocketDescriptor(fd))
            return false;
        m_socket.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        return waitUntil([this] { return m_socket.peek(1024).contains("\r\n\r\n"); }, 5s)
            && m_socket.readAll().startsWith("HTTP/1.1 101");
    }

    // A masked text frame (clients must mask; a zero key leaves the payload as is).
    void sendText(const QByteArray &payload)
    {
        QByteArray frame;
        frame.append(char(0x81));
        if (payload.size() < 126) {
            frame.append(char(0x80 | payload.size()));
        } else {
            frame.append(char(0x80 | 126));
            frame.append(char(payload.size() >> 8));
            frame.append(char(payload.size() & 0xff));
        }
        frame.append(QByteArray(4, '\0'));
        m_socket.write(frame + payload);
    }

    // Any bytes, as they go on the wire.
    void sendRaw(const QByteArray &bytes) { m_socket.write(bytes); }

    // Reads until `needle` has arrived.
    bool readUntil(const QByteArray &needle)
    {
        return waitUntil([&] {
            m_seen += m_socket.readAll();
            return m_seen.contains(needle);
        }, 10s);
    }

    void stopReading() { m_socket.setReadBufferSize(1); }
    // Whether the server ended the TCP connection.
    bool waitDisconnected()
    {
        return waitUntil([this] {
            m_seen += m_socket.readAll();
            return m_socket.state() == QAbstractSocket::UnconnectedState;
        }, 10s);
    }
    [[nodiscard]] const QByteArray &seen() const { return m_seen; }

private:
    QTcpSocket m_socket;
    QByteArray m_seen;
};

// A client frame: masked with a key that changes every byte (a zero key would hide mistakes).
QByteArray maskedFrame(quint8 firstByte, const QByteArray &payload, bool masked = true)
{
    QByteArray frame(1, char(firstByte));
    frame.append(char((masked ? 0x80 : 0) | payload.size())); // < 126 bytes here
    const char key[4] = {'\x5a', '\x01', '\x7f', '\x22'};
    if (masked)
        frame.append(key, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        frame.append(masked ? char(payload[i] ^ key[i % 4]) : payload[i]);
    return frame;
}

// Whether `seen` holds a server close frame (0x88, a length, then the code) with `code`.
bool hasCloseFrame(const QByteArray &seen, quint16 code)
{
    for (qsizetype at = seen.indexOf(char(0x88)); at >= 0 && at + 4 <= seen.size(); at = seen.indexOf(char(0x88), at + 1)) {
        if (quint8(seen[at + 2]) == (code >> 8) && quint8(seen[at + 3]) == (code & 0xff))
            return true;
    }
    return false;
}

} // namespace

class TestTransport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // What RFC 6455 says a server must refuse gets the close code it names, then the end of
    // the connection; everyone else is served meanwhile.
    void protocolViolationsCloseWithTheirCode_data()
    {
        QTest::addColumn<QByteArray>("frame");
        QTest::addColumn<int>("code");
        QTest::newRow("unmasked text") << maskedFrame(0x81, R"({"id":1,"op":"hello","version":1})", false) << 1002;
        QTest::newRow("reserved bit") << maskedFrame(0xC1, "{}") << 1002;
        QTest::newRow("unknown opcode") << maskedFrame(0x83, "{}") << 1002;
        QTest::newRow("continuation first") << maskedFrame(0x80, "{}") << 1002;
        QTest::newRow("text not UTF-8") << maskedFrame(0x81, "\"\xc3\x28\""_ba) << 1007;
        QTest::newRow("close code 1005") << maskedFrame(0x88, "\x03\xed"_ba) << 1002;
    }
    void protocolViolationsCloseWithTheirCode()
    {
        QFETCH(QByteArray, frame);
        QFETCH(int, code);
        ServerFixture server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        TestClient bystander;
        QVERIFY(bystander.open(server.url()));
        QVERIFY(bystander.signUp(u"bystander"_s));
        RawPeer peer;
        QVERIFY(peer.open(server.port()));
        peer.sendRaw(frame);
        QVERIFY(bystander.call(u"channels"_s).value("ok"_L1).toBool());
        QVERIFY2(peer.waitDisconnected(), "the server kept the connection open");
        QVERIFY2(hasCloseFrame(peer.seen(), quint16(code)), peer.seen().toHex(' ').constData());
        QVERIFY(bystander.call(u"channels"_s).value("ok"_L1).toBool());
    }

    // Control frames: a ping is answered with a pong carrying its payload, between the
    // fragments of a message too, and the message still arrives whole.
    void pingsAreAnsweredAndFragmentsJoined()
    {
        ServerFixture server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        RawPeer peer;
        QVERIFY(peer.open(server.port()));
        const QByteArray hello = R"({"id":7,"op":"hello","version":1})";
        peer.sendRaw(maskedFrame(0x01, hello.first(10)) + maskedFrame(0x89, "are you there") + maskedFrame(0x80, hello.sliced(10)));
        QVERIFY(peer.readUntil("\x8a\x0d" "are you there"_ba));
        QVERIFY(peer.readUntil(R"("re":7)"));
        QVERIFY(peer.readUntil(R"("ok":true)"));
    }

    // The peer's close is answered with a close frame echoing its code, and the server ends
    // the connection.
    void peerCloseIsAnsweredAndTheConnectionEnds()
    {
        ServerFixture server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        RawPeer peer;
        QVERIFY(peer.open(server.port()));
        QCOMPARE(server.server()->connectionCount(), 1);
        peer.sendRaw(maskedFrame(0x88, "\x0f\xa0going"_ba)); // 4000, "going"
        QVERIFY2(peer.waitDisconnected(), "the server kept the connection open");
        QVERIFY2(hasCloseFrame(peer.seen(), 4000), peer.seen().toHex(' ').constData());
        QTRY_COMPARE_WITH_TIMEOUT(server.server()->connectionCount(), 0, 10000);
    }

    void clientThatStopsReadingIsDroppedWithoutSlowingOthers()
    {
        ServerFixture server;
        server.config().maxBacklogBytes = 64 * 1024;
        server.config().httpPort = 0; // to read rill_slow_consumer_drops_total
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        TestClient alice;
        QVERIFY(alice.open(server.url()));
        QVERIFY(alice.signUp(u"alice"_s));

        RawPeer slow;
        QVERIFY(slow.open(server.port(), 4096));
        slow.sendText(R"({"id":1,"op":"register","user":"slowpoke","password":"slow and steady"})");
        QVERIFY(slow.readUntil(R"("re":1)"));
        slow.stopReading();
        QCOMPARE(server.server()->connectionCount(), 2);

        // Alice talks in general, where the slow peer is too, until the server gives up on it.
        const QString text(1000, u'x');
        int sent = 0;
        while (server.server()->connectionCount() == 2 && sent < 20000) {
            QList<qint64> ids;
            for (int i = 0; i < 50; ++i)
                ids.append(alice.post(u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, text}}));
            for (qint64 id : ids) {
                const QJsonObject reply = alice.replyTo(id);
                QVERIFY2(reply.value("ok"_L1).toBool(), QJsonDocument(reply).toJson().constData());
            }
            sent += 50;
        }
        QVERIFY2(server.server()->connectionCount() == 1, "the peer that stopped reading was never dropped");
        QCOMPARE(scrape(server.server()->httpPort(), u"rill_slow_consumer_drops_total"_s), 1.0);
        qInfo("slow peer dropped after %d messages of 1000 characters", sent);

        // Alice was never held back: every one of her messages came back to her.
        int received = 0;
        const auto mine = [&text](const QJsonObject &e) {
            return e.value("message"_L1).toObject().value("text"_L1).toString() == text;
        };
        while (alice.waitEvent(u"message"_s, mine, 500ms))
            ++received;
        QCOMPARE(received, sent);
        QVERIFY(alice.isConnected());
    }

    // An instance that missed bus entries (trimmed before it read them), or whose Redis lost
    // entries it had read (a failover to a replica that never got them: the numbering goes
    // back), closes its sessions with 1011 so that their clients reconnect and resume from
    // history.
    void sessionsOfAnInstanceThatFellBehindAreToldToReconnect_data()
    {
        QTest::addColumn<int>("step");
        QTest::newRow("entries skipped") << 2;
        QTest::newRow("numbering went back") << -3;
    }
    void sessionsOfAnInstanceThatFellBehindAreToldToReconnect()
    {
        QFETCH(int, step);
        ServerFixture server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        TestClient alice, bob;
        QVERIFY(alice.open(server.url()) && bob.open(server.url()));
        QVERIFY(alice.signUp(u"alice"_s));
        QVERIFY(bob.signUp(u"bob"_s));
        QVERIFY(alice.call(u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, u"in order"_s}}).value("ok"_L1).toBool());
        QVERIFY(bob.waitEvent(u"message"_s, [](const QJsonObject &e) {
            return e.value("message"_L1).toObject().value("text"_L1).toString() == "in order"_L1;
        }));
        QVERIFY(bob.isConnected());

        server.redis().run({"INCRBY", "rill:busseq", QByteArray::number(step)});
        alice.post(u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, u"after the gap"_s}});
        QCOMPARE(bob.waitClosed(), 1011);
        QCOMPARE(alice.waitClosed(), 1011);
    }

    // A client that resends a backlog in one burst after a reconnect runs into the limit, but
    // backs off: that is not flooding, and the connection stays.
    void burstThenBackOffIsNotFlooding()
    {
        ServerFixture server;
        server.config().rateLimitPerSecond = 5;
        server.config().rateLimitBurst = 20;
        QVERIFY(server.start());
        TestClient alice;
        QVERIFY(alice.open(server.url()));
        QVERIFY(alice.signUp(u"alice"_s));
        QList<qint64> ids;
        for (int i = 0; i < 150; ++i)
            ids.append(alice.post(u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, u"backlog"_s}}));
        int limited = 0;
        for (qint64 id : ids)
            limited += alice.replyTo(id).value("error"_L1).toString() == "rate_limited"_L1;
        QVERIFY(limited >= 100);
        QTest::qWait(1200); // backing off, as told: the bucket refills meanwhile
        QVERIFY(alice.isConnected());
        QVERIFY(alice.call(u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, u"later"_s}}).value("ok"_L1).toBool());
    }

    void peerThatNeverAnswersPingsIsDropped()
    {
        ServerFixture server;
        server.config().pingInterval = 1s;
        QVERIFY(server.start());
        TestClient healthy; // QWebSocket answers pings by itself
        QVERIFY(healthy.open(server.url()));
        RawPeer silent;
        QVERIFY(silent.open(server.port()));
        QCOMPARE(server.server()->connectionCount(), 2);

        QTRY_COMPARE_WITH_TIMEOUT(server.server()->connectionCount(), 1, 6000);
        QVERIFY(healthy.isConnected());
        QVERIFY(healthy.call(u"hello"_s, {{"version"_L1, 1}}).value("ok"_L1).toBool());
    }

    void gracefulShutdownSaysByeAndClosesWith1001()
    {
        ServerFixture server;
        QVERIFY(server.start());
        TestClient alice, anonymous;
        QVERIFY(alice.open(server.url()));
        QVERIFY(alice.signUp(u"alice"_s));
        QVERIFY(anonymous.open(server.url()));
        server.stop();
        for (TestClient *c : {&alice, &anonymous}) {
            const auto bye = c->waitEvent(u"bye"_s);
            QVERIFY(bye);
            QVERIFY(!bye->value("reason"_L1).toString().isEmpty());
            QCOMPARE(c->waitClosed(), 1001);
        }
    }

    void daemonStopsCleanlyOnSigterm()
    {
        QTemporaryDir data;
        const quint16 port = rill::redis::findFreeLocalPort();
        QProcess daemon;
        daemon.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        // The embedded default: no Redis address, so it starts its own under --data-dir.
        daemon.start(QStringLiteral(RILL_SERVER_BINARY),
                     {u"--data-dir"_s, data.path(), u"--port"_s, QString::number(port), u"--listen"_s, u"127.0.0.1"_s});
        QVERIFY(daemon.waitForStarted());
        TestClient alice;
        const QUrl url(u"ws://127.0.0.1:"_s + QString::number(port));
        QTRY_VERIFY_WITH_TIMEOUT(alice.open(url), 15000);
        QVERIFY(alice.signUp(u"alice"_s));
        QVERIFY(QFileInfo::exists(data.filePath(u"redis/redis.sock"_s)));

        ::kill(pid_t(daemon.processId()), SIGTERM);
        QVERIFY(alice.waitEvent(u"bye"_s));
        QCOMPARE(alice.waitClosed(), 1001);
        QTRY_VERIFY_WITH_TIMEOUT(daemon.state() == QProcess::NotRunning, 10000);
        QCOMPARE(daemon.exitStatus(), QProcess::NormalExit);
        QCOMPARE(daemon.exitCode(), 0);

        // Its private redis-server went with it, after writing its data out.
        bool redisLeft = false;
        QDirIterator procs(u"/proc"_s, QDir::Dirs | QDir::NoDotAndDotDot);
        while (procs.hasNext()) {
            QFile cmdline(procs.next() + u"/cmdline"_s);
            if (cmdline.open(QIODevice::ReadOnly) && cmdline.readAll().contains(data.path().toUtf8()))
                redisLeft = true;
        }
        QVERIFY(!redisLeft);
        QVERIFY(QFileInfo::exists(data.filePath(u"redis/appendonlydir"_s)));
    }
};

QTEST_GUILESS_MAIN(TestTransport)
#include "tst_transport.moc"
