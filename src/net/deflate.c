/* deflate.c - IMAP COMPRESS=DEFLATE (RFC 4978) as a stream layer: raw deflate (RFC 1951, no
 * zlib header) in both directions, every write ending in a sync flush so that the server never
 * waits for the rest of a command, and inflated reads bounded by the caller's buffer so that a
 * decompression bomb costs CPU but never memory. Also the test peer that undoes the compression
 * under a scripted stream. Only this file includes zlib.h. */
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "src/net/private.h"
#include "tmail/i18n.h"
#include "tmail/log.h"

#define RAW_WINDOW  (-15)         /* windowBits of raw deflate: no zlib header or trailer */
#define MEM_LEVEL   8             /* zlib's default: about 256 KiB of deflate state */
#define IN_SIZE     NET_RBUF_SIZE /* bytes taken from below at a time (and those read past OK) */
#define OUT_SIZE    ((size_t)16 * 1024) /* transformed bytes waiting to go below */
#define WRITE_CHUNK ((size_t)64 * 1024) /* bytes of one write deflated per step */

/* One direction: a zlib stream that deflates or inflates. */
struct zdir {
    z_stream z;
    bool deflating;
    bool ready; /* initialised, so it is ended on free */
    bool full;  /* the last step filled its output: zlib may hold more */
    bool ended; /* inflate: the peer closed its deflate stream with a final block */
    int flush;  /* deflate's flush mode for the input it has now */
    uint64_t in_bytes, out_bytes; /* consumed and produced, for the log */
    enum tm_status failed;        /* sticky: every later call repeats it */
    bool deferred; /* failed, but the step's output goes up first; the next call fails */
    char failure[sizeof(((struct tm_error *)0)->message)];
};

struct deflate_layer {
    struct net_layer base;
    struct net_layer *below; /* owned */
    bool peer;               /* the test peer: deflates what it reads, inflates what it writes */
    struct zdir rd;          /* bytes from below on their way up */
    struct zdir wr;          /* the writer's bytes on their way down */
    size_t held; /* bytes of the current write that wr has taken but the writer was not told of */
    size_t opos, olen;           /* out[opos..olen) still goes below */
    unsigned char out[OUT_SIZE]; /* wr's output */
    unsigned char in[IN_SIZE];   /* input of rd (rd.z.next_in points into it) */
};

static const char *peer_name(const struct deflate_layer *d)
{
    return d->base.stream->peer;
}

static enum tm_status zdir_init(struct zdir *zd, bool deflating)
{
    memset(zd, 0, sizeof(*zd));
    zd->deflating = deflating;
    zd->flush = Z_SYNC_FLUSH;
    int r = deflating ? deflateInit2(&zd->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, RAW_WINDOW,
                                     MEM_LEVEL, Z_DEFAULT_STRATEGY)
                      : inflateInit2(&zd->z, RAW_WINDOW);
    zd->ready = r == Z_OK;
    return zd->ready ? TM_OK : TM_ENOMEM;
}

static void zdir_end(struct zdir *zd)
{
    if (!zd->ready)
        return;
    if (zd->deflating)
        deflateEnd(&zd->z);
    else
        inflateEnd(&zd->z);
    zd->ready = false;
}

__attribute__((format(printf, 4, 5))) static enum tm_status
zdir_fail(struct zdir *zd, struct tm_error *err, enum tm_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(zd->failure, sizeof(zd->failure), fmt, ap);
    va_end(ap);
    zd->failed = st;
    return tm_error_set(err, st, "%s", zd->failure);
}

/* A failure found in a step that also produced output: that output is still good (the bytes
 * before the bad ones), so it goes up now and the next call fails. */
static enum tm_status zdir_fail_after(struct zdir *zd, size_t produced, enum tm_status st,
                                      struct tm_error *err)
{
    if (!produced)
        return st;
    zd->deferred = true;
    zd->failed = TM_OK;
    tm_error_clear(err);
    return TM_OK;
}

