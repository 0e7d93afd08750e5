/* maildir_write.c - changing a Maildir: flag renames (new/ to cur/), expunge, and append through
 * tmp/ with a unique name. (https://cr.yp.to/proto/maildir.html) */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "private.h"
#include "tmail/array.h"
#include "tmail/flags.h"
#include "tmail/i18n.h"
#include "tmail/store.h"

enum tm_status maildir_relocate(struct tm_session *s, int64_t id, const char *old_location,
                                char *loc, size_t size, struct tm_error *err)
{
    size_t prefix_len;
    bool in_new;
    const char *name;
    char prefix[MAILDIR_PATH_MAX];
    if (!maildir_location_split(old_location, &prefix_len, &in_new, &name))
        return tm_error_set(err, TM_ESTORE, _("bad Maildir location in the cache: %s"),
                            old_location);
    memcpy(prefix, old_location, prefix_len);
    prefix[prefix_len] = 0;
    enum tm_status st = maildir_find_key(s, prefix, name, maildir_key_len(name), loc, size, err);
    if (st)
        return st;
    maildir_location_split(loc, &prefix_len, &in_new, &name); /* made by find_key: valid */
    unsigned flags = maildir_flags_from_name(name) | (in_new ? TM_FLAG_RECENT : 0);
    return tm_store_message_set_flags(s->env->store, id, flags, loc, err);
}

/* Renames the file at location to carry flags, in cur/ (a message a client has seen leaves
 * new/), and stores the result. TM_ENOENT when the file is not at location. */
static enum tm_status rename_with_flags(struct tm_session *s, int64_t id, const char *location,
                                        unsigned flags, struct tm_error *err)
{
    char name_buf[1024], newloc[MAILDIR_PATH_MAX], from[MAILDIR_PATH_MAX], to[MAILDIR_PATH_MAX];
    size_t prefix_len;
    bool in_new;
    const char *name;
    if (!maildir_location_split(location, &prefix_len, &in_new, &name))
        return tm_error_set(err, TM_ESTORE, _("bad Maildir location in the cache: %s"), location);
    flags &= ~(unsigned)TM_FLAG_RECENT;
    enum tm_status st = maildir_name_with_flags(name, flags, name_buf, sizeof(name_buf), err);
    if (!st)
        st = maildir_pathf(newloc, sizeof(newloc), err, "%.*scur/%s", (int)prefix_len, location,
                           name_buf);
    if (!st)
        st = maildir_pathf(from, sizeof(from), err, "%s/%s", s->root, location);
    if (!st)
        st = maildir_pathf(to, sizeof(to), err, "%s/%s", s->root, newloc);
    if (st)
        return st;
    if (strcmp(from, to) != 0 && rename(from, to) != 0)
        return tm_error_errno(err, errno == ENOENT ? TM_ENOENT : TM_EIO, errno,
                              _("cannot rename %s to %s"), from, to);
    return tm_store_message_set_flags(s->env->store, id, flags, newloc, err);
}

enum tm_status maildir_set_flags(struct tm_session *s, int64_t message_id, unsigned add,
                                 unsigned clear, struct tm_error *err)
{
    struct tm_message_row row = {0};
    char loc[MAILDIR_PATH_MAX];
    enum tm_status st = maildir_row(s, message_id, &row, err);
    if (st)
        goto out;
    st = rename_with_flags(s, row.id, row.location, (row.flags | add) & ~clear, err);
    if (st != TM_ENOENT)
        goto out;
    /* renamed by another client: apply our change on top of the flags it left */
    st = maildir_relocate(s, row.id, row.location, loc, sizeof(loc), err);
    if (!st)
        st = rename_with_flags(
            s, row.id, loc, (maildir_flags_from_name(strrchr(loc, '/') + 1) | add) & ~clear, err);
out:
    tm_message_row_cleanup(&row);
    return st;
}

/* A message the store marks deleted; collected before any file is touched. */
struct doomed {
    int64_t id;
    char *location;
};

struct doomed_list {
    struct doomed *items;
    size_t n, cap;
    bool nomem;
};

static int collect_deleted(void *ctx, int64_t id, const char *key, const char *location,
                           unsigned flags)
{
    struct doomed_list *list = ctx;
    (void)key;
    if (!(flags & TM_FLAG_DELETED) || !location)
        return 0;
    if (TM_ARRAY_RESERVE(list->items, list->n, list->cap, 16))
        return list->nomem = true;
    list->items[list->n] = (struct doomed){id, strdup(location)};
    if (!list->items[list->n].location)
        return list->nomem = true;
    list->n++;
    return 0;
}

/* Unlinks one message's file if its name still says T (deleted), following a rename by another
 * client once, and deletes its row when the file is gone. */
static enum tm_status expunge_one(struct tm_session *s, const struct doomed *d,
                                  struct tm_error *err)
{
    char loc[MAILDIR_PATH_MAX], path[MAILDIR_PATH_MAX];
    enum tm_status st = maildir_pathf(loc, sizeof(loc), err, "%s", d->location);
    for (int attempt = 0; !st && attempt < 2; attempt++) {
        const char *name = strrchr(loc, '/');
        if (!name || !(maildir_flags_from_name(name + 1) & TM_FLAG_DELETED))
            return TM_OK; /* undeleted on disk meanwhile: keep it */
        st = maildir_pathf(path, sizeof(path), err, "%s/%s", s->root, loc);
        if (st || unlink(path) == 0)
            break;
        if (errno != ENOENT)
            return tm_error_errno(err, TM_EIO, errno, _("cannot remove %s"), path);
        char old[MAILDIR_PATH_MAX];
        memcpy(old, loc, sizeof(old));
        st = maildir_relocate(s, d->id, old, loc, sizeof(loc), err);
        if (st == TM_ENOENT) {
            st = TM_OK; /* gone already */
            break;
        }
    }
    return st ? st : tm_store_message_delete(s->env->store, d->id, err);
}

