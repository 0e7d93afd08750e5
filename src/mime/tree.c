/* tree.c - parses a message into its tree of MIME parts: headers, multipart boundaries,
 * embedded messages, with limits against nesting and part-count bombs. (RFC 2045, RFC 2046 5,
 * RFC 2183, RFC 2231) */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "tmail/i18n.h"

#define BOUNDARY_MAX 200 /* RFC 2046 allows 70; some mailers exceed it */

struct build {
    struct tm_mime_tree *tree;
    size_t decode_room; /* bytes left for decoded copies of embedded messages */
    bool parts_hit;     /* TM_MIME_PARTS_MAX was reached */
};

/* Iterates the body parts of a multipart entity (RFC 2046 5.1.1). */
struct part_iter {
    const char *body;
    size_t len, pos;
    const char *boundary;
    size_t blen;
    bool done;
};

static enum tm_status part_parse(struct build *b, struct tm_mime_part *p, const char *base,
                                 size_t start, size_t len, const char *deftype, const char *defsub);

/* ---- multipart delimiters ---- */

/* Whether a delimiter line ("--boundary" or "--boundary--", then blanks and the line end) starts
 * at p, where the caller found "--boundary"; *next is the offset after its line break. */
static bool delimiter_at(const struct part_iter *it, size_t p, size_t *next, bool *close)
{
    const char *b = it->body;
    if (p > 0 && b[p - 1] != '\n')
        return false;
    size_t q = p + 2 + it->blen;
    *close = q + 1 < it->len && b[q] == '-' && b[q + 1] == '-';
    if (*close)
        q += 2;
    while (q < it->len && (b[q] == ' ' || b[q] == '\t'))
        q++;
    if (q + 1 < it->len && b[q] == '\r' && b[q + 1] == '\n')
        q++;
    if (q < it->len && b[q] != '\n')
        return false;
    *next = q < it->len ? q + 1 : q;
    return true;
}

static bool find_delimiter(const struct part_iter *it, size_t from, size_t *start, size_t *next,
                           bool *close)
{
    char pattern[BOUNDARY_MAX + 2];
    pattern[0] = pattern[1] = '-';
    memcpy(pattern + 2, it->boundary, it->blen);
    while (from < it->len) {
        const char *hit = memmem(it->body + from, it->len - from, pattern, it->blen + 2);
        if (!hit)
            return false;
        size_t p = (size_t)(hit - it->body);
        if (delimiter_at(it, p, next, close)) {
            *start = p;
            return true;
        }
        from = p + 1;
    }
    return false;
}

/* Skips the preamble; false when the body has no delimiter line at all. */
static bool part_iter_init(struct part_iter *it, const char *body, size_t len, const char *boundary)
{
    size_t start, next = 0;
    bool close = false;
    *it = (struct part_iter){.body = body, .len = len, .boundary = boundary};
    it->blen = strlen(boundary);
    bool found = find_delimiter(it, 0, &start, &next, &close);
    it->pos = next;
    it->done = !found || close;
    return found;
}

/* The next body part as offsets into the body, without the line break before the delimiter
 * that ends it. A missing close delimiter ends the last part at the end of the body. */
static bool part_iter_next(struct part_iter *it, size_t *part, size_t *plen)
{
    size_t start, next;
    bool close;
    if (it->done || it->pos >= it->len)
        return false;
    *part = it->pos;
    if (!find_delimiter(it, it->pos, &start, &next, &close)) {
        *plen = it->len - it->pos;
        it->done = true;
        return true;
    }
    size_t end = start;
    if (end > it->pos && it->body[end - 1] == '\n')
        end--;
    if (end > it->pos && it->body[end - 1] == '\r')
        end--;
    *plen = end - it->pos;
    it->pos = next;
    it->done = close;
    return true;
}

/* A multipart without a usable boundary parameter: the first line that looks like a delimiter
 * names it (some mailers forget the parameter). */
