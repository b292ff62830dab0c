#pragma once

#include <QObject>
#include <QPalette>
#include <QtQmlIntegration>

namespace rill::app {

// Light or dark, by the user's choice or following the system. It sets the application
// palette (the Fusion style and SystemPalette in QML follow it), so views need no theme code.
class Theme : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("The app owns the theme")
    Q_PROPERTY(bool dark READ isDark NOTIFY darkChanged)

public:
    explicit Theme(QObject *parent = nullptr);

    // "system", "light" or "dark".
    void setMode(const QString &mode);
    [[nodiscard]] bool isDark() const { return m_dark; }

    [[nodiscard]] static QPalette lightPalette();
    [[nodiscard]] static QPalette darkPalette();

Q_SIGNALS:
    void darkChanged();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void apply();
    [[nodiscard]] bool systemIsDark() const;

    QString m_mode = QStringLiteral("system");
    QPalette m_systemPalette;
    bool m_dark = false;
    bool m_applying = false;
};

} // namespace rill::app
