#pragma once

#include "ServerFixture.h"
#include "TestClient.h"

#include "../app/ClientUnderTest.h"
#include "ui/AppSettings.h"

#include <QHash>
#include <QMutex>
#include <QNetworkAccessManager>
#include <QObject>
#include <QQmlEngine>
#include <QQmlNetworkAccessManagerFactory>
#include <QTemporaryDir>
#include <QUrl>

#include <memory>
#include <vector>

namespace rill::test {

// Every network request the QML engines make (StyledText and MarkdownText load images
// through them), from whichever thread makes it.
class RecordingNetwork : public QQmlNetworkAccessManagerFactory
{
public:
    QNetworkAccessManager *create(QObject *parent) override;
    void record(const QUrl &url);
    [[nodiscard]] QStringList requests() const;

private:
    mutable QMutex m_mutex;
    QStringList m_requests;
};

// What the QML view tests bind to: Alice's client core (a Workspace signed in to a real
// server), and Bob, a plain protocol client, to make things happen. It also records what the
// views ask the network for and which URLs they open (Qt.openUrlExternally).
class ViewHarness : public QObject
{
    Q_OBJECT
    Q_PROPERTY(rill::client::Workspace *workspace READ workspace CONSTANT)
    // Alice's profile settings (drafts), in a file of this run.
    Q_PROPERTY(rill::app::AppSettings *settings READ settings CONSTANT)

public:
    explicit ViewHarness(QObject *parent = nullptr);
    ~ViewHarness() override;

    [[nodiscard]] bool start();
    [[nodiscard]] client::Workspace *workspace() const { return m_alice ? m_alice->workspace.get() : nullptr; }
    [[nodiscard]] app::AppSettings *settings() const { return m_settings.get(); }
    // The same settings file read afresh, as the next start of the app reads it.
    Q_INVOKABLE rill::app::AppSettings *reopenSettings();

    // Bob says something in a channel (joining it first), in the thread of `replyTo` if given.
    Q_INVOKABLE bool postAsBob(const QString &channel, const QString &text, const QString &replyTo = {});
    // Bob fills a fresh channel with `count` messages; Alice joins it and opens it. Returns
    // once her first page is in.
    Q_INVOKABLE bool prepareLongChannel(const QString &channel, int count);
    // Alice starts the app again: a new client core signed in as her, nothing loaded yet.
    // It stays until the next call.
    Q_INVOKABLE rill::client::Workspace *restartedWorkspace();
    // The ID of the message Bob posted in `channel` with `text` (the last one, if several).
    Q_INVOKABLE QString idOf(const QString &channel, const QString &text) const { return m_posted.value(channel + u'\n' + text); }
    // Someone new signs up and opens a direct message with Alice. Returns the DM's name.
    Q_INVOKABLE QString directMessageFrom(const QString &user);
    // Alice's confirmed message texts in a channel, oldest first.
    Q_INVOKABLE QStringList texts(const QString &channel) const;
    Q_INVOKABLE int pendingCount(const QString &channel) const;
    // Every URL the QML engines requested, in order.
    Q_INVOKABLE QStringList networkRequests() const { return m_network.requests(); }
    // Every URL the views asked the desktop to open, in order.
    Q_INVOKABLE QStringList openedUrls() const { return m_opened; }

    [[nodiscard]] RecordingNetwork *network() { return &m_network; }

public Q_SLOTS:
    // QDesktopServices' handler for every scheme a link could have.
    void openUrl(const QUrl &url) { m_opened << url.toString(QUrl::FullyEncoded); }

private:
    QTemporaryDir m_profileDir;
    std::unique_ptr<app::AppSettings> m_settings;
    std::unique_ptr<ServerFixture> m_server;
    std::unique_ptr<ClientUnderTest> m_alice;
    std::unique_ptr<TestClient> m_bob;
    std::unique_ptr<ClientUnderTest> m_aliceAgain;
    std::vector<std::unique_ptr<TestClient>> m_others;
    RecordingNetwork m_network;
    QStringList m_opened;
    QHash<QString, QString> m_posted; // "channel\ntext" -> ID of Bob's messages
};

// QUICK_TEST_MAIN_WITH_SETUP's setup object.
class ViewTestSetup : public QObject
{
    Q_OBJECT

public Q_SLOTS:
    void applicationAvailable();
    void qmlEngineAvailable(QQmlEngine *engine);
    void cleanupTestCase();

private:
    std::unique_ptr<ViewHarness> m_harness;
};

} // namespace rill::test