static bool sniff_boundary(const char *body, size_t len, char *out, size_t cap)
{
    for (size_t p = 0; p + 2 < len; p++) {
        if ((p > 0 && body[p - 1] != '\n') || body[p] != '-' || body[p + 1] != '-')
            continue;
        size_t e = p + 2;
        while (e < len && body[e] != '\r' && body[e] != '\n')
            e++;
        while (e > p + 2 && (body[e - 1] == ' ' || body[e - 1] == '\t'))
            e--;
        if (e == p + 2 || e - (p + 2) >= cap || memchr(body + p + 2, '\0', e - (p + 2)))
            return false;
        memcpy(out, body + p + 2, e - (p + 2));
        out[e - (p + 2)] = 0;
        return true;
    }
    return false;
}

/* ---- one part's header ---- */

static char *field_value(const char *msg, size_t hdr_len, const char *name)
{
    struct tm_header_field f;
    return mime_header_find(msg, hdr_len, name, &f) ? mime_header_unfold(f.value, f.value_len)
                                                    : NULL;
}

/* A malloc'd lower-case copy of s[0..n) (NULL when n is 0), in *dst; false on ENOMEM. */
static bool dup_lower(char **dst, const char *s, size_t n)
{
    *dst = NULL;
    if (!s || n == 0)
        return true;
    if (!(*dst = malloc(n + 1)))
        return false;
    for (size_t i = 0; i < n; i++)
        (*dst)[i] = (char)tolower((unsigned char)s[i]);
    (*dst)[n] = 0;
    return true;
}

/* The mechanism token of Content-Transfer-Encoding, read as mime_cte_parse reads it. */
static bool set_cte(struct tm_mime_part *p, const char *value)
{
    if (!value)
        return true;
    while (isspace((unsigned char)*value) || *value == '"')
        value++;
    return dup_lower(&p->cte, value, strcspn(value, " \t\";("));
}

/* Disposition type and filename (Content-Disposition's, else Content-Type's name, which RFC 2045
 * calls obsolete and many mailers still use alone). */
static enum tm_status set_disposition(struct tm_mime_part *p, const struct mime_ctype *ct,
                                      const char *value)
{
    struct mime_ctype cd;
    enum tm_status st = mime_ctype_parse(value, "", "", &cd);
    if (st == TM_OK && !dup_lower(&p->disposition, cd.type, strlen(cd.type)))
        st = TM_ENOMEM;
    if (st == TM_OK)
        st = mime_ctype_param(&cd, "filename", &p->filename);
    if (st == TM_OK && !p->filename)
        st = mime_ctype_param(ct, "name", &p->filename);
    mime_ctype_cleanup(&cd);
    return st;
}

static enum tm_status set_content_type(struct tm_mime_part *p, const struct mime_ctype *ct)
{
    const char *charset = mime_ctype_raw(ct, "charset");
    const char *boundary = mime_ctype_raw(ct, "boundary");
    snprintf(p->type, sizeof(p->type), "%s", ct->type);
    snprintf(p->subtype, sizeof(p->subtype), "%s", ct->subtype);
    if (!dup_lower(&p->charset, charset, charset ? strlen(charset) : 0))
        return TM_ENOMEM;
    if (boundary && *boundary && strlen(boundary) <= BOUNDARY_MAX &&
        !(p->boundary = strdup(boundary)))
        return TM_ENOMEM;
    return TM_OK;
}

/* Fills p's header fields from the entity base[start..start+len). */
static enum tm_status header_parse(struct tm_mime_part *p, const char *base, size_t start,
                                   size_t len, const char *deftype, const char *defsub)
{
    const char *msg = base + start;
    size_t hdr_len = tm_mime_header_end(msg, len);
    char *ctype = field_value(msg, hdr_len, "Content-Type");
    char *cte = field_value(msg, hdr_len, "Content-Transfer-Encoding");
    char *disp = field_value(msg, hdr_len, "Content-Disposition");
    struct mime_ctype ct;
    p->base = base;
    p->header_start = start;
    p->header_len = hdr_len;
    p->body_start = start + hdr_len;
    p->body_len = len - hdr_len;
    p->leaf = true;
    enum tm_status st = mime_ctype_parse(ctype, deftype, defsub, &ct);
    if (st == TM_OK)
        st = set_content_type(p, &ct);
    if (st == TM_OK)
        st = set_disposition(p, &ct, disp);
    if (st == TM_OK && !set_cte(p, cte))
        st = TM_ENOMEM;
    mime_ctype_cleanup(&ct);
    free(ctype);
    free(cte);
    free(disp);
    return st;
}

