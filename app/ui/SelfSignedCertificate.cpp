#include "SelfSignedCertificate.h"

#include <QDir>
#include <QFile>
#include <QHostInfo>
#include <QSaveFile>
#include <QSslCertificate>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace rill::app {

using namespace Qt::StringLiterals;

namespace {

template<auto Free>
struct FreeWith {
    template<typename T>
    void operator()(T *p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, FreeWith<EVP_PKEY_free>>;
using Certificate = std::unique_ptr<X509, FreeWith<X509_free>>;
using Memory = std::unique_ptr<BIO, FreeWith<BIO_free_all>>;
using BigNumber = std::unique_ptr<BIGNUM, FreeWith<BN_free>>;

QByteArray contents(BIO *bio)
{
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return size > 0 ? QByteArray(data, size) : QByteArray();
}

bool save(const QString &path, const QByteArray &bytes, QFileDevice::Permissions permissions)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    file.setPermissions(permissions);
    return file.write(bytes) == bytes.size() && file.commit();
}

} // namespace

SelfSignedCertificate::SelfSignedCertificate(const QString &directory)
    : m_directory(directory)
    , m_certificateFile(QDir(directory).filePath(u"share-cert.pem"_s))
    , m_keyFile(QDir(directory).filePath(u"share-key.pem"_s))
{
}

bool SelfSignedCertificate::ensure()
{
    m_error.clear();
    if (QFile::exists(m_keyFile))
        m_digest = readDigest();
    if (!m_digest.isEmpty())
        return true;
    if (!QDir().mkpath(m_directory)) {
        m_error = u"cannot create "_s + m_directory;
        return false;
    }
    if (!generate())
        return false;
    m_digest = readDigest();
    return !m_digest.isEmpty();
}

bool SelfSignedCertificate::generate()
{
    const Key key(EVP_EC_gen("P-256"));
    const Certificate certificate(X509_new());
    if (!key || !certificate) {
        m_error = u"OpenSSL could not make a key"_s;
        return false;
    }
    X509_set_version(certificate.get(), 2); // v3, for the extensions
    // A random serial: a certificate made again (files deleted) must not look like the old one.
    const BigNumber serial(BN_new());
    BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY);
    BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate.get()));
    X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -60 * 60);
    // Ten years: teammates compare the fingerprint once; renewing means asking all of them again.
    X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 10L * 365 * 24 * 60 * 60);
    X509_set_pubkey(certificate.get(), key.get());
    X509_NAME *name = X509_get_subject_name(certificate.get());
    const QByteArray host = QHostInfo::localHostName().toUtf8().left(64);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char *>("Rill"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char *>(host.constData()), -1, -1, 0);
    X509_set_issuer_name(certificate.get(), name);
    if (X509_sign(certificate.get(), key.get(), EVP_sha256()) == 0) {
        m_error = u"OpenSSL could not sign the certificate"_s;
        return false;
    }

    const Memory keyPem(BIO_new(BIO_s_mem()));
    const Memory certificatePem(BIO_new(BIO_s_mem()));
    if (!PEM_write_bio_PrivateKey(keyPem.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr)
        || !PEM_write_bio_X509(certificatePem.get(), certificate.get())) {
        m_error = u"OpenSSL could not write the certificate"_s;
        return false;
    }
    // The key is what makes the server this server: nobody else on the machine may read it.
    if (!save(m_keyFile, contents(keyPem.get()), QFileDevice::ReadOwner | QFileDevice::WriteOwner)
        || !save(m_certificateFile, contents(certificatePem.get()),
                 QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther)) {
        m_error = u"cannot write the certificate under "_s + m_directory;
        return false;
    }
    return true;
}

QByteArray SelfSignedCertificate::readDigest() const
{
    const QList<QSslCertificate> chain = QSslCertificate::fromPath(m_certificateFile);
    return chain.isEmpty() ? QByteArray() : chain.constFirst().digest(QCryptographicHash::Sha256);
}

QString displayFingerprint(const QByteArray &sha256)
{
    return QString::fromLatin1(sha256.toHex(':').toUpper());
}

} // namespace rill::app
