/* server.c - in-process loopback test servers and a test PKI made with OpenSSL at run time. */
#include "server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int server_listen(const char *addr, int *port)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST};
    struct addrinfo *res = NULL;
    if (getaddrinfo(addr, "0", &hints, &res) != 0)
        return -1;
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd >= 0)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (fd < 0 || bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 4) != 0) {
        if (fd >= 0)
            close(fd);
        freeaddrinfo(res);
        return -1;
    }
    freeaddrinfo(res);
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    getsockname(fd, (struct sockaddr *)&ss, &len);
    *port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                           : ((struct sockaddr_in *)&ss)->sin_port);
    return fd;
}

static void *server_main(void *arg)
{
    struct test_server *srv = arg;
    /* Writes to a client that went away must not kill the test binary; the block is per thread,
     * so the client side keeps the default SIGPIPE action and its own tests stay meaningful. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    struct pollfd p = {.fd = srv->listen_fd, .events = POLLIN};
    if (poll(&p, 1, 5000) == 1) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        int fd = accept(srv->listen_fd, (struct sockaddr *)&ss, &len);
        if (fd >= 0) {
            struct timeval tv = {.tv_sec = 5};
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
            getnameinfo((struct sockaddr *)&ss, len, srv->peer_addr, sizeof(srv->peer_addr), NULL,
                        0, NI_NUMERICHOST);
            srv->serve(srv, fd);
            close(fd);
        }
    }
    close(srv->listen_fd);
    srv->listen_fd = -1;
    return NULL;
}

int server_start(struct test_server *srv, const char *addr, server_fn serve)
{
    memset(srv, 0, sizeof(*srv));
    srv->serve = serve;
    srv->listen_fd = server_listen(addr, &srv->port);
    if (srv->listen_fd < 0)
        return -1;
    if (pthread_create(&srv->thread, NULL, server_main, srv) != 0) {
        close(srv->listen_fd);
        return -1;
    }
    return 0;
}

void server_join(struct test_server *srv)
{
    pthread_join(srv->thread, NULL);
}

void server_send_bytes(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n <= 0)
            return;
        p += n;
        len -= (size_t)n;
    }
}

void server_send(int fd, const char *text)
{
    server_send_bytes(fd, text, strlen(text));
}

int server_read_line(int fd, char *line, size_t size)
{
    size_t n = 0;
    for (;;) {
        char c;
        if (recv(fd, &c, 1, 0) != 1)
            return -1;
        if (c == '\n')
            break;
        if (n + 1 < size)
            line[n++] = c;
    }
    if (n > 0 && line[n - 1] == '\r')
        n--;
    line[n] = 0;
    return 0;
}

void server_drain(int fd)
{
    char buf[4096];
    while (recv(fd, buf, sizeof(buf), 0) > 0)
        ;
}

/* --- the test PKI --- */

static bool add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
    bool ok = ext && X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    return ok;
}

/* A certificate for key named cn, signed by issuer (NULL: self-signed). */
static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key, bool ca,
                       long serial)
{
    X509 *x = X509_new();
    if (!x)
        return NULL;
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, key);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
    bool ok =
        add_ext(x, &v3, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE") &&
        add_ext(x, &v3, NID_key_usage,
                ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature") &&
        add_ext(x, &v3, NID_subject_key_identifier, "hash");
    if (ok && !ca)
        ok = add_ext(x, &v3, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1") &&
             add_ext(x, &v3, NID_ext_key_usage, "serverAuth") &&
             add_ext(x, &v3, NID_authority_key_identifier, "keyid:always");
    if (!ok || !X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256())) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static bool write_pem(const char *path, X509 *x)
{
    FILE *f = fopen(path, "w");
    bool ok = f && PEM_write_X509(f, x);
    if (f)
        fclose(f);
    return ok;
}

int pki_make(struct test_pki *pki, const char *dir)
{
    memset(pki, 0, sizeof(*pki));
    EVP_PKEY *ca_key = EVP_EC_gen("P-256"), *other_key = EVP_EC_gen("P-256");
    pki->leaf_key = EVP_EC_gen("P-256");
    X509 *ca = ca_key ? make_cert(ca_key, "tmail test CA", NULL, NULL, true, 1) : NULL;
    X509 *other = other_key ? make_cert(other_key, "tmail other CA", NULL, NULL, true, 2) : NULL;
    pki->leaf =
        ca && pki->leaf_key ? make_cert(pki->leaf_key, "localhost", ca, ca_key, false, 3) : NULL;
    snprintf(pki->ca_file, sizeof(pki->ca_file), "%s/ca.pem", dir);
    snprintf(pki->other_ca_file, sizeof(pki->other_ca_file), "%s/other-ca.pem", dir);
    bool ok =
        pki->leaf && other && write_pem(pki->ca_file, ca) && write_pem(pki->other_ca_file, other);
    unsigned char md[32];
    unsigned int md_len = 0;
    if (ok && X509_digest(pki->leaf, EVP_sha256(), md, &md_len) && md_len == 32) {
        size_t o = (size_t)snprintf(pki->leaf_fingerprint, sizeof(pki->leaf_fingerprint), "sha256");
        for (int i = 0; i < 32; i++)
            o += (size_t)snprintf(pki->leaf_fingerprint + o, sizeof(pki->leaf_fingerprint) - o,
                                  ":%02X", md[i]);
    } else {
        ok = false;
    }
    pki->server_ctx = ok ? SSL_CTX_new(TLS_server_method()) : NULL;
    ok = pki->server_ctx && SSL_CTX_use_certificate(pki->server_ctx, pki->leaf) == 1 &&
         SSL_CTX_use_PrivateKey(pki->server_ctx, pki->leaf_key) == 1;
    X509_free(ca);
    X509_free(other);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(other_key);
    if (!ok) {
        pki_free(pki);
        return -1;
    }
    return 0;
}

void pki_free(struct test_pki *pki)
{
    SSL_CTX_free(pki->server_ctx);
    X509_free(pki->leaf);
    EVP_PKEY_free(pki->leaf_key);
    pki->server_ctx = NULL;
    pki->leaf = NULL;
    pki->leaf_key = NULL;
}
