// The typed contract (Requests.h, Events.h, Objects.h): every type reads back what it writes,
// through the frames both ends use; malformed fields are `bad_request` naming the field, with the
// texts the server has always sent; revision 2's optional fields are absent when they do not apply.

#include "protocol/Codec.h"
#include "protocol/Events.h"
#include "protocol/Limits.h"
#include "protocol/Requests.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <functional>

using namespace rill::protocol;
using namespace Qt::StringLiterals;

namespace {

// One check of a data row: empty when it holds, else what went wrong.
using Check = std::function<QString()>;

QString dump(const QJsonObject &json)
{
    return QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Compact));
}

QJsonObject parse(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object();
}

// fromJson(toJson(value)) == value, and the same through a request frame as the server decodes it.
template<RequestParams Params>
Check paramsRoundTrip(Params value)
{
    return [value]() -> QString {
        const auto decoded = decodeRequest(encodeRequest(7, value));
        if (!std::holds_alternative<Request>(decoded))
            return u"the frame does not decode"_s;
        const Request &request = std::get<Request>(decoded);
        if (request.op != Params::kOp)
            return u"op "_s + request.op;
        const auto back = Params::fromJson(request.params);
        if (!back)
            return back.error().message;
        return *back == value ? QString() : u"differs after the round trip: "_s + dump(value.toJson());
    };
}

// ... and through a reply frame as the client decodes it.
template<ReplyResult Result>
Check resultRoundTrip(Result value)
{
    return [value]() -> QString {
        const auto frame = decodeServerFrame(encodeReply(QJsonValue(7), value));
        if (!frame || frame->type != ServerFrame::Type::Reply || !frame->ok)
            return u"the frame does not decode as a reply"_s;
        const auto back = Result::fromJson(frame->body);
        if (!back)
            return back.error().message;
        return *back == value ? QString() : u"differs after the round trip: "_s + dump(value.toJson());
    };
}

// ... and through an event frame and decodeEvent.
template<EventValue E>
Check eventRoundTrip(E value)
{
    return [value]() -> QString {
        const auto frame = decodeServerFrame(encodeEvent(value));
        if (!frame || frame->type != ServerFrame::Type::Event)
            return u"the frame does not decode as an event"_s;
        const Event event = decodeEvent(frame->event, frame->body);
        if (const auto *unknown = std::get_if<UnknownEvent>(&event))
            return u"decoded as unknown: "_s + unknown->problem;
        const auto *back = std::get_if<E>(&event);
        if (!back)
            return u"decoded as another event"_s;
        return *back == value ? QString() : u"differs after the round trip: "_s + dump(value.toJson());
    };
}

template<typename T>
Check objectRoundTrip(T value)
{
    return [value]() -> QString {
        const auto back = T::fromJson(value.toJson());
        if (!back)
            return back.error().message;
        return *back == value ? QString() : u"differs after the round trip: "_s + dump(value.toJson());
    };
}

// T::fromJson(json) is a bad_request with exactly `message`.
template<typename T>
Check refused(const char *json, QString message)
{
    const QJsonObject object = parse(json);
    return [object, message]() -> QString {
        const auto read = T::fromJson(object);
        if (read)
            return u"accepted"_s;
        if (read.error().code != ErrorCode::BadRequest)
            return u"not bad_request: "_s + errorCodeName(read.error().code);
        return read.error().message == message ? QString() : u"message: "_s + read.error().message;
    };
}

// T::fromJson(json) reads, and `holds` says whether it read what it should.
template<typename T>
Check accepted(const char *json, std::function<bool(const T &)> holds)
{
    const QJsonObject object = parse(json);
    return [object, holds]() -> QString {
        const auto read = T::fromJson(object);
        if (!read)
            return read.error().message;
        return holds(*read) ? QString() : u"read the wrong value: "_s + dump(read->toJson());
    };
}

Message textMessage()
{
    Message m;
    m.id = u"1700000000000-3"_s;
    m.channel = u"general"_s;
    m.user = u"Alice"_s;
    m.text = u"hi \u0000there \uFEFF😀"_s;
    m.ts = 1700000000000;
    return m;
}

// A message with every revision-2 field that can go together.
Message fullMessage()
{
    Message m = textMessage();
    m.nonce = QJsonValue(u"n-1"_s);
    m.edited = 1700000005000;
    m.reactions = {{u"👍"_s, {u"bob"_s, u"alice"_s}}, {u"🎉"_s, {u"carol"_s}}};
    m.replies = 3;
    m.lastReplyTs = 1700000009000;
    // QJsonObject orders keys by UTF-16 code units; the round trip compares in that order.
    std::sort(m.reactions.begin(), m.reactions.end(),
              [](const Reaction &a, const Reaction &b) { return a.emoji < b.emoji; });
    return m;
}

