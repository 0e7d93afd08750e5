/* test_deflate.c - COMPRESS=DEFLATE (RFC 4978) in the stream, against zlib itself on the server's
 * side: lines and literals inflated whatever the read boundaries (the switch included), writes
 * that zlib inflates completely after each call (sync flush) however the layer below splits
 * them, corrupt data, data after the final block, a decompression bomb stopped by the line cap,
 * timeouts, cancel and wait under compression, the trace in plain text, and a TCP server that
 * speaks deflate. */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include "server.h"
#include "src/net/private.h"
#include "tm_test.h"
#include "tmail/log.h"

/* ---- the layer under the compression: plays the server's bytes, keeps the client's ---- */

struct pipe_layer {
    struct net_layer base;
    const unsigned char *data; /* what the server sends (borrowed) */
    size_t len, pos;
    size_t first;  /* the first read returns at most this many bytes; 0: no limit */
    size_t chunk;  /* every later read at most this many; 0: no limit */
    size_t wchunk; /* one write takes at most this many; 0: all it is given */
    bool stall;    /* every other call moves nothing and asks for a poll */
    bool endless;  /* after data, wait for more instead of reporting the end of input */
    unsigned calls;
    int pipe_w;         /* write end of the pipe whose read end is base.fd (endless); -1 */
    struct tm_buf sent; /* what the client wrote */
};

static enum tm_status pipe_read(struct net_layer *l, void *buf, size_t cap, size_t *got,
                                short *want, struct tm_error *err)
{
    struct pipe_layer *p = (struct pipe_layer *)l;
    (void)err;
    *got = 0;
    if (p->stall && (p->calls++ & 1) == 0) {
        *want = POLLIN;
        return TM_OK;
    }
    size_t n = p->len - p->pos;
    size_t most = p->pos == 0 && p->first ? p->first : p->chunk;
    if (most && n > most)
        n = most;
    if (n > cap)
        n = cap;
    if (!n) {
        *want = p->endless ? POLLIN : 0;
        return TM_OK;
    }
    memcpy(buf, p->data + p->pos, n);
    p->pos += n;
    *got = n;
    return TM_OK;
}

static enum tm_status pipe_write(struct net_layer *l, const void *data, size_t len, size_t *put,
                                 short *want, struct tm_error *err)
{
    struct pipe_layer *p = (struct pipe_layer *)l;
    *put = 0;
    if (p->stall && (p->calls++ & 1) == 0) {
        *want = POLLOUT;
        return TM_OK;
    }
    size_t n = p->wchunk && len > p->wchunk ? p->wchunk : len;
    if (tm_buf_append(&p->sent, data, n))
        return tm_error_set(err, TM_ENOMEM, "out of memory");
    *put = n;
    return TM_OK;
}

static void pipe_free(struct net_layer *l)
{
    struct pipe_layer *p = (struct pipe_layer *)l;
    close(p->base.fd);
    if (p->pipe_w >= 0)
        close(p->pipe_w);
    tm_buf_cleanup(&p->sent);
    free(p);
}

static const struct net_layer_ops pipe_ops = {
    .read = pipe_read, .write = pipe_write, .free = pipe_free};

/* A stream to "imap.example:143" over a pipe layer playing data[0..len). Endless streams poll a
 * pipe that never becomes readable; the others poll /dev/null, which always is ready. */
static struct tm_stream *pipe_stream(const void *data, size_t len, bool endless,
                                     struct pipe_layer **out)
{
    struct tm_stream *s = net_stream_new("imap.example", 143);
    struct pipe_layer *p = calloc(1, sizeof(*p));
    int fds[2] = {-1, -1};
    if (!s || !p || (endless ? pipe(fds) : (fds[0] = open("/dev/null", O_RDWR))) < 0) {
        free(p);
        tm_stream_close(&s);
        return NULL;
    }
    p->base = (struct net_layer){.ops = &pipe_ops, .stream = s, .fd = fds[0]};
    p->pipe_w = fds[1];
    p->data = data;
    p->len = len;
    p->endless = endless;
    tm_buf_init(&p->sent, 0);
    s->top = &p->base;
    *out = p;
    return s;
}

