// Conformance (black box, from PROTOCOL.md): "Every op may also answer `internal` (the storage
// is unreachable: a clear error, never a hang)". With Redis killed or frozen, every request is
// answered in bounded time; ops that cannot succeed without storage answer `internal` (not a
// misleading `bad_credentials`, `user_taken`, ... and never ok).

#include "Conformance.h"

#include <QElapsedTimer>
#include <QScopeGuard>

using namespace rill::test;
using namespace rill::test::conf;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
const QString kPassword = u"correct horse"_s;
}

class TestConformanceStorage : public QObject
{
    Q_OBJECT

private:
    void outage(bool freeze)
    {
        ServerFixture server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        TestClient alice, anon;
        QVERIFY(alice.open(server.url()));
        QVERIFY(alice.signUp(u"alice"_s, kPassword));
        const QJsonObject sent = alice.call(u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, u"before"_s}});
        CONF_OK(sent);
        const QString lastId = sent.value("message"_L1).toObject().value("id"_L1).toString();
        QVERIFY(anon.open(server.url()));

        const auto thaw = qScopeGuard([&] {
            if (freeze)
                server.redis().thaw();
        });
        if (freeze)
            server.redis().freeze();
        else
            server.redis().kill();
        const auto bound = freeze ? 30s : 15s;

        struct Case {
            TestClient *client;
            QString op;
            QJsonObject params;
            bool mustFail; // cannot succeed without the storage
        };
        const QList<Case> cases{
            {&alice, u"send"_s, {{"channel"_L1, u"general"_s}, {"text"_L1, u"during"_s}}, true},
            {&alice, u"join"_s, {{"channel"_L1, u"new-during-outage"_s}}, true},
            {&alice, u"dm"_s, {{"user"_L1, u"nobody-yet"_s}}, true},
            {&alice, u"read"_s, {{"channel"_L1, u"general"_s}, {"upTo"_L1, lastId}}, false},
            {&alice, u"history"_s, {{"channel"_L1, u"general"_s}}, false},
            {&alice, u"members"_s, {{"channel"_L1, u"general"_s}}, false},
            {&alice, u"channels"_s, {}, false},
            {&anon, u"login"_s, {{"user"_L1, u"alice"_s}, {"password"_L1, kPassword}}, true},
            {&anon, u"register"_s, {{"user"_L1, u"bob"_s}, {"password"_L1, kPassword}}, true},
        };
        // All in flight at once: the outage must not serialize them into one long hang.
        QList<qint64> ids;
        for (const auto &c : cases)
            ids << c.client->post(c.op, c.params);
        QElapsedTimer clock;
        clock.start();
        for (qsizetype i = 0; i < cases.size(); ++i) {
            const auto &c = cases[i];
            const auto left = std::max(bound - std::chrono::milliseconds(clock.elapsed()), std::chrono::milliseconds(1));
            const QJsonObject r = c.client->replyTo(ids[i], left);
            QVERIFY2(!r.isEmpty(), qPrintable(u"%1: no reply within %2 s of the outage"_s.arg(c.op).arg(std::chrono::seconds(bound).count())));
            if (c.mustFail)
                QVERIFY2(isError(r, "internal"_L1), qPrintable(c.op + u": "_s + dump(r)));
            else
                QVERIFY2(isOk(r) || isError(r, "internal"_L1), qPrintable(c.op + u": "_s + dump(r)));
        }
        qInfo("every request answered within %lld ms", qint64(clock.elapsed()));
        QVERIFY(alice.isConnected());
        QVERIFY(anon.isConnected());
        // hello needs no storage.
        CONF_OK(anon.call(u"hello"_s, {{"version"_L1, 1}}, 5s));
    }

private Q_SLOTS:
    void redisKilled() { outage(false); }
    void redisFrozen() { outage(true); }
};

QTEST_GUILESS_MAIN(TestConformanceStorage)
#include "tst_conformance_storage.moc"
