#include "HttpGet.h"

#include "RedisFixture.h" // waitUntil

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSet>
#include <QUrl>

#include <cmath>
#include <memory>

namespace rill::test {

using namespace Qt::StringLiterals;

HttpResult httpGet(quint16 port, const QString &path, std::chrono::milliseconds timeout)
{
    QNetworkAccessManager manager;
    QNetworkRequest request(QUrl(u"http://127.0.0.1:"_s + QString::number(port) + path));
    request.setTransferTimeout(int(timeout.count()));
    const std::unique_ptr<QNetworkReply> reply(manager.get(request));
    if (!waitUntil([&reply] { return reply->isFinished(); }, timeout + std::chrono::seconds(1)))
        return {};
    return {reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
            reply->header(QNetworkRequest::ContentTypeHeader).toByteArray(), reply->readAll()};
}

namespace {

// What the exposition format allows, from Prometheus's text format documentation.
const QRegularExpression &sampleLine()
{
    static const QRegularExpression re(
        uR"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*)\})? (\S+)( -?[0-9]+)?$)"_s);
    return re;
}

bool parseValue(const QString &text, double *value)
{
    if (text == "+Inf"_L1 || text == "Inf"_L1) {
        *value = qInf();
        return true;
    }
    if (text == "-Inf"_L1) {
        *value = -qInf();
        return true;
    }
    if (text == "NaN"_L1) {
        *value = qQNaN();
        return true;
    }
    bool ok = false;
    *value = text.toDouble(&ok);
    return ok;
}

} // namespace

QHash<QString, double> parseExposition(const QByteArray &text, QString *problem)
{
    QHash<QString, double> samples;
    QString localProblem;
    QString &why = problem ? *problem : localProblem;
    why.clear();
    const auto fail = [&why](int line, const QString &what) {
        if (why.isEmpty())
            why = u"line "_s + QString::number(line) + u": "_s + what;
    };
    if (!text.isEmpty() && !text.endsWith('\n'))
        fail(0, u"the text does not end with a newline"_s);

    QHash<QString, QString> types; // family -> type
    QSet<QString> helped;
    QSet<QString> familiesSeen; // families that had samples; a family's lines are contiguous
    QString currentFamily;
    // Histogram checks: the last cumulative bucket per series, and +Inf per series.
    QHash<QString, double> lastBucket;
    QHash<QString, double> infBucket;
    const QStringList lines = QString::fromUtf8(text).split(u'\n');
    for (int i = 0; i < lines.size(); ++i) {
        const QString &line = lines.at(i);
        const int number = i + 1;
        if (line.isEmpty())
            continue;
        if (line.startsWith(u'#')) {
            const QStringList words = line.split(u' ');
            if (words.size() >= 3 && (words.at(1) == "HELP"_L1 || words.at(1) == "TYPE"_L1)) {
                const QString &family = words.at(2);
                if (familiesSeen.contains(family))
                    fail(number, words.at(1) + u" for "_s + family + u" after its samples"_s);
                if (words.at(1) == "HELP"_L1) {
                    if (helped.contains(family))
                        fail(number, u"a second HELP for "_s + family);
                    helped.insert(family);
                } else {
                    static const QSet<QString> known{u"counter"_s, u"gauge"_s, u"histogram"_s, u"summary"_s, u"untyped"_s};
                    if (words.size() != 4 || !known.contains(words.at(3)))
                        fail(number, u"a TYPE line names no type: "_s + line);
                    else if (types.contains(family))
                        fail(number, u"a second TYPE for "_s + family);
                    else
                        types.insert(family, words.at(3));
                }
            }
            continue;
        }
        const auto m = sampleLine().match(line);
        if (!m.hasMatch()) {
            fail(number, u"not a sample: "_s + line);
            continue;
        }
        double value = 0;
        if (!parseValue(m.captured(4), &value)) {
            fail(number, u"not a number: "_s + m.captured(4));
            continue;
        }
        const QString name = m.captured(1);
        QString family = name;
        for (const QLatin1StringView suffix : {"_bucket"_L1, "_sum"_L1, "_count"_L1}) {
            const QString base = name.chopped(name.endsWith(suffix) ? suffix.size() : 0);
            if (name.endsWith(suffix) && types.value(base) == "histogram"_L1)
                family = base;
        }
        if (family != currentFamily) {
            if (familiesSeen.contains(family))
                fail(number, family + u" is split in two groups of lines"_s);
            familiesSeen.insert(family);
            currentFamily = family;
        }
        if (!types.contains(family))
            fail(number, family + u" has samples but no TYPE"_s);
        const QString key = m.captured(2).isEmpty() ? name : name + m.captured(2);
        if (samples.contains(key))
            fail(number, u"a second sample "_s + key);
        samples.insert(key, value);

        if (types.value(family) == "histogram"_L1 && name.endsWith("_bucket"_L1)) {
            // The series is the labels without le.
            static const QRegularExpression le(uR"re(,?le="([^"]*)")re"_s);
            const auto leMatch = le.match(m.captured(3));
            if (!leMatch.hasMatch()) {
                fail(number, u"a bucket without le"_s);
                continue;
            }
            const QString series = family + u'{' + QString(m.captured(3)).remove(le) + u'}';
            if (value < lastBucket.value(series, 0))
                fail(number, u"buckets are not cumulative: "_s + line);
            lastBucket[series] = value;
            if (leMatch.captured(1) == "+Inf"_L1)
                infBucket[series] = value;
        } else if (types.value(family) == "histogram"_L1 && name.endsWith("_count"_L1)) {
            const QString series = family + u'{' + m.captured(3) + u'}';
            if (!infBucket.contains(series))
                fail(number, u"a histogram without a +Inf bucket: "_s + series);
            else if (infBucket.value(series) != value)
                fail(number, u"_count differs from the +Inf bucket: "_s + series);
        } else if (types.value(family) == "counter"_L1 && (value < 0 || std::isnan(value))) {
            fail(number, u"a counter below 0: "_s + line);
        }
    }
    return samples;
}

double scrape(quint16 port, const QString &sample)
{
    const HttpResult r = httpGet(port, u"/metrics"_s);
    if (r.status != 200)
        return -1;
    return parseExposition(r.body).value(sample, -1);
}

} // namespace rill::test
