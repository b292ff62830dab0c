#include "redis/EmbeddedRedis.h"
#include "redis/RedisClient.h"

#include <QCoro/QCoroTask>
#include <QDir>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace rill::redis;
using namespace Qt::StringLiterals;

class TestEmbeddedRedis : public QObject
{
    Q_OBJECT

    static EmbeddedRedis::Options optionsIn(const QTemporaryDir &dir)
    {
        EmbeddedRedis::Options o;
        o.dataDir = dir.filePath(u"data"_s);
        o.executable = QStringLiteral(RILL_REDIS_SERVER);
        return o;
    }

    static RedisReply runOnce(const RedisEndpoint &ep, const QList<QByteArray> &args)
    {
        RedisOptions options;
        options.endpoint = ep;
        options.whileDown = RedisOptions::WhileDown::Wait;
        RedisClient client(options);
        client.open();
        return QCoro::waitFor(client.commandArgv(args));
    }

    // Owner, group and other bits (not Qt's "user" bits, which repeat the owner's for us).
    static QFileDevice::Permissions accessOf(const QString &path)
    {
        return QFileInfo(path).permissions() & QFileDevice::Permissions(0x7077);
    }
    static QFileDevice::Permissions ownerOnly()
    {
        return QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner;
    }

private Q_SLOTS:
    void persistsAcrossRestart()
    {
        QTemporaryDir dir;
        qint64 firstPid = 0;
        {
            EmbeddedRedis redis(optionsIn(dir));
            QVERIFY2(QCoro::waitFor(redis.start()), qPrintable(redis.errorString()));
            QCOMPARE(redis.endpoint().transport, RedisEndpoint::Transport::Unix);
            firstPid = redis.processId();
            QVERIFY(firstPid > 0);
            QCOMPARE(runOnce(redis.endpoint(), {"CONFIG", "GET", "appendonly"}).describe(),
                     u"[\"appendonly\", \"yes\"]"_s);
            QVERIFY(runOnce(redis.endpoint(), {"SET", "survivor", "still here"}).isOk());
            QCoro::waitFor(redis.stop());
            QVERIFY(!redis.isRunning());
            QCOMPARE(::kill(pid_t(firstPid), 0), -1); // the process is gone
        }
        QVERIFY(QFileInfo::exists(dir.filePath(u"data/appendonlydir"_s)));
        {
            EmbeddedRedis redis(optionsIn(dir));
            QVERIFY2(QCoro::waitFor(redis.start()), qPrintable(redis.errorString()));
            QVERIFY(redis.processId() != firstPid);
            QCOMPARE(runOnce(redis.endpoint(), {"GET", "survivor"}).bytes(), QByteArray("still here"));
        } // the destructor stops it too
    }

    // The data directory holds every message and password hash: 0700, also when it existed.
    void dataDirectoryIsPrivate()
    {
        QTemporaryDir dir;
        auto options = optionsIn(dir);
        QVERIFY(QDir().mkpath(options.dataDir));
        QVERIFY(QFile::setPermissions(options.dataDir, QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                                           | QFileDevice::ExeOwner | QFileDevice::ReadGroup
                                                           | QFileDevice::ExeGroup | QFileDevice::ReadOther
                                                           | QFileDevice::ExeOther));
        EmbeddedRedis redis(options);
        QVERIFY2(QCoro::waitFor(redis.start()), qPrintable(redis.errorString()));
        QCOMPARE(accessOf(options.dataDir), ownerOnly());
    }

    // A data directory too deep for a socket path (108 bytes) does not make it listen on TCP,
    // where every local user could reach it: the socket goes into a short private directory.
    void deepDataDirectoryKeepsAPrivateSocket()
    {
        QTemporaryDir dir;
        auto options = optionsIn(dir);
        options.dataDir = dir.filePath(QString(40, u'd') + u'/' + QString(40, u'e') + u'/' + QString(40, u'f'));
        QVERIFY(QFile::encodeName(options.dataDir).size() > 120);
        QString socketDir;
        {
            EmbeddedRedis redis(options);
            QVERIFY2(QCoro::waitFor(redis.start()), qPrintable(redis.errorString()));
            QCOMPARE(redis.endpoint().transport, RedisEndpoint::Transport::Unix);
            const QFileInfo socket(redis.endpoint().socketPath);
            QVERIFY(QFile::encodeName(socket.absoluteFilePath()).size() < 108);
            socketDir = socket.absolutePath();
            QCOMPARE(accessOf(socketDir), ownerOnly());
            QCOMPARE(runOnce(redis.endpoint(), {"PING"}).bytes(), QByteArray("PONG"));
            QCOMPARE(runOnce(redis.endpoint(), {"CONFIG", "GET", "port"}).describe(), u"[\"port\", \"0\"]"_s);
            QCoro::waitFor(redis.stop());
        }
        QVERIFY2(!QFileInfo::exists(socketDir), qPrintable(socketDir)); // cleaned up with the server
    }

