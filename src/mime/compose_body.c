/* compose_body.c - writing MIME parts: choosing 7bit, 8bit, quoted-printable or base64, the
 * encoders, and a boundary that occurs in no part. (RFC 2045 6, RFC 2046 5.1, RFC 6152) */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "compose_private.h"
#include "tmail/i18n.h"

#define QP_WIDTH       76 /* RFC 2045 6.7 (5) */
#define B64_PER_LINE   57 /* input bytes per 76-character line */
#define BOUNDARY_TRIES 16

static const char hex_digits[] = "0123456789ABCDEF";
static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* What a scan of some content found, to pick its transfer encoding. */
struct content_scan {
    bool eight_bit; /* bytes >= 0x80 */
    bool controls;  /* NUL, bare CR or other controls besides TAB, LF, FF */
    size_t longest; /* longest line, without its line break */
};

static void scan(const char *s, size_t len, struct content_scan *sc)
{
    size_t line = 0;
    memset(sc, 0, sizeof(*sc));
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r' && i + 1 < len && s[i + 1] == '\n')
            continue; /* CRLF is a line break like LF */
        if (c == '\n') {
            line = 0;
            continue;
        }
        if (c >= 0x80)
            sc->eight_bit = true;
        else if ((c < 0x20 && c != '\t' && c != '\f') || c == 0x7f)
            sc->controls = true;
        if (++line > sc->longest)
            sc->longest = line;
    }
}

/* Copies s[0..len) to out with each CRLF made LF (the canonical form inside the composer). */
static enum tm_status append_lf(struct tm_buf *out, const char *s, size_t len)
{
    enum tm_status st = tm_buf_reserve(out, len);
    for (size_t i = 0; i < len && st == TM_OK; i++)
        if (!(s[i] == '\r' && i + 1 < len && s[i + 1] == '\n'))
            st = tm_buf_append_char(out, s[i]);
    return st;
}

/* The QP form of byte i of a source line line[0..n) when it starts an output line or not. */
static void qp_token(const char *line, size_t n, size_t i, bool line_start, char tok[4])
{
    unsigned char c = (unsigned char)line[i];
    bool last = i + 1 == n;
    bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last);
    if (line_start && c == 'F' && n - i >= 5 && memcmp(line + i, "From ", 5) == 0)
        literal = false;
    if (line_start && c == '.' && last)
        literal = false;
    if (literal) {
        tok[0] = (char)c;
        tok[1] = '\0';
    } else {
        tok[0] = '=';
        tok[1] = hex_digits[c >> 4];
        tok[2] = hex_digits[c & 15];
        tok[3] = '\0';
    }
}

enum tm_status compose_qp_line(struct tm_buf *out, const char *line, size_t n)
{
    enum tm_status st = TM_OK;
    size_t col = 0;
    for (size_t i = 0; i < n && st == TM_OK; i++) {
        char tok[4];
        qp_token(line, n, i, col == 0, tok);
        size_t tl = strlen(tok);
        bool last = i + 1 == n;
        if (col + tl > (last ? QP_WIDTH : QP_WIDTH - 1)) {
            st = tm_buf_append_str(out, "=\n");
            col = 0;
            qp_token(line, n, i, true, tok);
            tl = strlen(tok);
        }
        if (st == TM_OK)
            st = tm_buf_append(out, tok, tl);
        col += tl;
    }
    return st;
}

enum tm_status compose_qp_encode(struct tm_buf *out, const char *in, size_t len)
{
    enum tm_status st = TM_OK;
    size_t pos = 0;
    while (pos < len && st == TM_OK) {
        const char *nl = memchr(in + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (in + pos)) : len - pos;
        st = compose_qp_line(out, in + pos, n);
        if (st == TM_OK && nl)
            st = tm_buf_append_char(out, '\n');
        pos += n + (nl ? 1 : 0);
    }
    return st;
}

enum tm_status compose_base64_encode(struct tm_buf *out, const unsigned char *in, size_t len)
{
    enum tm_status st = tm_buf_reserve(out, (len + 2) / 3 * 4 + len / B64_PER_LINE + 2);
    for (size_t i = 0; i < len && st == TM_OK; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < len)
            v |= in[i + 2];
        char q[4] = {b64_alphabet[v >> 18], b64_alphabet[(v >> 12) & 63],
                     i + 1 < len ? b64_alphabet[(v >> 6) & 63] : '=',
                     i + 2 < len ? b64_alphabet[v & 63] : '='};
        st = tm_buf_append(out, q, 4);
        if (st == TM_OK && ((i + 3) % B64_PER_LINE == 0 || i + 3 >= len))
            st = tm_buf_append_char(out, '\n');
    }
    return st;
}

