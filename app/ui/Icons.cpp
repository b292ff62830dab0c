#include "Icons.h"

#include <QPainter>
#include <QPixmap>

namespace rill::app {

using namespace Qt::StringLiterals;

QIcon appIcon(bool unread)
{
    // resources/icons, as PNG (QtGui reads PNG without an image plugin, SVG would need one).
    QIcon icon;
    for (const int size : {16, 22, 24, 32, 48, 64, 128, 256}) {
        QPixmap pixmap(u":/icons/rill-%1.png"_s.arg(size));
        if (unread) {
            // The tray's "something unread": a red dot, drawn so every size gets a crisp one.
            const qreal s = pixmap.width();
            QPainter p(&pixmap);
            p.setRenderHint(QPainter::Antialiasing);
            p.setPen(QPen(Qt::white, std::max(1.0, s * 0.04)));
            p.setBrush(QColor(0xe5, 0x48, 0x4d));
            p.drawEllipse(QRectF(s * 0.56, 0, s * 0.44, s * 0.44));
        }
        icon.addPixmap(pixmap);
    }
    return icon;
}

} // namespace rill::app
