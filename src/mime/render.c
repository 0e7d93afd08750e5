/* render.c - a message's readable text for the pager: a small MIME walker that picks the text
 * parts, decodes them to UTF-8 and lists the other parts. (RFC 2045, RFC 2046 5, RFC 2183) */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "tmail/i18n.h"

#define RENDER_DEPTH_MAX 32    /* nested multiparts and messages */
#define RENDER_PARTS_MAX 10000 /* entities visited in one message */
#define BOUNDARY_MAX     200   /* RFC 2046 allows 70; some mailers exceed it */

/* What was appended last, to lay the blocks out: text gets a blank line around it. */
enum render_last { LAST_NONE, LAST_TEXT, LAST_LINE };

struct render {
    struct tm_buf *out;
    unsigned attachment_no; /* the number of the last leaf part shown or listed */
    unsigned parts;
    enum render_last last;
    enum tm_status st;  /* first failure of out itself (TM_ENOMEM, TM_ELIMIT) */
    size_t decode_room; /* bytes left for decoded attached messages alive at once */
};

/* One MIME entity: a header and its body, with the fields the walker needs. */
struct entity {
    const char *body;
    size_t body_len;
    struct mime_ctype ct;
    enum mime_cte cte;
    bool attachment; /* Content-Disposition: attachment */
    char *filename;  /* decoded, NULL when the part has none */
};

/* Iterates the body parts of a multipart entity (RFC 2046 5.1.1). */
struct part_iter {
    const char *body;
    size_t len, pos;
    const char *boundary;
    size_t blen;
    bool done;
};

static void render_entity(struct render *r, const char *msg, size_t len, const char *deftype,
                          const char *defsub, int depth);

/* The unfolded value of the first field called name in the header msg[0..hdr_len). */
static char *field_value(const char *msg, size_t hdr_len, const char *name)
{
    struct tm_header_field f;
    return mime_header_find(msg, hdr_len, name, &f) ? mime_header_unfold(f.value, f.value_len)
                                                    : NULL;
}

/* The filename: Content-Disposition's, else Content-Type's name (RFC 2045 says that one is
 * obsolete; many mailers still use nothing else). */
static enum tm_status entity_filename(struct entity *e, const char *disposition)
{
    struct mime_ctype cd;
    enum tm_status st = mime_ctype_parse(disposition, "", "", &cd);
    if (st == TM_OK) {
        e->attachment = strcmp(cd.type, "attachment") == 0;
        st = mime_ctype_param(&cd, "filename", &e->filename);
    }
    if (st == TM_OK && !e->filename)
        st = mime_ctype_param(&e->ct, "name", &e->filename);
    mime_ctype_cleanup(&cd);
    return st;
}

static enum tm_status entity_parse(const char *msg, size_t len, const char *deftype,
                                   const char *defsub, struct entity *e)
{
    size_t hdr_len = tm_mime_header_end(msg, len);
    char *ctype = field_value(msg, hdr_len, "Content-Type");
    char *cte = field_value(msg, hdr_len, "Content-Transfer-Encoding");
    char *disp = field_value(msg, hdr_len, "Content-Disposition");
    memset(e, 0, sizeof(*e));
    e->body = msg + hdr_len;
    e->body_len = len - hdr_len;
    e->cte = mime_cte_parse(cte);
    enum tm_status st = mime_ctype_parse(ctype, deftype, defsub, &e->ct);
    if (st == TM_OK)
        st = entity_filename(e, disp);
    free(ctype);
    free(cte);
    free(disp);
    return st;
}

static void entity_cleanup(struct entity *e)
{
    mime_ctype_cleanup(&e->ct);
    free(e->filename);
    e->filename = NULL;
}

static bool is_type(const struct entity *e, const char *type, const char *subtype)
{
    return strcmp(e->ct.type, type) == 0 && (!subtype || strcmp(e->ct.subtype, subtype) == 0);
}

/* ---- output ---- */

static void emit(struct render *r, const char *s, size_t len)
{
    if (r->st == TM_OK)
        r->st = tm_buf_append(r->out, s, len);
}

/* Starts a new block: text is set off by a blank line, a line after text too. */
static void begin_block(struct render *r, enum render_last kind)
{
    if (r->last == LAST_NONE || r->out->len == 0) {
        r->last = kind;
        return;
    }
    if (r->out->data[r->out->len - 1] != '\n')
        emit(r, "\n", 1);
    if (kind == LAST_TEXT || r->last == LAST_TEXT)
        emit(r, "\n", 1);
    r->last = kind;
}

/* Appends a line such as an attachment note; the text is valid UTF-8 already. */
__attribute__((format(printf, 2, 3))) static void emit_line(struct render *r, const char *fmt, ...)
{
    va_list ap;
    begin_block(r, LAST_LINE);
    va_start(ap, fmt);
    if (r->st == TM_OK)
        r->st = tm_buf_vappendf(r->out, fmt, ap);
    va_end(ap);
    emit(r, "\n", 1);
}

