/* outbox.c - sending as the UI sees it: a draft is built and committed to the store's outbox
 * before the worker is woken to send it; postponing appends to the drafts mailbox behind a safety
 * copy on disk; the outbox rows can be listed, retried, trimmed of refused recipients or removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "private.h"
#include "tmail/config.h"
#include "tmail/core.h"
#include "tmail/draft.h"
#include "tmail/flags.h"
#include "tmail/fsutil.h"
#include "tmail/i18n.h"
#include "tmail/xdg.h"

/* The rcpts of a built draft, one per line, malloc'd. */
static char *rcpt_lines(const struct tm_draft_output *o)
{
    size_t len = 1;
    for (size_t i = 0; i < o->nrcpts; i++)
        len += strlen(o->rcpts[i]) + 1;
    char *s = malloc(len), *p = s;
    if (!s)
        return NULL;
    for (size_t i = 0; i < o->nrcpts; i++) {
        size_t n = strlen(o->rcpts[i]);
        memcpy(p, o->rcpts[i], n);
        p += n;
        *p++ = '\n';
    }
    *p = 0;
    return s;
}

/* Where the Sent copy goes: the sent setting, else the mailbox with \Sent, else "Sent". */
static void sent_mailbox(struct tm_core *core, char *out, size_t size)
{
    struct tm_error err;
    tm_error_clear(&err);
    if (tm_core_role_mailbox(core, TM_ROLE_SENT, out, size, &err) != TM_OK)
        snprintf(out, size, "Sent");
}

enum tm_status core_outbox_queue(struct tm_store *store, const char *account, const char *sent_to,
                                 struct tm_draft *d, const struct tm_alias_set *aliases,
                                 const char *hostname, int64_t *id_out, struct tm_error *err)
{
    struct tm_draft_output o;
    memset(&o, 0, sizeof(o));
    struct tm_draft_build_opts bo = {.aliases = aliases, .hostname = hostname};
    enum tm_status st = tm_draft_build(d, &bo, &o, err);
    char *rcpts = NULL;
    if (!st && !(rcpts = rcpt_lines(&o)))
        st = tm_error_set(err, TM_ENOMEM, _("out of memory"));
    if (!st) {
        struct tm_outbox_entry e = {
            .account = account,
            .env_from = o.env_from ? o.env_from : "",
            .rcpts = rcpts,
            .subject = o.subject,
            .to_display = o.to_display,
            .orig_message_id = d->orig_message_id,
            .orig_flag = d->orig_flag,
            .sent_mailbox = sent_to,
        };
        st = tm_store_outbox_add(store, &e, o.message.data ? o.message.data : "", o.message.len,
                                 id_out, err);
    }
    free(rcpts);
    tm_draft_output_cleanup(&o);
    return st;
}

static enum tm_status wake_sender(struct tm_core *core, struct tm_error *err)
{
    struct job job = {.type = JOB_SEND};
    return worker_submit(&core->worker, &job, err);
}

enum tm_status tm_core_send(struct tm_core *core, struct tm_draft *d,
                            const struct tm_alias_set *aliases, bool save_copy,
                            struct tm_error *err)
{
    const struct tm_account *a = &core->worker.account;
    if (!a->name || a->send.scheme == TM_URL_NONE)
        return tm_error_set(err, TM_ECONFIG,
                            _("this account cannot send mail: set smtp in its account block"));
    char sent[512];
    sent_mailbox(core, sent, sizeof(sent));
    enum tm_status st =
        core_outbox_queue(core->store, core->worker.account_name, save_copy ? sent : NULL, d,
                          aliases, core->worker.hostname, NULL, err);
    if (st)
        return st;
    if (d->recalled_message_id) { /* the postponed copy has served its purpose */
        struct tm_error ignored;
        tm_core_set_flags(core, d->recalled_message_id, TM_FLAG_DELETED, 0, &ignored);
    }
    return wake_sender(core, err);
}

/* Writes msg to a new 0600 file under $XDG_DATA_HOME/tmail/postponed (created 0700) and puts
 * its path in out: the message survives a failing append. */
static enum tm_status safety_copy(const char *msg, size_t len, char *out, size_t size,
                                  struct tm_error *err)
{
    char dir[4096];
    enum tm_status st = tm_xdg_dir(TM_XDG_DATA, 1, dir, sizeof(dir), err);
    if (st)
        return st;
    snprintf(out, size, "%s/postponed", dir);
    if (mkdir(out, 0700) != 0 && errno != EEXIST)
        return tm_error_errno(err, TM_EIO, errno, _("cannot create %s"), out);
    snprintf(out, size, "%s/postponed/draft-XXXXXX", dir);
    int fd = mkstemp(out);
    if (fd < 0)
        return tm_error_errno(err, TM_EIO, errno, _("cannot create %s"), out);
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, msg + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = errno;
            close(fd);
            unlink(out);
            return tm_error_errno(err, TM_EIO, e, _("cannot write %s"), out);
        }
        off += (size_t)n;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        int e = errno;
        unlink(out);
        return tm_error_errno(err, TM_EIO, e, _("cannot write %s"), out);
    }
    return TM_OK;
}

