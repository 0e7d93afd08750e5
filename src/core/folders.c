/* folders.c - the account's folders as the UI thread sees them: the mailbox list from the store,
 * what each mailbox is for, switching the open mailbox, and queueing copy, move, expunge and
 * mailbox management jobs for the worker. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "private.h"
#include "tmail/core.h"
#include "tmail/flags.h"
#include "tmail/i18n.h"

unsigned tm_core_caps(struct tm_core *core)
{
    return core->ops->caps;
}

const char *tm_core_mailbox_name(struct tm_core *core)
{
    return core->mailbox_name;
}

const char *tm_core_trash(struct tm_core *core)
{
    return core->trash;
}

enum tm_status tm_core_mailboxes(struct tm_core *core, tm_store_mailbox_cb cb, void *ctx,
                                 struct tm_error *err)
{
    return tm_store_mailbox_each(core->store, core->account_id, cb, ctx, err);
}

static bool is_inbox(const char *name)
{
    return strcasecmp(name, "INBOX") == 0;
}

enum tm_mailbox_role tm_core_mailbox_role(struct tm_core *core, const struct tm_mailbox_listing *mb)
{
    static const struct {
        const char *special;
        enum tm_mailbox_role role;
    } uses[] = {{"\\Sent", TM_ROLE_SENT},
                {"\\Drafts", TM_ROLE_DRAFTS},
                {"\\Trash", TM_ROLE_TRASH},
                {"\\Junk", TM_ROLE_JUNK},
                {"\\Archive", TM_ROLE_ARCHIVE}};
    if (is_inbox(mb->name))
        return TM_ROLE_INBOX;
    if (core->sent && strcmp(mb->name, core->sent) == 0)
        return TM_ROLE_SENT;
    if (core->drafts && strcmp(mb->name, core->drafts) == 0)
        return TM_ROLE_DRAFTS;
    if (core->trash && strcmp(mb->name, core->trash) == 0)
        return TM_ROLE_TRASH;
    for (size_t i = 0; mb->special_use && i < sizeof(uses) / sizeof(uses[0]); i++)
        if (strcasecmp(mb->special_use, uses[i].special) == 0)
            return uses[i].role;
    return TM_ROLE_NONE;
}

/* A mailbox of the store looked up by name or by id. */
struct lookup {
    const char *name; /* or NULL: by id */
    int64_t id;
    bool found;
    unsigned attrs;
    char *out; /* the name, when looking up by id */
    size_t size;
};

static int find_mailbox(void *ctx, const struct tm_mailbox_listing *mb)
{
    struct lookup *l = ctx;
    if (l->name ? strcmp(mb->name, l->name) != 0 : mb->id != l->id)
        return 0;
    l->found = true;
    l->id = mb->id;
    l->attrs = mb->attrs;
    if (l->out)
        snprintf(l->out, l->size, "%s", mb->name);
    return 1;
}

enum tm_status tm_core_role_mailbox(struct tm_core *core, enum tm_mailbox_role role, char *out,
                                    size_t size, struct tm_error *err)
{
    const char *setting = role == TM_ROLE_SENT     ? core->sent
                          : role == TM_ROLE_DRAFTS ? core->drafts
                          : role == TM_ROLE_TRASH  ? core->trash
                          : role == TM_ROLE_INBOX  ? "INBOX"
                                                   : NULL;
    const char *special = role == TM_ROLE_SENT     ? "\\Sent"
                          : role == TM_ROLE_DRAFTS ? "\\Drafts"
                          : role == TM_ROLE_TRASH  ? "\\Trash"
                          : role == TM_ROLE_JUNK   ? "\\Junk"
                                                   : "\\Archive";
    if (setting) {
        snprintf(out, size, "%s", setting);
        return TM_OK;
    }
    struct lookup l = {NULL, 0, false, 0, out, size};
    enum tm_status st =
        tm_store_mailbox_find_special(core->store, core->account_id, special, &l.id, err);
    if (!st)
        st = tm_store_mailbox_each(core->store, core->account_id, find_mailbox, &l, err);
    if (!st && !l.found)
        st = tm_error_set(err, TM_ENOENT, _("no such mailbox"));
    return st;
}

bool tm_core_mailbox_exists(struct tm_core *core, const char *name)
{
    int64_t id;
    return tm_store_mailbox_find(core->store, core->account_id, name, &id, NULL) == TM_OK;
}

enum tm_status tm_core_refresh_mailboxes(struct tm_core *core, struct tm_error *err)
{
    struct job job = {.type = JOB_LIST};
    return worker_submit(&core->worker, &job, err);
}

/* The store id of the mailbox to open: known, or new when the account has not been listed yet
 * (a name it does not list would be refused by then). */
static enum tm_status mailbox_to_open(struct tm_core *core, const char *name, int64_t *id,
                                      struct tm_error *err)
{
    struct lookup l = {name, 0, false, 0, NULL, 0};
    enum tm_status st = tm_store_mailbox_each(core->store, core->account_id, find_mailbox, &l, err);
    if (st)
        return st;
    if (l.found && (l.attrs & TM_MAILBOX_NOSELECT))
        return tm_error_set(err, TM_ENOTSUP, _("%s holds only other mailboxes."), name);
    if (l.found) {
        *id = l.id;
        return TM_OK;
    }
    if (!(core->ops->caps & TM_CAP_FOLDERS))
        return tm_error_set(err, TM_ENOTSUP, _("This folder has no other mailboxes."));
    if (core->listed)
        return tm_error_set(err, TM_ENOENT, _("No mailbox called %s."), name);
    return tm_store_mailbox_ensure(core->store, core->account_id, name, id, err);
}

