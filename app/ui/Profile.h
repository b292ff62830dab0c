#pragma once

#include <QString>

namespace rill::app {

// Where one profile keeps its things. `rill --profile bob` gets its own settings, token and
// bundled server data, so two windows on one machine can be two users.
class Profile
{
public:
    explicit Profile(QString name = QStringLiteral("default"));

    [[nodiscard]] QString name() const { return m_name; }
    [[nodiscard]] bool isDefault() const { return m_name == QLatin1StringView("default"); }
    // INI file of the settings.
    [[nodiscard]] QString settingsPath() const;
    // Private data: tokens where there is no keychain (TokenStore), the bundled server's Redis.
    [[nodiscard]] QString dataDir() const;
    [[nodiscard]] QString serverDataDir() const;
    // The local cache of channels and messages (SQLite).
    [[nodiscard]] QString cachePath() const;

    // Accepts what a person may type after --profile; nullopt-like empty result when invalid.
    [[nodiscard]] static bool isValidName(const QString &name);

private:
    QString m_name;
};

} // namespace rill::app
