/* tls.c - the TLS layer on OpenSSL 3: TLS 1.2 or later, chain and host name checks (RFC 6125
 * through X509_VERIFY_PARAM), certificate pins, and a BIO that moves bytes through the layer
 * below (so sends keep MSG_NOSIGNAL and nothing touches process-wide signal state). */
#include <arpa/inet.h>
#include <errno.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/net/private.h"
#include "tmail/i18n.h"
#include "tmail/log.h"
#include "tmail/str.h"

#define FINGERPRINT_TEXT 103                 /* "sha256:" + 32 "XX" joined by ':' + NUL */
#define TLS_READ_BUFFER  ((size_t)64 * 1024) /* bytes one socket read may take (read-ahead) */

struct tls_layer {
    struct net_layer base;
    struct net_layer *below; /* owned; NULL while a failed start hands it back */
    SSL_CTX *ctx;
    SSL *ssl;
    bool broken;    /* after a fatal error: no close_notify */
    bool io_failed; /* the layer below failed; io_err says how */
    struct tm_error io_err;
};

/* --- a BIO over the layer below --- */

static int bio_write(BIO *b, const char *data, int len)
{
    struct tls_layer *t = BIO_get_data(b);
    size_t put = 0;
    short want = 0;
    BIO_clear_retry_flags(b);
    if (len <= 0)
        return 0;
    if (t->below->ops->write(t->below, data, (size_t)len, &put, &want, &t->io_err)) {
        t->io_failed = true;
        return -1;
    }
    if (put)
        return (int)put;
    BIO_set_retry_write(b);
    return -1;
}

static int bio_read(BIO *b, char *buf, int len)
{
    struct tls_layer *t = BIO_get_data(b);
    size_t got = 0;
    short want = 0;
    BIO_clear_retry_flags(b);
    if (len <= 0)
        return 0;
    if (t->below->ops->read(t->below, buf, (size_t)len, &got, &want, &t->io_err)) {
        t->io_failed = true;
        return -1;
    }
    if (got)
        return (int)got;
    if (want) {
        BIO_set_retry_read(b);
        return -1;
    }
    return 0; /* end of input */
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void)b;
    (void)num;
    (void)ptr;
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static BIO_METHOD *bio_method;
static pthread_once_t bio_once = PTHREAD_ONCE_INIT;

static void bio_method_init(void)
{
    BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "tmail layer");
    if (m && BIO_meth_set_write(m, bio_write) && BIO_meth_set_read(m, bio_read) &&
        BIO_meth_set_ctrl(m, bio_ctrl))
        bio_method = m; /* kept for the life of the process */
    else
        BIO_meth_free(m);
}

/* --- pins and fingerprints --- */

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

enum tm_status net_tls_parse_pin(const char *text, unsigned char pin[32], struct tm_error *err)
{
    size_t n = 0;
    int high = -1;
    if (!tm_str_has_prefix_ci(text, "sha256:"))
        goto bad;
    for (const char *p = text + 7; *p; p++) {
        int v = hex_value(*p);
        if (*p == ':')
            continue;
        if (v < 0 || n == 32)
            goto bad;
        if (high < 0) {
            high = v;
        } else {
            pin[n++] = (unsigned char)(high << 4 | v);
            high = -1;
        }
    }
    if (n == 32 && high < 0)
        return TM_OK;
bad:
    return tm_error_set(err, TM_ECONFIG,
                        _("tls_fingerprint \"%s\" is not \"sha256:\" followed by 64 hex digits"),
                        text);
}

static void format_fingerprint(const unsigned char md[32], char out[FINGERPRINT_TEXT])
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    memcpy(out, "sha256:", 7);
    o = 7;
    for (int i = 0; i < 32; i++) {
        if (i)
            out[o++] = ':';
        out[o++] = hex[md[i] >> 4];
        out[o++] = hex[md[i] & 15];
    }
    out[o] = 0;
}

/* --- setup, handshake, checks --- */

/* The reason of the first queued OpenSSL error, for messages. */
static const char *ssl_reason(void)
{
    const char *r = ERR_reason_error_string(ERR_peek_error());
    return r ? r : "unknown error";
}

static bool is_ip_literal(const char *name)
{
    unsigned char addr[16];
    return inet_pton(AF_INET, name, addr) == 1 || inet_pton(AF_INET6, name, addr) == 1;
}

