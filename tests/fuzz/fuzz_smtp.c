/* fuzz_smtp.c - libFuzzer target for the SMTP client's parsers of server data (RFC 5321 4.2,
 * RFC 1870, RFC 4954): the input's lines fed to the reply parser, every complete reply read as
 * an EHLO reply and formatted; and the input dot-stuffed as DATA content, which must never hold
 * a line that ends the data early. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tmail/smtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The formatted reply: terminated within the buffer, and without control characters. */
static void check_format(const struct tm_smtp_reply *r, size_t size)
{
    char out[600];
    memset(out, 'x', sizeof(out));
    tm_smtp_reply_format(r, out, size);
    const char *end = memchr(out, 0, size);
    if (!end)
        abort();
    for (const unsigned char *c = (const unsigned char *)out; c < (const unsigned char *)end; c++)
        if (*c < 0x20 || *c == 0x7f)
            abort();
}

static void check_reply(const struct tm_smtp_reply *r)
{
    struct tm_smtp_caps caps;
    if (r->code < 200 || r->code > 599 || r->lines < 1 || r->lines > TM_SMTP_LINES_MAX)
        abort();
    if (r->text.data && strlen(r->text.data) != r->text.len)
        abort(); /* NUL bytes must have become '?' */
    enum tm_status st = tm_smtp_parse_ehlo(r, &caps, NULL);
    if ((st == TM_OK) != (r->code == 250))
        abort();
    if (caps.auth && !(caps.ext & TM_SMTP_EXT_AUTH))
        abort();
    check_format(r, sizeof(((struct tm_smtp_rcpt_status *)0)->reply));
    check_format(r, 1 + r->lines % 17);
}

static void read_replies(const char *s, size_t size)
{
    struct tm_smtp_reply r;
    tm_smtp_reply_init(&r);
    for (size_t pos = 0; pos < size;) {
        const char *nl = memchr(s + pos, '\n', size - pos);
        size_t len = nl ? (size_t)(nl - (s + pos)) : size - pos;
        size_t line_len = len > 0 && s[pos + len - 1] == '\r' ? len - 1 : len;
        if (tm_smtp_reply_add_line(&r, s + pos, line_len, NULL) != TM_OK) {
            tm_smtp_reply_cleanup(&r);
            tm_smtp_reply_init(&r);
        } else if (r.complete) {
            check_reply(&r);
            tm_smtp_reply_cleanup(&r);
            tm_smtp_reply_init(&r);
        }
        pos += nl ? len + 1 : len;
    }
    tm_smtp_reply_cleanup(&r);
}

/* Every line end is CRLF, the content ends with one, and after any CRLF (or at the start) a
 * line never is a lone "." : the data cannot end before the client's own dot. */
static void dot_stuff(const char *s, size_t size)
{
    struct tm_buf out;
    tm_buf_init(&out, 4 * size + 16);
    if (tm_smtp_dot_stuff(s, size, &out, NULL) != TM_OK)
        abort();
    const char *p = out.data ? out.data : "";
    size_t n = out.len;
    if (size > 0 && (n < 2 || memcmp(p + n - 2, "\r\n", 2) != 0))
        abort();
    for (size_t i = 0; i < n; i++) {
        bool line_start = i == 0 || p[i - 1] == '\n';
        if (p[i] == '\r' && (i + 1 >= n || p[i + 1] != '\n'))
            abort();
        if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
            abort();
        if (line_start && p[i] == '.' && (i + 1 >= n || p[i + 1] != '.'))
            abort();
    }
    if (tm_smtp_has_8bit(s, size) != tm_smtp_has_8bit(p, n))
        abort();
    tm_buf_cleanup(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    read_replies(s, size);
    dot_stuff(s, size);
    return 0;
}