/* ---- zlib on the server's side ---- */

/* Appends the raw deflate of text[0..len) to out; flush as a server uses it after a response. */
static void zput(z_stream *z, struct tm_buf *out, const void *text, size_t len, int flush)
{
    unsigned char tmp[4096];
    z->next_in = (Bytef *)(uintptr_t)text;
    z->avail_in = (uInt)len;
    do {
        z->next_out = tmp;
        z->avail_out = sizeof(tmp);
        deflate(z, flush);
        tm_buf_append(out, tmp, sizeof(tmp) - z->avail_out);
    } while (z->avail_in > 0 || z->avail_out == 0);
}

static void zserver_init(z_stream *z, int level)
{
    memset(z, 0, sizeof(*z));
    deflateInit2(z, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
}

/* Inflates in[0..n) into out; false when zlib finds the data corrupt. */
static bool zinflate(z_stream *z, struct tm_buf *out, const void *in, size_t n)
{
    unsigned char tmp[4096];
    z->next_in = (Bytef *)(uintptr_t)in;
    z->avail_in = (uInt)n;
    do {
        z->next_out = tmp;
        z->avail_out = sizeof(tmp);
        int r = inflate(z, Z_SYNC_FLUSH);
        if (r != Z_OK && r != Z_BUF_ERROR)
            return false;
        tm_buf_append(out, tmp, sizeof(tmp) - z->avail_out);
    } while (z->avail_in > 0 || z->avail_out == 0);
    return true;
}

static const char plain_part[] = "* OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] ready\r\n"
                                 "a1 OK DEFLATE active\r\n";
#define LITERAL_LEN 300

/* The literal: every byte value, CR, LF and NUL included. */
static void make_literal(char *lit)
{
    for (size_t i = 0; i < LITERAL_LEN; i++)
        lit[i] = (char)(i * 7 + 3);
}

/* A session's server bytes: the plain greeting and OK, then compressed responses (a FETCH with
 * a literal, EXISTS, a tagged OK ended by a bare LF), each followed by a sync flush. */
static void make_session(struct tm_buf *wire)
{
    char lit[LITERAL_LEN];
    z_stream z;
    make_literal(lit);
    tm_buf_init(wire, 0);
    tm_buf_append_str(wire, plain_part);
    zserver_init(&z, 6);
    const char *fetch = "* 1 FETCH (UID 7 BODY[] {300}\r\n";
    zput(&z, wire, fetch, strlen(fetch), Z_NO_FLUSH);
    zput(&z, wire, lit, sizeof(lit), Z_NO_FLUSH);
    zput(&z, wire, ")\r\n", 3, Z_SYNC_FLUSH);
    zput(&z, wire, "* 2 EXISTS\r\n", 12, Z_SYNC_FLUSH);
    zput(&z, wire, "a2 OK bare LF\n", 14, Z_SYNC_FLUSH);
    deflateEnd(&z);
}

/* Reads the session of make_session through s; false (with the failure recorded) on a
 * difference. */
static bool read_session(struct tm_stream *s, const char *what)
{
    static const char *const after[] = {"* 2 EXISTS", "a2 OK bare LF"};
    char lit[LITERAL_LEN], got[LITERAL_LEN];
    struct tm_error err;
    struct tm_buf line;
    bool ok = false;
    make_literal(lit);
    tm_buf_init(&line, 0);
    if (tm_stream_read_line(s, &line, 200, &err) || strstr(line.data, "COMPRESS=DEFLATE") == NULL)
        goto out;
    tm_buf_reset(&line);
    if (tm_stream_read_line(s, &line, 200, &err) || strcmp(line.data, "a1 OK DEFLATE active"))
        goto out;
    if (tm_stream_compress(s, &err) || !tm_stream_is_compressed(s))
        goto out;
    tm_buf_reset(&line);
    if (tm_stream_read_line(s, &line, 200, &err) ||
        strcmp(line.data, "* 1 FETCH (UID 7 BODY[] {300}") != 0)
        goto out;
    if (tm_stream_read_exact(s, got, sizeof(got), &err) || memcmp(got, lit, sizeof(lit)) != 0)
        goto out;
    tm_buf_reset(&line);
    if (tm_stream_read_line(s, &line, 200, &err) || strcmp(line.data, ")") != 0)
        goto out;
    for (size_t i = 0; i < 2; i++) {
        tm_buf_reset(&line);
        if (tm_stream_read_line(s, &line, 200, &err) || strcmp(line.data, after[i]) != 0)
            goto out;
    }
    ok = tm_stream_read_line(s, &line, 200, &err) == TM_ENET; /* and then the end */
out:
    if (!ok)
        tm_test_fail(__FILE__, __LINE__, "%s: line \"%s\", error \"%s\"", what,
                     line.data ? line.data : "", err.message);
    tm_buf_cleanup(&line);
    return ok;
}

TM_TEST(deflate_reads_lines_and_a_literal_whatever_the_first_read_holds)
{
    struct tm_buf wire;
    make_session(&wire);
    /* The first read ends at every byte: before, at and after the end of the OK line, so the
     * compressed bytes come with it (and must be handed to the inflater) or after it. */
    for (size_t first = 1; first <= wire.len; first++) {
        for (size_t later = 0; later < 3; later++) {
            struct pipe_layer *p;
            struct tm_stream *s = pipe_stream(wire.data, wire.len, false, &p);
            TM_CHECK(s != NULL);
            p->first = first;
            p->chunk = later == 0 ? 0 : later == 1 ? 1 : 7;
            p->stall = later == 2;
            char what[64];
            snprintf(what, sizeof(what), "first read %zu, then %zu", first, p->chunk);
            bool ok = read_session(s, what);
            tm_stream_close(&s);
            TM_CHECK(ok);
        }
    }
    tm_buf_cleanup(&wire);
}

TM_TEST(deflate_reads_in_chunks_of_every_size)
{
    struct tm_buf wire;
    make_session(&wire);
    for (size_t chunk = 1; chunk <= wire.len; chunk++) {
        struct pipe_layer *p;
        struct tm_stream *s = pipe_stream(wire.data, wire.len, false, &p);
        TM_CHECK(s != NULL);
        p->chunk = chunk;
        char what[64];
        snprintf(what, sizeof(what), "reads of %zu", chunk);
        bool ok = read_session(s, what);
        tm_stream_close(&s);
        TM_CHECK(ok);
    }
    tm_buf_cleanup(&wire);
}

/* Text that compresses, but not to nothing: lines of pseudo-random words. */
static void make_text(char *text, size_t n)
{
    static const char *const words[] = {"alpha ", "beta ",  "gamma ", "delta ",  "mail ",
                                        "IMAP ",  "tmail ", "zlib ",  "window ", "flush "};
    unsigned x = 12345;
    size_t i = 0;
    while (i < n) {
        x = x * 1103515245u + 12345u;
        const char *w = (x >> 16) % 13 == 0 ? "\r\n" : words[(x >> 16) % 10];
        for (; *w && i < n; w++)
            text[i++] = *w;
        if (i < n && (x & 0x100))
            text[i++] = (char)('a' + (x >> 24) % 26);
    }
}

TM_TEST(deflate_writes_reach_the_server_whole_after_every_write)
{
    static const size_t wchunks[] = {0, 1, 2, 3, 5, 64, 1000};
    size_t big_len = 200 * 1024; /* more than one step of the layer */
    char *big = malloc(big_len);
    TM_CHECK(big != NULL);
    make_text(big, big_len);
    const char *cmds[] = {"a2 SELECT INBOX\r\n", "a3 APPEND INBOX {204800+}\r\n", big, "\r\n",
                          "a4 NOOP\r\n"};
    size_t lens[] = {strlen(cmds[0]), strlen(cmds[1]), big_len, 2, strlen(cmds[4])};
    for (size_t w = 0; w < sizeof(wchunks) / sizeof(wchunks[0]); w++) {
        for (int stall = 0; stall < 2; stall++) {
            struct pipe_layer *p;
            struct tm_stream *s = pipe_stream("", 0, false, &p);
            struct tm_error err;
            struct tm_buf plain, expect;
            z_stream z;
            size_t seen = 0;
            TM_CHECK(s != NULL);
            p->wchunk = wchunks[w];
            p->stall = stall;
            memset(&z, 0, sizeof(z));
            inflateInit2(&z, -15);
            tm_buf_init(&plain, 0);
            tm_buf_init(&expect, 0);
            TM_CHECK_INT(tm_stream_compress(s, &err), TM_OK);
            for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
                TM_CHECK_INT(tm_stream_write(s, cmds[i], lens[i], &err), TM_OK);
                tm_buf_append(&expect, cmds[i], lens[i]);
                /* Everything written so far inflates from what reached the server. */
                TM_CHECK(zinflate(&z, &plain, p->sent.data + seen, p->sent.len - seen));
                seen = p->sent.len;
                TM_CHECK_INT(plain.len, expect.len);
                TM_CHECK(memcmp(plain.data, expect.data, expect.len) == 0);
            }
            TM_CHECK(p->sent.len < expect.len / 2); /* and it was compressed */
            inflateEnd(&z);
            tm_buf_cleanup(&plain);
            tm_buf_cleanup(&expect);
            tm_stream_close(&s);
        }
    }
    free(big);
}

