/* private.h - core-internal declarations: the event queue, the account worker and its jobs. */
#ifndef TM_CORE_PRIVATE_H
#define TM_CORE_PRIVATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

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

enum job_type {
    JOB_SYNC,      /* the open mailbox */
    JOB_BODY,      /* message_id's raw message */
    JOB_FLAGS,     /* add/clear on message_id (or ids) */
    JOB_SORT,      /* a new display order */
    JOB_LIST,      /* list the mailboxes and ask STATUS of the others */
    JOB_SELECT,    /* open mailbox (mailbox_id, name) and sync it */
    JOB_COPY,      /* message_id (or ids) to mailbox name */
    JOB_MOVE,      /* message_id (or ids) to mailbox name */
    JOB_EXPUNGE,   /* deleted messages of (mailbox_id, name): to trash name2, or expunged */
    JOB_CREATE,    /* mailbox name */
    JOB_RENAME,    /* mailbox name to name2 */
    JOB_DELETE,    /* mailbox name */
    JOB_SUBSCRIBE, /* mailbox name, subscribe or not */
    JOB_SEND,      /* the outbox rows that are due */
    JOB_APPEND,    /* data to mailbox name as a draft; then the file name2 (a safety copy) goes */
    JOB_SEARCH,    /* body search (search_run.c): pattern name in mailbox (mailbox_id, name2);
                      message_id is its serial, add its purpose */
    JOB_PART,      /* download part name (its IMAP section) of message_id (parts.c) */
};

struct job {
    enum job_type type;
    int64_t message_id;
    unsigned add, clear;
    int sort;           /* JOB_SORT: enum tm_sort */
    bool sort_reverse;  /* JOB_SORT */
    int64_t mailbox_id; /* JOB_SELECT, JOB_EXPUNGE */
    char *name;         /* owned by the queued job (worker_submit copies the caller's) */
    char *name2;        /* owned likewise; may be NULL */
    bool subscribe;     /* JOB_SUBSCRIBE */
    char *data;         /* JOB_APPEND: the message, owned like name */
    size_t data_len;
    bool view;    /* JOB_BODY: a big message's skeleton will do (name: alternative_order) */
    int64_t *ids; /* JOB_FLAGS, JOB_COPY, JOB_MOVE of several messages (then message_id is 0):
                     owned by the queued job like name */
    size_t n_ids;
    struct job *next;
};

/* One account's worker thread: its own store connection and backend session. */
struct worker {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_cond_t idle;     /* signalled when a job ends with none queued */
    struct job *head, *tail; /* pending jobs, oldest first */
    volatile int cancel;     /* set to stop the running job and the thread */
    volatile int job_cancel; /* set to stop the running job only (env.cancel points here) */
    int running;             /* enum job_type of the running job, -1 when none (under lock) */
    bool started;
    int wake_pipe[2]; /* a byte per submitted job: ends a backend's wait for changes */
    /* A password the UI was asked for (TM_EV_SECRET): guarded by lock, signalled on wake. */
    char *secret_answer;
    bool secret_answered;

    /* Read-only after start. */
    const struct tm_backend_ops *ops;
    char *store_path;
    char *folder_path;
    char *account_name;
    char *charset_fallback;    /* NULL: the MIME layer's default */
    struct tm_account account; /* own copy (core_account_copy); name NULL for -f folders */
    long mail_check_s;         /* seconds between mailbox listings */
    bool check_subscribed;     /* STATUS only for subscribed mailboxes */
    int64_t account_id;
    struct event_queue *events; /* borrowed from core */
    char *hostname;             /* EHLO name, or NULL */

    /* The worker thread's own after start (JOB_SELECT, JOB_SORT change them); the UI thread
     * never reads them but keeps its own copies in struct tm_core. */
    char *mailbox_name; /* the open mailbox, "INBOX" */
    int64_t mailbox_id;
    int sort; /* enum tm_sort of the display order */
    bool sort_reverse;
};