static enum tm_status zdir_repeat(struct zdir *zd, struct tm_error *err)
{
    if (zd->deferred) {
        zd->deferred = false;
        zd->failed = TM_EPROTO;
    }
    return tm_error_set(err, zd->failed, "%s", zd->failure);
}

/* zlib refused the bytes it was given: the peer's compressed data (or, for the test peer, the
 * client's) is corrupt. */
static enum tm_status corrupt(struct deflate_layer *d, struct zdir *zd, struct tm_error *err)
{
    const char *why = zd->z.msg ? zd->z.msg : "invalid data";
    if (d->peer)
        return zdir_fail(zd, err, TM_EPROTO,
                         "transcript: what the client sent after COMPRESS is not deflate data "
                         "(%s)",
                         why);
    return zdir_fail(zd, err, TM_EPROTO,
                     _("%s sent corrupt compressed data (COMPRESS=DEFLATE: %s)"), peer_name(d),
                     why);
}

/* Runs zd over its input into out[0..cap); *n is what came out. */
static enum tm_status zdir_step(struct deflate_layer *d, struct zdir *zd, unsigned char *out,
                                size_t cap, size_t *n, struct tm_error *err)
{
    uInt room = cap > UINT_MAX ? UINT_MAX : (uInt)cap;
    uInt had = zd->z.avail_in;
    zd->z.next_out = out;
    zd->z.avail_out = room;
    int r = zd->deflating ? deflate(&zd->z, zd->flush) : inflate(&zd->z, Z_SYNC_FLUSH);
    *n = room - zd->z.avail_out;
    zd->full = zd->z.avail_out == 0;
    zd->in_bytes += had - zd->z.avail_in;
    zd->out_bytes += *n;
    switch (r) {
    case Z_OK:
    case Z_BUF_ERROR: /* nothing to do until there is more input */
        return TM_OK;
    case Z_STREAM_END:
        zd->ended = true;
        if (zd->z.avail_in == 0)
            return TM_OK;
        return zdir_fail_after(zd, *n,
                               zdir_fail(zd, err, TM_EPROTO,
                                         _("%s sent data after the end of its compressed stream"),
                                         peer_name(d)),
                               err);
    case Z_MEM_ERROR:
        return zdir_fail(zd, err, TM_ENOMEM, _("out of memory"));
    default: /* Z_DATA_ERROR, Z_NEED_DICT (never valid in raw deflate), Z_STREAM_ERROR */
        return zdir_fail_after(zd, *n, corrupt(d, zd, err), err);
    }
}

static enum tm_status deflate_read(struct net_layer *l, void *buf, size_t cap, size_t *got,
                                   short *want, struct tm_error *err)
{
    struct deflate_layer *d = (struct deflate_layer *)l;
    struct zdir *zd = &d->rd;
    *got = 0;
    if (zd->failed || zd->deferred)
        return zdir_repeat(zd, err);
    for (;;) {
        if (zd->z.avail_in > 0 || zd->full) {
            /* At most cap bytes come out, however well the input compresses. */
            enum tm_status st = zdir_step(d, zd, buf, cap, got, err);
            if (st || *got)
                return st;
            if (zd->z.avail_in > 0 && !zd->full)
                return zdir_fail(zd, err, TM_EPROTO, _("%s: decompression made no progress"),
                                 peer_name(d));
        }
        size_t n = 0;
        short w = 0;
        enum tm_status st = d->below->ops->read(d->below, d->in, IN_SIZE, &n, &w, err);
        if (st)
            return st;
        if (!n) { /* wait for the socket, or the end of input */
            *want = w;
            return TM_OK;
        }
        if (zd->ended)
            return zdir_fail(zd, err, TM_EPROTO,
                             _("%s sent data after the end of its compressed stream"),
                             peer_name(d));
        zd->z.next_in = d->in;
        zd->z.avail_in = (uInt)n;
    }
}

