/* sync_now.c - `tmail --sync`: syncs every mailbox of one account in the calling thread, without
 * the UI, reporting each mailbox as it finishes (for cron and scripts). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "private.h"
#include "sources.h"
#include "tmail/array.h"
#include "tmail/config.h"
#include "tmail/core.h"
#include "tmail/i18n.h"
#include "tmail/log.h"

struct names {
    char **v;
    size_t n, cap;
    bool oom;
};

static int add_name(void *ctx, const struct tm_mailbox_info *mb)
{
    struct names *ns = ctx;
    if (!mb->selectable)
        return 0;
    if (TM_ARRAY_RESERVE(ns->v, ns->n, ns->cap, 16)) {
        ns->oom = true;
        return 1;
    }
    if (!(ns->v[ns->n] = strdup(mb->name))) {
        ns->oom = true;
        return 1;
    }
    ns->n++;
    return 0;
}

static void free_names(struct names *ns)
{
    for (size_t i = 0; i < ns->n; i++)
        free(ns->v[i]);
    free(ns->v);
}

/* Syncs one mailbox and recomputes its display order; the report says how it went. */
static enum tm_status sync_one(const struct tm_backend_ops *ops, struct tm_session *session,
                               struct tm_store *store, int64_t account_id, const char *name,
                               const struct tm_core_sync_options *o, struct tm_error *err)
{
    int64_t mailbox_id;
    struct tm_sync_result res = {0};
    struct timespec t0, t1, t2;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct core_load *load = NULL;
    enum tm_status st = tm_store_mailbox_ensure(store, account_id, name, &mailbox_id, err);
    if (!st) {
        load = core_load_watch(store, mailbox_id, o->sort);
        st = ops->sync_mailbox(session, name, mailbox_id, &res, err);
        core_load_unwatch(load);
        tm_store_checkpoint_now(store); /* while the order is computed */
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!st)
        st = core_order_if_needed(store, mailbox_id, o->sort, o->sort_reverse,
                                  res.added || res.removed, load, err);
    core_load_free(&load);
    clock_gettime(CLOCK_MONOTONIC, &t2);
    tm_log(TM_LOG_INFO, "sync of %s: +%lld -%lld ~%lld in %ld ms, ordering %ld ms", name,
           (long long)res.added, (long long)res.removed, (long long)res.changed,
           (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000),
           (long)((t2.tv_sec - t1.tv_sec) * 1000 + (t2.tv_nsec - t1.tv_nsec) / 1000000));
    if (o->report) {
        struct tm_core_sync_report r = {name,        res.added, res.removed,
                                        res.changed, st,        st && err ? err->message : ""};
        o->report(o->report_ctx, &r);
    }
    return st;
}

/* The connection is gone: the other mailboxes would fail the same way. */
static bool gone(enum tm_status st)
{
    return st == TM_ENET || st == TM_ECANCELED || st == TM_EAUTH || st == TM_ETLS;
}

enum tm_status tm_core_sync_account(const struct tm_core_sync_options *o, struct tm_error *err)
{
    const struct tm_account *a = o->account;
    if (a->read.scheme != TM_URL_IMAP && a->read.scheme != TM_URL_IMAPS)
        return tm_error_set(err, TM_ENOTSUP, _("account %s: only IMAP accounts can be synced"),
                            a->name);
    struct tm_store *store = NULL;
    struct tm_session *session = NULL;
    struct tm_account copy;
    struct worker_secrets secrets = {0};
    struct names names = {0};
    int64_t account_id;
    char url[4200];
    enum tm_status st = core_account_copy(&copy, a, err);
    if (st)
        return st;
    core_account_url(&copy, url, sizeof(url));
    if ((st = tm_store_open(o->store_path, &store, err)) ||
        (st = tm_store_account_ensure(store, copy.name, url, &account_id, err)))
        goto out;
    secrets.account = &copy;
    volatile int never = 0;
    struct tm_backend_env env = {
        .store = store,
        .progress = o->progress,
        .progress_ctx = o->progress_ctx,
        .cancel = o->cancel ? o->cancel : &never,
        .charset_fallback = o->charset_fallback,
        .wake_fd = -1,
        .secret = worker_secret,
        .secret_forget = worker_secret_forget,
        .secret_ctx = &secrets,
    };
    struct tm_account_spec spec = {copy.name, url, account_id, &copy};
    if ((st = tm_imap_ops.open(&env, &spec, &session, err)))
        goto out;
    /* INBOX first, before the listing: it always exists (RFC 9051 5.1), it is what people wait
     * for, and Dovecot answers a SELECT that follows a LIST in the same session 15 times slower
     * (80 ms instead of 5 for 100,000 messages). */
    enum tm_status first = TM_OK;
    struct tm_error one;
    tm_error_clear(&one);
    if ((first = sync_one(&tm_imap_ops, session, store, account_id, "INBOX", o, &one)) && err)
        *err = one;
    if (gone(first)) {
        st = first;
        goto out;
    }
    /* The listing tells the backend each folder's state too, so that an unchanged one is synced
     * without being selected. */
    if ((st = tm_imap_ops.list_for_sync(session, add_name, &names, err)))
        goto out;
    if (names.oom) {
        st = tm_error_set(err, TM_ENOMEM, _("out of memory"));
        goto out;
    }
    for (size_t i = 0; i < names.n; i++) {
        if (strcasecmp(names.v[i], "INBOX") == 0)
            continue; /* synced above */
        tm_error_clear(&one);
        enum tm_status s1 = sync_one(&tm_imap_ops, session, store, account_id, names.v[i], o, &one);
        if (s1 && !first) {
            first = s1;
            if (err)
                *err = one;
        }
        if (gone(s1))
            break;
    }
    st = first;
out:
    if (session)
        tm_imap_ops.close(&session);
    free_names(&names);
    worker_secrets_cleanup(&secrets);
    core_account_free(&copy);
    tm_store_free(&store);
    return st;
}
