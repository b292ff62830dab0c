#include "Icons.h"

#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

namespace rill::app {

QIcon appIcon(bool unread)
{
    QIcon icon;
    for (const int size : {16, 22, 32, 48, 64, 128, 256}) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter p(&pixmap);
        p.setRenderHint(QPainter::Antialiasing);
        const qreal s = size;
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(0x2f, 0x6f, 0xde));
        p.drawRoundedRect(QRectF(0, 0, s, s), s * 0.22, s * 0.22);
        // Three waves: a rill.
        QPen wave(Qt::white, std::max(1.5, s * 0.08), Qt::SolidLine, Qt::RoundCap);
        p.setPen(wave);
        p.setBrush(Qt::NoBrush);
        for (int i = 0; i < 3; ++i) {
            const qreal y = s * (0.32 + 0.18 * i);
            QPainterPath path;
            path.moveTo(s * 0.2, y);
            path.cubicTo(s * 0.35, y - s * 0.1, s * 0.45, y + s * 0.1, s * 0.6, y);
            path.cubicTo(s * 0.7, y - s * 0.07, s * 0.75, y - s * 0.03, s * 0.8, y);
            p.drawPath(path);
        }
        if (unread) {
            p.setPen(QPen(Qt::white, std::max(1.0, s * 0.04)));
            p.setBrush(QColor(0xe5, 0x48, 0x4d));
            p.drawEllipse(QRectF(s * 0.56, 0, s * 0.44, s * 0.44));
        }
        p.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

} // namespace rill::app
