/* fuzz_inflate.c - libFuzzer target for what an IMAP server sends after COMPRESS DEFLATE (RFC
 * 4978), read through the stream's inflater and the IMAP response reader. The first byte picks
 * the mode and the read size. Raw mode: the rest are the server's compressed bytes, arriving
 * right behind its OK line (any error is fine, a crash or a leak is not). Zlib mode: the rest is
 * plain server text that zlib compresses (a sync flush after every line when the mode byte says
 * so), and every response read through the inflater must equal the one read from the plain text,
 * and the reads must end the same way. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "src/backend/imap/imap_proto.h"
#include "src/net/private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_RESPONSES 2000

static const char ok_line[] = "a1 OK DEFLATE active\r\n";

static enum tm_status stream_line(void *ctx, struct tm_buf *line, size_t max, struct tm_error *err)
{
    return tm_stream_read_line(ctx, line, max, err);
}

static enum tm_status stream_exact(void *ctx, void *buf, size_t n, struct tm_error *err)
{
    return tm_stream_read_exact(ctx, buf, n, err);
}

static const struct imap_limits limits = {
    .max_line = 1 << 16, .max_literal = 1 << 20, .max_response = 4 << 20, .max_items = 100000};

/* The raw deflate of text[0..n), with a sync flush after each LF when per_line. */
static void compress_text(const uint8_t *text, size_t n, bool per_line, struct tm_buf *out)
{
    z_stream z;
    unsigned char tmp[4096];
    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        abort();
    size_t pos = 0;
    while (pos < n) {
        const uint8_t *lf = per_line ? memchr(text + pos, '\n', n - pos) : NULL;
        size_t piece = lf ? (size_t)(lf - (text + pos)) + 1 : n - pos;
        z.next_in = (Bytef *)(uintptr_t)(text + pos);
        z.avail_in = (uInt)piece;
        int flush = lf || pos + piece == n ? Z_SYNC_FLUSH : Z_NO_FLUSH;
        do {
            z.next_out = tmp;
            z.avail_out = sizeof(tmp);
            deflate(&z, flush);
            if (tm_buf_append(out, tmp, sizeof(tmp) - z.avail_out))
                abort();
        } while (z.avail_in > 0 || z.avail_out == 0);
        pos += piece;
    }
    deflateEnd(&z);
}

/* A stream whose server sent the OK line, then wire[0..n), in reads of chunk bytes; compression
 * is started as the IMAP session does. NULL when the fixture itself fails. */
static struct tm_stream *stream_after_ok(const void *wire, size_t n, size_t chunk)
{
    struct tm_buf all, line;
    struct tm_stream *s = NULL;
    tm_buf_init(&all, 0);
    tm_buf_init(&line, 0);
    if (tm_buf_append_str(&all, ok_line) || tm_buf_append(&all, wire, n) ||
        net_scripted_new_raw(all.data, all.len, chunk, &s, NULL) ||
        tm_stream_read_line(s, &line, 100, NULL) || strcmp(line.data, "a1 OK DEFLATE active") ||
        tm_stream_compress(s, NULL))
        abort();
    tm_buf_cleanup(&all);
    tm_buf_cleanup(&line);
    return s;
}

static bool same_value(const struct imap_value *a, const struct imap_value *b)
{
    if (a->type != b->type || a->len != b->len || a->n != b->n || a->num != b->num ||
        a->literal != b->literal)
        return false;
    if (a->len && memcmp(a->str, b->str, a->len) != 0)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (!same_value(&a->items[i], &b->items[i]))
            return false;
    return true;
}

static bool same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool same_response(const struct imap_response *a, const struct imap_response *b)
{
    if (a->kind != b->kind || a->cond != b->cond || !same_str(a->tag, b->tag) ||
        !same_str(a->code, b->code) || !same_str(a->text, b->text) ||
        !same_str(a->keyword, b->keyword) || a->has_number != b->has_number ||
        a->number != b->number || a->n_args != b->n_args || a->n_code_args != b->n_code_args)
        return false;
    for (size_t i = 0; i < a->n_args; i++)
        if (!same_value(&a->args[i], &b->args[i]))
            return false;
    for (size_t i = 0; i < a->n_code_args; i++)
        if (!same_value(&a->code_args[i], &b->code_args[i]))
            return false;
    return true;
}

/* Arbitrary compressed bytes: whatever happens must be an error or a response, never a crash. */
static void raw_mode(const uint8_t *data, size_t size, size_t chunk)
{
    struct imap_parser *p = NULL;
    struct imap_response r;
    struct tm_stream *s = stream_after_ok(data, size, chunk);
    if (imap_parser_new(&limits, &p, NULL))
        abort();
    struct imap_source src = {s, stream_line, stream_exact};
    enum tm_status st = TM_OK;
    for (int i = 0; i < MAX_RESPONSES && st == TM_OK; i++)
        st = imap_read_response(p, &src, &r, NULL);
    /* A corrupt stream stays failed: no later read may succeed on whatever follows. */
    if (st == TM_EPROTO && tm_stream_is_compressed(s) &&
        imap_read_response(p, &src, &r, NULL) == TM_OK)
        abort();
    imap_parser_free(&p);
    tm_stream_close(&s);
}

/* Plain text through a real deflater: the same responses as read straight from the text. */
static void zlib_mode(const uint8_t *data, size_t size, size_t chunk, bool per_line)
{
    struct tm_buf wire;
    struct imap_parser *plain = NULL, *inflated = NULL;
    struct imap_memsource m;
    struct imap_response a, b;
    tm_buf_init(&wire, 0);
    compress_text(data, size, per_line, &wire);
    struct tm_stream *s = stream_after_ok(wire.data ? wire.data : "", wire.len, chunk);
    if (imap_parser_new(&limits, &plain, NULL) || imap_parser_new(&limits, &inflated, NULL))
        abort();
    imap_memsource_init(&m, (const char *)data, size, 0);
    struct imap_source from_text = imap_memsource_source(&m);
    struct imap_source from_stream = {s, stream_line, stream_exact};
    for (int i = 0; i < MAX_RESPONSES; i++) {
        enum tm_status sa = imap_read_response(plain, &from_text, &a, NULL);
        enum tm_status sb = imap_read_response(inflated, &from_stream, &b, NULL);
        if (sa != sb || (sa == TM_OK && !same_response(&a, &b)))
            abort();
        if (sa)
            break;
    }
    imap_parser_free(&plain);
    imap_parser_free(&inflated);
    tm_stream_close(&s);
    tm_buf_cleanup(&wire);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > (1 << 20))
        return 0;
    static const size_t chunks[] = {0, 1, 2, 3, 7, 64, 1000, 4096};
    uint8_t mode = data[0];
    size_t chunk = chunks[(mode >> 2) & 7];
    if (mode & 1)
        zlib_mode(data + 1, size - 1, chunk, mode & 2);
    else
        raw_mode(data + 1, size - 1, chunk);
    return 0;
}
