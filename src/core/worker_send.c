/* worker_send.c - the outbox on an account's worker: sends the rows that are due (after a
 * tm_core_send, at start for mail left by an earlier run, and on the retry timer), stores the Sent
 * copies through the account's backend, and appends postponed messages to the drafts mailbox. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "private.h"
#include "tmail/config.h"
#include "tmail/flags.h"
#include "tmail/i18n.h"
#include "tmail/log.h"

#define COPY_RETRY_S 300 /* a Sent copy that failed is tried again after this long */
#define ROWS_PER_RUN 1000

static enum tm_status sent_copy(void *ctx, const char *mailbox, const char *msg, size_t len,
                                struct tm_error *err)
{
    struct worker_ctx *c = ctx;
    if (!c->session)
        return tm_error_set(err, c->open_err.status ? c->open_err.status : TM_ENET, "%s",
                            c->open_err.message);
    return backend_append(c->w->ops, c->session, mailbox, msg, len, TM_FLAG_SEEN, err);
}

static enum tm_status flag_original(void *ctx, int64_t message_id, unsigned add,
                                    struct tm_error *err)
{
    struct worker_ctx *c = ctx;
    if (!c->session)
        return tm_error_set(err, TM_ENET, "%s", c->open_err.message);
    enum tm_status st = backend_set_flags(c->w->ops, c->session, message_id, add, 0, err);
    if (!st)
        worker_post(c->w, TM_EV_CHANGED, message_id, NULL);
    return st;
}

static void post_outbox(struct worker_ctx *c, const struct core_send_report *rep)
{
    struct tm_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.type = TM_EV_OUTBOX;
    ev.account_id = c->w->account_id;
    ev.status = rep->sent ? TM_OK : TM_ENET;
    core_send_describe(rep, ev.text, sizeof(ev.text));
    struct tm_error err;
    tm_error_clear(&err);
    int64_t unsent = 0;
    if (tm_store_outbox_count_unsent(c->store, c->w->account_name, &unsent, &err) == TM_OK)
        ev.done = unsent;
    event_queue_push(c->w->events, &ev);
}

static void send_in(struct worker_ctx *c, int64_t seconds)
{
    clock_gettime(CLOCK_MONOTONIC, &c->send_at);
    c->send_at.tv_sec += seconds > 0 ? seconds : 0;
}

int worker_ms_to_send(const struct worker_ctx *c, int cap_ms)
{
    if (!c->send_at.tv_sec)
        return -1;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long ms =
        (c->send_at.tv_sec - now.tv_sec) * 1000 + (c->send_at.tv_nsec - now.tv_nsec) / 1000000;
    return ms <= 0 ? 0 : ms > cap_ms ? cap_ms : (int)ms;
}

/* What worker_run_send learns from the rows it worked on. */
struct send_run {
    struct worker_ctx *c;
    int64_t later; /* seconds until a retry the rows themselves do not record; -1: none */
};

static bool after_row(void *ctx, int64_t id, enum tm_status st, const struct core_send_report *rep,
                      const struct tm_error *err)
{
    struct send_run *run = ctx;
    if (st) {
        tm_log(TM_LOG_ERROR, "outbox: message %lld: %s", (long long)id, err->message);
        run->later = COPY_RETRY_S;
        return st != TM_ESTORE;
    }
    post_outbox(run->c, rep);
    if (rep->connect_failed) { /* the others would fail the same way now */
        run->later = rep->held ? -1 : rep->retry_in;
        return false;
    }
    return !run->c->w->cancel;
}

void worker_run_send(struct worker_ctx *c)
{
    struct worker *w = c->w;
    c->send_at.tv_sec = 0;
    if (w->account.send.scheme == TM_URL_NONE || !c->store)
        return;
    struct core_send cs = {
        .store = c->store,
        .account = &w->account,
        .hostname = w->hostname,
        .secrets = &c->secrets,
        .cancel = &w->job_cancel,
        .append = sent_copy,
        .set_flags = flag_original,
        .backend_ctx = c,
    };
    struct send_run run = {c, -1};
    struct tm_error err;
    tm_error_clear(&err);
    int64_t wait_s;
    enum tm_status st =
        core_send_due(&cs, w->account_name, (int64_t)time(NULL), after_row, &run, &wait_s, &err);
    if (st == TM_ECANCELED) {
        wait_s = 0; /* another job came first: come back to it */
    } else if (st) {
        tm_log(TM_LOG_ERROR, "outbox: %s", err.message);
        wait_s = COPY_RETRY_S;
    } else if (wait_s == 0) { /* rows left as they were: not at once again */
        wait_s = COPY_RETRY_S;
    }
    if (run.later >= 0 && (wait_s < 0 || run.later < wait_s))
        wait_s = run.later;
    if (wait_s >= 0)
        send_in(c, wait_s);
}

void worker_run_append(struct worker_ctx *c, const struct job *job)
{
    struct tm_error err;
    tm_error_clear(&err);
    enum tm_status st = c->session
                            ? backend_append(c->w->ops, c->session, job->name, job->data,
                                             job->data_len, TM_FLAG_DRAFT | TM_FLAG_SEEN, &err)
                            : tm_error_set(&err, c->open_err.status ? c->open_err.status : TM_ENET,
                                           "%s", c->open_err.message);
    if (st) {
        char text[640];
        snprintf(text, sizeof(text), _("Could not postpone the message (%s); it is saved in %s"),
                 err.message, job->name2 ? job->name2 : "?");
        tm_error_set(&err, st, "%s", text);
        worker_post(c->w, TM_EV_ERROR, 0, &err);
        return;
    }
    if (job->name2)
        unlink(job->name2);
    worker_post_text(c->w, TM_EV_CHANGED, 0, NULL, _("Message postponed."));
}
