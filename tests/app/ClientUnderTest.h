#pragma once

#include "session/ClientSession.h"
#include "stores/ChannelStore.h"
#include "stores/Workspace.h"

#include "RedisFixture.h" // waitUntil
#include "TestClient.h"

#include <QCoreApplication>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace rill::test {

// One instance of the client core, as the app composes it, with retries short enough for tests.
struct ClientUnderTest {
    // How the link comes back after it drops: by itself at once, or only when the test says
    // (session->retryNow()), so others can act while this client is away.
    enum class Reconnect { Soon, WhenAsked };

    explicit ClientUnderTest(int pageSize = 50, int listPageSize = protocol::kMaxListPage, Reconnect reconnect = Reconnect::Soon)
    {
        client::ClientSession::Options options;
        const bool soon = reconnect == Reconnect::Soon;
        options.connection.firstRetry = soon ? std::chrono::milliseconds(50) : std::chrono::milliseconds(std::chrono::hours(1));
        options.connection.maxRetry = soon ? std::chrono::milliseconds(400) : std::chrono::milliseconds(std::chrono::hours(1));
        options.requestTimeout = std::chrono::seconds(10);
        session = std::make_unique<client::ClientSession>(options);
        client::Workspace::Options workspaceOptions;
        workspaceOptions.pageSize = pageSize;
        workspaceOptions.listPageSize = listPageSize;
        workspaceOptions.readDelay = std::chrono::milliseconds(10);
        workspace = std::make_unique<client::Workspace>(session.get(), workspaceOptions);
        workspace->setWindowActive(false);
    }

    // Registers (or logs in when the name is taken) and waits until online.
    [[nodiscard]] bool signUp(const QUrl &url, const QString &user, const QString &password = QStringLiteral("password1"))
    {
        using Status = client::ClientSession::Status;
        const auto settled = [this] { return session->status() == Status::Online || session->status() == Status::SignedOut; };
        session->createAccount(url, user, password);
        if (!waitUntil(settled, std::chrono::seconds(10)))
            return false;
        if (session->status() == Status::Online)
            return true;
        session->signIn(url, user, password); // taken: it is ours from an earlier step
        return waitUntil(settled, std::chrono::seconds(10)) && session->status() == Status::Online;
    }

    [[nodiscard]] client::ChannelStore *channel(const QString &name) const { return workspace->channel(name); }

    // Drops the link as a network failure would and waits until the session knows.
    [[nodiscard]] bool dropLink()
    {
        session->connection().abort();
        return waitUntil([this] { return session->status() == client::ClientSession::Status::Reconnecting; },
                         std::chrono::seconds(10));
    }

    // Texts of a channel's confirmed messages, oldest first.
    [[nodiscard]] QStringList texts(const QString &name) const
    {
        QStringList out;
        if (const auto *store = channel(name)) {
            for (const auto &m : store->messages()) {
                if (m.kind == protocol::MessageKind::Message)
                    out << m.text;
            }
        }
        return out;
    }

    std::unique_ptr<client::ClientSession> session;
    std::unique_ptr<client::Workspace> workspace; // declared after the session: destroyed first
};

// Points the app's settings, profiles and data at `home`, as a fresh user's on a fresh machine.
[[nodiscard]] inline bool useTemporaryHome(const QTemporaryDir &home)
{
    if (!home.isValid())
        return false;
    qputenv("XDG_CONFIG_HOME", home.filePath(QStringLiteral("config")).toUtf8());
    qputenv("XDG_DATA_HOME", home.filePath(QStringLiteral("data")).toUtf8());
    QCoreApplication::setApplicationName(QStringLiteral("rill"));
    // A test's tokens never go into the keychain of whoever runs it (tst_tokenstore tests that).
    qputenv("RILL_KEYCHAIN", "off");
    return true;
}

// `format` with "%1" from `first` to `last`: numbered("m%1", 1, 3) is "m1", "m2", "m3".
[[nodiscard]] inline QStringList numbered(const QString &format, qsizetype first, qsizetype last)
{
    QStringList out;
    for (qsizetype i = first; i <= last; ++i)
        out << format.arg(i);
    return out;
}

// `poster` sends numbered(format, first, first + count - 1) to `channel`, pipelined (the server
// keeps their order). Their IDs in order; fewer than `count` when one was refused.
[[nodiscard]] inline QStringList postNumbered(TestClient &poster, const QString &channel, const QString &format, qsizetype first, qsizetype count)
{
    QList<qint64> requests;
    for (const QString &text : numbered(format, first, first + count - 1))
        requests << poster.post(QStringLiteral("send"), {{QStringLiteral("channel"), channel}, {QStringLiteral("text"), text}});
    QStringList ids;
    for (const qint64 request : std::as_const(requests)) {
        const QJsonObject reply = poster.replyTo(request);
        if (!reply.value(QStringLiteral("ok")).toBool())
            break;
        ids << reply.value(QStringLiteral("message")).toObject().value(QStringLiteral("id")).toString();
    }
    return ids;
}

// IDs strictly increasing: ordered, and no message twice.
inline bool strictlyOrdered(const client::ChannelStore &store)
{
    const auto &messages = store.messages();
    for (qsizetype i = 1; i < messages.size(); ++i) {
        if (!(messages[i - 1].id < messages[i].id))
            return false;
    }
    return true;
}

} // namespace rill::test
