/* imap_source.c - an in-memory byte source with the stream's line/exact-read shape, for tests and
 * fuzzing the IMAP response reader (lines end in CRLF or a bare LF, as RFC 3501 2.2 is read). */
#include <string.h>

#include "imap_proto.h"
#include "tmail/i18n.h"

void imap_memsource_init(struct imap_memsource *m, const char *data, size_t len, size_t chunk)
{
    m->data = data;
    m->len = len;
    m->pos = 0;
    m->chunk = chunk;
    m->visible = chunk ? 0 : len;
}

/* Makes up to chunk more bytes visible, like one short read from a socket; false at the end. */
static bool memsource_refill(struct imap_memsource *m)
{
    if (m->visible >= m->len)
        return false;
    size_t more = m->len - m->visible;
    if (m->chunk && more > m->chunk)
        more = m->chunk;
    m->visible += more;
    return true;
}

static enum tm_status memsource_read_line(void *ctx, struct tm_buf *line, size_t max,
                                          struct tm_error *err)
{
    struct imap_memsource *m = ctx;
    size_t scanned = m->pos;
    for (;;) {
        const char *lf =
            m->visible > scanned ? memchr(m->data + scanned, '\n', m->visible - scanned) : NULL;
        if (lf) {
            size_t end = (size_t)(lf - m->data);
            size_t n = end - m->pos;
            if (n > 0 && m->data[end - 1] == '\r')
                n--;
            if (n > max)
                return tm_error_set(err, TM_ELIMIT, _("line longer than %zu bytes"), max);
            enum tm_status st = tm_buf_append(line, m->data + m->pos, n);
            if (st)
                return tm_error_set(err, st, _("line does not fit in its buffer"));
            m->pos = end + 1;
            return TM_OK;
        }
        scanned = m->visible;
        /* A line that cannot end within max bytes (plus its CR) is refused before it ends. */
        if (scanned - m->pos > max && scanned - m->pos - max > 1)
            return tm_error_set(err, TM_ELIMIT, _("line longer than %zu bytes"), max);
        if (!memsource_refill(m))
            return tm_error_set(err, TM_ENET,
                                m->pos < m->len ? _("connection closed in the middle of a line")
                                                : _("connection closed"));
    }
}

static enum tm_status memsource_read_exact(void *ctx, void *buf, size_t n, struct tm_error *err)
{
    struct imap_memsource *m = ctx;
    char *out = buf;
    while (n > 0) {
        if (m->pos == m->visible && !memsource_refill(m))
            return tm_error_set(err, TM_ENET, _("connection closed in the middle of a literal"));
        size_t take = m->visible - m->pos;
        if (take > n)
            take = n;
        memcpy(out, m->data + m->pos, take);
        m->pos += take;
        out += take;
        n -= take;
    }
    return TM_OK;
}

struct imap_source imap_memsource_source(struct imap_memsource *m)
{
    return (struct imap_source){
        .ctx = m, .read_line = memsource_read_line, .read_exact = memsource_read_exact};
}