/* Appends text with CRLF line ends made LF. */
static void emit_text(struct render *r, const char *s, size_t len)
{
    size_t run = 0;
    begin_block(r, LAST_TEXT);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n') {
            emit(r, s + run, i - run);
            run = i + 1;
        }
    }
    emit(r, s + run, len - run);
    if (r->st == TM_OK && r->out->len > 0 && r->out->data[r->out->len - 1] != '\n')
        emit(r, "\n", 1);
}

/* "512B", "12K", "3.4M". */
static void format_size(size_t n, char *buf, size_t cap)
{
    if (n < 1024)
        snprintf(buf, cap, "%zuB", n);
    else if (n < 1024 * 1024)
        snprintf(buf, cap, "%zuK", (n + 1023) / 1024);
    else
        snprintf(buf, cap, "%.1fM", (double)n / (1024.0 * 1024.0));
}

/* A filename is shown inside one line: control characters become spaces. */
static void flatten(char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || *s == 0x7F)
            *s = ' ';
    }
}

static void emit_attachment(struct render *r, struct entity *e)
{
    char size[32];
    format_size(mime_decoded_size(e->cte, e->body, e->body_len), size, sizeof(size));
    r->attachment_no++;
    if (e->filename) {
        flatten(e->filename);
        emit_line(r, _("[-- Attachment #%u: %s (%s/%s, %s) --]"), r->attachment_no, e->filename,
                  e->ct.type, e->ct.subtype, size);
    } else {
        emit_line(r, _("[-- Attachment #%u (%s/%s, %s) --]"), r->attachment_no, e->ct.type,
                  e->ct.subtype, size);
    }
}

/* ---- leaf parts ---- */

static const char *buf_text(const struct tm_buf *b)
{
    return b->data ? b->data : "";
}

/* Decodes a text part to UTF-8 in plain: transfer encoding, charset (for HTML also one named by
 * a <meta> tag), and HTML made plain text. */
static enum tm_status decode_text(const struct entity *e, struct tm_buf *plain)
{
    struct tm_buf raw, utf8;
    bool html = strcmp(e->ct.subtype, "html") == 0;
    char *sniffed = NULL;
    tm_buf_init(&raw, plain->limit);
    tm_buf_init(&utf8, plain->limit);
    enum tm_status st = mime_transfer_decode(&raw, e->cte, e->body, e->body_len);
    const char *charset = mime_ctype_raw(&e->ct, "charset");
    if (st == TM_OK && !charset && html)
        charset = sniffed = mime_html_sniff_charset(buf_text(&raw), raw.len);
    struct tm_buf *target = html ? &utf8 : plain;
    if (st == TM_OK)
        st = mime_charset_convert(target, charset, charset ? strlen(charset) : 0, buf_text(&raw),
                                  raw.len, NULL);
    if (st == TM_OK && html)
        st = mime_html_to_text(plain, buf_text(&utf8), utf8.len);
    free(sniffed);
    tm_buf_cleanup(&raw);
    tm_buf_cleanup(&utf8);
    return st;
}

/* A text part; one too large for the output cap gets a note instead. */
static void render_text(struct render *r, const struct entity *e)
{
    struct tm_buf plain;
    tm_buf_init(&plain, r->out->limit);
    r->attachment_no++;
    enum tm_status st = decode_text(e, &plain);
    if (st == TM_OK)
        emit_text(r, buf_text(&plain), plain.len);
    else if (st == TM_ELIMIT)
        emit_line(r, _("[-- Part #%u is too large to show --]"), r->attachment_no);
    else if (r->st == TM_OK)
        r->st = st;
    tm_buf_cleanup(&plain);
}

/* ---- multipart ---- */

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

/* The next body part, without the line break before the delimiter that ends it. A missing
 * close delimiter ends the last part at the end of the body. */