/* The layer contract lets a write report only the bytes that are on their way: wr takes a chunk
 * of the caller's bytes (held), and they are reported once all of their output went below. A
 * caller that got *put == 0 presents the same bytes again (as OpenSSL requires too), so the
 * unconsumed rest is found at the same offset of the new data pointer. */
static enum tm_status deflate_write(struct net_layer *l, const void *data, size_t len, size_t *put,
                                    short *want, struct tm_error *err)
{
    struct deflate_layer *d = (struct deflate_layer *)l;
    struct zdir *zd = &d->wr;
    *put = 0;
    if (zd->failed || zd->deferred)
        return zdir_repeat(zd, err);
    for (;;) {
        if (d->opos < d->olen) {
            size_t n = 0;
            short w = 0;
            enum tm_status st =
                d->below->ops->write(d->below, d->out + d->opos, d->olen - d->opos, &n, &w, err);
            if (st) /* the server now lacks bytes that the deflate state counts as sent */
                return zdir_fail(zd, err, st, "%s", err ? err->message : _("write failed"));
            if (!n) {
                *want = w ? w : POLLOUT;
                return TM_OK;
            }
            d->opos += n;
            continue;
        }
        d->opos = d->olen = 0;
        if (!d->held) {
            if (!len)
                return TM_OK;
            d->held = len < WRITE_CHUNK ? len : WRITE_CHUNK;
            /* A sync flush ends each write: a command's last byte reaches the server. */
            zd->flush = d->held == len ? Z_SYNC_FLUSH : Z_NO_FLUSH;
            zd->z.avail_in = (uInt)d->held;
        } else if (d->held > len) {
            return zdir_fail(zd, err, TM_EPROTO, "%s: a compressed write was not resumed",
                             peer_name(d));
        }
        zd->z.next_in = (Bytef *)(uintptr_t)data + (d->held - zd->z.avail_in);
        if (zd->z.avail_in == 0 && !zd->full) {
            *put = d->held;
            d->held = 0;
            return TM_OK;
        }
        size_t n = 0;
        enum tm_status st = zdir_step(d, zd, d->out, OUT_SIZE, &n, err);
        if (st)
            return st;
        d->olen = n;
        if (!n && zd->z.avail_in > 0 && !zd->full)
            return zdir_fail(zd, err, TM_EPROTO, _("%s: compression made no progress"),
                             peer_name(d));
    }
}

static size_t deflate_pending(const struct net_layer *l)
{
    const struct deflate_layer *d = (const struct deflate_layer *)l;
    size_t below = d->below->ops->pending ? d->below->ops->pending(d->below) : 0;
    return d->rd.z.avail_in + (d->rd.full || d->rd.deferred ? 1 : 0) + below;
}

/* Only in the table of layers over a scripted stream (which has no socket to poll). */
static enum tm_status deflate_wait(struct net_layer *l, int wake_fd, enum tm_wait *result,
                                   struct tm_error *err)
{
    struct deflate_layer *d = (struct deflate_layer *)l;
    if (d->rd.failed || d->rd.deferred)
        return zdir_repeat(&d->rd, err);
    if (d->rd.z.avail_in > 0 || d->rd.full || d->rd.deferred) {
        *result = TM_WAIT_DATA;
        return TM_OK;
    }
    return d->below->ops->wait(d->below, wake_fd, result, err);
}

static void deflate_close(struct net_layer *l)
{
    struct deflate_layer *d = (struct deflate_layer *)l;
    if (d->below && d->below->ops->close)
        d->below->ops->close(d->below);
}

static void log_totals(const struct deflate_layer *d)
{
    const struct zdir *rd = &d->rd, *wr = &d->wr;
    tm_log(TM_LOG_INFO,
           "deflate: %s: received %" PRIu64 " bytes, %" PRIu64 " inflated; sent %" PRIu64
           " bytes for %" PRIu64,
           peer_name(d), rd->in_bytes, rd->out_bytes, wr->out_bytes, wr->in_bytes);
}

