/* buf.h - a growable byte buffer with a caller-chosen size cap, so hostile input cannot make tmail
 * allocate without bound. Contents are always NUL-terminated (the NUL is not counted in len). */
#ifndef TMAIL_BUF_H
#define TMAIL_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include "tmail/status.h"

struct tm_buf {
    char *data;   /* owned; NULL until the first append */
    size_t len;   /* bytes used, excluding the terminating NUL */
    size_t cap;   /* bytes allocated */
    size_t limit; /* maximum len; appends beyond it fail with TM_ELIMIT */
};

#define TM_BUF_DEFAULT_LIMIT ((size_t)256 * 1024 * 1024)

void tm_buf_init(struct tm_buf *b, size_t limit);
void tm_buf_cleanup(struct tm_buf *b);
void tm_buf_reset(struct tm_buf *b); /* len = 0, keeps the allocation */
enum tm_status tm_buf_reserve(struct tm_buf *b, size_t extra);
enum tm_status tm_buf_append_str(struct tm_buf *b, const char *s);

/* The two appends every parser makes a byte or a word at a time are inline: when the room is
 * already allocated and within the limit (the test tm_buf_reserve makes first), no call is
 * made. buf.c holds their external definitions. */
inline enum tm_status tm_buf_append(struct tm_buf *b, const void *data, size_t len)
{
    if (!(b->limit && len <= b->limit && b->len <= b->limit - len && b->len + len < b->cap)) {
        enum tm_status st = tm_buf_reserve(b, len);
        if (st)
            return st;
    }
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = 0;
    return TM_OK;
}

inline enum tm_status tm_buf_append_char(struct tm_buf *b, char c)
{
    if (!(b->len < b->limit && b->len + 1 < b->cap))
        return tm_buf_append(b, &c, 1);
    b->data[b->len++] = c;
    b->data[b->len] = 0;
    return TM_OK;
}
enum tm_status tm_buf_appendf(struct tm_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
enum tm_status tm_buf_vappendf(struct tm_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Hands the data to the caller (free() it) and leaves b empty. Never NULL on success. */
char *tm_buf_steal(struct tm_buf *b);

#endif
