#include "protocol/Codec.h"
#include "protocol/Objects.h"

#include <QJsonDocument>
#include <QTest>

using namespace rill::protocol;
using namespace Qt::StringLiterals;

class TestCodec : public QObject
{
    Q_OBJECT

    static QJsonObject parse(const QByteArray &json) { return QJsonDocument::fromJson(json).object(); }

private Q_SLOTS:
    void rejectsBadFrames_data()
    {
        QTest::addColumn<QByteArray>("frame");
        QTest::addColumn<QJsonValue>("re");
        QTest::newRow("not json") << QByteArray("{nope") << QJsonValue(QJsonValue::Null);
        QTest::newRow("array") << QByteArray("[1,2]") << QJsonValue(QJsonValue::Null);
        QTest::newRow("string") << QByteArray("\"hello\"") << QJsonValue(QJsonValue::Null);
        QTest::newRow("empty") << QByteArray() << QJsonValue(QJsonValue::Null);
        QTest::newRow("no id") << QByteArray(R"({"op":"hello"})") << QJsonValue(QJsonValue::Null);
        QTest::newRow("string id") << QByteArray(R"({"id":"1","op":"hello"})") << QJsonValue(QJsonValue::Null);
        QTest::newRow("fractional id") << QByteArray(R"({"id":1.5,"op":"hello"})") << QJsonValue(QJsonValue::Null);
        QTest::newRow("huge id") << QByteArray(R"({"id":1e300,"op":"hello"})") << QJsonValue(QJsonValue::Null);
        QTest::newRow("no op") << QByteArray(R"({"id":7})") << QJsonValue(7);
        QTest::newRow("numeric op") << QByteArray(R"({"id":8,"op":3})") << QJsonValue(8);
        QTest::newRow("invalid escape in a key") << QByteArray(R"({"id":1,"o\p":"hello"})") << QJsonValue(QJsonValue::Null);
        QTest::newRow("invalid escape in a value") << QByteArray(R"({"id":1,"op":"hel\lo"})") << QJsonValue(QJsonValue::Null);
        QTest::newRow("short unicode escape") << QByteArray(R"({"id":1,"op":"\u12"})") << QJsonValue(QJsonValue::Null);
    }
    void rejectsBadFrames()
    {
        QFETCH(QByteArray, frame);
        QFETCH(QJsonValue, re);
        const auto decoded = decodeRequest(frame);
        QVERIFY(std::holds_alternative<RejectedFrame>(decoded));
        const auto &rejected = std::get<RejectedFrame>(decoded);
        QCOMPARE(rejected.id, re);
        QCOMPARE(rejected.error.code, ErrorCode::BadRequest);
        const QJsonObject reply = parse(encodeError(rejected.id, rejected.error));
        QCOMPARE(reply.value("re"_L1), re);
        QCOMPARE(reply.value("ok"_L1), QJsonValue(false));
        QCOMPARE(reply.value("error"_L1).toString(), u"bad_request"_s);
        QVERIFY(!reply.value("message"_L1).toString().isEmpty());
    }

    // Qt's JSON reader drops a raw U+FEFF at the start of a string; the codec must not.
    void byteOrderMarkSurvivesBothWays()
    {
        const QString text = QChar(0xFEFF) + u"hello"_s;
        const QByteArray raw = "{\"id\":1,\"op\":\"send\",\"text\":\"\xEF\xBB\xBFhello\"}";
        const auto decoded = decodeRequest(raw);
        QVERIFY(std::holds_alternative<Request>(decoded));
        QCOMPARE(std::get<Request>(decoded).params.value("text"_L1).toString(), text);

        const QByteArray reply = encodeReply(QJsonValue(1), {{"text"_L1, text}});
        QVERIFY(!reply.contains("\xEF\xBB\xBF"));
        const auto back = decodeServerFrame(reply);
        QVERIFY(back);
        QCOMPARE(back->body.value("text"_L1).toString(), text);
    }

