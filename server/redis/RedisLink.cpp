#include "RedisLink.h"

#include "SentinelResolver.h"

#include <QFile>
#include <QHostAddress>
#include <QHostInfo>
#include <QRandomGenerator>
#include <QSocketNotifier>
#include <QVarLengthArray>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>

#include <sys/ioctl.h>

Q_LOGGING_CATEGORY(lcRedis, "rill.redis", QtInfoMsg)

namespace rill::redis {

using namespace Qt::StringLiterals;

RedisLink::RedisLink(RedisOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_target(m_options.endpoint)
{
    if (m_options.endpoint.isSentinel()) {
        // Half the connect timeout to find the master, half to reach it.
        if (!m_options.sentinel)
            m_options.sentinel = std::make_shared<SentinelResolver>(
                m_options.endpoint, std::max(m_options.connectTimeout / 2, std::chrono::milliseconds(200)));
        connect(m_options.sentinel.get(), &SentinelResolver::masterSwitched, this,
                [this](const SentinelResolver::Address &to) { followSwitch(to.host, to.port); });
    }
    m_connectTimer.setSingleShot(true);
    m_reconnectTimer.setSingleShot(true);
    connect(&m_connectTimer, &QTimer::timeout, this, [this] {
        if (m_state != State::Connecting)
            return;
        if (m_ctx) {
            abortLink("connect timed out");
        } else {
            ++m_lookupGeneration; // the pending host lookup is stale now
            m_lastError = m_options.sentinel ? u"timed out asking Sentinel for master "_s + m_options.endpoint.masterName
                                             : u"timed out resolving "_s + m_target.host;
            scheduleReconnect();
        }
    });
    connect(&m_reconnectTimer, &QTimer::timeout, this, &RedisLink::startAttempt);
}

RedisLink::~RedisLink()
{
    Q_ASSERT_X(!m_ctx, "RedisLink", "derived classes must close() in their destructor");
}

void RedisLink::open()
{
    if (m_state != State::Idle && m_state != State::Closed)
        return;
    m_attempt = 0;
    startAttempt();
}

void RedisLink::close()
{
    m_state = State::Closed;
    m_connectTimer.stop();
    m_reconnectTimer.stop();
    ++m_lookupGeneration;
    if (m_ctx) {
        m_abortReason = "link closed";
        redisAsyncFree(m_ctx);
    }
    deliverCompleted();
}

void RedisLink::startAttempt()
{
    ++m_connectAttempts;
    m_state = State::Connecting;
    m_connectTimer.start(m_options.connectTimeout);
    if (m_options.sentinel) {
        resolveMaster(++m_lookupGeneration);
        return;
    }
    connectTo(m_options.endpoint);
}

// Every attempt asks Sentinel anew (after a drop, a failover or a READONLY reply, the master
// may be elsewhere); the ROLE check in the handshake catches an answer that is already stale.
QCoro::Task<> RedisLink::resolveMaster(quint64 generation)
{
    const QPointer<RedisLink> self(this);
    // Held by this frame, so the resolver outlives the question even if this link does not.
    const std::shared_ptr<SentinelResolver> sentinel = m_options.sentinel;
    const auto master = co_await sentinel->masterAddress();
    if (!self || generation != m_lookupGeneration || m_state != State::Connecting)
        co_return;
    if (!master) {
        m_lastError = sentinel->lastError();
        scheduleReconnect();
        co_return;
    }
    RedisEndpoint target = m_options.endpoint;
    target.transport = RedisEndpoint::Transport::Tcp;
    target.host = master->host;
    target.port = master->port;
    connectTo(target);
}

void RedisLink::followSwitch(const QString &host, quint16 port)
{
    if (m_state == State::WaitingToReconnect) {
        // Down because the master died: the new one is known now, no need to wait out the backoff.
        m_reconnectTimer.stop();
        m_attempt = 0;
        startAttempt();
    } else if (m_ctx && (m_target.host != host || m_target.port != port)) {
        qCInfo(lcRedis).noquote() << "Sentinel: master" << m_options.endpoint.masterName << "moved to"
                                  << host + u':' + QString::number(port) << "; reconnecting";
        abortLink("failover: the master is now at " + host.toUtf8() + ':' + QByteArray::number(port));
    }
}

void RedisLink::connectTo(const RedisEndpoint &target)
{
    m_target = target;
    const RedisEndpoint &ep = m_target;
    if (ep.transport == RedisEndpoint::Transport::Unix || !QHostAddress(ep.host).isNull()) {
        createContext(ep.host);
        return;
    }
    // hiredis would resolve the name with a blocking getaddrinfo(); Qt resolves it off the loop.
    const quint64 generation = ++m_lookupGeneration;
    QHostInfo::lookupHost(ep.host, this, [this, generation](const QHostInfo &info) {
        if (generation != m_lookupGeneration || m_state != State::Connecting)
            return;
        if (info.error() != QHostInfo::NoError || info.addresses().isEmpty()) {
            m_lastError = u"cannot resolve "_s + m_target.host + u": "_s + info.errorString();
            scheduleReconnect();
            return;
        }
        createContext(info.addresses().constFirst().toString());
    });
}

void RedisLink::createContext(const QString &address)
{
    const RedisEndpoint &ep = m_target;
    redisAsyncContext *ac = ep.transport == RedisEndpoint::Transport::Unix
        ? redisAsyncConnectUnix(QFile::encodeName(ep.socketPath).constData())
        : redisAsyncConnect(address.toLatin1().constData(), ep.port);
    if (!ac || ac->err) {
        m_lastError = ac ? QString::fromUtf8(ac->errstr) : u"out of memory"_s;
        if (ac)
            redisAsyncFree(ac);
        scheduleReconnect();
        return;
    }
    if (ep.transport == RedisEndpoint::Transport::Tcp)
        redisEnableKeepAlive(&ac->c); // notice a vanished host even when no command is waiting

    m_ctx = ac;
    ac->data = this;
    // Created disabled and only toggled afterwards: hiredis asks for write interest on every
    // command, and creating a notifier each time would allocate per command.
    m_readNotifier = new QSocketNotifier(ac->c.fd, QSocketNotifier::Read, this);
    m_writeNotifier = new QSocketNotifier(ac->c.fd, QSocketNotifier::Write, this);
    m_readNotifier->setEnabled(false);
    m_writeNotifier->setEnabled(false);
    connect(m_readNotifier, &QSocketNotifier::activated, this, &RedisLink::handleReadable);
    connect(m_writeNotifier, &QSocketNotifier::activated, this, &RedisLink::handleWritable);
    ac->ev.data = this;
    ac->ev.addRead = &RedisLink::evAddRead;
    ac->ev.delRead = &RedisLink::evDelRead;
    ac->ev.addWrite = &RedisLink::evAddWrite;
    ac->ev.delWrite = &RedisLink::evDelWrite;
    ac->ev.cleanup = &RedisLink::evCleanup;
    // Order matters: setting the connect callback asks for the first write event, which
    // needs the hooks above in place.
    redisAsyncSetConnectCallback(ac, &RedisLink::onConnect);
    redisAsyncSetDisconnectCallback(ac, &RedisLink::onDisconnect);

    // The handshake is pipelined; commands issued from now on queue up behind it.
    m_handshakePending = 0;
    m_handshakeFailed = false;
    m_abortReason.clear();
    auto sendHandshake = [this, ac](std::initializer_list<QByteArray> args) {
        QVarLengthArray<const char *, 4> argv;
        QVarLengthArray<size_t, 4> lens;
        for (const QByteArray &a : args) {
            argv.append(a.constData());
            lens.append(size_t(a.size()));
        }
        if (redisAsyncCommandArgv(ac, &RedisLink::onHandshakeReply, this, int(argv.size()), argv.data(), lens.data())
            == REDIS_OK)
            ++m_handshakePending;
    };
    if (!ep.password.isEmpty()) {
        if (ep.user.isEmpty())
            sendHandshake({"AUTH", ep.password.toUtf8()});
        else
            sendHandshake({"AUTH", ep.user.toUtf8(), ep.password.toUtf8()});
    }
    if (ep.database != 0)
        sendHandshake({"SELECT", QByteArray::number(ep.database)});
    // Sentinel's answer may be stale by the time we connect: only a master will do.
    if (m_options.sentinel && redisAsyncCommand(ac, &RedisLink::onRoleReply, this, "ROLE") == REDIS_OK)
        ++m_handshakePending;
    // Always ends with a command that proves Redis answers (and is not still loading its data).
    if (!m_options.clientName.isEmpty())
        sendHandshake({"CLIENT", "SETNAME", m_options.clientName});
    else
        sendHandshake({"PING"});
}

void RedisLink::abortLink(const QByteArray &reason)
{
    if (!m_ctx)
        return;
    qCDebug(lcRedis) << "dropping link to" << m_target.toDisplayString() << ':' << reason;
    m_abortReason = reason;
    m_lastError = QString::fromUtf8(reason);
    redisAsyncFree(m_ctx);
    afterHiredis();
}

QByteArray RedisLink::failureReason() const
{
    if (m_ctx && m_ctx->err)
        return QByteArray(m_ctx->errstr);
    if (!m_abortReason.isEmpty())
        return m_abortReason;
    return m_lastError.isEmpty() ? QByteArrayLiteral("connection lost") : m_lastError.toUtf8();
}

void RedisLink::scheduleReconnect()
{
    m_connectTimer.stop();
    if (m_state == State::Closed)
        return;
    m_state = State::WaitingToReconnect;
    using std::chrono::milliseconds;
    const auto min = m_options.reconnectDelayMin.count();
    const auto max = m_options.reconnectDelayMax.count();
    const auto ceiling = std::min<qint64>(max, min << std::min(m_attempt, 16));
    // Jitter spreads out many instances reconnecting to a Redis that just came back.
    const auto delay = ceiling / 2 + QRandomGenerator::global()->bounded(ceiling / 2 + 1);
    ++m_attempt;
    qCDebug(lcRedis) << "reconnecting to" << m_target.toDisplayString() << "in" << delay
                     << "ms:" << m_lastError;
    m_reconnectTimer.start(milliseconds(delay));
}

void RedisLink::afterHiredis()
{
    const QPointer<RedisLink> guard(this);
    const bool active = m_state == State::Connecting || m_state == State::Ready;
    const bool wentDown = active && !m_ctx;
    const bool wasReady = m_state == State::Ready;
    const bool handshakeFailed = active && m_ctx && m_handshakeFailed;
    const bool becameReady = m_state == State::Connecting && m_ctx && !m_handshakeFailed && m_handshakePending == 0;

    if (wentDown) {
        m_state = State::WaitingToReconnect;
        m_connectTimer.stop();
    } else if (becameReady) {
        m_state = State::Ready;
        m_attempt = 0;
        m_connectTimer.stop();
        m_lastError.clear();
    }

    deliverCompleted();
    if (!guard)
        return;

    if (wentDown) {
        if (m_state != State::WaitingToReconnect)
            return; // closed meanwhile
        scheduleReconnect();
        if (wasReady) {
            qCWarning(lcRedis) << "lost link to" << m_target.toDisplayString() << ':' << m_lastError;
            Q_EMIT disconnected(m_lastError);
        }
    } else if (handshakeFailed) {
        m_handshakeFailed = false;
        abortLink(m_abortReason);
    } else if (becameReady && m_state == State::Ready) {
        qCDebug(lcRedis) << "link up to" << m_target.toDisplayString();
        linkReady();
        if (guard && m_state == State::Ready)
            Q_EMIT connected();
    }
}

void RedisLink::handleReadable()
{
    if (!m_ctx)
        return;
    ++m_reads;
    redisAsyncHandleRead(m_ctx);
    afterHiredis();
}

bool RedisLink::readArrived()
{
    if (!m_ctx)
        return false;
    int available = 0;
    if (::ioctl(m_ctx->c.fd, FIONREAD, &available) != 0 || available <= 0)
        return false;
    handleReadable();
    return true;
}

void RedisLink::handleWritable()
{
    if (!m_ctx)
        return;
    redisAsyncHandleWrite(m_ctx);
    afterHiredis();
}

void RedisLink::writeQueued()
{
    m_writeQueued = false;
    // A context made since this was queued may still be connecting: its first write must wait
    // for the notifier, which tells a finished connect from one in progress.
    if (!m_ctx || !(m_ctx->c.flags & REDIS_CONNECTED))
        return;
    m_writingQueued = true;
    redisAsyncHandleWrite(m_ctx);
    m_writingQueued = false;
    afterHiredis();
}

qsizetype RedisLink::unwrittenBytes() const
{
    return m_ctx ? qsizetype(sdslen(m_ctx->c.obuf)) : 0;
}

void RedisLink::onConnect(const redisAsyncContext *ac, int status)
{
    auto *link = static_cast<RedisLink *>(ac->data);
    if (status != REDIS_OK)
        link->m_lastError = QString::fromUtf8(ac->errstr);
}

void RedisLink::onDisconnect(const redisAsyncContext *ac, int status)
{
    auto *link = static_cast<RedisLink *>(ac->data);
    if (status != REDIS_OK)
        link->m_lastError = QString::fromUtf8(ac->errstr);
    else if (link->m_lastError.isEmpty())
        link->m_lastError = QString::fromUtf8(link->m_abortReason.isEmpty() ? "closed" : link->m_abortReason);
}

void RedisLink::onHandshakeReply(redisAsyncContext *, void *reply, void *privdata)
{
    auto *link = static_cast<RedisLink *>(privdata);
    --link->m_handshakePending;
    const auto *r = static_cast<const redisReply *>(reply);
    if (!r)
        return; // the link is going away; afterHiredis() deals with that
    if (r->type == REDIS_REPLY_ERROR) {
        link->m_handshakeFailed = true;
        link->m_abortReason = "handshake failed: " + QByteArray(r->str, qsizetype(r->len));
    }
}

void RedisLink::onRoleReply(redisAsyncContext *, void *reply, void *privdata)
{
    auto *link = static_cast<RedisLink *>(privdata);
    --link->m_handshakePending;
    const auto *r = static_cast<const redisReply *>(reply);
    if (!r)
        return;
    const bool master = r->type == REDIS_REPLY_ARRAY && r->elements > 0 && r->element[0]->type == REDIS_REPLY_STRING
        && QByteArrayView(r->element[0]->str, qsizetype(r->element[0]->len)) == "master";
    if (!master) {
        link->m_handshakeFailed = true;
        link->m_abortReason = "not the master (Sentinel's answer was stale: a failover is under way)";
    }
}

void RedisLink::evAddRead(void *privdata)
{
    if (auto *n = static_cast<RedisLink *>(privdata)->m_readNotifier.data())
        n->setEnabled(true);
}

void RedisLink::evDelRead(void *privdata)
{
    if (auto *n = static_cast<RedisLink *>(privdata)->m_readNotifier.data())
        n->setEnabled(false);
}

void RedisLink::evAddWrite(void *privdata)
{
    auto *link = static_cast<RedisLink *>(privdata);
    // Commands are written at the end of the turn that issued them (a posted call, after the
    // events already waiting): the socket almost always has room, and waiting for the write
    // notifier cost two epoll_ctl(2) and a loop turn per write, the busiest link's own
    // overhead at 100k deliveries/s. The notifier remains for what the kernel did not take
    // (Redis is not reading) and for the connect, where writability is the answer.
    const bool connected = link->m_ctx && (link->m_ctx->c.flags & REDIS_CONNECTED);
    const bool waitingForRoom = link->m_writeNotifier && link->m_writeNotifier->isEnabled();
    if (connected && waitingForRoom)
        return; // what is issued meanwhile goes out with the rest once Redis reads again
    if (connected && !link->m_writingQueued) {
        if (!link->m_writeQueued) {
            link->m_writeQueued = true;
            QMetaObject::invokeMethod(link, &RedisLink::writeQueued, Qt::QueuedConnection);
        }
        return;
    }
    if (link->m_writingQueued)
        ++link->m_writeWaits;
    if (auto *n = link->m_writeNotifier.data())
        n->setEnabled(true);
}

void RedisLink::evDelWrite(void *privdata)
{
    if (auto *n = static_cast<RedisLink *>(privdata)->m_writeNotifier.data())
        n->setEnabled(false);
}

void RedisLink::evCleanup(void *privdata)
{
    auto *link = static_cast<RedisLink *>(privdata);
    // hiredis frees the context (and closes the fd) right after this; the notifiers may be
    // the very objects whose signal brought us here, so they are disabled now, deleted later.
    for (QPointer<QSocketNotifier> *n : {&link->m_readNotifier, &link->m_writeNotifier}) {
        if (*n) {
            (*n)->setEnabled(false);
            (*n)->deleteLater();
        }
        n->clear();
    }
    link->m_ctx = nullptr;
}

} // namespace rill::redis
