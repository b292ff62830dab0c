#include "MessageRenderer.h"

#include "MessageLink.h"

#include <QCoreApplication>
#include <QUrl>

#include <md4c.h>

#include <array>

namespace rill::client::MessageRenderer {

using namespace Qt::StringLiterals;

namespace {

// GitHub's dialect without MD_FLAG_UNDERLINE, which would turn `_x_` into an underline that
// reads like a link (issue 9), and without any raw HTML. No LaTeX, no wiki links.
constexpr unsigned kParserFlags = MD_FLAG_NOHTML | MD_FLAG_PERMISSIVEAUTOLINKS | MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH
    | MD_FLAG_TASKLISTS;

// Neutral enough for both themes.
constexpr auto kQuietColor = "#808080"_L1;
constexpr auto kCodeColor = "#d0663a"_L1;

// Output beyond this many times the input (plus a little) means something pathological:
// show the text as typed instead.
constexpr qsizetype kMaxGrowth = 32;
constexpr qsizetype kGrowthSlack = 1024;

struct ControlName {
    char16_t code;
    QLatin1StringView name;
};
constexpr std::array kBidiControls{
    ControlName{0x202A, "LRE"_L1}, ControlName{0x202B, "RLE"_L1}, ControlName{0x202C, "PDF"_L1},
    ControlName{0x202D, "LRO"_L1}, ControlName{0x202E, "RLO"_L1}, ControlName{0x2066, "LRI"_L1},
    ControlName{0x2067, "RLI"_L1}, ControlName{0x2068, "FSI"_L1}, ControlName{0x2069, "PDI"_L1},
};

QLatin1StringView bidiControlName(char16_t c)
{
    if ((c < 0x202A || c > 0x202E) && (c < 0x2066 || c > 0x2069))
        return {};
    for (const auto &control : kBidiControls) {
        if (control.code == c)
            return control.name;
    }
    return {};
}

bool isInvisibleControl(char16_t c)
{
    return (c < 0x20 && c != u'\t' && c != u'\n') || (c >= 0x7F && c <= 0x9F);
}

// Most chat lines are words and punctuation that Markdown leaves alone: those skip the parser
// and are shown as they are. Conservative: anything else goes through md4c.
bool needsNoMarkup(QStringView text)
{
    if (text.isEmpty())
        return true;
    qsizetype digits = 0;
    while (digits < text.size() && text[digits] >= u'0' && text[digits] <= u'9')
        ++digits;
    if (digits > 0 && digits < text.size() && (text[digits] == u'.' || text[digits] == u')'))
        return false; // an ordered list
    if (text.front() == u' ')
        return false;
    QChar previous;
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        const bool plain = (u < 0x80) ? ((u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9')
                                         || u"',.?!()/%$;:\""_s.contains(c))
                                      : (c.isLetterOrNumber() && bidiControlName(u).isEmpty());
        if (!plain && !(u == u' ' && previous != u' '))
            return false;
        previous = c;
    }
    return !text.contains(u"www."_s, Qt::CaseInsensitive) && !text.contains(u"://"_s);
}

char32_t decodeEntity(QStringView entity) // "&amp;", "&#60;", "&#x3C;"; 0 when unknown
{
    if (entity.size() < 3 || entity.front() != u'&' || entity.back() != u';')
        return 0;
    const QStringView body = entity.mid(1, entity.size() - 2);
    if (body.startsWith(u'#')) {
        bool ok = false;
        const uint code = (body.size() > 1 && (body[1] == u'x' || body[1] == u'X')) ? body.mid(2).toUInt(&ok, 16)
                                                                                   : body.mid(1).toUInt(&ok, 10);
        if (!ok || code == 0 || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
            return 0xFFFD;
        return char32_t(code);
    }
    static constexpr std::pair<QLatin1StringView, char32_t> named[] = {
        {"amp"_L1, U'&'},       {"lt"_L1, U'<'},        {"gt"_L1, U'>'},        {"quot"_L1, U'"'},
        {"apos"_L1, U'\''},     {"nbsp"_L1, 0xA0},      {"copy"_L1, 0xA9},      {"reg"_L1, 0xAE},
        {"trade"_L1, 0x2122},   {"hellip"_L1, 0x2026},  {"mdash"_L1, 0x2014},   {"ndash"_L1, 0x2013},
        {"laquo"_L1, 0xAB},     {"raquo"_L1, 0xBB},     {"euro"_L1, 0x20AC},    {"times"_L1, 0xD7},
        {"divide"_L1, 0xF7},    {"deg"_L1, 0xB0},       {"middot"_L1, 0xB7},    {"bull"_L1, 0x2022},
        {"larr"_L1, 0x2190},    {"rarr"_L1, 0x2192},    {"uarr"_L1, 0x2191},    {"darr"_L1, 0x2193},
    };
    for (const auto &[name, code] : named) {
        if (body == name)
            return code;
    }
    return 0;
}

QString attributeText(const MD_ATTRIBUTE &attribute)
{
    QString out;
    if (!attribute.substr_offsets)
        return out;
    for (int i = 0; attribute.substr_offsets[i] < attribute.size; ++i) {
        const MD_OFFSET begin = attribute.substr_offsets[i];
        const MD_OFFSET end = attribute.substr_offsets[i + 1];
        const QString piece = QString::fromUtf8(attribute.text + begin, qsizetype(end - begin));
        switch (attribute.substr_types[i]) {
        case MD_TEXT_ENTITY:
            if (const char32_t code = decodeEntity(piece))
                out += QString::fromUcs4(&code, 1);
            else
                out += piece;
            break;
        case MD_TEXT_NULLCHAR: out += QChar(QChar::ReplacementCharacter); break;
        default: out += piece; break;
        }
    }
    return out;
}

// Writes StyledText while md4c walks the document (and, when asked, the same text without its
// markup: what a reader sees, for one-line summaries).
class Writer
{
public:
    explicit Writer(QList<Link> *links, QString *plain = nullptr)
        : m_links(links)
        , m_plain(plain)
    {
    }

    [[nodiscard]] bool run(const QByteArray &utf8)
    {
        MD_PARSER parser{};
        parser.flags = kParserFlags;
        parser.enter_block = [](MD_BLOCKTYPE type, void *detail, void *self) { return static_cast<Writer *>(self)->enterBlock(type, detail); };
        parser.leave_block = [](MD_BLOCKTYPE type, void *detail, void *self) { return static_cast<Writer *>(self)->leaveBlock(type, detail); };
        parser.enter_span = [](MD_SPANTYPE type, void *detail, void *self) { return static_cast<Writer *>(self)->enterSpan(type, detail); };
        parser.leave_span = [](MD_SPANTYPE type, void *detail, void *self) { return static_cast<Writer *>(self)->leaveSpan(type, detail); };
        parser.text = [](MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *self) {
            return static_cast<Writer *>(self)->text(type, text, size);
        };
        m_limit = kMaxGrowth * utf8.size() + kGrowthSlack;
        return md_parse(utf8.constData(), MD_SIZE(utf8.size()), &parser, this) == 0;
    }

    [[nodiscard]] QString result()
    {
        // A last code block needs no </pre>: it would end the text with an empty line.
        if (m_out.endsWith("</pre>"_L1))
            m_out.chop(6);
        return std::move(m_out);
    }

private:
    struct Container {
        MD_BLOCKTYPE type; // MD_BLOCK_QUOTE, MD_BLOCK_UL or MD_BLOCK_OL
        bool tight = true;
        bool drawn = true; // within the depth drawn
        unsigned next = 1; // an ordered list's next number
    };

    // md4c stops parsing when a callback returns non-zero: that is how a runaway output ends.
    [[nodiscard]] int check() const { return m_out.size() > m_limit ? 1 : 0; }

    int enterBlock(MD_BLOCKTYPE type, void *detail)
    {
        switch (type) {
        case MD_BLOCK_QUOTE:
            m_containers.append({type, true, ++m_quoteDepth <= kMaxQuoteDepth});
            break;
        case MD_BLOCK_UL:
            m_containers.append({type, static_cast<MD_BLOCK_UL_DETAIL *>(detail)->is_tight != 0, ++m_listDepth <= kMaxListDepth});
            break;
        case MD_BLOCK_OL: {
            const auto *ol = static_cast<MD_BLOCK_OL_DETAIL *>(detail);
            m_containers.append({type, ol->is_tight != 0, ++m_listDepth <= kMaxListDepth, ol->start});
            break;
        }
        case MD_BLOCK_LI: enterItem(static_cast<MD_BLOCK_LI_DETAIL *>(detail)); break;
        case MD_BLOCK_P: startBlock(true); break;
        case MD_BLOCK_H:
            startBlock(true);
            m_out += "<b>"_L1;
            break;
        case MD_BLOCK_CODE:
            // <pre> starts its own line; inside it spaces and line feeds are kept as typed.
            m_itemOpen = false;
            plainBreak();
            m_out += "<pre>"_L1;
            m_out += linePrefix();
            m_inCode = true;
            m_code.clear();
            break;
        case MD_BLOCK_HR:
            startBlock(true);
            m_out += "<font color=\""_L1 + kQuietColor + "\">"_L1 + QString(12, QChar(0x2500)) + "</font>"_L1;
            break;
        case MD_BLOCK_TR:
            startBlock(false);
            m_cell = 0;
            break;
        case MD_BLOCK_TH:
        case MD_BLOCK_TD:
            if (m_cell++ > 0) {
                m_out += "<font color=\""_L1 + kQuietColor + u"\"> \u2502 </font>"_s;
                plainMark(u" \u2502 "_s);
            }
            if (type == MD_BLOCK_TH)
                m_out += "<b>"_L1;
            break;
        default: break;
        }
        return check();
    }

    int leaveBlock(MD_BLOCKTYPE type, void *)
    {
        switch (type) {
        case MD_BLOCK_QUOTE:
            --m_quoteDepth;
            m_containers.removeLast();
            break;
        case MD_BLOCK_UL:
        case MD_BLOCK_OL:
            --m_listDepth;
            m_containers.removeLast();
            break;
        case MD_BLOCK_LI: m_itemOpen = false; break;
        case MD_BLOCK_P: endLeaf(MD_BLOCK_P); break;
        case MD_BLOCK_H:
            m_out += "</b>"_L1;
            endLeaf(MD_BLOCK_P);
            break;
        case MD_BLOCK_CODE: {
            if (m_code.endsWith(u'\n'))
                m_code.chop(1);
            writeText(m_code);
            m_inCode = false;
            m_out += "</pre>"_L1;
            endLeaf(MD_BLOCK_CODE);
            m_afterPre = true; // </pre> ended the line itself
            break;
        }
        case MD_BLOCK_TH: m_out += "</b>"_L1; break;
        case MD_BLOCK_HR:
        case MD_BLOCK_TABLE: endLeaf(type); break;
        default: break;
        }
        return check();
    }

    int enterSpan(MD_SPANTYPE type, void *detail)
    {
        switch (type) {
        case MD_SPAN_EM: m_out += "<i>"_L1; break;
        case MD_SPAN_STRONG: m_out += "<b>"_L1; break;
        case MD_SPAN_DEL: m_out += "<s>"_L1; break;
        case MD_SPAN_CODE: m_out += "<font color=\""_L1 + kCodeColor + "\">"_L1; break;
        case MD_SPAN_A: openAnchor(attributeText(static_cast<MD_SPAN_A_DETAIL *>(detail)->href)); break;
        case MD_SPAN_IMG:
            // Never loaded: a link to it at most, labelled as an image.
            openAnchor(attributeText(static_cast<MD_SPAN_IMG_DETAIL *>(detail)->src));
            writeText(u"["_s + QCoreApplication::translate("MessageRenderer", "image") + u": "_s);
            break;
        default: break; // no underline, LaTeX or wiki links: their flags are off
        }
        return check();
    }

    int leaveSpan(MD_SPANTYPE type, void *)
    {
        switch (type) {
        case MD_SPAN_EM: m_out += "</i>"_L1; break;
        case MD_SPAN_STRONG: m_out += "</b>"_L1; break;
        case MD_SPAN_DEL: m_out += "</s>"_L1; break;
        case MD_SPAN_CODE: m_out += "</font>"_L1; break;
        case MD_SPAN_A: closeAnchor(); break;
        case MD_SPAN_IMG:
            writeText(u"]"_s);
            closeAnchor();
            break;
        default: break;
        }
        return check();
    }

    int text(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size)
    {
        const QString piece = QString::fromUtf8(text, qsizetype(size));
        switch (type) {
        case MD_TEXT_BR:
        case MD_TEXT_SOFTBR:
            // A line break typed in a chat is a line break, not Markdown's soft wrap.
            newLine();
            break;
        case MD_TEXT_NULLCHAR: writeText(QString(QChar(QChar::ReplacementCharacter))); break;
        case MD_TEXT_ENTITY:
            if (const char32_t code = decodeEntity(piece))
                writeText(QString::fromUcs4(&code, 1));
            else
                writeText(piece);
            break;
        case MD_TEXT_CODE:
            if (m_inCode) {
                m_code += piece; // written when the block ends, without its last line feed
                break;
            }
            writeText(piece);
            break;
        default: writeText(piece); break; // MD_TEXT_HTML cannot occur with MD_FLAG_NOHTML; it would be text
        }
        return check();
    }

    void enterItem(const MD_BLOCK_LI_DETAIL *detail)
    {
        Container *list = innermostList();
        const bool drawn = list && list->drawn;
        if (drawn) {
            if (!m_itemOpen)
                startBlock(false);
            if (list->type == MD_BLOCK_OL) {
                m_out += QString::number(list->next) + ".&nbsp;"_L1;
                plainMark(QString::number(list->next) + u". "_s);
            } else if (detail->is_task) {
                m_out += (detail->task_mark == ' ' ? u"\u2610&nbsp;"_s : u"\u2611&nbsp;"_s);
                plainMark(detail->task_mark == ' ' ? u"\u2610 "_s : u"\u2611 "_s);
            } else {
                m_out += u"\u2022&nbsp;"_s;
                plainMark(u"\u2022 "_s);
            }
        } else if (!m_itemOpen) {
            startBlock(false);
        }
        if (list)
            ++list->next;
        m_itemOpen = true; // the item's first block goes on the marker's line
    }

    // A new leaf block: on a new line (after a blank one between paragraphs), with the
    // quote bars and list indentation of where it is.
    void startBlock(bool paragraph)
    {
        if (m_itemOpen) {
            m_itemOpen = false;
            return;
        }
        plainBreak();
        if (m_out.isEmpty() || m_afterPre) {
            m_out += linePrefix();
        } else {
            if (paragraph && m_lastLeaf == MD_BLOCK_P && !inTightList())
                m_out += "<br>"_L1 + linePrefix();
            m_out += "<br>"_L1 + linePrefix();
        }
        m_afterPre = false;
        m_lineStart = true;
    }

    void endLeaf(MD_BLOCKTYPE type)
    {
        m_lastLeaf = type;
        if (type != MD_BLOCK_CODE)
            m_afterPre = false;
    }

    void newLine()
    {
        plainBreak();
        m_out += "<br>"_L1 + linePrefix();
        m_afterPre = false;
        m_lineStart = true;
    }

    [[nodiscard]] QString linePrefix() const
    {
        QString prefix;
        int lists = 0;
        for (const Container &c : m_containers) {
            if (!c.drawn)
                continue;
            if (c.type == MD_BLOCK_QUOTE)
                prefix += "<font color=\""_L1 + kQuietColor + u"\">\u258E</font>&nbsp;"_s;
            else if (++lists > 1)
                prefix += "&nbsp;&nbsp;&nbsp;&nbsp;"_L1;
        }
        return prefix;
    }

    [[nodiscard]] Container *innermostList()
    {
        for (auto it = m_containers.rbegin(); it != m_containers.rend(); ++it) {
            if (it->type != MD_BLOCK_QUOTE)
                return &*it;
        }
        return nullptr;
    }

    [[nodiscard]] bool inTightList() const
    {
        for (auto it = m_containers.crbegin(); it != m_containers.crend(); ++it) {
            if (it->type != MD_BLOCK_QUOTE)
                return it->tight;
        }
        return false;
    }

    void openAnchor(const QString &href)
    {
        const QString target = m_anchors.contains(true) ? QString() : openableTarget(href);
        m_anchors.append(!target.isEmpty());
        if (target.isEmpty())
            return;
        m_out += "<a href=\""_L1 + target + "\">"_L1;
        if (m_links)
            m_links->append({target, {}});
    }

    void closeAnchor()
    {
        if (!m_anchors.isEmpty() && m_anchors.takeLast())
            m_out += "</a>"_L1;
    }

    // Text as StyledText: markup characters escaped, spaces kept (StyledText collapses runs),
    // bidi controls shown, other invisible controls replaced.
    void writeText(const QString &text)
    {
        m_itemOpen = false; // a list nested after this text starts on a line of its own
        if (m_plain)
            *m_plain += text;
        const bool inLink = m_anchors.contains(true);
        if (inLink && m_links && !m_links->isEmpty())
            m_links->last().text += text;
        for (const QChar c : text) {
            const char16_t u = c.unicode();
            if (u == u'&') {
                m_out += "&amp;"_L1;
            } else if (u == u'<') {
                m_out += "&lt;"_L1;
            } else if (u == u'>') {
                m_out += "&gt;"_L1;
            } else if (u == u'\n') {
                if (m_inCode)
                    m_out += u'\n' + linePrefix();
                else
                    newLine();
            } else if (u == u' ' || u == u'\t') {
                // StyledText makes a run of spaces one space, and drops it at a line's start.
                if (m_inCode || !(m_lineStart || m_afterSpace))
                    m_out += u' ';
                else
                    m_out += "&nbsp;"_L1;
                m_lineStart = false;
                m_afterSpace = true;
                continue;
            } else if (u == 0xA0) {
                m_out += "&nbsp;"_L1;
            } else if (const QLatin1StringView name = bidiControlName(u); !name.isEmpty()) {
                m_out += "<font color=\""_L1 + kQuietColor + "\">["_L1 + name + "]</font>"_L1;
            } else if (isInvisibleControl(u)) {
                m_out += QChar(QChar::ReplacementCharacter);
            } else {
                m_out += c;
            }
            m_lineStart = false;
            m_afterSpace = false;
        }
    }

    // The plain text's line breaks and list and table marks.
    void plainBreak()
    {
        if (m_plain && !m_plain->isEmpty() && !m_plain->endsWith(u'\n'))
            *m_plain += u'\n';
    }
    void plainMark(const QString &mark)
    {
        if (m_plain)
            *m_plain += mark;
    }

    QList<Link> *m_links;
    QString *m_plain;
    QString m_out;
    qsizetype m_limit = 0;
    QList<Container> m_containers;
    QList<bool> m_anchors; // per open anchor or image: whether it became a link
    int m_quoteDepth = 0;
    int m_listDepth = 0;
    int m_cell = 0;
    bool m_itemOpen = false;
    bool m_afterPre = false;
    bool m_inCode = false;
    bool m_lineStart = true;  // nothing written on this line yet
    bool m_afterSpace = false; // the last character written was a space
    QString m_code;
    MD_BLOCKTYPE m_lastLeaf = MD_BLOCK_DOC;
};

// The text as typed, safe as StyledText: for output md4c could not produce within bounds.
QString asTyped(const QString &text)
{
    QString out;
    out.reserve(text.size() + 16);
    QChar previous = u'\n';
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (u == u'&')
            out += "&amp;"_L1;
        else if (u == u'<')
            out += "&lt;"_L1;
        else if (u == u'>')
            out += "&gt;"_L1;
        else if (u == u'\n')
            out += "<br>"_L1;
        else if ((u == u' ' || u == u'\t') && (previous == u' ' || previous == u'\t' || previous == u'\n'))
            out += "&nbsp;"_L1;
        else if (const QLatin1StringView name = bidiControlName(u); !name.isEmpty())
            out += u'[' + name + u']';
        else if (isInvisibleControl(u))
            out += QChar(QChar::ReplacementCharacter);
        else
            out += c;
        previous = c;
    }
    return out;
}

} // namespace

namespace {
// Markdown autolinks only http, https and ftp written bare; a message link pasted as it was
// copied ("rill://host:port/channel/id") is made an autolink ("<rill://…>") so that it is one,
// unless it already is a link's target or text, or sits in code.
QString withMessageLinks(const QString &text)
{
    constexpr auto kStart = "rill://"_L1;
    qsizetype at = text.indexOf(kStart, 0, Qt::CaseInsensitive);
    if (at < 0)
        return text;
    QString out;
    qsizetype copied = 0;
    for (; at >= 0; at = text.indexOf(kStart, at + 1, Qt::CaseInsensitive)) {
        const QChar before = at > 0 ? text.at(at - 1) : QChar(u' ');
        if (before == u'<' || before == u'(' || before == u'[' || before.isLetterOrNumber()
            || QStringView(text).first(at).count(u'`') % 2 == 1)
            continue;
        qsizetype end = at;
        while (end < text.size() && !text.at(end).isSpace() && !u"<>()[]\"'`"_s.contains(text.at(end)))
            ++end;
        while (end > at && u".,;:!?"_s.contains(text.at(end - 1)))
            --end; // the end of the sentence, not of the link
        const QString link = text.sliced(at, end - at);
        if (!MessageLink::parse(link))
            continue;
        out += text.sliced(copied, at - copied);
        out += u'<';
        out += link;
        out += u'>';
        copied = end;
    }
    if (copied == 0)
        return text;
    out += text.sliced(copied);
    return out;
}
} // namespace

QString render(const QString &text)
{
    if (needsNoMarkup(text))
        return text;
    Writer writer(nullptr);
    if (!writer.run(withMessageLinks(text).toUtf8()))
        return asTyped(text);
    QString out = writer.result();
    return out == text ? text : out;
}

QString plainText(const QString &text)
{
    if (needsNoMarkup(text))
        return text;
    QString plain;
    Writer writer(nullptr, &plain);
    if (!writer.run(withMessageLinks(text).toUtf8()))
        return text; // too large to draw as Markdown: the timeline shows it as typed too
    return plain;
}

QList<Link> links(const QString &text)
{
    QList<Link> out;
    if (needsNoMarkup(text))
        return out;
    Writer writer(&out);
    if (!writer.run(withMessageLinks(text).toUtf8()))
        return {};
    return out;
}

QString openableTarget(const QString &href)
{
    const QUrl url(href.trimmed(), QUrl::TolerantMode);
    if (!url.isValid())
        return {};
    const QString scheme = url.scheme();
    if (scheme == "http"_L1 || scheme == "https"_L1) {
        if (url.host().isEmpty())
            return {};
    } else if (scheme == "mailto"_L1) {
        if (url.path().isEmpty())
            return {};
    } else if (scheme == MessageLink::kScheme) {
        if (!MessageLink::parse(href))
            return {};
    } else {
        return {};
    }
    // Fully encoded is ASCII without spaces, quotes or angle brackets, except "'", which is
    // legal in a URL but would end StyledText's attribute value.
    QString encoded = QString::fromLatin1(url.toEncoded());
    encoded.replace(u'\'', "%27"_L1);
    return encoded;
}

QString highlightWords(const QString &text, const QStringList &words)
{
    constexpr qsizetype kExcerptLength = 240; // about three lines of the results panel
    constexpr qsizetype kLead = 60;           // what the excerpt shows before the first match
    // What the reader sees of the Markdown, on one line: the panel shows no paragraphs.
    const QString line = plainText(text).simplified();
    const auto codePointAt = [&line](qsizetype i) -> std::pair<char32_t, qsizetype> {
        const QChar c = line.at(i);
        if (c.isHighSurrogate() && i + 1 < line.size() && line.at(i + 1).isLowSurrogate())
            return {QChar::surrogateToUcs4(c, line.at(i + 1)), 2};
        return {c.unicode(), 1};
    };
    const auto isMark = [](char32_t c) {
        const QChar::Category category = QChar::category(c);
        return category == QChar::Mark_NonSpacing || category == QChar::Mark_SpacingCombining || category == QChar::Mark_Enclosing;
    };
    // The words of the text as protocol::searchWords cuts them (letters and digits, marks
    // inside), compared as it compares them; a query word matches a word's beginning.
    QList<std::pair<qsizetype, qsizetype>> matches;
    for (qsizetype i = 0; i < line.size();) {
        const auto [c, size] = codePointAt(i);
        if (!QChar::isLetterOrNumber(c)) {
            i += size;
            continue;
        }
        const qsizetype start = i;
        for (i += size; i < line.size();) {
            const auto [next, nextSize] = codePointAt(i);
            if (!QChar::isLetterOrNumber(next) && !isMark(next))
                break;
            i += nextSize;
        }
        const QString folded = line.sliced(start, i - start).normalized(QString::NormalizationForm_C).toLower()
                                   .normalized(QString::NormalizationForm_C);
        if (std::any_of(words.cbegin(), words.cend(), [&folded](const QString &w) { return folded.startsWith(w); }))
            matches.append({start, i});
    }

    qsizetype from = 0;
    qsizetype to = line.size();
    if (line.size() > kExcerptLength) {
        from = matches.isEmpty() ? 0 : std::max<qsizetype>(0, matches.constFirst().first - kLead);
        if (from > 0 && line.at(from).isLowSurrogate())
            --from;
        to = std::min(line.size(), from + kExcerptLength);
        if (to < line.size() && line.at(to).isLowSurrogate())
            ++to;
    }
    const auto plain = [](QStringView piece) {
        QString escaped = revealControls(piece.toString());
        escaped.replace(u'&', "&amp;"_L1).replace(u'<', "&lt;"_L1).replace(u'>', "&gt;"_L1);
        return escaped;
    };
    QString out;
    if (from > 0)
        out += u'…';
    qsizetype at = from;
    for (const auto &[start, end] : std::as_const(matches)) {
        if (end <= from || start >= to)
            continue;
        const qsizetype s = std::max(start, from);
        const qsizetype e = std::min(end, to);
        out += plain(QStringView(line).sliced(at, s - at)) + "<b>"_L1 + plain(QStringView(line).sliced(s, e - s)) + "</b>"_L1;
        at = e;
    }
    out += plain(QStringView(line).sliced(at, to - at));
    if (to < line.size())
        out += u'…';
    return out;
}

QString revealControls(const QString &text)
{
    const auto hasControl = std::any_of(text.cbegin(), text.cend(), [](QChar c) { return !bidiControlName(c.unicode()).isEmpty(); });
    if (!hasControl)
        return text;
    QString out;
    out.reserve(text.size() + 8);
    for (const QChar c : text) {
        if (const QLatin1StringView name = bidiControlName(c.unicode()); !name.isEmpty())
            out += u'[' + name + u']';
        else
            out += c;
    }
    return out;
}

} // namespace rill::client::MessageRenderer
