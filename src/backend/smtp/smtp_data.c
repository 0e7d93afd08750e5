/* smtp_data.c - the message as DATA content (RFC 5321 4.1.1.4, 4.5.2): CRLF line ends and
 * dot-stuffing, so that no line of the message can end the data early; and the 8-bit test that
 * decides on BODY=8BITMIME (RFC 6152) and SMTPUTF8 (RFC 6531). No I/O. */
#include <string.h>

#include "private.h"
#include "tmail/i18n.h"

bool tm_smtp_has_8bit(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] & 0x80)
            return true;
    return false;
}

enum tm_status tm_smtp_dot_stuff(const char *msg, size_t len, struct tm_buf *out,
                                 struct tm_error *err)
{
    size_t start = out->len;
    if (len == 0)
        return TM_OK;
    /* Room for the usual case (no bare LF, few dots) up front, so big messages copy once; near
     * out's limit the appends below decide. */
    enum tm_status st = tm_buf_reserve(out, len + len / 64 + 2);
    if (st == TM_ELIMIT)
        st = TM_OK;
    size_t run = 0; /* msg[run..i) is copied unchanged when a special byte comes */
    bool line_start = true;
    for (size_t i = 0; st == TM_OK && i < len; i++) {
        char c = msg[i];
        if (line_start && c == '.') {
            st = tm_buf_append(out, msg + run, i - run);
            if (st == TM_OK)
                st = tm_buf_append_char(out, '.');
            run = i; /* the line's own dot follows with the rest */
        }
        line_start = false;
        if (c != '\r' && c != '\n')
            continue;
        if (st == TM_OK)
            st = tm_buf_append(out, msg + run, i - run);
        if (st == TM_OK)
            st = tm_buf_append(out, "\r\n", 2);
        if (c == '\r' && i + 1 < len && msg[i + 1] == '\n')
            i++;
        run = i + 1;
        line_start = true;
    }
    if (st == TM_OK)
        st = tm_buf_append(out, msg + run, len - run);
    if (st == TM_OK && !line_start)
        st = tm_buf_append(out, "\r\n", 2);
    if (st) {
        out->len = start;
        if (out->data)
            out->data[start] = 0;
        return st == TM_ENOMEM ? tm_error_set(err, st, _("out of memory"))
                               : tm_error_set(err, st, _("the message is too large to send"));
    }
    return TM_OK;
}
