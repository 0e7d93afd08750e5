/* scripted.c - the scripted stream of transcript tests: plays a server's lines and checks, byte
 * by byte, that the client sends exactly the lines the script expects (see tmail/net.h). */
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/net/private.h"
#include "tmail/array.h"
#include "tmail/i18n.h"

#define SHOW_MAX 160 /* bytes of a line quoted in an error */

enum item_kind { ITEM_SEND, ITEM_EXPECT, ITEM_STARTTLS, ITEM_CLOSE, ITEM_TIMEOUT, ITEM_PAUSE };

struct item {
    enum item_kind kind;
    int line;   /* in the script, from 1; 0 for raw streams */
    char *text; /* S: and C: bytes with their CRLF, owned */
    size_t len; /* of text; P: the pause in ms */
};

struct scripted_layer {
    struct net_layer base;
    struct item *items;
    size_t n_items, cap_items;
    size_t next;       /* the item being played */
    size_t matched;    /* bytes of items[next] (C:) the client already sent */
    struct tm_buf out; /* server bytes made readable; out.data[out_pos..out.len) not yet read */
    size_t out_pos;
    size_t chunk;          /* most bytes one read returns; 0: no limit */
    bool closed;           /* X: was played */
    enum tm_status failed; /* the first mismatch, repeated by every later call */
    char failure[512];
};

/* Appends text[0..len) to out as a C string literal body (\r, \n, \xNN), cut at SHOW_MAX. */
static void show(char *out, size_t size, const char *text, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len && i < SHOW_MAX && o + 5 < size; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\r' || c == '\n' || c == '\t')
            o += (size_t)snprintf(out + o, size - o, "\\%c",
                                  c == '\r'   ? 'r'
                                  : c == '\n' ? 'n'
                                              : 't');
        else if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
            o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
        else
            out[o++] = (char)c;
    }
    if (len > SHOW_MAX && o + 4 < size)
        o += (size_t)snprintf(out + o, size - o, "...");
    out[o] = 0;
}

/* What the script wants at item i, for messages: "line 4 \"C: a1 LOGIN ...\"". */
static void describe(const struct scripted_layer *sl, size_t i, char *out, size_t size)
{
    static const char *const prefix[] = {"S", "C", "T", "X", "W", "P"};
    char body[4 * SHOW_MAX + 8] = "";
    if (i >= sl->n_items) {
        snprintf(out, size, "the end of the script");
        return;
    }
    const struct item *it = &sl->items[i];
    if (it->kind == ITEM_SEND || it->kind == ITEM_EXPECT)
        show(body, sizeof(body), it->text, it->len >= 2 ? it->len - 2 : it->len);
    else if (it->kind == ITEM_PAUSE)
        snprintf(body, sizeof(body), "%zu", it->len);
    snprintf(out, size, "line %d \"%s:%s%s\"", it->line, prefix[it->kind], body[0] ? " " : "",
             body);
}

__attribute__((format(printf, 3, 4))) static enum tm_status
fail(struct scripted_layer *sl, struct tm_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sl->failure, sizeof(sl->failure), fmt, ap);
    va_end(ap);
    sl->failed = TM_EPROTO;
    return tm_error_set(err, TM_EPROTO, "%s", sl->failure);
}

static enum tm_status repeat_failure(const struct scripted_layer *sl, struct tm_error *err)
{
    return tm_error_set(err, sl->failed, "%s", sl->failure);
}

/* Makes every consecutive S: item readable at once. */
static enum tm_status release_server_lines(struct scripted_layer *sl, struct tm_error *err)
{
    tm_buf_reset(&sl->out);
    sl->out_pos = 0;
    while (sl->next < sl->n_items && sl->items[sl->next].kind == ITEM_SEND) {
        const struct item *it = &sl->items[sl->next++];
        if (tm_buf_append(&sl->out, it->text, it->len))
            return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    }
    return TM_OK;
}

