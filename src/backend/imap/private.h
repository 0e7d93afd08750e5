/* private.h - the IMAP backend's session state and the helpers its files share: connection and
 * login (imap_conn.c, imap_auth.c), command execution (imap_cmd.c), mailbox sync (imap_sync.c),
 * the operations table (imap_ops.c), mailbox management and STATUS (imap_mailbox.c), copy, move,
 * expunge, append and search (imap_move.c) and the offline queue (imap_pending.c). */
#ifndef TM_IMAP_PRIVATE_H
#define TM_IMAP_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "imap_proto.h"
#include "tmail/backend.h"
#include "tmail/buf.h"
#include "tmail/net.h"

/* What the server told us about the selected mailbox. */
struct imap_live {
    uint64_t exists;
    uint32_t uidvalidity;
    uint32_t uidnext;
    uint64_t highest_modseq; /* 0: unknown or NOMODSEQ */
    bool read_only;
    bool expunged_by_seq; /* an EXPUNGE (not VANISHED) came: uids must be compared again */
    bool changed;         /* something arrived that a sync should pick up */
};

/* Connection settings copied from the account at open (owned strings). */
struct imap_server {
    char *host;
    int port;
    char *user;
    bool implicit_tls;
    bool starttls;         /* upgrade required before anything else */
    bool allow_plain_auth; /* credentials may go over a connection without TLS */
    char *ca_file;
    char *fingerprint;
    int connect_timeout_ms;
    int io_timeout_ms;
    int keepalive_s; /* IDLE is renewed / NOOP sent this often */
    bool use_idle;
    bool use_deflate;     /* imap_deflate: COMPRESS=DEFLATE when the server offers it */
    bool use_oauth;       /* oauth_token_cmd is set: OAUTHBEARER / XOAUTH2 instead of a password */
    bool prefetch_bodies; /* new mail's bodies are fetched with the sync */
    long fetch_whole_max; /* bigger messages are read in parts (imap_parts.c); 0: never */
};

struct tm_session {
    const struct tm_backend_env *env;
    char *account_name;
    int64_t account_id;
    struct imap_server srv;

    struct tm_stream *stream; /* NULL while disconnected */
    struct imap_parser *parser;
    struct imap_caps caps;
    unsigned caps_gen; /* counts capability updates: a login that brought none asks again */
    unsigned next_tag;
    bool utf8_enabled;
    bool qresync_enabled;
    bool condstore_enabled;

    char *selected; /* UTF-8 name of the selected mailbox, NULL when none */
    int64_t selected_id;
    struct imap_live live;
    struct tm_sync_result *counting; /* the running sync's counters, for unsolicited changes */

    /* Reconnect with backoff after a network failure. */
    int failures;
    struct timespec retry_at;
    struct tm_error last_failure;

    struct tm_buf cmd; /* the command being built */
    size_t part_chunk; /* bytes of a part fetched per command (imap_parts.c); 0: the default */

    struct imap_known { /* mailbox ids synced in this session and their names */
        int64_t id;
        char *name;
    } * known;
    size_t n_known, cap_known;

    /* What list_for_sync learnt of each mailbox (imap_mailbox.c), for the syncs that follow: one
     * entry per mailbox name (mailbox_utf8 owned, raw_mailbox NULL), taken by the first sync. */
    struct imap_status_info *listed;
    size_t n_listed, cap_listed;
};

/* ---- imap_cmd.c ---- */

/* Called for each untagged response of a command after the common handling (state codes,
 * EXISTS, EXPUNGE, VANISHED, unsolicited FETCH). Return non-OK to fail the command (the rest of
 * its responses are still read, so the connection stays in step). */
typedef enum tm_status (*imap_untagged_fn)(struct tm_session *s, void *ctx,
                                           const struct imap_response *r, struct tm_error *err);

