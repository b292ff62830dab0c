#include "config/Logging.h"
#include "server/ServerConfig.h"

#include <QFile>
#include <QHostAddress>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

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

    // A config file with these lines, in dir.
    static QString writeFile(const QTemporaryDir &dir, const QByteArray &text)
    {
        const QString path = dir.filePath(u"rill-server.conf"_s);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return {};
        f.write(text);
        return path;
    }

    static EffectiveSetting effective(const ServerConfigParse &r, const QString &name)
    {
        for (const EffectiveSetting &e : r.effective) {
            if (e.name == name)
                return e;
        }
        return {};
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

    // --check-config: every setting with its value and where it came from, exit 0 (main
    // prints exitEarly messages and returns 0).
    void checkConfigShowsEachSource()
    {
        QTemporaryDir dir;
        const QString file = writeFile(dir, "port = 7001\nrate-burst = 10\n");
        const auto r = parse({u"--check-config"_s, u"--config"_s, file, u"--hash-workers"_s, u"3"_s},
                             {u"RILL_RATE_BURST=30"_s});
        QVERIFY2(r.config, qPrintable(r.message));
        QVERIFY(r.exitEarly);
        QCOMPARE(effective(r, u"port"_s).value, u"7001"_s);
        QCOMPARE(effective(r, u"port"_s).source, u"file "_s + file);
        QCOMPARE(effective(r, u"rate-burst"_s).value, u"30"_s);
        QCOMPARE(effective(r, u"rate-burst"_s).source, u"env RILL_RATE_BURST"_s);
        QCOMPARE(effective(r, u"hash-workers"_s).source, u"flag --hash-workers"_s);
        QCOMPARE(effective(r, u"ping-interval"_s).value, u"30"_s);
        QCOMPARE(effective(r, u"ping-interval"_s).source, u"default"_s);
        QCOMPARE(effective(r, u"demo"_s).value, u"no"_s);
        QVERIFY2(r.message.contains(u"the configuration is valid"_s), qPrintable(r.message));
        QVERIFY2(r.message.contains(u"config file: "_s + file + u" (from --config)"_s), qPrintable(r.message));
        const QRegularExpression portLine(u"^port +7001 +file "_s + QRegularExpression::escape(file) + u"$"_s,
                                          QRegularExpression::MultilineOption);
        QVERIFY2(portLine.match(r.message).hasMatch(), qPrintable(r.message));
        // Every setting is listed, including the switches.
        for (const char *name : {"listen", "redis", "redis-server", "data-dir", "log-level", "log-rules", "verbose"})
            QVERIFY2(!effective(r, QLatin1StringView(name)).source.isEmpty(), name);
    }

    void checkConfigHidesTheRedisPassword_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("shown"); // a part of the URL that stays visible
        QTest::newRow("redis") << u"redis://rill:s3cret@10.0.0.5:6379/2"_s << u"10.0.0.5:6379"_s;
        QTest::newRow("password only") << u"redis://:s3cret@10.0.0.5"_s << u"10.0.0.5"_s;
        QTest::newRow("sentinel") << u"sentinel://rill:s3cret@10.0.0.5:26379,10.0.0.6:26379/main"_s
                                  << u"10.0.0.6:26379/main"_s;
        QTest::newRow("sentinel's own password")
            << u"sentinel://10.0.0.5,10.0.0.6/main?sentinel-password=s3cret"_s << u"10.0.0.5,10.0.0.6/main"_s;
    }

    void checkConfigHidesTheRedisPassword()
    {
        QFETCH(QString, url);
        QFETCH(QString, shown);
        const auto r = parse({u"--check-config"_s, u"--redis"_s, url});
        QVERIFY2(r.config, qPrintable(r.message));
        QVERIFY2(!r.message.contains(u"s3cret"_s), qPrintable(r.message));
        QVERIFY2(effective(r, u"redis"_s).value.contains(shown), qPrintable(effective(r, u"redis"_s).value));
        QCOMPARE(r.config->redisUrl, url); // the server still gets it
    }

    void replicaWaitSettings_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<int>("replicas");
        QTest::addColumn<int>("timeoutMs");
        QTest::newRow("default") << QStringList{} << true << 0 << 200;
        QTest::newRow("two, 50 ms") << QStringList{u"--redis-wait-replicas"_s, u"2"_s, u"--redis-wait-timeout"_s, u"50"_s}
                                    << true << 2 << 50;
        QTest::newRow("negative") << QStringList{u"--redis-wait-replicas"_s, u"-1"_s} << false << 0 << 0;
        // WAIT holds the Redis link while it waits: beyond 500 ms the link would look stuck.
        QTest::newRow("timeout too long") << QStringList{u"--redis-wait-timeout"_s, u"900"_s} << false << 0 << 0;
        QTest::newRow("timeout too short") << QStringList{u"--redis-wait-timeout"_s, u"5"_s} << false << 0 << 0;
    }

    void replicaWaitSettings()
    {
        QFETCH(QStringList, args);
        QFETCH(bool, valid);
        const auto r = parse(args);
        QCOMPARE(bool(r.config), valid);
        if (!valid) {
            QVERIFY(!r.message.isEmpty());
            return;
        }
        QFETCH(int, replicas);
        QFETCH(int, timeoutMs);
        QCOMPARE(r.config->redisWaitReplicas, replicas);
        QCOMPARE(int(r.config->redisWaitTimeout.count()), timeoutMs);
    }

    // What a plain start would only find out later, --check-config finds now (exit 2).
    void checkConfigRejects_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("no redis-server") << QStringList{u"--redis-server"_s, u"/nonexistent/redis-server"_s}
                                         << u"/nonexistent/redis-server"_s;
        QTest::newRow("bad redis url") << QStringList{u"--redis"_s, u"http://10.0.0.5"_s} << u"redis"_s;
    }
    void checkConfigRejects()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, mentions);
        const auto plain = parse(args);
        QVERIFY2(plain.config, qPrintable(plain.message));
        const auto checked = parse(QStringList{u"--check-config"_s} + args);
        QVERIFY(!checked.config);
        QVERIFY(!checked.exitEarly);
        QVERIFY2(checked.message.contains(mentions), qPrintable(checked.message));
    }

    // A misspelt key or a section would otherwise leave a setting silently at its default.
    void fileRejects_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("misspelt key") << QByteArray("prot = 7001\n") << u"\"prot\""_s;
        QTest::newRow("section") << QByteArray("[server]\nport = 7001\n") << u":1: sections are not used"_s;
        QTest::newRow("no value") << QByteArray("# fine\nport 7001\n") << u":2: expected `key = value`"_s;
        QTest::newRow("set twice") << QByteArray("port = 7001\nport = 7002\n") << u":2: port is already set on line 1"_s;
        QTest::newRow("bad value") << QByteArray("port = 99999\n") << u"port"_s;
        QTest::newRow("bad switch") << QByteArray("demo = maybe\n") << u"demo"_s;
        QTest::newRow("bad level") << QByteArray("log-level = loud\n") << u"log-level"_s;
    }
    void fileRejects()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, mentions);
        QTemporaryDir dir;
        const QString file = writeFile(dir, text);
        const auto r = parse({u"--config"_s, file});
        QVERIFY(!r.config);
        QVERIFY2(r.message.contains(mentions) && r.message.contains(file), qPrintable(r.message));
    }

    // Comments are whole lines starting with # or ; (an INI file's two customs); a value may be
    // quoted, and keeps '=' and '#' inside it.
    void fileCommentsAndQuotes()
    {
        QTemporaryDir dir;
        const QString file = writeFile(dir, "# port = 1\n; port = 2\n  # indented comment\n\n"
                                            "log-rules = \"rill.redis.debug=true;rill.hub.info=false\"\n"
                                            "instance = east#1\nport=7005\n");
        const auto r = parse({u"--config"_s, file});
        QVERIFY2(r.config, qPrintable(r.message));
        QCOMPARE(r.config->port, quint16(7005));
        QCOMPARE(r.config->logRules, u"rill.redis.debug=true;rill.hub.info=false"_s);
        QCOMPARE(r.config->instanceName, u"east#1"_s);
    }

    void fileFromEnvironmentAndCommasInValues()
    {
        QTemporaryDir dir;
        const QString file = writeFile(dir, "instance = east,1\ndemo = yes\n");
        const auto r = parse({u"--check-config"_s}, {u"RILL_CONFIG="_s + file});
        QVERIFY2(r.config, qPrintable(r.message));
        QCOMPARE(r.config->instanceName, u"east,1"_s);
        QVERIFY(r.config->demo);
        QVERIFY2(r.message.contains(u"(from RILL_CONFIG)"_s), qPrintable(r.message));
    }

    // Under systemd, StateDirectory= sets $STATE_DIRECTORY: the data directory unless one is set.
    void stateDirectoryIsTheDefaultDataDir()
    {
        const auto r = parse({}, {u"STATE_DIRECTORY=/var/lib/rill"_s});
        QVERIFY(r.config);
        QCOMPARE(r.config->dataDir, u"/var/lib/rill"_s);
        QCOMPARE(effective(r, u"data-dir"_s).source, u"default ($STATE_DIRECTORY)"_s);
        const auto set = parse({}, {u"STATE_DIRECTORY=/var/lib/rill"_s, u"RILL_DATA_DIR=/srv/rill"_s});
        QVERIFY(set.config);
        QCOMPARE(set.config->dataDir, u"/srv/rill"_s);
    }

    void listenAny()
    {
        const auto r = parse({u"--listen"_s, u"127.0.0.1"_s});
        QVERIFY(r.config);
        QCOMPARE(r.config->listenAddress, QHostAddress(QHostAddress::LocalHost));
        const auto any = parse({u"--listen"_s, u"any"_s}, {u"RILL_LISTEN=127.0.0.1"_s});
        QVERIFY(any.config);
        QCOMPARE(any.config->listenAddress, QHostAddress(QHostAddress::Any));
        QCOMPARE(effective(any, u"listen"_s).value, u"any"_s);
    }

    void httpListen_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QStringList>("env");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<QString>("address"); // when on; "any" for every interface, IPv4 and IPv6
        QTest::addColumn<int>("port");         // -1: off
        QTest::addColumn<QString>("shown");    // --check-config's value
        QTest::newRow("default: off") << QStringList() << QStringList() << true << QString() << -1 << u"off"_s;
        QTest::newRow("a port: loopback") << QStringList{u"--http-listen"_s, u"9117"_s} << QStringList() << true
                                          << u"127.0.0.1"_s << 9117 << u"127.0.0.1:9117"_s;
        QTest::newRow("any") << QStringList{u"--http-listen"_s, u"any:9117"_s} << QStringList() << true << u"any"_s
                             << 9117 << u"any:9117"_s;
        QTest::newRow("address") << QStringList() << QStringList{u"RILL_HTTP_LISTEN=10.0.0.5:0"_s} << true
                                 << u"10.0.0.5"_s << 0 << u"10.0.0.5:0"_s;
        QTest::newRow("IPv6") << QStringList{u"--http-listen"_s, u"[::1]:9117"_s} << QStringList() << true << u"::1"_s
                              << 9117 << u"[::1]:9117"_s;
        QTest::newRow("flag turns the environment's off")
            << QStringList{u"--http-listen"_s, u"off"_s} << QStringList{u"RILL_HTTP_LISTEN=9117"_s} << true << QString()
            << -1 << u"off"_s;
        QTest::newRow("IPv6 without brackets") << QStringList{u"--http-listen"_s, u"::1:9117"_s} << QStringList() << false
                                               << QString() << -1 << QString();
        QTest::newRow("no port") << QStringList{u"--http-listen"_s, u"127.0.0.1:"_s} << QStringList() << false << QString()
                                 << -1 << QString();
        QTest::newRow("port too big") << QStringList{u"--http-listen"_s, u"70000"_s} << QStringList() << false << QString()
                                      << -1 << QString();
        QTest::newRow("not an address") << QStringList{u"--http-listen"_s, u"example.org:9117"_s} << QStringList() << false
                                        << QString() << -1 << QString();
    }

    void httpListen()
    {
        QFETCH(QStringList, args);
        QFETCH(QStringList, env);
        QFETCH(bool, valid);
        QFETCH(QString, address);
        QFETCH(int, port);
        QFETCH(QString, shown);
        const auto r = parse(args, env);
        QCOMPARE(bool(r.config), valid);
        if (!valid) {
            QVERIFY2(r.message.contains(u"http-listen"_s), qPrintable(r.message));
            return;
        }
        QCOMPARE(r.config->httpPort ? int(*r.config->httpPort) : -1, port);
        if (port >= 0)
            QCOMPARE(r.config->httpAddress, address == "any"_L1 ? QHostAddress(QHostAddress::Any) : QHostAddress(address));
        QCOMPARE(effective(r, u"http-listen"_s).value, shown);
    }

    void logLevel_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("level");
        QTest::newRow("default") << QStringList() << int(QtInfoMsg);
        QTest::newRow("debug") << QStringList{u"--log-level"_s, u"debug"_s} << int(QtDebugMsg);
        QTest::newRow("any case") << QStringList{u"--log-level"_s, u"WARNING"_s} << int(QtWarningMsg);
        QTest::newRow("error") << QStringList{u"--log-level"_s, u"error"_s} << int(QtCriticalMsg);
        QTest::newRow("verbose") << QStringList{u"--verbose"_s, u"--log-level"_s, u"error"_s} << int(QtDebugMsg);
    }
    void logLevel()
    {
        QFETCH(QStringList, args);
        QFETCH(int, level);
        const auto r = parse(args);
        QVERIFY2(r.config, qPrintable(r.message));
        QCOMPARE(int(r.config->logLevel), level);
    }

    // The level and the rules decide what a category logs; an operator's rules win.
    void loggingRulesFilterCategories()
    {
        QLoggingCategory category("rill.testing", QtInfoMsg);
        QLoggingCategory qtCategory("qt.testing", QtInfoMsg);
        QLoggingCategory::setFilterRules(loggingRules(QtWarningMsg, {}));
        QVERIFY(!category.isInfoEnabled());
        QVERIFY(category.isWarningEnabled());
        QLoggingCategory::setFilterRules(loggingRules(QtWarningMsg, u"rill.testing.info=true; rill.testing.warning=false"_s));
        QVERIFY(category.isInfoEnabled());
        QVERIFY(!category.isWarningEnabled());
        QLoggingCategory::setFilterRules(loggingRules(QtDebugMsg, {}));
        QVERIFY(category.isDebugEnabled());
        QVERIFY(!qtCategory.isDebugEnabled()); // Qt's own debug output stays off
        QLoggingCategory::setFilterRules(loggingRules(QtCriticalMsg, {}));
        QVERIFY(!category.isWarningEnabled());
        QVERIFY(category.isCriticalEnabled());
        QLoggingCategory::setFilterRules(loggingRules(QtInfoMsg, {}));
        QVERIFY(category.isInfoEnabled());
        QVERIFY(!category.isDebugEnabled());
        QLoggingCategory::setFilterRules({});
    }

    // journald stamps lines itself and reads "<N>" as the priority; elsewhere we stamp them.
    void messagePattern()
    {
        const QMessageLogContext context(nullptr, 0, nullptr, "rill.server");
        qSetMessagePattern(logMessagePattern(true));
        QCOMPARE(qFormatLogMessage(QtWarningMsg, context, u"Redis is gone"_s), u"<4>rill.server: Redis is gone"_s);
        QCOMPARE(qFormatLogMessage(QtInfoMsg, context, u"listening"_s), u"<6>rill.server: listening"_s);
        QCOMPARE(qFormatLogMessage(QtCriticalMsg, context, u"bad"_s), u"<3>rill.server: bad"_s);
        QCOMPARE(qFormatLogMessage(QtDebugMsg, context, u"detail"_s), u"<7>rill.server: detail"_s);
        qSetMessagePattern(logMessagePattern(false));
        const QString line = qFormatLogMessage(QtWarningMsg, context, u"Redis is gone"_s);
        QVERIFY2(QRegularExpression(u"^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3} warning rill.server: Redis is gone$"_s)
                     .match(line)
                     .hasMatch(),
                 qPrintable(line));
        qSetMessagePattern({});
    }

    // JOURNAL_STREAM counts only when it names this process's stderr (systemd's own rule).
    void journalStreamMustBeOurStderr()
    {
        struct stat st {};
        QCOMPARE(::fstat(STDERR_FILENO, &st), 0);
        const QString ours = QString::number(qulonglong(st.st_dev)) + u':' + QString::number(qulonglong(st.st_ino));
        QVERIFY(stderrIsJournal(ours));
        QVERIFY(!stderrIsJournal(QString::number(qulonglong(st.st_dev)) + u':' + QString::number(qulonglong(st.st_ino) + 1)));
        QVERIFY(!stderrIsJournal({}));
        QVERIFY(!stderrIsJournal(u"journal"_s));
    }

    // packaging/rill-server.conf lists every setting at its default: uncommented, it changes
    // nothing, so an operator can trust what it says.
    void shippedConfigFileShowsEveryDefault()
    {
        QFile shipped(QStringLiteral(RILL_DEFAULT_CONFIG));
        QVERIFY(shipped.open(QIODevice::ReadOnly));
        const QRegularExpression settingLine(u"^#([a-z-]+) = (.*)$"_s);
        QStringList keys;
        QByteArray uncommented;
        while (!shipped.atEnd()) {
            const QString line = QString::fromUtf8(shipped.readLine()).trimmed();
            const auto m = settingLine.match(line);
            if (!m.hasMatch())
                continue;
            keys << m.captured(1);
            if (!m.captured(2).startsWith(u'('))
                uncommented += m.captured(1).toUtf8() + " = " + m.captured(2).toUtf8() + '\n';
        }
        const QStringList env{u"STATE_DIRECTORY=/var/lib/rill"_s}; // as under the systemd unit
        const auto defaults = parse({u"--check-config"_s}, env);
        QVERIFY2(defaults.config, qPrintable(defaults.message));
        // As shipped (all comments) it is a valid file that sets nothing.
        const auto asShipped = parse({u"--check-config"_s, u"--config"_s, QStringLiteral(RILL_DEFAULT_CONFIG)}, env);
        QVERIFY2(asShipped.config, qPrintable(asShipped.message));
        for (const EffectiveSetting &e : asShipped.effective)
            QVERIFY2(!e.source.startsWith(u"file"_s), qPrintable(e.name));
        for (const EffectiveSetting &e : defaults.effective)
            QVERIFY2(keys.contains(e.name), qPrintable(e.name + u" is missing from rill-server.conf"_s));
        QCOMPARE(keys.size(), defaults.effective.size());

        QTemporaryDir dir;
        const auto fromFile = parse({u"--check-config"_s, u"--config"_s, writeFile(dir, uncommented)}, env);
        QVERIFY2(fromFile.config, qPrintable(fromFile.message));
        for (const EffectiveSetting &e : fromFile.effective) {
            if (e.name == "instance"_L1)
                continue; // host-pid: the file describes it
            QVERIFY2(e.value == effective(defaults, e.name).value,
                     qPrintable(e.name + u": file says "_s + e.value + u", default is "_s + effective(defaults, e.name).value));
        }
    }

    void helpNamesEveryEnvironmentVariable()
    {
        const auto r = parse({u"--help"_s});
        QVERIFY(r.exitEarly);
        for (const char *name : {"RILL_REDIS_URL", "RILL_PORT", "RILL_DATA_DIR", "RILL_RATE_LIMIT", "RILL_MAX_BACKLOG",
                                 "RILL_CONFIG", "RILL_LOG_LEVEL", "RILL_REDIS_SERVER", "RILL_VERBOSE"})
            QVERIFY2(r.message.contains(QLatin1StringView(name)), name);
        QVERIFY2(r.message.contains(u"strongest first"_s) && r.message.contains(u"--check-config"_s), qPrintable(r.message));
    }
};

int main(int argc, char *argv[])
{
    // CTest sets QT_LOGGING_RULES for every suite, and Qt lets it override any rules set in
    // code: this suite tests the rules in code, so it runs without it.
    qunsetenv("QT_LOGGING_RULES");
    QCoreApplication app(argc, argv);
    TestServerConfig test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_serverconfig.moc"
