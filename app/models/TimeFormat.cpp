#include "TimeFormat.h"

#include <QCoreApplication>
#include <QLocale>

namespace rill::client::TimeFormat {

using namespace Qt::StringLiterals;

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("TimeFormat", text);
}

// English month and weekday names whatever the C library's locale; a translation would swap
// the QLocale here.
const QLocale &locale()
{
    static const QLocale english(QLocale::English, QLocale::UnitedKingdom);
    return english;
}
} // namespace

QString clock(const QDateTime &when)
{
    return locale().toString(when.toLocalTime().time(), u"HH:mm"_s);
}

QString relative(const QDateTime &when, const QDateTime &now)
{
    const QDateTime local = when.toLocalTime();
    const QDate d = local.date();
    const QDate today = now.toLocalTime().date();
    const QString time = clock(local);
    const qint64 daysAgo = d.daysTo(today);
    if (daysAgo == 0)
        return tr("today %1").arg(time);
    if (daysAgo == 1)
        return tr("yesterday %1").arg(time);
    if (daysAgo > 1 && daysAgo < 7)
        return locale().toString(d, u"dddd"_s) + u' ' + time;
    if (d.year() == today.year())
        return locale().toString(d, u"d MMMM"_s) + u' ' + time;
    return locale().toString(d, u"d MMMM yyyy"_s) + u' ' + time;
}

QString day(const QDate &d, const QDate &today)
{
    const qint64 daysAgo = d.daysTo(today);
    if (daysAgo == 0)
        return tr("Today");
    if (daysAgo == 1)
        return tr("Yesterday");
    if (daysAgo > 1 && daysAgo < 7)
        return locale().toString(d, u"dddd"_s);
    if (d.year() == today.year())
        return locale().toString(d, u"dddd d MMMM"_s);
    return locale().toString(d, u"d MMMM yyyy"_s);
}

} // namespace rill::client::TimeFormat
