/* maildir_scan.c - syncing a Maildir folder into the store: scan cur/ and new/, read only the
 * header of new files, and diff against the store's keys. Memory stays at the key set plus one
 * header, so 100,000-message folders are fine. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "private.h"
#include "tmail/flags.h"
#include "tmail/i18n.h"
#include "tmail/keyset.h"
#include "tmail/log.h"
#include "tmail/mime.h"
#include "tmail/store.h"
#include "tmail/str.h"

#define SCAN_HEADER_CAP     ((size_t)256 * 1024) /* a header longer than this is cut */
#define SCAN_READ_CHUNK     8192
#define SCAN_BATCH_ROWS     2000 /* writes per transaction */
#define SCAN_PROGRESS_EVERY 500  /* files */

enum key_state {
    KEY_STORED, /* a store row not (yet) found on disk */
    KEY_SEEN,   /* a store row whose file this scan found */
    KEY_ADDED,  /* a file this scan added to the store */
};

struct scan {
    struct tm_session *s;
    const char *mailbox;
    int64_t mailbox_id;
    char prefix[MAILDIR_PATH_MAX]; /* location prefix: "" or ".Folder/" */
    char dir[MAILDIR_PATH_MAX];    /* root + "/" + prefix */
    struct tm_keyset keys;
    struct tm_buf header; /* reused for every new file */
    struct tm_sync_result *res;
    int64_t done, total;
    bool in_txn;
    int pending; /* writes in the open transaction */
    enum tm_status walk_status;
};

static int load_key(void *ctx, int64_t id, const char *key, const char *location, unsigned flags)
{
    struct scan *sc = ctx;
    size_t len = strlen(key);
    if (tm_keyset_find(&sc->keys, key, len))
        return 0; /* cannot happen: (mailbox_id, local_key) is unique */
    sc->walk_status = tm_keyset_add(&sc->keys, key, len, location, id, flags, KEY_STORED);
    return sc->walk_status != TM_OK;
}

/* Writes go in transactions of SCAN_BATCH_ROWS; nothing is written when nothing changed. */
static enum tm_status batch_before_write(struct scan *sc, struct tm_error *err)
{
    if (sc->in_txn)
        return TM_OK;
    enum tm_status st = tm_store_begin(sc->s->env->store, err);
    sc->in_txn = st == TM_OK;
    return st;
}

static enum tm_status batch_after_write(struct scan *sc, struct tm_error *err)
{
    if (++sc->pending < SCAN_BATCH_ROWS)
        return TM_OK;
    enum tm_status st = tm_store_commit(sc->s->env->store, err);
    sc->pending = 0;
    sc->in_txn = st != TM_OK; /* a failed COMMIT leaves it open: batch_finish rolls it back */
    return st;
}

/* Commits the open batch when st is TM_OK or TM_ECANCELED (what was done is true), otherwise
 * rolls it back. Returns st, or the commit's failure. */
static enum tm_status batch_finish(struct scan *sc, enum tm_status st, struct tm_error *err)
{
    if (!sc->in_txn)
        return st;
    sc->in_txn = false;
    if (st == TM_OK || st == TM_ECANCELED) {
        struct tm_error commit_err;
        enum tm_status cst = tm_store_commit(sc->s->env->store, &commit_err);
        if (cst == TM_OK)
            return st;
        if (err)
            *err = commit_err;
        st = cst;
    }
    tm_store_rollback(sc->s->env->store); /* a no-op when nothing is open any more */
    return st;
}

static bool header_complete(const struct tm_buf *b, size_t from)
{
    const char *p = b->data + from, *end = b->data + b->len;
    return memmem(p, (size_t)(end - p), "\n\n", 2) || memmem(p, (size_t)(end - p), "\n\r\n", 3);
}

/* Reads path up to the blank line after its header (at most SCAN_HEADER_CAP bytes) into out,
 * and its size. Reading stops at the header: the body of a large message is never touched. */