    void oneServerPerDataDirectory()
    {
        QTemporaryDir dir;
        EmbeddedRedis first(optionsIn(dir));
        QVERIFY(QCoro::waitFor(first.start()));
        EmbeddedRedis second(optionsIn(dir));
        QVERIFY(!QCoro::waitFor(second.start()));
        QVERIFY2(second.errorString().contains(u"another process"_s), qPrintable(second.errorString()));
        QCoro::waitFor(first.stop());
        QVERIFY(QCoro::waitFor(second.start())); // the lock went with the first one
    }

    void tcpOnLoopback()
    {
        QTemporaryDir dir;
        auto options = optionsIn(dir);
        options.listen = EmbeddedRedis::Options::Listen::Tcp;
        EmbeddedRedis redis(options);
        QVERIFY(QCoro::waitFor(redis.start()));
        QCOMPARE(redis.endpoint().transport, RedisEndpoint::Transport::Tcp);
        QCOMPARE(redis.endpoint().host, u"127.0.0.1"_s);
        QVERIFY(redis.endpoint().port > 0);
        QCOMPARE(runOnce(redis.endpoint(), {"PING"}).bytes(), QByteArray("PONG"));
    }

    void missingExecutableIsAClearError()
    {
        QTemporaryDir dir;
        auto options = optionsIn(dir);
        options.executable = u"/nonexistent/redis-server"_s;
        EmbeddedRedis redis(options);
        QVERIFY(!QCoro::waitFor(redis.start()));
        QVERIFY2(redis.errorString().contains(u"cannot start"_s), qPrintable(redis.errorString()));
    }

    void crashIsReported()
    {
        QTemporaryDir dir;
        EmbeddedRedis redis(optionsIn(dir));
        QSignalSpy crashed(&redis, &EmbeddedRedis::crashed);
        QVERIFY(QCoro::waitFor(redis.start()));
        ::kill(pid_t(redis.processId()), SIGKILL);
        QVERIFY(crashed.wait(5000));
    }

    // How rill-server and the app find the redis-server to run: the configured one, else the
    // one next to the program (none beside this test), else PATH.
    void findsRedisServer()
    {
        QTemporaryDir bin;
        const QString fake = bin.filePath(u"redis-server"_s);
        QFile file(fake);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("#!/bin/sh\n");
        file.close();
        QVERIFY(file.setPermissions(file.permissions() | QFile::ExeOwner));

        QCOMPARE(findRedisServer(fake), fake);
        QCOMPARE(findRedisServer(bin.filePath(u"missing"_s)), QString());
        QCOMPARE(findRedisServer(QStringLiteral(RILL_REDIS_SERVER)), QStringLiteral(RILL_REDIS_SERVER));

        const QByteArray path = qgetenv("PATH");
        qputenv("PATH", QFile::encodeName(bin.path()));
        const QString onPath = findRedisServer();
        const QString byName = findRedisServer(u"redis-server"_s);
        qputenv("PATH", QByteArray());
        const QString nowhere = findRedisServer();
        const QString why = redisServerNotFound({});
        qputenv("PATH", path);
        QCOMPARE(onPath, fake);
        QCOMPARE(byName, fake);
        QCOMPARE(nowhere, QString());
        QVERIFY2(why.contains(QCoreApplication::applicationDirPath()) && why.contains(u"PATH"_s), qPrintable(why));
    }
};

QTEST_GUILESS_MAIN(TestEmbeddedRedis)
#include "tst_embeddedredis.moc"
