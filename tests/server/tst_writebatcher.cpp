#include "socket/PeerConnection.h"

#include <QTest>
#include <QTimer>

#include <chrono>

using namespace rill::server;
using namespace std::chrono_literals;

namespace {

// Records each write() as one entry: the payloads it carried. Stands for the socket: what
// matters here is how the batcher groups frames into writes, not the bytes on a wire.
class RecordingTransport : public Transport
{
public:
    explicit RecordingTransport(QList<QByteArrayList> &writes) : m_writes(writes) {}
    void write(std::vector<Frame> &frames) override
    {
        QByteArrayList payloads;
        for (const Frame &f : frames)
            payloads.append(f.payload().toByteArray());
        m_writes.append(payloads);
    }
    qint64 unsentBytes() const override { return 0; }
    void flush() override {}
    void close(quint16, const QString &) override {}
    void ping() override {}
    void abort() override {}
    QHostAddress peerAddress() const override { return QHostAddress::LocalHost; }
    quint16 peerPort() const override { return 1; }

private:
    QList<QByteArrayList> &m_writes;
};

} // namespace

class TestWriteBatcher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Two frames queued one event-loop turn apart: without a hold each turn's frames go out at
    // the end of that turn (two writes); with one, the second joins the first in one write.
    // Deterministic without a clock: the second frame comes from a zero timer, which is due
    // before any hold's timer can be.
    void framesOfLaterTurnsShareAWriteOnlyWithAHold_data()
    {
        QTest::addColumn<int>("holdMs");
        QTest::addColumn<QList<QByteArrayList>>("expected");
        QTest::addRow("no hold") << 0 << QList<QByteArrayList>{{"one"}, {"two"}};
        QTest::addRow("hold 50 ms") << 50 << QList<QByteArrayList>{{"one", "two"}};
    }
    void framesOfLaterTurnsShareAWriteOnlyWithAHold()
    {
        QFETCH(int, holdMs);
        QFETCH(QList<QByteArrayList>, expected);
        WriteBatcher batcher;
        batcher.setHold(std::chrono::milliseconds(holdMs));
        QList<QByteArrayList> writes;
        PeerConnection connection(batcher, 1, 1 << 20);
        connection.setTransport(std::make_unique<RecordingTransport>(writes));

        connection.send(Frame::text("one"));
        QTimer::singleShot(0, &connection, [&connection] { connection.send(Frame::text("two")); });
        QTRY_VERIFY(!writes.isEmpty() && writes.last().contains("two"));
        QCOMPARE(writes, expected);
    }

    // A close does not wait for the hold: what was queued goes out before the close frame.
    void closeFlushesWhatTheHoldKeeps()
    {
        WriteBatcher batcher;
        batcher.setHold(1000ms);
        QList<QByteArrayList> writes;
        PeerConnection connection(batcher, 1, 1 << 20);
        connection.setTransport(std::make_unique<RecordingTransport>(writes));
        connection.send(Frame::text("before the close"));
        connection.close(rill::protocol::CloseCode::GoingAway, QStringLiteral("bye"));
        QCOMPARE(writes, (QList<QByteArrayList>{{"before the close"}}));
    }
};

QTEST_GUILESS_MAIN(TestWriteBatcher)
#include "tst_writebatcher.moc"
