#include "Logging.h"

#include "ServerConfig.h"

#include <QLoggingCategory>

#ifdef Q_OS_UNIX
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace rill::server {

using namespace Qt::StringLiterals;

QString loggingRules(QtMsgType level, const QString &extraRules)
{
    QStringList rules;
    switch (level) {
    case QtDebugMsg:
        // Ours only: Qt's own debug output (qt.*) would drown the server's.
        rules << u"rill.*.debug=true"_s << u"default.debug=true"_s;
        break;
    case QtInfoMsg:
        rules << u"*.debug=false"_s;
        break;
    case QtWarningMsg:
        rules << u"*.debug=false"_s << u"*.info=false"_s;
        break;
    case QtCriticalMsg:
    case QtFatalMsg:
        rules << u"*.debug=false"_s << u"*.info=false"_s << u"*.warning=false"_s;
        break;
    }
    for (const QString &rule : QString(extraRules).replace(u';', u'\n').split(u'\n', Qt::SkipEmptyParts)) {
        if (!rule.trimmed().isEmpty())
            rules << rule.trimmed();
    }
    return rules.join(u'\n');
}

bool stderrIsJournal(const QString &journalStream)
{
#ifdef Q_OS_UNIX
    const auto parts = journalStream.split(u':');
    if (parts.size() != 2)
        return false;
    bool deviceOk = false;
    bool inodeOk = false;
    const qulonglong device = parts[0].toULongLong(&deviceOk);
    const qulonglong inode = parts[1].toULongLong(&inodeOk);
    struct stat stream {};
    if (!deviceOk || !inodeOk || ::fstat(STDERR_FILENO, &stream) != 0)
        return false;
    return qulonglong(stream.st_dev) == device && qulonglong(stream.st_ino) == inode;
#else
    Q_UNUSED(journalStream);
    return false;
#endif
}

QString logMessagePattern(bool toJournal)
{
    const QString categoryAndMessage = u"%{if-category}%{category}: %{endif}%{message}"_s;
    if (toJournal) {
        // sd-daemon(3)'s prefixes: <7> debug, <6> info, <4> warning, <3> error, <2> critical.
        return u"%{if-debug}<7>%{endif}%{if-info}<6>%{endif}%{if-warning}<4>%{endif}%{if-critical}<3>%{endif}"
               "%{if-fatal}<2>%{endif}"_s
            + categoryAndMessage;
    }
    return u"%{time yyyy-MM-ddThh:mm:ss.zzz} %{type} "_s + categoryAndMessage;
}

void setUpLogging(const ServerConfig &config, const QString &journalStream)
{
    qSetMessagePattern(logMessagePattern(stderrIsJournal(journalStream)));
    QLoggingCategory::setFilterRules(loggingRules(config.logLevel, config.logRules));
}

} // namespace rill::server