static enum tm_status read_header(const char *path, struct tm_buf *out, int64_t *size,
                                  int64_t *mtime, struct tm_error *err)
{
    struct stat sb;
    tm_buf_reset(out);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return tm_error_errno(err, errno == ENOENT ? TM_ENOENT : TM_EIO, errno, _("cannot open %s"),
                              path);
    enum tm_status st = TM_OK;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        st = tm_error_set(err, TM_EIO, _("%s is not a regular file"), path);
        goto out;
    }
    *size = sb.st_size;
    *mtime = sb.st_mtime;
    while (out->len < SCAN_HEADER_CAP) {
        size_t want = SCAN_HEADER_CAP - out->len, from = out->len > 2 ? out->len - 2 : 0;
        want = want < SCAN_READ_CHUNK ? want : SCAN_READ_CHUNK;
        if ((st = tm_buf_reserve(out, want)) != TM_OK) {
            tm_error_set(err, st, _("out of memory reading %s"), path);
            goto out;
        }
        ssize_t n = read(fd, out->data + out->len, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            st = tm_error_errno(err, TM_EIO, errno, _("cannot read %s"), path);
            goto out;
        }
        out->len += (size_t)n;
        out->data[out->len] = 0;
        if (n == 0 || header_complete(out, from))
            break;
    }
out:
    close(fd);
    return st;
}

/* When Date: is missing or unparseable: the delivery time the Maildir name starts with, else
 * the file's modification time. */
static int64_t arrival_time(const char *name, int64_t mtime)
{
    char digits[24];
    size_t n = strspn(name, "0123456789");
    int64_t t;
    if (n > 0 && n < sizeof(digits) && name[n] == '.') {
        memcpy(digits, name, n);
        digits[n] = 0;
        if (tm_str_to_i64(digits, &t) && t > 0)
            return t;
    }
    return mtime;
}

/* Stores a file the store does not know yet. A file that cannot be read is left out and counted
 * (the next sync tries again); a header that does not parse still gives a row. */
static enum tm_status add_message(struct scan *sc, const char *path, const char *name,
                                  const char *location, unsigned flags, struct tm_error *err)
{
    struct tm_envelope env = {0};
    struct tm_error local;
    int64_t size = 0, mtime = 0;
    size_t key_len = maildir_key_len(name);
    char *key = NULL;
    enum tm_status st = read_header(path, &sc->header, &size, &mtime, &local);
    if (st && st != TM_ENOMEM) {
        tm_log(TM_LOG_WARN, "maildir: skipped: %s", local.message);
        sc->res->skipped++;
        return TM_OK;
    }
    if (!st)
        st = tm_mime_envelope_parse_fb(sc->header.data, sc->header.len,
                                       sc->s->env->charset_fallback, &env, &local);
    if (st && st != TM_ENOMEM) {
        tm_log(TM_LOG_INFO, "maildir: %s: bad header: %s", path, local.message);
        st = TM_OK;
    }
    if (!st && !(key = tm_strndup(name, key_len)))
        st = TM_ENOMEM;
    if (st) {
        tm_error_set(err, st, _("out of memory reading %s"), path);
        goto out;
    }
    struct tm_message_row row = {
        .mailbox_id = sc->mailbox_id,
        .local_key = key,
        .location = (char *)location,
        .flags = flags,
        .date = env.date ? env.date : arrival_time(name, mtime),
        .size = size,
        .from_name = env.from_name,
        .from_addr = env.from_addr,
        .to_addrs = env.to,
        .subject = env.subject,
        .message_id = env.message_id,
        .in_reply_to = env.in_reply_to,
        .references = env.references,
    };
    st = batch_before_write(sc, err);
    if (!st)
        st = tm_store_message_upsert(sc->s->env->store, &row, err);
    if (!st)
        st = batch_after_write(sc, err);
    if (!st)
        st = tm_keyset_add(&sc->keys, key, key_len, NULL, row.id, flags, KEY_ADDED);
    if (st == TM_ENOMEM)
        tm_error_set(err, st, _("out of memory syncing %s"), sc->dir);
    if (!st)
        sc->res->added++;
out:
    free(key);
    tm_mime_envelope_cleanup(&env);
    return st;
}