/* Starts a new command in s->cmd: "TAG " (the tag is returned in tag, at least 16 bytes). */
void imap_cmd_begin(struct tm_session *s, char *tag, size_t size);
/* Sends s->cmd + CRLF (secret: the trace shows only its length) and reads responses until the
 * tagged one. OK → TM_OK; NO → TM_EPROTO (or no_status when not TM_OK); BAD → TM_EPROTO; the
 * server's text is in err->server_reply. A network failure drops the connection. */
enum tm_status imap_cmd_run(struct tm_session *s, const char *tag, bool secret, imap_untagged_fn fn,
                            void *ctx, enum tm_status no_status, struct tm_error *err);
/* The two halves of imap_cmd_run, for commands that need something in between (IDLE). */
enum tm_status imap_cmd_send(struct tm_session *s, bool secret, struct tm_error *err);
enum tm_status imap_cmd_finish(struct tm_session *s, const char *tag, imap_untagged_fn fn,
                               void *ctx, enum tm_status no_status, struct tm_error *err);
/* One command's progress through its responses (imap_cmd_finish's loop, one step at a time). */
struct imap_cmd_state {
    const char *tag;
    imap_untagged_fn fn;
    void *ctx;
    enum tm_status no_status;
    enum tm_status first_failure; /* of fn */
    struct tm_error cb_err;
    bool done; /* the tagged reply came (or the connection was dropped) */
};
void imap_cmd_state_init(struct imap_cmd_state *cs, const char *tag, imap_untagged_fn fn, void *ctx,
                         enum tm_status no_status);
/* Handles one response of the command; when cs->done, the return value is the command's. */
enum tm_status imap_cmd_response(struct tm_session *s, struct imap_cmd_state *cs,
                                 const struct imap_response *r, struct tm_error *err);
/* Independent commands in flight at once (imap_pipeline.c): build each in s->cmd with
 * imap_cmd_begin as usual, then imap_pipeline_send instead of imap_cmd_run; imap_pipeline_finish
 * reads until every one is answered. Untagged responses all go to fn. result[i] is command i's
 * outcome, as imap_cmd_run would have returned it. */
#define IMAP_PIPELINE_MAX 64 /* in flight at once: the replies never fill the socket buffers */
struct imap_pipeline {
    imap_untagged_fn fn;
    void *ctx;
    enum tm_status no_status;
    size_t n;
    char tags[IMAP_PIPELINE_MAX][16];
    struct imap_cmd_state cs[IMAP_PIPELINE_MAX];
    enum tm_status result[IMAP_PIPELINE_MAX];
    struct tm_error failure; /* the first failing command's error (status TM_OK: none) */
};
void imap_pipeline_init(struct imap_pipeline *p, imap_untagged_fn fn, void *ctx,
                        enum tm_status no_status);
/* Sends s->cmd (begun with tag) as the next command of p. */
enum tm_status imap_pipeline_send(struct tm_session *s, struct imap_pipeline *p, const char *tag,
                                  struct tm_error *err);
/* Reads the replies of every command sent; TM_OK unless the connection failed. */
enum tm_status imap_pipeline_finish(struct tm_session *s, struct imap_pipeline *p,
                                    struct tm_error *err);

/* True when r is a FETCH response that decodes into *f; otherwise *st says why not (TM_OK: it
 * is another response, to be ignored; else the decoding error). */
bool imap_fetch_of(const struct imap_response *r, struct imap_fetch *f, enum tm_status *st,
                   struct tm_error *err);
/* An unsolicited FETCH (a flag change another client made) applied to the cache. */
enum tm_status imap_default_untagged(struct tm_session *s, const struct imap_response *r,
                                     struct tm_error *err);
/* Formats and runs a command with no arguments needing quoting, e.g. imap_simple(s, NULL, NULL,
 * err, "NOOP"). */
