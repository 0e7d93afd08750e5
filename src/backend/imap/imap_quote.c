/* imap_quote.c - command arguments: astrings as atoms, quoted strings or literals, mailbox names
 * in modified UTF-7 or UTF-8, and splitting commands at synchronizing literals (RFC 3501 4.3 and
 * 7.5, RFC 7888 LITERAL+, RFC 6855 UTF8=ACCEPT). */
#include <string.h>
#include <strings.h>

#include "imap_proto.h"
#include "tmail/str.h"

/* An atom no one can misread: ATOM-CHARs only, without "]" (which only ASTRING-CHAR allows),
 * not "NIL" and not all digits (a number to a reader that types values, and one that may not fit).
 */
static bool atom_safe(const char *s, size_t len)
{
    bool digits = true;
    if (len == 0 || (len == 3 && strncasecmp(s, "NIL", 3) == 0))
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7F || strchr("(){%*\"\\]", c))
            return false;
        if (c < '0' || c > '9')
            digits = false;
    }
    return !digits;
}

/* Fits a quoted string: printable ASCII, and with utf8 also UTF-8 characters from U+00A0 up. */
static bool quote_safe(const char *s, size_t len, bool utf8)
{
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7F) {
            i++;
            continue;
        }
        unsigned cp;
        size_t n = utf8 ? tm_utf8_decode((const unsigned char *)s + i, len - i, &cp) : 0;
        if (n < 2 || cp < 0xA0)
            return false;
        i += n;
    }
    return true;
}

static enum tm_status append_quoted(struct tm_buf *cmd, const char *s, size_t len)
{
    enum tm_status st = tm_buf_append_char(cmd, '"');
    for (size_t i = 0; i < len && !st; i++) {
        if (s[i] == '"' || s[i] == '\\')
            st = tm_buf_append_char(cmd, '\\');
        if (!st)
            st = tm_buf_append_char(cmd, s[i]);
    }
    return st ? st : tm_buf_append_char(cmd, '"');
}

static enum tm_status append_astring(struct tm_buf *cmd, const char *s, size_t len, bool utf8,
                                     bool literal_plus, bool *needs_sync_literal)
{
    enum tm_status st;
    size_t old = cmd->len;
    if (len && memchr(s, 0, len))
        return TM_EPARSE;
    if (atom_safe(s, len))
        return tm_buf_append(cmd, s, len);
    if (quote_safe(s, len, utf8))
        return append_quoted(cmd, s, len);
    st = tm_buf_appendf(cmd, literal_plus ? "{%zu+}\r\n" : "{%zu}\r\n", len);
    if (!st)
        st = tm_buf_append(cmd, s, len);
    if (st) {
        cmd->len = old;
        if (cmd->data)
            cmd->data[old] = 0;
    } else if (!literal_plus && needs_sync_literal) {
        *needs_sync_literal = true;
    }
    return st;
}

enum tm_status imap_append_astring(struct tm_buf *cmd, const char *s, size_t len, bool literal_plus,
                                   bool *needs_sync_literal)
{
    return append_astring(cmd, s, len, false, literal_plus, needs_sync_literal);
}

enum tm_status imap_append_mailbox(struct tm_buf *cmd, const char *utf8name, bool utf8_enabled,
                                   bool literal_plus, bool *needs_sync_literal)
{
    size_t len = strlen(utf8name);
    if (strcasecmp(utf8name, "INBOX") == 0)
        return tm_buf_append_str(cmd, "INBOX");
    if (utf8_enabled)
        return append_astring(cmd, utf8name, len, true, literal_plus, needs_sync_literal);
    struct tm_buf enc;
    tm_buf_init(&enc, cmd->limit);
    enum tm_status st = imap_utf7_encode(utf8name, &enc);
    if (!st)
        st = append_astring(cmd, enc.data ? enc.data : "", enc.len, false, literal_plus,
                            needs_sync_literal);
    tm_buf_cleanup(&enc);
    return st;
}

/* A literal marker "{n}\r\n", "{n+}\r\n" or "~{n}\r\n" at cmd[i]: sets *data (where its bytes
 * start), *n and *sync. */
static bool literal_at(const char *cmd, size_t len, size_t i, size_t *data, size_t *n, bool *sync)
{
    size_t k = i + (cmd[i] == '~' ? 1 : 0), v = 0;
    if (k >= len || cmd[k] != '{')
        return false;
    size_t digits = ++k;
    for (; k < len && cmd[k] >= '0' && cmd[k] <= '9'; k++) {
        if (v > (SIZE_MAX - 9) / 10)
            return false;
        v = v * 10 + (size_t)(cmd[k] - '0');
    }
    if (k == digits)
        return false;
    *sync = !(k < len && cmd[k] == '+');
    if (!*sync)
        k++;
    if (len - k < 3 || memcmp(cmd + k, "}\r\n", 3) != 0)
        return false;
    *data = k + 3;
    *n = v;
    return true;
}

size_t imap_command_split(const char *cmd, size_t len, size_t from)
{
    size_t i = 0;
    while (i < len) {
        size_t data, n;
        bool sync;
        if (cmd[i] == '"') {
            for (i++; i < len && cmd[i] != '"'; i++)
                if (cmd[i] == '\\')
                    i++;
            i++;
        } else if ((cmd[i] == '{' || cmd[i] == '~') && literal_at(cmd, len, i, &data, &n, &sync)) {
            if (sync && data > from)
                return data;
            if (n > len - data)
                return len;
            i = data + n;
        } else {
            i++;
        }
    }
    return len;
}
