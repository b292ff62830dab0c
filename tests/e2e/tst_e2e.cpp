// End to end: two `rill` processes, two profiles, offscreen, one real server. Each app is
// driven through its test hook (real QML items, QTest input) and reports what it shows as
// lines on stdout; the test waits for those lines, never for time to pass.
#include "ServerFixture.h"

#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace rill;
using namespace Qt::StringLiterals;

namespace {

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
        m_process.start(QStringLiteral(RILL_APP_EXECUTABLE),
                        {u"--profile"_s, m_profile, u"--server"_s, m_server.toString(), u"--test-hook"_s});
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

} // namespace

class TestEndToEnd : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void twoAppsExchangeMessages()
    {
        test::ServerFixture server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        QTemporaryDir home;
        QVERIFY(home.isValid());

        App alice(home.path(), u"alice"_s, server.url());
        App bob(home.path(), u"bob"_s, server.url());
        QVERIFY(alice.start());
        QVERIFY(bob.start());

        alice.signUp(u"alice"_s);
        QVERIFY(alice.waitLine(u"signedin alice"_s));
        bob.signUp(u"bob"_s);
        QVERIFY(bob.waitLine(u"signedin bob"_s));

        // A message that is already in the first page a window loads is shown, not announced:
        // each waits for its first page before the other writes.
        QVERIFY(alice.settle());
        QVERIFY(bob.settle());
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

    // The channel browser, Ctrl+K and Alt+Up/Down, through real key presses.
    void keyboardAndBrowser()
    {
        test::ServerFixture server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        QTemporaryDir home;
        App dan(home.path(), u"dan"_s, server.url());
        QVERIFY(dan.start());
        dan.signUp(u"dan"_s);
        QVERIFY(dan.waitLine(u"signedin dan"_s)); // (in general: "current general" came just before)

        dan.command(u"click browseButton"_s);
        dan.command(u"type browserFilter dev"_s);
        dan.command(u"key browserFilter Return"_s); // no such channel yet: creates it
        QVERIFY(dan.waitLine(u"current dev"_s));

        dan.command(u"key composerInput Alt+Down"_s);
        QVERIFY(dan.waitLine(u"current general"_s));
        dan.command(u"key composerInput Alt+Down"_s); // wraps around
        QVERIFY(dan.waitLine(u"current dev"_s));

        dan.command(u"key composerInput Ctrl+K"_s);
        dan.command(u"type switcherInput gen"_s);
        dan.command(u"key switcherInput Return"_s);
        QVERIFY(dan.waitLine(u"current general"_s));
        QVERIFY(dan.quit());
    }

    void signOutForgetsTheToken()
    {
        test::ServerFixture server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        QTemporaryDir home;
        App carol(home.path(), u"carol"_s, server.url());
        QVERIFY(carol.start());
        carol.signUp(u"carol"_s);
        QVERIFY(carol.waitLine(u"signedin carol"_s));
        carol.command(u"click menuButton"_s);
        QVERIFY(carol.waitLine(u"ok click"_s));
        carol.command(u"click signOutItem"_s);
        QVERIFY(carol.waitLine(u"status SignedOut"_s));
        QVERIFY(carol.quit());
        // Started again it shows the connect screen and stays there.
        QVERIFY(carol.start());
        carol.command(u"get signInButton visible"_s);
        QVERIFY(carol.waitLine(u"value signInButton visible true"_s));
        QVERIFY(!carol.hasPrinted(u"status Connecting"_s));
        QVERIFY(carol.quit());
    }
};

QTEST_GUILESS_MAIN(TestEndToEnd)
#include "tst_e2e.moc"
