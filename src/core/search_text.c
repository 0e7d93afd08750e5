/* search_text.c - the searchable text of a raw message for ~b, ~B and ~h: decoded header lines
 * and the UTF-8 text of its text parts, as mutt's thorough search sees them (RFC 5322 unfolding,
 * RFC 2047 words, RFC 2045 transfer encodings, charsets, HTML as text). Attachment names and
 * non-text parts are left out, so a word only in a file name is not "in the body". */
#include <stdlib.h>
#include <string.h>

#include "search.h"
#include "tmail/mime.h"

/* A decoded part may be larger than what is kept of it: decoded into a scratch buffer this big,
 * then cut. */
#define PART_DECODE_MAX ((size_t)64 * 1024 * 1024)

/* Appends s[0..n) to out as far as out's limit lets, cut at a UTF-8 character boundary, NULs
 * made spaces. TM_ENOMEM only; a full buffer is not an error. */
static enum tm_status append_cut(struct tm_buf *out, const char *s, size_t n)
{
    size_t room = out->limit > out->len ? out->limit - out->len : 0;
    if (n > room) {
        n = room;
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--; /* s[n] continues a character: cut before it starts */
    }
    size_t start = out->len;
    enum tm_status st = tm_buf_append(out, s, n);
    if (st)
        return st == TM_ELIMIT ? TM_OK : st;
    for (size_t i = start; i < out->len; i++)
        if (out->data[i] == 0)
            out->data[i] = ' ';
    return TM_OK;
}

/* value[0..len) without its line breaks (a fold keeps its blank). malloc'd, or NULL. */
static char *unfold(const char *value, size_t len)
{
    char *out = malloc(len + 1);
    size_t o = 0;
    if (!out)
        return NULL;
    for (size_t i = 0; i < len; i++)
        if (value[i] != '\r' && value[i] != '\n')
            out[o++] = value[i];
    out[o] = 0;
    return out;
}

/* "Name: decoded value\n" for each field of hdr[0..len). */
static enum tm_status header_lines(const char *hdr, size_t len, const char *fallback,
                                   struct tm_buf *out)
{
    struct tm_header_field f;
    size_t pos = 0;
    enum tm_status st = TM_OK;
    while (!st && tm_mime_header_next(hdr, len, &pos, &f)) {
        char *raw = unfold(f.value, f.value_len);
        char *value = raw ? tm_mime_decode_header_text(raw, fallback) : NULL;
        free(raw);
        if (!value)
            return TM_ENOMEM;
        if (!(st = append_cut(out, f.name, f.name_len)) && !(st = append_cut(out, ": ", 2)) &&
            !(st = append_cut(out, value, strlen(value))))
            st = append_cut(out, "\n", 1);
        free(value);
    }
    return st;
}

struct walk {
    const struct tm_mime_tree *tree;
    const char *fallback;
    struct tm_buf *body;
    struct tm_buf scratch;
};

static enum tm_status add_part(struct walk *w, const struct tm_mime_part *p)
{
    enum tm_status st = TM_OK;
    if (p->leaf && strcmp(p->type, "text") == 0) {
        struct tm_error ignored;
        tm_buf_reset(&w->scratch);
        /* a part that cannot be decoded (too large) is skipped, not the whole message */
        if (tm_mime_part_text(w->tree, p, &w->scratch, &ignored) == TM_OK && w->scratch.len) {
            st = append_cut(w->body, w->scratch.data, w->scratch.len);
            if (!st && w->scratch.data[w->scratch.len - 1] != '\n')
                st = append_cut(w->body, "\n", 1);
        }
        return st;
    }
    bool message = strcmp(p->type, "message") == 0;
    for (size_t i = 0; i < p->nchildren && !st; i++) {
        const struct tm_mime_part *c = &p->children[i];
        if (message) /* a forwarded message: what a reader sees of its header is body text */
            st = header_lines(c->base + c->header_start, c->header_len, w->fallback, w->body);
        if (!st)
            st = add_part(w, c);
    }
    return st;
}

enum tm_status search_text_extract(const char *raw, size_t len, const char *fallback_charset,
                                   struct tm_buf *headers, struct tm_buf *body)
{
    struct tm_mime_tree *tree = NULL;
    struct tm_error err;
    if (tm_mime_parse(raw, len, &tree, &err))
        return TM_ENOMEM; /* malformed structure never fails: only memory does */
    const struct tm_mime_part *root = &tree->root;
    enum tm_status st =
        header_lines(root->base + root->header_start, root->header_len, fallback_charset, headers);
    struct walk w = {tree, fallback_charset, body, {0}};
    tm_buf_init(&w.scratch, PART_DECODE_MAX);
    if (!st)
        st = add_part(&w, root);
    tm_buf_cleanup(&w.scratch);
    tm_mime_tree_free(&tree);
    return st;
}