/* The secret provider a worker hands its backend (worker_secret.c). */
struct tm_credentials;
struct worker;
struct worker_secrets {
    const struct tm_account *account; /* the worker's own copy */
    struct worker *ask;               /* asks the UI for a password when set (NULL: --sync) */
    struct tm_credentials *creds;     /* made on first use */
    char *token;                      /* the last OAuth token, wiped when dropped */
};

/* The worker thread's state (worker.c, worker_folders.c). */
struct worker_ctx {
    struct worker *w;
    struct tm_store *store;
    struct tm_session *session;
    struct tm_backend_env env; /* borrowed by the session for its lifetime */
    struct tm_error open_err;  /* why session is NULL */
    struct timespec last_progress;
    struct worker_secrets secrets;
    bool offline;            /* the last sync failed for the network: retry on a timer */
    struct timespec list_at; /* when the next mailbox listing is due; tv_sec 0: not yet */
    struct timespec send_at; /* when the outbox is due to be looked at; tv_sec 0: never */
};

/* worker_send.c: the outbox (JOB_SEND) and postponing (JOB_APPEND). */
void worker_run_send(struct worker_ctx *c);
void worker_run_append(struct worker_ctx *c, const struct job *job);
/* Milliseconds until the outbox is due (0: now), capped at cap_ms; -1 when nothing is planned. */
int worker_ms_to_send(const struct worker_ctx *c, int cap_ms);

/* An event about message_id (0: none) of the worker's open mailbox, with err's status and
 * message (err may be NULL), queued for the UI. */
void worker_post(struct worker *w, enum tm_event_type type, int64_t message_id,
                 const struct tm_error *err);
/* The same with a mailbox id and a text for a person (may be NULL). */
void worker_post_text(struct worker *w, enum tm_event_type type, int64_t mailbox_id,
                      const struct tm_error *err, const char *text);
/* Syncs the worker's open mailbox and posts TM_EV_SYNC_DONE. */
void worker_run_sync(struct worker_ctx *c);

/* parts.c: a message for reading (JOB_BODY with view) and one part of it (JOB_PART). */
void worker_run_view(struct worker_ctx *c, const struct job *job);
void worker_run_part(struct worker_ctx *c, const struct job *job);

/* worker_folders.c: the folder jobs. */
void worker_run_list(struct worker_ctx *c, bool with_status, const char *done_text);
void worker_run_select(struct worker_ctx *c, struct job *job);
void worker_run_transfer(struct worker_ctx *c, const struct job *job);
void worker_run_expunge(struct worker_ctx *c, const struct job *job);
void worker_run_manage(struct worker_ctx *c, const struct job *job);

/* search_run.c, search_index.c: body and header search on the worker. */
void worker_run_search(struct worker_ctx *c, const struct job *job);
/* Keeps the text of a message just fetched (raw[0..len)) for searching; failures are logged. */
void worker_index_message(struct worker_ctx *c, int64_t message_id, const char *raw, size_t len);
/* After a sync: the text of the open mailbox's cached bodies not indexed yet (prefetch_bodies),
 * until done, cancelled or a job waits. */
void worker_index_pending(struct worker_ctx *c);
/* Drops queued searches and stops a running one (a new search, Ctrl-G, another mailbox). */
void worker_cancel_search(struct worker *w);
/* Drops the queued jobs of type, each handed to dropped (may be NULL; called under the worker's
 * lock: it must not submit) before it is freed, and stops a running one. false when none was
 * queued or running. */
bool worker_cancel_jobs(struct worker *w, enum job_type type,
                        void (*dropped)(void *ctx, const struct job *job), void *ctx);

enum tm_status worker_start(struct worker *w, struct tm_error *err);
/* Queues a job (copied, with its strings). A sync or a listing is not queued twice. A JOB_SELECT
 * drops the queued syncs and cancels a running one: they were for the mailbox left behind. */
