/* worker.c - an account's worker thread: owns its store connection and backend session, runs
 * jobs from the UI one at a time, and reports results as events. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "private.h"
#include "tmail/i18n.h"
#include "tmail/log.h"

struct worker_ctx {
    struct worker *w;
    struct tm_store *store;
    struct tm_session *session;
    struct tm_backend_env env; /* borrowed by the session for its lifetime */
    struct tm_error open_err;  /* why session is NULL */
    struct timespec last_progress;
    struct worker_secrets secrets;
    bool offline; /* the last sync failed for the network: retry on a timer, not by waiting */
};

#define WAIT_CHANGES_MS (10 * 60 * 1000)
#define OFFLINE_RETRY_S 30

/* An event of w about message_id (0: none) with err's status and message (err may be NULL). */
static void event_init(struct worker *w, struct tm_event *ev, enum tm_event_type type,
                       int64_t message_id, const struct tm_error *err)
{
    memset(ev, 0, sizeof(*ev));
    ev->type = type;
    ev->account_id = w->account_id;
    ev->mailbox_id = w->mailbox_id;
    ev->message_id = message_id;
    ev->status = err ? err->status : TM_OK;
    if (err && err->status)
        snprintf(ev->text, sizeof(ev->text), "%s", err->message);
}

static void post(struct worker *w, enum tm_event_type type, int64_t message_id,
                 const struct tm_error *err)
{
    struct tm_event ev;
    event_init(w, &ev, type, message_id, err);
    event_queue_push(w->events, &ev);
}

/* Progress from the backend, throttled to ten events a second so a fast scan does not flood. */
static void on_progress(void *ctx, const char *mailbox, int64_t done, int64_t total)
{
    struct worker_ctx *c = ctx;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long ms = (now.tv_sec - c->last_progress.tv_sec) * 1000 +
              (now.tv_nsec - c->last_progress.tv_nsec) / 1000000;
    if (ms < 100 && done < total)
        return;
    c->last_progress = now;
    struct tm_event ev;
    event_init(c->w, &ev, TM_EV_SYNC_PROGRESS, 0, NULL);
    ev.done = done;
    ev.total = total;
    snprintf(ev.text, sizeof(ev.text), "%s", mailbox ? mailbox : "");
    event_queue_push(c->w->events, &ev);
}

static long ms_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

static void run_sync(struct worker_ctx *c)
{
    struct worker *w = c->w;
    struct tm_error err;
    struct tm_sync_result res = {0};
    struct timespec t0, t1;
    tm_error_clear(&err);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    enum tm_status st =
        w->ops->sync_mailbox(c->session, w->mailbox_name, w->mailbox_id, &res, &err);
    c->offline = st == TM_ENET;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!st)
        st = core_order_if_needed(c->store, w->mailbox_id, w->sort, w->sort_reverse,
                                  res.added || res.removed, &err);
    if (st)
        tm_log(TM_LOG_WARN, "sync of %s failed: %s", w->account_name, err.message);
    else
        tm_log(TM_LOG_INFO,
               "synced %s: +%lld -%lld ~%lld (%lld unreadable) in %ld ms, ordering %ld ms",
               w->account_name, (long long)res.added, (long long)res.removed,
               (long long)res.changed, (long long)res.skipped, ms_since(&t0) - ms_since(&t1),
               ms_since(&t1));
    struct tm_event ev;
    err.status = st;
    event_init(w, &ev, TM_EV_SYNC_DONE, 0, &err);
    ev.done = res.added;
    ev.total = res.removed;
    event_queue_push(w->events, &ev);
}

static void run_body(struct worker_ctx *c, int64_t message_id)
{
    struct tm_error err;
    struct tm_event ev;
    struct tm_buf body;
    tm_error_clear(&err);
    tm_buf_init(&body, 0);
    err.status = backend_fetch(c->w->ops, c->session, message_id, &body, &err);
    event_init(c->w, &ev, TM_EV_BODY, message_id, &err);
    if (ev.status)
        tm_buf_cleanup(&body);
    ev.body = body; /* the event owns it now */
    event_queue_push(c->w->events, &ev);
}