enum tm_status imap_simple(struct tm_session *s, imap_untagged_fn fn, void *ctx,
                           struct tm_error *err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Reads one response into r (valid until the next read); a network failure drops the
 * connection. */
enum tm_status imap_read(struct tm_session *s, struct imap_response *r, struct tm_error *err);
/* Handles what any untagged response can carry (BYE, CAPABILITY, EXISTS, EXPUNGE, VANISHED,
 * FETCH flags, response codes); *consumed tells whether nothing more is to be done with it. */
enum tm_status imap_untagged_common(struct tm_session *s, const struct imap_response *r,
                                    bool *consumed, struct tm_error *err);
/* Appends a mailbox name (UTF-8) as an IMAP argument to s->cmd. */
enum tm_status imap_cmd_mailbox(struct tm_session *s, const char *name, struct tm_error *err);
/* Closes the stream and forgets the selection; the next operation reconnects. */
void imap_disconnect(struct tm_session *s);
/* Fills err from a failing tagged response (keeps err's status). */
void imap_reply_to_error(const struct imap_response *r, struct tm_error *err);

/* Reads one response without dropping the connection on failure (the caller does). */
enum tm_status imap_read_raw(struct tm_session *s, struct imap_response *r, struct tm_error *err);

/* ---- imap_fetch_pipe.c ---- */

struct tm_envelope;
/* Stores one new message (uid >= the pipeline's min_uid, with its parsed header). */
typedef enum tm_status (*imap_row_fn)(struct tm_session *s, void *ctx, uint32_t uid, unsigned flags,
                                      int64_t date, int64_t size, const struct tm_envelope *env,
                                      struct tm_error *err);
/* Sends the command prepared in s->cmd (begun with tag) and handles its responses on two threads:
 * a reader parses new messages' FETCH responses (uid >= min_uid, with a header) for row_fn,
 * called on this thread; every other response goes to fn as imap_cmd_finish would, also on this
 * thread. The store and the session are only touched here. */
enum tm_status imap_fetch_pipelined(struct tm_session *s, const char *tag, uint32_t min_uid,
                                    imap_row_fn row_fn, imap_untagged_fn fn, void *ctx,
                                    struct tm_error *err);

/* ---- imap_conn.c / imap_auth.c ---- */

/* Connects, upgrades to TLS as configured, logs in and enables extensions. */
enum tm_status imap_connect(struct tm_session *s, struct tm_error *err);
/* The part after the stream exists (s->stream set): greeting to ENABLE. Tests drive it over a
 * scripted stream. */
enum tm_status imap_handshake(struct tm_session *s, struct tm_error *err);
/* Connects when disconnected, unless the last failure's backoff has not passed (then the last
 * failure is repeated at once, so an offline account costs nothing). */
enum tm_status imap_ensure_connected(struct tm_session *s, struct tm_error *err);
enum tm_status imap_authenticate(struct tm_session *s, struct tm_error *err);

/* ---- imap_sync.c ---- */

/* SELECTs name (store id mailbox_id) with QRESYNC data when possible and applies what the
 * server reports; a changed UIDVALIDITY empties the cached mailbox first. */
enum tm_status imap_select(struct tm_session *s, const char *name, int64_t mailbox_id,
                           struct tm_sync_result *res, struct tm_error *err);
enum tm_status imap_sync_mailbox(struct tm_session *s, const char *name, int64_t mailbox_id,
                                 struct tm_sync_result *res, struct tm_error *err);
/* The sync of name (store id mailbox_id) without a SELECT, when what list_for_sync kept of it
 * (taken here, used once) proves the cache current: UIDVALIDITY, UIDNEXT, the message count and,
 * with CONDSTORE, HIGHESTMODSEQ as cached (without CONDSTORE only for an empty mailbox, since
 * flag changes do not show), or a mailbox never synced that is empty at the server. Then the
 * state is recorded as that SELECT would have left it (synced now; the STATUS counts are not
 * recorded, as a SELECT does not) and *done is set. */
enum tm_status imap_sync_by_status(struct tm_session *s, const char *name, int64_t mailbox_id,
                                   bool *done, struct tm_error *err);
/* Applies a FETCH response's flags (and MODSEQ) to the cached message of the selected mailbox. */
enum tm_status imap_apply_fetch_flags(struct tm_session *s, const struct imap_fetch *f,
                                      struct tm_sync_result *res, struct tm_error *err);
/* Deletes the cached messages of the selected mailbox whose uids are in set. */
enum tm_status imap_apply_vanished(struct tm_session *s, const struct imap_seqset *set,
                                   struct tm_sync_result *res, struct tm_error *err);

/* ---- imap_ops.c ---- */

/* The fetch_message slot: the cached whole message, else UID FETCH BODY.PEEK[] (then cached). */
enum tm_status imap_fetch_whole(struct tm_session *s, int64_t message_id, struct tm_buf *out,
                                struct tm_error *err);

/* ---- imap_parts.c: the fetch_view and fetch_part slots ---- */

enum tm_status imap_fetch_view(struct tm_session *s, int64_t message_id,
                               const struct tm_fetch_view_opts *opts, struct tm_buf *out,
                               bool *partial, struct tm_error *err);
enum tm_status imap_fetch_part(struct tm_session *s, int64_t message_id, const char *section,
                               tm_progress_fn progress, void *ctx, struct tm_error *err);

/* The name of a mailbox synced in this session, NULL if unknown. Borrowed from s. */
const char *imap_mailbox_name(struct tm_session *s, int64_t id);
/* Connects as needed and selects the mailbox with that store id. */
enum tm_status imap_select_for(struct tm_session *s, int64_t mailbox_id, struct tm_error *err);

/* ---- imap_mailbox.c ---- */

/* The name of mailbox id: the session's, else the store's row of the account (malloc'd into
 * *name). TM_ENOENT when neither has it. */
enum tm_status imap_mailbox_name_of(struct tm_session *s, int64_t mailbox_id, char **name,
                                    struct tm_error *err);
/* Connects as needed and selects mailbox id (its name as imap_mailbox_name_of finds it), or the
 * given name; nothing is sent when it is selected already. */
enum tm_status imap_select_id(struct tm_session *s, int64_t mailbox_id, struct tm_error *err);
enum tm_status imap_select_name(struct tm_session *s, const char *name, int64_t mailbox_id,
                                struct tm_error *err);
/* The create_mailbox, delete_mailbox, rename_mailbox, subscribe and status slots. */
enum tm_status imap_create_mailbox(struct tm_session *s, const char *name, struct tm_error *err);
enum tm_status imap_delete_mailbox(struct tm_session *s, const char *name, struct tm_error *err);
enum tm_status imap_rename_mailbox(struct tm_session *s, const char *from, const char *to,
                                   struct tm_error *err);
enum tm_status imap_subscribe(struct tm_session *s, const char *name, bool subscribe,
                              struct tm_error *err);
enum tm_status imap_status(struct tm_session *s, const char *name, int64_t mailbox_id,
                           int64_t *total, int64_t *unseen, struct tm_error *err);
enum tm_status imap_status_many(struct tm_session *s, struct tm_status_query *q, size_t n,
                                struct tm_error *err);
/* The STATUS items asked for (HIGHESTMODSEQ with CONDSTORE), for STATUS and LIST-STATUS. */
const char *imap_status_items(struct tm_session *s);
/* True when r is a STATUS response that decodes into *info (clean it afterwards); otherwise *st
 * says what to return for it (another response handled as usual, or an unreadable STATUS logged
 * and skipped: TM_OK). */
bool imap_status_response(struct tm_session *s, const struct imap_response *r,
                          struct imap_status_info *info, enum tm_status *st, struct tm_error *err);
/* Keeps info (its name is taken, info->mailbox_utf8 becomes NULL) as what the listing for a sync
 * learnt of that mailbox, replacing an older entry. An undecodable name is not kept. */
enum tm_status imap_listed_keep(struct tm_session *s, struct imap_status_info *info,
                                struct tm_error *err);
/* Takes the kept entry of name into *info (clean it afterwards): false when there is none. */
bool imap_listed_take(struct tm_session *s, const char *name, struct imap_status_info *info);
/* Forgets every kept entry. */
void imap_listed_clear(struct tm_session *s);
/* The STATUS of names[0..n) pipelined as imap_status_many does, each answer kept with
 * imap_listed_keep (the store is not written). The selected mailbox is left out: its SELECT
 * state is newer. A mailbox whose STATUS failed has no entry; the return value is the
 * session's. */
enum tm_status imap_status_keep(struct tm_session *s, char *const *names, size_t n,
                                struct tm_error *err);

/* ---- imap_move.c ---- */

/* Commands on uid of the selected mailbox, without the cache (replay uses them too). */
enum tm_status imap_uid_copy(struct tm_session *s, uint32_t uid, const char *to,
                             struct tm_error *err);
/* UID MOVE, or UID COPY + UID STORE +FLAGS.SILENT (\Deleted) + imap_uid_expunge: *copied tells
 * whether that COPY went through, *left whether the source stays flagged \Deleted. */
enum tm_status imap_uid_move(struct tm_session *s, uint32_t uid, const char *to, bool *copied,
                             bool *left, struct tm_error *err);
/* uid 0: EXPUNGE. Else UID EXPUNGE uid with UIDPLUS; without it nothing is sent (a plain EXPUNGE
 * would remove other \Deleted messages too), the log says so and *left (may be NULL) is set. */
enum tm_status imap_uid_expunge(struct tm_session *s, uint32_t uid, bool *left,
                                struct tm_error *err);
/* Queues what is left of a fallback move once its COPY went through: +\Deleted, UID EXPUNGE. */
enum tm_status imap_queue_move_rest(struct tm_session *s, int64_t mailbox_id, uint32_t uid,
                                    struct tm_error *err);
/* The copy, move, expunge, append and search slots. */
enum tm_status imap_op_copy(struct tm_session *s, int64_t message_id, const char *to_mailbox,
                            struct tm_error *err);
enum tm_status imap_op_move(struct tm_session *s, int64_t message_id, const char *to_mailbox,
                            struct tm_error *err);
enum tm_status imap_op_expunge(struct tm_session *s, const char *mailbox, int64_t mailbox_id,
                               struct tm_error *err);
enum tm_status imap_op_append(struct tm_session *s, const char *mailbox, const char *msg,
                              size_t len, unsigned flags, struct tm_error *err);
enum tm_status imap_op_search(struct tm_session *s, const char *mailbox, int64_t mailbox_id,
                              const char *criteria, int64_t **ids, size_t *n, struct tm_error *err);

/* ---- imap_bulk.c: the set_flags_many, copy_many and move_many slots (UID sets) ---- */

enum tm_status imap_op_set_flags_many(struct tm_session *s, const int64_t *ids, size_t n,
                                      unsigned add, unsigned clear, struct tm_error *err);
enum tm_status imap_op_copy_many(struct tm_session *s, const int64_t *ids, size_t n,
                                 const char *to_mailbox, struct tm_error *err);
enum tm_status imap_op_move_many(struct tm_session *s, const int64_t *ids, size_t n,
                                 const char *to_mailbox, struct tm_error *err);

/* ---- imap_pending.c ---- */

struct tm_pending_op;
/* Queues op for the account (account_id and created are filled in here) and logs it. */
enum tm_status imap_pending_queue(struct tm_session *s, const struct tm_pending_op *op,
                                  struct tm_error *err);

/* Replays the account's queued offline operations; each that the server refuses is kept with
 * its error and skipped after three attempts. Network failures stop the replay. */
enum tm_status imap_pending_replay(struct tm_session *s, struct tm_error *err);
/* Performs a flag change on the server (selected as needed) and in the store. */
enum tm_status imap_store_flags(struct tm_session *s, int64_t mailbox_id, const char *mailbox,
                                uint32_t uid, unsigned add, unsigned clear, struct tm_error *err);

/* True for failures that mean "the server is unreachable right now" (queue, retry later). */
bool imap_is_offline_error(enum tm_status st);

#endif
