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
#endif
