#include "redis/RedisEndpoint.h"

#include <QTest>

using rill::redis::RedisEndpoint;
using namespace Qt::StringLiterals;

class TestRedisEndpoint : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parses_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("isUnix");
        QTest::addColumn<QString>("host");
        QTest::addColumn<int>("port");
        QTest::addColumn<QString>("socket");
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("password");
        QTest::addColumn<int>("db");

        QTest::newRow("host and port") << u"redis://example.org:6380"_s << false << u"example.org"_s << 6380 << QString()
                                       << QString() << QString() << 0;
        QTest::newRow("default port") << u"redis://10.0.0.2"_s << false << u"10.0.0.2"_s << 6379 << QString()
                                      << QString() << QString() << 0;
        QTest::newRow("password only") << u"redis://:s3cret@localhost:7000/2"_s << false << u"localhost"_s << 7000
                                       << QString() << QString() << u"s3cret"_s << 2;
        QTest::newRow("acl user") << u"redis://rill:p%40ss@127.0.0.1:6379/0"_s << false << u"127.0.0.1"_s << 6379
                                  << QString() << u"rill"_s << u"p@ss"_s << 0;
        QTest::newRow("ipv6") << u"redis://[::1]:6379"_s << false << u"::1"_s << 6379 << QString() << QString()
                              << QString() << 0;
        QTest::newRow("unix") << u"unix:///run/redis/redis.sock"_s << true << QString() << 0
                              << u"/run/redis/redis.sock"_s << QString() << QString() << 0;
        QTest::newRow("unix db") << u"unix:///tmp/r.sock?db=3"_s << true << QString() << 0 << u"/tmp/r.sock"_s
                                 << QString() << QString() << 3;
    }

    void parses()
    {
        QFETCH(QString, url);
        QString error;
        const auto ep = RedisEndpoint::parse(url, &error);
        QVERIFY2(ep, qPrintable(error));
        QFETCH(bool, isUnix);
        QCOMPARE(ep->transport == RedisEndpoint::Transport::Unix, isUnix);
        QFETCH(QString, user);
        QFETCH(QString, password);
        QFETCH(int, db);
        QCOMPARE(ep->user, user);
        QCOMPARE(ep->password, password);
        QCOMPARE(ep->database, db);
        if (isUnix) {
            QFETCH(QString, socket);
            QCOMPARE(ep->socketPath, socket);
        } else {
            QFETCH(QString, host);
            QFETCH(int, port);
            QCOMPARE(ep->host, host);
            QCOMPARE(int(ep->port), port);
        }
        QVERIFY(!ep->toDisplayString().contains(u"s3cret"_s));
    }

    void parsesSentinel_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QStringList>("sentinels"); // host:port each
        QTest::addColumn<QString>("master");
        QTest::addColumn<QString>("password");
        QTest::addColumn<QString>("sentinelPassword");
        QTest::addColumn<int>("db");
        QTest::newRow("three") << u"sentinel://10.0.0.1:26379,10.0.0.2:26380,10.0.0.3:26381/main"_s
                               << QStringList{u"10.0.0.1:26379"_s, u"10.0.0.2:26380"_s, u"10.0.0.3:26381"_s}
                               << u"main"_s << QString() << QString() << 0;
        QTest::newRow("default port") << u"sentinel://a.example,b.example/main"_s
                                      << QStringList{u"a.example:26379"_s, u"b.example:26379"_s} << u"main"_s
                                      << QString() << QString() << 0;
        QTest::newRow("credentials and db") << u"sentinel://rill:s3cret@[::1]:5000,10.0.0.2/main/3?sentinel-password=s%26p"_s
                                            << QStringList{u"::1:5000"_s, u"10.0.0.2:26379"_s} << u"main"_s
                                            << u"s3cret"_s << u"s&p"_s << 3;
    }

    void parsesSentinel()
    {
        QFETCH(QString, url);
        QString error;
        const auto ep = RedisEndpoint::parse(url, &error);
        QVERIFY2(ep, qPrintable(error));
        QVERIFY(ep->isSentinel());
        QStringList hosts;
        for (const auto &[host, port] : ep->sentinels)
            hosts << host + u':' + QString::number(port);
        QTEST(hosts, "sentinels");
        QTEST(ep->masterName, "master");
        QTEST(ep->password, "password");
        QTEST(ep->sentinelPassword, "sentinelPassword");
        QTEST(ep->database, "db");
        QVERIFY(!ep->toDisplayString().contains(u"s3cret"_s));
        QVERIFY2(ep->toDisplayString().contains(ep->masterName), qPrintable(ep->toDisplayString()));
    }

    void rejects_data()
    {
        QTest::addColumn<QString>("url");
        QTest::newRow("wrong scheme") << u"http://localhost:6379"_s;
        QTest::newRow("no host") << u"redis://"_s;
        QTest::newRow("bad db") << u"redis://localhost:6379/zero"_s;
        QTest::newRow("bad port") << u"redis://localhost:99999"_s;
        QTest::newRow("unix without path") << u"unix://"_s;
        QTest::newRow("garbage") << u"::::"_s;
        QTest::newRow("sentinel without master") << u"sentinel://10.0.0.1:26379"_s;
        QTest::newRow("sentinel bad port") << u"sentinel://10.0.0.1:0/main"_s;
        QTest::newRow("sentinel empty host") << u"sentinel://10.0.0.1,/main"_s;
        QTest::newRow("sentinel bad db") << u"sentinel://10.0.0.1/main/x"_s;
        QTest::newRow("sentinel unknown parameter") << u"sentinel://10.0.0.1/main?timeout=3"_s;
    }

    void rejects()
    {
        QFETCH(QString, url);
        QString error;
        QVERIFY(!RedisEndpoint::parse(url, &error));
        QVERIFY(!error.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestRedisEndpoint)
#include "tst_redisendpoint.moc"
