/* mbox.c - splitting an mbox file into messages (mboxo, mboxrd, Content-Length; see RFC 4155)
 * and undoing ">From " quoting. Works on a caller's buffer (e.g. an mmap'd file), so a large
 * mbox is never copied: each message is a byte range of the original. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "tmail/mime.h"

/* End of the line starting at i (index of its LF, or len). */
static size_t line_end(const char *s, size_t len, size_t i)
{
    const char *nl = memchr(s + i, '\n', len - i);
    return nl ? (size_t)(nl - s) : len;
}

static size_t next_line_start(const char *s, size_t len, size_t i)
{
    size_t e = line_end(s, len, i);
    return e < len ? e + 1 : len;
}

/* A header field line: a printable name without spaces, then a colon. */
static bool looks_like_header(const char *s, size_t len, size_t i)
{
    size_t j = i;
    while (j < len && s[j] > ' ' && s[j] < 127 && s[j] != ':')
        j++;
    return j > i && j < len && s[j] == ':';
}

/* "From SENDER[ DATE]": the sender is one token; whatever follows must look like a date (it
 * holds a digit), so "From Russia with love" in a body is not taken for a separator. */
static bool looks_like_from_line(const char *s, size_t len, size_t i)
{
    size_t e = line_end(s, len, i);
    if (e - i < 6 || memcmp(s + i, "From ", 5) != 0)
        return false;
    size_t j = i + 5;
    while (j < e && s[j] == ' ')
        j++;
    size_t sender = j;
    while (j < e && !isspace((unsigned char)s[j]))
        j++;
    if (j == sender)
        return false;
    bool rest_blank = true, digit = false;
    for (; j < e; j++) {
        rest_blank &= isspace((unsigned char)s[j]) != 0;
        digit |= isdigit((unsigned char)s[j]) != 0;
    }
    return rest_blank || digit;
}

/* A separator: a From_ line followed by a header line. RFC 4155 also wants a blank line
 * before it, but real mboxes (and MimeKit's test files) often lack one, so that is not
 * required; the date and header checks keep body lines from splitting a message. */
static bool is_separator(const char *s, size_t len, size_t i) /* i: a line start */
{
    if (!looks_like_from_line(s, len, i))
        return false;
    size_t next = next_line_start(s, len, i);
    return next < len && looks_like_header(s, len, next);
}

/* Where the next separator at or after i starts (len if none). */
static size_t find_separator(const char *s, size_t len, size_t i)
{
    while (i < len) {
        if (s[i] == 'F' && is_separator(s, len, i))
            return i;
        i = next_line_start(s, len, i);
    }
    return len;
}

/* Content-Length, when present and pointing at the end or at a separator, gives the end. */
static bool content_length_end(const char *s, size_t len, size_t start, size_t *end)
{
    char *value = tm_mime_header_get(s + start, len - start, "Content-Length");
    if (!value)
        return false;
    char *stop;
    unsigned long long cl = strtoull(value, &stop, 10);
    bool ok = stop != value && *stop == 0;
    free(value);
    size_t body = start + tm_mime_header_end(s + start, len - start);
    if (!ok || cl > len - body)
        return false;
    size_t e = body + (size_t)cl, after = e;
    if (after < len && s[after] == '\r')
        after++;
    if (after < len && s[after] == '\n')
        after++;
    if (after == len || (after < len && is_separator(s, len, after))) {
        *end = after == len ? len : after;
        return true;
    }
    return e == len ? (*end = len, true) : false;
}

bool tm_mbox_next(const char *data, size_t len, size_t *pos, struct tm_mbox_entry *e)
{
    size_t i = *pos;
    if (i == 0 && len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        i = 3; /* a UTF-8 byte order mark before the first From_ line */
    if (i >= len)
        return false;
    if (!is_separator(data, len, i)) {
        i = find_separator(data, len, i);
        if (i >= len)
            return false;
    }
    e->from_line = i;
    e->start = next_line_start(data, len, i);
    size_t end;
    if (!content_length_end(data, len, e->start, &end))
        end = find_separator(data, len, e->start);
    *pos = end;
    /* The blank line before the next From_ line (or at the end) separates; it is not content. */
    if (end - e->start >= 2 && data[end - 1] == '\n' && data[end - 2] == '\n')
        end--;
    else if (end - e->start >= 3 && data[end - 1] == '\n' && data[end - 2] == '\r' &&
             data[end - 3] == '\n')
        end -= 2;
    e->end = end;
    return true;
}

enum tm_status tm_mbox_unquote(const char *msg, size_t len, struct tm_buf *out)
{
    enum tm_status st = TM_OK;
    size_t i = 0;
    while (i < len && !st) {
        size_t e = line_end(msg, len, i), next = e < len ? e + 1 : len;
        size_t j = i;
        while (j < e && msg[j] == '>')
            j++;
        bool quoted = j > i && e - j >= 5 && memcmp(msg + j, "From ", 5) == 0;
        st = tm_buf_append(out, msg + i + (quoted ? 1 : 0), next - i - (quoted ? 1 : 0));
        i = next;
    }
    return st;
}
