#include "socket/Frame.h"

#include <QTest>
#include <QtEndian>

using rill::server::Frame;

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