    void validEscapesAreAccepted()
    {
        // Every escape RFC 8259 allows, a surrogate pair among them.
        const QByteArray frame = "{\"id\":1,\"op\":\"send\",\"text\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"}";
        const auto decoded = decodeRequest(frame);
        QVERIFY(std::holds_alternative<Request>(decoded));
        QCOMPARE(std::get<Request>(decoded).params.value("text"_L1).toString(), u"\"\\/\b\f\n\r\t\u00e9😀"_s);
    }

    void decodesRequest()
    {
        const auto decoded = decodeRequest(R"({"id":-3,"op":"send","channel":"general","text":"hi"})");
        QVERIFY(std::holds_alternative<Request>(decoded));
        const auto &request = std::get<Request>(decoded);
        QCOMPARE(request.id, QJsonValue(-3));
        QCOMPARE(request.op, u"send"_s);
        QCOMPARE(request.params.value("text"_L1).toString(), u"hi"_s);
    }

    void roundTrip()
    {
        const QByteArray frame = encodeRequest(42, op::join, {{"channel"_L1, u"dev"_s}});
        const auto decoded = decodeRequest(frame);
        QVERIFY(std::holds_alternative<Request>(decoded));
        QCOMPARE(std::get<Request>(decoded).id, QJsonValue(42));

        const auto reply = decodeServerFrame(encodeReply(QJsonValue(42), {{"user"_L1, u"bob"_s}}));
        QVERIFY(reply);
        QCOMPARE(reply->type, ServerFrame::Type::Reply);
        QVERIFY(reply->ok);
        QCOMPARE(reply->re, QJsonValue(42));
        QCOMPARE(reply->body.value("user"_L1).toString(), u"bob"_s);

        const auto error = decodeServerFrame(encodeError(QJsonValue(5), Error::of(ErrorCode::NotMember)));
        QVERIFY(error);
        QVERIFY(!error->ok);
        QCOMPARE(error->error, ErrorCode::NotMember);
        QCOMPARE(error->errorName, u"not_member"_s);
        QVERIFY(!error->retryAfter);

        const auto throttled = decodeServerFrame(encodeError(QJsonValue(6), Error::retryLater(90)));
        QVERIFY(throttled);
        QCOMPARE(throttled->error, ErrorCode::RateLimited);
        QCOMPARE(throttled->retryAfter, std::optional<qint64>(90));

        const auto event = decodeServerFrame(encodeEvent(ev::typing, {{"channel"_L1, u"dev"_s}, {"user"_L1, u"a"_s}}));
        QVERIFY(event);
        QCOMPARE(event->type, ServerFrame::Type::Event);
        QCOMPARE(event->event, u"typing"_s);
    }

    void errorCodesRoundTrip()
    {
        for (int i = 0; i <= int(ErrorCode::Internal); ++i) {
            const auto code = ErrorCode(i);
            QCOMPARE(errorCodeFromName(QString(errorCodeName(code))), code);
            QVERIFY(!defaultErrorMessage(code).isEmpty());
        }
        QVERIFY(!errorCodeFromName(u"made_up"_s));
    }

    void messageJson()
    {
        Message m;
        m.id = u"1700000000000-3"_s;
        m.channel = u"general"_s;
        m.user = u"Alice"_s;
        m.text = u"hi\u0000there"_s;
        m.ts = 1700000000000;
        m.nonce = QJsonValue(u"n-1"_s);
        const QJsonObject json = m.toJson();
        QCOMPARE(json.value("kind"_L1).toString(), u"message"_s);
        QCOMPARE(json.value("nonce"_L1).toString(), u"n-1"_s);
        QCOMPARE(Message::fromJson(json).value(), m);

        Message join;
        join.id = u"1700000000001-0"_s;
        join.channel = u"general"_s;
        join.kind = MessageKind::Join;
        join.user = u"bob"_s;
        join.ts = 1700000000001;
        const QJsonObject joinJson = join.toJson();
        QVERIFY(!joinJson.contains("text"_L1));
        QVERIFY(!joinJson.contains("nonce"_L1));
        QCOMPARE(Message::fromJson(joinJson).value(), join);

        QVERIFY(!Message::fromJson(parse(R"({"id":"x","channel":"c","kind":"message","user":"u","ts":1,"text":"t"})")));
        QVERIFY(!Message::fromJson(parse(R"({"id":"1-0","channel":"c","kind":"shout","user":"u","ts":1})")));
    }

    void channelInfoJson()
    {
        ChannelInfo dm;
        dm.name = u"dm:alice:bob"_s;
        dm.kind = ChannelKind::Dm;
        dm.peer = u"bob"_s;
        dm.members = 2;
        dm.lastId = u"5-0"_s;
        dm.unread = 3;
        const QJsonObject json = dm.toJson();
        QCOMPARE(json.value("peer"_L1).toString(), u"bob"_s);
        QVERIFY(json.value("lastRead"_L1).isNull());
        QCOMPARE(ChannelInfo::fromJson(json).value(), dm);

        ChannelInfo empty;
        empty.name = u"new"_s;
        empty.members = 1;
        const QJsonObject emptyJson = empty.toJson();
        QVERIFY(emptyJson.value("lastId"_L1).isNull());
        QVERIFY(!emptyJson.contains("peer"_L1));
        QCOMPARE(ChannelInfo::fromJson(emptyJson).value(), empty);
    }
};

QTEST_GUILESS_MAIN(TestCodec)
#include "tst_codec.moc"
