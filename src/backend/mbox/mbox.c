/* mbox.c - the mbox backend: a single-file folder (RFC 4155) read in place through mmap.
 * Messages are byte ranges of the file; flags come from Status/X-Status headers when a message
 * is first seen and are then kept in the cache only (the file is never rewritten). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tmail/backend.h"
#include "tmail/flags.h"
#include "tmail/i18n.h"
#include "tmail/keyset.h"
#include "tmail/mime.h"
#include "tmail/store.h"

#define MBOX_BATCH_ROWS     2000
#define MBOX_PROGRESS_EVERY 500

enum { KEY_STORED, KEY_SEEN };

struct tm_session {
    const struct tm_backend_env *env; /* borrowed */
    int64_t account_id;
    char *path; /* owned */
};

/* The file mapped read-only; map is NULL for an empty file. */
struct mapping {
    const char *map;
    size_t size;
};

static enum tm_status map_file(const char *path, struct mapping *m, struct tm_error *err)
{
    struct stat sb;
    m->map = NULL;
    m->size = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return tm_error_errno(err, errno == ENOENT ? TM_ENOENT : TM_EIO, errno, _("cannot open %s"),
                              path);
    enum tm_status st = TM_OK;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        st = tm_error_set(err, TM_ENOENT, _("%s is not an mbox file"), path);
    } else if (sb.st_size > 0) {
        void *p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED)
            st = tm_error_errno(err, TM_EIO, errno, _("cannot read %s"), path);
        else
            m->map = p, m->size = (size_t)sb.st_size;
    }
    close(fd);
    return st;
}

static void unmap_file(struct mapping *m)
{
    if (m->map)
        munmap((void *)m->map, m->size);
    m->map = NULL;
}

static enum tm_status mbox_open(const struct tm_backend_env *env,
                                const struct tm_account_spec *acct, struct tm_session **out,
                                struct tm_error *err)
{
    const char *path = acct->url ? acct->url : "";
    struct mapping m;
    size_t pos = 0;
    struct tm_mbox_entry e;
    *out = NULL;
    if (strncmp(path, "mbox://", 7) == 0)
        path += 7;
    enum tm_status st = map_file(path, &m, err);
    if (st)
        return st;
    bool ok = m.size == 0 || tm_mbox_next(m.map, m.size, &pos, &e);
    unmap_file(&m);
    if (!ok)
        return tm_error_set(err, TM_EPARSE, _("%s is not an mbox (no \"From \" line)"), path);
    struct tm_session *s = calloc(1, sizeof(*s));
    if (!s || !(s->path = strdup(path))) {
        free(s);
        return tm_error_set(err, TM_ENOMEM, _("out of memory opening %s"), path);
    }
    s->env = env;
    s->account_id = acct->account_id;
    *out = s;
    return TM_OK;
}

static void mbox_close(struct tm_session **pp)
{
    if (!pp || !*pp)
        return;
    free((*pp)->path);
    free(*pp);
    *pp = NULL;
}

/* Flags an mbox writer (mutt, Thunderbird) left in Status: and X-Status:. */
static unsigned header_flags(const char *msg, size_t len)
{
    unsigned flags = 0;
    char *status = tm_mime_header_get(msg, len, "Status");
    char *xstatus = tm_mime_header_get(msg, len, "X-Status");
    if (status && strchr(status, 'R'))
        flags |= TM_FLAG_SEEN;
    if (xstatus) {
        flags |= strchr(xstatus, 'A') ? TM_FLAG_ANSWERED : 0;
        flags |= strchr(xstatus, 'F') ? TM_FLAG_FLAGGED : 0;
        flags |= strchr(xstatus, 'D') ? TM_FLAG_DELETED : 0;
        flags |= strchr(xstatus, 'T') ? TM_FLAG_DRAFT : 0;
    }
    free(status);
    free(xstatus);
    return flags;
}

static int remember_key(void *ctx, int64_t id, const char *key, const char *location,
                        unsigned flags)
{
    struct tm_keyset *keys = ctx;
    return tm_keyset_add(keys, key, strlen(key), location, id, flags, KEY_STORED) != TM_OK;
}

/* Without a usable Date:, the time on the From_ line ("From sender Thu Nov  5 10:00:00 2026"),
 * which is when the message arrived in the mbox. */
static int64_t from_line_date(const char *data, const struct tm_mbox_entry *e)
{
    char line[256];
    size_t len = e->start - e->from_line;
    if (len >= sizeof(line))
        len = sizeof(line) - 1;
    memcpy(line, data + e->from_line, len);
    line[len] = 0;
    const char *date = strchr(line + 5 + strspn(line + 5, " "), ' '); /* after the sender */
    time_t t;
    return date && tm_mime_parse_date(date, &t) ? (int64_t)t : 0;
}

static enum tm_status add_row(struct tm_session *s, int64_t mailbox_id, const char *data,
                              const struct tm_mbox_entry *e, const char *key, struct tm_error *err)
{
    struct tm_envelope env;
    struct tm_message_row row;
    memset(&env, 0, sizeof(env));
    memset(&row, 0, sizeof(row));
    size_t len = e->end - e->start;
    enum tm_status st =
        tm_mime_envelope_parse_fb(data + e->start, len, s->env->charset_fallback, &env, err);
    if (st)
        return st;
    row.mailbox_id = mailbox_id;
    row.local_key = (char *)key;
    row.location = (char *)key;
    row.flags = header_flags(data + e->start, len);
    row.date = env.date ? env.date : from_line_date(data, e);
    row.size = (int64_t)len;
    row.from_name = env.from_name;
    row.from_addr = env.from_addr;
    row.to_addrs = env.to;
    row.subject = env.subject;
    row.message_id = env.message_id;
    row.in_reply_to = env.in_reply_to;
    row.references = env.references;
    st = tm_store_message_upsert(s->env->store, &row, err);
    tm_mime_envelope_cleanup(&env);
    return st;
}

