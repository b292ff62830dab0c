// End to end: two `rill` processes, two profiles, offscreen, one real server. Each app is
// driven through its test hook (real QML items, QTest input) and reports what it shows as
// lines on stdout; the test waits for those lines, never for time to pass.
#include "ServerFixture.h"
#include "TestClient.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <vector>

using namespace rill;
using namespace Qt::StringLiterals;

namespace {

// Every row belongs to `channel`, and there is at least one.
bool allIn(const QStringList &rows, const QString &channel)
{
    return !rows.isEmpty() && std::all_of(rows.cbegin(), rows.cend(), [&](const QString &row) { return row.startsWith(channel + u'/'); });
}

class App : public QObject
{
public:
    App(const QString &home, const QString &profile, const QUrl &server)
        : m_home(home)
        , m_profile(profile)
        , m_server(server)
    {
        connect(&m_process, &QProcess::readyReadStandardOutput, this, [this] {
            while (m_process.canReadLine())
                m_lines << QString::fromUtf8(m_process.readLine()).trimmed();
        });
    }

    ~App() override
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    // Started without --server, the app uses what its profile remembers.
    void forgetServerArgument() { m_server = QUrl(); }

    bool start()
    {
        m_lines.clear();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
        env.insert(u"XDG_CONFIG_HOME"_s, m_home + u"/config"_s);
        env.insert(u"XDG_DATA_HOME"_s, m_home + u"/data"_s);
        env.insert(u"XDG_RUNTIME_DIR"_s, m_home);
        env.remove(u"DBUS_SESSION_BUS_ADDRESS"_s);
        m_process.setProcessEnvironment(env);
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        QStringList arguments{u"--profile"_s, m_profile, u"--test-hook"_s};
        if (m_server.isValid())
            arguments << u"--server"_s << m_server.toString();
        m_process.start(QStringLiteral(RILL_APP_EXECUTABLE), arguments);
        return m_process.waitForStarted(10000) && waitLine(u"ready"_s);
    }

    void command(const QString &line) { m_process.write(line.toUtf8() + '\n'); }

    // Waits until a line equal to `line` has been printed (and consumes the lines up to it).
    bool waitLine(const QString &line, int timeoutMs = 15000)
    {
        const bool seen = QTest::qWaitFor([&] { return m_lines.contains(line) || m_process.state() == QProcess::NotRunning; }, timeoutMs);
        const qsizetype at = m_lines.indexOf(line);
        if (!seen || at < 0) {
            qWarning().noquote() << m_profile << "never printed" << line << "; it printed:" << m_lines;
            return false;
        }
        m_lines.remove(0, at + 1);
        return true;
    }

    // Until the current channel's first page is in and drawn.
    bool settle()
    {
        command(u"settle"_s);
        return waitLine(u"settled"_s);
    }

    [[nodiscard]] bool hasPrinted(const QString &line) const { return m_lines.contains(line); }

    // Waits for the next line that starts with `prefix` (or `otherPrefix`), consumes the lines
    // up to it and returns it ("" when none came).
    QString waitLineStartingWith(const QString &prefix, const QString &otherPrefix = {}, int timeoutMs = 15000)
    {
        const auto at = [&] {
            return std::find_if(m_lines.cbegin(), m_lines.cend(), [&](const QString &l) {
                return l.startsWith(prefix) || (!otherPrefix.isEmpty() && l.startsWith(otherPrefix));
            });
        };
        const bool seen = QTest::qWaitFor([&] { return at() != m_lines.cend() || m_process.state() == QProcess::NotRunning; }, timeoutMs);
        Q_UNUSED(seen); // the search below says what came
        const auto found = at();
        if (found == m_lines.cend()) {
            qWarning().noquote() << m_profile << "never printed a line starting with" << prefix << "; it printed:" << m_lines;
            return {};
        }
        const QString line = *found;
        m_lines.remove(0, found - m_lines.cbegin() + 1);
        return line;
    }

    // What the current timeline shows, top to bottom: "channel/id" per row.
    QStringList rows()
    {
        command(u"rows"_s);
        QStringList parts = waitLineStartingWith(u"rows "_s).split(u' ');
        return parts.mid(2);
    }

    // Asks for the rows until they satisfy `wanted` (the view lays out between frames).
    // Returns the last rows seen.
    template <typename Predicate>
    QStringList waitRows(Predicate wanted, int timeoutMs = 15000)
    {
        QDeadlineTimer deadline(timeoutMs);
        QStringList seen = rows();
        while (!wanted(seen) && !deadline.hasExpired()) {
            QTest::qWait(50);
            seen = rows();
        }
        return seen;
    }

