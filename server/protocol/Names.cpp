#include "Names.h"

#include "Limits.h"

#include <QSet>

#include <algorithm>

namespace rill::protocol {
namespace {

using namespace Qt::StringLiterals;

constexpr bool isAsciiLower(char16_t c) { return c >= u'a' && c <= u'z'; }
constexpr bool isAsciiUpper(char16_t c) { return c >= u'A' && c <= u'Z'; }
constexpr bool isAsciiDigit(char16_t c) { return c >= u'0' && c <= u'9'; }

constexpr bool isUserNameChar(char16_t c)
{
    return isAsciiLower(c) || isAsciiUpper(c) || isAsciiDigit(c) || c == u'_' || c == u'.' || c == u'-';
}

// A character that belongs to a word: a mention does not start or end next to one.
bool isWordChar(QChar c)
{
    return c.isLetterOrNumber() || c == u'_';
}

constexpr bool isChannelNameChar(char16_t c)
{
    return isAsciiLower(c) || isAsciiDigit(c) || c == u'_' || c == u'-';
}

// Lowercasing is ASCII-only on purpose: QString::toLower() maps e.g. KELVIN SIGN to 'k',
// which would let a look-alike name pass validation after the fact.
QString asciiLower(QStringView s)
{
    QString out(s.size(), Qt::Uninitialized);
    std::transform(s.begin(), s.end(), out.begin(), [](QChar c) {
        return isAsciiUpper(c.unicode()) ? QChar(c.unicode() + (u'a' - u'A')) : c;
    });
    return out;
}

} // namespace

bool isValidUserName(QStringView name)
{
    return name.size() >= kMinUserNameLength && name.size() <= kMaxUserNameLength
        && std::all_of(name.begin(), name.end(), [](QChar c) { return isUserNameChar(c.unicode()); });
}

QString userKey(QStringView name)
{
    return asciiLower(name);
}

bool isValidPassword(QStringView password)
{
    const auto n = codePointCount(password);
    return n >= kMinPasswordLength && n <= kMaxPasswordLength;
}

std::optional<QString> normalizeChannelName(QStringView input)
{
    if (input.size() < kMinChannelNameLength || input.size() > kMaxChannelNameLength)
        return std::nullopt;
    QString name = asciiLower(input);
    if (!std::all_of(name.cbegin(), name.cend(), [](QChar c) { return isChannelNameChar(c.unicode()); }))
        return std::nullopt;
    return name;
}

bool isDmChannel(QStringView channel)
{
    return channel.startsWith(kDmPrefix);
}

QString dmChannelName(QStringView userA, QStringView userB)
{
    QString a = userKey(userA);
    QString b = userKey(userB);
    if (b < a)
        std::swap(a, b);
    return kDmPrefix + a + u':' + b;
}

std::optional<std::pair<QString, QString>> dmParticipants(QStringView channel)
{
    if (!isDmChannel(channel))
        return std::nullopt;
    const QStringView rest = channel.mid(kDmPrefix.size());
    const auto colon = rest.indexOf(u':');
    if (colon < 0)
        return std::nullopt;
    const QStringView a = rest.left(colon);
    const QStringView b = rest.mid(colon + 1);
    if (!isValidUserName(a) || !isValidUserName(b) || userKey(a) != a || userKey(b) != b || b < a)
        return std::nullopt;
    return std::pair{a.toString(), b.toString()};
}

std::optional<QString> normalizeChannelReference(QStringView input)
{
    QString lowered = asciiLower(input);
    if (isDmChannel(lowered)) {
        if (dmParticipants(lowered))
            return lowered;
        return std::nullopt;
    }
    return normalizeChannelName(lowered);
}

qsizetype codePointCount(QStringView text)
{
    qsizetype n = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text[i].isHighSurrogate() && i + 1 < text.size() && text[i + 1].isLowSurrogate())
            ++i;
        ++n;
    }
    return n;
}

CheckedText checkMessageText(const QString &text)
{
    CheckedText checked{text.trimmed(), TextProblem::None};
    if (checked.text.isEmpty())
        checked.problem = TextProblem::Empty;
    else if (codePointCount(checked.text) > kMaxTextCodePoints)
        checked.problem = TextProblem::TooLong;
    return checked;
}