enum tm_status compose_text_part(struct tm_buf *out, const char *text, size_t len, bool eightbit)
{
    struct tm_buf lf;
    struct content_scan sc;
    tm_buf_init(&lf, 0);
    enum tm_status st = append_lf(&lf, text, len);
    if (st)
        goto out;
    scan(lf.data ? lf.data : "", lf.len, &sc);
    bool fits = !sc.controls && sc.longest <= COMPOSE_LINE_MAX;
    const char *cte = !sc.eight_bit && fits              ? "7bit"
                      : sc.eight_bit && fits && eightbit ? "8bit"
                                                         : "quoted-printable";
    st = tm_buf_appendf(out,
                        "Content-Type: text/plain; charset=%s\n"
                        "Content-Transfer-Encoding: %s\n\n",
                        sc.eight_bit ? "utf-8" : "us-ascii", cte);
    if (st == TM_OK && cte[0] == 'q')
        st = compose_qp_encode(out, lf.data, lf.len);
    else if (st == TM_OK)
        st = tm_buf_append(out, lf.data ? lf.data : "", lf.len);
out:
    tm_buf_cleanup(&lf);
    return st;
}

/* The Content-Type field of an attachment, its parameters kept as given. */
static enum tm_status attachment_type(struct tm_buf *out, const struct tm_compose_attachment *att,
                                      struct tm_error *err)
{
    const char *ct = att->content_type ? att->content_type : "application/octet-stream";
    if (strpbrk(ct, "\r\n") || !strchr(ct, '/'))
        return tm_error_set(err, TM_EPARSE, _("unusable content type: %s"), ct);
    struct tm_buf line;
    tm_buf_init(&line, 0);
    enum tm_status st = tm_buf_appendf(&line, "Content-Type: %s", ct);
    if (st == TM_OK && att->filename && *att->filename && !strstr(ct, "name="))
        st = compose_param(&line, "name", att->filename);
    if (st == TM_OK)
        st = compose_fold(out, line.data, line.len);
    tm_buf_cleanup(&line);
    return st;
}

/* Text and messages travel as they are when they can (7bit, or 8bit with 8BITMIME); otherwise,
 * and for everything else, base64. message/rfc822 with 8-bit content and no 8BITMIME also goes
 * as base64, which RFC 2046 5.2.1 forbids but every reader accepts (doc/VIOLATIONS.md). */
static const char *attachment_cte(const struct tm_compose_attachment *att, bool eightbit)
{
    const char *ct = att->content_type ? att->content_type : "";
    if (strncasecmp(ct, "text/", 5) != 0 && strncasecmp(ct, "message/rfc822", 14) != 0)
        return "base64";
    struct content_scan sc;
    scan(att->data ? att->data : "", att->len, &sc);
    bool fits = !sc.controls && sc.longest <= COMPOSE_LINE_MAX;
    if (fits && !sc.eight_bit)
        return "7bit";
    return fits && eightbit ? "8bit" : "base64";
}

enum tm_status compose_attachment_part(struct tm_buf *out, const struct tm_compose_attachment *att,
                                       bool eightbit, struct tm_error *err)
{
    const char *cte = attachment_cte(att, eightbit);
    enum tm_status st = attachment_type(out, att, err);
    if (st)
        return st;
    struct tm_buf line;
    tm_buf_init(&line, 0);
    st = tm_buf_append_str(&line, "Content-Disposition: attachment");
    if (st == TM_OK && att->filename && *att->filename)
        st = compose_param(&line, "filename", att->filename);
    if (st == TM_OK)
        st = compose_fold(out, line.data, line.len);
    tm_buf_cleanup(&line);
    if (st == TM_OK)
        st = tm_buf_appendf(out, "Content-Transfer-Encoding: %s\n\n", cte);
    if (st == TM_OK && cte[0] == 'b')
        st = compose_base64_encode(out, (const unsigned char *)att->data, att->len);
    else if (st == TM_OK)
        st = append_lf(out, att->data ? att->data : "", att->len);
    return st;
}

enum tm_status compose_boundary(const struct tm_compose_opts *opts, const struct tm_buf *parts,
                                size_t n, char *boundary, size_t cap, struct tm_error *err)
{
    for (int tries = 0; tries < BOUNDARY_TRIES; tries++) {
        unsigned char rnd[16];
        if (!opts->random || !opts->random(opts->random_ctx, rnd, sizeof(rnd)))
            return tm_error_set(err, TM_EIO, _("no random bytes for the MIME boundary"));
        /* "=_" never occurs in quoted-printable or base64 output. */
        size_t k = (size_t)snprintf(boundary, cap, "=_tmail_");
        for (size_t i = 0; i < sizeof(rnd) && k + 2 < cap; i++) {
            boundary[k++] = hex_digits[rnd[i] >> 4];
            boundary[k++] = hex_digits[rnd[i] & 15];
        }
        boundary[k] = '\0';
        bool clash = false;
        for (size_t i = 0; i < n && !clash; i++)
            clash = parts[i].len && memmem(parts[i].data, parts[i].len, boundary, k) != NULL;
        if (!clash)
            return TM_OK;
    }
    return tm_error_set(err, TM_EIO, _("could not find a MIME boundary absent from the message"));
}
