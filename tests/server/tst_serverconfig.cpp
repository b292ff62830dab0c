#include "config/ServerConfig.h"

#include <QFile>
#include <QHostAddress>
#include <QTemporaryDir>
#include <QTest>

using namespace rill::server;
using namespace Qt::StringLiterals;

class TestServerConfig : public QObject
{
    Q_OBJECT

    static ServerConfigParse parse(QStringList args, const QStringList &env = {})
    {
        args.prepend(u"rill-server"_s);
        return parseServerConfig(args, env);
    }

private Q_SLOTS:
    void defaults()
    {
        const auto r = parse({});
        QVERIFY2(r.config, qPrintable(r.message));
        QCOMPARE(r.config->port, quint16(7117));
        QVERIFY(r.config->redisUrl.isEmpty());
        QVERIFY(!r.config->dataDir.isEmpty());
        QCOMPARE(r.config->rateLimitPerSecond, 5.0);
        QCOMPARE(r.config->rateLimitBurst, 20);
        // Transport defaults (issue 10): this machine only, clocks on, caps on, no browsers.
        QCOMPARE(r.config->listenAddress, QHostAddress(QHostAddress::LocalHost));
        QCOMPARE(r.config->handshakeTimeout, std::chrono::milliseconds(10000));
        QCOMPARE(r.config->loginTimeout, std::chrono::milliseconds(30000));
        QVERIFY(r.config->maxConnections > 0);
        QVERIFY(r.config->maxConnectionsPerAddress > 0);
        QVERIFY(r.config->allowedOrigins.isEmpty());
        QVERIFY(r.config->tlsCertFile.isEmpty());
    }

    void transportSettings()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(u"rill.conf"_s);
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("allow-origin=https://a.example, https://b.example\ntls-cert=/etc/rill/cert.pem\n");
        f.close();
        const auto fromFile = parse({u"--config"_s, file}, {u"RILL_TLS_KEY=/etc/rill/key.pem"_s});
        QVERIFY2(fromFile.config, qPrintable(fromFile.message));
        QCOMPARE(fromFile.config->allowedOrigins, (QStringList{u"https://a.example"_s, u"https://b.example"_s}));
        QCOMPARE(fromFile.config->tlsCertFile, u"/etc/rill/cert.pem"_s);
        QCOMPARE(fromFile.config->tlsKeyFile, u"/etc/rill/key.pem"_s);