enum tm_status tm_core_postpone(struct tm_core *core, struct tm_draft *d,
                                const struct tm_alias_set *aliases, struct tm_error *err)
{
    char drafts[512], path[4200];
    enum tm_status st = tm_core_role_mailbox(core, TM_ROLE_DRAFTS, drafts, sizeof(drafts), err);
    if (st == TM_ENOENT && core->ops == &tm_imap_ops) {
        snprintf(drafts, sizeof(drafts), "Drafts"); /* created by the append (TRYCREATE) */
        st = TM_OK;
    } else if (st == TM_ENOENT) {
        return tm_error_set(err, TM_ENOENT,
                            _("no drafts folder: set postponed (or drafts) in the account"));
    }
    if (st)
        return st;
    struct tm_draft_output o;
    memset(&o, 0, sizeof(o));
    struct tm_draft_build_opts bo = {
        .aliases = aliases, .postponed = true, .hostname = core->worker.hostname};
    st = tm_draft_build(d, &bo, &o, err);
    if (!st)
        st = safety_copy(o.message.data ? o.message.data : "", o.message.len, path, sizeof(path),
                         err);
    if (!st) {
        struct job job = {.type = JOB_APPEND,
                          .name = drafts,
                          .name2 = path,
                          .data = o.message.data ? o.message.data : "",
                          .data_len = o.message.len};
        st = worker_submit(&core->worker, &job, err);
    }
    tm_draft_output_cleanup(&o);
    if (!st && d->recalled_message_id) { /* replaced by the new copy */
        struct tm_error ignored;
        tm_core_set_flags(core, d->recalled_message_id, TM_FLAG_DELETED, 0, &ignored);
    }
    return st;
}

enum tm_status tm_core_outbox_unsent(struct tm_core *core, int64_t *count, struct tm_error *err)
{
    return tm_store_outbox_count_unsent(core->store, core->worker.account_name, count, err);
}

enum tm_status tm_core_outbox_each(struct tm_core *core, tm_store_outbox_cb cb, void *ctx,
                                   struct tm_error *err)
{
    return tm_store_outbox_each(core->store, core->worker.account_name, cb, ctx, err);
}

enum tm_status tm_core_outbox_retry(struct tm_core *core, int64_t id, struct tm_error *err)
{
    struct tm_outbox_row row = {0};
    enum tm_status st = tm_store_outbox_get(core->store, id, &row, err);
    if (!st && row.e.state != TM_OUTBOX_SENT && row.e.state != TM_OUTBOX_SENDING)
        st = tm_store_outbox_set_state(core->store, id, TM_OUTBOX_QUEUED, err);
    tm_outbox_row_cleanup(&row);
    return st ? st : wake_sender(core, err);
}

/* Whether line (of the refused list, "addr: reply") names addr. */
static bool names_rcpt(const char *refused, const char *addr)
{
    size_t n = strlen(addr);
    for (const char *line = refused; line && *line;) {
        if (strncasecmp(line, addr, n) == 0 && line[n] == ':')
            return true;
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
    }
    return false;
}

enum tm_status tm_core_outbox_drop_refused(struct tm_core *core, int64_t id, struct tm_error *err)
{
    struct tm_outbox_row row = {0};
    struct tm_buf keep;
    size_t kept = 0, dropped = 0;
    tm_buf_init(&keep, 0);
    enum tm_status st = tm_store_outbox_get(core->store, id, &row, err);
    for (const char *line = row.rcpts; !st && line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char addr[1024];
        snprintf(addr, sizeof(addr), "%.*s", (int)len, line);
        if (row.last_reply && names_rcpt(row.last_reply, addr))
            dropped++;
        else if (len && !(st = tm_buf_append(&keep, line, len)) &&
                 !(st = tm_buf_append(&keep, "\n", 1)))
            kept++;
        line = end ? end + 1 : NULL;
    }
    if (st == TM_ENOMEM)
        tm_error_set(err, st, _("out of memory"));
    else if (st)
        ;
    else if (row.e.state != TM_OUTBOX_HELD || !dropped)
        st = tm_error_set(err, TM_ENOENT, _("no recipient of this message was refused"));
    else if (!kept)
        st = tm_error_set(err, TM_ENOENT, _("every recipient was refused: nobody is left"));
    else if (!(st = tm_store_outbox_set_rcpts(core->store, id, keep.data, err)))
        st = tm_store_outbox_set_state(core->store, id, TM_OUTBOX_QUEUED, err);
    tm_buf_cleanup(&keep);
    tm_outbox_row_cleanup(&row);
    return st ? st : wake_sender(core, err);
}

enum tm_status tm_core_outbox_remove(struct tm_core *core, int64_t id, struct tm_error *err)
{
    struct tm_outbox_row row = {0};
    enum tm_status st = tm_store_outbox_get(core->store, id, &row, err);
    if (!st && row.e.state == TM_OUTBOX_SENDING)
        st = tm_error_set(err, TM_ENOTSUP, _("this message is being sent right now"));
    tm_outbox_row_cleanup(&row);
    return st ? st : tm_store_outbox_delete(core->store, id, err);
}

enum tm_status tm_core_complete_address(struct tm_core *core, const char *prefix, int limit,
                                        tm_store_address_cb cb, void *ctx, struct tm_error *err)
{
    return tm_store_address_complete(core->store, prefix, limit, cb, ctx, err);
}

const struct tm_account *tm_core_account(struct tm_core *core)
{
    return core->worker.account.name ? &core->worker.account : NULL;
}
