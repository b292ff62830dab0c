#include "LinkGuard.h"

#include "MessageLink.h"
#include "MessageRenderer.h"

#include <QUrl>

namespace rill::client {

using namespace Qt::StringLiterals;

namespace {
// Whether the visible text of a link already says where it goes: the URL itself, or what
// autolinks show for it (www.… for http://www.…, the address for mailto:).
bool showsTarget(const QString &visible, const QString &url)
{
    const QString text = visible.trimmed();
    if (text.isEmpty())
        return false;
    for (const QString &candidate : {text, QString(u"http://"_s + text), QString(u"mailto:"_s + text)}) {
        if (MessageRenderer::openableTarget(candidate) == url)
            return true;
    }
    return false;
}
} // namespace

LinkGuard::LinkGuard(QObject *parent)
    : QObject(parent)
{
}

LinkGuard::Decision LinkGuard::decide(const QString &messageText, const QString &target)
{
    const QString url = MessageRenderer::openableTarget(target);
    if (url.isEmpty())
        return {};
    if (MessageLink::parse(url))
        return {Action::Jump, url, MessageRenderer::revealControls(url)};
    QString visible;
    const auto links = MessageRenderer::links(messageText);
    for (const MessageRenderer::Link &link : links) {
        if (link.target == url) {
            visible = link.text;
            break;
        }
    }
    const QString shown = MessageRenderer::revealControls(QUrl(url).toDisplayString());
    return {showsTarget(visible, url) ? Action::Open : Action::Confirm, url, shown};
}

QVariantMap LinkGuard::inspect(const QString &messageText, const QString &target) const
{
    const Decision decision = decide(messageText, target);
    return {
        {u"action"_s, int(decision.action)},
        {u"url"_s, decision.url},
        {u"shown"_s, decision.shown},
    };
}

} // namespace rill::client