/* The stream after the plain part and "compressed" (any bytes), compression started; chunk
 * limits every read (0: none). */
static struct tm_stream *compressed_stream(struct tm_buf *wire, const void *compressed, size_t n,
                                           bool endless, size_t chunk, struct pipe_layer **p)
{
    struct tm_buf line;
    struct tm_error err;
    tm_buf_init(wire, 0);
    tm_buf_append_str(wire, plain_part);
    tm_buf_append(wire, compressed, n);
    struct tm_stream *s = pipe_stream(wire->data, wire->len, endless, p);
    if (s)
        (*p)->chunk = chunk;
    tm_buf_init(&line, 0);
    if (!s || tm_stream_read_line(s, &line, 200, &err) ||
        tm_stream_read_line(s, &line, 200, &err) || tm_stream_compress(s, &err))
        tm_stream_close(&s);
    tm_buf_cleanup(&line);
    return s;
}

TM_TEST(deflate_corrupt_data_is_a_protocol_error_naming_the_server)
{
    struct tm_buf good, wire, line;
    struct tm_error err;
    struct pipe_layer *p;
    z_stream z;
    tm_buf_init(&good, 0);
    zserver_init(&z, 6);
    zput(&z, &good, "* 1 EXISTS\r\n", 12, Z_SYNC_FLUSH);
    deflateEnd(&z);
    /* 0xff starts a block of type 3, which does not exist. */
    tm_buf_append(&good, "\xff\xff\xff\xff", 4);
    for (size_t chunk = 0; chunk < 3; chunk++) {
        struct tm_stream *s = compressed_stream(&wire, good.data, good.len, false, chunk, &p);
        TM_CHECK(s != NULL);
        tm_buf_init(&line, 0);
        /* What came before the bad bytes is read; then the error, on every later read too. */
        TM_CHECK_INT(tm_stream_read_line(s, &line, 200, &err), TM_OK);
        TM_CHECK_STR(line.data, "* 1 EXISTS");
        for (int again = 0; again < 2; again++) {
            TM_CHECK_INT(tm_stream_read_line(s, &line, 200, &err), TM_EPROTO);
            TM_CHECK(strstr(err.message, "imap.example:143") != NULL);
            TM_CHECK(strstr(err.message, "corrupt compressed data") != NULL);
        }
        tm_buf_cleanup(&line);
        tm_buf_cleanup(&wire);
        tm_stream_close(&s);
    }
    /* Garbage right at the start fails the first read. */
    struct tm_stream *s = compressed_stream(&wire, "\x07garbage", 8, false, 0, &p);
    TM_CHECK(s != NULL);
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 200, &err), TM_EPROTO);
    TM_CHECK(strstr(err.message, "imap.example:143") != NULL);
    tm_buf_cleanup(&line);
    tm_buf_cleanup(&wire);
    tm_stream_close(&s);
    tm_buf_cleanup(&good);
}