enum tm_status tm_core_open_mailbox(struct tm_core *core, const char *name, struct tm_error *err)
{
    int64_t id = 0;
    if (!name || !name[0])
        return tm_error_set(err, TM_ENOENT, _("No mailbox name given."));
    if (strcmp(name, core->mailbox_name) == 0)
        return tm_core_sync(core, err);
    enum tm_status st = mailbox_to_open(core, name, &id, err);
    if (st)
        return st;
    char *copy = strdup(name);
    if (!copy)
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    struct job job = {.type = JOB_SELECT, .mailbox_id = id, .name = copy};
    if ((st = worker_submit(&core->worker, &job, err))) {
        free(copy);
        return st;
    }
    free(core->mailbox_name);
    core->mailbox_name = copy;
    core->mailbox_id = id;
    core_limit_clear(core); /* a limit belongs to the folder it was set in */
    return core_set_label(core, err);
}

static enum tm_status submit_named(struct tm_core *core, enum job_type type, int64_t message_id,
                                   const char *name, const char *name2, struct tm_error *err)
{
    if (!name || !name[0] || (type == JOB_RENAME && (!name2 || !name2[0])))
        return tm_error_set(err, TM_ENOENT, _("No mailbox name given."));
    struct job job = {.type = type,
                      .message_id = message_id,
                      .mailbox_id = core->mailbox_id,
                      .name = (char *)name,
                      .name2 = (char *)name2};
    return worker_submit(&core->worker, &job, err);
}

enum tm_status tm_core_copy(struct tm_core *core, int64_t message_id, const char *to_mailbox,
                            struct tm_error *err)
{
    return submit_named(core, JOB_COPY, message_id, to_mailbox, NULL, err);
}

enum tm_status tm_core_move(struct tm_core *core, int64_t message_id, const char *to_mailbox,
                            struct tm_error *err)
{
    if (to_mailbox && strcmp(to_mailbox, core->mailbox_name) == 0)
        return tm_error_set(err, TM_ENOTSUP, _("The message is already in %s."), to_mailbox);
    return submit_named(core, JOB_MOVE, message_id, to_mailbox, NULL, err);
}

/* A copy or move of ids[0..n) (copied into the job) to name, as one job. */
static enum tm_status submit_many(struct tm_core *core, enum job_type type, const int64_t *ids,
                                  size_t n, const char *name, struct tm_error *err)
{
    if (!name || !name[0])
        return tm_error_set(err, TM_ENOENT, _("No mailbox name given."));
    if (n == 0)
        return TM_OK;
    struct job job = {.type = type,
                      .mailbox_id = core->mailbox_id,
                      .name = (char *)name,
                      .ids = (int64_t *)ids,
                      .n_ids = n};
    return worker_submit(&core->worker, &job, err);
}

enum tm_status tm_core_copy_many(struct tm_core *core, const int64_t *ids, size_t n,
                                 const char *to_mailbox, struct tm_error *err)
{
    return submit_many(core, JOB_COPY, ids, n, to_mailbox, err);
}

enum tm_status tm_core_move_many(struct tm_core *core, const int64_t *ids, size_t n,
                                 const char *to_mailbox, struct tm_error *err)
{
    if (to_mailbox && strcmp(to_mailbox, core->mailbox_name) == 0)
        return tm_error_set(err, TM_ENOTSUP, _("The messages are already in %s."), to_mailbox);
    return submit_many(core, JOB_MOVE, ids, n, to_mailbox, err);
}

enum tm_status tm_core_count_deleted(struct tm_core *core, int64_t *count, struct tm_error *err)
{
    return tm_store_message_count_with_flags(core->store, core->mailbox_id, TM_FLAG_DELETED,
                                             TM_FLAG_DELETED, count, err);
}

enum tm_status tm_core_expunge(struct tm_core *core, struct tm_error *err)
{
    return submit_named(core, JOB_EXPUNGE, 0, core->mailbox_name, core->trash, err);
}

enum tm_status tm_core_create_mailbox(struct tm_core *core, const char *name, struct tm_error *err)
{
    return submit_named(core, JOB_CREATE, 0, name, NULL, err);
}

/* Renaming or deleting the open mailbox would pull it from under the index. */
static enum tm_status not_open(struct tm_core *core, const char *name, struct tm_error *err)
{
    if (name && strcmp(name, core->mailbox_name) == 0)
        return tm_error_set(err, TM_ENOTSUP, _("%s is open: open another mailbox first."), name);
    return TM_OK;
}

enum tm_status tm_core_rename_mailbox(struct tm_core *core, const char *from, const char *to,
                                      struct tm_error *err)
{
    enum tm_status st = not_open(core, from, err);
    return st ? st : submit_named(core, JOB_RENAME, 0, from, to, err);
}

enum tm_status tm_core_delete_mailbox(struct tm_core *core, const char *name, struct tm_error *err)
{
    enum tm_status st = not_open(core, name, err);
    if (!st && name && is_inbox(name))
        st = tm_error_set(err, TM_ENOTSUP, _("INBOX cannot be deleted."));
    return st ? st : submit_named(core, JOB_DELETE, 0, name, NULL, err);
}

enum tm_status tm_core_subscribe(struct tm_core *core, const char *name, bool subscribe,
                                 struct tm_error *err)
{
    if (!name || !name[0])
        return tm_error_set(err, TM_ENOENT, _("No mailbox name given."));
    struct job job = {.type = JOB_SUBSCRIBE, .name = (char *)name, .subscribe = subscribe};
    return worker_submit(&core->worker, &job, err);
}

bool tm_core_wait_idle(struct tm_core *core, int timeout_ms)
{
    return worker_wait_idle(&core->worker, timeout_ms);
}
