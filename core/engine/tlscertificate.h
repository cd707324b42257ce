#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace loadscope {

//! A certificate and its private key, PEM-encoded.
struct TlsCertificate
{
    QByteArray certificatePem;
    QByteArray privateKeyPem;
    bool isNull() const { return certificatePem.isEmpty(); }
};

//! Makes a self-signed certificate (EC P-256, SHA-256, valid from an hour ago for @p days)
//! whose subject alternative names are @p names: IP addresses ("127.0.0.1", "::1") become
//! IP entries, anything else DNS entries. For HTTPS test servers on loopback. A null
//! certificate with @p error filled when OpenSSL fails.
TlsCertificate makeSelfSignedCertificate(const QList<QByteArray> &names, int days = 2,
                                         QString *error = nullptr);

} // namespace loadscope