TM_TEST(deflate_data_after_the_final_block_is_an_error)
{
    struct tm_buf comp, wire, line;
    struct tm_error err;
    struct pipe_layer *p;
    z_stream z;
    tm_buf_init(&comp, 0);
    zserver_init(&z, 6);
    zput(&z, &comp, "* 1 EXISTS\r\n", 12, Z_FINISH);
    deflateEnd(&z);
    tm_buf_append(&comp, "* 2 EXISTS\r\n", 12); /* plain text after the end */
    for (size_t chunk = 0; chunk < 2; chunk++) {
        struct tm_stream *s = compressed_stream(&wire, comp.data, comp.len, false, chunk, &p);
        TM_CHECK(s != NULL);
        tm_buf_init(&line, 0);
        TM_CHECK_INT(tm_stream_read_line(s, &line, 200, &err), TM_OK);
        TM_CHECK_STR(line.data, "* 1 EXISTS");
        TM_CHECK_INT(tm_stream_read_line(s, &line, 200, &err), TM_EPROTO);
        TM_CHECK(strstr(err.message, "after the end of its compressed stream") != NULL);
        tm_buf_cleanup(&line);
        tm_buf_cleanup(&wire);
        tm_stream_close(&s);
    }
    tm_buf_cleanup(&comp);
}

