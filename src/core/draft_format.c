/* draft_format.c - mutt's % expandos in the attribution and forward_format settings: %d (the
 * original's date in date_format, in the sender's time zone), %n (author's name, else address),
 * %a (author's address), %s (subject), %% (a percent sign). Others stay as written. */
#include <ctype.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "draft_private.h"
#include "tmail/mime.h"

#define DEFAULT_DATE_FORMAT "!%a, %b %d, %Y at %I:%M:%S%p %Z"

/* The last "+hhmm" / "-hhmm" zone of a Date value in seconds east of UTC, written into zone
 * as it stands; 0 and "UTC" when there is none (named zones are already folded into the UTC
 * time by the date parser). */
static long date_offset(const char *date, char *zone, size_t size)
{
    long off = 0;
    snprintf(zone, size, "UTC");
    for (const char *p = date; *p; p++) {
        if ((*p != '+' && *p != '-') || !isdigit((unsigned char)p[1]) ||
            !isdigit((unsigned char)p[2]) || !isdigit((unsigned char)p[3]) ||
            !isdigit((unsigned char)p[4]) || isdigit((unsigned char)p[5]))
            continue;
        long h = (p[1] - '0') * 10 + (p[2] - '0'), m = (p[3] - '0') * 10 + (p[4] - '0');
        if (h > 23 || m > 59)
            continue;
        off = (h * 3600 + m * 60) * (*p == '-' ? -1 : 1);
        snprintf(zone, size, "%.5s", p);
    }
    return off;
}

/* Appends the Date of msg formatted with fmt (a leading '!' means the C locale); the field as
 * written when it cannot be parsed, nothing when there is none. */
static enum tm_status append_date(struct tm_buf *out, const char *msg, size_t len, const char *fmt)
{
    char *date = tm_mime_header_get(msg, len, "Date");
    char zone[8], text[512];
    time_t t;
    struct tm tm;
    enum tm_status st = TM_OK;
    if (!date)
        return TM_OK;
    if (!tm_mime_parse_date(date, &t)) {
        st = tm_buf_append_str(out, date);
        free(date);
        return st;
    }
    long off = date_offset(date, zone, sizeof(zone));
    time_t shifted = t + off;
    fmt = fmt && *fmt ? fmt : DEFAULT_DATE_FORMAT;
    size_t n = 0;
    if (gmtime_r(&shifted, &tm)) {
        tm.tm_gmtoff = off;
        tm.tm_zone = zone;
        if (*fmt == '!') {
            locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
            n = c ? strftime_l(text, sizeof(text), fmt + 1, &tm, c) : 0;
            if (c)
                freelocale(c);
        } else {
/* date_format is the person's strftime format by design. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
            n = strftime(text, sizeof(text), fmt, &tm);
#pragma GCC diagnostic pop
        }
    }
    st = tm_buf_append(out, text, n);
    free(date);
    return st;
}

enum tm_status draft_expand_format(struct tm_buf *out, const char *fmt, const char *msg, size_t len,
                                   const struct tm_envelope *env, const char *date_format)
{
    enum tm_status st = TM_OK;
    const char *addr = env->from_addr ? env->from_addr : "";
    const char *name = env->from_name && *env->from_name ? env->from_name : addr;
    for (const char *p = fmt; *p && st == TM_OK; p++) {
        if (*p != '%' || !p[1] || !strchr("dnas%", p[1])) {
            st = tm_buf_append_char(out, *p);
            continue;
        }
        switch (*++p) {
        case 'd':
            st = append_date(out, msg, len, date_format);
            break;
        case 'n':
            st = tm_buf_append_str(out, name);
            break;
        case 'a':
            st = tm_buf_append_str(out, addr);
            break;
        case 's':
            st = tm_buf_append_str(out, env->subject ? env->subject : "");
            break;
        default:
            st = tm_buf_append_char(out, '%');
            break;
        }
    }
    return st;
}