static enum tm_status tls_setup(struct tm_stream *s, struct tls_layer *t, struct tm_error *err)
{
    const char *name = s->server_name ? s->server_name : s->host;
    t->ctx = SSL_CTX_new(TLS_client_method());
    if (!t->ctx || !SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION))
        return tm_error_set(err, TM_ETLS, _("cannot set up TLS: %s"), ssl_reason());
    SSL_CTX_set_mode(t->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (s->ca_file) {
        if (access(s->ca_file, R_OK) != 0)
            return tm_error_errno(err, TM_ECONFIG, errno, _("cannot load CA file %s"), s->ca_file);
        if (!SSL_CTX_load_verify_locations(t->ctx, s->ca_file, NULL))
            return tm_error_set(err, TM_ECONFIG, _("cannot load CA file %s: %s"), s->ca_file,
                                ssl_reason());
    } else if (!SSL_CTX_set_default_verify_paths(t->ctx)) {
        return tm_error_set(err, TM_ETLS, _("cannot load the system CA store: %s"), ssl_reason());
    }
    /* With a pin the chain may be self-signed: the pin decides after the handshake. */
    SSL_CTX_set_verify(t->ctx, s->has_pin ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, NULL);
    /* Read-ahead: one recv takes whatever the socket holds, up to TLS_READ_BUFFER, instead of a
     * header and then a body per record (a big FETCH came as some 50,000 recv calls). The
     * records read but not yet decrypted count as pending (tls_pending). */
    SSL_CTX_set_default_read_buffer_len(t->ctx, TLS_READ_BUFFER);
    t->ssl = SSL_new(t->ctx);
    if (t->ssl)
        SSL_set_read_ahead(t->ssl, 1);
    BIO *bio = bio_method ? BIO_new(bio_method) : NULL;
    if (!t->ssl || !bio) {
        BIO_free(bio);
        return tm_error_set(err, TM_ETLS, _("cannot set up TLS: %s"), ssl_reason());
    }
    BIO_set_data(bio, t);
    BIO_set_init(bio, 1);
    SSL_set_bio(t->ssl, bio, bio);
    bool ip = is_ip_literal(name);
    X509_VERIFY_PARAM *param = SSL_get0_param(t->ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if ((!ip && !SSL_set_tlsext_host_name(t->ssl, name)) ||
        (!s->has_pin && !(ip ? X509_VERIFY_PARAM_set1_ip_asc(param, name)
                             : X509_VERIFY_PARAM_set1_host(param, name, 0))))
        return tm_error_set(err, TM_ECONFIG, _("cannot use \"%s\" as the TLS server name"), name);
    return TM_OK;
}

static enum tm_status handshake_error(struct tm_stream *s, struct tls_layer *t, int ssl_err,
                                      struct tm_error *err)
{
    long vr = SSL_get_verify_result(t->ssl);
    const char *name = s->server_name ? s->server_name : s->host;
    if (t->io_failed)
        return tm_error_set(err, t->io_err.status, _("TLS handshake with %s failed: %s"), s->peer,
                            t->io_err.message);
    if (vr == X509_V_ERR_HOSTNAME_MISMATCH || vr == X509_V_ERR_IP_ADDRESS_MISMATCH)
        return tm_error_set(err, TM_ETLS,
                            _("TLS handshake with %s failed: certificate verify failed (%s): the "
                              "certificate is not valid for %s"),
                            s->peer, X509_verify_cert_error_string(vr), name);
    if (vr != X509_V_OK && !s->has_pin)
        return tm_error_set(err, TM_ETLS,
                            _("TLS handshake with %s failed: certificate verify failed (%s)"),
                            s->peer, X509_verify_cert_error_string(vr));
    if (ssl_err == SSL_ERROR_SYSCALL ||
        ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
        return tm_error_set(err, TM_ETLS,
                            _("TLS handshake with %s failed: the server closed the connection"),
                            s->peer);
    if (ERR_GET_REASON(ERR_peek_error()) == SSL_R_WRONG_VERSION_NUMBER)
        return tm_error_set(err, TM_ETLS,
                            _("TLS handshake with %s failed: %s (does the server speak TLS on "
                              "this port?)"),
                            s->peer, ssl_reason());
    return tm_error_set(err, TM_ETLS, _("TLS handshake with %s failed: %s"), s->peer, ssl_reason());
}

static enum tm_status handshake(struct tm_stream *s, struct tls_layer *t, struct tm_error *err)
{
    int64_t deadline = net_now_ms() + s->connect_timeout_ms;
    for (;;) {
        ERR_clear_error();
        t->io_failed = false;
        int r = SSL_connect(t->ssl);
        if (r == 1)
            return TM_OK;
        int e = SSL_get_error(t->ssl, r);
        if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
            t->broken = true;
            return handshake_error(s, t, e, err);
        }
        enum tm_status st = net_poll(s, t->below->fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT,
                                     deadline, s->connect_timeout_ms, err);
        if (st == TM_ENET)
            tm_error_set(err, st, _("TLS handshake with %s failed: timed out after %d ms"), s->peer,
                         s->connect_timeout_ms);
        if (st)
            return st;
    }
}

/* Logs the session and enforces the pin. */
static enum tm_status check_peer(struct tm_stream *s, struct tls_layer *t, struct tm_error *err)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    char presented[FINGERPRINT_TEXT];
    X509 *cert = SSL_get0_peer_certificate(t->ssl);
    if (!cert || !X509_digest(cert, EVP_sha256(), md, &md_len) || md_len != 32)
        return tm_error_set(err, TM_ETLS, _("%s presented no usable certificate"), s->peer);
    format_fingerprint(md, presented);
    tm_log(TM_LOG_INFO, "tls: %s: %s, %s, certificate %s", s->peer, SSL_get_version(t->ssl),
           SSL_get_cipher_name(t->ssl), presented);
    long vr = SSL_get_verify_result(t->ssl);
    if (!s->has_pin && vr != X509_V_OK) /* SSL_VERIFY_PEER already stops the handshake */
        return tm_error_set(err, TM_ETLS,
                            _("TLS handshake with %s failed: certificate verify failed (%s)"),
                            s->peer, X509_verify_cert_error_string(vr));
    if (s->has_pin && CRYPTO_memcmp(md, s->pin, 32) != 0)
        return tm_error_set(err, TM_ETLS,
                            _("certificate of %s does not match tls_fingerprint: server presented "
                              "%s"),
                            s->host, presented);
    return TM_OK;
}