/* Inserts messages of the file that the store does not know, marking the known ones seen. */
static enum tm_status scan_file(struct tm_session *s, const struct mapping *m, int64_t mailbox_id,
                                struct tm_keyset *keys, struct tm_sync_result *res,
                                struct tm_error *err)
{
    struct tm_mbox_entry e;
    size_t pos = 0;
    int64_t done = 0, pending = 0;
    char key[64];
    enum tm_status st = tm_store_begin(s->env->store, err);
    while (!st && m->map && tm_mbox_next(m->map, m->size, &pos, &e)) {
        if (s->env->cancel && *s->env->cancel) {
            st = tm_error_set(err, TM_ECANCELED, _("stopped"));
            break;
        }
        snprintf(key, sizeof(key), "%zu+%zu", e.from_line, e.end - e.from_line);
        struct tm_keyset_entry *known = tm_keyset_find(keys, key, strlen(key));
        if (known) {
            known->state = KEY_SEEN;
        } else if (!(st = add_row(s, mailbox_id, m->map, &e, key, err))) {
            res->added++;
            if (++pending % MBOX_BATCH_ROWS == 0 && !(st = tm_store_commit(s->env->store, err)))
                st = tm_store_begin(s->env->store, err);
        }
        if (++done % MBOX_PROGRESS_EVERY == 0 && s->env->progress)
            s->env->progress(s->env->progress_ctx, "INBOX", done,
                             (int64_t)((double)done * (double)m->size / (double)pos));
    }
    if (!st)
        st = tm_store_commit(s->env->store, err);
    else
        tm_store_rollback(s->env->store);
    if (!st && s->env->progress)
        s->env->progress(s->env->progress_ctx, "INBOX", done, done);
    return st;
}

static enum tm_status mbox_sync(struct tm_session *s, const char *mailbox, int64_t mailbox_id,
                                struct tm_sync_result *res, struct tm_error *err)
{
    struct tm_keyset keys = {0};
    struct mapping m = {0};
    if (strcmp(mailbox, "INBOX") != 0)
        return tm_error_set(err, TM_ENOENT, _("an mbox file has no folder %s"), mailbox);
    enum tm_status st =
        tm_store_message_each_key(s->env->store, mailbox_id, remember_key, &keys, err);
    if (!st)
        st = map_file(s->path, &m, err);
    if (!st)
        st = scan_file(s, &m, mailbox_id, &keys, res, err);
    /* Messages whose byte range is gone (the file was rewritten) leave the cache. */
    for (size_t i = 0; !st && i < keys.n_slots; i++) {
        if (keys.slots[i].key && keys.slots[i].state == KEY_STORED &&
            !(st = tm_store_message_delete(s->env->store, keys.slots[i].id, err)))
            res->removed++;
    }
    unmap_file(&m);
    tm_keyset_cleanup(&keys);
    return st;
}

/* The message at location "OFFSET+LENGTH", checked against the file as it is now. */
static enum tm_status mbox_fetch(struct tm_session *s, int64_t message_id, struct tm_buf *out,
                                 struct tm_error *err)
{
    struct tm_message_row row;
    struct mapping m = {0};
    struct tm_mbox_entry e;
    unsigned long long off = 0, len = 0;
    memset(&row, 0, sizeof(row));
    enum tm_status st = tm_store_message_get(s->env->store, message_id, &row, err);
    if (!st && (!row.location || sscanf(row.location, "%llu+%llu", &off, &len) != 2))
        st = tm_error_set(err, TM_ESTORE, _("bad mbox location in the cache"));
    if (!st)
        st = map_file(s->path, &m, err);
    size_t pos = (size_t)off;
    if (!st && (off >= m.size || len > m.size - off || !tm_mbox_next(m.map, m.size, &pos, &e) ||
                e.from_line != off || e.end - e.from_line != len))
        st = tm_error_set(err, TM_ENOENT, _("%s has changed since it was read; press $ to rescan"),
                          s->path);
    if (!st)
        st = tm_mbox_unquote(m.map + e.start, e.end - e.start, out);
    if (st == TM_ENOMEM || st == TM_ELIMIT)
        tm_error_set(err, st, _("message too large to load"));
    unmap_file(&m);
    tm_message_row_cleanup(&row);
    return st;
}

/* Flags stay in the cache: rewriting a whole mbox for a flag is what mutt does on exit, and a
 * later issue may add it; until then the file is never modified. */
static enum tm_status mbox_set_flags(struct tm_session *s, int64_t message_id, unsigned add,
                                     unsigned clear, struct tm_error *err)
{
    struct tm_message_row row;
    memset(&row, 0, sizeof(row));
    enum tm_status st = tm_store_message_get(s->env->store, message_id, &row, err);
    if (!st)
        st = tm_store_message_set_flags(s->env->store, message_id, (row.flags | add) & ~clear, NULL,
                                        err);
    tm_message_row_cleanup(&row);
    return st;
}

const struct tm_backend_ops tm_mbox_ops = {
    .name = "mbox",
    .caps = 0, /* one folder, flags kept locally, read-only */
    .open = mbox_open,
    .close = mbox_close,
    .sync_mailbox = mbox_sync,
    .fetch_message = mbox_fetch,
    .set_flags = mbox_set_flags,
};