Message replyMessage()
{
    Message m = textMessage();
    m.id = u"1700000000001-0"_s;
    m.ts = 1700000000001;
    m.replyTo = u"1700000000000-3"_s;
    m.nonce = QJsonValue(42);
    return m;
}

Message deletedMessage()
{
    Message m = textMessage();
    m.text.clear();
    m.deleted = true;
    return m;
}

Message joinMessage()
{
    Message m;
    m.id = u"1700000000002-0"_s;
    m.channel = u"general"_s;
    m.kind = MessageKind::Join;
    m.user = u"bob"_s;
    m.ts = 1700000000002;
    return m;
}

ChannelInfo dmInfo()
{
    ChannelInfo c;
    c.name = u"dm:alice:bob"_s;
    c.kind = ChannelKind::Dm;
    c.peer = u"bob"_s;
    c.members = 2;
    c.lastId = u"5-0"_s;
    c.unread = 3;
    return c;
}

ChannelInfo channelInfo()
{
    ChannelInfo c;
    c.name = u"general"_s;
    c.members = 12;
    c.lastId = u"9-1"_s;
    c.lastRead = u"8-0"_s;
    c.unread = 4;
    c.topic = u"Welcome"_s;
    c.mentions = 2;
    return c;
}

QStringList keys(const QJsonObject &json)
{
    QStringList out = json.keys();
    out.sort();
    return out;
}

QStringList sorted(QStringList list)
{
    list.sort();
    return list;
}

} // namespace

Q_DECLARE_METATYPE(Check)

