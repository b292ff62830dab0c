#pragma once

#include <QString>
#include <QUrl>

#include <optional>

namespace rill::client {

// A link to one message: rill://<host:port>/<channel>/<messageId>. "Copy link" makes one;
// clicking one in a message opens the channel at that message when it names the server the app
// is connected to (the scheme of the connection, ws or wss, is not part of it: a link works for
// everyone who reaches that server).
struct MessageLink {
    QString host; // lowercased
    int port = 0;
    QString channel;
    QString messageId;

    static constexpr QLatin1StringView kScheme{"rill"};

    // The link to `messageId` in `channel` on `server` (the ws:// or wss:// address).
    [[nodiscard]] static QString make(const QUrl &server, const QString &channel, const QString &messageId);
    // A link's parts, or nothing when `link` is not a message link.
    [[nodiscard]] static std::optional<MessageLink> parse(const QString &link);
    // Whether it points into `server` (host and port; a server address without a port has
    // the protocol's default).
    [[nodiscard]] bool isOn(const QUrl &server) const;
    // "host:port", for saying which server a link is for.
    [[nodiscard]] QString authority() const;
};

} // namespace rill::client