enum tm_status worker_submit(struct worker *w, const struct job *job, struct tm_error *err);
/* Waits up to timeout_ms until no job is queued or running; false on timeout. */
bool worker_wait_idle(struct worker *w, int timeout_ms);
/* Cancels the running job, joins the thread and frees queued jobs. */
void worker_stop(struct worker *w);

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

struct core_load; /* sources.h */
/* Recomputes a mailbox's display order for sort (enum tm_sort; threads or flat) and records
 * which sort it is for. load (may be NULL): a first load just watched, whose sources are used
 * instead of reading the rows back when they are whole. */
enum tm_status core_rethread(struct tm_store *st, int64_t mailbox_id, int sort, bool reverse,
                             struct core_load *load, struct tm_error *err);
/* The same, but only when rows changed or the stored order was made for another sort. */
enum tm_status core_order_if_needed(struct tm_store *st, int64_t mailbox_id, int sort, bool reverse,
                                    bool rows_changed, struct core_load *load,
                                    struct tm_error *err);
/* "threads", "date-reverse", ...: how a sort is recorded in the store. */
void core_sort_name(int sort, bool reverse, char *out, size_t size);

/* Runs command with sh: stdin from in_fd (-1: tmail's own), stdout appended to out (NULL:
 * discarded) up to out's cap, stderr discarded when quiet, for at most timeout_ms. Returns the
 * exit status, or -1 when it could not run, was stopped, or wrote more than out holds. */
int core_run_command(const char *command, int in_fd, bool quiet, struct tm_buf *out,
                     int timeout_ms);

/* The controller (core.c, folders.c). */
/* limit.c: the messages the index shows under a limit (l), in display order. */
struct tm_pattern;
struct core_limit {
    char *text;                 /* the pattern as typed; NULL: no limit */
    struct tm_pattern *pattern; /* compiled */
    int64_t *ids;
    size_t n;
};

/* search.c: the body search the UI thread waits for, and what makes results out of date. */
struct core_search {
    int64_t serial;        /* of the last search started; older ones' events are ignored */
    bool running;          /* its TM_EV_SEARCH_DONE has not been taken yet */
    int purpose;           /* enum tm_search_purpose */
    int tag;               /* the caller's, given back with the result */
    char text[1024];       /* its pattern */
    int64_t mailbox_id;    /* the mailbox it searches */
    uint64_t started;      /* the generation it started in: what its results are valid for */
    bool limit_refresh;    /* a limit refresh waits for the running search to end */
    int64_t stamp_mailbox; /* the mailbox generation counts for */
    uint64_t generation;   /* bumped by every sync and mailbox change */
};

struct tm_core {
    struct tm_store *store; /* the UI thread's connection */
    struct event_queue *events;
    struct worker worker;
    const struct tm_backend_ops *ops;
    int64_t account_id;
    int64_t mailbox_id; /* the open mailbox, as the UI thread sees it */
    char *mailbox_name;
    char *folder_label;
    char *url;                   /* the account's URL for labels (IMAP), else NULL */
    char *folder_path;           /* the Maildir or mbox path (labels of its folders), else NULL */
    char *sent, *drafts, *trash; /* the account's settings without = or +, or NULL */
    bool listed;                 /* a listing of the mailboxes has come in */
    struct core_limit limit;
    struct core_search search;
};

void core_limit_clear(struct tm_core *core);
/* Sets the limit to pattern p (taken over) typed as text (copied), whose text atoms have their
 * results. */
enum tm_status core_limit_apply(struct tm_core *core, const char *text, struct tm_pattern *p,
                                struct tm_error *err);
/* What text-atom results of the open mailbox are valid for, now (search.c). */
uint64_t core_search_stamp(struct tm_core *core);
/* A sync ended: earlier results are out of date, and a limit with text atoms is searched again. */
void core_search_after_sync(struct tm_core *core);
/* The limit being searched is replaced: its search stops, and whatever its end brings (a result
 * that was on its way, or the stop) is an older search's, never applied. */
