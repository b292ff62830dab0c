// rill-store-bench: what each of Rill's Lua scripts costs Redis at scale (issue 10, "Bounded
// work in Redis"). Redis is shared by every instance and runs one script at a time, so the
// figure that matters is how long one script holds it, measured by Redis itself.
//
// It fills a throwaway Redis through the store's own scripts (Store, as the server calls it):
// by default 100,000 users, 100,000 channels and 1,000,000 messages, then runs each script in
// its worst realistic case, one call at a time, and reads every call's duration from Redis's
// SLOWLOG with the threshold at 0 (Redis times a command around its execution, without the
// network or the client: the time the script held Redis).
//
// Search (issue 13): messages are ~10 words drawn from a Zipf-distributed vocabulary of 20,000
// made-up words. They are stored without the index first, so that Redis's memory before and
// after indexing them all at once (the schema 3 to 4 migration, timed too) gives the index's
// memory per message; then queries of one and two words are timed end to end (every channel's
// script and the merge, as the server runs them) and by Redis's own clock.

#include "protocol/Limits.h"
#include "protocol/Names.h"
#include "redis/EmbeddedRedis.h"
#include "redis/RedisClient.h"
#include "store/Store.h"
#include "support/ProcessStats.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTimer>

#include <QCoro/QCoroSignal>
#include <QCoro/QCoroTask>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <vector>

namespace {

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using rill::redis::RedisClient;
using rill::redis::RedisEndpoint;
using rill::redis::RedisReply;
using rill::store::Store;

struct Settings {
    std::optional<RedisEndpoint> redisUrl; // none: start our own redis-server
    QString redisServer = QStringLiteral(RILL_REDIS_SERVER);
    qint64 users = 100'000;
    qint64 channels = 100'000;
    qint64 messages = 1'000'000;
    int extraJoins = 3; // channels each user joins besides their own and general
    int window = 256;   // scripts in flight while filling
    int runs = 200;     // calls per measured case
    bool json = false;
};

QString userName(qint64 i)
{
    return u"u%1"_s.arg(i, 6, 10, QLatin1Char('0'));
}
// A user of the filled population: the same one for the same (fraction, run) at any scale.
QString someUser(const Settings &s, double fraction, int run)
{
    return userName((qint64(double(s.users) * fraction) + run) % s.users);
}

QString channelName(qint64 i)
{
    return u"c%1"_s.arg(i, 6, 10, QLatin1Char('0'));
}
QByteArray tokenHashOf(const QString &user)
{
    return Store::hashToken(u"token-"_s + user);
}

const QString kHeavy = u"heavy"_s;   // in as many channels as a user may be
const QString kReader = u"reader"_s; // writes every 100th message of general

// Made-up words ("kari", "tome", "karito", ...: some are prefixes of others), drawn by a Zipf
// law (s = 1) as words of natural text are: word k is used in proportion to 1/k.
struct Vocabulary {
    static constexpr int kWords = 20'000;
    QStringList words;
    std::vector<double> cumulative;