static bool is_regular_file(DIR *d, const struct dirent *e)
{
    struct stat sb;
    if (e->d_type == DT_REG)
        return true;
    if (e->d_type != DT_UNKNOWN) /* symlinks, directories, fifos... are not messages */
        return false;
    return fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(sb.st_mode);
}

/* Handles one directory entry of sub ("cur" or "new"). */
static enum tm_status scan_entry(struct scan *sc, const char *sub, DIR *d, const struct dirent *e,
                                 struct tm_error *err)
{
    const char *name = e->d_name;
    size_t key_len = maildir_key_len(name);
    char loc[MAILDIR_PATH_MAX], path[MAILDIR_PATH_MAX];
    if (key_len == 0 || !is_regular_file(d, e))
        return TM_OK;
    enum tm_status st = maildir_pathf(loc, sizeof(loc), err, "%s%s/%s", sc->prefix, sub, name);
    if (st)
        return st;
    unsigned flags = maildir_flags_from_name(name) | (sub[0] == 'n' ? TM_FLAG_RECENT : 0);
    struct tm_keyset_entry *known = tm_keyset_find(&sc->keys, name, key_len);
    if (known && known->state != KEY_STORED)
        return TM_OK; /* the same unique name twice: cur/ was scanned first and wins */
    if (!known) {
        st = maildir_pathf(path, sizeof(path), err, "%s/%s", sc->s->root, loc);
        return st ? st : add_message(sc, path, name, loc, flags, err);
    }
    known->state = KEY_SEEN;
    if (known->flags == flags && known->location && strcmp(known->location, loc) == 0)
        return TM_OK;
    st = batch_before_write(sc, err);
    if (!st)
        st = tm_store_message_set_flags(sc->s->env->store, known->id, flags, loc, err);
    if (!st)
        st = batch_after_write(sc, err);
    if (!st)
        sc->res->changed++;
    return st;
}

static void report_progress(struct scan *sc)
{
    const struct tm_backend_env *env = sc->s->env;
    if (env->progress)
        env->progress(env->progress_ctx, sc->mailbox, sc->done,
                      sc->total > sc->done ? sc->total : sc->done);
}

static enum tm_status scan_dir(struct scan *sc, const char *sub, struct tm_error *err)
{
    char path[MAILDIR_PATH_MAX];
    enum tm_status st = maildir_pathf(path, sizeof(path), err, "%s%s", sc->dir, sub);
    if (st)
        return st;
    DIR *d = opendir(path);
    if (!d)
        return tm_error_errno(err, TM_EIO, errno, _("cannot open directory %s"), path);
    struct dirent *e;
    for (errno = 0; (e = readdir(d)) != NULL; errno = 0) {
        if (e->d_name[0] == '.')
            continue;
        if (sc->s->env->cancel && *sc->s->env->cancel) {
            st = tm_error_set(err, TM_ECANCELED, _("sync of %s canceled"), sc->mailbox);
            break;
        }
        if ((st = scan_entry(sc, sub, d, e, err)) != TM_OK)
            break;
        if (++sc->done % SCAN_PROGRESS_EVERY == 0)
            report_progress(sc);
    }
    if (!e && errno) /* readdir failed: never go on to delete what we did not see */
        st = tm_error_errno(err, TM_EIO, errno, _("cannot read directory %s"), path);
    closedir(d);
    return st;
}