static enum tm_status scripted_read(struct net_layer *l, void *buf, size_t cap, size_t *got,
                                    short *want, struct tm_error *err)
{
    struct scripted_layer *sl = (struct scripted_layer *)l;
    char what[4 * SHOW_MAX + 40];
    (void)want;
    if (sl->failed)
        return repeat_failure(sl, err);
    while (sl->out_pos == sl->out.len && !sl->closed && sl->next < sl->n_items &&
           sl->items[sl->next].kind == ITEM_PAUSE) { /* a slow server: the read waits */
        size_t ms = sl->items[sl->next++].len;
        struct timespec pause = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
        nanosleep(&pause, NULL);
    }
    if (sl->out_pos == sl->out.len && !sl->closed) {
        const struct item *it = sl->next < sl->n_items ? &sl->items[sl->next] : NULL;
        describe(sl, sl->next, what, sizeof(what));
        if (!it)
            return fail(sl, err, "transcript: the client reads, but the script has ended");
        if (it->kind == ITEM_CLOSE) {
            sl->next++;
            sl->closed = true;
        } else if (it->kind == ITEM_TIMEOUT) {
            sl->next++;
            return tm_error_set(err, TM_ENET, _("%s: timed out after %d ms without progress"),
                                l->stream->peer, l->stream->io_timeout_ms);
        } else if (it->kind != ITEM_SEND) {
            return fail(sl, err, "transcript %s: expected the client to %s, but it reads", what,
                        it->kind == ITEM_STARTTLS ? "start TLS" : "send");
        } else if (release_server_lines(sl, err)) {
            return TM_ENOMEM;
        }
    }
    size_t n = sl->out.len - sl->out_pos;
    if (n > cap)
        n = cap;
    if (sl->chunk && n > sl->chunk)
        n = sl->chunk;
    if (n)
        memcpy(buf, sl->out.data + sl->out_pos, n);
    sl->out_pos += n;
    *got = n; /* 0 after X: is the end of input */
    return TM_OK;
}

/* The client's line so far (matched bytes of the expected line, then what it writes now, up to
 * its first LF), quoted into out. */
static void client_line(const struct scripted_layer *sl, const char *data, size_t len, char *out,
                        size_t size)
{
    char line[SHOW_MAX + 2];
    size_t n = 0;
    if (sl->next < sl->n_items && sl->items[sl->next].kind == ITEM_EXPECT) {
        n = sl->matched < SHOW_MAX ? sl->matched : SHOW_MAX;
        memcpy(line, sl->items[sl->next].text, n);
    }
    for (size_t i = 0; i < len && n < SHOW_MAX + 1; i++) {
        line[n++] = data[i];
        if (data[i] == '\n')
            break;
    }
    show(out, size, line, n);
}

static enum tm_status scripted_write(struct net_layer *l, const void *data, size_t len, size_t *put,
                                     short *want, struct tm_error *err)
{
    struct scripted_layer *sl = (struct scripted_layer *)l;
    const char *p = data;
    char what[4 * SHOW_MAX + 40], sent[4 * SHOW_MAX + 8];
    (void)want;
    if (sl->failed)
        return repeat_failure(sl, err);
    if (sl->closed)
        return tm_error_set(err, TM_ENET, _("%s: connection closed by the server"),
                            l->stream->peer);
    for (size_t off = 0; off < len;) {
        const struct item *it = sl->next < sl->n_items ? &sl->items[sl->next] : NULL;
        size_t n = it ? it->len - sl->matched : 0;
        n = n < len - off ? n : len - off;
        if (!it || it->kind != ITEM_EXPECT || memcmp(it->text + sl->matched, p + off, n) != 0) {
            describe(sl, sl->next, what, sizeof(what));
            client_line(sl, p + off, len - off, sent, sizeof(sent));
            return fail(sl, err, "transcript %s: expected %s, but the client sent \"%s\"", what,
                        !it                         ? "nothing more"
                        : it->kind == ITEM_EXPECT   ? "that line"
                        : it->kind == ITEM_STARTTLS ? "STARTTLS to begin"
                        : it->kind == ITEM_SEND     ? "the server to speak first"
                                                    : "the server to close or stall",
                        sent);
        }
        off += n;
        sl->matched += n;
        if (sl->matched == it->len) {
            sl->next++;
            sl->matched = 0;
        }
    }
    *put = len;
    return TM_OK;
}

static size_t scripted_pending(const struct net_layer *l)
{
    const struct scripted_layer *sl = (const struct scripted_layer *)l;
    return sl->out.len - sl->out_pos;
}

