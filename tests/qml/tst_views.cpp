// Qt Quick Test runner for the views in tests/qml/tst_*.qml, offscreen, against a real server.
#include "ViewHarness.h"

#include "stores/ChannelStore.h"

#include <QDesktopServices>
#include <QQmlContext>
#include <QSignalSpy>
#include <QtQml/qqmlextensionplugin.h>
#include <QtQuickTest>

Q_IMPORT_QML_PLUGIN(Rill_ClientPlugin)
Q_IMPORT_QML_PLUGIN(Rill_UiPlugin)
Q_IMPORT_QML_PLUGIN(Rill_ViewsPlugin)

namespace rill::test {

using namespace Qt::StringLiterals;

namespace {
const QStringList kLinkSchemes{u"http"_s, u"https"_s, u"mailto"_s, u"file"_s, u"ftp"_s, u"javascript"_s, u"data"_s, u"qrc"_s};

class RecordingAccessManager : public QNetworkAccessManager
{
public:
    RecordingAccessManager(RecordingNetwork *network, QObject *parent)
        : QNetworkAccessManager(parent)
        , m_network(network)
    {
    }

protected:
    QNetworkReply *createRequest(Operation op, const QNetworkRequest &request, QIODevice *data) override
    {
        m_network->record(request.url());
        return QNetworkAccessManager::createRequest(op, request, data);
    }

private:
    RecordingNetwork *m_network;
};
} // namespace

QNetworkAccessManager *RecordingNetwork::create(QObject *parent)
{
    return new RecordingAccessManager(this, parent);
}

void RecordingNetwork::record(const QUrl &url)
{
    const QMutexLocker lock(&m_mutex);
    m_requests << url.toString();
}

QStringList RecordingNetwork::requests() const
{
    const QMutexLocker lock(&m_mutex);
    return m_requests;
}

ViewHarness::ViewHarness(QObject *parent)
    : QObject(parent)
    , m_settings(std::make_unique<app::AppSettings>(m_profileDir.filePath(u"alice.ini"_s)))
{
    for (const QString &scheme : kLinkSchemes)
        QDesktopServices::setUrlHandler(scheme, this, "openUrl");
}

app::AppSettings *ViewHarness::reopenSettings()
{
    m_settings = std::make_unique<app::AppSettings>(m_profileDir.filePath(u"alice.ini"_s));
    // Returned from an invokable, a parentless object would become JavaScript's to delete.
    QQmlEngine::setObjectOwnership(m_settings.get(), QQmlEngine::CppOwnership);
    return m_settings.get();
}

ViewHarness::~ViewHarness()
{
    for (const QString &scheme : kLinkSchemes)
        QDesktopServices::unsetUrlHandler(scheme);
}

bool ViewHarness::start()
{
    m_server = std::make_unique<ServerFixture>();
    if (!m_server->start()) {
        qWarning() << "server:" << m_server->errorString();
        return false;
    }
    m_alice = std::make_unique<ClientUnderTest>();
    if (!m_alice->signUp(m_server->url(), u"alice"_s))
        return false;
    m_bob = std::make_unique<TestClient>();
    return m_bob->open(m_server->url()) && m_bob->signUp(u"bob"_s);
}

bool ViewHarness::postAsBob(const QString &channel, const QString &text, const QString &replyTo)
{
    m_bob->call(u"join"_s, {{u"channel"_s, channel}});
    QJsonObject params{{u"channel"_s, channel}, {u"text"_s, text}};
    if (!replyTo.isEmpty())
        params.insert(u"replyTo"_s, replyTo);
    const QJsonObject reply = m_bob->call(u"send"_s, params);
    m_posted.insert(channel + u'\n' + text, reply.value(u"message"_s).toObject().value(u"id"_s).toString());
    return reply.value(u"ok"_s).toBool();
}

bool ViewHarness::prepareLongChannel(const QString &channel, int count)
{
    m_bob->call(u"join"_s, {{u"channel"_s, channel}});
    QList<qint64> posted;
    for (int i = 1; i <= count; ++i)
        posted << m_bob->post(u"send"_s, {{u"channel"_s, channel}, {u"text"_s, u"line %1"_s.arg(i)}});
    for (qsizetype i = 0; i < posted.size(); ++i) {
        const QJsonObject reply = m_bob->replyTo(posted[i]);
        if (!reply.value(u"ok"_s).toBool())
            return false;
        m_posted.insert(channel + u"\nline %1"_s.arg(i + 1), reply.value(u"message"_s).toObject().value(u"id"_s).toString());
    }
    client::Workspace *w = workspace();
    w->join(channel);
    if (!waitUntil([w, channel] { return w->currentName() == channel && w->current()->isLoaded(); }, std::chrono::seconds(10)))
        return false;
    return true;
}

client::Workspace *ViewHarness::restartedWorkspace()
{
    m_aliceAgain = std::make_unique<ClientUnderTest>();
    if (!m_aliceAgain->signUp(m_server->url(), u"alice"_s))
        return nullptr;
    // Returned from an invokable, a parentless object would be QML's to collect; it is ours.
    QQmlEngine::setObjectOwnership(m_aliceAgain->workspace.get(), QQmlEngine::CppOwnership);
    return m_aliceAgain->workspace.get();
}

QString ViewHarness::directMessageFrom(const QString &user)
{
    auto other = std::make_unique<TestClient>();
    if (!other->open(m_server->url()) || !other->signUp(user))
        return {};
    const QJsonObject reply = other->call(u"dm"_s, {{u"user"_s, u"alice"_s}});
    m_others.push_back(std::move(other));
    const QString name = reply.value(u"channel"_s).toObject().value(u"name"_s).toString();
    client::Workspace *w = workspace();
    if (name.isEmpty() || !waitUntil([w, name] { return w->channel(name) != nullptr; }, std::chrono::seconds(10)))
        return {};
    return name;
}

QStringList ViewHarness::texts(const QString &channel) const
{
    return m_alice->texts(channel);
}

int ViewHarness::pendingCount(const QString &channel) const
{
    const auto *store = m_alice->channel(channel);
    return store ? int(store->pending().size()) : -1;
}

void ViewTestSetup::applicationAvailable()
{
    m_harness = std::make_unique<ViewHarness>();
    if (!m_harness->start())
        qFatal("the view tests need a running server");
}

void ViewTestSetup::qmlEngineAvailable(QQmlEngine *engine)
{
    engine->addImportPath(u"qrc:/qt/qml"_s);
    engine->setNetworkAccessManagerFactory(m_harness->network());
    engine->rootContext()->setContextProperty(u"harness"_s, m_harness.get());
}

void ViewTestSetup::cleanupTestCase()
{
    m_harness.reset();
}

} // namespace rill::test

QUICK_TEST_MAIN_WITH_SETUP(views, rill::test::ViewTestSetup)