        const auto flags = parse({u"--allow-origin"_s, u"https://a.example"_s, u"--allow-origin"_s,
                                  u"https://c.example,https://d.example"_s, u"--login-timeout"_s, u"5"_s,
                                  u"--handshake-timeout"_s, u"3"_s, u"--max-connections"_s, u"0"_s,
                                  u"--max-connections-per-address"_s, u"7"_s, u"--listen"_s, u"0.0.0.0"_s},
                                 {u"RILL_ALLOW_ORIGIN=https://env.example"_s});
        QVERIFY2(flags.config, qPrintable(flags.message));
        QCOMPARE(flags.config->allowedOrigins,
                 (QStringList{u"https://a.example"_s, u"https://c.example"_s, u"https://d.example"_s}));
        QCOMPARE(flags.config->loginTimeout, std::chrono::milliseconds(5000));
        QCOMPARE(flags.config->handshakeTimeout, std::chrono::milliseconds(3000));
        QCOMPARE(flags.config->maxConnections, 0);
        QCOMPARE(flags.config->maxConnectionsPerAddress, 7);
        QCOMPARE(flags.config->listenAddress, QHostAddress(QHostAddress::AnyIPv4));
    }

    void precedence_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QStringList>("env");
        QTest::addColumn<QString>("fileLine");
        QTest::addColumn<int>("port");
        QTest::newRow("file") << QStringList() << QStringList() << u"port=7001"_s << 7001;
        QTest::newRow("env beats file") << QStringList() << QStringList{u"RILL_PORT=7002"_s} << u"port=7001"_s << 7002;
        QTest::newRow("flag beats env") << QStringList{u"--port"_s, u"7003"_s} << QStringList{u"RILL_PORT=7002"_s}
                                        << u"port=7001"_s << 7003;
    }
    void precedence()
    {
        QFETCH(QStringList, args);
        QFETCH(QStringList, env);
        QFETCH(QString, fileLine);
        QFETCH(int, port);
        QTemporaryDir dir;
        const QString file = dir.filePath(u"rill.conf"_s);
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(fileLine.toUtf8() + '\n');
        f.close();
        const auto r = parse(QStringList{u"--config"_s, file} + args, env);
        QVERIFY2(r.config, qPrintable(r.message));
        QCOMPARE(int(r.config->port), port);
    }

    void redisUrlFromEnvironment()
    {
        const auto r = parse({}, {u"RILL_REDIS_URL=redis://10.1.2.3:6380/1"_s});
        QVERIFY2(r.config, qPrintable(r.message));
        QCOMPARE(r.config->redisUrl, u"redis://10.1.2.3:6380/1"_s);
    }

    void rateLimitZeroTurnsItOff()
    {
        const auto r = parse({u"--rate-limit"_s, u"0"_s});
        QVERIFY(r.config);
        QCOMPARE(r.config->rateLimitPerSecond, 0.0);
    }

    void switches()
    {
        const auto r = parse({u"--demo"_s}, {u"RILL_VERBOSE=yes"_s});
        QVERIFY(r.config);
        QVERIFY(r.config->demo);
        QVERIFY(r.config->verbose);
    }

    void rejects_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QStringList>("env");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("port text") << QStringList{u"--port"_s, u"seven"_s} << QStringList() << u"port"_s;
        QTest::newRow("port range") << QStringList{u"--port"_s, u"70000"_s} << QStringList() << u"port"_s;
        QTest::newRow("bad env") << QStringList() << QStringList{u"RILL_RATE_LIMIT=-1"_s} << u"RILL_RATE_LIMIT"_s;
        QTest::newRow("bad address") << QStringList{u"--listen"_s, u"nowhere"_s} << QStringList() << u"listen"_s;
        QTest::newRow("unknown flag") << QStringList{u"--frobnicate"_s} << QStringList() << u"frobnicate"_s;
        QTest::newRow("missing file") << QStringList{u"--config"_s, u"/nonexistent.conf"_s} << QStringList()
                                      << u"/nonexistent.conf"_s;
        QTest::newRow("stray argument") << QStringList{u"extra"_s} << QStringList() << u"extra"_s;
        QTest::newRow("demo off loopback") << QStringList{u"--demo"_s, u"--listen"_s, u"0.0.0.0"_s} << QStringList()
                                           << u"--demo"_s;
        QTest::newRow("certificate without key") << QStringList{u"--tls-cert"_s, u"/c.pem"_s} << QStringList()
                                                 << u"--tls-key"_s;
        QTest::newRow("negative cap") << QStringList{u"--max-connections"_s, u"-1"_s} << QStringList()
                                      << u"max-connections"_s;
    }
    void rejects()
    {
        QFETCH(QStringList, args);
        QFETCH(QStringList, env);
        QFETCH(QString, mentions);
        const auto r = parse(args, env);
        QVERIFY(!r.config);
        QVERIFY(!r.exitEarly);
        QVERIFY2(r.message.contains(mentions), qPrintable(r.message));
    }

    void helpNamesEveryEnvironmentVariable()
    {
        const auto r = parse({u"--help"_s});
        QVERIFY(r.exitEarly);
        for (const char *name : {"RILL_REDIS_URL", "RILL_PORT", "RILL_DATA_DIR", "RILL_RATE_LIMIT", "RILL_MAX_BACKLOG"})
            QVERIFY2(r.message.contains(QLatin1StringView(name)), name);
    }
};

QTEST_GUILESS_MAIN(TestServerConfig)
#include "tst_serverconfig.moc"
