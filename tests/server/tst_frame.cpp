#include "socket/Frame.h"
#include "socket/FrameReader.h"

#include <QTest>
#include <QtEndian>

using namespace Qt::StringLiterals;
using rill::server::Frame;
using rill::server::FrameReader;

class TestFrame : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // RFC 6455 5.2: the three length forms, at their edges; unmasked, FIN, text.
    void headerCarriesTheLength_data()
    {
        QTest::addColumn<int>("length");
        QTest::addColumn<int>("headerSize");
        for (const int n : {0, 1, 125})
            QTest::addRow("%d bytes", n) << n << 2;
        for (const int n : {126, 127, 65535})
            QTest::addRow("%d bytes", n) << n << 4;
        for (const int n : {65536, 300000})
            QTest::addRow("%d bytes", n) << n << 10;
    }
    void headerCarriesTheLength()
    {
        QFETCH(int, length);
        QFETCH(int, headerSize);
        QByteArray text(length, 'x');
        if (length)
            text[length - 1] = 'z';
        const Frame frame = Frame::text(text);
        const QByteArray &bytes = frame.bytes();
        QCOMPARE(bytes.size(), headerSize + length);
        QCOMPARE(quint8(bytes[0]), quint8(0x81));
        QCOMPARE(quint8(bytes[1]) & 0x80, 0); // servers do not mask
        quint64 encoded = quint8(bytes[1]);
        if (headerSize == 4) {
            QCOMPARE(encoded, quint64(126));
            encoded = qFromBigEndian<quint16>(bytes.constData() + 2);
        } else if (headerSize == 10) {
            QCOMPARE(encoded, quint64(127));
            encoded = qFromBigEndian<quint64>(bytes.constData() + 2);
        }
        QCOMPARE(encoded, quint64(length));
        QVERIFY(frame.payload() == QByteArrayView(text));
    }

    // RFC 6455 5.3: a client's frame is masked with the key it carries; the server's reader
    // gets the payload back, at every length form, for data and control frames.
    void maskedFrameDecodesToItsPayload_data()
    {
        QTest::addColumn<int>("opcode");
        QTest::addColumn<QByteArray>("payload");
        QTest::addColumn<QByteArray>("expected");
        QByteArray text;
        for (int i = 0; i < 70000; ++i)
            text.append(char('a' + i % 26));
        for (const int n : {0, 1, 7, 125, 126, 65535, 65536, 70000})
            QTest::addRow("text of %d bytes", n) << int(Frame::Opcode::Text) << text.first(n) << text.first(n);
        QTest::newRow("ping") << int(Frame::Opcode::Ping) << QByteArray("are you there") << QByteArray("are you there");
        QTest::newRow("ping, cut to 125") << int(Frame::Opcode::Ping) << text.first(200) << text.first(125);
        const QByteArray close = Frame::closePayload(1000, u"bye"_s);
        QTest::newRow("close") << int(Frame::Opcode::Close) << close << close;
    }
    void maskedFrameDecodesToItsPayload()
    {
        QFETCH(int, opcode);
        QFETCH(QByteArray, payload);
        QFETCH(QByteArray, expected);
        const Frame::MaskingKey key{'\x9c', '\x01', '\xee', '\x5a'};
        const Frame frame = Frame::masked(Frame::Opcode(opcode), payload, key);
        const QByteArray &bytes = frame.bytes();
        QCOMPARE(quint8(bytes[0]), quint8(0x80 | opcode));
        QVERIFY(quint8(bytes[1]) & 0x80); // the mask bit
        if (expected.size() >= 8)
            QVERIFY(frame.payload() != QByteArrayView(expected)); // not sent in the clear

        FrameReader reader(1 << 20); // the server's end
        QList<FrameReader::Message> messages;
        const auto failure = reader.read(bytes, [&](FrameReader::Message &&m) { messages.append(std::move(m)); });
        QVERIFY(!failure);
        QCOMPARE(messages.size(), 1);
        QCOMPARE(int(messages[0].opcode), opcode);
        QCOMPARE(messages[0].payload, expected);
    }

    void copiesShareTheirBytes()
    {
        const Frame frame = Frame::text("{\"ev\":\"typing\"}");
        const Frame copy = frame; // one per recipient
        QCOMPARE(copy.bytes().constData(), frame.bytes().constData());
        QVERIFY(Frame().isNull());
    }
};

QTEST_GUILESS_MAIN(TestFrame)

#include "tst_frame.moc"