/* ---- children ---- */

/* Makes room for one more child of p, numbered for its path; NULL when a limit drops it (with
 * *st still TM_OK) or on ENOMEM. */
static struct tm_mime_part *child_new(struct build *b, struct tm_mime_part *p, enum tm_status *st)
{
    struct tm_mime_tree *t = b->tree;
    *st = TM_OK;
    if (p->depth + 1 > TM_MIME_DEPTH_MAX) {
        p->deep_dropped++;
        t->truncated = true;
        return NULL;
    }
    if (t->nparts >= TM_MIME_PARTS_MAX) {
        p->parts_dropped = p->parts_dropped || !b->parts_hit;
        b->parts_hit = t->truncated = true;
        return NULL;
    }
    struct tm_mime_part *kids = realloc(p->children, (p->nchildren + 1) * sizeof(*kids));
    if (!kids) {
        *st = TM_ENOMEM;
        return NULL;
    }
    p->children = kids;
    struct tm_mime_part *c = &kids[p->nchildren];
    memset(c, 0, sizeof(*c));
    c->depth = p->depth + 1;
    size_t plen = strlen(p->path);
    if (!(c->path = malloc(plen + 24))) {
        *st = TM_ENOMEM;
        return NULL;
    }
    snprintf(c->path, plen + 24, "%s%s%zu", p->path, plen ? "." : "", p->nchildren + 1);
    p->nchildren++;
    t->nparts++;
    return c;
}

static enum tm_status parse_multipart(struct build *b, struct tm_mime_part *p)
{
    struct part_iter it;
    char sniffed[BOUNDARY_MAX + 1];
    size_t start, plen;
    enum tm_status st = TM_OK;
    const char *body = p->base + p->body_start;
    if (!p->boundary && sniff_boundary(body, p->body_len, sniffed, sizeof(sniffed)) &&
        !(p->boundary = strdup(sniffed)))
        return TM_ENOMEM;
    /* Without delimiters the body is all there is: the part stays a leaf. */
    if (!p->boundary || !part_iter_init(&it, body, p->body_len, p->boundary))
        return TM_OK;
    p->leaf = false;
    bool digest = strcmp(p->subtype, "digest") == 0;
    while (st == TM_OK && part_iter_next(&it, &start, &plen)) {
        struct tm_mime_part *c = child_new(b, p, &st);
        if (c)
            st = part_parse(b, c, p->base, p->body_start + start, plen, digest ? "message" : "text",
                            digest ? "rfc822" : "plain");
    }
    return st;
}

/* Replaces p's inner bytes with their decoded copy, kept by the tree. */
static enum tm_status decode_inner(struct build *b, struct tm_mime_part *p, enum mime_cte cte)
{
    struct tm_mime_tree *t = b->tree;
    struct tm_buf dec;
    char **list = realloc(t->decoded, (t->ndecoded + 1) * sizeof(*list));
    if (!list)
        return TM_ENOMEM;
    t->decoded = list;
    tm_buf_init(&dec, b->decode_room);
    enum tm_status st =
        b->decode_room ? mime_transfer_decode(&dec, cte, p->inner, p->inner_len) : TM_ELIMIT;
    size_t dlen = dec.len;
    if (st == TM_OK && !(t->decoded[t->ndecoded] = tm_buf_steal(&dec)))
        st = TM_ENOMEM;
    tm_buf_cleanup(&dec);
    p->inner_status = st;
    if (st)
        return st;
    p->inner = t->decoded[t->ndecoded++];
    p->inner_len = dlen;
    b->decode_room -= dlen;
    return TM_OK;
}

/* An embedded message. Transfer encoding on it is not allowed (RFC 2046 5.2.1) but is decoded,
 * within a budget that keeps chains of encoded messages from costing more than a few times the
 * message. */
