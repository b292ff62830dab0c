#pragma once

// What the app's renderer may hand to Text.StyledText, checked from outside: shared by the
// renderer's tests and its fuzzer, so both hold it to the same rule.

#include <QRegularExpression>
#include <QStringList>

namespace rill::test {

using namespace Qt::StringLiterals;

// Everything wrong with `styled` as input for Text.StyledText: a tag or entity the renderer
// never writes (above all <img>, StyledText's one way to load something), or a link that is
// not http, https, mailto or a message link (rill://, which only opens inside the app).
inline QStringList problemsOf(const QString &styled)
{
    static const QRegularExpression tag(uR"re(<(/?)([a-zA-Z]*)([^>]*)>)re"_s);
    static const QRegularExpression anchor(uR"re(^ href="([^"'<>\s]*)"$)re"_s);
    static const QRegularExpression font(uR"re(^ color="#[0-9a-f]{6}"$)re"_s);
    static const QRegularExpression entity(uR"re(&([^;&\s]*);)re"_s);
    QStringList problems;
    for (auto it = tag.globalMatch(styled); it.hasNext();) {
        const auto m = it.next();
        const bool closing = !m.captured(1).isEmpty();
        const QString name = m.captured(2).toLower();
        const QString attributes = m.captured(3);
        const bool plain = attributes.isEmpty();
        bool ok = false;
        if (name == "b"_L1 || name == "i"_L1 || name == "s"_L1 || name == "pre"_L1)
            ok = plain;
        else if (name == "br"_L1)
            ok = plain && !closing;
        else if (name == "font"_L1)
            ok = closing ? plain : font.match(attributes).hasMatch();
        else if (name == "a"_L1) {
            if (closing) {
                ok = plain;
            } else if (const auto href = anchor.match(attributes); href.hasMatch()) {
                const QString target = href.captured(1);
                ok = target.startsWith("http://"_L1) || target.startsWith("https://"_L1) || target.startsWith("mailto:"_L1)
                    || target.startsWith("rill://"_L1);
            }
        }
        if (!ok)
            problems << m.captured(0);
    }
    // A '<' that did not start one of those tags is text StyledText would still parse.
    if (styled.count(u'<') != styled.count(tag))
        problems << u"stray <"_s;
    // StyledText reads entities in text only; an attribute's value is taken as it stands.
    QString text = styled;
    text.remove(tag);
    for (auto it = entity.globalMatch(text); it.hasNext();) {
        const QString name = it.next().captured(1);
        if (name != "amp"_L1 && name != "lt"_L1 && name != "gt"_L1 && name != "nbsp"_L1)
            problems << u'&' + name + u';';
    }
    return problems;
}

// The bound the renderer promises: linear in the input.
inline bool withinBounds(const QString &text, const QString &styled)
{
    return styled.size() <= 32 * text.toUtf8().size() + 1024;
}

} // namespace rill::test