static enum tm_status scripted_starttls(struct tm_stream *s, struct tm_error *err)
{
    struct scripted_layer *sl = (struct scripted_layer *)s->top;
    char what[4 * SHOW_MAX + 40];
    if (sl->failed)
        return repeat_failure(sl, err);
    if (sl->next >= sl->n_items || sl->items[sl->next].kind != ITEM_STARTTLS || sl->matched) {
        describe(sl, sl->next, what, sizeof(what));
        return fail(sl, err, "transcript %s: expected that, but the client starts TLS", what);
    }
    sl->next++;
    s->is_tls = true;
    return TM_OK;
}

static enum tm_status scripted_wait(struct net_layer *l, int wake_fd, enum tm_wait *result,
                                    struct tm_error *err)
{
    struct scripted_layer *sl = (struct scripted_layer *)l;
    if (sl->failed)
        return repeat_failure(sl, err);
    enum item_kind next = sl->next < sl->n_items ? sl->items[sl->next].kind : ITEM_EXPECT;
    struct pollfd p = {.fd = wake_fd, .events = POLLIN};
    if (scripted_pending(l) > 0 || sl->closed || next == ITEM_SEND || next == ITEM_CLOSE ||
        next == ITEM_PAUSE)
        *result = TM_WAIT_DATA;
    else if (wake_fd >= 0 && poll(&p, 1, 0) > 0)
        *result = TM_WAIT_WOKEN;
    else
        *result = TM_WAIT_TIMEOUT;
    if (*result == TM_WAIT_TIMEOUT && next == ITEM_TIMEOUT && sl->next < sl->n_items)
        sl->next++;
    return TM_OK;
}

static void scripted_free(struct net_layer *l)
{
    struct scripted_layer *sl = (struct scripted_layer *)l;
    if (!sl)
        return;
    for (size_t i = 0; i < sl->n_items; i++)
        free(sl->items[i].text);
    free(sl->items);
    tm_buf_cleanup(&sl->out);
    free(sl);
}

static const struct net_layer_ops scripted_ops = {
    .read = scripted_read,
    .write = scripted_write,
    .pending = scripted_pending,
    .starttls = scripted_starttls,
    .wait = scripted_wait,
    .free = scripted_free,
};

static enum tm_status add_item(struct scripted_layer *sl, enum item_kind kind, int line,
                               const char *text, size_t len, bool crlf)
{
    if (TM_ARRAY_RESERVE(sl->items, sl->n_items, sl->cap_items, 32))
        return TM_ENOMEM;
    struct item *it = &sl->items[sl->n_items];
    *it = (struct item){.kind = kind, .line = line};
    if (kind == ITEM_SEND || kind == ITEM_EXPECT) {
        it->len = len + (crlf ? 2 : 0);
        it->text = malloc(it->len ? it->len : 1);
        if (!it->text)
            return TM_ENOMEM;
        if (len)
            memcpy(it->text, text, len);
        if (crlf)
            memcpy(it->text + len, "\r\n", 2);
    }
    sl->n_items++;
    return TM_OK;
}

/* A stream over a new empty scripted layer, named "transcript" in messages. */
static enum tm_status new_scripted(struct tm_stream **out, struct scripted_layer **sl_out,
                                   struct tm_error *err)
{
    struct tm_stream *s = net_stream_new("transcript", 0);
    struct scripted_layer *sl = calloc(1, sizeof(*sl));
    *out = NULL;
    if (!s || !sl) {
        free(sl);
        tm_stream_close(&s);
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    }
    snprintf(s->peer, sizeof(s->peer), "transcript");
    tm_buf_init(&sl->out, 0);
    sl->base = (struct net_layer){.ops = &scripted_ops, .stream = s, .fd = -1};
    s->top = &sl->base;
    *out = s;
    *sl_out = sl;
    return TM_OK;
}

