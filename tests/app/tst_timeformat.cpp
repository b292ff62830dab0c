#include "models/TimeFormat.h"
#include "socket/Backoff.h"

#include <QTest>

using namespace rill::client;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

class TestTimeFormat : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void relative_data()
    {
        QTest::addColumn<QDateTime>("when");
        QTest::addColumn<QString>("expected");
        const QDate today(2024, 5, 10); // a Friday
        QTest::newRow("today") << QDateTime(today, QTime(14, 2)) << u"today 14:02"_s;
        QTest::newRow("yesterday") << QDateTime(today.addDays(-1), QTime(9, 5)) << u"yesterday 09:05"_s;
        QTest::newRow("this week") << QDateTime(today.addDays(-3), QTime(18, 30)) << u"Tuesday 18:30"_s;
        QTest::newRow("this year") << QDateTime(QDate(2024, 3, 3), QTime(8, 0)) << u"3 March 08:00"_s;
        QTest::newRow("last year") << QDateTime(QDate(2023, 12, 31), QTime(23, 59)) << u"31 December 2023 23:59"_s;
    }

    void relative()
    {
        QFETCH(QDateTime, when);
        QFETCH(QString, expected);
        QCOMPARE(TimeFormat::relative(when, QDateTime(QDate(2024, 5, 10), QTime(20, 0))), expected);
    }

    void day_data()
    {
        QTest::addColumn<QDate>("day");
        QTest::addColumn<QString>("expected");
        QTest::newRow("today") << QDate(2024, 5, 10) << u"Today"_s;
        QTest::newRow("yesterday") << QDate(2024, 5, 9) << u"Yesterday"_s;
        QTest::newRow("weekday") << QDate(2024, 5, 6) << u"Monday"_s;
        QTest::newRow("this year") << QDate(2024, 1, 2) << u"Tuesday 2 January"_s;
        QTest::newRow("older") << QDate(2022, 7, 1) << u"1 July 2022"_s;
    }

    void day()
    {
        QFETCH(QDate, day);
        QFETCH(QString, expected);
        QCOMPARE(TimeFormat::day(day, QDate(2024, 5, 10)), expected);
    }

    void backoffGrowsWithJitterUpToTheCeiling()
    {
        Backoff backoff(100ms, 1000ms);
        const QList<std::pair<qint64, qint64>> bounds{{50, 100}, {100, 200}, {200, 400}, {400, 800}, {500, 1000}, {500, 1000}};
        for (const auto &[low, high] : bounds) {
            const auto delay = backoff.next().count();
            QVERIFY2(delay >= low && delay <= high, qPrintable(QString::number(delay)));
        }
        QCOMPARE(backoff.attempts(), 6);
        backoff.reset();
        QVERIFY(backoff.next() <= 100ms);
    }
};

QTEST_GUILESS_MAIN(TestTimeFormat)
#include "tst_timeformat.moc"