TM_TEST(deflate_bomb_stops_at_the_line_cap_and_the_literal_size)
{
    /* 64 MiB of 'a' without a line end: about 64 KiB compressed. */
    struct tm_buf bomb, wire, line;
    struct tm_error err;
    struct pipe_layer *p;
    z_stream z;
    static char block[64 * 1024];
    memset(block, 'a', sizeof(block));
    tm_buf_init(&bomb, 0);
    zserver_init(&z, 9);
    for (int i = 0; i < 1024; i++)
        zput(&z, &bomb, block, sizeof(block), Z_NO_FLUSH);
    zput(&z, &bomb, "", 0, Z_SYNC_FLUSH);
    deflateEnd(&z);
    TM_CHECK(bomb.len < 256 * 1024);

    struct tm_stream *s = compressed_stream(&wire, bomb.data, bomb.len, false, 4096, &p);
    TM_CHECK(s != NULL);
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 1024 * 1024, &err), TM_ELIMIT);
    /* About 1 MiB was inflated: a small part of the compressed bytes was ever read. */
    TM_CHECK(p->pos - (sizeof(plain_part) - 1) < bomb.len / 8);
    tm_buf_cleanup(&line);
    tm_buf_cleanup(&wire);
    tm_stream_close(&s);

    s = compressed_stream(&wire, bomb.data, bomb.len, false, 4096, &p);
    TM_CHECK(s != NULL);
    char lit[16];
    TM_CHECK_INT(tm_stream_read_exact(s, lit, sizeof(lit), &err), TM_OK);
    TM_CHECK(memcmp(lit, "aaaaaaaaaaaaaaaa", 16) == 0);
    TM_CHECK(p->pos - (sizeof(plain_part) - 1) <= 4096);
    tm_buf_cleanup(&wire);
    tm_stream_close(&s);
    tm_buf_cleanup(&bomb);
}

