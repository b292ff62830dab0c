#include "socket/FrameReader.h"

#include <QTest>
#include <QtEndian>

using rill::server::Frame;
using rill::server::FrameReader;
using namespace Qt::StringLiterals;

namespace {

constexpr qsizetype kMax = 64 * 1024;

// A client's frame as it goes on the wire: masked with a key that changes every byte.
QByteArray clientFrame(quint8 opcode, const QByteArray &payload, bool fin = true, bool masked = true, quint8 rsv = 0)
{
    QByteArray frame;
    frame.append(char((fin ? 0x80 : 0) | rsv | opcode));
    const quint8 maskBit = masked ? 0x80 : 0;
    if (payload.size() < 126) {
        frame.append(char(maskBit | payload.size()));
    } else if (payload.size() <= 0xffff) {
        frame.append(char(maskBit | 126));
        char length[2];
        qToBigEndian(quint16(payload.size()), length);
        frame.append(length, 2);
    } else {
        frame.append(char(maskBit | 127));
        char length[8];
        qToBigEndian(quint64(payload.size()), length);
        frame.append(length, 8);
    }
    const char key[4] = {'\x37', '\xfa', '\x21', '\x3d'};
    if (masked)
        frame.append(key, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        frame.append(masked ? char(payload[i] ^ key[i % 4]) : payload[i]);
    return frame;
}

// A server's frame: the same, unmasked.
QByteArray serverFrame(quint8 opcode, const QByteArray &payload, bool fin = true)
{
    return clientFrame(opcode, payload, fin, false);
}

QByteArray closePayload(quint16 code, const QByteArray &reason = {})
{
    QByteArray payload(2, Qt::Uninitialized);
    qToBigEndian(code, payload.data());
    return payload + reason;
}

// One delivered message, as a row compares it: "text:hello", "ping:", "close:<hex>".
QString describe(const FrameReader::Message &message)
{
    switch (message.opcode) {
    case Frame::Opcode::Text: return u"text:"_s + QString::fromUtf8(message.payload);
    case Frame::Opcode::Binary: return u"binary:"_s + QString::fromLatin1(message.payload.toHex());
    case Frame::Opcode::Ping: return u"ping:"_s + QString::fromLatin1(message.payload);
    case Frame::Opcode::Pong: return u"pong:"_s + QString::fromLatin1(message.payload);
    case Frame::Opcode::Close: return u"close:"_s + QString::fromLatin1(message.payload.toHex());
    case Frame::Opcode::Continuation: break;
    }
    return u"?"_s;
}

struct Outcome {
    QStringList delivered;
    int failure = 0; // close code, 0 for none
    bool explained = true; // a failure came with a reason
    qsizetype held = 0;    // bytes held once everything was fed
};

// Feeds `bytes` in pieces of `piece` bytes (0: all at once) to a reader at the `role` end.
Outcome feed(const QByteArray &bytes, int piece, FrameReader::Role role = FrameReader::Role::Server)
{
    FrameReader reader(kMax, role);
    Outcome outcome;
    const auto deliver = [&](FrameReader::Message &&m) { outcome.delivered.append(describe(m)); };
    const qsizetype step = piece > 0 ? piece : std::max<qsizetype>(bytes.size(), 1);
    for (qsizetype at = 0; at < bytes.size(); at += step) {
        if (const auto failure = reader.read(QByteArrayView(bytes).sliced(at, std::min(step, bytes.size() - at)), deliver)) {
            outcome.failure = failure->code;
            outcome.explained = !failure->reason.isEmpty() && reader.failed();
            break;
        }
    }
    outcome.held = reader.heldBytes();
    return outcome;
}

} // namespace

class TestFrameReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // What a server must accept (RFC 6455 section 5), fed at once, a byte at a time and in
    // pieces of 7: the same messages in the same order.
    void readsWhatAClientMaySend_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QStringList>("expected");
        const QByteArray longText(300, 'l');
        const QByteArray longestText(kMax, 'm');
        const QByteArray e = "\xc3\xa9"_ba; // é: two bytes
        QTest::newRow("one text frame") << clientFrame(0x1, "hello") << QStringList{u"text:hello"_s};
        QTest::newRow("empty text") << clientFrame(0x1, {}) << QStringList{u"text:"_s};
        QTest::newRow("16-bit length") << clientFrame(0x1, longText) << QStringList{u"text:"_s + QString::fromLatin1(longText)};
        QTest::newRow("64-bit length, the limit exactly")
            << clientFrame(0x1, longestText) << QStringList{u"text:"_s + QString::fromLatin1(longestText)};
        QTest::newRow("three fragments")
            << clientFrame(0x1, "he", false) + clientFrame(0x0, "ll", false) + clientFrame(0x0, "o")
            << QStringList{u"text:hello"_s};
        QTest::newRow("a character split between fragments")
            << clientFrame(0x1, e.first(1), false) + clientFrame(0x0, e.sliced(1)) << QStringList{u"text:é"_s};
        QTest::newRow("ping between fragments")
            << clientFrame(0x1, "a", false) + clientFrame(0x9, "p") + clientFrame(0x0, "b")
            << QStringList{u"ping:p"_s, u"text:ab"_s};
        QTest::newRow("two messages in one read")
            << clientFrame(0x1, "one") + clientFrame(0x1, "two") << QStringList{u"text:one"_s, u"text:two"_s};
        QTest::newRow("pong") << clientFrame(0xA, "x") << QStringList{u"pong:x"_s};
        QTest::newRow("binary") << clientFrame(0x2, "\x00\xff"_ba) << QStringList{u"binary:00ff"_s};
        QTest::newRow("close with a code and reason")
            << clientFrame(0x8, closePayload(1000, "bye")) << QStringList{u"close:03e8627965"_s};
        QTest::newRow("close without a code") << clientFrame(0x8, {}) << QStringList{u"close:"_s};
        QTest::newRow("close, a private code") << clientFrame(0x8, closePayload(4000)) << QStringList{u"close:0fa0"_s};
    }
    void readsWhatAClientMaySend()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QStringList, expected);
        for (const int piece : {0, 1, 7}) {
            const Outcome outcome = feed(bytes, piece);
            QCOMPARE(outcome.failure, 0);
            QCOMPARE(outcome.delivered, expected);
            QCOMPARE(outcome.held, 0); // whatever was complete is delivered and not held
        }
    }

    // What it must refuse, with the code to close with, also when the bytes arrive one by one;
    // what came before the violation is still delivered.
    void failsTheConnectionOnViolations_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("code");
        QTest::addColumn<QStringList>("before");
        const QStringList none;
        QTest::newRow("unmasked") << clientFrame(0x1, "hi", true, false) << 1002 << none;
        QTest::newRow("reserved bit 1") << clientFrame(0x1, "hi", true, true, 0x40) << 1002 << none;
        QTest::newRow("reserved bit 3") << clientFrame(0x1, "hi", true, true, 0x10) << 1002 << none;
        QTest::newRow("opcode 3") << clientFrame(0x3, "hi") << 1002 << none;
        QTest::newRow("opcode 11") << clientFrame(0xB, "hi") << 1002 << none;
        QTest::newRow("continuation first") << clientFrame(0x0, "hi") << 1002 << none;
        QTest::newRow("text inside a fragmented text")
            << clientFrame(0x1, "a", false) + clientFrame(0x1, "b") << 1002 << none;
        QTest::newRow("fragmented ping") << clientFrame(0x9, "p", false) << 1002 << none;
        QTest::newRow("ping of 126 bytes") << clientFrame(0x9, QByteArray(126, 'p')) << 1002 << none;
        QTest::newRow("one byte over the limit") << clientFrame(0x1, QByteArray(kMax + 1, 'x')) << 1009 << none;
        QTest::newRow("fragments over the limit")
            << clientFrame(0x1, QByteArray(kMax, 'x'), false) + clientFrame(0x0, "y") << 1009 << none;
        QTest::newRow("invalid UTF-8") << clientFrame(0x1, "\xc3\x28"_ba) << 1007 << none;
        QTest::newRow("a surrogate in UTF-8") << clientFrame(0x1, "\xed\xa0\x80"_ba) << 1007 << none;
        QTest::newRow("invalid UTF-8 over fragments")
            << clientFrame(0x1, "ok", false) + clientFrame(0x0, "\xff"_ba) << 1007 << none;
        QTest::newRow("close with one byte") << clientFrame(0x8, "\x03"_ba) << 1002 << none;
        QTest::newRow("close code 1005") << clientFrame(0x8, closePayload(1005)) << 1002 << none;
        QTest::newRow("close code 999") << clientFrame(0x8, closePayload(999)) << 1002 << none;
        QTest::newRow("close code 2000") << clientFrame(0x8, closePayload(2000)) << 1002 << none;
        QTest::newRow("close reason not UTF-8") << clientFrame(0x8, closePayload(1000, "\xc3"_ba)) << 1007 << none;
        QTest::newRow("a good message, then a violation")
            << clientFrame(0x1, "fine") + clientFrame(0x1, "no", true, false) << 1002 << QStringList{u"text:fine"_s};
    }
    void failsTheConnectionOnViolations()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(int, code);
        QFETCH(QStringList, before);
        for (const int piece : {0, 1}) {
            const Outcome outcome = feed(bytes, piece);
            QCOMPARE(outcome.failure, code);
            QVERIFY(outcome.explained);
            QCOMPARE(outcome.delivered, before);
        }
    }

    // The client end (the load tool's): what a server sends, unmasked, read whole, a byte at
    // a time and in pieces of 7.
    void clientReadsWhatAServerMaySend_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QStringList>("expected");
        const QByteArray longText(300, 'l');
        const QByteArray longestText(kMax, 'm');
        QTest::newRow("one text frame") << serverFrame(0x1, "hello") << QStringList{u"text:hello"_s};
        QTest::newRow("as Frame encodes it")
            << Frame::text("{\"ev\":1}").bytes() << QStringList{u"text:{\"ev\":1}"_s};
        QTest::newRow("empty text") << serverFrame(0x1, {}) << QStringList{u"text:"_s};
        QTest::newRow("16-bit length")
            << serverFrame(0x1, longText) << QStringList{u"text:"_s + QString::fromLatin1(longText)};
        QTest::newRow("64-bit length, the limit exactly")
            << serverFrame(0x1, longestText) << QStringList{u"text:"_s + QString::fromLatin1(longestText)};
        QTest::newRow("three fragments")
            << serverFrame(0x1, "he", false) + serverFrame(0x0, "ll", false) + serverFrame(0x0, "o")
            << QStringList{u"text:hello"_s};
        QTest::newRow("ping between fragments")
            << serverFrame(0x1, "a", false) + serverFrame(0x9, "p") + serverFrame(0x0, "b")
            << QStringList{u"ping:p"_s, u"text:ab"_s};
        QTest::newRow("two messages in one read")
            << serverFrame(0x1, "one") + serverFrame(0x1, "two") << QStringList{u"text:one"_s, u"text:two"_s};
        QTest::newRow("close with a code and reason")
            << serverFrame(0x8, closePayload(1000, "bye")) << QStringList{u"close:03e8627965"_s};
    }
    void clientReadsWhatAServerMaySend()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QStringList, expected);
        for (const int piece : {0, 1, 7}) {
            const Outcome outcome = feed(bytes, piece, FrameReader::Role::Client);
            QCOMPARE(outcome.failure, 0);
            QCOMPARE(outcome.delivered, expected);
            QCOMPARE(outcome.held, 0);
        }
    }

    // RFC 6455 5.1: a client fails the connection on a masked frame from the server.
    void clientRefusesMaskedFrames_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QStringList>("before");
        QTest::newRow("masked text") << clientFrame(0x1, "hi") << QStringList{};
        QTest::newRow("masked ping") << clientFrame(0x9, "p") << QStringList{};
        QTest::newRow("a good message, then a masked one")
            << serverFrame(0x1, "fine") + clientFrame(0x1, "no") << QStringList{u"text:fine"_s};
    }
    void clientRefusesMaskedFrames()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QStringList, before);
        for (const int piece : {0, 1}) {
            const Outcome outcome = feed(bytes, piece, FrameReader::Role::Client);
            QCOMPARE(outcome.failure, 1002);
            QVERIFY(outcome.explained);
            QCOMPARE(outcome.delivered, before);
        }
    }

    // A frame too big is refused on its header, before its payload is waited for or held.
    void tooBigIsJudgedOnTheHeader()
    {
        FrameReader reader(kMax);
        const QByteArray header = clientFrame(0x1, QByteArray(kMax + 1, 'x')).first(14);
        const auto failure = reader.read(header, [](FrameReader::Message &&) { QFAIL("nothing to deliver"); });
        QVERIFY(failure);
        QCOMPARE(failure->code, quint16(1009));
        QCOMPARE(reader.heldBytes(), 0);
    }

    // After a failure nothing more is read or delivered.
    void readsNothingAfterAFailure()
    {
        FrameReader reader(kMax);
        int delivered = 0;
        const auto count = [&](FrameReader::Message &&) { ++delivered; };
        QVERIFY(reader.read(clientFrame(0x1, "x", true, false), count));
        QVERIFY(!reader.read(clientFrame(0x1, "y"), count));
        QCOMPARE(delivered, 0);
    }

    // Only an incomplete frame is held, and only until it completes.
    void holdsOnlyWhatIsIncomplete()
    {
        FrameReader reader(kMax);
        const QByteArray frame = clientFrame(0x1, QByteArray(1000, 'a'));
        int delivered = 0;
        const auto count = [&](FrameReader::Message &&) { ++delivered; };
        QVERIFY(!reader.read(QByteArrayView(frame).first(500), count));
        QCOMPARE(reader.heldBytes(), 500);
        QVERIFY(!reader.read(QByteArrayView(frame).sliced(500), count));
        QCOMPARE(delivered, 1);
        QCOMPARE(reader.heldBytes(), 0);
    }
};

QTEST_GUILESS_MAIN(TestFrameReader)
#include "tst_framereader.moc"
