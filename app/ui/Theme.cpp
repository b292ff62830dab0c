#include "Theme.h"

#include <QEvent>
#include <QGuiApplication>

namespace rill::app {

using namespace Qt::StringLiterals;

Theme::Theme(QObject *parent)
    : QObject(parent)
    , m_systemPalette(QGuiApplication::palette())
{
    // Qt 6.4 has no colour-scheme API; a platform theme that switches to dark changes the
    // application palette, and we hear it here.
    qApp->installEventFilter(this);
    apply();
}

void Theme::setMode(const QString &mode)
{
    m_mode = mode;
    apply();
}

bool Theme::systemIsDark() const
{
    const QColor window = m_systemPalette.color(QPalette::Window);
    const QColor text = m_systemPalette.color(QPalette::WindowText);
    return window.lightness() < text.lightness();
}

void Theme::apply()
{
    const bool dark = m_mode == u"dark"_s || (m_mode != u"light"_s && systemIsDark());
    m_applying = true;
    QGuiApplication::setPalette(dark ? darkPalette() : lightPalette());
    m_applying = false;
    if (dark != m_dark) {
        m_dark = dark;
        Q_EMIT darkChanged();
    }
}

bool Theme::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == qApp && event->type() == QEvent::ApplicationPaletteChange && !m_applying) {
        m_systemPalette = QGuiApplication::palette();
        apply();
    }
    return QObject::eventFilter(watched, event);
}

QPalette Theme::lightPalette()
{
    QPalette p;
    p.setColor(QPalette::Window, QColor(0xf6, 0xf7, 0xf9));
    p.setColor(QPalette::WindowText, QColor(0x1d, 0x21, 0x27));
    p.setColor(QPalette::Base, Qt::white);
    p.setColor(QPalette::AlternateBase, QColor(0xee, 0xf0, 0xf3));
    p.setColor(QPalette::Text, QColor(0x1d, 0x21, 0x27));
    p.setColor(QPalette::PlaceholderText, QColor(0x8a, 0x91, 0x9c));
    p.setColor(QPalette::Button, QColor(0xee, 0xf0, 0xf3));
    p.setColor(QPalette::ButtonText, QColor(0x1d, 0x21, 0x27));
    p.setColor(QPalette::Highlight, QColor(0x2f, 0x6f, 0xde));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x1f, 0x5f, 0xc8));
    p.setColor(QPalette::Mid, QColor(0xc9, 0xce, 0xd6));
    p.setColor(QPalette::Midlight, QColor(0xe3, 0xe6, 0xea));
    p.setColor(QPalette::Dark, QColor(0x6b, 0x72, 0x7d));
    p.setColor(QPalette::ToolTipBase, QColor(0x1d, 0x21, 0x27));
    p.setColor(QPalette::ToolTipText, Qt::white);
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x9a, 0xa0, 0xa8));
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x9a, 0xa0, 0xa8));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x9a, 0xa0, 0xa8));
    return p;
}

QPalette Theme::darkPalette()
{
    QPalette p;
    p.setColor(QPalette::Window, QColor(0x1e, 0x20, 0x24));
    p.setColor(QPalette::WindowText, QColor(0xe4, 0xe6, 0xea));
    p.setColor(QPalette::Base, QColor(0x26, 0x28, 0x2d));
    p.setColor(QPalette::AlternateBase, QColor(0x2d, 0x30, 0x36));
    p.setColor(QPalette::Text, QColor(0xe4, 0xe6, 0xea));
    p.setColor(QPalette::PlaceholderText, QColor(0x80, 0x86, 0x90));
    p.setColor(QPalette::Button, QColor(0x33, 0x36, 0x3c));
    p.setColor(QPalette::ButtonText, QColor(0xe4, 0xe6, 0xea));
    p.setColor(QPalette::Highlight, QColor(0x4a, 0x86, 0xf0));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x7a, 0xa8, 0xff));
    p.setColor(QPalette::Mid, QColor(0x44, 0x48, 0x50));
    p.setColor(QPalette::Midlight, QColor(0x38, 0x3b, 0x42));
    p.setColor(QPalette::Dark, QColor(0x9a, 0xa0, 0xa8));
    p.setColor(QPalette::ToolTipBase, QColor(0xe4, 0xe6, 0xea));
    p.setColor(QPalette::ToolTipText, QColor(0x1e, 0x20, 0x24));
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x70, 0x75, 0x7e));
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x70, 0x75, 0x7e));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x70, 0x75, 0x7e));
    return p;
}

} // namespace rill::app