enum tm_status maildir_expunge(struct tm_session *s, const char *mailbox, int64_t mailbox_id,
                               struct tm_error *err)
{
    char prefix[MAILDIR_PATH_MAX];
    struct doomed_list list = {0};
    enum tm_status st = maildir_mailbox_prefix(mailbox, prefix, sizeof(prefix), err);
    if (!st)
        st = tm_store_message_each_key(s->env->store, mailbox_id, collect_deleted, &list, err);
    if (!st && list.nomem)
        st = tm_error_set(err, TM_ENOMEM, _("out of memory expunging %s"), mailbox);
    bool began = !st && list.n > 0 && (st = tm_store_begin(s->env->store, err)) == TM_OK;
    for (size_t i = 0; began && !st && i < list.n; i++)
        st = expunge_one(s, &list.items[i], err);
    if (began && !st)
        st = tm_store_commit(s->env->store, err);
    if (began && st)
        tm_store_rollback(s->env->store); /* rows of files already removed go at the next sync */
    for (size_t i = 0; i < list.n; i++)
        free(list.items[i].location);
    free(list.items);
    return st;
}

/* TIME.M<usec>P<pid>Q<counter>.HOST, the spec's unique name. The counter is process-wide so two
 * sessions delivering in the same microsecond still differ. */
static enum tm_status unique_name(char *out, size_t size, struct tm_error *err)
{
    static atomic_uint counter;
    char host[256], safe[256 * 4 + 1];
    struct timeval tv;
    gettimeofday(&tv, NULL);
    if (gethostname(host, sizeof(host)) != 0)
        memcpy(host, "localhost", sizeof("localhost"));
    host[sizeof(host) - 1] = 0;
    size_t n = 0;
    for (const char *p = host; *p; p++) { /* '/' and ':' would break the name: octal escapes */
        const char *rep = *p == '/' ? "\\057" : *p == ':' ? "\\072" : NULL;
        size_t len = rep ? 4 : 1;
        memcpy(safe + n, rep ? rep : p, len);
        n += len;
    }
    safe[n] = 0;
    return maildir_pathf(out, size, err, "%lld.M%ldP%ldQ%u.%s", (long long)tv.tv_sec,
                         (long)tv.tv_usec, (long)getpid(), atomic_fetch_add(&counter, 1) + 1, safe);
}

/* Writes msg to a new file at path and fsyncs it before the caller renames it into place. */
static enum tm_status write_durably(const char *path, const char *msg, size_t len,
                                    struct tm_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return tm_error_errno(err, TM_EIO, errno, _("cannot create %s"), path);
    enum tm_status st = TM_OK;
    for (size_t off = 0; off < len;) {
        ssize_t n = write(fd, msg + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            st = tm_error_errno(err, TM_EIO, errno, _("cannot write %s"), path);
            break;
        }
        off += (size_t)n;
    }
    if (!st && fsync(fd) != 0)
        st = tm_error_errno(err, TM_EIO, errno, _("cannot write %s"), path);
    if (close(fd) != 0 && !st)
        st = tm_error_errno(err, TM_EIO, errno, _("cannot write %s"), path);
    return st;
}

/* Makes a rename into dir durable. */
static enum tm_status sync_dir(const char *dir, struct tm_error *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        int saved = errno;
        if (fd >= 0)
            close(fd);
        return tm_error_errno(err, TM_EIO, saved, _("cannot sync directory %s"), dir);
    }
    close(fd);
    return TM_OK;
}

enum tm_status maildir_append(struct tm_session *s, const char *mailbox, const char *msg,
                              size_t len, unsigned flags, struct tm_error *err)
{
    char prefix[MAILDIR_PATH_MAX], dir[MAILDIR_PATH_MAX], unique[1024], name[1100];
    char tmp[MAILDIR_PATH_MAX], dst[MAILDIR_PATH_MAX];
    enum tm_status st = maildir_mailbox_prefix(mailbox, prefix, sizeof(prefix), err);
    if (!st)
        st = maildir_pathf(dir, sizeof(dir), err, "%s/%s", s->root, prefix);
    if (st)
        return st;
    if (!maildir_is_maildir(dir))
        return tm_error_set(err, TM_ENOENT, _("%s is not a Maildir (no cur/, new/, tmp/)"), dir);
    st = unique_name(unique, sizeof(unique), err);
    if (!st)
        st = maildir_name_with_flags(unique, flags & ~(unsigned)TM_FLAG_RECENT, name, sizeof(name),
                                     err);
    if (!st)
        st = maildir_pathf(tmp, sizeof(tmp), err, "%stmp/%s", dir, unique);
    if (!st)
        st = maildir_pathf(dst, sizeof(dst), err, "%scur/%s", dir, name);
    if (st)
        return st;
    st = write_durably(tmp, msg, len, err);
    if (!st && rename(tmp, dst) != 0)
        st = tm_error_errno(err, TM_EIO, errno, _("cannot rename %s to %s"), tmp, dst);
    if (st) {
        unlink(tmp);
        return st;
    }
    dst[strlen(dst) - strlen(name) - 1] = 0; /* dir + "cur" */
    return sync_dir(dst, err);
}
