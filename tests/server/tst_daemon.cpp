// rill-server as a service manager sees it: --check-config's exit codes, readiness and stopping
// announced to systemd's notification socket, and log lines fit for the journal. The real
// binary on a real Redis, with a unix datagram socket standing in for systemd.
#include "RedisFixture.h"
#include "TestClient.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <cstring>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

using namespace rill::test;
using namespace Qt::StringLiterals;

namespace {

// systemd's end of NOTIFY_SOCKET: a bound unix datagram socket.
class NotifySocket
{
public:
    explicit NotifySocket(const QString &path)
        : m_path(path)
    {
        m_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        const QByteArray name = QFile::encodeName(path);
        if (m_fd >= 0 && size_t(name.size()) < sizeof(address.sun_path)) {
            std::memcpy(address.sun_path, name.constData(), size_t(name.size()));
            m_bound = ::bind(m_fd, reinterpret_cast<const sockaddr *>(&address), sizeof(address)) == 0;
        }
    }
    ~NotifySocket()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    NotifySocket(const NotifySocket &) = delete;
    NotifySocket &operator=(const NotifySocket &) = delete;

    [[nodiscard]] bool isBound() const { return m_bound; }
    [[nodiscard]] QString path() const { return m_path; }

    // The datagrams that arrived since the last call.
    QStringList take()
    {
        QStringList out;
        char buffer[4096];
        ssize_t n = 0;
        while ((n = ::recv(m_fd, buffer, sizeof(buffer), 0)) > 0)
            out << QString::fromUtf8(buffer, n);
        return out;
    }

private:
    QString m_path;
    int m_fd = -1;
    bool m_bound = false;
};

} // namespace

class TestDaemon : public QObject
{
    Q_OBJECT

    struct Run {
        int exitCode = -1;
        QString out;
        QString err;
    };

    static Run runToEnd(const QStringList &args, const QStringList &extraEnv = {})
    {
        QProcess p;
        auto env = QProcessEnvironment::systemEnvironment();
        for (const QString &line : extraEnv)
            env.insert(line.section(u'=', 0, 0), line.section(u'=', 1));
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(RILL_SERVER_BINARY), args);
        if (!p.waitForFinished(30000))
            return {};
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
                QString::fromUtf8(p.readAllStandardError())};
    }

private Q_SLOTS:
    void checkConfigExitCodes()
    {
        QTemporaryDir dir;
        const Run ok = runToEnd({u"--check-config"_s, u"--port"_s, u"7001"_s}, {u"RILL_RATE_BURST=30"_s});
        QCOMPARE(ok.exitCode, 0);
        QVERIFY2(QRegularExpression(u"^port +7001 +flag --port$"_s, QRegularExpression::MultilineOption).match(ok.out).hasMatch(),
                 qPrintable(ok.out));
        QVERIFY2(QRegularExpression(u"^rate-burst +30 +env RILL_RATE_BURST$"_s, QRegularExpression::MultilineOption)
                     .match(ok.out)
                     .hasMatch(),
                 qPrintable(ok.out));

        QFile file(dir.filePath(u"rill-server.conf"_s));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("prot = 7001\n");
        file.close();
        const Run typo = runToEnd({u"--check-config"_s, u"--config"_s, file.fileName()});
        QCOMPARE(typo.exitCode, 2);
        QVERIFY2(typo.err.contains(u"prot"_s), qPrintable(typo.err));
        QVERIFY(typo.out.isEmpty());

        const Run badValue = runToEnd({u"--check-config"_s, u"--port"_s, u"seven"_s});
        QCOMPARE(badValue.exitCode, 2);
    }

    // Type=notify: "started" means listening. READY=1 comes once a client can connect, and
    // STOPPING=1 as soon as SIGTERM arrives. Logged lines, when stderr is the journal's stream,
    // carry a priority and no time stamp (journald adds its own).
    void serviceManagerAndJournal_data()
    {
        QTest::addColumn<bool>("journal");
        QTest::newRow("under systemd") << true;
        QTest::newRow("in a terminal") << false;
    }
    void serviceManagerAndJournal()
    {
        QFETCH(bool, journal);
        RedisFixture redis;
        QVERIFY2(redis.start(), qPrintable(redis.errorString()));
        QTemporaryDir dir;
        NotifySocket notify(dir.filePath(u"notify"_s));
        QVERIFY(notify.isBound());

        // The journal's stream stands in as a file: JOURNAL_STREAM names its device and inode.
        const QString logPath = dir.filePath(u"stderr.log"_s);
        QFile(logPath).open(QIODevice::WriteOnly);
        struct stat st {};
        QCOMPARE(::stat(QFile::encodeName(logPath).constData(), &st), 0);
        auto env = QProcessEnvironment::systemEnvironment();
        env.remove(u"QT_LOGGING_RULES"_s);
        env.remove(u"QT_MESSAGE_PATTERN"_s);
        env.insert(u"NOTIFY_SOCKET"_s, notify.path());
        env.insert(u"JOURNAL_STREAM"_s, journal ? QString::number(qulonglong(st.st_dev)) + u':' + QString::number(qulonglong(st.st_ino))
                                                : u"1:1"_s);
        QProcess daemon;
        daemon.setProcessEnvironment(env);
        daemon.setStandardErrorFile(logPath);
        daemon.start(QStringLiteral(RILL_SERVER_BINARY), {u"--redis"_s, redis.url(), u"--port"_s, u"0"_s,
                                                          u"--listen"_s, u"127.0.0.1"_s, u"--rate-limit"_s, u"0"_s});
        QVERIFY(daemon.waitForStarted());

        QStringList received;
        QTRY_VERIFY_WITH_TIMEOUT((received += notify.take(), !received.isEmpty()), 30000);
        QCOMPARE(received.size(), 1);
        const auto ready = QRegularExpression(u"^READY=1\nSTATUS=Serving on port (\\d+)$"_s).match(received.constFirst());
        QVERIFY2(ready.hasMatch(), qPrintable(received.constFirst()));

        TestClient alice;
        QVERIFY(alice.open(QUrl(u"ws://127.0.0.1:"_s + ready.captured(1))));
        QVERIFY(alice.signUp(u"alice"_s));

        ::kill(pid_t(daemon.processId()), SIGTERM);
        QTRY_VERIFY_WITH_TIMEOUT(daemon.state() == QProcess::NotRunning, 15000);
        QCOMPARE(daemon.exitCode(), 0);
        received = notify.take();
        QCOMPARE(received, QStringList{u"STOPPING=1\nSTATUS=Stopping"_s});

        QFile log(logPath);
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(log.readAll());
        const QString listening = journal ? u"^<6>rill\\.server: instance .* listening on 127\\.0\\.0\\.1"_s
                                          : u"^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3} info rill\\.server: instance .* "
                                            "listening on 127\\.0\\.0\\.1"_s;
        QVERIFY2(QRegularExpression(listening, QRegularExpression::MultilineOption).match(text).hasMatch(), qPrintable(text));
    }
};

QTEST_GUILESS_MAIN(TestDaemon)
#include "tst_daemon.moc"
