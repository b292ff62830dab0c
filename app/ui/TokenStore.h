#pragma once

#include "Profile.h"
#include "session/ClientSession.h"

#include <QCoro/QCoroTask>
#include <QObject>
#include <QUrl>

namespace rill::app {

// Where a profile keeps its sign-in tokens: one per server (a token is never offered to another
// server), in the system keychain (Secret Service, KWallet, macOS Keychain, Windows Credential
// Store, through QtKeychain), or in a file only the user can read where there is no keychain.
// Also the tokens signed out of while their server could not be told, until it is.
class TokenStore : public QObject
{
    Q_OBJECT

public:
    using Revocation = client::PendingRevocation;

    explicit TokenStore(Profile profile, QObject *parent = nullptr);

    // Off: files only (tests, and machines whose keychain must not be touched: RILL_KEYCHAIN=off).
    void setKeychainEnabled(bool enabled) { m_keychainWorks = enabled; }
    // Whether the last write went to the keychain.
    [[nodiscard]] bool usesKeychain() const { return m_keychainWorks; }

    [[nodiscard]] QCoro::Task<QString> token(QUrl server);
    // An empty token forgets the server's.
    [[nodiscard]] QCoro::Task<bool> setToken(QUrl server, QString token);

    [[nodiscard]] QCoro::Task<QList<Revocation>> revocations();
    [[nodiscard]] QCoro::Task<bool> setRevocations(QList<Revocation> revocations);

private:
    [[nodiscard]] QCoro::Task<std::optional<QString>> read(QString key);
    [[nodiscard]] QCoro::Task<bool> write(QString key, QString value);
    [[nodiscard]] QString filePath(const QString &key) const;
    [[nodiscard]] QString readFile(const QString &key) const;
    bool writeFile(const QString &key, const QString &value) const;

    Profile m_profile;
    bool m_keychainWorks = true;
};

} // namespace rill::app