static enum tm_status parse_message(struct build *b, struct tm_mime_part *p)
{
    struct tm_mime_tree *t = b->tree;
    enum mime_cte cte = mime_cte_parse(p->cte);
    enum tm_status st = TM_OK;
    p->leaf = false;
    p->inner = p->base + p->body_start;
    p->inner_len = p->body_len;
    if (cte == MIME_CTE_BASE64 || cte == MIME_CTE_QP) {
        st = decode_inner(b, p, cte);
        if (st == TM_ELIMIT)
            t->truncated = true;
        if (st)
            return st == TM_ELIMIT ? TM_OK : st;
    }
    struct tm_mime_part *c = child_new(b, p, &st);
    if (c)
        st = part_parse(b, c, p->inner, 0, p->inner_len, "text", "plain");
    return st;
}

static enum tm_status part_parse(struct build *b, struct tm_mime_part *p, const char *base,
                                 size_t start, size_t len, const char *deftype, const char *defsub)
{
    enum tm_status st = header_parse(p, base, start, len, deftype, defsub);
    if (st)
        return st;
    if (strcmp(p->type, "multipart") == 0)
        return parse_multipart(b, p);
    if (strcmp(p->type, "message") == 0 &&
        (strcmp(p->subtype, "rfc822") == 0 || strcmp(p->subtype, "global") == 0))
        return parse_message(b, p);
    return TM_OK;
}

/* ---- the tree ---- */

enum tm_status tm_mime_parse(const char *msg, size_t len, struct tm_mime_tree **out,
                             struct tm_error *err)
{
    enum tm_status st = TM_ENOMEM;
    struct tm_mime_tree *t = calloc(1, sizeof(*t));
    *out = NULL;
    if (!t || !(t->root.path = strdup("")))
        goto out;
    t->msg = msg ? msg : "";
    t->len = msg ? len : 0;
    t->nparts = 1;
    struct build b = {.tree = t,
                      .decode_room = t->len < SIZE_MAX / 4 ? 2 * t->len + (1 << 20) : t->len};
    st = part_parse(&b, &t->root, t->msg, 0, t->len, "text", "plain");
out:
    if (st) {
        tm_mime_tree_free(&t);
        return tm_error_set(err, st, "%s", _("out of memory while parsing the message"));
    }
    *out = t;
    return TM_OK;
}

static void part_cleanup(struct tm_mime_part *p)
{
    for (size_t i = 0; i < p->nchildren; i++)
        part_cleanup(&p->children[i]);
    free(p->children);
    free(p->path);
    free(p->charset);
    free(p->boundary);
    free(p->filename);
    free(p->disposition);
    free(p->cte);
}

void tm_mime_tree_free(struct tm_mime_tree **pp)
{
    struct tm_mime_tree *t = pp ? *pp : NULL;
    if (!t)
        return;
    part_cleanup(&t->root);
    for (size_t i = 0; i < t->ndecoded; i++)
        free(t->decoded[i]);
    free(t->decoded);
    free(t);
    *pp = NULL;
}

/* The value of header field name of part p, unfolded (malloc'd), or NULL. */
static char *part_field(const struct tm_mime_part *p, const char *name)
{
    struct tm_header_field f;
    if (!mime_header_find(p->base + p->header_start, p->header_len, name, &f))
        return NULL;
    return mime_header_unfold(f.value, f.value_len);
}

enum tm_status mime_part_filename(const struct tm_mime_part *p, const char *fallback, char **out)
{
    struct mime_ctype cd, ct;
    char *disp = part_field(p, "Content-Disposition"), *type = part_field(p, "Content-Type");
    enum tm_status st = mime_ctype_parse(disp, "", "", &cd);
    *out = NULL;
    if (st == TM_OK) {
        st = mime_ctype_param_fb(&cd, "filename", fallback, out);
        mime_ctype_cleanup(&cd);
    }
    if (st == TM_OK && !*out && (st = mime_ctype_parse(type, "text", "plain", &ct)) == TM_OK) {
        st = mime_ctype_param_fb(&ct, "name", fallback, out);
        mime_ctype_cleanup(&ct);
    }
    free(disp);
    free(type);
    return st;
}