/* Parses one script line into an item. */
static enum tm_status parse_line(struct scripted_layer *sl, const char *p, size_t n, int line,
                                 struct tm_error *err)
{
    static const char kinds[] = "SCTXWP";
    if (n && p[n - 1] == '\r')
        n--;
    if (n == 0)
        return TM_OK;
    const char *k = n >= 2 && p[1] == ':' ? strchr(kinds, p[0]) : NULL;
    if (!k || !*k)
        return tm_error_set(err, TM_EPARSE,
                            "transcript line %d: expected \"S: \", \"C: \", \"T:\", \"X:\", "
                            "\"W:\" or \"P: \"",
                            line);
    enum item_kind kind = (enum item_kind)(k - kinds);
    size_t skip = n > 2 && p[2] == ' ' ? 3 : 2;
    if (kind == ITEM_PAUSE) {
        char *end = NULL;
        char num[16] = "";
        if (n - skip < sizeof(num))
            memcpy(num, p + skip, n - skip);
        unsigned long ms = num[0] >= '0' && num[0] <= '9' ? strtoul(num, &end, 10) : 0;
        if (!end || *end || ms > 60000)
            return tm_error_set(err, TM_EPARSE,
                                "transcript line %d: \"P:\" takes milliseconds (0-60000)", line);
        if (add_item(sl, ITEM_PAUSE, line, NULL, 0, false))
            return tm_error_set(err, TM_ENOMEM, _("out of memory"));
        sl->items[sl->n_items - 1].len = ms;
        return TM_OK;
    }
    if (kind != ITEM_SEND && kind != ITEM_EXPECT && n > 2)
        return tm_error_set(err, TM_EPARSE, "transcript line %d: nothing may follow \"%c:\"", line,
                            p[0]);
    if (add_item(sl, kind, line, p + skip, n - skip, true))
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    return TM_OK;
}

enum tm_status tm_stream_scripted_new(const char *script, struct tm_stream **out,
                                      struct tm_error *err)
{
    struct scripted_layer *sl = NULL;
    enum tm_status st = new_scripted(out, &sl, err);
    int line = 1;
    for (const char *p = script; st == TM_OK && *p; line++) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        st = parse_line(sl, p, n, line, err);
        p += nl ? n + 1 : n;
    }
    if (st)
        tm_stream_close(out);
    return st;
}

enum tm_status net_scripted_new_raw(const void *bytes, size_t len, size_t chunk,
                                    struct tm_stream **out, struct tm_error *err)
{
    struct scripted_layer *sl = NULL;
    enum tm_status st = new_scripted(out, &sl, err);
    if (st)
        return st;
    sl->chunk = chunk;
    if (add_item(sl, ITEM_SEND, 0, bytes, len, false) ||
        add_item(sl, ITEM_CLOSE, 0, NULL, 0, false)) {
        tm_stream_close(out);
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    }
    return TM_OK;
}

void net_scripted_set_chunk(struct tm_stream *s, size_t chunk)
{
    if (s->top && s->top->ops == &scripted_ops)
        ((struct scripted_layer *)s->top)->chunk = chunk;
}

enum tm_status tm_stream_scripted_finish(struct tm_stream *s, struct tm_error *err)
{
    char what[4 * SHOW_MAX + 40], unread[4 * SHOW_MAX + 8];
    if (!s->top || s->top->ops != &scripted_ops)
        return tm_error_set(err, TM_EPROTO, "transcript: not a scripted stream");
    struct scripted_layer *sl = (struct scripted_layer *)s->top;
    if (sl->failed)
        return repeat_failure(sl, err);
    size_t left = tm_stream_buffered(s) + scripted_pending(s->top);
    if (left) {
        /* Unread server bytes sit in the stream buffer first, then in the layer. */
        size_t in_buf = tm_stream_buffered(s);
        show(unread, sizeof(unread),
             in_buf ? (const char *)s->rbuf + s->rpos : sl->out.data + sl->out_pos,
             in_buf ? in_buf : scripted_pending(s->top));
        return tm_error_set(err, TM_EPROTO,
                            "transcript: the client left %zu bytes from the server unread: \"%s\"",
                            left, unread);
    }
    if (sl->next < sl->n_items) {
        describe(sl, sl->next, what, sizeof(what));
        return tm_error_set(err, TM_EPROTO, "transcript: not played from %s on (%zu of %zu left)",
                            what, sl->n_items - sl->next, sl->n_items);
    }
    return TM_OK;
}