    Vocabulary()
    {
        static const char *const syllables[] = {"ka", "ri", "to", "me", "su", "no", "la", "vi",
                                                "de", "po", "gu", "fe", "zo", "ha", "ne", "bi"};
        double sum = 0;
        for (int k = 1; k <= kWords; ++k) {
            QString word;
            for (int n = k + 15; n > 0; n /= 16)
                word.prepend(QLatin1StringView(syllables[n % 16]));
            words.append(word);
            sum += 1.0 / k;
            cumulative.push_back(sum);
        }
    }
    // The word of rank `rank` (1 the most frequent).
    [[nodiscard]] const QString &at(int rank) const { return words.at(rank - 1); }
    [[nodiscard]] const QString &draw(QRandomGenerator &random) const
    {
        const double x = random.generateDouble() * cumulative.back();
        const auto it = std::lower_bound(cumulative.begin(), cumulative.end(), x);
        return words.at(std::min<qsizetype>(it - cumulative.begin(), kWords - 1));
    }
    [[nodiscard]] QString sentence(QRandomGenerator &random) const
    {
        QStringList out;
        for (int n = 8 + int(random.bounded(5)); n > 0; --n)
            out.append(draw(random));
        return out.join(u' ');
    }
};

struct Bench {
    Settings settings;
    RedisClient *redis = nullptr;
    RedisClient *admin = nullptr; // SLOWLOG, INFO: never measured
    Store *store = nullptr;
    Store *unindexed = nullptr; // the same store, but `send` does not index (main's work before search)
    Vocabulary vocabulary;
    QRandomGenerator random{20261129};
    qint64 next = 0; // the fill's shared index
    qint64 failures = 0;
    QStringList generalIds; // a sample of general's message IDs, oldest first
};

void progress(const char *what, qint64 done, qint64 total)
{
    std::fprintf(stderr, "\r%-28s %10lld / %lld", what, static_cast<long long>(done), static_cast<long long>(total));
    if (done == total)
        std::fprintf(stderr, "\n");
}

// Runs op(bench, i) for i in [0, n) with `window` calls in flight: every call issued while a
// batch of replies is delivered leaves in one write.
using Op = QCoro::Task<> (*)(Bench &, qint64);

QCoro::Task<> fillWorker(Bench &b, qint64 n, Op op, const char *what)
{
    for (;;) {
        const qint64 i = b.next++;
        if (i >= n)
            co_return;
        co_await op(b, i);
        if ((i + 1) % 10000 == 0 || i + 1 == n)
            progress(what, i + 1, n);
    }
}

QCoro::Task<> fill(Bench &b, qint64 n, Op op, const char *what)
{
    b.next = 0;
    std::vector<QCoro::Task<>> workers;
    for (int w = 0; w < b.settings.window; ++w)
        workers.push_back(fillWorker(b, n, op, what));
    for (auto &w : workers)
        co_await w;
}

template<typename T>
void count(Bench &b, const rill::store::Result<T> &r)
{
    if (!r) {
        if (++b.failures <= 5)
            std::fprintf(stderr, "\nfill: %s\n", qPrintable(r.error().message));
    }
}

QCoro::Task<> registerOne(Bench &b, qint64 i)
{
    const QString name = i < b.settings.users ? userName(i) : (i == b.settings.users ? kHeavy : kReader);
    const auto r = co_await b.store->registerUser(name, name, "not-a-real-hash", tokenHashOf(name));
    count(b, r);
}

QCoro::Task<> createOne(Bench &b, qint64 i)
{
    const QString user = userName(i % b.settings.users);
    const auto r = co_await b.store->join(user, user, channelName(i), QString());
    count(b, r);
}

QCoro::Task<> joinOne(Bench &b, qint64 i)
{
    const QString user = userName(i / b.settings.extraJoins);
    const QString channel = channelName(b.random.bounded(b.settings.channels));
    const auto r = co_await b.store->join(user, user, channel, QString());
    count(b, r);
}

// Every user on line on one instance, which then dies (its deadline passes at once).
QCoro::Task<> onDeadInstance(Bench &b, qint64 i)
{
    const auto r = co_await b.store->presenceUp(u"dead#1"_s, userName(i));
    count(b, r);
}

QCoro::Task<> heavyJoin(Bench &b, qint64 i)
{
    const auto r = co_await b.store->join(kHeavy, kHeavy, channelName(i), QString());
    count(b, r);
}

// Half of the messages go to general (every member of it, the reader every 100th), the other
// half to random channels, each by the user who created it.
QCoro::Task<> sendOne(Bench &b, qint64 i)
{
    QString user, channel;
    if (i % 2 == 0) {
        channel = u"general"_s;
        user = (i / 2) % 100 == 0 ? kReader : userName(b.random.bounded(b.settings.users));
    } else {
        const qint64 c = b.random.bounded(b.settings.channels);
        channel = channelName(c);
        user = userName(c % b.settings.users);
    }
    // Stored without the index: it is built for all of them at once afterwards (the migration),
    // which gives the index's memory as a difference.
    const auto r = co_await b.unindexed->send(user, user, channel, b.vocabulary.sentence(b.random), QByteArray());
    count(b, r);
    if (r && channel == "general"_L1 && (i / 2) % 1000 == 0)
        b.generalIds.append(r.value().id);
}

// --- measurement -------------------------------------------------------------------------

// What Redis has allocated (MEMORY STATS total.allocated), in bytes.
QCoro::Task<qint64> allocatedBytes(RedisClient &admin)
{
    const RedisReply memory = co_await admin.command("MEMORY", "STATS");
    for (qsizetype i = 0; i + 1 < memory.size(); i += 2) {
        if (memory.at(i).bytes() == "total.allocated")
            co_return memory.at(i + 1).integer();
    }
    co_return 0;
}

struct Timing {
    QString script;
    QString label;
    std::vector<qint64> micros; // Redis's own measure of each call
};

QCoro::Task<std::vector<qint64>> slowlogFor(Bench &b, const QByteArray &sha)
{
    const RedisReply log = co_await b.admin->command("SLOWLOG", "GET", "-1");
    std::vector<qint64> out;
    for (const RedisReply &entry : log.elements()) {
        if (entry.size() < 4 || entry.at(3).size() < 2)
            continue;
        if (entry.at(3).at(0).bytes().compare("EVALSHA", Qt::CaseInsensitive) == 0 && entry.at(3).at(1).bytes() == sha)
            out.push_back(entry.at(2).integer());
    }
    co_await b.admin->command("SLOWLOG", "RESET");
    co_return out;
}

using Call = QCoro::Task<> (*)(Bench &, int run);

struct Case {
    const char *script;
    const char *label;
    Call call;
};

QCoro::Task<> expectOk(Bench &b, bool ok, const char *what)
{
    if (!ok && ++b.failures <= 5)
        std::fprintf(stderr, "measured call failed: %s\n", what);
    co_return;
}

const Case kCases[] = {
    {"register", "new user (joins general)",
     [](Bench &b, int run) -> QCoro::Task<> {
         const QString name = u"new%1"_s.arg(run);
         const auto r = co_await b.store->registerUser(name, name, "not-a-real-hash", tokenHashOf(name));
         co_await expectOk(b, r.ok(), "register");
     }},
    {"open_session", "password log-in, user in 5 channels",
     [](Bench &b, int run) -> QCoro::Task<> {
         const QString user = someUser(b.settings, 0.0, run * 7);
         const auto r = co_await b.store->openSession(user, Store::hashToken(u"fresh-%1"_s.arg(run)));
         co_await expectOk(b, r.ok(), "open_session");
     }},
    {"open_session", "password log-in, user at the channel cap",
     [](Bench &b, int run) -> QCoro::Task<> {
         const auto r = co_await b.store->openSession(kHeavy, Store::hashToken(u"heavy-%1"_s.arg(run)));
         co_await expectOk(b, r.ok() && r.value().channels.size() == b.store->limits().maxChannelsPerUser, "heavy log-in");
     }},
    {"resume_session", "token log-in, user at the channel cap",
     [](Bench &b, int) -> QCoro::Task<> {
         const auto r = co_await b.store->resumeSession(tokenHashOf(kHeavy));
         co_await expectOk(b, r.ok(), "resume_session");
     }},
    {"channels", "the first page (200)",
     [](Bench &b, int) -> QCoro::Task<> {
         const rill::protocol::PageRequest first;
         const auto r = co_await b.store->publicChannels(first);
         co_await expectOk(b, r.ok() && r.value().items.size() == rill::protocol::kMaxListPage, "channels");
     }},
    {"channels", "a page (200) from the middle",
     [](Bench &b, int run) -> QCoro::Task<> {
         const rill::protocol::PageRequest middle{
             rill::protocol::kMaxListPage, channelName((b.settings.channels / 2 + run * 100) % b.settings.channels)};
         const auto r = co_await b.store->publicChannels(middle);
         co_await expectOk(b, r.ok(), "channels middle");
     }},
    {"members", "general (every user), a page (200)",
     [](Bench &b, int run) -> QCoro::Task<> {
         rill::protocol::PageRequest page;
         if (run % 2)
             page.cursor = someUser(b.settings, 0.0, run * 400);
         const auto r = co_await b.store->members(kReader, u"general"_s, page);
         co_await expectOk(b, r.ok(), "members");
     }},
    {"join", "an existing channel",
     [](Bench &b, int run) -> QCoro::Task<> {
         const QString user = someUser(b.settings, 0.5, run);
         const auto r = co_await b.store->join(user, user, channelName(run), u"bench/1"_s);
         co_await expectOk(b, r.ok(), "join");
     }},
    {"join", "a new channel",
     [](Bench &b, int run) -> QCoro::Task<> {
         const QString user = someUser(b.settings, 0.6, run);
         const auto r = co_await b.store->join(user, user, u"fresh-%1"_s.arg(run), u"bench/1"_s);
         co_await expectOk(b, r.ok(), "join new");
     }},
    {"part", "a channel",
     [](Bench &b, int run) -> QCoro::Task<> {
         const QString user = someUser(b.settings, 0.5, run);
         const auto r = co_await b.store->part(user, user, channelName(run));
         co_await expectOk(b, r.ok(), "part");
     }},
    {"send", "to general",
     [](Bench &b, int run) -> QCoro::Task<> {
         const QString user = userName(run);
         const auto r = co_await b.store->send(user, user, u"general"_s, u"measured %1"_s.arg(run), QByteArray());
         co_await expectOk(b, r.ok(), "send");
     }},
    {"send", "to general, not indexed (before search)",
     [](Bench &b, int run) -> QCoro::Task<> {
         const QString user = userName(run);
         const auto r = co_await b.unindexed->send(user, user, u"general"_s, b.vocabulary.sentence(b.random), QByteArray());
         co_await expectOk(b, r.ok(), "send unindexed");
     }},
    {"send", "to general, indexed (~10 words)",
     [](Bench &b, int run) -> QCoro::Task<> {
         const QString user = userName(run);
         const auto r = co_await b.store->send(user, user, u"general"_s, b.vocabulary.sentence(b.random), QByteArray());
         co_await expectOk(b, r.ok(), "send indexed");
     }},
    {"send", "with a nonce, then its repeat",
     [](Bench &b, int run) -> QCoro::Task<> {
         const QString user = userName(run);
         const QByteArray nonce = '"' + QByteArray::number(run) + '"';
         const auto r = co_await b.store->send(user, user, u"general"_s, u"measured %1"_s.arg(run), nonce);
         co_await expectOk(b, r.ok(), "send nonce");
     }},
    {"history", "newest 100 of general",
     [](Bench &b, int) -> QCoro::Task<> {
         const auto r = co_await b.store->history(kReader, u"general"_s, {});
         co_await expectOk(b, r.ok(), "history");
     }},
    {"history", "100 before a point in general",
     [](Bench &b, int run) -> QCoro::Task<> {
         rill::store::HistoryQuery q;
         q.from = rill::store::HistoryQuery::From::Before;
         q.id = b.generalIds.at(run % b.generalIds.size());
         q.limit = 100;
         const auto r = co_await b.store->history(kReader, u"general"_s, q);
         co_await expectOk(b, r.ok(), "history before");
     }},
    // Revision 2. Each case may call other scripts first (a message to edit); only the named
    // script's time is counted.
    {"edit", "one's own message in general",
     [](Bench &b, int run) -> QCoro::Task<> {
         const QString user = userName(run);
         const auto sent = co_await b.store->send(user, user, u"general"_s, u"to edit %1 @reader"_s.arg(run), QByteArray());
         if (!sent) {
             co_await expectOk(b, false, "send to edit");
             co_return;
         }
         const auto r = co_await b.store->edit(user, user, u"general"_s, sent.value().id, u"edited %1"_s.arg(run));
         co_await expectOk(b, r.ok(), "edit");
     }},
    {"delete", "one's own message in general",
     [](Bench &b, int run) -> QCoro::Task<> {
         const QString user = userName(run);
         const auto sent = co_await b.store->send(user, user, u"general"_s, u"to delete %1 @reader"_s.arg(run), QByteArray());
         if (!sent) {
             co_await expectOk(b, false, "send to delete");
             co_return;
         }
         const auto r = co_await b.store->deleteMessage(user, user, u"general"_s, sent.value().id);
         co_await expectOk(b, r.ok(), "delete");
     }},
    {"react", "to a message deep in general",
     [](Bench &b, int run) -> QCoro::Task<> {
         const QString user = userName(run);
         const QString id = b.generalIds.at(run % b.generalIds.size());
         const auto r = co_await b.store->react(user, user, u"general"_s, id, u"\U0001F44D"_s, true);
         co_await expectOk(b, r.ok(), "react");
     }},
    {"send", "a reply in general (the root's update included)",
     [](Bench &b, int run) -> QCoro::Task<> {
         const QString user = userName(run);
         const QString root = b.generalIds.at(run % b.generalIds.size());
         const auto r = co_await b.store->send(user, user, u"general"_s, u"reply %1"_s.arg(run), QByteArray(), root);
         co_await expectOk(b, r.ok() || r.error().code == rill::protocol::ErrorCode::NoSuchMessage, "reply");
     }},
    {"thread", "first page of a root's replies",
     [](Bench &b, int run) -> QCoro::Task<> {
         const QString root = b.generalIds.at(run % b.generalIds.size());
         const auto r = co_await b.store->thread(kReader, u"general"_s, root, QString(), 50);
         co_await expectOk(b, r.ok() || r.error().code == rill::protocol::ErrorCode::NoSuchMessage, "thread");
     }},
    {"topic", "of general",
     [](Bench &b, int run) -> QCoro::Task<> {
         const auto r = co_await b.store->setTopic(kReader, u"general"_s, u"topic %1"_s.arg(run));
         co_await expectOk(b, r.ok(), "topic");
     }},
    {"read", "creeping one entry at a time in general",
     [](Bench &b, int run) -> QCoro::Task<> {
         // From a point in the middle of the log, one entry further each call.
         const QString from = b.generalIds.at(b.generalIds.size() / 2);
         const auto parts = rill::protocol::StreamId::parse(from).value_or(rill::protocol::StreamId{});
         const QString upTo = QString::number(parts.ms) + u'-' + QString::number(parts.seq + quint64(run));
         const auto r = co_await b.store->markRead(kReader, kReader, u"general"_s, upTo, u"bench/1"_s);
         co_await expectOk(b, r.ok(), "read creep");
     }},
    {"read", "jumping through general (thousands of own messages)",
     [](Bench &b, int run) -> QCoro::Task<> {
         // Forward through the sample in big steps (a marker never moves back).
         const qsizetype n = b.generalIds.size();
         const qsizetype at = std::min(n - 1, n / 2 + 1 + qsizetype(run) * (n / 2 - 1) / b.settings.runs);
         const auto r = co_await b.store->markRead(kReader, kReader, u"general"_s, b.generalIds.at(at), u"bench/1"_s);
         co_await expectOk(b, r.ok(), "read jump");
     }},
    {"dm", "a new direct-message channel",
     [](Bench &b, int run) -> QCoro::Task<> {
         const QString a = someUser(b.settings, 0.7, run), peer = someUser(b.settings, 0.8, run);
         const auto r = co_await b.store->openDm(a, a, peer, u"bench/1"_s);
         co_await expectOk(b, r.ok(), "dm");
     }},
    {"typing", "in general",
     [](Bench &b, int run) -> QCoro::Task<> {
         const QByteArray payload = "general\nreader\n{}";
         const auto r = co_await b.store->typing(kReader, u"general"_s, payload);
         co_await expectOk(b, r.ok() || run < 0, "typing");
     }},
    {"presence_up", "a user of 5 channels",
     [](Bench &b, int run) -> QCoro::Task<> {
         const auto r = co_await b.store->presenceUp(u"bench#1"_s, userName(run));
         co_await expectOk(b, r.ok(), "presence_up");
     }},
    {"presence_down", "a user of 5 channels",
     [](Bench &b, int run) -> QCoro::Task<> {
         const auto r = co_await b.store->presenceDown(u"bench#1"_s, userName(run));
         co_await expectOk(b, r.ok(), "presence_down");
     }},
    {"heartbeat", "one instance",
     [](Bench &b, int) -> QCoro::Task<> {
         const auto r = co_await b.store->heartbeat(u"bench#1"_s, 15s);
         co_await expectOk(b, r.ok(), "heartbeat");
     }},
    {"reap", "a step through a dead instance with every user",
     [](Bench &b, int) -> QCoro::Task<> {
         const auto r = co_await b.store->reapStep(u"dead#1"_s);
         co_await expectOk(b, r.ok(), "reap");
     }},
    {"logout", "one token",
     [](Bench &b, int run) -> QCoro::Task<> {
         const QString user = someUser(b.settings, 0.9, run);
         const auto r = co_await b.store->logout(user, tokenHashOf(user), false, u"bench/1"_s);
         co_await expectOk(b, r.ok(), "logout");
     }},
    {"throttle", "a password log-in attempt",
     [](Bench &b, int run) -> QCoro::Task<> {
         const auto r = co_await b.store->takeLoginAttempt(userName(run), u"192.0.2.1"_s);
         co_await expectOk(b, r.ok() || r.error().code == rill::protocol::ErrorCode::RateLimited, "throttle");
     }},
};


// --- search --------------------------------------------------------------------------------

struct SearchCase {
    const char *label;
    QString user;   // kReader: general only (half the messages); kHeavy: 100 channels, general included
    bool everywhere; // all of the user's channels, else `channel` general
    int words;       // 1 or 2
    int lowRank, highRank; // the words' ranks in the vocabulary, drawn uniformly
    bool prefix = false;   // the word's first two syllables only (expands to several words)
};

struct SearchTiming {
    QString label;
    std::vector<qint64> wallMicros;  // the whole call: every channel's script and the merge
    std::vector<qint64> redisMicros; // the sum of its scripts' time in Redis
    std::vector<qint64> scriptMax;   // its slowest script
    std::vector<qint64> scripts;     // every script of every query: what one holds Redis for
    qint64 results = 0;
    qint64 cut = 0; // pages that a channel's budget cut short
};

QCoro::Task<SearchTiming> measureSearch(Bench &b, const SearchCase &c)
{
    SearchTiming t{QString::fromLatin1(c.label), {}, {}, {}, {}, 0, 0};
    const QByteArray sha = Store::scriptSha1("search");
    for (int run = 0; run < b.settings.runs; ++run) {
        QStringList words;
        for (int w = 0; w < c.words; ++w) {
            const QString &word = b.vocabulary.at(c.lowRank + int(b.random.bounded(c.highRank - c.lowRank + 1)));
            words.append(c.prefix ? word.left(4) : word);
        }
        const std::optional<QString> channel = c.everywhere ? std::nullopt : std::optional<QString>(u"general"_s);
        QElapsedTimer clock;
        clock.start();
        const auto r = co_await b.store->search(c.user, c.user, channel, rill::protocol::searchWords(words.join(u' ')),
                                                QString(), rill::protocol::kDefaultSearchLimit);
        t.wallMicros.push_back(clock.nsecsElapsed() / 1000);
        co_await expectOk(b, r.ok(), "search");
        if (r) {
            t.results += r.value().messages.size();
            if (r.value().more && r.value().messages.size() < rill::protocol::kDefaultSearchLimit)
                ++t.cut;
        }
        const std::vector<qint64> scripts = co_await slowlogFor(b, sha);
        qint64 sum = 0, most = 0;
        for (qint64 us : scripts) {
            sum += us;
            most = std::max(most, us);
        }
        t.scripts.insert(t.scripts.end(), scripts.begin(), scripts.end());
        t.redisMicros.push_back(sum);
        t.scriptMax.push_back(most);
    }
    for (auto *v : {&t.wallMicros, &t.redisMicros, &t.scriptMax, &t.scripts})
        std::sort(v->begin(), v->end());
    co_return t;
}

QCoro::Task<int> run(Settings settings)
{
    std::unique_ptr<rill::redis::EmbeddedRedis> ownRedis;
    QTemporaryDir dir;
    RedisEndpoint endpoint;
    if (settings.redisUrl) {
        endpoint = *settings.redisUrl;
    } else {
        rill::redis::EmbeddedRedis::Options options;
        options.dataDir = dir.path();
        options.executable = settings.redisServer;
        options.listen = rill::redis::EmbeddedRedis::Options::Listen::Tcp;
        options.appendOnly = false;
        ownRedis = std::make_unique<rill::redis::EmbeddedRedis>(options);
        const bool started = co_await ownRedis->start();
        if (!started) {
            std::fprintf(stderr, "cannot start redis-server: %s\n", qPrintable(ownRedis->errorString()));
            co_return 1;
        }
        endpoint = ownRedis->endpoint();
    }
    rill::redis::RedisOptions options;
    options.endpoint = endpoint;
    options.commandTimeout = 60s; // filling keeps a deep pipeline
    options.clientName = "rill-store-bench";
    RedisClient redis(options);
    options.clientName = "rill-store-bench:admin";
    RedisClient admin(options);
    redis.open();
    admin.open();
    for (RedisClient *c : {&redis, &admin}) {
        if (!c->isReady()) {
            auto up = qCoro(c, &rill::redis::RedisLink::connected, 10s);
            co_await up;
        }
        if (!c->isReady()) {
            std::fprintf(stderr, "cannot reach Redis at %s\n", qPrintable(endpoint.toDisplayString()));
            co_return 1;
        }
    }
    const RedisReply size = co_await admin.command("DBSIZE");
    if (size.integer() != 0) {
        std::fprintf(stderr, "Redis at %s is not empty; the bench only fills an empty one\n",
                     qPrintable(endpoint.toDisplayString()));
        co_return 1;
    }

    rill::store::StoreLimits limits;
    limits.channelCreatesPerHour = 0;
    Store store(redis, limits);
    rill::store::StoreLimits withoutIndex = limits;
    withoutIndex.indexForSearch = false;
    Store unindexed(redis, withoutIndex);
    Bench b;
    b.settings = settings;
    b.redis = &redis;
    b.admin = &admin;
    b.store = &store;
    b.unindexed = &unindexed;
    const auto ready = co_await store.ensureDefaults();
    if (!ready) {
        std::fprintf(stderr, "cannot prepare the store: %s\n", qPrintable(ready.error().message));
        co_return 1;
    }

    QElapsedTimer fillClock;
    fillClock.start();
    co_await fill(b, settings.users + 2, &registerOne, "users");
    co_await fill(b, settings.channels, &createOne, "channels");
    co_await fill(b, settings.users * settings.extraJoins, &joinOne, "more memberships");
    co_await fill(b, limits.maxChannelsPerUser - 1, &heavyJoin, "the heavy user's channels");
    co_await fill(b, settings.messages, &sendOne, "messages");
    // The index of all of them at once: what a store of schema 3 goes through at the first start
    // of a server with search, and the index's memory as the difference.
    const qint64 beforeIndex = co_await allocatedBytes(admin);
    co_await admin.command("HSET", "rill:meta", "schema", "3");
    QElapsedTimer indexClock;
    indexClock.start();
    const auto indexed = co_await store.ensureDefaults();
    const qint64 indexMs = indexClock.elapsed();
    if (!indexed) {
        std::fprintf(stderr, "cannot index the store: %s\n", qPrintable(indexed.error().message));
        co_return 1;
    }
    const qint64 afterIndex = co_await allocatedBytes(admin);
    const double indexBytesPerMessage = double(afterIndex - beforeIndex) / double(settings.messages);
    std::fprintf(stderr, "indexed %lld messages in %.1f s; the index takes %.0f MiB, %.0f bytes per message\n",
                 static_cast<long long>(settings.messages), double(indexMs) / 1000.0,
                 double(afterIndex - beforeIndex) / 1048576.0, indexBytesPerMessage);
    co_await fill(b, settings.users, &onDeadInstance, "users on line on one instance");
    const auto dying = co_await store.heartbeat(u"dead#1"_s, 1ms);
    count(b, dying);
    std::sort(b.generalIds.begin(), b.generalIds.end(), [](const QString &x, const QString &y) {
        return rill::protocol::StreamId::parse(x).value_or(rill::protocol::StreamId{})
            < rill::protocol::StreamId::parse(y).value_or(rill::protocol::StreamId{});
    });
    const qint64 fillMs = fillClock.elapsed();
    const qint64 usedBytes = co_await allocatedBytes(admin);
    std::fprintf(stderr, "filled in %.1f s (%lld failures), Redis holds %.0f MiB\n", double(fillMs) / 1000.0,
                 static_cast<long long>(b.failures), double(usedBytes) / 1048576.0);
    if (b.generalIds.size() < 4) {
        std::fprintf(stderr, "too few messages in general to measure reads\n");
        co_return 1;
    }

    // Redis 7 logs the commands a script runs as well as the script: the log is read and
    // cleared after every call, so that none is pushed out.
    co_await admin.command("CONFIG", "SET", "slowlog-log-slower-than", "0");
    co_await admin.command("CONFIG", "SET", "slowlog-max-len", "100000");
    co_await admin.command("SLOWLOG", "RESET");
    std::vector<Timing> timings;
    for (const Case &c : kCases) {
        Timing t{QString::fromLatin1(c.script), QString::fromLatin1(c.label), {}};
        const QByteArray sha = Store::scriptSha1(c.script);
        for (int i = 0; i < settings.runs; ++i) {
            co_await c.call(b, i);
            const std::vector<qint64> one = co_await slowlogFor(b, sha);
            t.micros.insert(t.micros.end(), one.begin(), one.end());
        }
        std::sort(t.micros.begin(), t.micros.end());
        timings.push_back(std::move(t));
    }
    const SearchCase searchCases[] = {
        {"one word (rank 10-1000), general (500k messages)", kReader, false, 1, 10, 1000},
        {"two words (rank 10-1000), general", kReader, false, 2, 10, 1000},
        {"two common words (rank 1-10), general", kReader, false, 2, 1, 10},
        {"one prefix (4 letters, rank 10-1000), general", kReader, false, 1, 10, 1000, true},
        {"one word (rank 10-1000), 100 channels", kHeavy, true, 1, 10, 1000},
        {"two words (rank 10-1000), 100 channels", kHeavy, true, 2, 10, 1000},
        {"two rare words (rank 1000-20000), 100 channels", kHeavy, true, 2, 1000, 20000},
    };
    std::vector<SearchTiming> searches;
    for (const SearchCase &c : searchCases)
        searches.push_back(co_await measureSearch(b, c));
    co_await admin.command("CONFIG", "SET", "slowlog-log-slower-than", "10000");

    auto pct = [](const std::vector<qint64> &v, double p) -> qint64 {
        if (v.empty())
            return -1;
        return v[std::min(v.size() - 1, std::size_t(p * double(v.size() - 1) + 0.5))];
    };
    qint64 worst = 0;
    QJsonArray rows;
    if (!settings.json) {
        std::printf("%lld users, %lld channels, %lld messages; %d calls per case; microseconds of Redis time per call\n\n",
                    static_cast<long long>(settings.users), static_cast<long long>(settings.channels),
                    static_cast<long long>(settings.messages), settings.runs);
        std::printf("| script | case | calls | p50 µs | p99 µs | max µs |\n|---|---|---|---|---|---|\n");
    }
    for (const Timing &t : timings) {
        worst = std::max(worst, pct(t.micros, 1.0));
        if (settings.json) {
            rows.append(QJsonObject{{"script"_L1, t.script}, {"case"_L1, t.label}, {"calls"_L1, qint64(t.micros.size())},
                                    {"p50us"_L1, pct(t.micros, 0.5)}, {"p99us"_L1, pct(t.micros, 0.99)},
                                    {"maxus"_L1, pct(t.micros, 1.0)}});
        } else {
            std::printf("| `%s` | %s | %zu | %lld | %lld | %lld |\n", qPrintable(t.script), qPrintable(t.label),
                        t.micros.size(), static_cast<long long>(pct(t.micros, 0.5)),
                        static_cast<long long>(pct(t.micros, 0.99)), static_cast<long long>(pct(t.micros, 1.0)));
        }
    }
    QJsonArray searchRows;
    if (!settings.json) {
        std::printf("\nsearch, %d queries per case, limit %d; microseconds per query: the whole call (all channels' "
                    "scripts and the merge) and Redis's time (the sum of its scripts; the slowest one)\n\n",
                    settings.runs, rill::protocol::kDefaultSearchLimit);
        std::printf("| query | wall p50 | wall p99 | Redis p50 | Redis p99 | scripts/query | script p50 | script p99 | "
                    "slowest script p99 | results/query | pages cut |\n"
                    "|---|---|---|---|---|---|---|---|---|---|---|\n");
    }
    for (const SearchTiming &t : searches) {
        const double perQuery = double(t.results) / double(std::max<std::size_t>(1, t.wallMicros.size()));
        if (settings.json) {
            searchRows.append(QJsonObject{{"case"_L1, t.label}, {"wallP50us"_L1, pct(t.wallMicros, 0.5)},
                                          {"wallP99us"_L1, pct(t.wallMicros, 0.99)},
                                          {"redisP50us"_L1, pct(t.redisMicros, 0.5)},
                                          {"redisP99us"_L1, pct(t.redisMicros, 0.99)},
                                          {"slowestScriptP99us"_L1, pct(t.scriptMax, 0.99)},
                                          {"scriptP50us"_L1, pct(t.scripts, 0.5)},
                                          {"scriptP99us"_L1, pct(t.scripts, 0.99)},
                                          {"scriptsPerQuery"_L1, double(t.scripts.size()) / double(std::max<std::size_t>(1, t.wallMicros.size()))},
                                          {"resultsPerQuery"_L1, perQuery}, {"cut"_L1, t.cut}});
        } else {
            std::printf("| %s | %lld | %lld | %lld | %lld | %.1f | %lld | %lld | %lld | %.1f | %lld |\n", qPrintable(t.label),
                        static_cast<long long>(pct(t.wallMicros, 0.5)), static_cast<long long>(pct(t.wallMicros, 0.99)),
                        static_cast<long long>(pct(t.redisMicros, 0.5)), static_cast<long long>(pct(t.redisMicros, 0.99)),
                        double(t.scripts.size()) / double(std::max<std::size_t>(1, t.wallMicros.size())),
                        static_cast<long long>(pct(t.scripts, 0.5)), static_cast<long long>(pct(t.scripts, 0.99)),
                        static_cast<long long>(pct(t.scriptMax, 0.99)), perQuery, static_cast<long long>(t.cut));
        }
    }
    if (!settings.json) {
        std::printf("\nindex: %lld messages indexed at once in %.1f s; %.0f MiB, %.0f bytes per message\n",
                    static_cast<long long>(settings.messages), double(indexMs) / 1000.0,
                    double(afterIndex - beforeIndex) / 1048576.0, indexBytesPerMessage);
    }
    if (settings.json) {
        const QJsonObject out{{"users"_L1, settings.users},
                              {"channels"_L1, settings.channels},
                              {"messages"_L1, settings.messages},
                              {"fillSeconds"_L1, double(fillMs) / 1000.0},
                              {"redisMiB"_L1, double(usedBytes) / 1048576.0},
                              {"failures"_L1, b.failures},
                              {"machine"_L1, rill::bench::machineInfo().toJson()},
                              {"loadAverage"_L1, rill::bench::loadAverage()},
                              {"scripts"_L1, rows},
                              {"search"_L1, searchRows},
                              {"indexSeconds"_L1, double(indexMs) / 1000.0},
                              {"indexBytesPerMessage"_L1, indexBytesPerMessage}};
        std::printf("%s\n", QJsonDocument(out).toJson(QJsonDocument::Indented).constData());
    } else {
        std::printf("\nslowest call: %lld µs; failures: %lld; load average %.1f\n", static_cast<long long>(worst),
                    static_cast<long long>(b.failures), rill::bench::loadAverage());
    }
    redis.close();
    admin.close();
    if (ownRedis)
        co_await ownRedis->stop();
    co_return b.failures == 0 ? 0 : 2;
}

QCoro::Task<> runAndQuit(Settings settings)
{
    const int code = co_await run(std::move(settings));
    QCoreApplication::exit(code);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"rill-store-bench"_s);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Fills a throwaway Redis through Rill's store and reports how long each Lua script holds Redis "
        "(its own SLOWLOG timing)."_s);
    parser.addHelpOption();
    parser.addOptions({
        {u"redis"_s, u"Use this (empty) Redis instead of starting one."_s, u"url"_s},
        {u"users"_s, u"Users to create (default 100000)."_s, u"n"_s},
        {u"channels"_s, u"Channels to create (default 100000)."_s, u"n"_s},
        {u"messages"_s, u"Messages to store (default 1000000)."_s, u"n"_s},
        {u"runs"_s, u"Calls per measured case (default 200)."_s, u"n"_s},
        {u"window"_s, u"Scripts in flight while filling (default 256)."_s, u"n"_s},
        {u"json"_s, u"Print JSON."_s},
    });
    parser.process(app);
    Settings s;
    if (parser.isSet(u"redis"_s)) {
        QString why;
        s.redisUrl = RedisEndpoint::parse(parser.value(u"redis"_s), &why);
        if (!s.redisUrl) {
            std::fprintf(stderr, "--redis: %s\n", qPrintable(why));
            return 1;
        }
    }
    auto number = [&parser](const QString &name, qint64 &out, qint64 min) {
        if (!parser.isSet(name))
            return true;
        bool ok = false;
        const qint64 v = parser.value(name).toLongLong(&ok);
        if (!ok || v < min)
            return false;
        out = v;
        return true;
    };
    qint64 runs = s.runs, window = s.window;
    if (!number(u"users"_s, s.users, 1000) || !number(u"channels"_s, s.channels, 1000)
        || !number(u"messages"_s, s.messages, 10000) || !number(u"runs"_s, runs, 1) || !number(u"window"_s, window, 1)) {
        std::fprintf(stderr, "invalid number (users and channels at least 1000, messages 10000)\n");
        return 1;
    }
    s.runs = int(runs);
    s.window = int(window);
    s.json = parser.isSet(u"json"_s);
    // Started from the loop so that exit() inside it is seen by exec().
    QTimer::singleShot(0, &app, [&s] { runAndQuit(s); });
    return app.exec();
}