/* --- the layer --- */

/* Maps a failed SSL_read_ex/SSL_write_ex to the layer contract. */
static enum tm_status io_result(struct tls_layer *t, int r, bool reading, short *want,
                                struct tm_error *err)
{
    const char *peer = t->base.stream->peer;
    switch (SSL_get_error(t->ssl, r)) {
    case SSL_ERROR_WANT_READ:
        *want = POLLIN;
        return TM_OK;
    case SSL_ERROR_WANT_WRITE:
        *want = POLLOUT;
        return TM_OK;
    case SSL_ERROR_ZERO_RETURN:
        break; /* close_notify: end of input */
    case SSL_ERROR_SYSCALL:
        t->broken = true;
        if (t->io_failed) {
            if (err)
                *err = t->io_err;
            return t->io_err.status;
        }
        break;
    default:
        t->broken = true;
        /* Many servers close without close_notify; that is the end of the session too. */
        if (ERR_GET_REASON(ERR_peek_error()) != SSL_R_UNEXPECTED_EOF_WHILE_READING)
            return tm_error_set(err, TM_ETLS, _("%s: TLS error: %s"), peer, ssl_reason());
    }
    if (reading)
        return TM_OK;
    return tm_error_set(err, TM_ENET, _("%s: connection closed by the server"), peer);
}

static enum tm_status tls_read(struct net_layer *l, void *buf, size_t cap, size_t *got, short *want,
                               struct tm_error *err)
{
    struct tls_layer *t = (struct tls_layer *)l;
    ERR_clear_error();
    t->io_failed = false;
    int r = SSL_read_ex(t->ssl, buf, cap, got);
    if (r == 1)
        return TM_OK;
    *got = 0;
    return io_result(t, r, true, want, err);
}

static enum tm_status tls_write(struct net_layer *l, const void *data, size_t len, size_t *put,
                                short *want, struct tm_error *err)
{
    struct tls_layer *t = (struct tls_layer *)l;
    ERR_clear_error();
    t->io_failed = false;
    int r = SSL_write_ex(t->ssl, data, len, put);
    if (r == 1)
        return TM_OK;
    *put = 0;
    return io_result(t, r, false, want, err);
}

static size_t tls_pending(const struct net_layer *l)
{
    const struct tls_layer *t = (const struct tls_layer *)l;
    int n = SSL_pending(t->ssl);
    if (n > 0)
        return (size_t)n;
    /* Records read ahead but not decrypted: their size is not known yet, only that a read may
     * find data without touching the socket. */
    return SSL_has_pending(t->ssl) ? 1 : 0;
}

static void tls_close(struct net_layer *l)
{
    struct tls_layer *t = (struct tls_layer *)l;
    if (!t->broken) {
        /* One non-blocking attempt: close_notify goes out if the socket takes it. */
        ERR_clear_error();
        SSL_shutdown(t->ssl);
        ERR_clear_error();
    }
    if (t->below && t->below->ops->close)
        t->below->ops->close(t->below);
}

static void tls_free(struct net_layer *l)
{
    struct tls_layer *t = (struct tls_layer *)l;
    if (!t)
        return;
    SSL_free(t->ssl);
    SSL_CTX_free(t->ctx);
    if (t->below)
        t->below->ops->free(t->below);
    free(t);
}

static const struct net_layer_ops tls_ops = {
    .read = tls_read,
    .write = tls_write,
    .pending = tls_pending,
    .close = tls_close,
    .free = tls_free,
};

enum tm_status net_tls_start(struct tm_stream *s, struct tm_error *err)
{
    enum tm_status st;
    struct tls_layer *t = calloc(1, sizeof(*t));
    if (!t)
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    pthread_once(&bio_once, bio_method_init);
    t->base = (struct net_layer){.ops = &tls_ops, .stream = s, .fd = s->top->fd};
    t->below = s->top;
    st = tls_setup(s, t, err);
    if (st == TM_OK)
        st = handshake(s, t, err);
    if (st == TM_OK)
        st = check_peer(s, t, err);
    if (st) {
        t->below = NULL;
        tls_free(&t->base);
        ERR_clear_error();
        return st;
    }
    s->top = &t->base;
    s->is_tls = true;
    return TM_OK;
}
