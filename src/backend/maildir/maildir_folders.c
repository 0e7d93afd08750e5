/* maildir_folders.c - Maildir++ folders: creating one (.Name with cur/, new/, tmp/ and the
 * maildirfolder marker), counting another folder's messages without syncing it, and copying or
 * moving a message between folders. (https://cr.yp.to/proto/maildir.html, Maildir++) */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "private.h"
#include "tmail/flags.h"
#include "tmail/i18n.h"
#include "tmail/store.h"

/* root + the folder's prefix ("" or ".Name/") into out. */
static enum tm_status folder_dir(struct tm_session *s, const char *mailbox, char *out, size_t size,
                                 struct tm_error *err)
{
    char prefix[MAILDIR_PATH_MAX];
    enum tm_status st = maildir_mailbox_prefix(mailbox, prefix, sizeof(prefix), err);
    return st ? st : maildir_pathf(out, size, err, "%s/%s", s->root, prefix);
}

enum tm_status maildir_create(struct tm_session *s, const char *name, struct tm_error *err)
{
    char dir[MAILDIR_PATH_MAX], sub[MAILDIR_PATH_MAX];
    if (strcmp(name, "INBOX") == 0)
        return tm_error_set(err, TM_EIO, _("%s exists already"), name);
    enum tm_status st = folder_dir(s, name, dir, sizeof(dir), err);
    if (st)
        return st;
    if (mkdir(dir, 0700) != 0)
        return tm_error_errno(err, TM_EIO, errno, _("cannot create %s"), dir);
    static const char *const parts[] = {"tmp", "new", "cur"};
    for (size_t i = 0; !st && i < sizeof(parts) / sizeof(parts[0]); i++) {
        st = maildir_pathf(sub, sizeof(sub), err, "%s%s", dir, parts[i]);
        if (!st && mkdir(sub, 0700) != 0)
            st = tm_error_errno(err, TM_EIO, errno, _("cannot create %s"), sub);
    }
    if (!st && !maildir_pathf(sub, sizeof(sub), err, "%smaildirfolder", dir)) {
        int fd = open(sub, O_WRONLY | O_CREAT | O_CLOEXEC, 0600); /* Maildir++'s marker */
        if (fd >= 0)
            close(fd);
    }
    return st;
}

/* Counts the messages of dir/sub (new/ or cur/): all of them, and those without S. */
static enum tm_status count_dir(const char *dir, const char *sub, int64_t *total, int64_t *unseen,
                                struct tm_error *err)
{
    char path[MAILDIR_PATH_MAX];
    enum tm_status st = maildir_pathf(path, sizeof(path), err, "%s%s", dir, sub);
    if (st)
        return st;
    DIR *d = opendir(path);
    if (!d)
        return tm_error_errno(err, errno == ENOENT ? TM_ENOENT : TM_EIO, errno,
                              _("cannot open directory %s"), path);
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        (*total)++;
        if (strcmp(sub, "new") == 0 || !(maildir_flags_from_name(e->d_name) & TM_FLAG_SEEN))
            (*unseen)++;
    }
    closedir(d);
    return TM_OK;
}

enum tm_status maildir_status(struct tm_session *s, const char *name, int64_t mailbox_id,
                              int64_t *total, int64_t *unseen, struct tm_error *err)
{
    char dir[MAILDIR_PATH_MAX];
    int64_t t = 0, u = 0;
    *total = *unseen = -1;
    enum tm_status st = folder_dir(s, name, dir, sizeof(dir), err);
    if (!st)
        st = count_dir(dir, "new", &t, &u, err);
    if (!st)
        st = count_dir(dir, "cur", &t, &u, err);
    if (st)
        return st;
    *total = t;
    *unseen = u;
    return mailbox_id > 0 ? tm_store_mailbox_set_counts(s->env->store, mailbox_id, t, u, err)
                          : TM_OK;
}

enum tm_status maildir_copy(struct tm_session *s, int64_t message_id, const char *to_mailbox,
                            struct tm_error *err)
{
    struct tm_message_row row = {0};
    struct tm_buf raw;
    tm_buf_init(&raw, 0);
    enum tm_status st = maildir_row(s, message_id, &row, err);
    if (!st)
        st = tm_maildir_ops.fetch_message(s, message_id, &raw, err);
    if (!st)
        st = maildir_append(s, to_mailbox, raw.data ? raw.data : "", raw.len, row.flags, err);
    tm_buf_cleanup(&raw);
    tm_message_row_cleanup(&row);
    return st;
}

/* Renames the file at location into the same subdirectory of folder dir; TM_ENOENT when the
 * file is not there (renamed by another client since the last sync). */
static enum tm_status rename_into(struct tm_session *s, const char *location, const char *dir,
                                  struct tm_error *err)
{
    char from[MAILDIR_PATH_MAX], to[MAILDIR_PATH_MAX];
    size_t prefix_len;
    bool in_new;
    const char *name;
    if (!maildir_location_split(location, &prefix_len, &in_new, &name))
        return tm_error_set(err, TM_ESTORE, _("bad Maildir location in the cache: %s"), location);
    enum tm_status st = maildir_pathf(from, sizeof(from), err, "%s/%s", s->root, location);
    if (!st)
        st = maildir_pathf(to, sizeof(to), err, "%s%s/%s", dir, in_new ? "new" : "cur", name);
    if (st)
        return st;
    if (rename(from, to) != 0)
        return tm_error_errno(err, errno == ENOENT ? TM_ENOENT : TM_EIO, errno,
                              _("cannot rename %s to %s"), from, to);
    return TM_OK;
}

enum tm_status maildir_move(struct tm_session *s, int64_t message_id, const char *to_mailbox,
                            struct tm_error *err)
{
    struct tm_message_row row = {0};
    char dir[MAILDIR_PATH_MAX], loc[MAILDIR_PATH_MAX], prefix[MAILDIR_PATH_MAX];
    size_t prefix_len;
    bool in_new;
    const char *name;
    enum tm_status st = maildir_row(s, message_id, &row, err);
    if (!st)
        st = maildir_mailbox_prefix(to_mailbox, prefix, sizeof(prefix), err);
    if (!st && maildir_location_split(row.location, &prefix_len, &in_new, &name) &&
        prefix_len == strlen(prefix) && strncmp(row.location, prefix, prefix_len) == 0)
        st = tm_error_set(err, TM_ENOTSUP, _("The message is already in %s."), to_mailbox);
    if (!st)
        st = folder_dir(s, to_mailbox, dir, sizeof(dir), err);
    if (!st && !maildir_is_maildir(dir))
        st = tm_error_set(err, TM_ENOENT, _("%s is not a Maildir (no cur/, new/, tmp/)"), dir);
    if (!st && (st = rename_into(s, row.location, dir, err)) == TM_ENOENT &&
        !(st = maildir_relocate(s, row.id, row.location, loc, sizeof(loc), err)))
        st = rename_into(s, loc, dir, err);
    if (!st) /* the target folder's next sync finds it */
        st = tm_store_message_delete(s->env->store, row.id, err);
    tm_message_row_cleanup(&row);
    return st;
}
