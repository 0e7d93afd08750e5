/* core.c - the controller the UI drives: the open account and folder, its worker, and row access
 * through the UI thread's own store connection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "private.h"
#include "tmail/config.h"
#include "tmail/core.h"
#include "tmail/flags.h"
#include "tmail/i18n.h"

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

void core_account_url(const struct tm_account *a, char *url, size_t size)
{
    /* from the parts, so that a password written into the URL never shows */
    snprintf(url, size, "%s://%s%s%s:%d", a->read.scheme == TM_URL_IMAPS ? "imaps" : "imap",
             a->read.user ? a->read.user : "", a->read.user ? "@" : "",
             a->read.host ? a->read.host : "", a->read.port);
}

/* The backend of what opt asks to open, and the URL the store records for the account. */
static const struct tm_backend_ops *choose_backend(const struct tm_core_options *opt, char *url,
                                                   size_t size)
{
    const struct tm_account *a = opt->account;
    if (a && (a->read.scheme == TM_URL_IMAP || a->read.scheme == TM_URL_IMAPS)) {
        core_account_url(a, url, size);
        return &tm_imap_ops;
    }
    /* A directory is a Maildir, a file an mbox. */
    struct stat sb;
    bool is_file = stat(opt->folder_path, &sb) == 0 && S_ISREG(sb.st_mode);
    const struct tm_backend_ops *ops = is_file ? &tm_mbox_ops : &tm_maildir_ops;
    snprintf(url, size, "%s://%s", ops->name, opt->folder_path);
    return ops;
}

const char *core_folder_setting(const char *value)
{
    if (!value)
        return NULL;
    const char *scheme = strstr(value, "://");
    if (scheme) {
        const char *path = strchr(scheme + 3, '/');
        value = path ? path + 1 : "";
    } else if (*value == '=' || *value == '+') {
        value++;
    }
    return *value ? value : NULL;
}

/* A folder setting as a mailbox name into *out (malloc'd); NULL when empty. */
static enum tm_status setting_mailbox(const char *value, char **out, struct tm_error *err)
{
    const char *name = core_folder_setting(value);
    *out = NULL;
    if (name && !(*out = strdup(name)))
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    return TM_OK;
}

enum tm_status core_set_label(struct tm_core *core, struct tm_error *err)
{
    const char *name = core->mailbox_name;
    char label[8400];
    if (core->url)
        snprintf(label, sizeof(label), "%s/%s", core->url, name);
    else if (core->ops == &tm_maildir_ops && strcmp(name, "INBOX") != 0)
        snprintf(label, sizeof(label), "%s/.%s", core->folder_path, name);
    else
        snprintf(label, sizeof(label), "%s", core->folder_path ? core->folder_path : "");
    char *copy = strdup(label);
    if (!copy)
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    free(core->folder_label);
    core->folder_label = copy;
    return TM_OK;
}

/* What core keeps of the account: its folder settings and how often to list mailboxes. */
static enum tm_status take_account(struct tm_core *core, const struct tm_account *a,
                                   struct tm_error *err)
{
    struct worker *w = &core->worker;
    w->mail_check_s = 60;
    if (!a)
        return TM_OK;
    if (a->mail_check > 0)
        w->mail_check_s = a->mail_check;
    w->check_subscribed = a->imap_check_subscribed;
    enum tm_status st = setting_mailbox(a->sent, &core->sent, err);
    if (!st)
        st = setting_mailbox(a->drafts, &core->drafts, err);
    if (!st)
        st = setting_mailbox(a->trash, &core->trash, err);
    return st;
}

static enum tm_status core_setup(struct tm_core *core, const struct tm_core_options *opt,
                                 struct tm_error *err)
{
    enum tm_status st = tm_store_open(opt->store_path, &core->store, err);
    if (st)
        return st;
    char url[4200];
    const struct tm_backend_ops *ops = choose_backend(opt, url, sizeof(url));
    const char *mailbox = opt->mailbox ? opt->mailbox : "INBOX";
    st = tm_store_account_ensure(core->store, opt->account_name, url, &core->account_id, err);
    if (!st)
        st =
            tm_store_mailbox_ensure(core->store, core->account_id, mailbox, &core->mailbox_id, err);
    if (!st)
        st = event_queue_new(&core->events, err);
    if (!st)
        st = take_account(core, opt->account, err);
    if (st)
        return st;
    struct worker *w = &core->worker;
    core->ops = w->ops = ops;
    if (opt->account && (st = core_account_copy(&w->account, opt->account, err)))
        return st;
    if (opt->hostname && !(w->hostname = strdup(opt->hostname)))
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    w->store_path = dup_or_null(opt->store_path);
    w->folder_path = dup_or_null(opt->folder_path ? opt->folder_path : url);
    w->account_name = dup_or_null(opt->account_name);
    w->charset_fallback = dup_or_null(opt->charset_fallback);
    w->mailbox_name = dup_or_null(mailbox);
    core->mailbox_name = dup_or_null(mailbox);
    w->sort = opt->sort;
    w->sort_reverse = opt->sort_reverse;
    if (ops == &tm_imap_ops)
        core->url = dup_or_null(url);
    else
        core->folder_path = dup_or_null(opt->folder_path);
    if (!w->store_path || !w->folder_path || !w->account_name || !w->mailbox_name ||
        !core->mailbox_name || (!core->url && !core->folder_path))
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    if ((st = core_set_label(core, err)))
        return st;
    w->account_id = core->account_id;
    w->mailbox_id = core->mailbox_id;
    w->events = core->events;
    return worker_start(w, err);
}

