/* imap_test_util.c - canonical dumps of IMAP responses for byte-exact test comparisons. */
#include "imap_test_util.h"

#include <stdlib.h>
#include <string.h>

static const char *const cond_names[] = {"", "OK", "NO", "BAD", "BYE", "PREAUTH"};

static void dump_bytes(const char *s, size_t len, struct tm_buf *out)
{
    tm_buf_append_char(out, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            tm_buf_appendf(out, "\\%c", c);
        else if (c < 0x20 || c >= 0x7F)
            tm_buf_appendf(out, "\\x%02X", c);
        else
            tm_buf_append_char(out, (char)c);
    }
    tm_buf_append_char(out, '"');
}

void dump_value(const struct imap_value *v, struct tm_buf *out)
{
    /* Every string is NUL-terminated at len; a dump of a broken one says so. */
    if (v->type != IMAP_V_LIST && v->type != IMAP_V_NIL && (!v->str || v->str[v->len] != 0)) {
        tm_buf_append_str(out, "<UNTERMINATED>");
        return;
    }
    switch (v->type) {
    case IMAP_V_ATOM:
        tm_buf_append(out, v->str, v->len);
        break;
    case IMAP_V_NUMBER:
        tm_buf_appendf(out, "#%s", v->str);
        if (strtoull(v->str, NULL, 10) != v->num)
            tm_buf_append_str(out, "<BADNUM>");
        break;
    case IMAP_V_STRING:
        if (v->literal)
            tm_buf_append_char(out, 'L');
        dump_bytes(v->str, v->len, out);
        break;
    case IMAP_V_NIL:
        tm_buf_append_str(out, "NIL");
        break;
    case IMAP_V_LIST:
        tm_buf_append_char(out, '(');
        for (size_t i = 0; i < v->n; i++) {
            if (i)
                tm_buf_append_char(out, ' ');
            dump_value(&v->items[i], out);
        }
        tm_buf_append_char(out, ')');
        break;
    }
}

void dump_response(const struct imap_response *r, struct tm_buf *out)
{
    if (r->kind == IMAP_TAGGED)
        tm_buf_appendf(out, "T %s %s", r->tag, cond_names[r->cond]);
    else if (r->kind == IMAP_CONTINUATION)
        tm_buf_append_str(out, "+");
    else if (r->cond != IMAP_COND_NONE)
        tm_buf_appendf(out, "* %s", cond_names[r->cond]);
    else if (r->has_number)
        tm_buf_appendf(out, "* %llu %s", (unsigned long long)r->number, r->keyword);
    else
        tm_buf_appendf(out, "* %s", r->keyword);
    if (r->code) {
        tm_buf_appendf(out, " [%s", r->code);
        for (size_t i = 0; i < r->n_code_args; i++) {
            tm_buf_append_char(out, ' ');
            dump_value(&r->code_args[i], out);
        }
        tm_buf_append_char(out, ']');
    }
    if (r->text) {
        tm_buf_append_str(out, " text=");
        dump_bytes(r->text, strlen(r->text), out);
    }
    for (size_t i = 0; i < r->n_args; i++) {
        tm_buf_append_char(out, ' ');
        dump_value(&r->args[i], out);
    }
}

char *read_all(const char *data, size_t len, size_t chunk, const struct imap_limits *lim,
               enum tm_status *end, struct tm_error *err)
{
    struct imap_parser *p = NULL;
    struct imap_memsource m;
    struct tm_error local;
    struct tm_buf out;
    tm_buf_init(&out, 0);
    tm_buf_append_str(&out, "");
    if (!err)
        err = &local;
    tm_error_clear(err);
    *end = imap_parser_new(lim, &p, err);
    imap_memsource_init(&m, data, len, chunk);
    struct imap_source src = imap_memsource_source(&m);
    while (*end == TM_OK) {
        struct imap_response r;
        *end = imap_read_response(p, &src, &r, err);
        if (*end == TM_OK) {
            dump_response(&r, &out);
            tm_buf_append_char(&out, '\n');
        }
    }
    imap_parser_free(&p);
    return tm_buf_steal(&out);
}

enum tm_status read_one(const char *s, struct imap_parser **p, struct imap_response *r,
                        struct tm_error *err)
{
    return read_one_len(s, strlen(s), p, r, err);
}

enum tm_status read_one_len(const char *s, size_t len, struct imap_parser **p,
                            struct imap_response *r, struct tm_error *err)
{
    static struct imap_memsource m;
    static struct imap_source src;
    enum tm_status st = TM_OK;
    if (!*p)
        st = imap_parser_new(NULL, p, err);
    if (st)
        return st;
    imap_memsource_init(&m, s, len, 0);
    src = imap_memsource_source(&m);
    return imap_read_response(*p, &src, r, err);
}
