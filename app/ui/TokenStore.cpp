#include "TokenStore.h"

#include <QCoro/QCoroSignal>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QPointer>
#include <QSaveFile>
#include <qt6keychain/keychain.h>

Q_LOGGING_CATEGORY(lcTokens, "rill.app.tokens", QtInfoMsg)

namespace rill::app {

using namespace Qt::StringLiterals;

namespace {
const QString kService = u"Rill"_s;
const QString kRevocations = u"revocations"_s;
const QString kLegacyTokenFile = u"token"_s; // one token per profile, before tokens were per server

// A keychain that is not there (no Secret Service on this desktop, no D-Bus): use the file.
bool keychainMissing(QKeychain::Error error)
{
    return error == QKeychain::NoBackendAvailable || error == QKeychain::NotImplemented
        || error == QKeychain::OtherError;
}

struct JobDeleter {
    void operator()(QKeychain::Job *job) const { job->deleteLater(); }
};
template<typename J>
using JobPtr = std::unique_ptr<J, JobDeleter>;

template<typename J>
JobPtr<J> newJob(const QString &key)
{
    JobPtr<J> job(new J(kService));
    job->setAutoDelete(false);
    job->setKey(key);
    return job;
}
} // namespace

TokenStore::TokenStore(Profile profile, QObject *parent)
    : QObject(parent)
    , m_profile(std::move(profile))
{
    if (qEnvironmentVariable("RILL_KEYCHAIN") == "off"_L1)
        m_keychainWorks = false;
}

QString TokenStore::filePath(const QString &key) const
{
    // A server key has a ':' (and an IPv6 host several), which not every file system allows.
    QString name = key;
    name.replace(u':', u'_');
    return QDir(m_profile.dataDir()).filePath(u"credentials/"_s + name);
}

QString TokenStore::readFile(const QString &key) const
{
    QFile file(filePath(key));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}

bool TokenStore::writeFile(const QString &key, const QString &value) const
{
    const QString path = filePath(key);
    if (value.isEmpty())
        return QFile::remove(path) || !QFile::exists(path);
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        return false;
    QFile::setPermissions(QFileInfo(path).absolutePath(),
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    // A token is a password for 30 days: nobody else on the machine may read it.
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(value.toUtf8());
    return file.commit();
}

QCoro::Task<std::optional<QString>> TokenStore::read(QString key)
{
    const QPointer<TokenStore> self(this);
    if (m_keychainWorks) {
        const auto job = newJob<QKeychain::ReadPasswordJob>(m_profile.name() + u'/' + key);
        auto finished = qCoro(job.get(), &QKeychain::Job::finished);
        job->start();
        co_await finished;
        if (!self)
            co_return std::nullopt;
        if (job->error() == QKeychain::NoError)
            co_return job->textData();
        if (keychainMissing(job->error())) {
            qCInfo(lcTokens).noquote() << u"no system keychain (%1): tokens go to a private file"_s.arg(job->errorString());
            m_keychainWorks = false;
        }
    }
    const QString stored = readFile(key);
    if (stored.isEmpty())
        co_return std::nullopt;
    co_return stored;
}

QCoro::Task<bool> TokenStore::write(QString key, QString value)
{
    const QPointer<TokenStore> self(this);
    if (m_keychainWorks) {
        JobPtr<QKeychain::Job> job;
        if (value.isEmpty()) {
            job = newJob<QKeychain::DeletePasswordJob>(m_profile.name() + u'/' + key);
        } else {
            auto writing = newJob<QKeychain::WritePasswordJob>(m_profile.name() + u'/' + key);
            writing->setTextData(value);
            job.reset(writing.release());
        }
        auto finished = qCoro(job.get(), &QKeychain::Job::finished);
        job->start();
        co_await finished;
        if (!self)
            co_return false;
        const QKeychain::Error error = job->error();
        if (error == QKeychain::NoError || (value.isEmpty() && error == QKeychain::EntryNotFound))
            co_return writeFile(key, {}); // no copy left in a file
        if (!keychainMissing(error)) {
            qCWarning(lcTokens).noquote() << "the keychain refused:" << job->errorString();
            co_return false;
        }
        qCInfo(lcTokens).noquote() << u"no system keychain (%1): tokens go to a private file"_s.arg(job->errorString());
        m_keychainWorks = false;
    }
    co_return writeFile(key, value);
}

QCoro::Task<QString> TokenStore::token(QUrl server)
{
    const QPointer<TokenStore> self(this);
    const QString key = client::ClientConnection::serverKey(server);
    const auto stored = co_await read(key);
    if (!self)
        co_return QString();
    if (stored)
        co_return *stored;
    // The profile's one token from before: it belongs to the server the profile used, which is
    // the one asked for first (at start).
    const QString legacyPath = QDir(m_profile.dataDir()).filePath(kLegacyTokenFile);
    QFile legacy(legacyPath);
    if (!legacy.open(QIODevice::ReadOnly))
        co_return QString();
    const QString token = QString::fromUtf8(legacy.readAll()).trimmed();
    legacy.close();
    const bool moved = co_await write(key, token);
    if (self && moved)
        QFile::remove(legacyPath);
    co_return token;
}

QCoro::Task<bool> TokenStore::setToken(QUrl server, QString token)
{
    co_return co_await write(client::ClientConnection::serverKey(server), token);
}

QCoro::Task<QList<TokenStore::Revocation>> TokenStore::revocations()
{
    const auto stored = co_await read(kRevocations);
    QList<Revocation> list;
    if (!stored)
        co_return list;
    const QJsonArray entries = QJsonDocument::fromJson(stored->toUtf8()).array();
    for (const QJsonValue &v : entries) {
        const QJsonObject o = v.toObject();
        const QUrl server(o.value("server"_L1).toString());
        const QString token = o.value("token"_L1).toString();
        if (server.isValid() && !token.isEmpty())
            list.append({server, token});
    }
    co_return list;
}

QCoro::Task<bool> TokenStore::setRevocations(QList<Revocation> revocations)
{
    QJsonArray entries;
    for (const Revocation &r : std::as_const(revocations))
        entries.append(QJsonObject{{"server"_L1, r.server.toString()}, {"token"_L1, r.token}});
    const QString text = entries.isEmpty() ? QString() : QString::fromUtf8(QJsonDocument(entries).toJson(QJsonDocument::Compact));
    co_return co_await write(kRevocations, text);
}

} // namespace rill::app
