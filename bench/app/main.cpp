// rill-app-bench: the desktop app as a user meets it (issue 9), measured through its test hook
// (`rill --test-hook`, the `perf` commands of app/ui/PerfProbe), for one or more builds of the
// app side by side against one real server:
//   - cold start: launch to the first frame showing messages, and to "settled" (signed in, the
//     current channel's first page in, drawn);
//   - channel switch: from the switch to the first frame showing the channel's rows, between
//     channels whose views are kept and between more channels than are kept;
//   - scrolling: each step of the timeline to the frame that shows it;
//   - memory: RSS idle, and per message with a whole 100,000-message channel loaded.
//
//   bench/scripts/rill-servers.sh start /tmp/ab 1 build/bin/rill-server
//   URL=$(grep -o 'ws://[^ ]*' /tmp/ab/load-args)
//   build/bin/rill-app-bench --url $URL --app main=/tmp/appbase/build/bin/rill --app branch=build/bin/rill
#include "support/ProcessStats.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTimer>
#include <QWebSocket>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <optional>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

void say(const QString &line)
{
    std::fprintf(stderr, "%s\n", qPrintable(line));
}

// Runs the event loop until `done` or the timeout; true when `done`.
bool waitFor(const std::function<bool()> &done, std::chrono::milliseconds timeout)
{
    QElapsedTimer clock;
    clock.start();
    while (!done()) {
        if (clock.elapsed() > timeout.count())
            return false;
        QEventLoop loop;
        QTimer::singleShot(5, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return true;
}

// A protocol client (PROTOCOL.md) to fill the server and make the readers' accounts.
class Client
{
public:
    explicit Client(const QUrl &url)
    {
        QObject::connect(&m_socket, &QWebSocket::textMessageReceived, &m_socket, [this](const QString &text) {
            const QJsonObject frame = QJsonDocument::fromJson(text.toUtf8()).object();
            if (frame.value("re"_L1).isDouble())
                m_replies.insert(frame.value("re"_L1).toInteger(), frame);
        });
        m_socket.open(url);
        waitFor([this] { return m_socket.state() == QAbstractSocket::ConnectedState; }, 10s);
    }

    qint64 post(const QString &op, QJsonObject params = {})
    {
        const qint64 id = m_next++;
        params.insert("id"_L1, id);
        params.insert("op"_L1, op);
        m_socket.sendTextMessage(QString::fromUtf8(QJsonDocument(params).toJson(QJsonDocument::Compact)));
        return id;
    }

    QJsonObject reply(qint64 id)
    {
        waitFor([&] { return m_replies.contains(id); }, 60s);
        return m_replies.take(id);
    }

    QJsonObject call(const QString &op, QJsonObject params = {}) { return reply(post(op, std::move(params))); }

    [[nodiscard]] qsizetype outstanding(qint64 since) const { return m_next - since - m_replies.size(); }

    bool signUp(const QString &user, const QString &password)
    {
        if (call(u"register"_s, {{u"user"_s, user}, {u"password"_s, password}}).value("ok"_L1).toBool())
            return true;
        return call(u"login"_s, {{u"user"_s, user}, {u"password"_s, password}}).value("ok"_L1).toBool();
    }

private:
    QWebSocket m_socket;
    QHash<qint64, QJsonObject> m_replies;
    qint64 m_next = 1;
};

// What a team writes: mostly plain lines of varying length, some with Markdown.
QString chatLine(QRandomGenerator &random, int n)
{
    static const QStringList words{u"the"_s, u"build"_s, u"is"_s, u"green"_s, u"again"_s, u"after"_s, u"we"_s,
                                   u"moved"_s, u"cache"_s, u"into"_s, u"its"_s, u"own"_s, u"class"_s, u"review"_s,
                                   u"please"_s, u"tomorrow"_s, u"deploy"_s, u"server"_s, u"latency"_s, u"looks"_s,
                                   u"fine"_s, u"on"_s, u"staging"_s, u"ok"_s, u"thanks"_s, u"I"_s, u"think"_s};
    QString line;
    const int count = 3 + int(random.bounded(30));
    for (int i = 0; i < count; ++i) {
        if (i)
            line += u' ';
        line += words[random.bounded(int(words.size()))];
    }
    switch (random.bounded(10)) {
    case 0: return u"**"_s + line + u"** see https://example.com/issues/"_s + QString::number(n);
    case 1: return line + u" `make check` and _then_ ship"_s;
    case 2: return u"- "_s + line + u"\n- second point\n- third"_s;
    default: return line + u" ("_s + QString::number(n) + u')';
    }
}

bool fill(Client &writer, const QString &channel, int count)
{
    writer.call(u"join"_s, {{u"channel"_s, channel}});
    // Already filled by an earlier run: its last message says so.
    const QJsonObject newest = writer.call(u"history"_s, {{u"channel"_s, channel}, {u"limit"_s, 1}});
    const QJsonArray last = newest.value("messages"_L1).toArray();
    const QString done = u"filled with %1"_s.arg(count);
    if (!last.isEmpty() && last.first().toObject().value("text"_L1).toString() == done)
        return true;
    QRandomGenerator random(quint32(qHash(channel)));
    QList<qint64> window;
    for (int n = 1; n <= count; ++n) {
        window << writer.post(u"send"_s, {{u"channel"_s, channel}, {u"text"_s, chatLine(random, n)}});
        if (window.size() >= 256) {
            if (!writer.reply(window.takeFirst()).value("ok"_L1).toBool())
                return false;
        }
        if (n % 20000 == 0)
            say(u"  %1: %2 of %3"_s.arg(channel).arg(n).arg(count));
    }
    for (const qint64 id : std::as_const(window)) {
        if (!writer.reply(id).value("ok"_L1).toBool())
            return false;
    }
    return writer.call(u"send"_s, {{u"channel"_s, channel}, {u"text"_s, done}}).value("ok"_L1).toBool();
}

// One `rill --test-hook` process.
class App
{
public:
    App(QString name, QString executable, QString home, QUrl server, QProcessEnvironment environment)
        : m_name(std::move(name))
        , m_executable(std::move(executable))
        , m_home(std::move(home))
        , m_server(std::move(server))
        , m_environment(std::move(environment))
    {
        QObject::connect(&m_process, &QProcess::readyReadStandardOutput, &m_process, [this] {
            while (m_process.canReadLine()) {
                const QString line = QString::fromUtf8(m_process.readLine()).trimmed();
                m_lines.append({line, m_clock.nsecsElapsed()});
            }
        });
    }

    ~App()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    bool start()
    {
        m_lines.clear();
        QDir().mkpath(m_home); // also the runtime directory, which must be the user's alone
        QFile::setPermissions(m_home, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        QProcessEnvironment env = m_environment;
        env.insert(u"XDG_CONFIG_HOME"_s, m_home + u"/config"_s);
        env.insert(u"XDG_DATA_HOME"_s, m_home + u"/data"_s);
        env.insert(u"XDG_CACHE_HOME"_s, m_home + u"/cache"_s);
        env.insert(u"XDG_RUNTIME_DIR"_s, m_home);
        env.remove(u"DBUS_SESSION_BUS_ADDRESS"_s);
        m_process.setProcessEnvironment(env);
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_clock.start();
        m_process.start(m_executable, {u"--profile"_s, u"bench"_s, u"--server"_s, m_server.toString(), u"--test-hook"_s});
        return m_process.waitForStarted(10000) && line(u"ready"_s).has_value();
    }

    void command(const QString &line) { m_process.write(line.toUtf8() + '\n'); }

    // The first line starting with `prefix` (consuming the lines up to it), and when it came
    // (ns since start()).
    std::optional<std::pair<QString, qint64>> line(const QString &prefix, std::chrono::milliseconds timeout = 60s)
    {
        std::optional<std::pair<QString, qint64>> found;
        waitFor([&] {
            for (qsizetype i = 0; i < m_lines.size(); ++i) {
                if (m_lines[i].first.startsWith(prefix)) {
                    found = m_lines[i];
                    m_lines.remove(0, i + 1);
                    return true;
                }
                if (m_lines[i].first.startsWith("error"_L1))
                    say(m_name + u": "_s + m_lines[i].first);
            }
            return m_process.state() == QProcess::NotRunning;
        }, timeout);
        if (!found)
            say(u"%1 never printed \"%2\"; last lines: %3"_s.arg(m_name, prefix, lastLines()));
        return found;
    }

    // The words of the reply to a `perf` command.
    QStringList perf(const QString &request, const QString &reply, std::chrono::milliseconds timeout = 120s)
    {
        command(u"perf "_s + request);
        const auto found = line(u"perf "_s + reply, timeout);
        if (found && qEnvironmentVariableIsSet("RILL_APP_BENCH_VERBOSE"))
            say(m_name + u": "_s + found->first);
        return found ? found->first.split(u' ') : QStringList();
    }

    bool quit()
    {
        command(u"quit"_s);
        return m_process.waitForFinished(20000);
    }

    [[nodiscard]] qint64 pid() const { return m_process.processId(); }
    [[nodiscard]] const QString &name() const { return m_name; }

private:
    QString lastLines() const
    {
        QStringList out;
        for (qsizetype i = std::max<qsizetype>(0, m_lines.size() - 5); i < m_lines.size(); ++i)
            out << m_lines[i].first;
        return out.join(u" | "_s);
    }

    QString m_name;
    QString m_executable;
    QString m_home;
    QUrl m_server;
    QProcessEnvironment m_environment;
    QProcess m_process;
    QElapsedTimer m_clock;
    QList<std::pair<QString, qint64>> m_lines;
};

double percentile(QList<double> values, double p)
{
    if (values.isEmpty())
        return std::nan("");
    std::sort(values.begin(), values.end());
    const auto at = qsizetype(std::ceil(p * double(values.size()))) - 1;
    return values[std::clamp<qsizetype>(at, 0, values.size() - 1)];
}

struct Build {
    QString name;
    QString executable;
    QString home;
    QString user;
    QJsonObject results;
};

QString fmt(double value, int decimals = 1)
{
    return std::isnan(value) ? u"–"_s : QString::number(value, 'f', decimals);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication application(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"The desktop app's speed and memory, through its test hook, builds side by side."_s);
    parser.addHelpOption();
    const QCommandLineOption urlOption(u"url"_s, u"A running rill-server (rate limit off), e.g. ws://127.0.0.1:7117."_s, u"url"_s);
    const QCommandLineOption appOption(u"app"_s, u"name=path of a rill executable; repeat to compare builds."_s, u"name=path"_s);
    const QCommandLineOption messagesOption(u"messages"_s, u"Messages in the big channel (default 100000)."_s, u"n"_s, u"100000"_s);
    const QCommandLineOption roomsOption(u"rooms"_s, u"Other channels, more than the app keeps views of (default 9)."_s, u"n"_s, u"9"_s);
    const QCommandLineOption startsOption(u"starts"_s, u"Cold starts per build (default 5)."_s, u"n"_s, u"5"_s);
    const QCommandLineOption switchesOption(u"switches"_s, u"Switches per kind per build (default 40)."_s, u"n"_s, u"40"_s);
    const QCommandLineOption stepsOption(u"scroll-steps"_s, u"Scroll steps of 120 px (default 300)."_s, u"n"_s, u"300"_s);
    const QCommandLineOption platformOption(u"platform"_s, u"QT_QPA_PLATFORM for the apps (default: xcb if DISPLAY is set, else offscreen)."_s,
                                            u"name"_s);
    const QCommandLineOption jsonOption(u"json"_s, u"Write every figure to this file."_s, u"file"_s);
    parser.addOptions({urlOption, appOption, messagesOption, roomsOption, startsOption, switchesOption, stepsOption, platformOption, jsonOption});
    parser.process(application);
    const QUrl url(parser.value(urlOption));
    if (!url.isValid() || parser.values(appOption).isEmpty()) {
        say(u"rill-app-bench: --url and at least one --app name=path, please"_s);
        return 2;
    }
    const int messages = parser.value(messagesOption).toInt();
    const int rooms = parser.value(roomsOption).toInt();
    const int starts = parser.value(startsOption).toInt();
    const int switches = parser.value(switchesOption).toInt();
    const int steps = parser.value(stepsOption).toInt();

    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    QString platform = parser.value(platformOption);
    if (platform.isEmpty())
        platform = environment.contains(u"DISPLAY"_s) ? u"xcb"_s : u"offscreen"_s;
    environment.insert(u"QT_QPA_PLATFORM"_s, platform);

    QTemporaryDir homes;
    QList<Build> builds;
    for (const QString &spec : parser.values(appOption)) {
        const QString name = spec.section(u'=', 0, 0);
        Build build{name, spec.section(u'=', 1), homes.filePath(name), u"reader-"_s + name, {}};
        if (!QFile::exists(build.executable)) {
            say(u"no such executable: "_s + build.executable);
            return 2;
        }
        builds.append(build);
    }

    // --- the server's content ---
    const QString password = u"bench-password"_s;
    const QString big = u"big"_s;
    QStringList channels{big};
    for (int i = 1; i <= rooms; ++i)
        channels << u"room-%1"_s.arg(i);
    {
        say(u"filling %1 (%2 messages) and %3 rooms"_s.arg(big).arg(messages).arg(rooms));
        Client writer(url);
        if (!writer.signUp(u"bench-writer"_s, password)) {
            say(u"cannot sign up the writer"_s);
            return 1;
        }
        for (const QString &channel : std::as_const(channels)) {
            if (!fill(writer, channel, channel == big ? messages : 300)) {
                say(u"cannot fill "_s + channel);
                return 1;
            }
        }
        for (const Build &build : std::as_const(builds)) {
            Client reader(url);
            if (!reader.signUp(build.user, password))
                return 1;
            for (const QString &channel : std::as_const(channels))
                reader.call(u"join"_s, {{u"channel"_s, channel}});
        }
    }

    // --- each build signs in once through its connect screen: its profile keeps the token ---
    for (Build &build : builds) {
        QDir().mkpath(build.home);
        App first(build.name, build.executable, build.home, url, environment);
        if (!first.start())
            return 1;
        first.command(u"resize 1200 800"_s);
        first.command(u"set userField text "_s + build.user);
        first.command(u"set passwordField text "_s + password);
        first.command(u"click signInButton"_s);
        if (!first.line(u"signedin"_s) || !first.perf(u"switch "_s + big, u"switch"_s).size())
            return 1;
        first.command(u"settle"_s);
        first.line(u"settled"_s);
        first.quit();
    }

    const auto machine = rill::bench::machineInfo();
    say(u"machine: %1 CPUs, %2, kernel %3, load %4, platform %5"_s.arg(machine.cpus).arg(machine.cpuModel, machine.kernel)
            .arg(rill::bench::loadAverage()).arg(platform));

    // --- cold starts, alternating builds ---
    QHash<QString, QList<double>> shown;
    QHash<QString, QList<double>> shownCpu;
    QHash<QString, QList<double>> settled;
    for (int round = 0; round < starts; ++round) {
        for (const Build &build : std::as_const(builds)) {
            App app(build.name, build.executable, build.home, url, environment);
            if (!app.start())
                return 1;
            const auto first = app.line(u"perf shown"_s);
            if (const auto sample = rill::bench::sampleProcess(app.pid()))
                shownCpu[build.name] << sample->cpuSeconds * 1000;
            app.command(u"settle"_s);
            const auto done = app.line(u"settled"_s);
            if (first)
                shown[build.name] << double(first->second) / 1e6;
            if (done)
                settled[build.name] << double(done->second) / 1e6;
            app.quit();
        }
    }

    // --- one session per build: switches, scrolling, memory ---
    for (Build &build : builds) {
        say(u"session of "_s + build.name);
        App app(build.name, build.executable, build.home, url, environment);
        if (!app.start())
            return 1;
        app.command(u"resize 1200 800"_s);
        app.command(u"settle"_s);
        app.line(u"settled"_s);
        app.perf(u"trim"_s, u"trimmed"_s);
        const QStringList idle = app.perf(u"memory"_s, u"memory"_s);

        // Every channel once, loaded, so that switches measure the view and not the network.
        for (const QString &channel : std::as_const(channels)) {
            app.perf(u"switch "_s + channel, u"switch"_s);
            app.perf(u"load "_s + channel + u" 50"_s, u"loaded"_s);
        }
        QList<double> warm;
        QList<double> cold;
        QList<double> warmSync;
        QList<double> coldSync;
        QList<double> warmCpu;
        QList<double> coldCpu;
        QList<double> warmGuiCpu;
        QList<double> coldGuiCpu;
        const QStringList kept{channels[1], channels[2], channels[3]};
        for (int i = 0; i < switches; ++i) {
            const QStringList reply = app.perf(u"switch "_s + kept[i % kept.size()], u"switch"_s);
            // Builds from before the CPU fields (the first PerfProbe, cherry-picked onto an
            // old commit for a side-by-side run) answer the times only.
            if (reply.size() >= 6) {
                warm << reply[3].toDouble();
                warmSync << reply[5].toDouble();
            }
            if (reply.size() >= 8) {
                warmCpu << reply[6].toDouble();
                warmGuiCpu << reply[7].toDouble();
            }
        }
        for (int i = 0; i < switches; ++i) {
            // Round all channels: more than the six views a TimelineStack keeps, so each switch
            // makes a view (the first visit's cost).
            const QStringList reply = app.perf(u"switch "_s + channels[(i + 4) % channels.size()], u"switch"_s);
            // Builds from before the CPU fields (the first PerfProbe, cherry-picked onto an
            // old commit for a side-by-side run) answer the times only.
            if (reply.size() >= 6) {
                cold << reply[3].toDouble();
                coldSync << reply[5].toDouble();
            }
            if (reply.size() >= 8) {
                coldCpu << reply[6].toDouble();
                coldGuiCpu << reply[7].toDouble();
            }
        }

        app.perf(u"switch "_s + big, u"switch"_s);
        app.perf(u"load "_s + big + u" 3000"_s, u"loaded"_s, 600s);
        const QStringList scroll = app.perf(u"scroll %1 120"_s.arg(steps), u"scroll"_s, 600s);

        app.perf(u"switch "_s + channels[1], u"switch"_s);
        app.perf(u"switch "_s + big, u"switch"_s);
        app.perf(u"trim"_s, u"trimmed"_s);
        const QStringList before = app.perf(u"memory"_s, u"memory"_s);
        QElapsedTimer loading;
        loading.start();
        const QStringList loaded = app.perf(u"load "_s + big + u" 10000000"_s, u"loaded"_s, 1800s);
        const double loadSeconds = double(loading.elapsed()) / 1000;
        app.perf(u"trim"_s, u"trimmed"_s);
        const QStringList after = app.perf(u"memory"_s, u"memory"_s);
        app.quit();

        const auto number = [](const QStringList &words, int at) { return words.value(at).toDouble(); };
        const double heldMessages = number(after, 3) - number(before, 3);
        const double perMessage = (number(after, 2) - number(before, 2)) / heldMessages;
        const double textPerMessage = (number(after, 4) - number(before, 4)) / heldMessages;
        QJsonObject &r = build.results;
        r.insert(u"startShownMsMedian"_s, percentile(shown[build.name], 0.5));
        r.insert(u"startShownCpuMsMedian"_s, percentile(shownCpu[build.name], 0.5));
        r.insert(u"startSettledMsMedian"_s, percentile(settled[build.name], 0.5));
        r.insert(u"startShownMs"_s, QJsonArray::fromVariantList(QVariantList(shown[build.name].cbegin(), shown[build.name].cend())));
        r.insert(u"startSettledMs"_s, QJsonArray::fromVariantList(QVariantList(settled[build.name].cbegin(), settled[build.name].cend())));
        r.insert(u"switchKeptMedian"_s, percentile(warm, 0.5));
        r.insert(u"switchKeptP90"_s, percentile(warm, 0.9));
        r.insert(u"switchNewMedian"_s, percentile(cold, 0.5));
        r.insert(u"switchNewP90"_s, percentile(cold, 0.9));
        r.insert(u"switchKeptSyncMedian"_s, percentile(warmSync, 0.5));
        r.insert(u"switchNewSyncMedian"_s, percentile(coldSync, 0.5));
        r.insert(u"switchKeptCpuMedian"_s, percentile(warmCpu, 0.5));
        r.insert(u"switchNewCpuMedian"_s, percentile(coldCpu, 0.5));
        r.insert(u"switchKeptGuiCpuMedian"_s, percentile(warmGuiCpu, 0.5));
        r.insert(u"switchNewGuiCpuMedian"_s, percentile(coldGuiCpu, 0.5));
        r.insert(u"switchKeptMs"_s, QJsonArray::fromVariantList(QVariantList(warm.cbegin(), warm.cend())));
        r.insert(u"switchNewMs"_s, QJsonArray::fromVariantList(QVariantList(cold.cbegin(), cold.cend())));
        r.insert(u"switchAllMedian"_s, percentile(warm + cold, 0.5));
        r.insert(u"switchAllP90"_s, percentile(warm + cold, 0.9));
        r.insert(u"scrollSteps"_s, number(scroll, 2));
        r.insert(u"scrollP50"_s, number(scroll, 3));
        r.insert(u"scrollP90"_s, number(scroll, 4));
        r.insert(u"scrollP99"_s, number(scroll, 5));
        r.insert(u"scrollMax"_s, number(scroll, 6));
        r.insert(u"scrollCpuP50"_s, number(scroll, 7));
        r.insert(u"scrollCpuP99"_s, number(scroll, 8));
        r.insert(u"rssIdleMiB"_s, number(idle, 2) / 1048576);
        r.insert(u"rssLoadedMiB"_s, number(after, 2) / 1048576);
        r.insert(u"messagesLoaded"_s, number(loaded, 3));
        r.insert(u"loadAllSeconds"_s, loadSeconds);
        r.insert(u"bytesPerMessage"_s, perMessage);
        r.insert(u"textBytesPerMessage"_s, textPerMessage);
        r.insert(u"bytesBeyondText"_s, perMessage - textPerMessage);
        r.insert(u"loadAverageAfter"_s, rill::bench::loadAverage());
    }

    // --- the table ---
    struct Row {
        QString label;
        QString key;
        int decimals;
    };
    const QList<Row> rows{
        {u"cold start: launch → first frame with messages, median ms"_s, u"startShownMsMedian"_s, 0},
        {u"  CPU time until then, median ms"_s, u"startShownCpuMsMedian"_s, 0},
        {u"cold start: launch → settled (online, first page drawn), median ms"_s, u"startSettledMsMedian"_s, 0},
        {u"switch to a channel with a kept view, median ms"_s, u"switchKeptMedian"_s, 1},
        {u"switch to a channel with a kept view, p90 ms"_s, u"switchKeptP90"_s, 1},
        {u"switch to a channel with a new view, median ms"_s, u"switchNewMedian"_s, 1},
        {u"switch to a channel with a new view, p90 ms"_s, u"switchNewP90"_s, 1},
        {u"switch, kept view: until the GUI thread's part was done, median ms"_s, u"switchKeptSyncMedian"_s, 1},
        {u"switch, new view: until the GUI thread's part was done, median ms"_s, u"switchNewSyncMedian"_s, 1},
        {u"switch, kept view: CPU of the process, median ms"_s, u"switchKeptCpuMedian"_s, 1},
        {u"switch, new view: CPU of the process, median ms"_s, u"switchNewCpuMedian"_s, 1},
        {u"switch, kept view: CPU of the GUI thread, median ms"_s, u"switchKeptGuiCpuMedian"_s, 1},
        {u"switch, new view: CPU of the GUI thread, median ms"_s, u"switchNewGuiCpuMedian"_s, 1},
        {u"switch, all, median ms"_s, u"switchAllMedian"_s, 1},
        {u"switch, all, p90 ms"_s, u"switchAllP90"_s, 1},
        {u"scroll step → frame, p50 ms"_s, u"scrollP50"_s, 2},
        {u"scroll step → frame, p99 ms"_s, u"scrollP99"_s, 2},
        {u"scroll step → frame, max ms"_s, u"scrollMax"_s, 2},
        {u"scroll step: CPU of the process, p50 ms"_s, u"scrollCpuP50"_s, 2},
        {u"scroll step: CPU of the process, p99 ms"_s, u"scrollCpuP99"_s, 2},
        {u"RSS idle (first page), MiB"_s, u"rssIdleMiB"_s, 1},
        {u"RSS with the big channel loaded, MiB"_s, u"rssLoadedMiB"_s, 1},
        {u"messages held"_s, u"messagesLoaded"_s, 0},
        {u"loading all of it, s"_s, u"loadAllSeconds"_s, 1},
        {u"RSS per loaded message, bytes"_s, u"bytesPerMessage"_s, 0},
        {u"  of which its text (UTF-16), bytes"_s, u"textBytesPerMessage"_s, 0},
        {u"  beyond its text, bytes"_s, u"bytesBeyondText"_s, 0},
    };
    QString header = u"| |"_s;
    QString rule = u"|---|"_s;
    for (const Build &build : std::as_const(builds)) {
        header += u' ' + build.name + u" |"_s;
        rule += u"---|"_s;
    }
    std::printf("%s\n%s\n", qPrintable(header), qPrintable(rule));
    for (const Row &row : rows) {
        QString line = u"| "_s + row.label + u" |"_s;
        for (const Build &build : std::as_const(builds))
            line += u' ' + fmt(build.results.value(row.key).toDouble(std::nan("")), row.decimals) + u" |"_s;
        std::printf("%s\n", qPrintable(line));
    }

    if (parser.isSet(jsonOption)) {
        QJsonObject all{{u"machine"_s, machine.toJson()}, {u"platform"_s, platform}, {u"messages"_s, messages}};
        for (const Build &build : std::as_const(builds))
            all.insert(build.name, build.results);
        QFile out(parser.value(jsonOption));
        if (out.open(QIODevice::WriteOnly))
            out.write(QJsonDocument(all).toJson());
    }
    return 0;
}
