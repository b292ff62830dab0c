#include "TestCertificate.h"

#include <QProcess>

namespace rill::test {

using namespace Qt::StringLiterals;

TestCertificate::TestCertificate()
    : certFile(dir.filePath(u"cert.pem"_s))
    , keyFile(dir.filePath(u"key.pem"_s))
{
    QProcess openssl;
    openssl.start(u"openssl"_s,
                  {u"req"_s, u"-x509"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:prime256v1"_s,
                   u"-nodes"_s, u"-days"_s, u"2"_s, u"-subj"_s, u"/CN=127.0.0.1"_s, u"-addext"_s,
                   u"subjectAltName=IP:127.0.0.1"_s, u"-keyout"_s, keyFile, u"-out"_s, certFile});
    if (!openssl.waitForFinished(30000) || openssl.exitCode() != 0)
        error = u"openssl failed: "_s + QString::fromLocal8Bit(openssl.readAllStandardError());
}

} // namespace rill::test
