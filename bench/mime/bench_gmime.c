/* bench_gmime.c - the same work as bench_tmail.c, done with GMime 3 (the peer; used only here).
 *
 *     bench_gmime DIR
 *
 * Per message (read whole into one GByteArray reused for all messages): a GMimeStreamMem over
 * it (not copied), GMimeParser, g_mime_parser_construct_message, then the envelope tmail's
 * index needs: subject (decoded), From/To/Cc as decoded display strings, Message-Id,
 * In-Reply-To and References parsed, Date. Then every part, descending into multiparts and into
 * message/rfc822 (GMimeMessagePart); for every leaf (GMimePart):
 *   text/...         the content written through a GMimeStreamFilter into memory: transfer
 *                    decoding, and a charset filter to UTF-8 unless the charset is utf-8,
 *                    us-ascii or missing (what g_mime_text_part_get_text does)
 *   anything else    the content written to memory (transfer decoding only)
 * Prints one line (bench_common.h). */
#include <gmime/gmime.h>

#include "bench_common.h"

struct walk {
    GByteArray *out;
    struct bench_totals *t;
};

static void decode_leaf(GMimePart *part, struct walk *w)
{
    GMimeObject *obj = GMIME_OBJECT(part);
    GMimeDataWrapper *content = g_mime_part_get_content(part);
    GMimeContentType *ct = g_mime_object_get_content_type(obj);
    gboolean text = ct && g_mime_content_type_is_type(ct, "text", "*");
    w->t->leaves++;
    g_byte_array_set_size(w->out, 0);
    if (!content)
        return;
    GMimeStream *mem = g_mime_stream_mem_new_with_byte_array(w->out);
    g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
    GMimeStream *target = mem;
    if (text) {
        const char *charset = g_mime_object_get_content_type_parameter(obj, "charset");
        if (charset && g_ascii_strcasecmp(charset, "utf-8") != 0 &&
            g_ascii_strcasecmp(charset, "us-ascii") != 0) {
            target = g_mime_stream_filter_new(mem);
            GMimeFilter *f = g_mime_filter_charset_new(charset, "utf-8");
            if (f) {
                g_mime_stream_filter_add(GMIME_STREAM_FILTER(target), f);
                g_object_unref(f);
            }
        }
    }
    g_mime_data_wrapper_write_to_stream(content, target);
    g_mime_stream_flush(target);
    if (target != mem)
        g_object_unref(target);
    g_object_unref(mem);
    if (text) {
        w->t->text_leaves++;
        w->t->text_bytes += w->out->len;
    } else {
        w->t->binary_bytes += w->out->len;
    }
    bench_mix(w->t, w->out->data, w->out->len);
}

static void walk(GMimeObject *obj, struct walk *w)
{
    if (GMIME_IS_MULTIPART(obj)) {
        GMimeMultipart *mp = GMIME_MULTIPART(obj);
        int n = g_mime_multipart_get_count(mp);
        for (int i = 0; i < n; i++)
            walk(g_mime_multipart_get_part(mp, i), w);
    } else if (GMIME_IS_MESSAGE_PART(obj)) {
        GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
        if (m && g_mime_message_get_mime_part(m))
            walk(g_mime_message_get_mime_part(m), w);
    } else if (GMIME_IS_PART(obj)) {
        decode_leaf(GMIME_PART(obj), w);
    }
}

static size_t slen(const char *s)
{
    return s ? strlen(s) : 0;
}

static size_t addr_len(InternetAddressList *list)
{
    if (!list || internet_address_list_length(list) == 0)
        return 0;
    char *s = internet_address_list_to_string(list, NULL, FALSE);
    size_t n = slen(s);
    g_free(s);
    return n;
}

static size_t refs_len(GMimeObject *obj, const char *name)
{
    const char *v = g_mime_object_get_header(obj, name);
    if (!v)
        return 0;
    GMimeReferences *refs = g_mime_references_parse(NULL, v);
    size_t n = 0;
    if (!refs)
        return 0;
    for (int i = 0; i < g_mime_references_length(refs); i++)
        n += strlen(g_mime_references_get_message_id(refs, i)) + 1;
    g_mime_references_free(refs);
    return n;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bench_gmime DIR\n");
        return 2;
    }
    g_mime_init();
    char **files = bench_list(argv[1]);
    struct bench_totals t = {0};
    struct walk w = {.out = g_byte_array_new(), .t = &t};
    GByteArray *in = g_byte_array_new();
    double start = bench_now(), cpu_start = bench_cpu();
    for (char **f = files; *f; f++) {
        struct stat sb;
        if (stat(*f, &sb) != 0) {
            fprintf(stderr, "cannot stat %s\n", *f);
            return 2;
        }
        g_byte_array_set_size(in, (guint)sb.st_size + 1); /* so bench_read need not grow it */
        char *buf = (char *)in->data;
        size_t cap = in->len;
        size_t len = bench_read(*f, &buf, &cap);
        g_byte_array_set_size(in, (guint)len);
        GMimeStream *stream = g_mime_stream_mem_new_with_byte_array(in);
        g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream), FALSE);
        GMimeParser *parser = g_mime_parser_new_with_stream(stream);
        GMimeMessage *m = g_mime_parser_construct_message(parser, NULL);
        if (!m) {
            fprintf(stderr, "%s: not parsed\n", *f);
            return 1;
        }
        GMimeObject *mo = GMIME_OBJECT(m);
        t.header_bytes += slen(g_mime_message_get_subject(m)) +
                          addr_len(g_mime_message_get_from(m)) +
                          addr_len(g_mime_message_get_to(m)) + addr_len(g_mime_message_get_cc(m)) +
                          slen(g_mime_message_get_message_id(m)) + refs_len(mo, "In-Reply-To") +
                          refs_len(mo, "References");
        GDateTime *date = g_mime_message_get_date(m);
        if (date)
            t.hash ^= (uint64_t)g_date_time_to_unix(date);
        if (g_mime_message_get_mime_part(m))
            walk(g_mime_message_get_mime_part(m), &w);
        g_object_unref(m);
        g_object_unref(parser);
        g_object_unref(stream);
        t.messages++;
        t.input_bytes += len;
        if (len > t.largest)
            t.largest = len;
    }
    double seconds = bench_now() - start, cpu_seconds = bench_cpu() - cpu_start;
    bench_report("gmime", &t, seconds, cpu_seconds);
    g_byte_array_free(in, TRUE);
    g_byte_array_free(w.out, TRUE);
    for (char **f = files; *f; f++)
        free(*f);
    free(files);
    g_mime_shutdown();
    return 0;
}
