/* downgrade.c - a message made fit for a submission server without 8BITMIME: each part whose
 * body has 8-bit bytes, NULs or overlong lines is re-encoded (text as quoted-printable, the rest
 * as base64) and every other byte is copied as it was. (RFC 6152, RFC 2045 6, RFC 2046 5,
 * RFC 5322 2.1.1) */
#include <string.h>
#include <strings.h>

#include "compose_private.h"
#include "private.h"
#include "tmail/i18n.h"

#define CTE_NAME "Content-Transfer-Encoding"

struct downgrade {
    const struct tm_mime_tree *tree;
    const char *msg;
    const char *eol; /* the message's line end: "\r\n" or "\n" */
    size_t eol_len;
    size_t done; /* msg[0..done) has been written to out */
    struct tm_buf *out;
    struct tm_error *err;
};

/* Whether s[0..n) has what a 7-bit transport may refuse or damage: a byte above 0x7f, a NUL, or
 * a line over COMPOSE_LINE_MAX bytes (without its line break). */
static bool needs_encoding(const char *s, size_t n)
{
    size_t line = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 || c == 0)
            return true;
        if (c == '\n')
            line = 0;
        else if (!(c == '\r' && i + 1 < n && s[i + 1] == '\n') && ++line > COMPOSE_LINE_MAX)
            return true;
    }
    return false;
}

static bool has_8bit(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] >= 0x80)
            return true;
    }
    return false;
}

static enum tm_status out_failed(struct downgrade *d, enum tm_status st)
{
    if (st == TM_ELIMIT)
        return tm_error_set(d->err, st, _("the re-encoded message is larger than %zu bytes"),
                            d->out->limit);
    return tm_error_set(d->err, st, _("out of memory re-encoding a message"));
}

/* Copies the original bytes up to offset to. */
static enum tm_status copy_to(struct downgrade *d, size_t to)
{
    enum tm_status st = tm_buf_append(d->out, d->msg + d->done, to - d->done);
    d->done = to;
    return st ? out_failed(d, st) : TM_OK;
}

/* Appends s[0..n) (LF line ends, as the encoders write) with the message's line ends. */
static enum tm_status append_eol(struct downgrade *d, const char *s, size_t n)
{
    enum tm_status st = tm_buf_reserve(d->out, n);
    for (size_t i = 0; i < n && st == TM_OK; i++)
        st = s[i] == '\n' ? tm_buf_append(d->out, d->eol, d->eol_len)
                          : tm_buf_append_char(d->out, s[i]);
    return st ? out_failed(d, st) : TM_OK;
}

static enum tm_status append_field(struct downgrade *d, const char *name, const char *value)
{
    enum tm_status st = tm_buf_appendf(d->out, "%s: %s%s", name, value, d->eol);
    return st ? out_failed(d, st) : TM_OK;
}

/* Quoted-printable of text p[0..n) whose lines end as the message's do: those line ends stay
 * line ends, any other CR or LF is encoded, so decoding gives p back byte for byte. */
static enum tm_status encode_text(const struct downgrade *d, const char *p, size_t n,
                                  struct tm_buf *enc)
{
    enum tm_status st = TM_OK;
    for (size_t pos = 0; pos < n && st == TM_OK;) {
        const char *brk = memmem(p + pos, n - pos, d->eol, d->eol_len);
        size_t seg = brk ? (size_t)(brk - (p + pos)) : n - pos;
        st = compose_qp_line(enc, p + pos, seg);
        if (st == TM_OK && brk)
            st = tm_buf_append_char(enc, '\n');
        pos += seg + (brk ? d->eol_len : 0);
    }
    return st;
}

/* Where the blank line ending part p's header starts (the end of the header when it has none). */
static size_t header_blank_line(const struct downgrade *d, const struct tm_mime_part *p)
{
    const char *h = d->msg + p->header_start;
    size_t n = p->header_len;
    if (n == 0 || h[n - 1] != '\n')
        return p->header_start + n;
    if (n >= 2 && h[n - 2] == '\r' && (n == 2 || h[n - 3] == '\n'))
        return p->header_start + n - 2;
    return p->header_start + n - 1;
}

/* Writes part p's header up to its end with every Content-Transfer-Encoding field replaced by
 * one naming cte (added last when there was none). The whole message also gets MIME-Version
 * when it had none: without it a reader need not apply the encoding. */
