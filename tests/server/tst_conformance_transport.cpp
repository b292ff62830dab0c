// Conformance (black box, from PROTOCOL.md): transport. Any request path is accepted; the server
// pings idle connections and drops a peer that stops answering (and that peer's user goes
// offline). The silent peer is a raw TCP socket speaking just enough RFC 6455 to log in.

#include "Conformance.h"

#include <QElapsedTimer>
#include <QTcpSocket>

using namespace rill::test;
using namespace rill::test::conf;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
const QString kPassword = u"correct horse"_s;

// A WebSocket client that never answers pings: frames are written and read by hand.
class RawPeer
{
public:
    bool open(quint16 port)
    {
        m_socket.connectToHost(u"127.0.0.1"_s, port);
        if (!m_socket.waitForConnected(5000))
            return false;
        m_socket.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        if (!waitUntil([this] { readMore(); return m_in.contains("\r\n\r\n") || !connected(); }, 5s))
            return false;
        const qsizetype end = m_in.indexOf("\r\n\r\n");
        if (end < 0 || !m_in.startsWith("HTTP/1.1 101"))
            return false;
        m_in.remove(0, end + 4);
        return true;
    }

    // One masked text frame (clients must mask).
    void sendText(const QByteArray &payload)
    {
        QByteArray frame;
        frame.append(char(0x81));
        if (payload.size() < 126) {
            frame.append(char(0x80 | payload.size()));
        } else {
            frame.append(char(0x80 | 126));
            frame.append(char((payload.size() >> 8) & 0xff));
            frame.append(char(payload.size() & 0xff));
        }
        const char mask[4] = {0x12, 0x34, 0x56, 0x78};
        frame.append(mask, 4);
        for (qsizetype i = 0; i < payload.size(); ++i)
            frame.append(char(payload[i] ^ mask[i % 4]));
        m_socket.write(frame);
        m_socket.flush();
    }

    // Parses the frames received so far; returns false when a frame is incomplete.
    bool nextFrame(int *opcode, QByteArray *payload)
    {
        if (m_in.size() < 2)
            return false;
        const int op = quint8(m_in[0]) & 0x0f;
        quint64 len = quint8(m_in[1]) & 0x7f;
        qsizetype at = 2;
        if (len == 126) {
            if (m_in.size() < 4)
                return false;
            len = (quint64(quint8(m_in[2])) << 8) | quint8(m_in[3]);
            at = 4;
        } else if (len == 127) {
            if (m_in.size() < 10)
                return false;
            len = 0;
            for (int i = 0; i < 8; ++i)
                len = (len << 8) | quint8(m_in[2 + i]);
            at = 10;
        }
        if (quint64(m_in.size() - at) < len)
            return false;
        *opcode = op;
        *payload = m_in.mid(at, qsizetype(len));
        m_in.remove(0, at + qsizetype(len));
        return true;
    }

    // Waits until a frame with opcode `wanted` has been received (now or earlier). Text frames'
    // payloads are kept in `texts`, every opcode in `opcodes`.
    bool waitFor(int wanted, std::chrono::milliseconds timeout)
    {
        return waitUntil(
            [&] {
                readMore();
                int op = 0;
                QByteArray payload;
                while (nextFrame(&op, &payload)) {
                    opcodes << op;
                    if (op == 1)
                        texts << payload;
                }
                return opcodes.contains(wanted) || !connected();
            },
            timeout) && opcodes.contains(wanted);
    }

    bool connected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    void readMore() { m_in.append(m_socket.readAll()); }

    QList<QByteArray> texts;
    QList<int> opcodes;

private:
    QTcpSocket m_socket;
    QByteArray m_in;
};
}

class TestConformanceTransport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void anyPathAccepted_data()
    {
        QTest::addColumn<QString>("path");
        QTest::newRow("root") << u"/"_s;
        QTest::newRow("a word") << u"/chat"_s;
        QTest::newRow("nested with a query") << u"/a/b/c?x=1&y=2"_s;
    }
    void anyPathAccepted()
    {
        QFETCH(QString, path);
        ServerFixture server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        QUrl url = server.url();
        const qsizetype q = path.indexOf(u'?');
        url.setPath(q < 0 ? path : path.left(q));
        if (q >= 0)
            url.setQuery(path.mid(q + 1));
        TestClient c;
        QVERIFY2(c.open(url), qPrintable(url.toString()));
        CONF_OK(c.call(u"hello"_s, {{"version"_L1, 1}}));
    }

    // A peer that answers pings (QWebSocket does, by itself) stays connected across several
    // ping intervals.
    void answeringPeerStays()
    {
        ServerFixture server;
        server.config().pingInterval = 1s;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        TestClient c;
        QVERIFY(c.open(server.url()));
        QVERIFY(c.signUp(u"alice"_s, kPassword));
        QVERIFY2(c.waitClosed(4s) == -1, "the server dropped a peer that answers pings");
        CONF_OK(c.call(u"channels"_s));
    }

    void silentPeerIsPingedThenDropped()
    {
        ServerFixture server;
        server.config().pingInterval = 1s;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        TestClient alice;
        QVERIFY(alice.open(server.url()));
        QVERIFY(alice.signUp(u"alice"_s, kPassword));
        QString bobToken;
        {
            TestClient bob;
            QVERIFY(bob.open(server.url()));
            QVERIFY(bob.signUp(u"bob"_s, kPassword));
            bobToken = bob.token();
        }
        QVERIFY(alice.waitEvent(u"presence"_s, [](const QJsonObject &e) {
            return e.value("user"_L1).toString() == "bob"_L1 && e.value("online"_L1) == QJsonValue(false);
        }, 10s));

        RawPeer silent;
        QVERIFY(silent.open(server.port()));
        silent.sendText(QJsonDocument(QJsonObject{{"id"_L1, 1}, {"op"_L1, u"login"_s}, {"token"_L1, bobToken}}).toJson(QJsonDocument::Compact));
        QVERIFY2(silent.waitFor(0x1, 5s), "no reply to the raw login");
        const QJsonObject reply = QJsonDocument::fromJson(silent.texts.first()).object();
        QVERIFY2(isOk(reply), silent.texts.first().constData());
        QVERIFY2(alice.waitEvent(u"presence"_s, [](const QJsonObject &e) {
            return e.value("user"_L1).toString() == "bob"_L1 && e.value("online"_L1) == QJsonValue(true);
        }), "the raw peer's login did not bring bob online");

        // The server pings the idle peer...
        QElapsedTimer clock;
        clock.start();
        QVERIFY2(silent.waitFor(0x9, 5s), "no ping within 5 s at a 1 s interval");
        // ...and, unanswered, drops it; bob goes offline.
        QVERIFY2(waitUntil([&] { silent.readMore(); return !silent.connected(); }, 20s),
                 "a peer that never answers pings is still connected after 20 s at a 1 s interval");
        qInfo("silent peer dropped %lld ms after it was first pinged", qint64(clock.elapsed()));
        QVERIFY2(alice.waitEvent(u"presence"_s, [](const QJsonObject &e) {
            return e.value("user"_L1).toString() == "bob"_L1 && e.value("online"_L1) == QJsonValue(false);
        }, 10s), "bob stayed online after his only session was dropped");
    }
};

QTEST_GUILESS_MAIN(TestConformanceTransport)
#include "tst_conformance_transport.moc"