void core_search_drop_limit(struct tm_core *core);
enum tm_status core_limit_window(struct tm_core *core, int64_t offset, int limit,
                                 struct tm_message_row *rows, int *n_out, struct tm_error *err);
enum tm_status core_limit_position(struct tm_core *core, int64_t message_id, int64_t *pos,
                                   struct tm_error *err);

/* A folder setting (record, postponed, trash) as a mailbox name: without mutt's = or + and
 * without an imap://host/ in front; a pointer into value, or NULL when that leaves nothing. */
const char *core_folder_setting(const char *value);

/* Makes the folder label of the open mailbox (core->mailbox_name). */
enum tm_status core_set_label(struct tm_core *core, struct tm_error *err);

/* Dispatch: NULL slots of a backend become TM_ENOTSUP. */
enum tm_status backend_set_flags(const struct tm_backend_ops *ops, struct tm_session *s, int64_t id,
                                 unsigned add, unsigned clear, struct tm_error *err);
enum tm_status backend_fetch(const struct tm_backend_ops *ops, struct tm_session *s, int64_t id,
                             struct tm_buf *out, struct tm_error *err);
/* fetch_view, or fetch_message (*partial false) for a backend without it. */
enum tm_status backend_fetch_view(const struct tm_backend_ops *ops, struct tm_session *s,
                                  int64_t id, const struct tm_fetch_view_opts *opts,
                                  struct tm_buf *out, bool *partial, struct tm_error *err);
enum tm_status backend_fetch_part(const struct tm_backend_ops *ops, struct tm_session *s,
                                  int64_t id, const char *section, tm_progress_fn progress,
                                  void *ctx, struct tm_error *err);
enum tm_status backend_list(const struct tm_backend_ops *ops, struct tm_session *s,
                            tm_mailbox_cb cb, void *ctx, struct tm_error *err);
enum tm_status backend_copy(const struct tm_backend_ops *ops, struct tm_session *s, int64_t id,
                            const char *to, struct tm_error *err);
enum tm_status backend_move(const struct tm_backend_ops *ops, struct tm_session *s, int64_t id,
                            const char *to, struct tm_error *err);
/* set_flags_many, copy_many, move_many over ids[0..n), or the single operation for each when the
 * backend has only that (stopping at the first failure). */
enum tm_status backend_set_flags_many(const struct tm_backend_ops *ops, struct tm_session *s,
                                      const int64_t *ids, size_t n, unsigned add, unsigned clear,
                                      struct tm_error *err);
enum tm_status backend_copy_many(const struct tm_backend_ops *ops, struct tm_session *s,
                                 const int64_t *ids, size_t n, const char *to,
                                 struct tm_error *err);
enum tm_status backend_move_many(const struct tm_backend_ops *ops, struct tm_session *s,
                                 const int64_t *ids, size_t n, const char *to,
                                 struct tm_error *err);
enum tm_status backend_expunge(const struct tm_backend_ops *ops, struct tm_session *s,
                               const char *mailbox, int64_t mailbox_id, struct tm_error *err);
enum tm_status backend_create(const struct tm_backend_ops *ops, struct tm_session *s,
                              const char *name, struct tm_error *err);
enum tm_status backend_delete(const struct tm_backend_ops *ops, struct tm_session *s,
                              const char *name, struct tm_error *err);
enum tm_status backend_rename(const struct tm_backend_ops *ops, struct tm_session *s,
                              const char *from, const char *to, struct tm_error *err);
enum tm_status backend_subscribe(const struct tm_backend_ops *ops, struct tm_session *s,
                                 const char *name, bool subscribe, struct tm_error *err);
/* Appends; a mailbox that does not exist (TM_ENOENT) is created first when the backend can. */
enum tm_status backend_append(const struct tm_backend_ops *ops, struct tm_session *s,
                              const char *mailbox, const char *msg, size_t len, unsigned flags,
                              struct tm_error *err);
