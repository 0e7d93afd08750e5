/* render.c - a message's readable text for the pager: walks the MIME tree (tree.c), picks the
 * text parts, decodes them to UTF-8 and lists the other parts. (RFC 2045, RFC 2046 5, RFC 2183) */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "private.h"
#include "tmail/i18n.h"

/* What was appended last, to lay the blocks out: text gets a blank line around it. */
enum render_last { LAST_NONE, LAST_TEXT, LAST_LINE };

struct render {
    struct tm_buf *out;
    const struct tm_render_opts *opts; /* never NULL */
    unsigned attachment_no;            /* the number of the last leaf part shown or listed */
    enum render_last last;
    enum tm_status st; /* first failure of out itself (TM_ENOMEM, TM_ELIMIT) */
};

static void render_part(struct render *r, const struct tm_mime_part *p);

static bool is_type(const struct tm_mime_part *p, const char *type, const char *subtype)
{
    return strcmp(p->type, type) == 0 && (!subtype || strcmp(p->subtype, subtype) == 0);
}

static const char *part_body(const struct tm_mime_part *p)
{
    return p->base + p->body_start;
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

/* The entry of opts->omitted for p, or NULL when p's content is in the message. */
static const struct tm_mime_omitted *omitted_of(const struct render *r,
                                                const struct tm_mime_part *p)
{
    for (size_t i = 0; i < r->opts->n_omitted; i++)
        if (r->opts->omitted[i].path && strcmp(r->opts->omitted[i].path, p->path) == 0)
            return &r->opts->omitted[i];
    return NULL;
}

/* The decoded size of a part left out, from its transferred size: base64 carries 57 bytes in
 * each 78-byte line, quoted-printable at most its own size. */
static size_t omitted_size(const struct tm_mime_part *p, const struct tm_mime_omitted *om)
{
    uint64_t n = om->size;
    if (mime_cte_parse(p->cte) == MIME_CTE_BASE64)
        n = n / 78 * 57 + n % 78 * 3 / 4;
    return n > SIZE_MAX ? SIZE_MAX : (size_t)n;
}

static void emit_attachment(struct render *r, const struct tm_mime_part *p)
{
    char size[32], shown[64];
    char *name = p->filename ? strdup(p->filename) : NULL;
    const struct tm_mime_omitted *om = omitted_of(r, p);
    format_size(om ? omitted_size(p, om)
                   : mime_decoded_size(mime_cte_parse(p->cte), part_body(p), p->body_len),
                size, sizeof(size));
    /* a part left out says whether it is here yet (not in a quote: it is for the reader) */
    snprintf(shown, sizeof(shown), "%s%s", size,
             !om || r->opts->omitted_plain ? ""
             : om->cached                  ? _(", downloaded")
                                           : _(", not downloaded"));
    r->attachment_no++;
    if (p->filename && !name) {
        r->st = r->st ? r->st : TM_ENOMEM;
    } else if (name) {
        flatten(name);
        emit_line(r, _("[-- Attachment #%u: %s (%s/%s, %s) --]"), r->attachment_no, name, p->type,
                  p->subtype, shown);
    } else {
        emit_line(r, _("[-- Attachment #%u (%s/%s, %s) --]"), r->attachment_no, p->type, p->subtype,
                  shown);
    }
    free(name);
}

/* ---- leaf parts ---- */

static const char *buf_text(const struct tm_buf *b)
{
    return b->data ? b->data : "";
}

/* Decodes a text part to UTF-8 in plain: transfer encoding, charset (for HTML also one named by
 * a <meta> tag), and HTML made plain text. */
/* Whether a text/plain part is format=flowed (RFC 3676), and its DelSp. */
static bool is_flowed(const struct tm_mime_part *p, bool *delsp)
{
    struct tm_header_field f;
    struct mime_ctype ct;
    bool flowed = false;
    *delsp = false;
    if (strcmp(p->subtype, "plain") != 0 ||
        !mime_header_find(p->base + p->header_start, p->header_len, "Content-Type", &f))
        return false;
    char *value = mime_header_unfold(f.value, f.value_len);
    if (value && mime_ctype_parse(value, "text", "plain", &ct) == TM_OK) {
        const char *format = mime_ctype_raw(&ct, "format");
        const char *ds = mime_ctype_raw(&ct, "delsp");
        flowed = format && strcasecmp(format, "flowed") == 0;
        *delsp = ds && strcasecmp(ds, "yes") == 0;
        mime_ctype_cleanup(&ct);
    }
    free(value);
    return flowed;
}

static enum tm_status decode_text(const struct tm_mime_part *p, const char *fallback,
                                  struct tm_buf *plain)
{
    struct tm_buf raw, utf8;
    bool html = strcmp(p->subtype, "html") == 0, delsp = false;
    bool flowed = !html && is_flowed(p, &delsp);
    char *sniffed = NULL;
    tm_buf_init(&raw, plain->limit);
    tm_buf_init(&utf8, plain->limit);
    enum tm_status st =
        mime_transfer_decode(&raw, mime_cte_parse(p->cte), part_body(p), p->body_len);
    const char *charset = p->charset;
    if (st == TM_OK && !charset && html)
        charset = sniffed = mime_html_sniff_charset(buf_text(&raw), raw.len);
    struct tm_buf *target = html || flowed ? &utf8 : plain;
    if (st == TM_OK)
        st = mime_charset_convert(target, charset, charset ? strlen(charset) : 0, buf_text(&raw),
                                  raw.len, fallback);
    if (st == TM_OK && html)
        st = mime_html_to_text(plain, buf_text(&utf8), utf8.len);
    if (st == TM_OK && flowed) /* paragraphs rejoined; the pager wraps them to the window */
        st = tm_mime_flowed_decode(buf_text(&utf8), utf8.len, delsp, plain);
    free(sniffed);
    tm_buf_cleanup(&raw);
    tm_buf_cleanup(&utf8);
    return st;
}

/* A text part other than text/plain through the outside viewer, when there is one. */
static enum tm_status view_outside(struct render *r, const struct tm_mime_part *p,
                                   struct tm_buf *plain)
{
    struct tm_buf raw, shown;
    char type[sizeof(p->type) + sizeof(p->subtype) + 1];
    if (!r->opts->viewer || is_type(p, "text", "plain"))
        return TM_ENOTSUP;
    snprintf(type, sizeof(type), "%s/%s", p->type, p->subtype);
    tm_buf_init(&raw, plain->limit);
    tm_buf_init(&shown, plain->limit);
    enum tm_status st =
        mime_transfer_decode(&raw, mime_cte_parse(p->cte), part_body(p), p->body_len);
    if (st == TM_OK)
        st =
            r->opts->viewer(r->opts->viewer_ctx, type, p->charset, buf_text(&raw), raw.len, &shown);
    if (st == TM_OK) /* an outside program's output is not trusted to be UTF-8 */
        st = mime_utf8_sanitize(plain, buf_text(&shown), shown.len);
    tm_buf_cleanup(&raw);
    tm_buf_cleanup(&shown);
    return st;
}

static void render_text(struct render *r, const struct tm_mime_part *p)
{
    struct tm_buf plain;
    const struct tm_mime_omitted *om = omitted_of(r, p);
    if (om) { /* too big to come with the rest: the attachment list gets it */
        char size[32];
        format_size(omitted_size(p, om), size, sizeof(size));
        r->attachment_no++;
        if (r->opts->omitted_plain)
            emit_line(r, _("[-- Part #%u (%s/%s, %s) is not downloaded --]"), r->attachment_no,
                      p->type, p->subtype, size);
        else
            emit_line(r, _("[-- Part #%u (%s/%s, %s) is not shown here: v lists it --]"),
                      r->attachment_no, p->type, p->subtype, size);
        return;
    }
    tm_buf_init(&plain, r->out->limit);
    r->attachment_no++;
    enum tm_status st = view_outside(r, p, &plain);
    if (st != TM_OK) {
        tm_buf_reset(&plain);
        st = decode_text(p, r->opts->charset_fallback, &plain);
    }
    if (st == TM_OK)
        emit_text(r, buf_text(&plain), plain.len);
    else if (st == TM_ELIMIT)
        emit_line(r, _("[-- Part #%u is too large to show --]"), r->attachment_no);
    else if (r->st == TM_OK)
        r->st = st;
    tm_buf_cleanup(&plain);
}

/* ---- containers ---- */

/* Notes for the children the tree's limits dropped, where the first of them would be. */
static void emit_dropped(struct render *r, const struct tm_mime_part *p, size_t deep)
{
    for (size_t i = 0; i < deep; i++)
        emit_line(r, "%s", _("[-- Parts nested too deeply are not shown --]"));
    if (p->parts_dropped)
        emit_line(r, "%s", _("[-- Too many parts: the rest are not shown --]"));
}

/* How much multipart/alternative wants a part: text/plain first, then HTML, then a nested
 * multipart (such as multipart/related around HTML), then anything. */
/* Rank of type/subtype among alternatives: a higher number is better. With an order list, the
 * earlier an entry matches, the better; without one, text/plain beats text/html beats other
 * multiparts. (The IMAP backend asks the same question to fetch the text that will be shown.) */
int tm_mime_alternative_rank(const char *order, const char *type, const char *subtype)
{
    bool multipart = strcasecmp(type, "multipart") == 0;
    if (!order)
        return strcasecmp(type, "text") == 0 && strcasecmp(subtype, "plain") == 0  ? 3
               : strcasecmp(type, "text") == 0 && strcasecmp(subtype, "html") == 0 ? 2
               : multipart                                                         ? 1
                                                                                   : 0;
    int rank = 1000;
    for (const char *t = order; *t; rank--) {
        t += strspn(t, " \t:,");
        size_t n = strcspn(t, " \t:,");
        if (n == 0)
            break;
        const char *slash = memchr(t, '/', n);
        size_t tlen = slash ? (size_t)(slash - t) : n;
        bool type_ok = strlen(type) == tlen && strncasecmp(type, t, tlen) == 0;
        bool sub_ok =
            !slash || (n - tlen == 2 && slash[1] == '*') ||
            (strlen(subtype) == n - tlen - 1 && strncasecmp(subtype, slash + 1, n - tlen - 1) == 0);
        if (type_ok && sub_ok)
            return rank;
        t += n;
    }
    return multipart ? 1 : 0; /* unlisted: a nested multipart, then the rest */
}

static int alternative_rank(const struct render *r, const struct tm_mime_part *p)
{
    return tm_mime_alternative_rank(r->opts->alternative_order, p->type, p->subtype);
}

static void render_alternative(struct render *r, const struct tm_mime_part *p)
{
    size_t best_index = 0;
    int best = -1;
    for (size_t i = 0; i < p->nchildren; i++) {
        int rank = alternative_rank(r, &p->children[i]);
        if (rank > best) {
            best = rank;
            best_index = i;
        }
    }
    if (p->nchildren > 0)
        render_part(r, &p->children[best_index]);
    /* Only one alternative is shown, so at most one of them is reported as too deep. */
    emit_dropped(r, p, p->nchildren == 0 && p->deep_dropped ? 1 : 0);
}

static void render_multipart(struct render *r, const struct tm_mime_part *p)
{
    if (strcmp(p->subtype, "alternative") == 0) {
        render_alternative(r, p);
        return;
    }
    for (size_t i = 0; r->st == TM_OK && i < p->nchildren; i++)
        render_part(r, &p->children[i]);
    emit_dropped(r, p, p->deep_dropped);
}

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

/* An attached message, shown with its own From, Date and Subject and its body. One whose
 * decoded copy passed the tree's budget, or would not fit the output, gets a note. */
static void render_message(struct render *r, const struct tm_mime_part *p)
{
    bool encoded = p->inner != part_body(p);
    if (p->inner_status == TM_ELIMIT || (encoded && p->inner_len > r->out->limit)) {
        emit_line(r, "%s", _("[-- The attached message is too large to show --]"));
        return;
    }
    emit_line(r, "%s", _("[-- Attached message --]"));
    emit_header(r, p->inner, p->inner_len, "From");
    emit_header(r, p->inner, p->inner_len, "Date");
    emit_header(r, p->inner, p->inner_len, "Subject");
    if (p->nchildren > 0)
        render_part(r, &p->children[0]);
    emit_dropped(r, p, p->deep_dropped);
    emit_line(r, "%s", _("[-- End of attached message --]"));
}

/* ---- the walk ---- */

static void render_part(struct render *r, const struct tm_mime_part *p)
{
    if (r->st)
        return;
    if (!p->leaf && is_type(p, "multipart", NULL))
        render_multipart(r, p);
    else if (!p->leaf && is_type(p, "message", NULL))
        render_message(r, p);
    else if ((is_type(p, "text", NULL) || is_type(p, "multipart", NULL)) &&
             !(p->disposition && strcmp(p->disposition, "attachment") == 0))
        render_text(r, p); /* a multipart without delimiters is shown as text */
    else
        emit_attachment(r, p);
}

enum tm_status tm_mime_render_text(const char *msg, size_t len, struct tm_buf *out,
                                   struct tm_error *err)
{
    return tm_mime_render_text_opts(msg, len, NULL, out, err);
}

enum tm_status tm_mime_render_text_opts(const char *msg, size_t len,
                                        const struct tm_render_opts *opts, struct tm_buf *out,
                                        struct tm_error *err)
{
    static const struct tm_render_opts none;
    struct tm_mime_tree *tree = NULL;
    struct render r = {.out = out, .opts = opts ? opts : &none};
    r.st = tm_mime_parse(msg, msg ? len : 0, &tree, NULL);
    if (r.st == TM_OK)
        render_part(&r, &tree->root);
    tm_mime_tree_free(&tree);
    if (r.st == TM_ELIMIT)
        return tm_error_set(err, r.st, "%s", _("the message is too large to show in full"));
    if (r.st)
        return tm_error_set(err, r.st, "%s", _("out of memory while showing the message"));
    return TM_OK;
}

enum tm_status tm_mime_part_text(const struct tm_mime_tree *tree, const struct tm_mime_part *part,
                                 struct tm_buf *out, struct tm_error *err)
{
    (void)tree;
    if (!part->leaf || strcmp(part->type, "text") != 0)
        return tm_error_set(err, TM_ENOTSUP, _("%s/%s is not text"), part->type, part->subtype);
    enum tm_status st = decode_text(part, NULL, out);
    if (st)
        tm_error_set(err, st, _("part %s is too large to show"), part->path);
    return st;
}
