#include "tlscertificate.h"

#include <arpa/inet.h>
#include <memory>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

namespace loadscope {

namespace {

template<typename T, void (*Free)(T *)> struct Deleter
{
    void operator()(T *p) const { Free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, &EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509, &X509_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, &X509_EXTENSION_free>>;

void bioFree(BIO *bio)
{
    BIO_free(bio);
}
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, &bioFree>>;

QByteArray bioBytes(BIO *bio)
{
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return QByteArray(data, qsizetype(size));
}

bool isIpAddress(const QByteArray &name)
{
    unsigned char probe[16];
    return inet_pton(AF_INET, name.constData(), probe) == 1 ||
           inet_pton(AF_INET6, name.constData(), probe) == 1;
}

bool addExtension(X509 *cert, int nid, const QByteArray &value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.constData()));
    return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

} // namespace

TlsCertificate makeSelfSignedCertificate(const QList<QByteArray> &names, int days, QString *error)
{
    auto failed = [error](const char *what) {
        if (error) {
            const unsigned long code = ERR_get_error();
            char reason[256] = "unknown error";
            if (code != 0)
                ERR_error_string_n(code, reason, sizeof reason);
            *error = QStringLiteral("cannot make a self-signed certificate (%1): %2")
                         .arg(QLatin1String(what), QString::fromLatin1(reason));
        }
        ERR_clear_error();
        return TlsCertificate();
    };
    if (names.isEmpty())
        return failed("no name given");

    KeyPtr key(EVP_EC_gen("P-256"));
    CertPtr cert(X509_new());
    if (!key || !cert)
        return failed("key generation");
    X509_set_version(cert.get(), X509_VERSION_3);
    unsigned char serial[16];
    RAND_bytes(serial, sizeof serial);
    serial[0] &= 0x7f; // a positive serial number
    BIGNUM *bn = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), long(days) * 24 * 3600);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME *subject = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char *>("Loadscope test"), -1, -1,
                               0);
    X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char *>(names.first().constData()),
                               -1, -1, 0);
    X509_set_issuer_name(cert.get(), subject);

    QByteArray san;
    for (const QByteArray &name : names) {
        if (!san.isEmpty())
            san += ',';
        san += (isIpAddress(name) ? QByteArrayLiteral("IP:") : QByteArrayLiteral("DNS:")) + name;
    }
    if (!addExtension(cert.get(), NID_subject_alt_name, san) ||
        !addExtension(cert.get(), NID_basic_constraints, QByteArrayLiteral("critical,CA:FALSE")) ||
        !addExtension(cert.get(), NID_ext_key_usage, QByteArrayLiteral("serverAuth")))
        return failed("extensions");
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0)
        return failed("signing");

    BioPtr certBio(BIO_new(BIO_s_mem()));
    BioPtr keyBio(BIO_new(BIO_s_mem()));
    if (!certBio || !keyBio || PEM_write_bio_X509(certBio.get(), cert.get()) != 1 ||
        PEM_write_bio_PrivateKey(keyBio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
            1)
        return failed("PEM encoding");
    TlsCertificate out;
    out.certificatePem = bioBytes(certBio.get());
    out.privateKeyPem = bioBytes(keyBio.get());
    return out;
}

} // namespace loadscope