TM_TEST(deflate_end_of_input_is_a_closed_connection)
{
    struct tm_buf comp, wire, line;
    struct tm_error err;
    struct pipe_layer *p;
    z_stream z;
    tm_buf_init(&comp, 0);
    zserver_init(&z, 6);
    zput(&z, &comp, "* BYE\r\n* half a li", 18, Z_SYNC_FLUSH);
    deflateEnd(&z);
    struct tm_stream *s = compressed_stream(&wire, comp.data, comp.len, false, 0, &p);
    TM_CHECK(s != NULL);
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 200, &err), TM_OK);
    TM_CHECK_STR(line.data, "* BYE");
    tm_buf_reset(&line);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 200, &err), TM_ENET);
    TM_CHECK(strstr(err.message, "closed") != NULL);
    tm_buf_cleanup(&line);
    tm_buf_cleanup(&wire);
    tm_buf_cleanup(&comp);
    tm_stream_close(&s);
}

struct canceller {
    volatile int flag;
    int delay_ms;
};

static void *cancel_later(void *arg)
{
    struct canceller *c = arg;
    usleep((useconds_t)c->delay_ms * 1000);
    c->flag = 1;
    return NULL;
}

TM_TEST(deflate_keeps_the_timeout_and_the_cancel_flag)
{
    struct tm_buf wire, line;
    struct tm_error err;
    struct pipe_layer *p;
    /* Only a sync flush marker: compressed, but nothing to read. */
    struct tm_stream *s = compressed_stream(&wire, "\x00\x00\x00\xff\xff", 5, true, 0, &p);
    TM_CHECK(s != NULL);
    tm_buf_init(&line, 0);
    tm_stream_set_io_timeout(s, 150);
    int64_t start = net_now_ms();
    TM_CHECK_INT(tm_stream_read_line(s, &line, 200, &err), TM_ENET);
    int64_t took = net_now_ms() - start;
    TM_CHECK(strstr(err.message, "timed out") != NULL);
    TM_CHECK(took >= 140 && took < 1000);

    struct canceller c = {.flag = 0, .delay_ms = 100};
    pthread_t th;
    s->cancel = &c.flag;
    tm_stream_set_io_timeout(s, 20000);
    start = net_now_ms();
    TM_CHECK(pthread_create(&th, NULL, cancel_later, &c) == 0);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 200, &err), TM_ECANCELED);
    took = net_now_ms() - start;
    pthread_join(th, NULL);
    TM_CHECK(took >= 90 && took < 800);
    tm_buf_cleanup(&line);
    tm_buf_cleanup(&wire);
    tm_stream_close(&s);
}

TM_TEST(deflate_wait_sees_compressed_bytes_held_below_the_buffer)
{
    struct tm_buf comp, wire, line;
    struct tm_error err;
    struct pipe_layer *p;
    enum tm_wait w;
    z_stream z;
    tm_buf_init(&comp, 0);
    zserver_init(&z, 6);
    zput(&z, &comp, "* 3 EXISTS\r\n", 12, Z_SYNC_FLUSH);
    deflateEnd(&z);
    /* Read with the OK line, so they wait in the layer, not in the stream's buffer. */
    struct tm_stream *s = compressed_stream(&wire, comp.data, comp.len, true, 0, &p);
    TM_CHECK(s != NULL);
    TM_CHECK_INT(tm_stream_buffered(s), 0);
    TM_CHECK_INT(tm_stream_wait(s, 0, -1, &w, &err), TM_OK);
    TM_CHECK_INT(w, TM_WAIT_DATA);
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 200, &err), TM_OK);
    TM_CHECK_STR(line.data, "* 3 EXISTS");
    TM_CHECK_INT(tm_stream_wait(s, 50, -1, &w, &err), TM_OK);
    TM_CHECK_INT(w, TM_WAIT_TIMEOUT);
    tm_buf_cleanup(&line);
    tm_buf_cleanup(&wire);
    tm_stream_close(&s);

    /* A flush marker alone is no data. */
    s = compressed_stream(&wire, "\x00\x00\x00\xff\xff", 5, true, 0, &p);
    TM_CHECK(s != NULL);
    TM_CHECK_INT(tm_stream_wait(s, 50, -1, &w, &err), TM_OK);
    TM_CHECK_INT(w, TM_WAIT_TIMEOUT);
    tm_buf_cleanup(&wire);
    tm_buf_cleanup(&comp);
    tm_stream_close(&s);
}