static void run_flags(struct worker_ctx *c, const struct job *job)
{
    struct tm_error err;
    tm_error_clear(&err);
    enum tm_status st =
        backend_set_flags(c->w->ops, c->session, job->message_id, job->add, job->clear, &err);
    post(c->w, st ? TM_EV_ERROR : TM_EV_CHANGED, job->message_id, &err);
}

static void run_sort(struct worker_ctx *c, const struct job *job)
{
    struct tm_error err;
    tm_error_clear(&err);
    c->w->sort = job->sort;
    c->w->sort_reverse = job->sort_reverse;
    enum tm_status st =
        core_order_if_needed(c->store, c->w->mailbox_id, job->sort, job->sort_reverse, false, &err);
    post(c->w, st ? TM_EV_ERROR : TM_EV_CHANGED, 0, &err);
}

static void run_job(struct worker_ctx *c, const struct job *job)
{
    if (!c->session) { /* the folder did not open: every job answers with why */
        enum tm_event_type type = job->type == JOB_SYNC   ? TM_EV_SYNC_DONE
                                  : job->type == JOB_BODY ? TM_EV_BODY
                                                          : TM_EV_ERROR;
        post(c->w, type, job->message_id, &c->open_err);
        return;
    }
    switch (job->type) {
    case JOB_SYNC:
        run_sync(c);
        break;
    case JOB_BODY:
        run_body(c, job->message_id);
        break;
    case JOB_FLAGS:
        run_flags(c, job);
        break;
    case JOB_SORT:
        run_sort(c, job);
        break;
    }
}

static void open_session(struct worker_ctx *c)
{
    struct worker *w = c->w;
    tm_error_clear(&c->open_err);
    if (tm_store_open(w->store_path, &c->store, &c->open_err))
        return;
    c->env.store = c->store;
    c->env.progress = on_progress;
    c->env.progress_ctx = c;
    c->env.cancel = &w->cancel;
    c->env.charset_fallback = w->charset_fallback;
    c->env.wake_fd = w->wake_pipe[0];
    c->secrets.account = &w->account;
    if (w->account.name) {
        c->env.secret = worker_secret;
        c->env.secret_forget = worker_secret_forget;
        c->env.secret_ctx = &c->secrets;
    }
    struct tm_account_spec spec = {w->account_name, w->folder_path, w->account_id,
                                   w->account.name ? &w->account : NULL};
    if (w->ops->open(&c->env, &spec, &c->session, &c->open_err)) {
        c->session = NULL;
        tm_log(TM_LOG_WARN, "cannot open %s: %s", w->account_name, c->open_err.message);
    }
}

/* Takes the next job; waits up to wait_ms for one (-1: forever, 0: not at all). NULL when there
 * is none or the worker is told to stop. */
static struct job *next_job(struct worker *w, int wait_ms)
{
    pthread_mutex_lock(&w->lock);
    if (wait_ms < 0) {
        while (!w->head && !w->cancel)
            pthread_cond_wait(&w->wake, &w->lock);
    } else if (wait_ms > 0 && !w->head && !w->cancel) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += wait_ms / 1000;
        until.tv_nsec += (long)(wait_ms % 1000) * 1000000;
        if (until.tv_nsec >= 1000000000) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000;
        }
        while (!w->head && !w->cancel)
            if (pthread_cond_timedwait(&w->wake, &w->lock, &until) == ETIMEDOUT)
                break;
    }
    struct job *job = NULL;
    if (!w->cancel && w->head) {
        job = w->head;
        w->head = job->next;
        if (!w->head)
            w->tail = NULL;
    }
    pthread_mutex_unlock(&w->lock);
    return job;
}

