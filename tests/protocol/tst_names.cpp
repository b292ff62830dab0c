#include "protocol/Limits.h"
#include "protocol/Names.h"
#include "protocol/StreamId.h"

#include <QTest>

using namespace rill::protocol;
using namespace Qt::StringLiterals;

class TestNames : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void userNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("valid");
        QTest::newRow("simple") << u"alice"_s << true;
        QTest::newRow("all classes") << u"A.b-c_9"_s << true;
        QTest::newRow("one char") << u"x"_s << true;
        QTest::newRow("32 chars") << QString(32, u'a') << true;
        QTest::newRow("33 chars") << QString(33, u'a') << false;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("space") << u"al ice"_s << false;
        QTest::newRow("colon") << u"a:b"_s << false;
        QTest::newRow("non-ascii") << u"zoë"_s << false;
        QTest::newRow("kelvin sign") << u"\u212Aelvin"_s << false;
        QTest::newRow("NUL") << u"a\0b"_s << false;
    }
    void userNames()
    {
        QFETCH(QString, name);
        QFETCH(bool, valid);
        QCOMPARE(isValidUserName(name), valid);
    }

    void userKeyIsCaseInsensitive()
    {
        QCOMPARE(userKey(u"Alice.B"_s), u"alice.b"_s);
        QCOMPARE(userKey(u"ALICE"_s), userKey(u"alice"_s));
    }

    void passwords_data()
    {
        QTest::addColumn<QString>("password");
        QTest::addColumn<bool>("valid");
        QTest::newRow("7") << u"1234567"_s << false;
        QTest::newRow("8") << u"12345678"_s << true;
        QTest::newRow("1024") << QString(1024, u'p') << true;
        QTest::newRow("1025") << QString(1025, u'p') << false;
        // Eight emoji are eight characters although they are sixteen UTF-16 units.
        QTest::newRow("8 emoji") << QString(u"😀😀😀😀😀😀😀😀"_s) << true;
        QTest::newRow("4 emoji") << QString(u"😀😀😀😀"_s) << false;
    }
    void passwords()
    {
        QFETCH(QString, password);
        QFETCH(bool, valid);
        QCOMPARE(isValidPassword(password), valid);
    }

    void channelNames_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("normalized"); // empty: rejected
        QTest::newRow("plain") << u"general"_s << u"general"_s;
        QTest::newRow("lowercased") << u"Random-Stuff_2"_s << u"random-stuff_2"_s;
        QTest::newRow("64") << QString(64, u'c') << QString(64, u'c');
        QTest::newRow("65") << QString(65, u'c') << QString();
        QTest::newRow("empty") << QString() << QString();
        QTest::newRow("dot") << u"a.b"_s << QString();
        QTest::newRow("space") << u"a b"_s << QString();
        QTest::newRow("dm reserved") << u"dm:alice:bob"_s << QString();
        QTest::newRow("kelvin sign") << u"\u212Aitchen"_s << QString();
        QTest::newRow("RTL override") << u"abc\u202Edef"_s << QString();
    }
    void channelNames()
    {
        QFETCH(QString, input);
        QFETCH(QString, normalized);
        const auto got = normalizeChannelName(input);
        if (normalized.isEmpty())
            QVERIFY(!got);
        else
            QCOMPARE(got.value_or(QString()), normalized);
    }

    void dmNames()
    {
        QCOMPARE(dmChannelName(u"Bob"_s, u"alice"_s), u"dm:alice:bob"_s);
        QCOMPARE(dmChannelName(u"alice"_s, u"Bob"_s), u"dm:alice:bob"_s);
        QVERIFY(isDmChannel(u"dm:alice:bob"_s));
        const auto pair = dmParticipants(u"dm:alice:bob"_s);
        QVERIFY(pair);
        QCOMPARE(pair->first, u"alice"_s);
        QCOMPARE(pair->second, u"bob"_s);
        QVERIFY(!dmParticipants(u"dm:bob:alice"_s));  // not sorted
        QVERIFY(!dmParticipants(u"dm:Alice:bob"_s));  // not canonical
        QVERIFY(!dmParticipants(u"dm:alice"_s));
        QVERIFY(!dmParticipants(u"dm:al ice:bob"_s));
        QCOMPARE(normalizeChannelReference(u"DM:Alice:Bob"_s).value_or(QString()), u"dm:alice:bob"_s);
        QCOMPARE(normalizeChannelReference(u"General"_s).value_or(QString()), u"general"_s);
    }

    void messageText_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("problem");
        QTest::addColumn<QString>("trimmed");
        QTest::newRow("plain") << u"hi"_s << int(TextProblem::None) << u"hi"_s;
        QTest::newRow("trimmed") << u"  hi \n"_s << int(TextProblem::None) << u"hi"_s;
        QTest::newRow("inner space kept") << u"a  b"_s << int(TextProblem::None) << u"a  b"_s;
        QTest::newRow("empty") << QString() << int(TextProblem::Empty) << QString();
        QTest::newRow("blank") << u" \t\r\n "_s << int(TextProblem::Empty) << QString();
        QTest::newRow("4000") << QString(4000, u'x') << int(TextProblem::None) << QString(4000, u'x');
        QTest::newRow("4001") << QString(4001, u'x') << int(TextProblem::TooLong) << QString(4001, u'x');
        QString emoji;
        for (int i = 0; i < 4000; ++i)
            emoji += u"😀"_s;
        QTest::newRow("4000 emoji") << emoji << int(TextProblem::None) << emoji;
        QTest::newRow("4001 emoji") << emoji + u"😀"_s << int(TextProblem::TooLong) << emoji + u"😀"_s;
    }
    void messageText()
    {
        QFETCH(QString, text);
        QFETCH(int, problem);
        QFETCH(QString, trimmed);
        const CheckedText checked = checkMessageText(text);
        QCOMPARE(int(checked.problem), problem);
        QCOMPARE(checked.text, trimmed);
    }

    void streamIds_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        QTest::newRow("normal") << u"1523499832690-0"_s << true;
        QTest::newRow("max") << u"18446744073709551615-18446744073709551615"_s << true;
        QTest::newRow("overflow") << u"18446744073709551616-0"_s << false;
        QTest::newRow("no seq") << u"1523499832690"_s << false;
        QTest::newRow("empty seq") << u"1-"_s << false;
        QTest::newRow("sign") << u"-1-0"_s << false;
        QTest::newRow("letters") << u"abc-0"_s << false;
        QTest::newRow("special") << u"+"_s << false;
    }
    void streamIds()
    {
        QFETCH(QString, text);
        QFETCH(bool, valid);
        const auto id = StreamId::parse(text);
        QCOMPARE(bool(id), valid);
        if (id) {
            QCOMPARE(id->toString(), text);
            QCOMPARE(StreamId::parse(text.toLatin1()), id);
        }
    }

    void streamIdsOrderNumerically()
    {
        QVERIFY(*StreamId::parse(u"9-0"_s) < *StreamId::parse(u"10-0"_s));
        QVERIFY(*StreamId::parse(u"10-2"_s) < *StreamId::parse(u"10-10"_s));
        QCOMPARE(*StreamId::parse(u"10-2"_s), (StreamId{10, 2}));
    }

    // Revision 2: 1-32 bytes of UTF-8, no white space, no control characters.
    void emoji_data()
    {
        QTest::addColumn<QString>("emoji");
        QTest::addColumn<bool>("valid");
        QTest::newRow("thumbs up") << u"👍"_s << true;
        QTest::newRow("with skin tone") << u"👍🏽"_s << true;
        QTest::newRow("family (ZWJ sequence, 25 bytes)") << u"👨‍👩‍👧‍👦"_s << true;
        QTest::newRow("shortcode") << u":+1:"_s << true;
        QTest::newRow("one ASCII byte") << u"x"_s << true;
        QTest::newRow("32 bytes") << QString(8, QChar(0x2764)) + u"ab"_s + QString(2, QChar(0x00E9)) + u"cd"_s << true;
        QTest::newRow("33 bytes") << QString(32, u'a') + u"b"_s << false;
        QTest::newRow("8 four-byte emoji (32 bytes)") << QString(u"😀😀😀😀😀😀😀😀"_s) << true;
        QTest::newRow("9 four-byte emoji (36 bytes)") << QString(u"😀😀😀😀😀😀😀😀😀"_s) << false;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("space inside") << u"👍 👍"_s << false;
        QTest::newRow("only a space") << u" "_s << false;
        QTest::newRow("no-break space") << u"👍 "_s << false;
        QTest::newRow("ideographic space") << u"　"_s << false;
        QTest::newRow("tab") << u"👍\t"_s << false;
        QTest::newRow("newline") << u"👍\n"_s << false;
        QTest::newRow("NUL") << QString(QChar(0)) << false;
        QTest::newRow("DEL") << u""_s << false;
        QTest::newRow("C1 control") << u""_s << false;
        QTest::newRow("lone surrogate") << QString(QChar(0xD83D)) << false;
    }
    void emoji()
    {
        QFETCH(QString, emoji);
        QFETCH(bool, valid);
        QCOMPARE(isValidEmoji(emoji), valid);
    }

    // Revision 2: "@name", case-insensitive, not inside a word.
    // Where a mention being typed starts, for completion: the same rule as mentions().
    void mentionStartsWhereTheRuleSays_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("cursor");
        QTest::addColumn<int>("start");
        QTest::newRow("at the start") << u"@bo"_s << 3 << 0;
        QTest::newRow("just the sign") << u"hi @"_s << 4 << 3;
        QTest::newRow("after a space") << u"hi @bo"_s << 6 << 3;
        QTest::newRow("after punctuation") << u"(@bo"_s << 4 << 1;
        QTest::newRow("inside a word") << u"mail x@bo"_s << 9 << -1;
        QTest::newRow("no sign") << u"hi bo"_s << 5 << -1;
        QTest::newRow("past a space") << u"@bob hi"_s << 7 << -1;
        QTest::newRow("cursor mid-name") << u"@bob"_s << 2 << 0;
        QTest::newRow("name characters") << u"@a.b-c_d"_s << 8 << 0;
        QTest::newRow("cursor before it") << u"@bo"_s << 0 << -1;
    }

    void mentionStartsWhereTheRuleSays()
    {
        QFETCH(QString, text);
        QFETCH(int, cursor);
        QFETCH(int, start);
        QCOMPARE(int(rill::protocol::mentionStartAt(text, cursor)), start);
    }

    void mentions_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("user");
        QTest::addColumn<bool>("mentioned");
        QTest::newRow("alone") << u"@alice"_s << u"alice"_s << true;
        QTest::newRow("in a sentence") << u"ping @alice, lunch?"_s << u"alice"_s << true;
        QTest::newRow("other case") << u"hey @ALICE"_s << u"Alice"_s << true;
        QTest::newRow("full stop after") << u"thanks @alice."_s << u"alice"_s << true;
        QTest::newRow("hyphen after") << u"@alice- see above"_s << u"alice"_s << true;
        QTest::newRow("in parentheses") << u"(@alice)"_s << u"alice"_s << true;
        QTest::newRow("after a newline") << u"hi\n@alice"_s << u"alice"_s << true;
        QTest::newRow("twice, the second counts") << u"a@alice @alice"_s << u"alice"_s << true;
        QTest::newRow("name with a dot") << u"@alice.b hi"_s << u"alice.b"_s << true;
        QTest::newRow("name ending in a dot") << u"@alice. hi"_s << u"alice."_s << true;
        QTest::newRow("bare name") << u"alice, look"_s << u"alice"_s << false;
        QTest::newRow("e-mail address") << u"mail bob@alice.org"_s << u"alice"_s << false;
        QTest::newRow("after a letter") << u"x@alice"_s << u"alice"_s << false;
        QTest::newRow("after a digit") << u"2@alice"_s << u"alice"_s << false;
        QTest::newRow("after an underscore") << u"_@alice"_s << u"alice"_s << false;
        QTest::newRow("after a non-ASCII letter") << u"é@alice"_s << u"alice"_s << false;
        QTest::newRow("longer name") << u"@alicette"_s << u"alice"_s << false;
        QTest::newRow("name with a dot continues") << u"@alice.b"_s << u"alice"_s << false;
        QTest::newRow("underscore continues") << u"@alice_"_s << u"alice"_s << false;
        QTest::newRow("non-ASCII letter continues") << u"@alicé"_s << u"alic"_s << false;
        QTest::newRow("prefix of the name") << u"@ali"_s << u"alice"_s << false;
        QTest::newRow("no @") << u"alice"_s << u"alice"_s << false;
        QTest::newRow("@ alone") << u"@"_s << u"alice"_s << false;
        QTest::newRow("double @") << u"@@alice"_s << u"alice"_s << true;
        QTest::newRow("kelvin sign is not K") << u"@Kate"_s << u"kate"_s << false;
        QTest::newRow("empty user") << u"@ hi"_s << QString() << false;
    }
    void mentions()
    {
        QFETCH(QString, text);
        QFETCH(QString, user);
        QFETCH(bool, mentioned);
        QCOMPARE(rill::protocol::mentions(text, user), mentioned);
    }

    void topics_data()
    {
        QTest::addColumn<QString>("topic");
        QTest::addColumn<bool>("tooLong");
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("spaces only") << u"   "_s << false;
        QTest::newRow("250") << QString(250, u't') << false;
        QTest::newRow("250 and spaces") << u"  "_s + QString(250, u't') + u"  "_s << false;
        QTest::newRow("251") << QString(251, u't') << true;
        QTest::newRow("250 emoji") << QString(u"😀"_s).repeated(250) << false;
        QTest::newRow("251 emoji") << QString(u"😀"_s).repeated(251) << true;
    }
    void topics()
    {
        QFETCH(QString, topic);
        QFETCH(bool, tooLong);
        QCOMPARE(checkTopic(topic).problem == TextProblem::TooLong, tooLong);
        QCOMPARE(checkTopic(topic).text, topic.trimmed());
    }

    // Revision 2, search: words are runs of letters, numbers and (inside a word) combining marks,
    // NFC-normalized and lowercased, each once in order of first appearance.
    void searchWords_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("words");
        QTest::newRow("plain") << u"Deploy on Friday"_s << QStringList{u"deploy"_s, u"on"_s, u"friday"_s};
        QTest::newRow("repeated once") << u"go GO go!"_s << QStringList{u"go"_s};
        QTest::newRow("punctuation splits") << u"re-deploy,now.ok"_s
                                            << QStringList{u"re"_s, u"deploy"_s, u"now"_s, u"ok"_s};
        QTest::newRow("underscore splits") << u"_x_"_s << QStringList{u"x"_s};
        QTest::newRow("snake case") << u"max_retry_count"_s << QStringList{u"max"_s, u"retry"_s, u"count"_s};
        QTest::newRow("digits") << u"v2 build 4711 at 10:30"_s
                                << QStringList{u"v2"_s, u"build"_s, u"4711"_s, u"at"_s, u"10"_s, u"30"_s};
        QTest::newRow("é composed") << u"Caf\u00e9"_s << QStringList{u"caf\u00e9"_s};
        QTest::newRow("é decomposed is composed") << u"Cafe\u0301"_s << QStringList{u"caf\u00e9"_s};
        QTest::newRow("É decomposed upper") << u"E\u0301TE\u0301"_s << QStringList{u"\u00e9t\u00e9"_s};
        QTest::newRow("mark without composed form stays in the word") << u"q\u0307x"_s << QStringList{u"q\u0307x"_s};
        QTest::newRow("leading mark is no word") << u"\u0301"_s << QStringList{};
        QTest::newRow("Cyrillic") << u"Привет, Мир"_s << QStringList{u"привет"_s, u"мир"_s};
        QTest::newRow("Greek final sigma is not folded") << u"ΟΔΟΣ"_s << QStringList{u"οδοσ"_s};
        QTest::newRow("no full case folding") << u"Straße STRASSE"_s << QStringList{u"straße"_s, u"strasse"_s};
        QTest::newRow("CJK run is one word") << u"東京タワー 見た"_s << QStringList{u"東京タワー"_s, u"見た"_s};
        QTest::newRow("CJK outside the BMP") << u"𠮷野家"_s << QStringList{u"𠮷野家"_s};
        QTest::newRow("Devanagari with vowel signs") << u"नमस्ते"_s << QStringList{u"नमस्ते"_s};
        QTest::newRow("emoji separate") << u"ship🚀it"_s << QStringList{u"ship"_s, u"it"_s};
        QTest::newRow("emoji only") << u"🎉🚀"_s << QStringList{};
        QTest::newRow("punctuation only") << u"?!… -- ..."_s << QStringList{};
        QTest::newRow("empty") << QString() << QStringList{};
        QTest::newRow("white space only") << u" \t\n"_s << QStringList{};
        QTest::newRow("superscript number") << u"x²"_s << QStringList{u"x²"_s};
        QTest::newRow("dotted capital I") << u"\u0130stanbul"_s << QStringList{u"i\u0307stanbul"_s};
    }
    void searchWords()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, words);
        QCOMPARE(rill::protocol::searchWords(text), words);
    }
};

QTEST_GUILESS_MAIN(TestNames)
#include "tst_names.moc"