static bool part_iter_next(struct part_iter *it, const char **part, size_t *plen)
{
    size_t start, next;
    bool close;
    if (it->done || it->pos >= it->len)
        return false;
    *part = it->body + it->pos;
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

/* How much multipart/alternative wants a part: text/plain first, then HTML, then a nested
 * multipart (such as multipart/related around HTML), then anything. */
static int alternative_rank(const char *part, size_t plen)
{
    struct entity e;
    int rank = -1;
    if (entity_parse(part, plen, "text", "plain", &e) == TM_OK) {
        rank = is_type(&e, "text", "plain")     ? 3
               : is_type(&e, "text", "html")    ? 2
               : is_type(&e, "multipart", NULL) ? 1
                                                : 0;
    }
    entity_cleanup(&e);
    return rank;
}

static void render_alternative(struct render *r, struct part_iter *it, int depth)
{
    struct part_iter scan = *it;
    const char *part;
    size_t plen;
    int best = -1, best_index = 0, index = 0;
    for (; part_iter_next(&scan, &part, &plen); index++) {
        int rank = alternative_rank(part, plen);
        if (rank > best) {
            best = rank;
            best_index = index;
        }
    }
    for (index = 0; part_iter_next(it, &part, &plen); index++) {
        if (index == best_index) {
            render_entity(r, part, plen, "text", "plain", depth + 1);
            break;
        }
    }
}

static void render_multipart(struct render *r, struct entity *e, int depth)
{
    struct part_iter it;
    const char *part;
    size_t plen;
    char sniffed[BOUNDARY_MAX + 1];
    const char *boundary = mime_ctype_raw(&e->ct, "boundary");
    if (!boundary || !*boundary || strlen(boundary) > BOUNDARY_MAX)
        boundary = sniff_boundary(e->body, e->body_len, sniffed, sizeof(sniffed)) ? sniffed : NULL;
    /* Without delimiters the body is all there is: show it as text. */
    if (!boundary || !part_iter_init(&it, e->body, e->body_len, boundary)) {
        render_text(r, e);
        return;
    }
    if (strcmp(e->ct.subtype, "alternative") == 0) {
        render_alternative(r, &it, depth);
        return;
    }
    bool digest = strcmp(e->ct.subtype, "digest") == 0;
    while (r->st == TM_OK && part_iter_next(&it, &part, &plen))
        render_entity(r, part, plen, digest ? "message" : "text", digest ? "rfc822" : "plain",
                      depth + 1);
}

/* ---- message/rfc822 ---- */

/* One decoded header line of an attached message ("From: ..."), when the field is there. */
static void emit_header(struct render *r, const char *msg, size_t len, const char *name)
{
    char *value = tm_mime_header_get(msg, len, name), *text = NULL;
    enum tm_status st = TM_OK;
    if (!value)
        return;
    if (strcmp(name, "From") == 0)
        st = mime_addr_display(value, &text);
    else if (!(text = tm_mime_decode_header_text(value, NULL)))
        st = TM_ENOMEM;
    if (st == TM_OK && text) {
        flatten(text);
        emit_line(r, "%s: %s", name, text);
    } else if (st && r->st == TM_OK) {
        r->st = st;
    }
    free(value);
    free(text);
}

/* An attached message, shown with its own From, Date and Subject and its body. Transfer
 * encoding on a message/rfc822 part is not allowed (RFC 2046 5.2.1) but is decoded. */
static void render_message(struct render *r, struct entity *e, int depth)
{
    struct tm_buf decoded;
    const char *msg = e->body;
    size_t len = e->body_len, room = r->decode_room;
    /* Nested encoded messages each need their own decoded copy: a budget keeps a chain of
     * them from costing more than a few times the message. */
    tm_buf_init(&decoded, room < r->out->limit ? room : r->out->limit);
    if (e->cte == MIME_CTE_BASE64 || e->cte == MIME_CTE_QP) {
        enum tm_status st = room ? mime_transfer_decode(&decoded, e->cte, msg, len) : TM_ELIMIT;
        r->decode_room -= st ? 0 : decoded.len;
        if (st == TM_ELIMIT)
            emit_line(r, "%s", _("[-- The attached message is too large to show --]"));
        else if (st && r->st == TM_OK)
            r->st = st;
        if (st)
            goto out;
        msg = buf_text(&decoded);
        len = decoded.len;
    }
    emit_line(r, "%s", _("[-- Attached message --]"));
    emit_header(r, msg, len, "From");
    emit_header(r, msg, len, "Date");
    emit_header(r, msg, len, "Subject");
    render_entity(r, msg, len, "text", "plain", depth + 1);
    emit_line(r, "%s", _("[-- End of attached message --]"));
    r->decode_room = room;
out:
    tm_buf_cleanup(&decoded);
}

/* ---- the walk ---- */

static void render_entity(struct render *r, const char *msg, size_t len, const char *deftype,
                          const char *defsub, int depth)
{
    struct entity e;
    if (r->st)
        return;
    if (depth > RENDER_DEPTH_MAX) {
        emit_line(r, "%s", _("[-- Parts nested too deeply are not shown --]"));
        return;
    }
    if (++r->parts > RENDER_PARTS_MAX) {
        if (r->parts == RENDER_PARTS_MAX + 1)
            emit_line(r, "%s", _("[-- Too many parts: the rest are not shown --]"));
        return;
    }
    r->st = entity_parse(msg, len, deftype, defsub, &e);
    if (r->st == TM_OK) {
        if (is_type(&e, "multipart", NULL))
            render_multipart(r, &e, depth);
        else if (is_type(&e, "message", "rfc822") || is_type(&e, "message", "global"))
            render_message(r, &e, depth);
        else if (is_type(&e, "text", NULL) && !e.attachment)
            render_text(r, &e);
        else
            emit_attachment(r, &e);
    }
    entity_cleanup(&e);
}

enum tm_status tm_mime_render_text(const char *msg, size_t len, struct tm_buf *out,
                                   struct tm_error *err)
{
    len = msg ? len : 0;
    struct render r = {.out = out, .decode_room = len < SIZE_MAX / 4 ? 2 * len + (1 << 20) : len};
    render_entity(&r, msg ? msg : "", len, "text", "plain", 0);
    if (r.st == TM_ELIMIT)
        return tm_error_set(err, r.st, "%s", _("the message is too large to show in full"));
    if (r.st)
        return tm_error_set(err, r.st, "%s", _("out of memory while showing the message"));
    return TM_OK;
}
