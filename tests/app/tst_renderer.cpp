// Message text to StyledText (issue 10, "the client renders hostile text safely"; issue 9's
// `_x_`): what reaches the view is only markup the renderer wrote itself.
#include "render/LinkGuard.h"
#include "render/MessageRenderer.h"
#include "../support/StyledTextCheck.h"

#include <QRegularExpression>
#include <QTest>

using namespace rill::client;
using namespace rill::test;
using namespace Qt::StringLiterals;

namespace {

QString repeated(const QString &piece, int times)
{
    return piece.repeated(times);
}

} // namespace

class TestRenderer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Issue 10's fifteen variants (nine of which made every reader's app fetch the image on
    // main at 5aecdc3) and more: nothing may come out that StyledText would load.
    void hostileTextLoadsNothing_data()
    {
        QTest::addColumn<QString>("text");
        const QString img = u"![x](http://127.0.0.1:9/%1.png)"_s;
        QTest::newRow("image") << img.arg(1);
        QTest::newRow("fence indented by four spaces") << u"    ```\n"_s + img.arg(2);
        QTest::newRow("fence after a tab") << u"\t```\n"_s + img.arg(3);
        QTest::newRow("fence after a no-break space") << u"\u00A0```\n"_s + img.arg(4);
        QTest::newRow("``` inside ~~~") << u"~~~\n```\n~~~\n"_s + img.arg(5);
        QTest::newRow("``` inside ````") << u"````\n```\n````\n"_s + img.arg(6);
        QTest::newRow("one-line fence") << u"```x```\n"_s + img.arg(7);
        QTest::newRow("fence split by a bare CR") << u"```\r"_s + img.arg(8) + u"\n```"_s;
        QTest::newRow("bare CR before the fence") << u"a\r```\n"_s + img.arg(9);
        QTest::newRow("double bang") << u"!"_s + img.arg(10);
        QTest::newRow("raw img") << u"<img src=\"http://127.0.0.1:9/11.png\">"_s;
        QTest::newRow("raw IMG, no quotes") << u"<IMG SRC=http://127.0.0.1:9/12.png>"_s;
        QTest::newRow("html block") << u"<div>\n<img src=\"http://127.0.0.1:9/13.png\">\n</div>"_s;
        QTest::newRow("named entities") << u"&lt;img src=\"http://127.0.0.1:9/14.png\"&gt;"_s;
        QTest::newRow("numeric entities") << u"&#60;img src=http://127.0.0.1:9/15.png&#x3E;"_s;
        QTest::newRow("autolink to an image") << u"<http://127.0.0.1:9/16.png>"_s;
        QTest::newRow("reference image") << u"![x][r]\n\n[r]: http://127.0.0.1:9/17.png \"t\""_s;
        QTest::newRow("data URL image") << u"![x](data:image/png;base64,iVBORw0KGgo=)"_s;
        QTest::newRow("image in a link") << u"[![x](http://127.0.0.1:9/18.png)](http://127.0.0.1:9/19)"_s;
        QTest::newRow("image in a list in a quote") << u"> - "_s + img.arg(20);
        QTest::newRow("image in a table") << u"| a |\n|---|\n| "_s + img.arg(21) + u" |"_s;
        QTest::newRow("style with url()") << u"<style>p{background:url(http://127.0.0.1:9/22.png)}</style>"_s;
        QTest::newRow("quote breaking out of href") << u"[x](<http://a/\"><img src=\"http://127.0.0.1:9/23.png\">>)"_s;
        QTest::newRow("apostrophe in href") << u"[x](http://a/'><img src='http://127.0.0.1:9/24.png'>)"_s;
        QTest::newRow("javascript link") << u"[x](javascript:alert(1))"_s;
        QTest::newRow("raw javascript anchor") << u"<a href=\"javascript:alert(1)\">x</a>"_s;
        QTest::newRow("entity-encoded scheme") << u"[x](&#106;avascript:alert(1))"_s;
        QTest::newRow("img in code span") << u"`<img src=http://127.0.0.1:9/25.png>`"_s;
        QTest::newRow("img in code block") << u"```\n<img src=http://127.0.0.1:9/26.png>\n```"_s;
        QTest::newRow("nul and controls") << u"a\u0000b\u0007<img src=x>"_s;
    }

    void hostileTextLoadsNothing()
    {
        QFETCH(QString, text);
        const QString styled = MessageRenderer::render(text);
        QVERIFY2(problemsOf(styled).isEmpty(), qPrintable(problemsOf(styled).join(u", "_s) + u" in "_s + styled));
        QVERIFY2(!styled.contains("<img"_L1, Qt::CaseInsensitive), qPrintable(styled));
        QVERIFY(withinBounds(text, styled));
    }

    void rendersMarkdown_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("styled");
        QTest::newRow("underscores are emphasis, not underline") << u"_x_"_s << u"<i>x</i>"_s;
        QTest::newRow("stars") << u"*a* **b** ***c***"_s << u"<i>a</i> <b>b</b> <i><b>c</b></i>"_s;
        QTest::newRow("strike") << u"~~gone~~"_s << u"<s>gone</s>"_s;
        QTest::newRow("code span") << u"run `ls -l`"_s << u"run <font color=\"#d0663a\">ls -l</font>"_s;
        QTest::newRow("line breaks are kept") << u"one\ntwo"_s << u"one<br>two"_s;
        QTest::newRow("paragraphs") << u"one\n\ntwo"_s << u"one<br><br>two"_s;
        QTest::newRow("html shows as typed") << u"<b>hi</b> & bye"_s << u"&lt;b&gt;hi&lt;/b&gt; &amp; bye"_s;
        QTest::newRow("entities decode to text") << u"&lt;3 &amp; &copy;"_s << u"&lt;3 &amp; \u00A9"_s;
        QTest::newRow("spaces kept") << u"a  b"_s << u"a &nbsp;b"_s;
        QTest::newRow("link") << u"[docs](https://example.com/a?b=1&c=2)"_s
                              << u"<a href=\"https://example.com/a?b=1&c=2\">docs</a>"_s;
        QTest::newRow("autolinks") << u"see www.example.com or bob@example.com"_s
                                   << u"see <a href=\"http://www.example.com\">www.example.com</a> or "
                                      "<a href=\"mailto:bob@example.com\">bob@example.com</a>"_s;
        QTest::newRow("file link is text") << u"[click](file:///etc/passwd)"_s << u"click"_s;
        QTest::newRow("image becomes a link") << u"![cat](https://example.com/cat.png)"_s
                                              << u"<a href=\"https://example.com/cat.png\">[image: cat]</a>"_s;
        QTest::newRow("list") << u"- a\n- b"_s << u"\u2022&nbsp;a<br>\u2022&nbsp;b"_s;
        QTest::newRow("nested list") << u"1. a\n   - b\n2. c"_s << u"1.&nbsp;a<br>&nbsp;&nbsp;&nbsp;&nbsp;\u2022&nbsp;b<br>2.&nbsp;c"_s;
        QTest::newRow("list in a list item's line") << u"- - x"_s << u"\u2022&nbsp;\u2022&nbsp;x"_s;
        QTest::newRow("ordered list keeps its start") << u"3. c\n4. d"_s << u"3.&nbsp;c<br>4.&nbsp;d"_s;
        QTest::newRow("tasks") << u"- [x] done\n- [ ] todo"_s << u"\u2611&nbsp;done<br>\u2610&nbsp;todo"_s;
        QTest::newRow("quote") << u"> hi"_s << u"<font color=\"#808080\">\u258E</font>&nbsp;hi"_s;
        QTest::newRow("code block keeps spaces, no trailing line") << u"```\na  b\n c\n```"_s << u"<pre>a  b\n c"_s;
        QTest::newRow("code block between lines") << u"x\n```\ny\n```\nz"_s << u"x<pre>y</pre>z"_s;
        QTest::newRow("heading is bold") << u"# Title"_s << u"<b>Title</b>"_s;
        QTest::newRow("right-to-left override shows") << u"invoice\u202Efdp.exe"_s
                                                      << u"invoice<font color=\"#808080\">[RLO]</font>fdp.exe"_s;
        QTest::newRow("isolates show") << u"a\u2067b\u2069"_s
                                       << u"a<font color=\"#808080\">[RLI]</font>b<font color=\"#808080\">[PDI]</font>"_s;
        QTest::newRow("encoded override shows") << u"&#x202E;x"_s << u"<font color=\"#808080\">[RLO]</font>x"_s;
        QTest::newRow("override in a link's text") << u"[a\u202Eb](https://x.org)"_s
                                                   << u"<a href=\"https://x.org\">a<font color=\"#808080\">[RLO]</font>b</a>"_s;
        QTest::newRow("right-to-left letters stay") << u"\u05E9\u05DC\u05D5\u05DD"_s << u"\u05E9\u05DC\u05D5\u05DD"_s;
        QTest::newRow("message link, bare") << u"see rill://chat.example:7117/general/17-2."_s
                                            << u"see <a href=\"rill://chat.example:7117/general/17-2\">rill://chat.example:7117/general/17-2</a>."_s;
        QTest::newRow("message link to a DM") << u"rill://h:1/dm:alice:bob/5-0"_s
                                              << u"<a href=\"rill://h:1/dm:alice:bob/5-0\">rill://h:1/dm:alice:bob/5-0</a>"_s;
        QTest::newRow("message link, named") << u"[the plan](rill://h:1/general/5-0)"_s << u"<a href=\"rill://h:1/general/5-0\">the plan</a>"_s;
        QTest::newRow("message link in code stays code") << u"`rill://h:1/general/5-0`"_s
                                                         << u"<font color=\"#d0663a\">rill://h:1/general/5-0</font>"_s;
        QTest::newRow("not a message link is text") << u"rill://h:1/general/soon and rill://h:1/x"_s << u"rill://h:1/general/soon and rill://h:1/x"_s;
        QTest::newRow("other schemes stay text") << u"irc://h/general/5-0"_s << u"irc://h/general/5-0"_s;
    }

    void rendersMarkdown()
    {
        QFETCH(QString, text);
        QFETCH(QString, styled);
        QCOMPARE(MessageRenderer::render(text), styled);
        QVERIFY(problemsOf(styled).isEmpty());
    }

    // Most messages need no markup: the model keeps one string for both.
    void plainTextIsShared_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("words") << u"hello there, how are you?"_s;
        QTest::newRow("mention and time") << u"@bob see you at 10:30!"_s;
        QTest::newRow("letters of any script") << u"\u00E9t\u00E9 \u65E5\u672C \u0645\u0631\u062D\u0628\u0627"_s;
        QTest::newRow("emoji") << u"\U0001F600\U0001F389"_s;
    }

    void plainTextIsShared()
    {
        QFETCH(QString, text);
        const QString styled = MessageRenderer::render(text);
        QCOMPARE(styled, text);
        QCOMPARE(styled.constData(), text.constData());
    }

    // Issue 10: long and deeply nested messages take work and space linear in their size,
    // with the nesting drawn only a few levels deep.
    void pathologicalTextStaysBounded_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("maxBullets");
        QTest::addColumn<int>("maxBarsPerLine");
        QTest::newRow("4000 code points") << repeated(u"word "_s, 800) << 0 << 0;
        QTest::newRow("2000 emoji") << repeated(u"\U0001F600"_s, 2000) << 0 << 0;
        QTest::newRow("2000 nested list markers") << repeated(u"- "_s, 1999) + u"x"_s << MessageRenderer::kMaxListDepth << 0;
        QTest::newRow("nested list lines") << [] {
            QString text;
            for (int i = 0; i < 120; ++i)
                text += QString(i * 2, u' ') + u"- x\n"_s;
            return text;
        }() << 1000 << 0;
        QTest::newRow("4000 nested quotes") << repeated(u">"_s, 3999) + u"x"_s << 0 << MessageRenderer::kMaxQuoteDepth;
        QTest::newRow("quotes and lists") << repeated(u"> - "_s, 1000) << MessageRenderer::kMaxListDepth << MessageRenderer::kMaxQuoteDepth;
        QTest::newRow("4000 brackets") << repeated(u"["_s, 4000) << 0 << 0;
        QTest::newRow("4000 stars") << repeated(u"*"_s, 4000) << 0 << 0;
        QTest::newRow("2000 emphasis pairs") << repeated(u"*a"_s, 2000) << 0 << 0;
        QTest::newRow("4000 backticks") << repeated(u"`"_s, 4000) << 0 << 0;
        QTest::newRow("1000 links") << repeated(u"[a](http://b) "_s, 285) << 0 << 0;
        QTest::newRow("4000 overrides") << repeated(u"\u202E"_s, 4000) << 0 << 0;
        QTest::newRow("4000 line breaks") << repeated(u"a\n"_s, 2000) << 0 << 0;
    }

    void pathologicalTextStaysBounded()
    {
        QFETCH(QString, text);
        QFETCH(int, maxBullets);
        QFETCH(int, maxBarsPerLine);
        const QString styled = MessageRenderer::render(text);
        QVERIFY2(withinBounds(text, styled), qPrintable(u"%1 characters from %2"_s.arg(styled.size()).arg(text.size())));
        QVERIFY(problemsOf(styled).isEmpty());
        QVERIFY(!styled.contains(QChar(0x202E)));
        QVERIFY(styled.count(QChar(0x2022)) <= maxBullets);
        const auto lines = styled.split(u"<br>"_s);
        for (const QString &line : lines)
            QVERIFY2(line.count(QChar(0x258E)) <= maxBarsPerLine, qPrintable(line.left(200)));
    }

    void links()
    {
        const auto links = MessageRenderer::links(u"[docs](https://example.com/x) and https://b.org, ![i](http://c.org/i.png) [no](file:///x)"_s);
        QCOMPARE(links.size(), 3);
        QCOMPARE(links[0].target, u"https://example.com/x"_s);
        QCOMPARE(links[0].text, u"docs"_s);
        QCOMPARE(links[1].target, u"https://b.org"_s);
        QCOMPARE(links[1].text, u"https://b.org"_s);
        QCOMPARE(links[2].target, u"http://c.org/i.png"_s);
        QCOMPARE(links[2].text, u"[image: i]"_s);
    }

    void openableTargets_data()
    {
        QTest::addColumn<QString>("href");
        QTest::addColumn<QString>("target");
        QTest::newRow("http") << u"http://example.com/a"_s << u"http://example.com/a"_s;
        QTest::newRow("https, upper-case scheme") << u"HTTPS://example.com"_s << u"https://example.com"_s;
        QTest::newRow("mailto") << u"mailto:bob@example.com"_s << u"mailto:bob@example.com"_s;
        QTest::newRow("encoded for the attribute") << u"http://a.org/x\"y'z <w>"_s << u"http://a.org/x%22y%27z%20%3Cw%3E"_s;
        QTest::newRow("override is encoded") << u"http://a.org/\u202Eexe"_s << u"http://a.org/%E2%80%AEexe"_s;
        QTest::newRow("file") << u"file:///etc/passwd"_s << QString();
        QTest::newRow("javascript") << u"javascript:alert(1)"_s << QString();
        QTest::newRow("data") << u"data:text/html,hi"_s << QString();
        QTest::newRow("qrc") << u"qrc:/qt/qml/x"_s << QString();
        QTest::newRow("ftp") << u"ftp://example.com"_s << QString();
        QTest::newRow("relative") << u"cat.png"_s << QString();
        QTest::newRow("http without a host") << u"http:/etc/passwd"_s << QString();
        QTest::newRow("mailto without an address") << u"mailto:"_s << QString();
        QTest::newRow("message link") << u"rill://chat.example:7117/dm:a:b/5-1"_s << u"rill://chat.example:7117/dm:a:b/5-1"_s;
        QTest::newRow("message link without a message") << u"rill://chat.example:7117/general"_s << QString();
        QTest::newRow("message link without a host") << u"rill:/general/5-1"_s << QString();
        QTest::newRow("message link with a query") << u"rill://h:1/general/5-1?x=1"_s << QString();
    }

    void openableTargets()
    {
        QFETCH(QString, href);
        QFETCH(QString, target);
        QCOMPARE(MessageRenderer::openableTarget(href), target);
    }

    // A click opens http, https and mailto, and shows the target first when the text does
    // not already say it.
    void linkDecisions_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("clicked");
        QTest::addColumn<LinkGuard::Action>("action");
        QTest::newRow("bare URL") << u"see https://example.com/a"_s << u"https://example.com/a"_s << LinkGuard::Action::Open;
        QTest::newRow("www autolink") << u"www.example.com"_s << u"http://www.example.com"_s << LinkGuard::Action::Open;
        QTest::newRow("mail autolink") << u"bob@example.com"_s << u"mailto:bob@example.com"_s << LinkGuard::Action::Open;
        QTest::newRow("text says the same URL") << u"[https://example.com](https://example.com)"_s << u"https://example.com"_s
                                                << LinkGuard::Action::Open;
        QTest::newRow("text differs") << u"[docs](https://evil.example/x)"_s << u"https://evil.example/x"_s << LinkGuard::Action::Confirm;
        QTest::newRow("text is another URL") << u"[https://bank.example](https://evil.example)"_s << u"https://evil.example"_s
                                             << LinkGuard::Action::Confirm;
        QTest::newRow("image link") << u"![cat](https://example.com/cat.png)"_s << u"https://example.com/cat.png"_s
                                    << LinkGuard::Action::Confirm;
        QTest::newRow("file is refused") << u"[click](file:///etc/passwd)"_s << u"file:///etc/passwd"_s << LinkGuard::Action::Refuse;
        QTest::newRow("javascript is refused") << u"x"_s << u"javascript:alert(1)"_s << LinkGuard::Action::Refuse;
        QTest::newRow("not in the message") << u"hello"_s << u"https://example.com"_s << LinkGuard::Action::Confirm;
        QTest::newRow("message link jumps") << u"look rill://h:1/general/5-0"_s << u"rill://h:1/general/5-0"_s << LinkGuard::Action::Jump;
        QTest::newRow("named message link jumps") << u"[x](rill://h:1/general/5-0)"_s << u"rill://h:1/general/5-0"_s << LinkGuard::Action::Jump;
    }

    void linkDecisions()
    {
        QFETCH(QString, text);
        QFETCH(QString, clicked);
        QFETCH(LinkGuard::Action, action);
        const auto decision = LinkGuard::decide(text, clicked);
        QCOMPARE(decision.action, action);
        if (action != LinkGuard::Action::Refuse)
            QCOMPARE(decision.url, MessageRenderer::openableTarget(clicked));
    }

    void shownTargetRevealsControls()
    {
        const QString text = u"[invoice.pdf](https://example.com/invoice\u202Efdp.exe)"_s;
        const auto links = MessageRenderer::links(text);
        QCOMPARE(links.size(), 1);
        const auto decision = LinkGuard::decide(text, links[0].target);
        QCOMPARE(decision.action, LinkGuard::Action::Confirm);
        QVERIFY2(!decision.shown.contains(QChar(0x202E)), qPrintable(decision.shown));
        QVERIFY2(decision.shown.contains(u"[RLO]"_s) || decision.shown.contains(u"%E2%80%AE"_s), qPrintable(decision.shown));
    }

    void highlightsSearchedWords_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("words");
        QTest::addColumn<QString>("styled");
        QTest::newRow("prefix") << u"deploying now"_s << QStringList{u"dep"_s} << u"<b>deploying</b> now"_s;
        QTest::newRow("case and accents") << u"Café CAFÉ cafe"_s << QStringList{u"café"_s} << u"<b>Café</b> <b>CAFÉ</b> cafe"_s;
        QTest::newRow("not inside a word") << u"redeploy deploy"_s << QStringList{u"deploy"_s} << u"redeploy <b>deploy</b>"_s;
        QTest::newRow("underscore separates") << u"max_retry"_s << QStringList{u"retry"_s} << u"max_<b>retry</b>"_s;
        QTest::newRow("several words") << u"the zebra report"_s << QStringList{u"zebra"_s, u"rep"_s} << u"the <b>zebra</b> <b>report</b>"_s;
        QTest::newRow("markup is text") << u"<b>x</b> & deploy"_s << QStringList{u"deploy"_s}
                                        << u"&lt;b&gt;x&lt;/b&gt; &amp; <b>deploy</b>"_s;
        QTest::newRow("one line") << u"a\n\nb  c"_s << QStringList{u"b"_s} << u"a <b>b</b> c"_s;
        QTest::newRow("override shows") << u"x\u202Ey"_s << QStringList{u"y"_s} << u"x[RLO]<b>y</b>"_s;
        // What the timeline shows, not the Markdown as typed (one renderer, no second parse).
        QTest::newRow("markdown as read") << u"**same nonce** and _this_"_s << QStringList{u"nonce"_s}
                                          << u"same <b>nonce</b> and this"_s;
        QTest::newRow("link text, image label") << u"[the nonce](https://example.com/x) ![cat](https://example.com/c.png)"_s
                                                << QStringList{u"nonce"_s} << u"the <b>nonce</b> [image: cat]"_s;
        QTest::newRow("list and code") << u"- `a<b` nonce\n- two"_s << QStringList{u"nonce"_s}
                                       << u"\u2022 a&lt;b <b>nonce</b> \u2022 two"_s;
        QTest::newRow("entity") << u"nonce &amp; co"_s << QStringList{u"nonce"_s} << u"<b>nonce</b> &amp; co"_s;
        QTest::newRow("long text: an excerpt around the match")
            << QString(u"word "_s.repeated(100) + u"needle"_s + u" tail"_s.repeated(100)) << QStringList{u"needle"_s}
            << QString(u"…"_s + u"word "_s.repeated(12) + u"<b>needle</b>"_s + u" tail"_s.repeated(34) + u" tai…"_s);
    }

    void highlightsSearchedWords()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, words);
        QFETCH(QString, styled);
        const QString out = MessageRenderer::highlightWords(text, words);
        QCOMPARE(out, styled);
        QVERIFY(problemsOf(out).isEmpty());
    }

    void revealControls()
    {
        const QString name = u"plain"_s;
        QCOMPARE(MessageRenderer::revealControls(name).constData(), name.constData());
        QCOMPARE(MessageRenderer::revealControls(u"invoice\u202Efdp.exe"_s), u"invoice[RLO]fdp.exe"_s);
        QCOMPARE(MessageRenderer::revealControls(u"\u2066\u2067\u2068\u2069\u202A\u202B\u202C\u202D"_s),
                 u"[LRI][RLI][FSI][PDI][LRE][RLE][PDF][LRO]"_s);
    }
};

QTEST_GUILESS_MAIN(TestRenderer)
#include "tst_renderer.moc"