static bool queue_empty(struct worker *w)
{
    pthread_mutex_lock(&w->lock);
    bool empty = !w->head;
    pthread_mutex_unlock(&w->lock);
    return empty;
}

static void drain_wake(struct worker *w)
{
    char buf[64];
    while (read(w->wake_pipe[0], buf, sizeof(buf)) > 0)
        ;
}

/* With nothing queued: wait for the server to report changes (IDLE) and sync when it does. */
static void wait_for_changes(struct worker_ctx *c)
{
    struct worker *w = c->w;
    drain_wake(w); /* before looking at the queue, so a job submitted now still wakes us */
    if (!queue_empty(w))
        return;
    struct tm_error err;
    tm_error_clear(&err);
    bool changed = false;
    enum tm_status st = w->ops->wait_changes(c->session, WAIT_CHANGES_MS, &changed, &err);
    if (w->cancel)
        return;
    if (!st && changed)
        run_sync(c);
    else if (st && st != TM_ECANCELED) {
        tm_log(TM_LOG_INFO, "%s: waiting for changes failed: %s", w->account_name, err.message);
        c->offline = true;
    }
}

static void *worker_main(void *arg)
{
    struct worker_ctx c;
    memset(&c, 0, sizeof(c));
    c.w = arg;
    open_session(&c);
    struct worker *w = c.w;
    while (!w->cancel) {
        struct job *job = next_job(w, 0);
        if (job) {
            run_job(&c, job);
            free(job);
        } else if (w->cancel) {
            break;
        } else if (c.session && c.offline) { /* retry the sync on a timer */
            if ((job = next_job(w, OFFLINE_RETRY_S * 1000)) != NULL) {
                run_job(&c, job);
                free(job);
            } else if (!w->cancel) {
                run_sync(&c);
            }
        } else if (c.session && w->ops->wait_changes) {
            wait_for_changes(&c);
        } else if ((job = next_job(w, -1)) != NULL) {
            run_job(&c, job);
            free(job);
        }
    }
    if (c.session)
        w->ops->close(&c.session);
    worker_secrets_cleanup(&c.secrets);
    tm_store_free(&c.store);
    return NULL;
}

static void wake(struct worker *w)
{
    ssize_t n = write(w->wake_pipe[1], "j", 1);
    (void)n; /* a full pipe already wakes the reader */
}

enum tm_status worker_start(struct worker *w, struct tm_error *err)
{
    if (pipe2(w->wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return tm_error_errno(err, TM_EIO, errno, _("cannot create the worker's pipe"));
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    w->head = w->tail = NULL;
    w->cancel = 0;
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
        return tm_error_set(err, TM_EIO, _("cannot start the worker thread"));
    w->started = true;
    return TM_OK;
}

enum tm_status worker_submit(struct worker *w, const struct job *job, struct tm_error *err)
{
    struct job *copy = malloc(sizeof(*copy));
    if (!copy)
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    *copy = *job;
    copy->next = NULL;
    pthread_mutex_lock(&w->lock);
    bool duplicate = false;
    for (struct job *j = w->head; j && job->type == JOB_SYNC; j = j->next)
        duplicate |= j->type == JOB_SYNC;
    if (duplicate) {
        free(copy);
    } else {
        if (w->tail)
            w->tail->next = copy;
        else
            w->head = copy;
        w->tail = copy;
        pthread_cond_signal(&w->wake);
    }
    pthread_mutex_unlock(&w->lock);
    if (!duplicate)
        wake(w);
    return TM_OK;
}

void worker_stop(struct worker *w)
{
    if (!w->started)
        return;
    pthread_mutex_lock(&w->lock);
    w->cancel = 1;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    wake(w);
    pthread_join(w->thread, NULL);
    close(w->wake_pipe[0]);
    close(w->wake_pipe[1]);
    while (w->head) {
        struct job *j = w->head;
        w->head = j->next;
        free(j);
    }
    w->tail = NULL;
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->wake);
    w->started = false;
}
