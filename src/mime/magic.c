/* magic.c - content types of attachments from libmagic; the only file that includes magic.h. */
#include <magic.h>
#include <stdlib.h>
#include <string.h>

#include "tmail/compose.h"
#include "tmail/i18n.h"
#include "tmail/str.h"

/* libmagic's cookie is not thread-safe: each handle belongs to one thread at a time. */
struct tm_magic {
    magic_t cookie;
};

enum tm_status tm_magic_new(struct tm_magic **out, struct tm_error *err)
{
    *out = NULL;
    struct tm_magic *m = calloc(1, sizeof(*m));
    if (!m)
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    m->cookie = magic_open(MAGIC_MIME_TYPE | MAGIC_MIME_ENCODING | MAGIC_ERROR);
    if (!m->cookie || magic_load(m->cookie, NULL) != 0) {
        enum tm_status st = tm_error_set(
            err, TM_EIO, _("cannot load the libmagic database: %s"),
            m->cookie && magic_error(m->cookie) ? magic_error(m->cookie) : _("unknown error"));
        tm_magic_free(&m);
        return st;
    }
    *out = m;
    return TM_OK;
}

void tm_magic_free(struct tm_magic **pp)
{
    if (!pp || !*pp)
        return;
    if ((*pp)->cookie)
        magic_close((*pp)->cookie);
    free(*pp);
    *pp = NULL;
}

/* libmagic says "type/subtype; charset=X"; the charset is kept only where it means something. */
static bool keep_charset(const char *type, const char *charset)
{
    return strncmp(type, "text/", 5) == 0 && strcmp(charset, "binary") != 0 &&
           strncmp(charset, "unknown", 7) != 0;
}

enum tm_status tm_magic_content_type(struct tm_magic *m, const void *data, size_t len,
                                     char **content_type, struct tm_error *err)
{
    *content_type = NULL;
    const char *r = magic_buffer(m->cookie, data, len);
    if (!r)
        return tm_error_set(err, TM_EIO, _("libmagic failed: %s"),
                            magic_error(m->cookie) ? magic_error(m->cookie) : _("unknown error"));
    size_t tlen = strcspn(r, ";");
    const char *cs = strstr(r, "charset=");
    char *type = tm_strndup(r, tlen);
    struct tm_buf b;
    tm_buf_init(&b, 0);
    enum tm_status st = type ? tm_buf_append_str(&b, type) : TM_ENOMEM;
    if (st == TM_OK && cs && keep_charset(type, cs + 8))
        st = tm_buf_appendf(&b, "; charset=%s", cs + 8);
    if (st == TM_OK)
        *content_type = tm_buf_steal(&b);
    free(type);
    tm_buf_cleanup(&b);
    return st ? tm_error_set(err, st, _("out of memory")) : TM_OK;
}
