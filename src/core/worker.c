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
#include "sources.h"
#include "tmail/i18n.h"
#include "tmail/log.h"

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

void worker_post(struct worker *w, enum tm_event_type type, int64_t message_id,
                 const struct tm_error *err)
{
    struct tm_event ev;
    event_init(w, &ev, type, message_id, err);
    event_queue_push(w->events, &ev);
}

void worker_post_text(struct worker *w, enum tm_event_type type, int64_t mailbox_id,
                      const struct tm_error *err, const char *text)
{
    struct tm_event ev;
    event_init(w, &ev, type, 0, err);
    ev.mailbox_id = mailbox_id;
    if (text && !ev.status)
        snprintf(ev.text, sizeof(ev.text), "%s", text);
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

void worker_run_sync(struct worker_ctx *c)
{
    struct worker *w = c->w;
    struct tm_error err;
    struct tm_sync_result res = {0};
    struct timespec t0, t1;
    tm_error_clear(&err);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct core_load *load = core_load_watch(c->store, w->mailbox_id, w->sort);
    enum tm_status st =
        w->ops->sync_mailbox(c->session, w->mailbox_name, w->mailbox_id, &res, &err);
    core_load_unwatch(load);
    tm_store_checkpoint_now(c->store); /* while the order is computed */
    c->offline = st == TM_ENET;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!st)
        st = core_order_if_needed(c->store, w->mailbox_id, w->sort, w->sort_reverse,
                                  res.added || res.removed, load, &err);
    core_load_free(&load);
    if (st) /* canceled: another mailbox was opened meanwhile */
        tm_log(st == TM_ECANCELED ? TM_LOG_INFO : TM_LOG_WARN, "sync of %s failed: %s",
               w->account_name, err.message);
    else
        tm_log(TM_LOG_INFO,
               "synced %s: +%lld -%lld ~%lld (%lld unreadable) in %ld ms, ordering %ld ms",
               w->account_name, (long long)res.added, (long long)res.removed,
               (long long)res.changed, (long long)res.skipped, ms_since(&t0) - ms_since(&t1),
               ms_since(&t1));
    if (!st && !c->list_at.tv_sec && w->ops->list_mailboxes)
        clock_gettime(CLOCK_MONOTONIC, &c->list_at); /* the first listing is due now */
    struct tm_event ev;
    err.status = st;
    event_init(w, &ev, TM_EV_SYNC_DONE, 0, &err);
    ev.done = res.added;
    ev.total = res.removed;
    event_queue_push(w->events, &ev);
    if (!st) /* bodies the sync cached (prefetch_bodies) become searchable */
        worker_index_pending(c);
}

static void run_body(struct worker_ctx *c, int64_t message_id)
{
    struct tm_error err;
    struct tm_event ev;
    struct tm_buf body;
    tm_error_clear(&err);
    tm_buf_init(&body, 0);
    err.status = backend_fetch(c->w->ops, c->session, message_id, &body, &err);
    if (!err.status) /* searchable from now on (body search) */
        worker_index_message(c, message_id, body.data ? body.data : "", body.len);
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
    enum tm_status st = job->ids ? backend_set_flags_many(c->w->ops, c->session, job->ids,
                                                          job->n_ids, job->add, job->clear, &err)
                                 : backend_set_flags(c->w->ops, c->session, job->message_id,
                                                     job->add, job->clear, &err);
    worker_post(c->w, st ? TM_EV_ERROR : TM_EV_CHANGED, job->message_id, &err);
}

static void run_sort(struct worker_ctx *c, const struct job *job)
{
    struct tm_error err;
    tm_error_clear(&err);
    c->w->sort = job->sort;
    c->w->sort_reverse = job->sort_reverse;
    enum tm_status st = core_order_if_needed(c->store, c->w->mailbox_id, job->sort,
                                             job->sort_reverse, false, NULL, &err);
    worker_post(c->w, st ? TM_EV_ERROR : TM_EV_CHANGED, 0, &err);
}