    // Asks for the value of a property path of an object, e.g. "contentItem.truncated".
    QString value(const QString &object, const QString &property)
    {
        command(u"get "_s + object + u' ' + property);
        const QString prefix = u"value "_s + object + u' ' + property + u' ';
        return waitLineStartingWith(prefix).mid(prefix.size());
    }

    // The value of a property path now, or "" (with no wait) when the object is not there.
    QString valueNow(const QString &object, const QString &property)
    {
        command(u"get "_s + object + u' ' + property);
        const QString prefix = u"value "_s + object + u' ' + property + u' ';
        const QString error = u"error get "_s;
        const QString line = waitLineStartingWith(prefix, error);
        return line.startsWith(prefix) ? line.mid(prefix.size()) : QString();
    }

    // Until the property shows `expected` (the other window gets the change over the network).
    bool waitValue(const QString &object, const QString &property, const QString &expected, int timeoutMs = 15000)
    {
        QDeadlineTimer deadline(timeoutMs);
        QString seen = valueNow(object, property);
        while (seen != expected && !deadline.hasExpired()) {
            QTest::qWait(50);
            seen = valueNow(object, property);
        }
        if (seen != expected)
            qWarning().noquote() << m_profile << object << property << "is" << seen << "not" << expected;
        return seen == expected;
    }

    // Where an object is, in window coordinates, and whether it is visible.
    struct Rect {
        int x = 0, y = 0, width = 0, height = 0;
        bool visible = false;
    };
    Rect rect(const QString &object)
    {
        command(u"rect "_s + object);
        const QStringList parts = waitLineStartingWith(u"rect "_s + object + u' ').split(u' ');
        if (parts.size() < 7)
            return {};
        return {parts[2].toInt(), parts[3].toInt(), parts[4].toInt(), parts[5].toInt(), parts[6] == u"true"_s};
    }

    // Clicks a channel in the sidebar; true once it is the current one.
    bool open(const QString &channel)
    {
        command(u"click channel:"_s + channel);
        return waitLine(u"current "_s + channel);
    }

    bool quit()
    {
        command(u"quit"_s);
        return m_process.waitForFinished(15000) && m_process.exitStatus() == QProcess::NormalExit && m_process.exitCode() == 0;
    }

    void signUp(const QString &user)
    {
        command(u"set userField text "_s + user);
        command(u"set passwordField text password1"_s);
        command(u"click createAccountButton"_s);
    }

    // Signs up as `user` and waits until signed in.
    bool signUpAndWait(const QString &user)
    {
        signUp(user);
        return waitLine(u"signedin "_s + user);
    }

    void say(const QString &text)
    {
        command(u"type composerInput "_s + text);
        command(u"key composerInput Return"_s);
    }

private:
    QString m_home;
    QString m_profile;
    QUrl m_server;
    QProcess m_process;
    QStringList m_lines;
};

// What each test starts from: one server, one temporary home for the profiles, and the apps
// (windows) the test opens there, each signed up as its profile's user.
class Desk
{
public:
    [[nodiscard]] bool start()
    {
        if (!m_home.isValid())
            return false;
        if (!m_server.start()) {
            qWarning().noquote() << "cannot start the server:" << m_server.errorString();
            return false;
        }
        return true;
    }

    [[nodiscard]] test::ServerFixture &server() { return m_server; }
    [[nodiscard]] QString homeFile(const QString &path) const { return m_home.filePath(path); }

    // A window of `user` (in a profile of that name), started and signed up; nullptr when it
    // did not get that far. `settled`: and its first page is in and drawn.
    [[nodiscard]] App *signedIn(const QString &user, bool settled = false)
    {
        auto app = std::make_unique<App>(m_home.path(), user, m_server.url());
        if (!app->start() || !app->signUpAndWait(user) || (settled && !app->settle()))
            return nullptr;
        m_apps.push_back(std::move(app));
        return m_apps.back().get();
    }

    // The two-window tests: the server, then Alice's window and Bob's (each `settled` when
    // asked, before the other writes).
    [[nodiscard]] bool startWithAliceAndBob(bool settled = false)
    {
        if (!start())
            return false;
        alice = signedIn(u"alice"_s, settled);
        bob = signedIn(u"bob"_s, settled);
        return alice && bob;
    }
    App *alice = nullptr;
    App *bob = nullptr;

private:
    test::ServerFixture m_server;
    QTemporaryDir m_home;
    std::vector<std::unique_ptr<App>> m_apps; // declared after the server: closed before it stops
};

} // namespace

