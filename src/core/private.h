/* private.h - core-internal declarations: the event queue, the account worker and its jobs. */
#ifndef TM_CORE_PRIVATE_H
#define TM_CORE_PRIVATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "tmail/backend.h"
#include "tmail/config.h"
#include "tmail/event.h"
#include "tmail/store.h"

/* A queue of events with a self-pipe: the read end is readable while events are queued. */
struct event_queue;

enum tm_status event_queue_new(struct event_queue **out, struct tm_error *err);
void event_queue_free(struct event_queue **pp);
int event_queue_fd(struct event_queue *q);
/* Moves *ev (and the body it owns) into the queue; *ev is left empty. Thread-safe. */
void event_queue_push(struct event_queue *q, struct tm_event *ev);
/* Takes the oldest event into *ev; false when empty. Thread-safe. */
bool event_queue_pop(struct event_queue *q, struct tm_event *ev);

enum job_type { JOB_SYNC, JOB_BODY, JOB_FLAGS, JOB_SORT };

struct job {
    enum job_type type;
    int64_t message_id;
    unsigned add, clear;
    int sort;          /* JOB_SORT: enum tm_sort */
    bool sort_reverse; /* JOB_SORT */
    struct job *next;
};

/* One account's worker thread: its own store connection and backend session. */
struct worker {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct job *head, *tail; /* pending jobs, oldest first */
    volatile int cancel;     /* set to stop the running job and the thread */
    bool started;
    int wake_pipe[2]; /* a byte per submitted job: ends a backend's wait for changes */

    /* Read-only after start. */
    const struct tm_backend_ops *ops;
    char *store_path;
    char *folder_path;
    char *account_name;
    char *charset_fallback;    /* NULL: the MIME layer's default */
    char *mailbox_name;        /* the open mailbox, "INBOX" */
    struct tm_account account; /* own copy (core_account_copy); name NULL for -f folders */
    int sort;                  /* enum tm_sort of the display order; changed by JOB_SORT */
    bool sort_reverse;
    int64_t account_id;
    int64_t mailbox_id;
    struct event_queue *events; /* borrowed from core */
};

enum tm_status worker_start(struct worker *w, struct tm_error *err);
/* Queues a job (copied). A sync is not queued twice. */
enum tm_status worker_submit(struct worker *w, const struct job *job, struct tm_error *err);
/* Cancels the running job, joins the thread and frees queued jobs. */
void worker_stop(struct worker *w);

/* The secret provider a worker hands its backend (worker_secret.c). */
struct tm_credentials;
struct worker_secrets {
    const struct tm_account *account; /* the worker's own copy */
    struct tm_credentials *creds;     /* made on first use */
    char *token;                      /* the last OAuth token, wiped when dropped */
};
enum tm_status worker_secret(void *ctx, enum tm_secret kind, const char **secret,
                             struct tm_error *err);
void worker_secret_forget(void *ctx, enum tm_secret kind);
void worker_secrets_cleanup(struct worker_secrets *ws);

/* A deep copy of the account fields backends read; freed (secrets wiped) by core_account_free. */
enum tm_status core_account_copy(struct tm_account *dst, const struct tm_account *src,
                                 struct tm_error *err);
void core_account_free(struct tm_account *a);

/* "imaps://user@host:port" of an IMAP account, built from its parts (never with a password). */
void core_account_url(const struct tm_account *a, char *url, size_t size);

/* Recomputes a mailbox's display order for sort (enum tm_sort; threads or flat) and records
 * which sort it is for. */
enum tm_status core_rethread(struct tm_store *st, int64_t mailbox_id, int sort, bool reverse,
                             struct tm_error *err);
/* The same, but only when rows changed or the stored order was made for another sort. */
enum tm_status core_order_if_needed(struct tm_store *st, int64_t mailbox_id, int sort, bool reverse,
                                    bool rows_changed, struct tm_error *err);
/* "threads", "date-reverse", ...: how a sort is recorded in the store. */
void core_sort_name(int sort, bool reverse, char *out, size_t size);

/* Runs command with sh: stdin from in_fd (-1: tmail's own), stdout appended to out (NULL:
 * discarded) up to out's cap, stderr discarded when quiet, for at most timeout_ms. Returns the
 * exit status, or -1 when it could not run, was stopped, or wrote more than out holds. */
int core_run_command(const char *command, int in_fd, bool quiet, struct tm_buf *out,
                     int timeout_ms);

/* Dispatch: NULL slots of a backend become TM_ENOTSUP. */
enum tm_status backend_set_flags(const struct tm_backend_ops *ops, struct tm_session *s, int64_t id,
                                 unsigned add, unsigned clear, struct tm_error *err);
enum tm_status backend_fetch(const struct tm_backend_ops *ops, struct tm_session *s, int64_t id,
                             struct tm_buf *out, struct tm_error *err);

#endif