static void run_job(struct worker_ctx *c, struct job *job)
{
    if (job->type == JOB_SELECT) { /* switches even without a session, so events follow */
        worker_run_select(c, job);
        return;
    }
    if (job->type == JOB_SEND) { /* SMTP needs no reading session */
        worker_run_send(c);
        return;
    }
    if (job->type == JOB_APPEND) { /* says where the message is kept when it fails */
        worker_run_append(c, job);
        return;
    }
    if (job->type == JOB_PART) { /* keeps the UI's part state, with or without a session */
        worker_run_part(c, job);
        return;
    }
    if (job->type == JOB_SEARCH) { /* searches what is cached even without a session */
        worker_run_search(c, job);
        return;
    }
    if (!c->session) { /* the folder did not open: every job answers with why */
        enum tm_event_type type = job->type == JOB_SYNC   ? TM_EV_SYNC_DONE
                                  : job->type == JOB_BODY ? TM_EV_BODY
                                                          : TM_EV_ERROR;
        worker_post(c->w, type, job->message_id, &c->open_err);
        return;
    }
    switch (job->type) {
    case JOB_SYNC:
        worker_run_sync(c);
        break;
    case JOB_BODY:
        if (job->view)
            worker_run_view(c, job);
        else
            run_body(c, job->message_id);
        break;
    case JOB_FLAGS:
        run_flags(c, job);
        break;
    case JOB_SORT:
        run_sort(c, job);
        break;
    case JOB_LIST:
        worker_run_list(c, true, NULL);
        break;
    case JOB_COPY:
    case JOB_MOVE:
        worker_run_transfer(c, job);
        break;
    case JOB_EXPUNGE:
        worker_run_expunge(c, job);
        break;
    case JOB_CREATE:
    case JOB_RENAME:
    case JOB_DELETE:
    case JOB_SUBSCRIBE:
        worker_run_manage(c, job);
        break;
    case JOB_SELECT:
    case JOB_SEND:
    case JOB_APPEND:
    case JOB_PART:
    case JOB_SEARCH:
        break; /* above */
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
    c->env.cancel = &w->job_cancel;
    c->env.charset_fallback = w->charset_fallback;
    c->env.wake_fd = w->wake_pipe[0];
    c->secrets.account = &w->account;
    c->secrets.ask = w;
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

/* Marks what runs now (-1: nothing) for worker_submit's cancel and worker_wait_idle; a run
 * starts and ends with the job cancel flag cleared (a stop asked as a job ended must not stop
 * the wait for changes that follows). */
static void set_running(struct worker *w, int type)
{
    pthread_mutex_lock(&w->lock);
    w->running = type;
    if (!w->cancel)
        w->job_cancel = 0;
    if (type < 0 && !w->head)
        pthread_cond_broadcast(&w->idle);
    pthread_mutex_unlock(&w->lock);
}

static void deadline_in(struct timespec *until, int ms)
{
    clock_gettime(CLOCK_REALTIME, until);
    until->tv_sec += ms / 1000;
    until->tv_nsec += (long)(ms % 1000) * 1000000;
    if (until->tv_nsec >= 1000000000) {
        until->tv_sec++;
        until->tv_nsec -= 1000000000;
    }
}

/* Takes the next job; waits up to wait_ms for one (-1: forever, 0: not at all). NULL when there
 * is none or the worker is told to stop. The job taken is marked running. */
static struct job *next_job(struct worker *w, int wait_ms)
{
    pthread_mutex_lock(&w->lock);
    if (wait_ms < 0) {
        while (!w->head && !w->cancel)
            pthread_cond_wait(&w->wake, &w->lock);
    } else if (wait_ms > 0 && !w->head && !w->cancel) {
        struct timespec until;
        deadline_in(&until, wait_ms);
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
        w->running = (int)job->type;
        w->job_cancel = 0;
    }
    pthread_mutex_unlock(&w->lock);
    return job;
}

static void job_free(struct job *job)
{
    if (job) {
        free(job->name);
        free(job->name2);
        free(job->data);
        free(job->ids);
        free(job);
    }
}

/* No run may leave a transaction open: the writes of every later run would join it, unseen by
 * the UI's connection, and be lost at close. Such a bug is logged and its writes kept. */
static void commit_left_open(struct worker_ctx *c, int type)
{
    struct tm_error err;
    tm_error_clear(&err);
    if (c->store && tm_store_commit_left_open(c->store, &err))
        tm_log(TM_LOG_WARN, "bug: job %d left a transaction open: %s", type,
               err.status ? err.message : "committed");
}

static void end_run(struct worker_ctx *c, int type)
{
    commit_left_open(c, type);
    set_running(c->w, -1);
}

static void run_and_free(struct worker_ctx *c, struct job *job)
{
    int type = (int)job->type;
    run_job(c, job);
    job_free(job);
    end_run(c, type);
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

/* A sync or listing of the worker's own accord (not a job), marked running like one. */
static void run_own(struct worker_ctx *c, enum job_type type)
{
    set_running(c->w, (int)type);
    if (type == JOB_LIST)
        worker_run_list(c, true, NULL);
    else if (type == JOB_SEND)
        worker_run_send(c);
    else
        worker_run_sync(c);
    end_run(c, (int)type);
}

/* With nothing queued: wait up to timeout_ms for the server to report changes (IDLE) and sync
 * when it does. */
static void wait_for_changes(struct worker_ctx *c, int timeout_ms)
{
    struct worker *w = c->w;
    drain_wake(w); /* before looking at the queue, so a job submitted now still wakes us */
    if (!queue_empty(w))
        return;
    struct tm_error err;
    tm_error_clear(&err);
    bool changed = false;
    enum tm_status st = w->ops->wait_changes(c->session, timeout_ms, &changed, &err);
    commit_left_open(c, -1); /* -1: the wait itself */
    if (w->cancel)
        return;
    if (!st && changed) {
        run_own(c, JOB_SYNC);
    } else if (st == TM_ENET) {
        /* the connection went (a server's idle limit, a network change): sync at once, which
         * reconnects; only when that fails too does the offline timer take over */
        tm_log(TM_LOG_INFO, "%s: connection lost while waiting: %s", w->account_name, err.message);
        run_own(c, JOB_SYNC);
    } else if (st && st != TM_ECANCELED) {
        tm_log(TM_LOG_INFO, "%s: waiting for changes failed: %s", w->account_name, err.message);
        c->offline = true;
    }
}

/* Milliseconds until the next mailbox listing (WAIT_CHANGES_MS at most; 0 when due); -1 when
 * none is planned. */
static int ms_to_listing(const struct worker_ctx *c)
{
    if (!c->list_at.tv_sec)
        return -1;
    long ms = -ms_since(&c->list_at);
    return ms <= 0 ? 0 : ms > WAIT_CHANGES_MS ? WAIT_CHANGES_MS : (int)ms;
}

static void *worker_main(void *arg)
{
    struct worker_ctx c;
    memset(&c, 0, sizeof(c));
    c.w = arg;
    open_session(&c);
    struct worker *w = c.w;
    if (w->account.send.scheme != TM_URL_NONE) /* mail an earlier run left in the outbox */
        clock_gettime(CLOCK_MONOTONIC, &c.send_at);
    while (!w->cancel) {
        struct job *job = next_job(w, 0);
        int list_ms = c.session ? ms_to_listing(&c) : -1;
        int send_ms = worker_ms_to_send(&c, WAIT_CHANGES_MS);
        int timer_ms = send_ms >= 0 && (list_ms < 0 || send_ms < list_ms) ? send_ms : list_ms;
        if (job) {
            run_and_free(&c, job);
        } else if (w->cancel) {
            break;
        } else if (send_ms == 0) {
            run_own(&c, JOB_SEND);
        } else if (c.session && c.offline) { /* retry the sync on a timer */
            bool send_first = send_ms > 0 && send_ms < OFFLINE_RETRY_S * 1000;
            if ((job = next_job(w, send_first ? send_ms : OFFLINE_RETRY_S * 1000)) != NULL)
                run_and_free(&c, job);
            else if (!w->cancel && !send_first)
                run_own(&c, JOB_SYNC);
        } else if (c.session && list_ms == 0) {
            run_own(&c, JOB_LIST);
        } else if (c.session && w->ops->wait_changes) {
            wait_for_changes(&c, timer_ms > 0 ? timer_ms : WAIT_CHANGES_MS);
        } else if ((job = next_job(w, timer_ms)) != NULL) {
            run_and_free(&c, job);
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
    pthread_cond_init(&w->idle, NULL);
    w->head = w->tail = NULL;
    w->cancel = w->job_cancel = 0;
    w->running = -1;
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        if (w->secret_answer) {
            explicit_bzero(w->secret_answer, strlen(w->secret_answer));
            free(w->secret_answer);
            w->secret_answer = NULL;
        }
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->wake);
        pthread_cond_destroy(&w->idle);
        close(w->wake_pipe[0]);
        close(w->wake_pipe[1]);
        return tm_error_set(err, TM_EIO, _("cannot start the worker thread"));
    }
    w->started = true;
    return TM_OK;
}

/* Under the lock: whether a job like job is queued already (syncs and listings run once). */
static bool already_queued(const struct worker *w, const struct job *job)
{
    if (job->type != JOB_SYNC && job->type != JOB_LIST && job->type != JOB_SEND)
        return false;
    for (const struct job *j = w->head; j; j = j->next)
        if (j->type == job->type)
            return true;
    return false;
}

/* Under the lock: a new mailbox is opened, so syncs and selects queued for the old one go, and a
 * running sync of it stops. */
static void drop_for_select(struct worker *w)
{
    struct job **pp = &w->head;
    w->tail = NULL;
    while (*pp) {
        struct job *j = *pp;
        if (j->type == JOB_SYNC || j->type == JOB_SELECT || j->type == JOB_SEARCH) {
            *pp = j->next;
            job_free(j);
        } else {
            w->tail = j;
            pp = &j->next;
        }
    }
    if (w->running == JOB_SYNC || w->running == JOB_SELECT || w->running == JOB_SEARCH)
        w->job_cancel = 1;
}

bool worker_cancel_jobs(struct worker *w, enum job_type type,
                        void (*dropped)(void *ctx, const struct job *job), void *ctx)
{
    if (!w->started)
        return false;
    bool any = false;
    pthread_mutex_lock(&w->lock);
    struct job **pp = &w->head;
    w->tail = NULL;
    while (*pp) {
        struct job *j = *pp;
        if (j->type == type) {
            *pp = j->next;
            if (dropped)
                dropped(ctx, j);
            job_free(j);
            any = true;
        } else {
            w->tail = j;
            pp = &j->next;
        }
    }
    if (w->running == (int)type) {
        w->job_cancel = 1;
        any = true;
    }
    pthread_mutex_unlock(&w->lock);
    return any;
}

void worker_cancel_search(struct worker *w)
{
    worker_cancel_jobs(w, JOB_SEARCH, NULL, NULL);
}

static struct job *job_dup(const struct job *job)
{
    struct job *copy = malloc(sizeof(*copy));
    if (!copy)
        return NULL;
    *copy = *job;
    copy->next = NULL;
    copy->name = job->name ? strdup(job->name) : NULL;
    copy->name2 = job->name2 ? strdup(job->name2) : NULL;
    copy->data = job->data ? malloc(job->data_len ? job->data_len : 1) : NULL;
    if (copy->data)
        memcpy(copy->data, job->data, job->data_len);
    copy->ids = job->ids ? malloc((job->n_ids ? job->n_ids : 1) * sizeof(*job->ids)) : NULL;
    if (copy->ids && job->n_ids)
        memcpy(copy->ids, job->ids, job->n_ids * sizeof(*job->ids));
    if ((job->name && !copy->name) || (job->name2 && !copy->name2) || (job->data && !copy->data) ||
        (job->ids && !copy->ids)) {
        job_free(copy);
        return NULL;
    }
    return copy;
}

enum tm_status worker_submit(struct worker *w, const struct job *job, struct tm_error *err)
{
    struct job *copy = job_dup(job);
    if (!copy)
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    pthread_mutex_lock(&w->lock);
    bool duplicate = already_queued(w, job);
    if (duplicate) {
        job_free(copy);
    } else {
        if (job->type == JOB_SELECT)
            drop_for_select(w);
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

bool worker_wait_idle(struct worker *w, int timeout_ms)
{
    if (!w->started)
        return true;
    struct timespec until;
    deadline_in(&until, timeout_ms);
    pthread_mutex_lock(&w->lock);
    bool timed_out = false;
    while ((w->head || w->running >= 0) && !timed_out)
        timed_out = pthread_cond_timedwait(&w->idle, &w->lock, &until) == ETIMEDOUT;
    bool idle = !w->head && w->running < 0;
    pthread_mutex_unlock(&w->lock);
    return idle;
}

void worker_stop(struct worker *w)
{
    if (!w->started)
        return;
    pthread_mutex_lock(&w->lock);
    w->cancel = 1;
    w->job_cancel = 1;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    wake(w);
    pthread_join(w->thread, NULL);
    close(w->wake_pipe[0]);
    close(w->wake_pipe[1]);
    while (w->head) {
        struct job *j = w->head;
        w->head = j->next;
        job_free(j);
    }
    w->tail = NULL;
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->wake);
    pthread_cond_destroy(&w->idle);
    w->started = false;
}