/* Entries of dir, for the progress total; 0 when it cannot be read (scan_dir reports that). */
static int64_t count_entries(const char *dir, const char *sub)
{
    char path[MAILDIR_PATH_MAX];
    int64_t n = 0;
    if (maildir_pathf(path, sizeof(path), NULL, "%s%s", dir, sub))
        return 0;
    DIR *d = opendir(path);
    if (!d)
        return 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static enum tm_status remove_vanished(struct scan *sc, struct tm_error *err)
{
    enum tm_status st = TM_OK;
    for (size_t i = 0; !st && i < sc->keys.n_slots; i++) {
        struct tm_keyset_entry *e = &sc->keys.slots[i];
        if (!e->key || e->state != KEY_STORED)
            continue;
        st = batch_before_write(sc, err);
        if (!st)
            st = tm_store_message_delete(sc->s->env->store, e->id, err);
        if (!st)
            st = batch_after_write(sc, err);
        if (!st)
            sc->res->removed++;
    }
    return st;
}

/* Finds the folder and loads the store's keys for it. */
static enum tm_status scan_prepare(struct scan *sc, struct tm_error *err)
{
    enum tm_status st = maildir_mailbox_prefix(sc->mailbox, sc->prefix, sizeof(sc->prefix), err);
    if (!st)
        st = maildir_pathf(sc->dir, sizeof(sc->dir), err, "%s/%s", sc->s->root, sc->prefix);
    if (st)
        return st;
    if (!maildir_is_maildir(sc->dir))
        return tm_error_set(err, TM_ENOENT, _("%s is not a Maildir (no cur/, new/, tmp/)"),
                            sc->dir);
    st = tm_store_message_each_key(sc->s->env->store, sc->mailbox_id, load_key, sc, err);
    if (!st && sc->walk_status)
        st = tm_error_set(err, sc->walk_status, _("out of memory syncing %s"), sc->dir);
    return st;
}

enum tm_status maildir_sync(struct tm_session *s, const char *mailbox, int64_t mailbox_id,
                            struct tm_sync_result *res, struct tm_error *err)
{
    struct tm_sync_result ignored;
    struct scan *sc = calloc(1, sizeof(*sc)); /* path buffers: keep them off worker stacks */
    if (!sc)
        return tm_error_set(err, TM_ENOMEM, _("out of memory syncing %s"), mailbox);
    sc->s = s;
    sc->mailbox = mailbox;
    sc->mailbox_id = mailbox_id;
    sc->res = res ? res : &ignored;
    *sc->res = (struct tm_sync_result){0};
    tm_buf_init(&sc->header, SCAN_HEADER_CAP + 1);
    enum tm_status st = scan_prepare(sc, err);
    if (st)
        goto out;
    sc->total = count_entries(sc->dir, "cur") + count_entries(sc->dir, "new");
    st = scan_dir(sc, "cur", err); /* cur/ first: it wins when a name is in both */
    if (!st)
        st = scan_dir(sc, "new", err);
    if (!st)
        st = remove_vanished(sc, err);
    st = batch_finish(sc, st, err);
    report_progress(sc);
out:
    tm_keyset_cleanup(&sc->keys);
    tm_buf_cleanup(&sc->header);
    free(sc);
    return st;
}

enum tm_status maildir_find_key(struct tm_session *s, const char *prefix, const char *key,
                                size_t key_len, char *loc, size_t size, struct tm_error *err)
{
    static const char *const subs[] = {"cur", "new"};
    char path[MAILDIR_PATH_MAX];
    for (int i = 0; i < 2; i++) {
        if (maildir_pathf(path, sizeof(path), err, "%s/%s%s", s->root, prefix, subs[i]))
            return TM_ELIMIT;
        DIR *d = opendir(path);
        struct dirent *e = NULL;
        while (d && (e = readdir(d)) != NULL) {
            if (e->d_name[0] != '.' && maildir_key_len(e->d_name) == key_len &&
                strncmp(e->d_name, key, key_len) == 0)
                break;
        }
        enum tm_status st =
            e ? maildir_pathf(loc, size, err, "%s%s/%s", prefix, subs[i], e->d_name) : TM_ENOENT;
        if (d)
            closedir(d);
        if (st != TM_ENOENT)
            return st;
    }
    return tm_error_set(err, TM_ENOENT, _("message %.*s is no longer in %s"), (int)key_len, key,
                        s->root);
}