static enum tm_status rewrite_header(struct downgrade *d, const struct tm_mime_part *p,
                                     const char *cte)
{
    const char *h = d->msg + p->header_start;
    struct tm_header_field f;
    size_t pos = 0;
    bool written = false;
    enum tm_status st = TM_OK;
    while (st == TM_OK && tm_mime_header_next(h, p->header_len, &pos, &f)) {
        if (f.name_len != strlen(CTE_NAME) || strncasecmp(f.name, CTE_NAME, f.name_len) != 0)
            continue;
        st = copy_to(d, p->header_start + (size_t)(f.name - h));
        if (st == TM_OK && !written)
            st = append_field(d, CTE_NAME, cte);
        written = true;
        d->done = p->header_start + pos; /* the old field, continuation lines included */
    }
    size_t end = header_blank_line(d, p);
    if (st == TM_OK)
        st = copy_to(d, end);
    if (st == TM_OK && !written)
        st = append_field(d, CTE_NAME, cte);
    if (st == TM_OK && p->depth == 0 && !mime_header_find(h, p->header_len, "MIME-Version", &f))
        st = append_field(d, "MIME-Version", "1.0");
    return st;
}

/* Replaces part p's body by its payload re-encoded. */
static enum tm_status reencode(struct downgrade *d, const struct tm_mime_part *p)
{
    bool text = p->leaf && strcmp(p->type, "text") == 0;
    struct tm_buf payload, enc;
    tm_buf_init(&payload, 0);
    tm_buf_init(&enc, 0);
    enum tm_status st = tm_mime_part_decode(d->tree, p, &payload, d->err);
    if (st == TM_OK) {
        const char *data = payload.data ? payload.data : "";
        st = text ? encode_text(d, data, payload.len, &enc)
                  : compose_base64_encode(&enc, (const unsigned char *)data, payload.len);
        if (st)
            st = out_failed(d, st);
    }
    /* base64 lines end in LF: the body ends with a line end only where it did */
    const char *body = d->msg + p->body_start;
    bool ended = p->body_len > 0 && body[p->body_len - 1] == '\n';
    if (st == TM_OK && !text && enc.len > 0 && !ended)
        enc.len--;
    if (st == TM_OK)
        st = rewrite_header(d, p, text ? "quoted-printable" : "base64");
    if (st == TM_OK)
        st = copy_to(d, p->body_start); /* the blank line */
    if (st == TM_OK)
        st = append_eol(d, enc.data ? enc.data : "", enc.len);
    d->done = p->body_start + p->body_len;
    tm_buf_cleanup(&payload);
    tm_buf_cleanup(&enc);
    return st;
}

/* Multiparts are walked, so only the parts that need it change; an embedded message is one
 * payload, re-encoded whole as base64 like the composer's (doc/VIOLATIONS.md). */
static enum tm_status downgrade_part(struct downgrade *d, const struct tm_mime_part *p)
{
    if (has_8bit(d->msg + p->header_start, p->header_len))
        return tm_error_set(d->err, TM_ENOTSUP,
                            _("a header field has 8-bit bytes, which only a server with "
                              "SMTPUTF8 accepts"));
    bool needed = needs_encoding(d->msg + p->body_start, p->body_len);
    if (p->leaf || strcmp(p->type, "multipart") != 0)
        return needed ? reencode(d, p) : TM_OK;
    if (needed && (p->deep_dropped || p->parts_dropped))
        return tm_error_set(d->err, TM_EPARSE,
                            _("the message nests too deep or has too many parts to re-encode"));
    enum tm_status st = TM_OK;
    for (size_t i = 0; i < p->nchildren && st == TM_OK; i++)
        st = downgrade_part(d, &p->children[i]);
    return st;
}

enum tm_status tm_mime_downgrade_7bit(const char *msg, size_t len, struct tm_buf *out,
                                      struct tm_error *err)
{
    if (!msg) {
        msg = "";
        len = 0;
    }
    if (!needs_encoding(msg, len)) {
        enum tm_status st = tm_buf_append(out, msg, len);
        return st ? tm_error_set(err, st, _("out of memory re-encoding a message")) : TM_OK;
    }
    struct tm_mime_tree *tree = NULL;
    enum tm_status st = tm_mime_parse(msg, len, &tree, err);
    if (st)
        return st;
    const char *nl = memchr(msg, '\n', len);
    bool crlf = nl && nl > msg && nl[-1] == '\r';
    struct downgrade d = {.tree = tree,
                          .msg = msg,
                          .eol = crlf ? "\r\n" : "\n",
                          .eol_len = crlf ? 2 : 1,
                          .out = out,
                          .err = err};
    size_t start = out->len;
    st = downgrade_part(&d, &tree->root);
    if (st == TM_OK)
        st = copy_to(&d, len);
    if (st) { /* nothing half-written is left behind */
        out->len = start;
        if (out->data)
            out->data[start] = 0;
    }
    tm_mime_tree_free(&tree);
    return st;
}
