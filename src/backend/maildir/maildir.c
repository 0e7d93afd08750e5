/* maildir.c - the Maildir backend's operations table: sessions, Maildir++ folder listing and
 * message fetching. (https://cr.yp.to/proto/maildir.html) */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "private.h"
#include "tmail/array.h"
#include "tmail/fsutil.h"
#include "tmail/i18n.h"
#include "tmail/store.h"
#include "tmail/str.h"

enum tm_status maildir_pathf(char *out, size_t size, struct tm_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, size, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= size)
        return tm_error_set(err, TM_ELIMIT, _("path too long: %s"), out);
    return TM_OK;
}

static bool is_dir(const char *dir, const char *sub)
{
    char path[MAILDIR_PATH_MAX];
    struct stat sb;
    return maildir_pathf(path, sizeof(path), NULL, "%s/%s", dir, sub) == TM_OK &&
           stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

bool maildir_is_maildir(const char *dir)
{
    return is_dir(dir, "cur") && is_dir(dir, "new") && is_dir(dir, "tmp");
}

static enum tm_status maildir_open(const struct tm_backend_env *env,
                                   const struct tm_account_spec *acct, struct tm_session **out,
                                   struct tm_error *err)
{
    const char *path = acct->url ? acct->url : "";
    *out = NULL;
    if (strncmp(path, "maildir://", 10) == 0)
        path += 10;
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    if (len == 0)
        return tm_error_set(err, TM_ECONFIG, _("account %s: no Maildir path"),
                            acct->name ? acct->name : "?");
    struct tm_session *s = calloc(1, sizeof(*s));
    if (!s || !(s->root = tm_strndup(path, len))) {
        free(s);
        return tm_error_set(err, TM_ENOMEM, _("out of memory opening %s"), path);
    }
    s->env = env;
    s->account_id = acct->account_id;
    if (!maildir_is_maildir(s->root)) {
        tm_error_set(err, TM_ENOENT, _("%s is not a Maildir (no cur/, new/, tmp/)"), s->root);
        free(s->root);
        free(s);
        return TM_ENOENT;
    }
    *out = s;
    return TM_OK;
}

static void maildir_close(struct tm_session **pp)
{
    if (!pp || !*pp)
        return;
    free((*pp)->root);
    free(*pp);
    *pp = NULL;
}

/* Special use guessed from common folder names: Maildir has no attribute for it. */
static const char *special_use(const char *name)
{
    static const struct {
        const char *name;
        const char *use;
    } known[] = {
        {"Sent", "\\Sent"},
        {"Sent Items", "\\Sent"},
        {"Sent Messages", "\\Sent"},
        {"Drafts", "\\Drafts"},
        {"Trash", "\\Trash"},
        {"Deleted Items", "\\Trash"},
        {"Deleted Messages", "\\Trash"},
        {"Junk", "\\Junk"},
        {"Spam", "\\Junk"},
        {"Archive", "\\Archive"},
        {"Archives", "\\Archive"},
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (strcasecmp(name, known[i].name) == 0)
            return known[i].use;
    }
    return NULL;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The Maildir++ folder names under root (".Name" directories that are Maildirs), sorted. */
static enum tm_status collect_folders(struct tm_session *s, char ***names, size_t *n,
                                      struct tm_error *err)
{
    char prefix[MAILDIR_PATH_MAX], dir[MAILDIR_PATH_MAX];
    size_t cap = 0;
    DIR *d = opendir(s->root);
    if (!d)
        return tm_error_errno(err, TM_EIO, errno, _("cannot open directory %s"), s->root);
    enum tm_status st = TM_OK;
    for (struct dirent *e; !st && (e = readdir(d)) != NULL;) {
        const char *name = e->d_name + 1;
        if (e->d_name[0] != '.' || maildir_mailbox_prefix(name, prefix, sizeof(prefix), NULL) ||
            strcmp(name, "INBOX") == 0 ||
            maildir_pathf(dir, sizeof(dir), NULL, "%s/%s", s->root, e->d_name) ||
            !maildir_is_maildir(dir))
            continue;
        if (TM_ARRAY_RESERVE(*names, *n, cap, 16))
            st = TM_ENOMEM;
        if (!st && !((*names)[*n] = strdup(name)))
            st = TM_ENOMEM;
        if (!st)
            (*n)++;
    }
    closedir(d);
    if (st)
        return tm_error_set(err, st, _("out of memory listing %s"), s->root);
    if (*n > 1)
        qsort(*names, *n, sizeof(**names), compare_names);
    return TM_OK;
}

static enum tm_status maildir_list(struct tm_session *s, tm_mailbox_cb cb, void *ctx,
                                   struct tm_error *err)
{
    char **names = NULL;
    size_t n = 0;
    struct tm_mailbox_info inbox = {.name = "INBOX", .delimiter = '.', .selectable = true};
    enum tm_status st = collect_folders(s, &names, &n, err);
    if (st || cb(ctx, &inbox))
        goto out;
    for (size_t i = 0; i < n; i++) {
        struct tm_mailbox_info mb = {names[i], '.', special_use(names[i]), false, true};
        if (cb(ctx, &mb))
            break;
    }
out:
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return st;
}

/* Appends root/location to out; TM_ENOENT when the file is not there. */
static enum tm_status read_location(struct tm_session *s, const char *location, struct tm_buf *out,
                                    struct tm_error *err)
{
    char path[MAILDIR_PATH_MAX];
    size_t prefix_len, start = out->len;
    size_t limit = out->limit ? out->limit : TM_BUF_DEFAULT_LIMIT;
    const char *name;
    bool in_new;
    if (!maildir_location_split(location, &prefix_len, &in_new, &name))
        return tm_error_set(err, TM_ESTORE, _("bad Maildir location in the cache: %s"), location);
    enum tm_status st = maildir_pathf(path, sizeof(path), err, "%s/%s", s->root, location);
    if (!st)
        st = tm_fs_read_file(path, limit > start ? limit - start : 0, 0, out, err);
    if (st && out->data) { /* no half message */
        out->len = start;
        out->data[start] = 0;
    }
    return st;
}

enum tm_status maildir_row(struct tm_session *s, int64_t message_id, struct tm_message_row *row,
                           struct tm_error *err)
{
    enum tm_status st = tm_store_message_get(s->env->store, message_id, row, err);
    if (!st && !row->location)
        st = tm_error_set(err, TM_ENOENT, _("message %lld has no file"), (long long)message_id);
    return st;
}

static enum tm_status maildir_fetch(struct tm_session *s, int64_t message_id, struct tm_buf *out,
                                    struct tm_error *err)
{
    struct tm_message_row row = {0};
    char loc[MAILDIR_PATH_MAX];
    enum tm_status st = maildir_row(s, message_id, &row, err);
    if (st)
        goto out;
    st = read_location(s, row.location, out, err);
    if (st != TM_ENOENT)
        goto out;
    /* another client renamed it (flags changed) since our last sync: follow the unique name */
    st = maildir_relocate(s, row.id, row.location, loc, sizeof(loc), err);
    if (!st)
        st = read_location(s, loc, out, err);
out:
    tm_message_row_cleanup(&row);
    return st;
}

const struct tm_backend_ops tm_maildir_ops = {
    .name = "maildir",
    /* flags live in the file names; no cheap change notification yet (no inotify) */
    .caps = TM_CAP_FOLDERS | TM_CAP_SERVER_FLAGS | TM_CAP_APPEND | TM_CAP_MOVE,
    .open = maildir_open,
    .close = maildir_close,
    .list_mailboxes = maildir_list,
    .sync_mailbox = maildir_sync,
    .fetch_message = maildir_fetch,
    .set_flags = maildir_set_flags,
    .copy = maildir_copy,
    .move = maildir_move,
    .expunge = maildir_expunge,
    .append = maildir_append,
    .create_mailbox = maildir_create,
    .status = maildir_status,
};