TM_TEST(deflate_starts_once_and_refuses_starttls_inside)
{
    struct tm_buf wire;
    struct tm_error err;
    struct pipe_layer *p;
    struct tm_stream *s = compressed_stream(&wire, "", 0, false, 0, &p);
    TM_CHECK(s != NULL);
    TM_CHECK_INT(tm_stream_compress(s, &err), TM_ENOTSUP);
    TM_CHECK_INT(tm_stream_starttls(s, &err), TM_ENOTSUP);
    TM_CHECK(tm_stream_is_compressed(s));
    tm_buf_cleanup(&wire);
    tm_stream_close(&s);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    static char text[8192];
    size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
    text[n] = 0;
    if (f)
        fclose(f);
    return text;
}

TM_TEST(deflate_trace_shows_plain_text)
{
    char path[300];
    struct tm_buf comp, wire, line;
    struct tm_error err;
    struct pipe_layer *p;
    z_stream z;
    snprintf(path, sizeof(path), "%s/deflate-trace.log", tm_test_tmpdir());
    tm_log_open(path, TM_LOG_DEBUG);
    tm_buf_init(&comp, 0);
    zserver_init(&z, 6);
    zput(&z, &comp, "a5 OK NOOP done\r\n", 17, Z_SYNC_FLUSH);
    deflateEnd(&z);
    tm_buf_init(&wire, 0);
    tm_buf_append_str(&wire, plain_part);
    tm_buf_append(&wire, comp.data, comp.len);
    struct tm_stream *s = pipe_stream(wire.data, wire.len, false, &p);
    TM_CHECK(s != NULL);
    snprintf(s->trace, sizeof(s->trace), "imap");
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 200, &err), TM_OK);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 200, &err), TM_OK);
    TM_CHECK_INT(tm_stream_compress(s, &err), TM_OK);
    TM_CHECK_INT(tm_stream_write(s, "a5 NOOP\r\n", 9, &err), TM_OK);
    tm_buf_reset(&line);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 200, &err), TM_OK);
    tm_stream_close(&s);
    tm_log_close();
    const char *log = read_file(path);
    TM_CHECK(strstr(log, "imap: compressed from here on") != NULL);
    TM_CHECK(strstr(log, "imap> a5 NOOP\n") != NULL);
    TM_CHECK(strstr(log, "imap< a5 OK NOOP done\n") != NULL);
    /* The totals at close: what the wire carried and what it meant. */
    char totals[200];
    snprintf(totals, sizeof(totals), "deflate: imap.example:143: received %zu bytes, 17 inflated",
             comp.len);
    TM_CHECK(strstr(log, totals) != NULL);
    tm_buf_cleanup(&line);
    tm_buf_cleanup(&wire);
    tm_buf_cleanup(&comp);
}

/* ---- a TCP server that speaks deflate after COMPRESS ---- */

/* Reads one inflated line (without CRLF) from fd; leftover inflated bytes stay in pending. */
static int zserver_read_line(int fd, z_stream *z, struct tm_buf *pending, char *line, size_t size)
{
    for (;;) {
        char *lf = pending->data ? memchr(pending->data, '\n', pending->len) : NULL;
        if (lf) {
            size_t n = (size_t)(lf - pending->data);
            size_t keep = n > 0 && pending->data[n - 1] == '\r' ? n - 1 : n;
            if (keep >= size)
                return -1;
            memcpy(line, pending->data, keep);
            line[keep] = 0;
            memmove(pending->data, lf + 1, pending->len - n - 1);
            pending->len -= n + 1;
            return 0;
        }
        unsigned char buf[512];
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        if (poll(&pf, 1, 5000) <= 0) /* the client did not flush: it never comes */
            return -1;
        ssize_t got = recv(fd, buf, sizeof(buf), 0);
        if (got <= 0 || !zinflate(z, pending, buf, (size_t)got))
            return -1;
    }
}

