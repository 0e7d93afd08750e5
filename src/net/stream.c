/* stream.c - the stream over its layers: one read buffer shared by line and exact reads, polling
 * in short slices for cancel and timeouts, the wire trace, STARTTLS's injection check, and the
 * switch to compression (RFC 4978) with the bytes read past the server's OK. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/net/private.h"
#include "tmail/i18n.h"
#include "tmail/log.h"
#include "tmail/str.h"

#define TRACE_MAX_BYTES 4096 /* longer writes and literals are traced as "<N bytes>" */
#define TRACE_MAX_LINE  400

struct tm_stream *net_stream_new(const char *host, int port)
{
    struct tm_stream *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->rbuf = malloc(NET_RBUF_SIZE);
    s->host = tm_strndup(host, strlen(host));
    if (!s->rbuf || !s->host) {
        free(s->rbuf);
        free(s->host);
        free(s);
        return NULL;
    }
    snprintf(s->peer, sizeof(s->peer), strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, port);
    s->port = port;
    s->connect_timeout_ms = 30000;
    s->io_timeout_ms = 60000;
    return s;
}

void tm_stream_close(struct tm_stream **pp)
{
    if (!pp || !*pp)
        return;
    struct tm_stream *s = *pp;
    if (s->top) {
        if (s->top->ops->close && s->dead == TM_OK)
            s->top->ops->close(s->top);
        s->top->ops->free(s->top);
    }
    explicit_bzero(s->rbuf, NET_RBUF_SIZE);
    free(s->rbuf);
    net_stream_free_opts(s);
    free(s->host);
    free(s);
    *pp = NULL;
}

int64_t net_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static enum tm_status canceled(struct tm_error *err)
{
    return tm_error_set(err, TM_ECANCELED, _("canceled"));
}

enum tm_status net_poll(struct tm_stream *s, int fd, short events, int64_t deadline, int timeout_ms,
                        struct tm_error *err)
{
    for (;;) {
        if (s->cancel && *s->cancel)
            return canceled(err);
        int64_t left = deadline - net_now_ms();
        if (left <= 0)
            return tm_error_set(err, TM_ENET, _("%s: timed out after %d ms without progress"),
                                s->peer, timeout_ms);
        struct pollfd p = {.fd = fd, .events = events};
        int r = poll(&p, 1, left < NET_SLICE_MS ? (int)left : NET_SLICE_MS);
        if (r > 0)
            return TM_OK;
        if (r < 0 && errno != EINTR)
            return tm_error_errno(err, TM_ENET, errno, _("%s: cannot wait for the connection"),
                                  s->peer);
    }
}

static void trace_line(struct tm_stream *s, char dir, const char *line, size_t len)
{
    struct tm_buf vis;
    tm_buf_init(&vis, 4 * TRACE_MAX_LINE + 16);
    bool cut = len > TRACE_MAX_LINE;
    if (tm_str_visible(&vis, line, cut ? TRACE_MAX_LINE : len, false) == TM_OK)
        tm_log(TM_LOG_DEBUG, "%s%c %s%s", s->trace, dir, vis.data ? vis.data : "",
               cut ? "..." : "");
    tm_buf_cleanup(&vis);
}

void net_trace(struct tm_stream *s, char dir, const char *data, size_t len)
{
    if (!s->trace[0])
        return;
    if (len > TRACE_MAX_BYTES) {
        tm_log(TM_LOG_DEBUG, "%s%c <%zu bytes>", s->trace, dir, len);
        return;
    }
    while (len > 0) {
        const char *lf = memchr(data, '\n', len);
        size_t n = lf ? (size_t)(lf - data) : len;
        size_t shown = n > 0 && data[n - 1] == '\r' ? n - 1 : n;
        trace_line(s, dir, data, shown);
        if (!lf)
            break;
        data += n + 1;
        len -= n + 1;
    }
}

static enum tm_status check_usable(const struct tm_stream *s, struct tm_error *err)
{
    if (s->dead == TM_OK)
        return TM_OK;
    return tm_error_set(err, s->dead, "%s", s->dead_msg);
}

static enum tm_status make_dead(struct tm_stream *s, enum tm_status st, const char *msg)
{
    s->dead = st;
    snprintf(s->dead_msg, sizeof(s->dead_msg), "%s", msg);
    return st;
}

/* Reads more bytes into the buffer, waiting up to the io timeout for some to come. */
static enum tm_status fill(struct tm_stream *s, struct tm_error *err)
{
    if (s->rpos > 0) {
        memmove(s->rbuf, s->rbuf + s->rpos, s->rlen - s->rpos);
        s->rlen -= s->rpos;
        s->rpos = 0;
    }
    if (s->rlen == NET_RBUF_SIZE)
        return tm_error_set(err, TM_ELIMIT, _("%s: read buffer full"), s->peer);
    int64_t deadline = net_now_ms() + s->io_timeout_ms;
    for (;;) {
        size_t got = 0;
        short want = 0;
        enum tm_status st =
            s->top->ops->read(s->top, s->rbuf + s->rlen, NET_RBUF_SIZE - s->rlen, &got, &want, err);
        if (st)
            return st;
        if (got) {
            s->rlen += got;
            return TM_OK;
        }
        if (!want)
            return tm_error_set(err, TM_ENET, _("%s: connection closed by the server"), s->peer);
        st = net_poll(s, s->top->fd, want, deadline, s->io_timeout_ms, err);
        if (st)
            return st;
    }
}

