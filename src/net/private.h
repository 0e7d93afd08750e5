/* private.h - net internals: the layer table under a stream (TCP, TLS, deflate, scripted), the
 * stream record they share, and test hooks. Only tls*.c include OpenSSL and only deflate.c
 * includes zlib; nothing here needs either. */
#ifndef TMAIL_NET_PRIVATE_H
#define TMAIL_NET_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tmail/net.h"
#include "tmail/sasl.h"

#define NET_RBUF_SIZE ((size_t)64 * 1024)
#define NET_SLICE_MS  250 /* longest single poll, so cancel is seen within about this long */

struct net_layer;

/* One layer of a stream. read and write never block: they return TM_OK with *got (or *put) > 0 when
 * bytes moved, TM_OK with nothing moved and *want = POLLIN or POLLOUT when the caller must poll
 * fd for that, TM_OK with nothing moved and *want = 0 on orderly end of input (read only), or an
 * error with err filled. */
struct net_layer_ops {
    enum tm_status (*read)(struct net_layer *l, void *buf, size_t cap, size_t *got, short *want,
                           struct tm_error *err);
    enum tm_status (*write)(struct net_layer *l, const void *data, size_t len, size_t *put,
                            short *want, struct tm_error *err);
    /* Nonzero when a read may return bytes without the socket being readable: bytes this layer
     * holds (their count), or input read ahead and not decoded yet (at least 1); NULL: none. */
    size_t (*pending)(const struct net_layer *l);
    /* Puts TLS on top of s->top (the stream's injection check already passed); NULL: not
     * possible on this layer. On success sets s->top and s->is_tls. */
    enum tm_status (*starttls)(struct tm_stream *s, struct tm_error *err);
    /* tm_stream_wait for layers without a socket (scripted); NULL: poll fd. */
    enum tm_status (*wait)(struct net_layer *l, int wake_fd, enum tm_wait *result,
                           struct tm_error *err);
    /* Best-effort goodbye (TLS close_notify) that never blocks; NULL: nothing to say. */
    void (*close)(struct net_layer *l);
    /* Frees l and every layer below it. */
    void (*free)(struct net_layer *l);
};

struct net_layer {
    const struct net_layer_ops *ops;
    struct tm_stream *stream; /* the owner, for its peer name, options and timeouts */
    int fd;                   /* the socket to poll; -1 for none */
};

struct tm_stream {
    struct net_layer *top; /* owned, with the layers below */
    unsigned char *rbuf;   /* NET_RBUF_SIZE bytes; unread input is rbuf[rpos..rlen) */
    size_t rpos, rlen;
    char *host; /* owned */
    int port;
    char peer[300]; /* "host:port" or "[v6]:port", for messages */
    char *ca_file;  /* owned TLS options, NULL when unset */
    char *server_name;
    bool has_pin;
    unsigned char pin[32]; /* SHA-256 of the expected leaf certificate's DER */
    const volatile int *cancel;
    int connect_timeout_ms;
    int io_timeout_ms;
    char trace[16]; /* wire trace label, "" for none */
    bool is_tls;
    bool is_compressed;     /* the deflate layer is on top (tm_stream_compress) */
    bool deflate_test_peer; /* test hook: tm_stream_compress also puts a zlib peer under it */
    enum tm_status dead;    /* TM_OK while usable; else every call fails with it and dead_msg */
    char dead_msg[512];
};

/* stream.c */

/* A new stream with no layer yet, or NULL when out of memory. */
struct tm_stream *net_stream_new(const char *host, int port);
int64_t net_now_ms(void);
/* Waits until fd is ready for events or the monotonic deadline passes (TM_ENET "timed out",
 * naming timeout_ms), in slices of NET_SLICE_MS so that cancel is honoured (TM_ECANCELED). */
enum tm_status net_poll(struct tm_stream *s, int fd, short events, int64_t deadline, int timeout_ms,
                        struct tm_error *err);
/* Logs data at TM_LOG_DEBUG as "label< line" (dir '<') or "label> line" when tracing. */
void net_trace(struct tm_stream *s, char dir, const char *data, size_t len);

/* tcp.c */

/* Frees what tm_stream_connect copied into s, for tm_stream_close. */
void net_stream_free_opts(struct tm_stream *s);

/* tls.c */

/* Parses "sha256:" + 64 hex digits (colons and case ignored) into pin; TM_ECONFIG otherwise. */
enum tm_status net_tls_parse_pin(const char *text, unsigned char pin[32], struct tm_error *err);
/* Handshakes over s->top and, on success, pushes the TLS layer (sets s->top and s->is_tls). On
 * failure s->top is unchanged (its state after a half-done handshake is unusable). */
enum tm_status net_tls_start(struct tm_stream *s, struct tm_error *err);

/* deflate.c */

/* Pushes the deflate layer (RFC 4978) on s->top; leftover[0..n) are bytes read past the server's
 * OK, i.e. its first compressed bytes (copied). With s->deflate_test_peer, a test peer goes in
 * first (see net_deflate_test_peer) and the leftover bytes are plain text it compresses. On
 * failure s->top is unchanged. */
enum tm_status net_deflate_start(struct tm_stream *s, const void *leftover, size_t n,
                                 struct tm_error *err);

/* deflate.c: test hooks */

/* Makes the next tm_stream_compress on s (a scripted stream) put a zlib peer between the
 * compression and the script: the peer inflates what the client sends before the script checks
 * it and deflates what the script sends, so a transcript stays plain text while real compressed
 * bytes pass in between (bytes the client sends uncompressed fail as corrupt data). */
void net_deflate_test_peer(struct tm_stream *s);
/* Takes the deflate layer and its test peer off s again, so that tm_stream_scripted_finish can
 * check the script. TM_EPROTO when either still holds bytes (unread, or not yet sent). */
enum tm_status net_deflate_test_unwrap(struct tm_stream *s, struct tm_error *err);

/* scripted.c: test hooks */

/* A stream whose server sends bytes[0..len) (copied), at most chunk bytes per read (0: all at
 * once), then closes. */
enum tm_status net_scripted_new_raw(const void *bytes, size_t len, size_t chunk,
                                    struct tm_stream **out, struct tm_error *err);
/* Limits every read of scripted stream s to chunk bytes (0: no limit), to split lines. */
void net_scripted_set_chunk(struct tm_stream *s, size_t chunk);

/* sasl.c */

/* Appends user as a gs2 saslname (RFC 5801): ',' becomes "=2C" and '=' becomes "=3D". */
enum tm_status net_sasl_append_saslname(struct tm_buf *b, const char *user);

/* tls_scram.c: test hook */

/* Uses nonce (printable ASCII without ',') instead of a random one; call before
 * tm_scram_client_first. */
enum tm_status net_scram_set_nonce(struct tm_scram *s, const char *nonce, struct tm_error *err);

#endif