enum tm_status backend_status(const struct tm_backend_ops *ops, struct tm_session *s,
                              const char *name, int64_t mailbox_id, int64_t *total, int64_t *unseen,
                              struct tm_error *err);
/* status_many, or status for each mailbox when the backend has only that. */
enum tm_status backend_status_many(const struct tm_backend_ops *ops, struct tm_session *s,
                                   struct tm_status_query *q, size_t n, struct tm_error *err);

/* send_row.c: one outbox row through SMTP, for the worker and tmail -s. */
struct tm_smtp;
struct core_send {
    struct tm_store *store;
    const struct tm_account *account; /* its smtp URL, TLS settings and credentials */
    const char *hostname;             /* EHLO name or NULL */
    struct worker_secrets *secrets;   /* the password or token */
    const volatile int *cancel;
    struct tm_smtp *smtp; /* the open session, reused for the next row; NULL: connect first */
    /* The Sent copy (with \Seen) and the flag on a replied or forwarded original; either may
     * be NULL (no copy, no flag). */
    enum tm_status (*append)(void *ctx, const char *mailbox, const char *msg, size_t len,
                             struct tm_error *err);
    enum tm_status (*set_flags)(void *ctx, int64_t message_id, unsigned add, struct tm_error *err);
    void *backend_ctx;
    int64_t row_id; /* the row being sent (for the before-the-dot callback) */
};
struct core_send_report {
    bool sent;           /* the server took it */
    bool copied;         /* ... and the Sent copy was stored */
    bool copy_failed;    /* ... but the copy failed (the row stays, state SENT) */
    bool held;           /* not sent; waits for the person */
    bool refused;        /* ... because recipients were refused (reply lists them) */
    bool connect_failed; /* the server could not be reached or refused the login */
    int outcome;         /* enum tm_smtp_outcome when a submission happened */
    int maybe_sent;      /* tries that ended after the final dot without a reply */
    int64_t retry_in;    /* seconds until the next try, when retried */
    char reply[1024];    /* the server's reply or the failure */
    char subject[256];
};
/* Seconds to wait before try number attempts + 1: 1, 2, 4 ... 60 minutes. */
int64_t core_send_backoff(int attempts);
/* Works on outbox row id: TM_OK when the outcome is recorded in the store (rep says which);
 * TM_ECANCELED when stopped; other failures are the store's. */
enum tm_status core_send_row(struct core_send *cs, int64_t id, struct core_send_report *rep,
                             struct tm_error *err);
/* Builds d and commits it to the outbox of account (sent_to: the Sent copy's mailbox or NULL);
 * *id_out (may be NULL) gets the row. */
struct tm_draft;
struct tm_alias_set;
enum tm_status core_outbox_queue(struct tm_store *store, const char *account, const char *sent_to,
                                 struct tm_draft *d, const struct tm_alias_set *aliases,
                                 const char *hostname, int64_t *id_out, struct tm_error *err);
/* After each row of core_send_due: st is core_send_row's status (rep valid when TM_OK, err
 * when not); false stops the walk. */
typedef bool (*core_send_done_fn)(void *ctx, int64_t id, enum tm_status st,
                                  const struct core_send_report *rep, const struct tm_error *err);
#define CORE_SEND_ROWS_MAX 1000 /* rows one walk works on */
/* Works on every row of account due at now, each at most once, then closes the session.
 * *wait_s gets the seconds until the next queued row is due (-1: none; 0: rows were left for
 * another walk). TM_ECANCELED when stopped; store failures. */
enum tm_status core_send_due(struct core_send *cs, const char *account, int64_t now,
                             core_send_done_fn done, void *ctx, int64_t *wait_s,
                             struct tm_error *err);
/* A sentence for the person about rep. */
void core_send_describe(const struct core_send_report *rep, char *out, size_t size);
/* Closes the SMTP session (QUIT). */
void core_send_close(struct core_send *cs);

#endif
