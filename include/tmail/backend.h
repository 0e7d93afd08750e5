/* backend.h - the operations table every mailbox source (IMAP, POP3, Maildir) provides. All calls
 * of a session run on its account's worker thread. Unsupported operations are NULL; core's
 * dispatcher turns NULL into TM_ENOTSUP so callers never test slots. */
#ifndef TMAIL_BACKEND_H
#define TMAIL_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tmail/buf.h"
#include "tmail/status.h"

struct tm_store;
struct tm_account;
struct tm_session; /* a backend's private connection state */

/* Capability bits a UI may read. */
enum tm_backend_cap {
    TM_CAP_FOLDERS = 1u << 0,       /* more than one mailbox */
    TM_CAP_SERVER_FLAGS = 1u << 1,  /* flags are kept at the source */
    TM_CAP_PUSH = 1u << 2,          /* wait_changes is cheap (IDLE, inotify) */
    TM_CAP_SERVER_SEARCH = 1u << 3, /* search can run at the source */
    TM_CAP_APPEND = 1u << 4,        /* append works (Sent, Drafts) */
    TM_CAP_MOVE = 1u << 5,          /* move is atomic at the source */
};

/* Progress callback: done of total units (messages) of mailbox. May be called often. */
typedef void (*tm_progress_fn)(void *ctx, const char *mailbox, int64_t done, int64_t total);

/* Which secret a network backend asks for. */
enum tm_secret { TM_SECRET_PASSWORD, TM_SECRET_OAUTH_TOKEN };

/* Gives the account's secret (password from password_cmd/password/prompt, or a token from
 * oauth_token_cmd), borrowed until the next call or forget. Never logged by anyone. */
typedef enum tm_status (*tm_secret_fn)(void *ctx, enum tm_secret kind, const char **secret,
                                       struct tm_error *err);
/* The server refused the secret: drop it so the next call fetches or asks again. */
typedef void (*tm_secret_forget_fn)(void *ctx, enum tm_secret kind);

/* What a backend is given; it uses nothing else (no globals). Borrowed for the session. */
struct tm_backend_env {
    struct tm_store *store;  /* the worker's own store connection */
    tm_progress_fn progress; /* may be NULL */
    void *progress_ctx;
    const volatile int *cancel;   /* nonzero: stop soon with TM_ECANCELED; may be NULL */
    const char *charset_fallback; /* for raw 8-bit headers (the setting); NULL: the default */
    int wake_fd;         /* readable when the worker has a new job: ends wait_changes; -1 */
    tm_secret_fn secret; /* NULL: the account needs none */
    tm_secret_forget_fn secret_forget;
    void *secret_ctx;
};

/* Account description handed to open(); strings borrowed for the session's lifetime. */
struct tm_account_spec {
    const char *name;                /* account name, e.g. "personal" */
    const char *url;                 /* reading URL or Maildir path */
    int64_t account_id;              /* store id of the account */
    const struct tm_account *config; /* the configured account (server, TLS); NULL for -f */
};

struct tm_mailbox_info {
    const char *name;    /* UTF-8 display name; "INBOX" for the inbox */
    char delimiter;      /* hierarchy delimiter, 0 if flat */
    const char *special; /* "\\Sent", "\\Drafts", ... or NULL */
    bool subscribed;     /* the server lists it as subscribed */
    bool selectable;     /* false for \\Noselect / \\NonExistent parents (shown, not opened) */
};
typedef int (*tm_mailbox_cb)(void *ctx, const struct tm_mailbox_info *mb);

/* What fetch_view brings first of a big message. */
struct tm_fetch_view_opts {
    const char *alternative_order; /* as in struct tm_render_opts; NULL: text/plain, then html */
};

/* One mailbox of a status_many call: name and store id (0: looked up) in; counts (-1: unknown)
 * and the outcome for this mailbox out. */
struct tm_status_query {
    const char *name;
    int64_t mailbox_id;
    int64_t total, unseen;
    enum tm_status st;
};

struct tm_sync_result {
    int64_t added;   /* rows inserted */
    int64_t removed; /* rows deleted */
    int64_t changed; /* rows whose flags or location changed */
    int64_t skipped; /* messages that could not be read: left out (and logged), not fatal */
};

struct tm_backend_ops {
    const char *name; /* "maildir", "imap", ... */
    unsigned caps;    /* enum tm_backend_cap */