enum tm_status tm_core_new(const struct tm_core_options *opt, struct tm_core **out,
                           struct tm_error *err)
{
    struct tm_core *core = calloc(1, sizeof(*core));
    if (!core)
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    enum tm_status st = core_setup(core, opt, err);
    if (st) {
        tm_core_free(&core);
        return st;
    }
    *out = core;
    return TM_OK;
}

void tm_core_free(struct tm_core **pp)
{
    struct tm_core *core = *pp;
    if (!core)
        return;
    worker_stop(&core->worker);
    free(core->worker.store_path);
    free(core->worker.folder_path);
    free(core->worker.account_name);
    free(core->worker.charset_fallback);
    free(core->worker.mailbox_name);
    free(core->worker.hostname);
    core_account_free(&core->worker.account);
    free(core->folder_label);
    core_limit_clear(core);
    free(core->mailbox_name);
    free(core->url);
    free(core->folder_path);
    free(core->sent);
    free(core->drafts);
    free(core->trash);
    event_queue_free(&core->events);
    tm_store_free(&core->store);
    free(core);
    *pp = NULL;
}

int tm_core_event_fd(struct tm_core *core)
{
    return event_queue_fd(core->events);
}

bool tm_core_next_event(struct tm_core *core, struct tm_event *ev)
{
    if (!event_queue_pop(core->events, ev))
        return false;
    if (ev->type == TM_EV_MAILBOXES && !ev->status)
        core->listed = true;
    return true;
}

enum tm_status tm_core_sync(struct tm_core *core, struct tm_error *err)
{
    struct job job = {.type = JOB_SYNC};
    return worker_submit(&core->worker, &job, err);
}

int64_t tm_core_mailbox_id(struct tm_core *core)
{
    return core->mailbox_id;
}

const char *tm_core_folder_label(struct tm_core *core)
{
    return core->folder_label;
}

enum tm_status tm_core_count(struct tm_core *core, int64_t *count, struct tm_error *err)
{
    if (core->limit.text) {
        *count = (int64_t)core->limit.n;
        return TM_OK;
    }
    return tm_store_display_count(core->store, core->mailbox_id, count, err);
}

enum tm_status tm_core_window(struct tm_core *core, int64_t offset, int limit,
                              struct tm_message_row *rows, int *n_out, struct tm_error *err)
{
    if (core->limit.text)
        return core_limit_window(core, offset, limit, rows, n_out, err);
    return tm_store_message_window(core->store, core->mailbox_id, offset, limit, rows, n_out, err);
}

enum tm_status tm_core_position(struct tm_core *core, int64_t message_id, int64_t *pos,
                                struct tm_error *err)
{
    if (core->limit.text)
        return core_limit_position(core, message_id, pos, err);
    return tm_store_message_position(core->store, message_id, pos, err);
}

enum tm_status tm_core_count_unread(struct tm_core *core, int64_t *count, struct tm_error *err)
{
    return tm_store_message_count_with_flags(core->store, core->mailbox_id, TM_FLAG_SEEN, 0, count,
                                             err);
}

enum tm_status tm_core_first_unread(struct tm_core *core, int64_t *id_out, struct tm_error *err)
{
    return tm_store_message_first_with_flags(core->store, core->mailbox_id, TM_FLAG_SEEN, 0, id_out,
                                             err);
}

enum tm_status tm_core_message(struct tm_core *core, int64_t message_id, struct tm_message_row *row,
                               struct tm_error *err)
{
    return tm_store_message_get(core->store, message_id, row, err);
}

enum tm_status tm_core_set_sort(struct tm_core *core, int sort, bool reverse, struct tm_error *err)
{
    struct job job = {.type = JOB_SORT, .sort = sort, .sort_reverse = reverse};
    return worker_submit(&core->worker, &job, err);
}

enum tm_status tm_core_request_body(struct tm_core *core, int64_t message_id, struct tm_error *err)
{
    struct job job = {.type = JOB_BODY, .message_id = message_id};
    return worker_submit(&core->worker, &job, err);
}

enum tm_status tm_core_set_flags(struct tm_core *core, int64_t message_id, unsigned add,
                                 unsigned clear, struct tm_error *err)
{
    struct job job = {.type = JOB_FLAGS, .message_id = message_id, .add = add, .clear = clear};
    return worker_submit(&core->worker, &job, err);
}

enum tm_status tm_core_set_flags_many(struct tm_core *core, const int64_t *ids, size_t n,
                                      unsigned add, unsigned clear, struct tm_error *err)
{
    if (n == 0 || (!add && !clear))
        return TM_OK;
    struct job job = {
        .type = JOB_FLAGS, .ids = (int64_t *)ids, .n_ids = n, .add = add, .clear = clear};
    return worker_submit(&core->worker, &job, err);
}

void tm_core_answer_secret(struct tm_core *core, const char *secret)
{
    struct worker *w = &core->worker;
    pthread_mutex_lock(&w->lock);
    if (w->secret_answer) {
        explicit_bzero(w->secret_answer, strlen(w->secret_answer));
        free(w->secret_answer);
    }
    w->secret_answer = secret ? strdup(secret) : NULL;
    w->secret_answered = true;
    pthread_cond_broadcast(&w->wake);
    pthread_mutex_unlock(&w->lock);
}