static void zserver_send(int fd, z_stream *z, const char *text)
{
    struct tm_buf out;
    tm_buf_init(&out, 0);
    zput(z, &out, text, strlen(text), Z_SYNC_FLUSH);
    server_send_bytes(fd, out.data, out.len);
    tm_buf_cleanup(&out);
}

static void serve_deflate(struct test_server *srv, int fd)
{
    char line[256];
    z_stream zin, zout;
    struct tm_buf pending, first;
    memset(&zin, 0, sizeof(zin));
    inflateInit2(&zin, -15);
    zserver_init(&zout, 1);
    tm_buf_init(&pending, 0);
    tm_buf_init(&first, 0);
    server_send(fd, "* OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] ready\r\n");
    if (server_read_line(fd, line, sizeof(line)) || strcmp(line, "a1 COMPRESS DEFLATE") != 0)
        goto out;
    /* The OK and the first compressed bytes in one segment. */
    tm_buf_append_str(&first, "a1 OK DEFLATE active\r\n");
    zput(&zout, &first, "* 1 EXISTS\r\n", 12, Z_SYNC_FLUSH);
    server_send_bytes(fd, first.data, first.len);
    for (int i = 2; i < 5; i++) {
        char want[32], reply[64];
        snprintf(want, sizeof(want), "a%d NOOP", i);
        if (zserver_read_line(fd, &zin, &pending, line, sizeof(line)) || strcmp(line, want) != 0)
            goto out;
        snprintf(reply, sizeof(reply), "* %d EXISTS\r\na%d OK NOOP done\r\n", i, i);
        zserver_send(fd, &zout, reply);
    }
    srv->result = 1;
out:
    inflateEnd(&zin);
    deflateEnd(&zout);
    tm_buf_cleanup(&pending);
    tm_buf_cleanup(&first);
    server_drain(fd);
}

TM_TEST(deflate_over_tcp_with_a_zlib_server)
{
    struct test_server srv;
    struct tm_stream *s = NULL;
    struct tm_error err;
    struct tm_buf line;
    TM_CHECK_INT(server_start(&srv, "127.0.0.1", serve_deflate), 0);
    struct tm_stream_opts o = {.host = "127.0.0.1", .port = srv.port, .io_timeout_ms = 10000};
    TM_CHECK_INT(tm_stream_connect(&o, &s, &err), TM_OK);
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 200, &err), TM_OK);
    TM_CHECK_INT(tm_stream_write(s, "a1 COMPRESS DEFLATE\r\n", 21, &err), TM_OK);
    tm_buf_reset(&line);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 200, &err), TM_OK);
    TM_CHECK_STR(line.data, "a1 OK DEFLATE active");
    TM_CHECK_INT(tm_stream_compress(s, &err), TM_OK);
    tm_buf_reset(&line);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 200, &err), TM_OK);
    TM_CHECK_STR(line.data, "* 1 EXISTS");
    for (int i = 2; i < 5; i++) {
        char cmd[32], want[64];
        snprintf(cmd, sizeof(cmd), "a%d NOOP\r\n", i);
        TM_CHECK_INT(tm_stream_write(s, cmd, strlen(cmd), &err), TM_OK);
        tm_buf_reset(&line);
        TM_CHECK_INT(tm_stream_read_line(s, &line, 200, &err), TM_OK);
        snprintf(want, sizeof(want), "* %d EXISTS", i);
        TM_CHECK_STR(line.data, want);
        tm_buf_reset(&line);
        TM_CHECK_INT(tm_stream_read_line(s, &line, 200, &err), TM_OK);
        snprintf(want, sizeof(want), "a%d OK NOOP done", i);
        TM_CHECK_STR(line.data, want);
    }
    tm_stream_close(&s);
    server_join(&srv);
    TM_CHECK_INT(srv.result, 1);
    tm_buf_cleanup(&line);
}