    enum tm_status (*open)(const struct tm_backend_env *env, const struct tm_account_spec *acct,
                           struct tm_session **out, struct tm_error *err);
    void (*close)(struct tm_session **pp);
    enum tm_status (*list_mailboxes)(struct tm_session *s, tm_mailbox_cb cb, void *ctx,
                                     struct tm_error *err);
    /* list_mailboxes for a caller about to sync the mailboxes listed, one after the other
     * (tmail --sync): the same listing, and in the same round the state of each mailbox at the
     * source (IMAP: LIST-STATUS of RFC 5819, else STATUS pipelined after the LIST), kept in the
     * session so that the next sync_mailbox of a mailbox whose state proves the cache current
     * costs no SELECT. NULL: list_mailboxes serves. */
    enum tm_status (*list_for_sync)(struct tm_session *s, tm_mailbox_cb cb, void *ctx,
                                    struct tm_error *err);
    /* Brings the store's rows of mailbox (store id mailbox_id) in line with the source. */
    enum tm_status (*sync_mailbox)(struct tm_session *s, const char *mailbox, int64_t mailbox_id,
                                   struct tm_sync_result *res, struct tm_error *err);
    /* Appends the full raw message (store id message_id) to out. */
    enum tm_status (*fetch_message)(struct tm_session *s, int64_t message_id, struct tm_buf *out,
                                    struct tm_error *err);
    /* Appends message_id for reading: the whole raw message (*partial false), or for a big one
     * its skeleton (*partial true): the raw message with the content of some parts left out,
     * each listed in the store (tm_store_part_each) for fetch_part. A cached whole message or
     * skeleton is used without the network. NULL: fetch_message serves (core falls back). */
    enum tm_status (*fetch_view)(struct tm_session *s, int64_t message_id,
                                 const struct tm_fetch_view_opts *opts, struct tm_buf *out,
                                 bool *partial, struct tm_error *err);
    /* Downloads one part left out of message_id's skeleton (section: its IMAP part number) into
     * the store (tm_store_part_content), resuming what an earlier try left; progress (may be
     * NULL) gets the section, bytes held and bytes expected (-1: unknown) after each chunk. NULL
     * where messages are whole locally (Maildir, mbox). */
    enum tm_status (*fetch_part)(struct tm_session *s, int64_t message_id, const char *section,
                                 tm_progress_fn progress, void *ctx, struct tm_error *err);
    /* Sets add and clears clear (enum tm_flag bits) at the source and in the store. */
    enum tm_status (*set_flags)(struct tm_session *s, int64_t message_id, unsigned add,
                                unsigned clear, struct tm_error *err);
    enum tm_status (*copy)(struct tm_session *s, int64_t message_id, const char *to_mailbox,
                           struct tm_error *err);
    enum tm_status (*move)(struct tm_session *s, int64_t message_id, const char *to_mailbox,
                           struct tm_error *err);
    /* The same three for ids[0..n) at once (borrowed; messages of one mailbox, as the open one's
     * tagged messages are): IMAP sends UID sets instead of a command per message. The store ends
     * up as after the single calls, offline changes are queued the same way. On failure some of
     * the messages may be done. NULL: core calls the single operation for each. */
    enum tm_status (*set_flags_many)(struct tm_session *s, const int64_t *ids, size_t n,
                                     unsigned add, unsigned clear, struct tm_error *err);
    enum tm_status (*copy_many)(struct tm_session *s, const int64_t *ids, size_t n,
                                const char *to_mailbox, struct tm_error *err);
    enum tm_status (*move_many)(struct tm_session *s, const int64_t *ids, size_t n,
                                const char *to_mailbox, struct tm_error *err);
    enum tm_status (*expunge)(struct tm_session *s, const char *mailbox, int64_t mailbox_id,
                              struct tm_error *err);
    enum tm_status (*append)(struct tm_session *s, const char *mailbox, const char *msg, size_t len,
                             unsigned flags, struct tm_error *err);
    /* Mailbox management at the source; the store follows (rows renamed, dropped). */
    enum tm_status (*create_mailbox)(struct tm_session *s, const char *name, struct tm_error *err);
    enum tm_status (*delete_mailbox)(struct tm_session *s, const char *name, struct tm_error *err);
    enum tm_status (*rename_mailbox)(struct tm_session *s, const char *from, const char *to,
                                     struct tm_error *err);
    enum tm_status (*subscribe)(struct tm_session *s, const char *name, bool subscribe,
                                struct tm_error *err);
    /* Message and unread counts of a mailbox that is not open (IMAP STATUS), recorded in the
     * store with tm_store_mailbox_set_counts as well. */
    enum tm_status (*status)(struct tm_session *s, const char *name, int64_t mailbox_id,
                             int64_t *total, int64_t *unseen, struct tm_error *err);
    /* The same for q[0..n) at once (IMAP: the STATUS commands pipelined, one round trip). Each
     * query gets its own outcome; the return value is the session's (e.g. the connection
     * failed). NULL: core calls status for each. */
    enum tm_status (*status_many)(struct tm_session *s, struct tm_status_query *q, size_t n,
                                  struct tm_error *err);
    /* Server-side search of a synced mailbox: criteria is IMAP SEARCH syntax ("TEXT foo");
     * *ids (malloc'd, caller frees) gets the store ids of the matching cached messages. */
    enum tm_status (*search)(struct tm_session *s, const char *mailbox, int64_t mailbox_id,
                             const char *criteria, int64_t **ids, size_t *n, struct tm_error *err);
    /* Blocks until the source changes (*changed = true: sync the open mailbox), timeout_ms
     * passes, env->wake_fd becomes readable or cancel is set (*changed = false). */
    enum tm_status (*wait_changes)(struct tm_session *s, int timeout_ms, bool *changed,
                                   struct tm_error *err);
};

extern const struct tm_backend_ops tm_maildir_ops;
extern const struct tm_backend_ops tm_mbox_ops;
extern const struct tm_backend_ops tm_imap_ops;

#endif
