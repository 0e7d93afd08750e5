/* buf.c - growable, size-capped byte buffers (see tmail/buf.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmail/buf.h"

void tm_buf_init(struct tm_buf *b, size_t limit)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->limit = limit ? limit : TM_BUF_DEFAULT_LIMIT;
}

void tm_buf_cleanup(struct tm_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void tm_buf_reset(struct tm_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = 0;
}

enum tm_status tm_buf_reserve(struct tm_buf *b, size_t extra)
{
    if (b->limit == 0)
        b->limit = TM_BUF_DEFAULT_LIMIT;
    if (extra > b->limit || b->len > b->limit - extra)
        return TM_ELIMIT;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return TM_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (!p)
        return TM_ENOMEM;
    b->data = p;
    b->cap = cap;
    b->data[b->len] = 0; /* the contents stay a C string even before the first append */
    return TM_OK;
}

/* The external definitions of the inline appends in buf.h (C17 6.7.4). */
extern enum tm_status tm_buf_append(struct tm_buf *b, const void *data, size_t len);
extern enum tm_status tm_buf_append_char(struct tm_buf *b, char c);

enum tm_status tm_buf_append_str(struct tm_buf *b, const char *s)
{
    return tm_buf_append(b, s, strlen(s));
}

enum tm_status tm_buf_vappendf(struct tm_buf *b, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return TM_EPARSE;
    enum tm_status st = tm_buf_reserve(b, (size_t)n);
    if (st)
        return st;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return TM_OK;
}

enum tm_status tm_buf_appendf(struct tm_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    enum tm_status st = tm_buf_vappendf(b, fmt, ap);
    va_end(ap);
    return st;
}

char *tm_buf_steal(struct tm_buf *b)
{
    if (!b->data && tm_buf_reserve(b, 0) != TM_OK)
        return NULL;
    b->data[b->len] = 0;
    char *p = b->data;
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}