bool isValidEmoji(QStringView emoji)
{
    if (emoji.isEmpty())
        return false;
    qsizetype bytes = 0;
    for (qsizetype i = 0; i < emoji.size(); ++i) {
        char32_t c = emoji[i].unicode();
        if (QChar::isHighSurrogate(c) && i + 1 < emoji.size() && emoji[i + 1].isLowSurrogate()) {
            c = QChar::surrogateToUcs4(emoji[i], emoji[i + 1]);
            ++i;
        } else if (QChar::isSurrogate(c)) {
            return false; // not text: no UTF-8 for it
        }
        if (QChar::isSpace(c) || QChar::category(c) == QChar::Other_Control)
            return false;
        bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    }
    return bytes <= kMaxEmojiBytes;
}

QStringList mentionedUserKeys(QStringView text)
{
    QStringList keys;
    const auto add = [&keys](QStringView name) {
        if (isValidUserName(name)) {
            const QString key = userKey(name);
            if (!keys.contains(key))
                keys.append(key);
        }
    };
    for (qsizetype at = text.indexOf(u'@'); at >= 0; at = text.indexOf(u'@', at + 1)) {
        if (at > 0 && isWordChar(text[at - 1]))
            continue;
        qsizetype end = at + 1;
        while (end < text.size() && isUserNameChar(text[end].unicode()))
            ++end;
        if (end < text.size() && isWordChar(text[end]))
            continue; // the name runs on into letters a name cannot hold: "@alicé"
        QStringView name = text.sliced(at + 1, end - at - 1);
        add(name);
        // Sentence punctuation after a name is not part of it.
        while (!name.isEmpty() && (name.back() == u'.' || name.back() == u'-'))
            name.chop(1);
        add(name);
    }
    return keys;
}

qsizetype mentionStartAt(QStringView text, qsizetype cursor)
{
    if (cursor < 1 || cursor > text.size())
        return -1;
    qsizetype at = cursor;
    while (at > 0 && isUserNameChar(text[at - 1].unicode()))
        --at;
    const qsizetype sign = at - 1;
    if (sign < 0 || text[sign] != u'@' || (sign > 0 && isWordChar(text[sign - 1])))
        return -1;
    return sign;
}

bool mentions(QStringView text, QStringView user)
{
    return !user.isEmpty() && mentionedUserKeys(text).contains(userKey(user));
}

QStringList searchWords(QStringView text)
{
    // Lowercasing can decompose (U+0130 becomes i + U+0307), so NFC again after it. ASCII text
    // (most of what is sent) has nothing to compose and skips both passes: every message sent
    // goes through here.
    const bool ascii = std::all_of(text.begin(), text.end(), [](QChar c) { return c.unicode() < 0x80; });
    const QString folded = ascii ? text.toString().toLower()
                                 : text.toString().normalized(QString::NormalizationForm_C).toLower()
                                       .normalized(QString::NormalizationForm_C);
    QStringList words;
    QSet<QString> seen; // a long text repeats words; keep this linear
    QString word;
    auto finish = [&words, &seen, &word] {
        if (!word.isEmpty() && !seen.contains(word)) {
            seen.insert(word);
            words.append(word);
        }
        word.clear();
    };
    for (qsizetype i = 0; i < folded.size(); ++i) {
        char32_t c = folded.at(i).unicode();
        const bool pair = QChar::isHighSurrogate(c) && i + 1 < folded.size() && folded.at(i + 1).isLowSurrogate();
        if (pair)
            c = QChar::surrogateToUcs4(folded.at(i).unicode(), folded.at(i + 1).unicode());
        const QChar::Category category = QChar::category(c);
        const bool inWord = QChar::isLetterOrNumber(c)
            || (!word.isEmpty()
                && (category == QChar::Mark_NonSpacing || category == QChar::Mark_SpacingCombining
                    || category == QChar::Mark_Enclosing));
        if (inWord)
            word.append(folded.sliced(i, pair ? 2 : 1));
        else
            finish();
        if (pair)
            ++i;
    }
    finish();
    return words;
}

CheckedText checkTopic(const QString &topic)
{
    CheckedText checked{topic.trimmed(), TextProblem::None};
    if (codePointCount(checked.text) > kMaxTopicCodePoints)
        checked.problem = TextProblem::TooLong;
    return checked;
}

} // namespace rill::protocol