/* True when a line whose content so far is taken bytes (the last one being last) and that ends
 * here is longer than max once a final CR is dropped. */
static bool line_too_long(size_t taken, char last, size_t max)
{
    return taken > max && !(taken == max + 1 && last == '\r');
}

enum tm_status tm_stream_read_line(struct tm_stream *s, struct tm_buf *line, size_t max,
                                   struct tm_error *err)
{
    size_t start = line->len, taken = 0;
    enum tm_status st = check_usable(s, err);
    while (st == TM_OK) {
        if (s->rpos == s->rlen) {
            st = fill(s, err);
            continue;
        }
        const unsigned char *p = s->rbuf + s->rpos;
        size_t avail = s->rlen - s->rpos;
        const unsigned char *lf = memchr(p, '\n', avail);
        size_t n = lf ? (size_t)(lf - p) : avail;
        char last = n ? (char)p[n - 1] : taken ? line->data[line->len - 1] : 0;
        if (line_too_long(taken + n, last, max)) {
            st = tm_error_set(err, TM_ELIMIT, _("%s: the server sent a line longer than %zu bytes"),
                              s->peer, max);
            break;
        }
        st = tm_buf_append(line, p, n);
        if (st) {
            tm_error_set(err, st, _("%s: line too long for the buffer"), s->peer);
            break;
        }
        taken += n;
        s->rpos += lf ? n + 1 : n;
        if (lf) {
            if (last == '\r')
                line->data[--line->len] = 0;
            net_trace(s, '<', line->data + start, line->len - start);
            return TM_OK;
        }
    }
    if (line->data) {
        line->len = start;
        line->data[start] = 0;
    }
    return st;
}

enum tm_status tm_stream_read_exact(struct tm_stream *s, void *buf, size_t n, struct tm_error *err)
{
    unsigned char *out = buf;
    size_t done = 0;
    enum tm_status st = check_usable(s, err);
    while (st == TM_OK && done < n) {
        if (s->rpos == s->rlen) {
            st = fill(s, err);
            continue;
        }
        size_t take = s->rlen - s->rpos;
        if (take > n - done)
            take = n - done;
        memcpy(out + done, s->rbuf + s->rpos, take);
        s->rpos += take;
        done += take;
    }
    if (st == TM_OK && s->trace[0])
        tm_log(TM_LOG_DEBUG, "%s< <%zu bytes>", s->trace, n);
    return st;
}

static enum tm_status write_all(struct tm_stream *s, const void *data, size_t len,
                                struct tm_error *err)
{
    const unsigned char *p = data;
    size_t off = 0;
    int64_t deadline = net_now_ms() + s->io_timeout_ms;
    while (off < len) {
        size_t put = 0;
        short want = 0;
        enum tm_status st = s->top->ops->write(s->top, p + off, len - off, &put, &want, err);
        if (st)
            return st;
        if (put) {
            off += put;
            deadline = net_now_ms() + s->io_timeout_ms;
            continue;
        }
        st = net_poll(s, s->top->fd, want ? want : POLLOUT, deadline, s->io_timeout_ms, err);
        if (st)
            return st;
    }
    return TM_OK;
}

enum tm_status tm_stream_write(struct tm_stream *s, const void *data, size_t len,
                               struct tm_error *err)
{
    enum tm_status st = check_usable(s, err);
    if (st)
        return st;
    net_trace(s, '>', data, len);
    return write_all(s, data, len, err);
}

enum tm_status tm_stream_write_secret(struct tm_stream *s, const void *data, size_t len,
                                      struct tm_error *err)
{
    enum tm_status st = check_usable(s, err);
    if (st)
        return st;
    if (s->trace[0])
        tm_log(TM_LOG_DEBUG, "%s> <secret, %zu bytes>", s->trace, len);
    return write_all(s, data, len, err);
}

static size_t layer_pending(const struct tm_stream *s)
{
    return s->top->ops->pending ? s->top->ops->pending(s->top) : 0;
}

bool tm_stream_is_tls(const struct tm_stream *s)
{
    return s->is_tls;
}

size_t tm_stream_buffered(const struct tm_stream *s)
{
    return s->rlen - s->rpos;
}

bool tm_stream_input_ready(const struct tm_stream *s)
{
    return tm_stream_buffered(s) > 0 || layer_pending(s) > 0;
}

void tm_stream_set_io_timeout(struct tm_stream *s, int io_timeout_ms)
{
    s->io_timeout_ms = io_timeout_ms > 0 ? io_timeout_ms : 60000;
}

