#pragma once

#include <QByteArray>
#include <QString>

namespace rill::app {

// The certificate a bundled server shares itself on the network with: made once per profile
// (an EC P-256 key and a self-signed certificate, ten years, OpenSSL's API), then the same one
// at every start, so the fingerprint teammates compared and trusted stays valid.
class SelfSignedCertificate
{
public:
    // Where the files live (or will); nothing is made yet.
    explicit SelfSignedCertificate(const QString &directory);

    // Makes the key and certificate unless both are there already; false with error() if it
    // cannot. The key is readable by the user only.
    [[nodiscard]] bool ensure();

    [[nodiscard]] QString certificateFile() const { return m_certificateFile; }
    [[nodiscard]] QString keyFile() const { return m_keyFile; }
    // SHA-256 of the certificate (DER), once ensure() succeeded.
    [[nodiscard]] QByteArray digest() const { return m_digest; }
    [[nodiscard]] QString error() const { return m_error; }

private:
    [[nodiscard]] bool generate();
    [[nodiscard]] QByteArray readDigest() const;

    QString m_directory;
    QString m_certificateFile;
    QString m_keyFile;
    QString m_error;
    QByteArray m_digest;
};

// A certificate's SHA-256 as people compare it: upper-case hex pairs joined by colons, as
// `openssl x509 -fingerprint -sha256` prints it.
[[nodiscard]] QString displayFingerprint(const QByteArray &sha256);

} // namespace rill::app