/* Frees d; the layers below too unless d->below was taken away (set to NULL). */
static void deflate_free(struct net_layer *l)
{
    struct deflate_layer *d = (struct deflate_layer *)l;
    if (!d)
        return;
    if (!d->peer && d->rd.ready && d->wr.ready)
        log_totals(d);
    zdir_end(&d->rd);
    zdir_end(&d->wr);
    if (d->below)
        d->below->ops->free(d->below);
    explicit_bzero(d, sizeof(*d));
    free(d);
}

static const struct net_layer_ops deflate_ops = {
    .read = deflate_read,
    .write = deflate_write,
    .pending = deflate_pending,
    .close = deflate_close,
    .free = deflate_free,
};

/* Over a layer that waits itself (the scripted stream). */
static const struct net_layer_ops deflate_wait_ops = {
    .read = deflate_read,
    .write = deflate_write,
    .pending = deflate_pending,
    .wait = deflate_wait,
    .close = deflate_close,
    .free = deflate_free,
};

static struct deflate_layer *as_deflate(struct net_layer *l)
{
    if (!l || (l->ops != &deflate_ops && l->ops != &deflate_wait_ops))
        return NULL;
    return (struct deflate_layer *)l;
}

/* Pushes one layer on s->top; its reader starts with input[0..n). */
static enum tm_status push(struct tm_stream *s, bool peer, const void *input, size_t n,
                           struct tm_error *err)
{
    struct deflate_layer *d = calloc(1, sizeof(*d));
    if (!d)
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    d->base = (struct net_layer){
        .ops = s->top->ops->wait ? &deflate_wait_ops : &deflate_ops, .stream = s, .fd = s->top->fd};
    d->peer = peer;
    if (zdir_init(&d->rd, peer) || zdir_init(&d->wr, !peer)) {
        deflate_free(&d->base);
        return tm_error_set(err, TM_ENOMEM, _("%s: cannot start compression: out of memory"),
                            s->peer);
    }
    if (n) {
        memcpy(d->in, input, n);
        d->rd.z.next_in = d->in;
        d->rd.z.avail_in = (uInt)n;
    }
    d->below = s->top;
    s->top = &d->base;
    return TM_OK;
}

enum tm_status net_deflate_start(struct tm_stream *s, const void *leftover, size_t n,
                                 struct tm_error *err)
{
    if (n > IN_SIZE)
        return tm_error_set(err, TM_ELIMIT, "%s: too many bytes before compression", s->peer);
    if (!s->deflate_test_peer)
        return push(s, false, leftover, n, err);
    /* Test peer: the leftover bytes are plain script text, for the peer to compress. */
    enum tm_status st = push(s, true, leftover, n, err);
    if (st)
        return st;
    st = push(s, false, NULL, 0, err);
    if (st) {
        struct deflate_layer *p = as_deflate(s->top);
        s->top = p->below;
        p->below = NULL;
        deflate_free(&p->base);
    }
    return st;
}

void net_deflate_test_peer(struct tm_stream *s)
{
    s->deflate_test_peer = true;
}

static bool holds_bytes(const struct deflate_layer *d)
{
    return d->rd.z.avail_in > 0 || d->rd.full || d->opos < d->olen || d->held > 0;
}

enum tm_status net_deflate_test_unwrap(struct tm_stream *s, struct tm_error *err)
{
    struct deflate_layer *c = as_deflate(s->top);
    struct deflate_layer *p = c ? as_deflate(c->below) : NULL;
    if (!p || c->peer || !p->peer)
        return tm_error_set(err, TM_EPROTO, "transcript: no compression with a test peer to undo");
    if (holds_bytes(c) || holds_bytes(p))
        return tm_error_set(err, TM_EPROTO,
                            "transcript: the compression layers still hold bytes (unread or "
                            "unsent)");
    s->top = p->below;
    p->below = NULL;
    c->below = NULL;
    deflate_free(&c->base);
    deflate_free(&p->base);
    s->is_compressed = false;
    s->deflate_test_peer = false;
    return TM_OK;
}