enum tm_status tm_stream_starttls(struct tm_stream *s, struct tm_error *err)
{
    enum tm_status st = check_usable(s, err);
    if (st)
        return st;
    if (s->is_tls)
        return tm_error_set(err, TM_ETLS, _("%s: the connection already uses TLS"), s->peer);
    if (s->is_compressed)
        return tm_error_set(err, TM_ENOTSUP, _("%s: TLS cannot start inside compression"), s->peer);
    size_t early = tm_stream_buffered(s) + layer_pending(s);
    if (early > 0) {
        /* Bytes sent before the handshake could be answered as if they came over TLS. */
        explicit_bzero(s->rbuf, NET_RBUF_SIZE);
        s->rpos = s->rlen = 0;
        tm_log(TM_LOG_WARN, "net: %s sent %zu bytes after its STARTTLS reply; disconnecting",
               s->peer, early);
        tm_error_set(err, TM_ETLS,
                     _("%s sent data after its STARTTLS reply (possible response injection); "
                       "the connection was closed"),
                     s->peer);
        return make_dead(s, TM_ETLS, err ? err->message : "STARTTLS refused");
    }
    if (!s->top->ops->starttls)
        return tm_error_set(err, TM_ENOTSUP, _("%s: this stream cannot start TLS"), s->peer);
    struct tm_error local;
    tm_error_clear(&local);
    st = s->top->ops->starttls(s, &local);
    if (st) {
        make_dead(s, st, local.message);
        if (err)
            *err = local;
    }
    return st;
}

enum tm_status tm_stream_compress(struct tm_stream *s, struct tm_error *err)
{
    enum tm_status st = check_usable(s, err);
    if (st)
        return st;
    if (s->is_compressed)
        return tm_error_set(err, TM_ENOTSUP, _("%s: the connection is compressed already"),
                            s->peer);
    /* Unlike STARTTLS's, bytes after the OK are fine: the server's first compressed ones. */
    struct tm_error local;
    tm_error_clear(&local);
    st = net_deflate_start(s, s->rbuf + s->rpos, s->rlen - s->rpos, &local);
    s->rpos = s->rlen = 0;
    if (st) {
        make_dead(s, st, local.message);
        if (err)
            *err = local;
        return st;
    }
    s->is_compressed = true;
    if (s->trace[0])
        tm_log(TM_LOG_DEBUG, "%s: compressed from here on (COMPRESS=DEFLATE)", s->trace);
    return TM_OK;
}

bool tm_stream_is_compressed(const struct tm_stream *s)
{
    return s->is_compressed;
}

/* One non-blocking read into the empty buffer for tm_stream_wait: *ready when bytes came. */
static enum tm_status wait_read(struct tm_stream *s, bool *ready, short *events,
                                struct tm_error *err)
{
    size_t got = 0;
    short want = 0;
    s->rpos = s->rlen = 0;
    enum tm_status st = s->top->ops->read(s->top, s->rbuf, NET_RBUF_SIZE, &got, &want, err);
    if (st)
        return st;
    if (!got && !want)
        return tm_error_set(err, TM_ENET, _("%s: connection closed by the server"), s->peer);
    s->rlen = got;
    *ready = got > 0;
    *events = want ? want : POLLIN;
    return TM_OK;
}

enum tm_status tm_stream_wait(struct tm_stream *s, int timeout_ms, int wake_fd,
                              enum tm_wait *result, struct tm_error *err)
{
    enum tm_status st = check_usable(s, err);
    if (st)
        return st;
    *result = TM_WAIT_DATA;
    if (tm_stream_buffered(s) > 0)
        return TM_OK;
    if (s->top->ops->wait)
        return s->top->ops->wait(s->top, wake_fd, result, err);
    int64_t deadline = timeout_ms < 0 ? INT64_MAX : net_now_ms() + timeout_ms;
    short events = POLLIN;
    bool ready = false;
    for (;;) {
        /* TLS may hold records already read off the socket (read-ahead), which poll cannot
         * see: they are read first, every round (one may be a ticket with more behind it). */
        if (layer_pending(s) > 0) {
            st = wait_read(s, &ready, &events, err);
            if (st || ready)
                return st;
        }
        if (s->cancel && *s->cancel)
            return canceled(err);
        int64_t left = deadline - net_now_ms();
        if (left <= 0) {
            *result = TM_WAIT_TIMEOUT;
            return TM_OK;
        }
        struct pollfd p[2] = {{.fd = s->top->fd, .events = events},
                              {.fd = wake_fd, .events = POLLIN}};
        int r = poll(p, wake_fd >= 0 ? 2 : 1, left < NET_SLICE_MS ? (int)left : NET_SLICE_MS);
        if (r < 0 && errno != EINTR)
            return tm_error_errno(err, TM_ENET, errno, _("%s: cannot wait for the connection"),
                                  s->peer);
        if (r > 0 && p[0].revents) {
            /* Readable may only mean a TLS record without application data (a ticket). */
            st = wait_read(s, &ready, &events, err);
            if (st || ready)
                return st;
        }
        if (r > 0 && wake_fd >= 0 && p[1].revents) {
            *result = TM_WAIT_WOKEN;
            return TM_OK;
        }
    }
}
