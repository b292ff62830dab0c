#pragma once

#include <QList>
#include <QSslCertificate>
#include <QString>
#include <QTemporaryDir>

namespace rill::test {

// A self-signed certificate for 127.0.0.1, made with the openssl CLI for this run: what a team
// that runs its own server has before it buys one.
struct TestCertificate {
    QTemporaryDir dir;
    QString certFile;
    QString keyFile;
    QString error; // empty when the files are there

    TestCertificate();
    [[nodiscard]] QList<QSslCertificate> certificates() const { return QSslCertificate::fromPath(certFile); }
};

} // namespace rill::test
