/* bench_tmail.c - parses and fully decodes every message of a corpus with tmail's MIME layer.
 *
 *     bench_tmail [-H] DIR
 *
 * Per message (read whole into one buffer reused for all messages): tm_mime_envelope_parse,
 * tm_mime_parse, then for every leaf of the tree:
 *   text/... but html   tm_mime_part_text (transfer decoding + charset conversion to UTF-8)
 *   text/html           tm_mime_part_decode, then the bench converts the charset with iconv the
 *                       way GMime's charset filter does (skipped for utf-8, us-ascii or none, as
 *                       g_mime_text_part_get_text skips it); with -H tm_mime_part_text instead,
 *                       which also turns the HTML into plain text (the pager's path: more work)
 *   anything else       tm_mime_part_decode
 * Nothing of a message is kept once the next one starts. Prints one line (bench_common.h). */
#include <iconv.h>
#include <strings.h>

#include "bench_common.h"
#include "tmail/buf.h"
#include "tmail/mime.h"
#include "tmail/status.h"

struct walk {
    const struct tm_mime_tree *tree;
    struct tm_buf out;
    struct bench_totals *t;
    int html_to_text;
};

/* A few iconv descriptors kept open, as GMime's iconv cache does. */
static struct {
    char name[64];
    iconv_t cd;
} cache[16];

static iconv_t cache_open(const char *charset)
{
    size_t i;
    for (i = 0; i < sizeof(cache) / sizeof(cache[0]) && cache[i].name[0]; i++) {
        if (strcasecmp(cache[i].name, charset) == 0) {
            iconv(cache[i].cd, NULL, NULL, NULL, NULL);
            return cache[i].cd;
        }
    }
    iconv_t cd = iconv_open("UTF-8", charset);
    if (cd != (iconv_t)-1 && i < sizeof(cache) / sizeof(cache[0])) {
        snprintf(cache[i].name, sizeof(cache[i].name), "%s", charset);
        cache[i].cd = cd;
    }
    return cd;
}

/* Converts in[0..len) to UTF-8 into out, an invalid byte costing one '?' (as GMime's filter). */
static enum tm_status to_utf8(struct tm_buf *out, const char *charset, const char *in, size_t len)
{
    iconv_t cd = cache_open(charset);
    if (cd == (iconv_t)-1)
        return tm_buf_append(out, in, len);
    char *ip = (char *)in;
    size_t ileft = len;
    enum tm_status st = TM_OK;
    while (st == TM_OK) {
        char chunk[4096], *op = chunk;
        size_t oleft = sizeof(chunk);
        size_t r = iconv(cd, ileft ? &ip : NULL, ileft ? &ileft : NULL, &op, &oleft);
        int e = errno;
        st = tm_buf_append(out, chunk, (size_t)(op - chunk));
        if (r != (size_t)-1 && ileft == 0)
            break;
        if (r == (size_t)-1 && e == E2BIG)
            continue;
        if (ileft == 0)
            break;
        st = st ? st : tm_buf_append_char(out, '?');
        ip++;
        ileft--;
    }
    return st;
}

static enum tm_status visit(const struct tm_mime_part *p, void *ctx)
{
    struct walk *w = ctx;
    if (!p->leaf)
        return TM_OK;
    struct tm_error err;
    enum tm_status st;
    bool text = strcmp(p->type, "text") == 0;
    tm_buf_reset(&w->out);
    w->t->leaves++;
    if (text && (w->html_to_text || strcmp(p->subtype, "html") != 0)) {
        st = tm_mime_part_text(w->tree, p, &w->out, &err);
    } else if (text && p->charset && strcasecmp(p->charset, "utf-8") != 0 &&
               strcasecmp(p->charset, "us-ascii") != 0) {
        struct tm_buf raw;
        tm_buf_init(&raw, TM_BUF_DEFAULT_LIMIT);
        st = tm_mime_part_decode(w->tree, p, &raw, &err);
        if (st == TM_OK)
            st = to_utf8(&w->out, p->charset, raw.data ? raw.data : "", raw.len);
        tm_buf_cleanup(&raw);
    } else {
        st = tm_mime_part_decode(w->tree, p, &w->out, &err);
    }
    if (st) {
        fprintf(stderr, "part %s: %s\n", p->path, tm_status_name(st));
        return TM_OK; /* counted as empty, like a part GMime cannot decode */
    }
    if (text) {
        w->t->text_leaves++;
        w->t->text_bytes += w->out.len;
    } else {
        w->t->binary_bytes += w->out.len;
    }
    bench_mix(w->t, (const unsigned char *)w->out.data, w->out.len);
    return TM_OK;
}

static size_t slen(const char *s)
{
    return s ? strlen(s) : 0;
}

int main(int argc, char **argv)
{
    int html_to_text = argc > 2 && strcmp(argv[1], "-H") == 0;
    if (argc != 2 + html_to_text) {
        fprintf(stderr, "usage: bench_tmail [-H] DIR\n");
        return 2;
    }
    char **files = bench_list(argv[1 + html_to_text]);
    struct bench_totals t = {0};
    struct walk w = {.t = &t, .html_to_text = html_to_text};
    tm_buf_init(&w.out, TM_BUF_DEFAULT_LIMIT);
    char *msg = NULL;
    size_t cap = 0;
    double start = bench_now(), cpu_start = bench_cpu();
    for (char **f = files; *f; f++) {
        size_t len = bench_read(*f, &msg, &cap);
        struct tm_error err;
        struct tm_envelope env;
        struct tm_mime_tree *tree = NULL;
        if (tm_mime_envelope_parse(msg, len, &env, &err) || tm_mime_parse(msg, len, &tree, &err)) {
            fprintf(stderr, "%s: %s\n", *f, err.message);
            return 1;
        }
        t.header_bytes += slen(env.subject) + slen(env.from_name) + slen(env.from_addr) +
                          slen(env.to) + slen(env.cc) + slen(env.message_id) +
                          slen(env.in_reply_to) + slen(env.references);
        t.hash ^= (uint64_t)env.date;
        w.tree = tree;
        tm_mime_tree_walk(tree, visit, &w);
        tm_mime_tree_free(&tree);
        tm_mime_envelope_cleanup(&env);
        t.messages++;
        t.input_bytes += len;
        if (len > t.largest)
            t.largest = len;
    }
    double seconds = bench_now() - start, cpu_seconds = bench_cpu() - cpu_start;
    bench_report(html_to_text ? "tmail-H" : "tmail", &t, seconds, cpu_seconds);
    tm_buf_cleanup(&w.out);
    free(msg);
    for (char **f = files; *f; f++)
        free(*f);
    free(files);
    return 0;
}