class TestContract : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip_data()
    {
        QTest::addColumn<Check>("check");
        const QString root = u"1700000000000-3"_s;

        // every op's parameters
        QTest::newRow("hello") << paramsRoundTrip(HelloParams{});
        QTest::newRow("register") << paramsRoundTrip(RegisterParams{u"Alice"_s, u"correct horse"_s});
        QTest::newRow("login password") << paramsRoundTrip(LoginParams{u"alice"_s, u"pässword"_s, std::nullopt});
        QTest::newRow("login token") << paramsRoundTrip(LoginParams{{}, {}, u"tok-en_"_s});
        QTest::newRow("login empty token") << paramsRoundTrip(LoginParams{{}, {}, QString()});
        QTest::newRow("logout") << paramsRoundTrip(LogoutParams{});
        QTest::newRow("logout all") << paramsRoundTrip(LogoutParams{true});
        QTest::newRow("channels") << paramsRoundTrip(ChannelsParams{});
        QTest::newRow("channels page") << paramsRoundTrip(ChannelsParams{{7, u"dev"_s}});
        QTest::newRow("join") << paramsRoundTrip(JoinParams{u"Dev"_s});
        QTest::newRow("part") << paramsRoundTrip(PartParams{u"dev"_s});
        QTest::newRow("send") << paramsRoundTrip(SendParams{u"dev"_s, u" hi \u202E"_s, QJsonValue::Null, {}});
        QTest::newRow("send string nonce") << paramsRoundTrip(SendParams{u"dev"_s, u"hi"_s, QJsonValue(u"n"_s), {}});
        QTest::newRow("send integer nonce") << paramsRoundTrip(SendParams{u"dev"_s, u"hi"_s, QJsonValue(-12), {}});
        QTest::newRow("send replyTo") << paramsRoundTrip(SendParams{u"dev"_s, u"hi"_s, QJsonValue::Null, root});
        QTest::newRow("history newest") << paramsRoundTrip(HistoryParams{u"dev"_s, std::nullopt, std::nullopt, 50});
        QTest::newRow("history before") << paramsRoundTrip(HistoryParams{u"dev"_s, root, std::nullopt, 1});
        QTest::newRow("history after") << paramsRoundTrip(HistoryParams{u"dev"_s, std::nullopt, root, 100});
        QTest::newRow("members") << paramsRoundTrip(MembersParams{u"dev"_s, {}});
        QTest::newRow("members page") << paramsRoundTrip(MembersParams{u"dev"_s, {1, u"Bob"_s}});
        QTest::newRow("dm") << paramsRoundTrip(DmParams{u"Bob"_s});
        QTest::newRow("typing") << paramsRoundTrip(TypingParams{u"dev"_s});
        QTest::newRow("read") << paramsRoundTrip(ReadParams{u"dev"_s, root});
        QTest::newRow("edit") << paramsRoundTrip(EditParams{u"dev"_s, root, u"fixed"_s});
        QTest::newRow("delete") << paramsRoundTrip(DeleteParams{u"dev"_s, root});
        QTest::newRow("react on") << paramsRoundTrip(ReactParams{u"dev"_s, root, u"👍🏽"_s, true});
        QTest::newRow("react off") << paramsRoundTrip(ReactParams{u"dev"_s, root, u":+1:"_s, false});
        QTest::newRow("thread") << paramsRoundTrip(ThreadParams{u"dev"_s, root, std::nullopt, 50});
        QTest::newRow("thread after") << paramsRoundTrip(ThreadParams{u"dev"_s, root, u"1700000000004-0"_s, 7});
        QTest::newRow("topic") << paramsRoundTrip(TopicParams{u"dev"_s, u"Ship it"_s});
        QTest::newRow("topic empty") << paramsRoundTrip(TopicParams{u"dev"_s, QString()});
        QTest::newRow("search") << paramsRoundTrip(SearchParams{u"deploy friday"_s, std::nullopt, std::nullopt, 20});
        QTest::newRow("search channel before") << paramsRoundTrip(SearchParams{u"x"_s, u"dev"_s, root, 50});

        // every op's result
        QTest::newRow("hello result") << resultRoundTrip(HelloResult{u"rill"_s, 1, u"web-1"_s, std::nullopt});
        QTest::newRow("hello result revision") << resultRoundTrip(HelloResult{u"rill"_s, 1, u"web-1"_s, 2});
        QTest::newRow("register result") << resultRoundTrip(RegisterResult{u"Alice"_s, u"t"_s, {channelInfo()}});
        QTest::newRow("login result") << resultRoundTrip(LoginResult{u"alice"_s, u"t"_s, {channelInfo(), dmInfo()}});
        QTest::newRow("login result no channels") << resultRoundTrip(LoginResult{u"alice"_s, u"t"_s, {}});
        QTest::newRow("logout result") << resultRoundTrip(LogoutResult{});
        QTest::newRow("channels result")
            << resultRoundTrip(ChannelsResult{{{u"dev"_s, 3, std::nullopt}, {u"general"_s, 40, u"All hands"_s}}, {}});
        QTest::newRow("channels result next")
            << resultRoundTrip(ChannelsResult{{{u"dev"_s, 3, std::nullopt}}, u"dev"_s});
        QTest::newRow("join result") << resultRoundTrip(JoinResult{channelInfo()});
        QTest::newRow("part result") << resultRoundTrip(PartResult{});
        QTest::newRow("send result") << resultRoundTrip(SendResult{textMessage()});
        QTest::newRow("history result") << resultRoundTrip(
            HistoryResult{{joinMessage(), textMessage(), fullMessage(), replyMessage(), deletedMessage()}, true});
        QTest::newRow("history result empty") << resultRoundTrip(HistoryResult{{}, false});
        QTest::newRow("members result") << resultRoundTrip(MembersResult{{{u"alice"_s, true}, {u"bob"_s, false}}, {}});
        QTest::newRow("members result next") << resultRoundTrip(MembersResult{{{u"alice"_s, true}}, u"alice"_s});
        QTest::newRow("dm result") << resultRoundTrip(DmResult{dmInfo()});
        QTest::newRow("typing result") << resultRoundTrip(TypingResult{});
        QTest::newRow("read result") << resultRoundTrip(ReadResult{});
        QTest::newRow("edit result") << resultRoundTrip(EditResult{fullMessage()});
        QTest::newRow("delete result") << resultRoundTrip(DeleteResult{});
        QTest::newRow("react result") << resultRoundTrip(ReactResult{});
        QTest::newRow("thread result") << resultRoundTrip(ThreadResult{fullMessage(), {replyMessage()}, false});
        QTest::newRow("topic result") << resultRoundTrip(TopicResult{});
        QTest::newRow("search result") << resultRoundTrip(SearchResult{{replyMessage(), fullMessage()}, false, std::nullopt});
        QTest::newRow("search result next") << resultRoundTrip(SearchResult{{replyMessage()}, true, root});
        QTest::newRow("search result empty, more") << resultRoundTrip(SearchResult{{}, true, root});

        // every event
        QTest::newRow("message event") << eventRoundTrip(MessageEvent{replyMessage()});
        QTest::newRow("channel event") << eventRoundTrip(ChannelEvent{dmInfo()});
        QTest::newRow("member event") << eventRoundTrip(MemberEvent{u"dev"_s, u"bob"_s, true});
        QTest::newRow("presence event") << eventRoundTrip(PresenceEvent{u"bob"_s, false});
        QTest::newRow("typing event") << eventRoundTrip(TypingEvent{u"dev"_s, u"bob"_s});
        QTest::newRow("read event") << eventRoundTrip(ReadEvent{u"dev"_s, u"12-0"_s});
        QTest::newRow("bye event") << eventRoundTrip(ByeEvent{u"restarting"_s});
        QTest::newRow("update event") << eventRoundTrip(UpdateEvent{deletedMessage(), u"1700000000000-3"_s});
        QTest::newRow("topic event") << eventRoundTrip(TopicEvent{u"dev"_s, u"Ship it"_s, u"alice"_s});

        // the objects
        QTest::newRow("message") << objectRoundTrip(textMessage());
        QTest::newRow("message, revision 2") << objectRoundTrip(fullMessage());
        QTest::newRow("reply") << objectRoundTrip(replyMessage());
        QTest::newRow("deleted message") << objectRoundTrip(deletedMessage());
        QTest::newRow("join") << objectRoundTrip(joinMessage());
        QTest::newRow("channel info") << objectRoundTrip(channelInfo());
        QTest::newRow("dm info") << objectRoundTrip(dmInfo());
        QTest::newRow("public channel") << objectRoundTrip(PublicChannel{u"dev"_s, 3, QString()});
        QTest::newRow("member presence") << objectRoundTrip(MemberPresence{u"bob"_s, true});
    }
    void roundTrip()
    {
        QFETCH(Check, check);
        const QString problem = check();
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    // What fromJson refuses, with the message the server answers. The texts of revision 1's ops
    // are the ones rill-server has always sent.
    void badRequest_data()
    {
        QTest::addColumn<Check>("check");
        const QString loginForms = u"log in with \"user\" and \"password\", or \"token\""_s;
        const QString nonceRule = u"\"nonce\" must be a string of at most 128 bytes or an integer"_s;
        const QByteArray longNonce = "{\"channel\":\"dev\",\"text\":\"x\",\"nonce\":\"" + QByteArray(129, 'n') + "\"}";

        QTest::newRow("hello without version") << refused<HelloParams>("{}", u"\"version\" is missing"_s);
        QTest::newRow("hello version null") << refused<HelloParams>(R"({"version":null})", u"\"version\" is missing"_s);
        QTest::newRow("hello version 2") << refused<HelloParams>(R"({"version":2})", u"this server speaks version 1"_s);
        QTest::newRow("hello version string") << refused<HelloParams>(R"({"version":"1"})", u"this server speaks version 1"_s);
        QTest::newRow("hello version 1.5") << refused<HelloParams>(R"({"version":1.5})", u"this server speaks version 1"_s);

        QTest::newRow("register nothing") << refused<RegisterParams>("{}", u"\"user\" is missing"_s);
        QTest::newRow("register user number") << refused<RegisterParams>(R"({"user":5,"password":"p"})", u"\"user\" must be a string"_s);
        QTest::newRow("register password number") << refused<RegisterParams>(R"({"user":"a","password":123})", u"\"password\" must be a string"_s);
        QTest::newRow("register password null") << refused<RegisterParams>(R"({"user":"a","password":null})", u"\"password\" must be a string"_s);

        QTest::newRow("login nothing") << refused<LoginParams>("{}", loginForms);
        QTest::newRow("login token number") << refused<LoginParams>(R"({"token":5})", loginForms);
        QTest::newRow("login user only") << refused<LoginParams>(R"({"user":"a"})", loginForms);
        QTest::newRow("login user number") << refused<LoginParams>(R"({"user":5,"password":"p"})", loginForms);
        QTest::newRow("logout all string") << refused<LogoutParams>(R"({"all":"yes"})", u"\"all\" must be true or false"_s);

        QTest::newRow("join no channel") << refused<JoinParams>("{}", u"\"channel\" is missing"_s);
        QTest::newRow("join channel null") << refused<JoinParams>(R"({"channel":null})", u"\"channel\" must be a string"_s);
        QTest::newRow("join channel array") << refused<JoinParams>(R"({"channel":["dev"]})", u"\"channel\" must be a string"_s);
        QTest::newRow("part channel number") << refused<PartParams>(R"({"channel":5})", u"\"channel\" must be a string"_s);
        QTest::newRow("members no channel") << refused<MembersParams>("{}", u"\"channel\" is missing"_s);
        QTest::newRow("members limit 0") << refused<MembersParams>(R"({"channel":"d","limit":0})", u"\"limit\" must be an integer from 1 to 200"_s);
        QTest::newRow("channels limit 201") << refused<ChannelsParams>(R"({"limit":201})", u"\"limit\" must be an integer from 1 to 200"_s);
        QTest::newRow("channels cursor number") << refused<ChannelsParams>(R"({"cursor":5})", u"\"cursor\" must be a string"_s);
        QTest::newRow("members cursor too long") << refused<MembersParams>(QByteArray(R"({"channel":"d","cursor":")" + QByteArray(65, 'a') + R"("})").constData(), u"\"cursor\" must be the \"next\" of an earlier page"_s);
        QTest::newRow("channels result next number") << refused<ChannelsResult>(R"({"channels":[],"next":1})", u"\"next\" must be a string"_s);
        QTest::newRow("typing channel bool") << refused<TypingParams>(R"({"channel":true})", u"\"channel\" must be a string"_s);
        QTest::newRow("dm no user") << refused<DmParams>("{}", u"\"user\" is missing"_s);

        QTest::newRow("send no channel") << refused<SendParams>(R"({"text":"x"})", u"\"channel\" is missing"_s);
        QTest::newRow("send no text") << refused<SendParams>(R"({"channel":"dev"})", u"\"text\" is missing"_s);
        QTest::newRow("send text object") << refused<SendParams>(R"({"channel":"dev","text":{"a":1}})", u"\"text\" must be a string"_s);
        QTest::newRow("send channel first") << refused<SendParams>(R"({"channel":1,"text":2})", u"\"channel\" must be a string"_s);
        QTest::newRow("send nonce bool") << refused<SendParams>(R"({"channel":"dev","text":"x","nonce":true})", nonceRule);
        QTest::newRow("send nonce fraction") << refused<SendParams>(R"({"channel":"dev","text":"x","nonce":1.5})", nonceRule);
        QTest::newRow("send nonce 129 bytes") << refused<SendParams>(longNonce.constData(), nonceRule);
        QTest::newRow("send replyTo not an ID") << refused<SendParams>(R"({"channel":"dev","text":"x","replyTo":"x"})", u"\"replyTo\" must be a message ID"_s);

        QTest::newRow("history channel number") << refused<HistoryParams>(R"({"channel":5})", u"\"channel\" must be a string"_s);
        QTest::newRow("history both") << refused<HistoryParams>(R"({"channel":"d","before":"1-0","after":"1-0"})", u"give \"before\" or \"after\", not both"_s);
        QTest::newRow("history before not an ID") << refused<HistoryParams>(R"({"channel":"d","before":"x"})", u"\"before\" must be a message ID"_s);
        QTest::newRow("history after not an ID") << refused<HistoryParams>(R"({"channel":"d","after":"1-"})", u"\"after\" must be a message ID"_s);
        QTest::newRow("history before number") << refused<HistoryParams>(R"({"channel":"d","before":5})", u"\"before\" must be a string"_s);
        QTest::newRow("history limit 0") << refused<HistoryParams>(R"({"channel":"d","limit":0})", u"\"limit\" must be an integer from 1 to 100"_s);
        QTest::newRow("history limit 101") << refused<HistoryParams>(R"({"channel":"d","limit":101})", u"\"limit\" must be an integer from 1 to 100"_s);
        QTest::newRow("history limit string") << refused<HistoryParams>(R"({"channel":"d","limit":"5"})", u"\"limit\" must be an integer from 1 to 100"_s);
        QTest::newRow("history limit before both") << refused<HistoryParams>(R"({"channel":"d","limit":0,"before":"x"})", u"\"limit\" must be an integer from 1 to 100"_s);

        QTest::newRow("read upTo number") << refused<ReadParams>(R"({"channel":"d","upTo":5})", u"\"upTo\" must be a string"_s);
        QTest::newRow("read upTo not an ID") << refused<ReadParams>(R"({"channel":"d","upTo":"latest"})", u"\"upTo\" must be a message ID"_s);
        QTest::newRow("read no upTo") << refused<ReadParams>(R"({"channel":"d"})", u"\"upTo\" is missing"_s);

        QTest::newRow("edit no messageId") << refused<EditParams>(R"({"channel":"d","text":"x"})", u"\"messageId\" is missing"_s);
        QTest::newRow("edit messageId not an ID") << refused<EditParams>(R"({"channel":"d","messageId":"7","text":"x"})", u"\"messageId\" must be a message ID"_s);
        QTest::newRow("edit text number") << refused<EditParams>(R"({"channel":"d","messageId":"7-0","text":7})", u"\"text\" must be a string"_s);
        QTest::newRow("delete messageId number") << refused<DeleteParams>(R"({"channel":"d","messageId":7})", u"\"messageId\" must be a string"_s);
        QTest::newRow("react no on") << refused<ReactParams>(R"({"channel":"d","messageId":"7-0","emoji":"x"})", u"\"on\" is missing"_s);
        QTest::newRow("react on string") << refused<ReactParams>(R"({"channel":"d","messageId":"7-0","emoji":"x","on":"true"})", u"\"on\" must be true or false"_s);
        QTest::newRow("react emoji number") << refused<ReactParams>(R"({"channel":"d","messageId":"7-0","emoji":1,"on":true})", u"\"emoji\" must be a string"_s);
        QTest::newRow("thread no messageId") << refused<ThreadParams>(R"({"channel":"d"})", u"\"messageId\" is missing"_s);
        QTest::newRow("thread limit 101") << refused<ThreadParams>(R"({"channel":"d","messageId":"7-0","limit":101})", u"\"limit\" must be an integer from 1 to 100"_s);
        QTest::newRow("thread after not an ID") << refused<ThreadParams>(R"({"channel":"d","messageId":"7-0","after":"z"})", u"\"after\" must be a message ID"_s);
        QTest::newRow("topic no topic") << refused<TopicParams>(R"({"channel":"d"})", u"\"topic\" is missing"_s);
        QTest::newRow("topic null") << refused<TopicParams>(R"({"channel":"d","topic":null})", u"\"topic\" must be a string"_s);
        QTest::newRow("search no query") << refused<SearchParams>("{}", u"\"query\" is missing"_s);
        QTest::newRow("search channel number") << refused<SearchParams>(R"({"query":"x","channel":5})", u"\"channel\" must be a string"_s);
        QTest::newRow("search limit 51") << refused<SearchParams>(R"({"query":"x","limit":51})", u"\"limit\" must be an integer from 1 to 50"_s);
        QTest::newRow("search before not an ID") << refused<SearchParams>(R"({"query":"x","before":"-"})", u"\"before\" must be a message ID"_s);

        // what a client refuses of the server
        QTest::newRow("message without id") << refused<Message>(R"({"channel":"c","kind":"message","user":"u","ts":1,"text":"t"})", u"\"id\" is missing"_s);
        QTest::newRow("message id not an ID") << refused<Message>(R"({"id":"x","channel":"c","kind":"message","user":"u","ts":1,"text":"t"})", u"\"id\" must be a message ID"_s);
        QTest::newRow("message kind unknown") << refused<Message>(R"({"id":"1-0","channel":"c","kind":"shout","user":"u","ts":1})", u"\"kind\" must be message, join or part"_s);
        QTest::newRow("message without text") << refused<Message>(R"({"id":"1-0","channel":"c","kind":"message","user":"u","ts":1})", u"\"text\" is missing"_s);
        QTest::newRow("message ts fraction") << refused<Message>(R"({"id":"1-0","channel":"c","kind":"join","user":"u","ts":1.5})", u"\"ts\" must be an integer from 0 to 9007199254740992"_s);
        QTest::newRow("message reactions list") << refused<Message>(R"({"id":"1-0","channel":"c","kind":"message","user":"u","ts":1,"text":"t","reactions":["x"]})", u"\"reactions\" must map each emoji to a list of user names"_s);
        QTest::newRow("message reaction users number") << refused<Message>(R"({"id":"1-0","channel":"c","kind":"message","user":"u","ts":1,"text":"t","reactions":{"x":[1]}})", u"\"reactions\" must map each emoji to a list of user names"_s);
        QTest::newRow("message deleted string") << refused<Message>(R"({"id":"1-0","channel":"c","kind":"message","user":"u","ts":1,"deleted":"yes"})", u"\"deleted\" must be true or false"_s);
        QTest::newRow("channel info kind") << refused<ChannelInfo>(R"({"name":"c","kind":"group","members":1,"lastId":null,"lastRead":null,"unread":0})", u"\"kind\" must be channel or dm"_s);
        QTest::newRow("channel info lastId") << refused<ChannelInfo>(R"({"name":"c","kind":"channel","members":1,"lastId":"x","lastRead":null,"unread":0})", u"\"lastId\" must be a message ID or null"_s);
        QTest::newRow("dm info without peer") << refused<ChannelInfo>(R"({"name":"dm:a:b","kind":"dm","members":2,"lastId":null,"lastRead":null,"unread":0})", u"\"peer\" is missing"_s);
        QTest::newRow("send result nested") << refused<SendResult>(R"({"message":{"id":"1-0","channel":"c","kind":"message","user":"u","text":"t"}})", u"in \"message\": \"ts\" is missing"_s);
        QTest::newRow("history result item") << refused<HistoryResult>(R"({"messages":[{"id":"1-0","channel":"c","kind":"join","user":"u","ts":1},{"id":"2-0"}],"more":false})", u"in \"messages\"[1]: \"channel\" is missing"_s);
        QTest::newRow("history result item not an object") << refused<HistoryResult>(R"({"messages":[1],"more":false})", u"\"messages\"[0] must be an object"_s);
        QTest::newRow("history result no more") << refused<HistoryResult>(R"({"messages":[]})", u"\"more\" is missing"_s);
        QTest::newRow("members result online") << refused<MembersResult>(R"({"members":[{"user":"a","online":1}]})", u"in \"members\"[0]: \"online\" must be true or false"_s);
        QTest::newRow("login result channels") << refused<LoginResult>(R"({"user":"a","token":"t","channels":{}})", u"\"channels\" must be an array"_s);
        QTest::newRow("read event upTo") << refused<ReadEvent>(R"({"channel":"c","upTo":"x"})", u"\"upTo\" must be a message ID"_s);
        QTest::newRow("member event joined") << refused<MemberEvent>(R"({"channel":"c","user":"u"})", u"\"joined\" is missing"_s);
    }
    void badRequest()
    {
        QFETCH(Check, check);
        const QString problem = check();
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    // Optional parameters take the contract's defaults; unknown fields are ignored.
    void defaults_data()
    {
        QTest::addColumn<Check>("check");
        QTest::newRow("history limit 50") << accepted<HistoryParams>(R"({"channel":"d","before":null})", [](const HistoryParams &p) {
            return p.limit == kDefaultHistoryLimit && !p.before && !p.after;
        });
        QTest::newRow("thread limit 50") << accepted<ThreadParams>(R"({"channel":"d","messageId":"1-0"})", [](const ThreadParams &p) {
            return p.limit == kDefaultHistoryLimit && !p.after;
        });
        QTest::newRow("search limit 20") << accepted<SearchParams>(R"({"query":"x"})", [](const SearchParams &p) {
            return p.limit == kDefaultSearchLimit && !p.channel && !p.before;
        });
        QTest::newRow("channels first page") << accepted<ChannelsParams>("{}", [](const ChannelsParams &p) {
            return p.page.limit == kMaxListPage && !p.page.cursor;
        });
        QTest::newRow("members first page") << accepted<MembersParams>(R"({"channel":"d","cursor":null})", [](const MembersParams &p) {
            return p.page.limit == kMaxListPage && !p.page.cursor;
        });
        QTest::newRow("logout without all") << accepted<LogoutParams>("{}", [](const LogoutParams &p) { return !p.all; });
        QTest::newRow("login token wins") << accepted<LoginParams>(R"({"token":"t","user":5})", [](const LoginParams &p) {
            return p.token == u"t"_s && p.user.isEmpty();
        });
        QTest::newRow("login token null is absent") << accepted<LoginParams>(R"({"token":null,"user":"a","password":"p"})", [](const LoginParams &p) {
            return !p.token && p.user == u"a"_s;
        });
        QTest::newRow("send nonce null") << accepted<SendParams>(R"({"channel":"d","text":"x","nonce":null})", [](const SendParams &p) {
            return p.nonce.isNull() && p.replyTo.isEmpty();
        });
        QTest::newRow("send nonce 128 bytes") << accepted<SendParams>(
            "{\"channel\":\"d\",\"text\":\"x\",\"nonce\":\"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn\"}",
            [](const SendParams &p) { return p.nonce.toString().size() == kMaxNonceBytes; });
        QTest::newRow("unknown fields ignored") << accepted<JoinParams>(R"({"channel":"d","colour":"red"})", [](const JoinParams &p) {
            return p.channel == u"d"_s;
        });
        QTest::newRow("revision-1 channel info") << accepted<ChannelInfo>(
            R"({"name":"c","kind":"channel","members":1,"lastId":null,"lastRead":null,"unread":0})",
            [](const ChannelInfo &c) { return !c.topic && !c.mentions && c.lastId.isEmpty(); });
        QTest::newRow("deleted message has no text") << accepted<Message>(
            R"({"id":"1-0","channel":"c","kind":"message","user":"u","ts":1,"deleted":true,"text":"ghost"})",
            [](const Message &m) { return m.deleted && m.text.isEmpty(); });
    }
    void defaults()
    {
        QFETCH(Check, check);
        const QString problem = check();
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    // A revision-1 peer sees exactly revision 1: the new fields appear only when they apply.
    void revisionTwoFieldsOnlyWhenTheyApply()
    {
        QCOMPARE(keys(textMessage().toJson()), sorted({u"id"_s, u"channel"_s, u"kind"_s, u"user"_s, u"text"_s, u"ts"_s}));
        QCOMPARE(keys(joinMessage().toJson()), sorted({u"id"_s, u"channel"_s, u"kind"_s, u"user"_s, u"ts"_s}));
        QCOMPARE(keys(replyMessage().toJson()),
                 sorted({u"id"_s, u"channel"_s, u"kind"_s, u"user"_s, u"text"_s, u"ts"_s, u"nonce"_s, u"replyTo"_s}));
        QCOMPARE(keys(fullMessage().toJson()),
                 sorted({u"id"_s, u"channel"_s, u"kind"_s, u"user"_s, u"text"_s, u"ts"_s, u"nonce"_s, u"edited"_s,
                         u"reactions"_s, u"replies"_s, u"lastReplyTs"_s}));
        // A deleted message loses its text and reactions, keeps its place and thread counts.
        Message deleted = fullMessage();
        deleted.deleted = true;
        QCOMPARE(keys(deleted.toJson()),
                 sorted({u"id"_s, u"channel"_s, u"kind"_s, u"user"_s, u"ts"_s, u"nonce"_s, u"edited"_s, u"deleted"_s,
                         u"replies"_s, u"lastReplyTs"_s}));
        const QJsonObject reactions = fullMessage().toJson().value("reactions"_L1).toObject();
        QCOMPARE(reactions.value(u"👍"_s).toArray(), QJsonArray({u"bob"_s, u"alice"_s})); // in the order they reacted

        const QStringList revisionOneInfo{u"name"_s, u"kind"_s, u"members"_s, u"lastId"_s, u"lastRead"_s, u"unread"_s};
        ChannelInfo plain = channelInfo();
        plain.topic.reset();
        plain.mentions.reset();
        QCOMPARE(keys(plain.toJson()), sorted(revisionOneInfo));
        QCOMPARE(keys(channelInfo().toJson()), sorted(revisionOneInfo + QStringList{u"topic"_s, u"mentions"_s}));
        QCOMPARE(keys(dmInfo().toJson()), sorted(revisionOneInfo + QStringList{u"peer"_s}));
        QCOMPARE(keys(PublicChannel{u"d"_s, 1, std::nullopt}.toJson()), sorted({u"name"_s, u"members"_s}));

        QCOMPARE(keys(HelloResult{u"rill"_s, 1, u"i"_s, std::nullopt}.toJson()), sorted({u"server"_s, u"version"_s, u"instance"_s}));
        QCOMPARE(keys(SendParams{u"d"_s, u"x"_s, QJsonValue::Null, {}}.toJson()), sorted({u"channel"_s, u"text"_s}));
        QCOMPARE(keys(LogoutParams{}.toJson()), QStringList());
        QCOMPARE(keys(LoginParams{{}, {}, u"t"_s}.toJson()), QStringList{u"token"_s});
        QCOMPARE(keys(HistoryParams{u"d"_s, std::nullopt, std::nullopt, 50}.toJson()), sorted({u"channel"_s, u"limit"_s}));
    }

    void unknownEventsAreKept()
    {
        const QJsonObject body{{"ev"_L1, u"poll"_s}, {"question"_L1, u"lunch?"_s}};
        const Event unknown = decodeEvent(u"poll"_s, body);
        QVERIFY(std::holds_alternative<UnknownEvent>(unknown));
        QCOMPARE(std::get<UnknownEvent>(unknown).body, body);
        QVERIFY(std::get<UnknownEvent>(unknown).problem.isEmpty());

        // A known event whose fields are not the contract's is not acted on either.
        const Event broken = decodeEvent(u"typing"_s, {{"ev"_L1, u"typing"_s}, {"channel"_L1, 5}});
        QVERIFY(std::holds_alternative<UnknownEvent>(broken));
        QCOMPARE(std::get<UnknownEvent>(broken).problem, u"\"channel\" must be a string"_s);
    }

    void framesCarryTheirNames()
    {
        const QJsonObject request = parse(encodeRequest(9, ReactParams{u"d"_s, u"1-0"_s, u"👍"_s, false}));
        QCOMPARE(request.value("op"_L1).toString(), u"react"_s);
        QCOMPARE(request.value("id"_L1).toInteger(), qint64(9));
        QCOMPARE(request.value("on"_L1), QJsonValue(false));
        QCOMPARE(parse(encodeRequest(1, DeleteParams{})).value("op"_L1).toString(), u"delete"_s);
        QCOMPARE(parse(encodeEvent(UpdateEvent{textMessage(), std::nullopt})).value("ev"_L1).toString(), u"update"_s);
        QCOMPARE(parse(encodeEvent(TopicEvent{})).value("ev"_L1).toString(), u"topic"_s);
        const QJsonObject reply = parse(encodeReply(QJsonValue(3), PartResult{}));
        QCOMPARE(reply, (QJsonObject{{"re"_L1, 3}, {"ok"_L1, true}}));
    }
};

QTEST_GUILESS_MAIN(TestContract)
#include "tst_contract.moc"
