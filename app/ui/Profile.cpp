#include "Profile.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSaveFile>
#include <QStandardPaths>

namespace rill::app {

using namespace Qt::StringLiterals;

Profile::Profile(QString name)
    : m_name(std::move(name))
{
}

bool Profile::isValidName(const QString &name)
{
    static const QRegularExpression valid(u"^[A-Za-z0-9_.-]{1,64}$"_s);
    return valid.match(name).hasMatch() && name != u"."_s && name != u".."_s;
}

QString Profile::settingsPath() const
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation)).filePath(u"profiles/"_s + m_name + u".ini"_s);
}

QString Profile::dataDir() const
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath(u"profiles/"_s + m_name);
}

QString Profile::serverDataDir() const
{
    return QDir(dataDir()).filePath(u"server"_s);
}

QString Profile::cachePath() const
{
    return QDir(dataDir()).filePath(u"cache.sqlite"_s);
}

} // namespace rill::app