class TestEndToEnd : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void twoAppsExchangeMessages()
    {
        // A message that is already in the first page a window loads is shown, not announced:
        // each waits for its first page before the other writes.
        Desk desk;
        QVERIFY(desk.startWithAliceAndBob(true));
        App &alice = *desk.alice;
        App &bob = *desk.bob;
        alice.say(u"hello from alice"_s);
        QVERIFY(bob.waitLine(u"message general alice hello from alice"_s));
        QVERIFY(alice.waitLine(u"message general alice hello from alice"_s)); // confirmed on her side too

        // Shift+Enter keeps writing; Enter sends both lines as one message.
        bob.command(u"type composerInput hi alice"_s);
        bob.command(u"key composerInput Shift+Return"_s);
        bob.say(u"second line"_s);
        QVERIFY(alice.waitLine(u"message general bob hi alice\\nsecond line"_s));

        // The next start signs in by itself: the token was kept, the password was not needed.
        QVERIFY(alice.quit());
        QVERIFY(alice.start());
        QVERIFY(alice.waitLine(u"signedin alice"_s));
        QVERIFY(alice.settle());
        bob.say(u"welcome back"_s);
        QVERIFY(alice.waitLine(u"message general bob welcome back"_s));
        QVERIFY(!alice.hasPrinted(u"message general bob hi alice\\nsecond line"_s)); // not announced twice

        QVERIFY(alice.quit());
        QVERIFY(bob.quit());
    }

    // Issue 9: each timeline shows its own channel down to its newest message while messages
    // arrive in the channels one is not looking at and one switches between them. What the
    // views show is read from the screen (the test hook's rows), not from the stores.
    void switchingWhileMessagesArrive()
    {
        Desk desk;
        QVERIFY(desk.startWithAliceAndBob());
        App &alice = *desk.alice;
        App &bob = *desk.bob;
        for (App *app : {&bob, &alice}) {
            app->command(u"click browseButton"_s);
            app->command(u"type browserFilter dev"_s);
            app->command(u"key browserFilter Return"_s);
            QVERIFY(app->waitLine(u"current dev"_s));
        }

        // Bob's newest row once his last message is confirmed: what everyone's view of the
        // channel must end with.
        QString bobsNewest;
        const auto newestOf = [&](const QString &channel) {
            const QStringList rows = bob.waitRows([&](const QStringList &r) {
                return allIn(r, channel) && !r.constLast().endsWith(u"/pending"_s) && r.constLast() != bobsNewest;
            });
            if (!allIn(rows, channel))
                return false;
            bobsNewest = rows.constLast();
            return true;
        };

        // Alice looked at #dev (its view is kept) and went to #general; #dev got more than a
        // screenful meanwhile. Back in #dev she sees its newest message at the bottom.
        QVERIFY(alice.open(u"general"_s));
        for (int i = 1; i <= 14; ++i)
            bob.say(u"dev %1"_s.arg(i));
        QVERIFY(alice.waitLine(u"message dev bob dev 14"_s));
        QVERIFY(newestOf(u"dev"_s));
        const QString newestDev = bobsNewest;
        QVERIFY(alice.open(u"dev"_s));
        QStringList shown = alice.waitRows([&](const QStringList &r) { return allIn(r, u"dev"_s) && r.constLast() == newestDev; });
        QVERIFY2(allIn(shown, u"dev"_s), qPrintable(shown.join(u' ')));
        QCOMPARE(shown.constLast(), newestDev);

        // Messages arrive in #general while Alice switches to it and back.
        QVERIFY(bob.open(u"general"_s));
        for (int round = 1; round <= 3; ++round) {
            bob.say(u"general %1"_s.arg(round));
            QVERIFY(alice.open(u"general"_s));
            QVERIFY(newestOf(u"general"_s));
            shown = alice.waitRows([&](const QStringList &r) { return allIn(r, u"general"_s) && r.constLast() == bobsNewest; });
            QVERIFY2(allIn(shown, u"general"_s), qPrintable(shown.join(u' ')));
            QCOMPARE(shown.constLast(), bobsNewest);

            QVERIFY(alice.open(u"dev"_s));
            shown = alice.waitRows([&](const QStringList &r) { return allIn(r, u"dev"_s) && r.constLast() == newestDev; });
            QVERIFY2(allIn(shown, u"dev"_s), qPrintable(shown.join(u' ')));
            QCOMPARE(shown.constLast(), newestDev);
        }
        QVERIFY(alice.quit());
        QVERIFY(bob.quit());
    }

    // Issue 9: at the window's smallest width (640 px) nothing is cut off. The member list
    // is not squeezed beside the conversation: the header's members button opens it over
    // the conversation, whole and inside the window; in a wide window it sits beside it
    // and the same button hides it.
    void narrowWindowKeepsMembersReachable()
    {
        Desk desk;
        QVERIFY(desk.start());
        App *erin = desk.signedIn(u"erin"_s, true);
        QVERIFY(erin);

        const auto inside = [](const App::Rect &r, int width) { return r.visible && r.x >= 0 && r.x + r.width <= width && r.width > 100; };
        erin->command(u"resize 1200 700"_s);
        QVERIFY(erin->settle());
        QVERIFY(inside(erin->rect(u"memberList"_s), 1200));
        erin->command(u"click membersButton"_s);
        QVERIFY(test::waitUntil([&] { return !erin->rect(u"memberList"_s).visible; }, std::chrono::seconds(10)));
        erin->command(u"click membersButton"_s);
        QVERIFY(test::waitUntil([&] { return inside(erin->rect(u"memberList"_s), 1200); }, std::chrono::seconds(10)));

        erin->command(u"resize 640 480"_s);
        QVERIFY(erin->settle());
        QVERIFY(!erin->rect(u"memberList"_s).visible);
        const App::Rect timeline = erin->rect(u"timelineStack"_s);
        QVERIFY2(inside(timeline, 640) && timeline.width >= 320, "the conversation is squeezed or cut off");
        QVERIFY(inside(erin->rect(u"composerInput"_s), 640));
        const App::Rect button = erin->rect(u"membersButton"_s);
        QVERIFY2(button.visible && button.x >= 0 && button.x + button.width <= 640,
                 qPrintable(u"%1 %2"_s.arg(button.x).arg(button.width)));
        erin->command(u"click membersButton"_s);
        QVERIFY2(test::waitUntil([&] { return inside(erin->rect(u"drawerMemberList"_s), 640); }, std::chrono::seconds(10)),
                 "the member list did not open inside the window");
        QVERIFY(erin->quit());
    }

    // Issue 13: what one window does to a message, the other shows: an edit (Up in the empty
    // composer), a reaction (from the message's menu) and a reply in its thread, each read
    // from the other window's row of that message.
    void editsReactionsAndRepliesReachTheOtherWindow()
    {
        Desk desk;
        QVERIFY(desk.startWithAliceAndBob(true));
        App &alice = *desk.alice;
        App &bob = *desk.bob;

        alice.say(u"first draft"_s);
        QVERIFY(bob.waitLine(u"message general alice first draft"_s));
        const QStringList rows = alice.waitRows(
            [](const QStringList &r) { return !r.isEmpty() && !r.last().endsWith(u"/pending"_s); });
        QVERIFY(!rows.isEmpty());
        const QString row = u"message:"_s + rows.last().section(u'/', 1);
        QVERIFY(bob.waitValue(row, u"text"_s, u"first draft"_s));

        alice.command(u"key composerInput Up"_s);
        QVERIFY(alice.waitValue(u"composerInput"_s, u"text"_s, u"first draft"_s));
        alice.command(u"set composerInput text final text"_s);
        alice.command(u"key composerInput Return"_s);
        QVERIFY(bob.waitValue(row, u"text"_s, u"final text"_s));
        QVERIFY(bob.waitValue(row, u"isEdited"_s, u"true"_s));

        alice.command(u"rclick "_s + row + u"/messageText"_s);
        QVERIFY(alice.waitValue(u"quickReaction:👍"_s, u"visible"_s, u"true"_s));
        alice.command(u"click quickReaction:👍"_s);
        QVERIFY(bob.waitValue(row + u"/reaction:👍"_s, u"text"_s, u"👍 1"_s));

        alice.command(u"rclick "_s + row + u"/messageText"_s);
        QVERIFY(alice.waitValue(u"replyInThreadItem"_s, u"visible"_s, u"true"_s));
        alice.command(u"click replyInThreadItem"_s);
        QVERIFY(alice.waitValue(u"threadPanel"_s, u"visible"_s, u"true"_s));
        alice.command(u"type threadComposer/composerInput a reply in the thread"_s);
        alice.command(u"key threadComposer/composerInput Return"_s);
        QVERIFY(bob.waitValue(row + u"/replyCount"_s, u"text"_s, u"1 reply"_s));

        QVERIFY(alice.quit());
        QVERIFY(bob.quit());
    }

    // The channel browser, Ctrl+K and Alt+Up/Down, through real key presses.
    void keyboardAndBrowser()
    {
        Desk desk;
        QVERIFY(desk.start());
        App *dan = desk.signedIn(u"dan"_s); // (in general: "current general" came just before)
        QVERIFY(dan);

        dan->command(u"click browseButton"_s);
        dan->command(u"type browserFilter dev"_s);
        dan->command(u"key browserFilter Return"_s); // no such channel yet: creates it
        QVERIFY(dan->waitLine(u"current dev"_s));

        dan->command(u"key composerInput Alt+Down"_s);
        QVERIFY(dan->waitLine(u"current general"_s));
        dan->command(u"key composerInput Alt+Down"_s); // wraps around
        QVERIFY(dan->waitLine(u"current dev"_s));

        dan->command(u"key composerInput Ctrl+K"_s);
        dan->command(u"type switcherInput gen"_s);
        dan->command(u"key switcherInput Return"_s);
        QVERIFY(dan->waitLine(u"current general"_s));
        QVERIFY(dan->quit());
    }

    void signOutForgetsTheToken()
    {
        Desk desk;
        QVERIFY(desk.start());
        App *carol = desk.signedIn(u"carol"_s);
        QVERIFY(carol);
        carol->command(u"click menuButton"_s);
        QVERIFY(carol->waitLine(u"ok click"_s));
        // What she read is in the local cache (written a moment after it changes)…
        const QString cache = desk.homeFile(u"data/rill/profiles/carol/cache.sqlite"_s);
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(cache), 15000);
        carol->command(u"click signOutItem"_s);
        QVERIFY(carol->waitLine(u"status SignedOut"_s));
        QVERIFY(!QFile::exists(cache)); // …and signing out leaves none of it behind
        QVERIFY(carol->quit());
        // Started again it shows the connect screen and stays there.
        QVERIFY(carol->start());
        carol->command(u"get signInButton visible"_s);
        QVERIFY(carol->waitLine(u"value signInButton visible true"_s));
        QVERIFY(!carol->hasPrinted(u"status Connecting"_s));
        QVERIFY(carol->quit());
    }

    // Issue 9: started while the server is down, the app shows what it kept, says it is not
    // up to date, and its composer says it is offline; when the server is back it catches up
    // with what was said meanwhile.
    void opensOnCachedContentWhileOffline()
    {
        Desk desk;
        QVERIFY(desk.start());
        test::ServerFixture &server = desk.server();
        App *erin = desk.signedIn(u"erin"_s);
        QVERIFY(erin);
        erin->say(u"written before the outage"_s);
        QVERIFY(erin->waitLine(u"message general erin written before the outage"_s));
        const int rows = erin->value(u"messageList"_s, u"count"_s).toInt();
        QVERIFY(rows >= 2); // her join and her line
        QVERIFY(erin->quit());

        server.stop();
        QVERIFY(erin->start());
        QCOMPARE(erin->value(u"messageList"_s, u"count"_s).toInt(), rows);
        erin->command(u"get staleNotice visible"_s);
        QVERIFY(erin->waitLine(u"value staleNotice visible true"_s));
        erin->command(u"get composerInput readOnly"_s);
        QVERIFY(erin->waitLine(u"value composerInput readOnly true"_s));

        test::TestClient frank;
        QVERIFY(server.start());
        QVERIFY(frank.open(server.url()) && frank.signUp(u"frank"_s));
        frank.call(u"send"_s, {{u"channel"_s, u"general"_s}, {u"text"_s, u"said while erin was away"_s}});
        QVERIFY(erin->waitLine(u"signedin erin"_s, 30000));
        QVERIFY(erin->waitLine(u"message general frank said while erin was away"_s)); // resumed from the cache
        // Frank's join and line: one may come live and the other with the resumed page.
        erin->command(u"wait messageList count "_s + QString::number(rows + 2));
        QVERIFY(erin->waitLine(u"ok wait"_s, 20000));
        erin->command(u"get composerInput readOnly"_s);
        QVERIFY(erin->waitLine(u"value composerInput readOnly false"_s));
        QVERIFY(erin->quit());
    }
};

QTEST_GUILESS_MAIN(TestEndToEnd)
#include "tst_e2e.moc"
