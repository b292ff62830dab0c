#pragma once

#include "ServerFixture.h"
#include "TestClient.h"

#include "../app/ClientUnderTest.h"

#include <QObject>
#include <QQmlEngine>

#include <memory>
#include <vector>

namespace rill::test {

// What the QML view tests bind to: Alice's client core (a Workspace signed in to a real
// server), and Bob, a plain protocol client, to make things happen.
class ViewHarness : public QObject
{
    Q_OBJECT
    Q_PROPERTY(rill::client::Workspace *workspace READ workspace CONSTANT)

public:
    explicit ViewHarness(QObject *parent = nullptr);
    ~ViewHarness() override;

    [[nodiscard]] bool start();
    [[nodiscard]] client::Workspace *workspace() const { return m_alice ? m_alice->workspace.get() : nullptr; }

    // Bob says something in a channel (joining it first).
    Q_INVOKABLE bool postAsBob(const QString &channel, const QString &text);
    // Bob fills a fresh channel with `count` messages; Alice joins it and opens it. Returns
    // once her first page is in.
    Q_INVOKABLE bool prepareLongChannel(const QString &channel, int count);
    // Alice starts the app again: a new client core signed in as her, nothing loaded yet.
    // It stays until the next call.
    Q_INVOKABLE rill::client::Workspace *restartedWorkspace();
    // Someone new signs up and opens a direct message with Alice. Returns the DM's name.
    Q_INVOKABLE QString directMessageFrom(const QString &user);
    // Alice's confirmed message texts in a channel, oldest first.
    Q_INVOKABLE QStringList texts(const QString &channel) const;
    Q_INVOKABLE int pendingCount(const QString &channel) const;

private:
    std::unique_ptr<ServerFixture> m_server;
    std::unique_ptr<ClientUnderTest> m_alice;
    std::unique_ptr<TestClient> m_bob;
    std::unique_ptr<ClientUnderTest> m_aliceAgain;
    std::vector<std::unique_ptr<TestClient>> m_others;
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
