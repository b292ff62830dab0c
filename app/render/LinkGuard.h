#pragma once

#include <QObject>
#include <QVariantMap>
#include <QtQmlIntegration>

namespace rill::client {

// What the timeline does with a clicked link. Only http, https and mailto open; when the text
// the reader clicked does not show where the link goes ("[docs](http://elsewhere)", an image
// link), the target is shown first and opens only when the reader agrees. A message link
// (MessageLink) is not opened outside: the app jumps to the message (Workspace::openLink).
class LinkGuard : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON

public:
    enum class Action { Refuse, Open, Confirm, Jump };
    Q_ENUM(Action)

    explicit LinkGuard(QObject *parent = nullptr);

    struct Decision {
        Action action = Action::Refuse;
        QString url;   // what to open
        QString shown; // the target as the reader should see it (controls made visible)
    };
    // For `target` (what Text.linkActivated reported) clicked in a message reading `messageText`.
    [[nodiscard]] static Decision decide(const QString &messageText, const QString &target);

    // decide() for QML: {action, url, shown}.
    Q_INVOKABLE QVariantMap inspect(const QString &messageText, const QString &target) const;
};

} // namespace rill::client
