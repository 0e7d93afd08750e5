/* attach_file.c - the composer's I/O edge: reading a file to attach (typed by libmagic) and the
 * system random source for Message-IDs and boundaries. Not pure, unlike the rest of mime/. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "private.h"
#include "tmail/compose.h"
#include "tmail/fsutil.h"
#include "tmail/i18n.h"

static enum tm_status set_filename(struct tm_compose_file *f, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    struct tm_buf b;
    tm_buf_init(&b, 0);
    /* File names are bytes; the MIME parameter is UTF-8. */
    enum tm_status st = mime_utf8_sanitize(&b, base, strlen(base));
    if (st == TM_OK)
        f->filename = tm_buf_steal(&b);
    tm_buf_cleanup(&b);
    return st;
}

enum tm_status tm_compose_file_load(struct tm_compose_file *f, const char *path, size_t max,
                                    struct tm_magic *m, struct tm_error *err)
{
    struct tm_magic *own = NULL;
    struct tm_error inner;
    memset(f, 0, sizeof(*f));
    tm_buf_init(&f->data, max + 1);
    tm_error_clear(&inner);
    enum tm_status st = tm_fs_read_file(path, max, 0, &f->data, &inner);
    if (st) {
        tm_error_set(err, st, _("cannot attach %s: %s"), path, inner.message);
        goto out;
    }
    if (!m && (st = tm_magic_new(&own, err)))
        goto out;
    st = tm_magic_content_type(m ? m : own, f->data.data ? f->data.data : "", f->data.len,
                               &f->content_type, err);
    if (st == TM_OK && (st = set_filename(f, path)))
        tm_error_set(err, st, _("out of memory"));
    if (st)
        goto out;
    f->att.filename = f->filename;
    f->att.content_type = f->content_type;
    f->att.data = f->data.data ? f->data.data : "";
    f->att.len = f->data.len;
out:
    tm_magic_free(&own);
    return st;
}

void tm_compose_file_cleanup(struct tm_compose_file *f)
{
    tm_buf_cleanup(&f->data);
    free(f->filename);
    free(f->content_type);
    memset(f, 0, sizeof(*f));
}

bool tm_compose_random_system(void *ctx, unsigned char *buf, size_t len)
{
    (void)ctx;
    size_t done = 0;
    while (done < len) {
        ssize_t n = getrandom(buf + done, len - done, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += (size_t)n;
    }
    return true;
}
