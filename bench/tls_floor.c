/*
 * The per-connection memory floor of OpenSSL itself: a minimal C TLS client with no WebSocket engine.
 *
 * Opens N TLS connections to a `wsload serve --tls-cert` listener one after the other (blocking sockets),
 * sends one upgrade request on each, reads the 101, frees OpenSSL's buffers (SSL_MODE_RELEASE_BUFFERS +
 * SSL_free_buffers, as wsload does) and keeps every connection open. Prints RSS and malloc in-use bytes per
 * connection beyond the first 10. Used by `scripts/bench-engine tls-floor` (see BENCHMARKS.md).
 *
 * usage: tls_floor N PORT CA_FILE full|resumed [CIPHERSUITES]
 */
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static long rss_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    if (f == NULL) return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) v = atol(line + 6);
    fclose(f);
    return v;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s N PORT CA_FILE full|resumed [CIPHERSUITES]\n", argv[0]);
        return 2;
    }
    int n = atoi(argv[1]), port = atoi(argv[2]);
    const char *ca = argv[3];
    int resume = strcmp(argv[4], "resumed") == 0;
    if (n <= 10) { fprintf(stderr, "N must be > 10\n"); return 2; }

    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) { ERR_print_errors_fp(stderr); return 1; }
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    if (argc > 5 && SSL_CTX_set_ciphersuites(ctx, argv[5]) != 1) { ERR_print_errors_fp(stderr); return 1; }

    SSL **conns = calloc((size_t)n, sizeof *conns);
    SSL_SESSION *latest = NULL;
    long rss0 = 0;
    struct mallinfo2 m0 = {0};
    int reused = 0;
    static const char request[] =
        "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    for (int i = 0; i < n; i++) {
        if (i == 10) { malloc_trim(0); rss0 = rss_kib(); m0 = mallinfo2(); }
        int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct sockaddr_in sa = {0};
        sa.sin_family = AF_INET;
        sa.sin_port = htons((uint16_t)port);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) { perror("connect"); return 1; }
        SSL *ssl = SSL_new(ctx);
        SSL_set_fd(ssl, fd);
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), "127.0.0.1");
        if (resume && latest != NULL) SSL_set_session(ssl, latest);
        if (SSL_connect(ssl) != 1) { ERR_print_errors_fp(stderr); return 1; }
        SSL_write(ssl, request, (int)strlen(request));
        char buf[4096];
        if (SSL_read(ssl, buf, sizeof buf) <= 0) { fprintf(stderr, "no 101 on connection %d\n", i); return 1; }
        if (resume) {  /* keep the newest ticket, as wsload's session cache does */
            if (latest != NULL) SSL_SESSION_free(latest);
            latest = SSL_get1_session(ssl);
        }
        reused += SSL_session_reused(ssl);
        SSL_free_buffers(ssl);
        conns[i] = ssl;
    }
    malloc_trim(0);
    struct mallinfo2 m1 = mallinfo2();
    long rss1 = rss_kib();
    int counted = n - 10;
    printf("{\"connections\": %d, \"resumed\": %d, \"rss_per_conn\": %ld, \"malloc_per_conn\": %zu, \"cipher\": \"%s\"}\n",
           n, reused, (rss1 - rss0) * 1024 / counted,
           (m1.uordblks + m1.hblkhd - m0.uordblks - m0.hblkhd) / (size_t)counted,
           SSL_CIPHER_get_name(SSL_get_current_cipher(conns[n - 1])));
    return 0;
}
