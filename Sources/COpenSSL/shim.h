#ifndef WSLOAD_COPENSSL_SHIM_H
#define WSLOAD_COPENSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* Function-like macros are not imported into Swift; wrap the ones wsload needs. */
static inline long wsl_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_mode(ctx, mode); }
static inline int wsl_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int v) { return (int)SSL_CTX_set_min_proto_version(ctx, v); }
static inline int wsl_SSL_set_tlsext_host_name(SSL *ssl, const char *name) { return (int)SSL_set_tlsext_host_name(ssl, name); }
static inline long wsl_SSL_CTX_set_session_cache_mode(SSL_CTX *ctx, long m) { return SSL_CTX_set_session_cache_mode(ctx, m); }

/* --- TLS transport helpers (Sources/WSLoad/Transport/TLS*.swift) --- */
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
static inline int wsl_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int v) { return (int)SSL_CTX_set_max_proto_version(ctx, v); }
static inline uint64_t wsl_SSL_OP_IGNORE_UNEXPECTED_EOF(void) { return SSL_OP_IGNORE_UNEXPECTED_EOF; }
static inline uint64_t wsl_SSL_OP_NO_RENEGOTIATION(void) { return SSL_OP_NO_RENEGOTIATION; }
static inline int wsl_SSL_set_app_data(SSL *ssl, void *arg) { return SSL_set_ex_data(ssl, 0, arg); }
static inline void *wsl_SSL_get_app_data(const SSL *ssl) { return SSL_get_ex_data(ssl, 0); }

/* Writes the RFC 2253 form of `name` into buf (NUL-terminated, truncated to len-1); returns its length or -1. */
static inline int wsl_X509_NAME_rfc2253(const X509_NAME *name, char *buf, int len) {
    if (name == NULL || buf == NULL || len <= 0) return -1;
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL) return -1;
    int n = -1;
    if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0) {
        n = BIO_read(bio, buf, len - 1);
        if (n < 0) n = 0;
        buf[n] = 0;
    }
    BIO_free(bio);
    return n;
}

/* Key generation and certificate helpers (used by the test suite's certificate factory). */
static inline EVP_PKEY *wsl_EVP_EC_gen(const char *curve) { return EVP_EC_gen(curve); }
static inline void wsl_X509V3_set_ctx_nodb(X509V3_CTX *ctx) { X509V3_set_ctx_nodb(ctx); }

/* --- Certificate verification details (Sources/WSLoad/Transport/TLSCertificateProblem.swift) --- */
/* Which text wsl_X509_text writes. */
#define WSL_X509_SUBJECT 0
#define WSL_X509_ISSUER 1
#define WSL_X509_SAN 2
#define WSL_X509_NOT_BEFORE 3
#define WSL_X509_NOT_AFTER 4
#define WSL_X509_SIGNATURE 5
#define WSL_X509_EKU 6
#define WSL_X509_KEY 7

/* Writes one human-readable property of `x` into buf (NUL-terminated, truncated); returns its length, or -1 when absent. */
static inline int wsl_X509_text(X509 *x, int what, char *buf, int len) {
    if (x == NULL || buf == NULL || len <= 0) return -1;
    buf[0] = 0;
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL) return -1;
    int ok = 0;
    switch (what) {
    case WSL_X509_SUBJECT: ok = X509_NAME_print_ex(bio, X509_get_subject_name(x), 0, XN_FLAG_RFC2253) >= 0; break;
    case WSL_X509_ISSUER: ok = X509_NAME_print_ex(bio, X509_get_issuer_name(x), 0, XN_FLAG_RFC2253) >= 0; break;
    case WSL_X509_SAN:
    case WSL_X509_EKU: {
        int loc = X509_get_ext_by_NID(x, what == WSL_X509_SAN ? NID_subject_alt_name : NID_ext_key_usage, -1);
        X509_EXTENSION *ext = loc >= 0 ? X509_get_ext(x, loc) : NULL;
        ok = ext != NULL && X509V3_EXT_print(bio, ext, 0, 0) == 1;
        break;
    }
    case WSL_X509_NOT_BEFORE: ok = ASN1_TIME_print_ex(bio, X509_get0_notBefore(x), ASN1_DTFLGS_ISO8601) == 1; break;
    case WSL_X509_NOT_AFTER: ok = ASN1_TIME_print_ex(bio, X509_get0_notAfter(x), ASN1_DTFLGS_ISO8601) == 1; break;
    case WSL_X509_SIGNATURE: {
        int nid = X509_get_signature_nid(x);
        const char *name = nid == NID_undef ? NULL : OBJ_nid2ln(nid);
        ok = name != NULL && BIO_puts(bio, name) > 0;
        break;
    }
    case WSL_X509_KEY: {
        EVP_PKEY *key = X509_get0_pubkey(x);
        if (key != NULL) {
            int id = EVP_PKEY_get_base_id(key);
            const char *type = id == EVP_PKEY_RSA ? "RSA" : id == EVP_PKEY_EC ? "EC" : id == EVP_PKEY_ED25519 ? "Ed25519"
                             : id == EVP_PKEY_DSA ? "DSA" : OBJ_nid2sn(id);
            ok = BIO_printf(bio, "%d-bit %s", EVP_PKEY_get_bits(key), type ? type : "unknown") > 0;
        }
        break;
    }
    }
    int n = -1;
    if (ok) {
        n = BIO_read(bio, buf, len - 1);
        if (n < 0) n = 0;
        buf[n] = 0;
    }
    BIO_free(bio);
    return n;
}

/* The SSL connection a certificate-verification callback runs for. */
static inline SSL *wsl_X509_STORE_CTX_get_ssl(X509_STORE_CTX *ctx) {
    return (SSL *)X509_STORE_CTX_get_ex_data(ctx, SSL_get_ex_data_X509_STORE_CTX_idx());
}
/* Number of certificates in the chain being verified (0 if none yet). */
static inline int wsl_X509_STORE_CTX_chain_length(X509_STORE_CTX *ctx) {
    STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
    return chain == NULL ? 0 : sk_X509_num(chain);
}
#endif
