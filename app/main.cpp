// rill: the desktop app.
#include "ui/AppSettings.h"
#include "ui/Icons.h"
#include "ui/Profile.h"
#include "ui/RillApp.h"
#ifdef RILL_HAS_TEST_HOOK
#include "ui/TestHook.h"
#endif

#include <QApplication>
#include <QCommandLineParser>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QtQml/qqmlextensionplugin.h>

Q_IMPORT_QML_PLUGIN(Rill_ClientPlugin)
Q_IMPORT_QML_PLUGIN(Rill_UiPlugin)
Q_IMPORT_QML_PLUGIN(Rill_ViewsPlugin)

using namespace Qt::StringLiterals;

int main(int argc, char *argv[])
{
    QApplication::setApplicationName(u"rill"_s);
    QApplication::setApplicationDisplayName(u"Rill"_s);
    QApplication::setApplicationVersion(QStringLiteral(RILL_VERSION));
    QApplication::setDesktopFileName(u"rill"_s);
    QApplication app(argc, argv); // QApplication, not QGuiApplication: the tray icon is a widget

    QCommandLineParser parser;
    parser.setApplicationDescription(u"Rill team chat"_s);
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption serverOption(u"server"_s, u"Server to connect to, e.g. ws://host:7117 (remembered)."_s, u"url"_s);
    const QCommandLineOption profileOption(u"profile"_s, u"Use a separate profile: its own settings, sign-in and bundled server."_s,
                                           u"name"_s, u"default"_s);
    const QCommandLineOption themeOption(u"theme"_s, u"light, dark or system (remembered)."_s, u"theme"_s);
    parser.addOptions({serverOption, profileOption, themeOption});
#ifdef RILL_HAS_TEST_HOOK
    const QCommandLineOption hookOption(u"test-hook"_s, u"Drive the app through stdin/stdout (tests, screenshots)."_s);
    parser.addOption(hookOption);
#endif
    parser.process(app);

    const QString profileName = parser.value(profileOption);
    if (!rill::app::Profile::isValidName(profileName)) {
        qCritical("rill: a profile name is 1-64 of A-Z a-z 0-9 _ . -");
        return 2;
    }
    QUrl server;
    if (parser.isSet(serverOption)) {
        server = rill::app::AppSettings::serverUrl(parser.value(serverOption));
        if (!server.isValid()) {
            qCritical("rill: --server wants ws://host:port");
            return 2;
        }
    }

    QQuickStyle::setStyle(u"Fusion"_s);
    app.setWindowIcon(rill::app::appIcon());

    rill::app::RillApp rill{rill::app::Profile(profileName)};
    if (parser.isSet(themeOption))
        rill.settings()->setTheme(parser.value(themeOption));

    QQmlApplicationEngine engine;
    engine.addImportPath(u"qrc:/qt/qml"_s);
    engine.setInitialProperties({{u"app"_s, QVariant::fromValue(&rill)}});
    engine.load(QUrl(u"qrc:/qt/qml/Rill/Views/Main.qml"_s));
    auto *window = engine.rootObjects().isEmpty() ? nullptr : qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
    if (!window)
        return 1;
    rill.setWindow(window);
    rill.enableTray();

#ifdef RILL_HAS_TEST_HOOK
    std::unique_ptr<rill::app::TestHook> hook;
    if (parser.isSet(hookOption))
        hook = std::make_unique<rill::app::TestHook>(&engine, &rill);
#endif
    rill.start(server);
    return app.exec();
}
