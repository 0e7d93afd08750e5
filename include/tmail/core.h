/* core.h - the controller the UI drives: opens a folder (shows the cache at once, syncs behind it
 * on the account's worker thread), reads windows of rows in thread order, and queues jobs (fetch
 * a body, change flags) whose results come back as events. No ncurses here: testable headless. */
#ifndef TMAIL_CORE_H
#define TMAIL_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tmail/event.h"
#include "tmail/status.h"
#include "tmail/store.h"

struct tm_core;
struct tm_account;

struct tm_core_options {
    const char *store_path;           /* SQLite cache file */
    const char *folder_path;          /* Maildir or mbox to open (tmail -f, the demo copy); NULL
                                         with an IMAP account */
    const struct tm_account *account; /* the configured account (IMAP: opened; Maildir: its
                                         trash, sent, drafts and mail_check), copied; or NULL */
    const char *mailbox;              /* its mailbox to open; NULL: INBOX */
    const char *account_name;         /* store account name for it */
    const char *charset_fallback;     /* for raw 8-bit headers; NULL: windows-1252 */
    int sort;                         /* enum tm_sort of tmail/config.h: threads, date, ... */
    bool sort_reverse;
    const char *hostname; /* EHLO and Message-ID domain (the hostname setting); NULL: the
                             machine's */
};

/* Opens the store, starts the account worker. *out owned by the caller: tm_core_free. */
enum tm_status tm_core_new(const struct tm_core_options *opt, struct tm_core **out,
                           struct tm_error *err);
/* Stops the worker (cancelling its job), closes everything. Accepts NULL. */
void tm_core_free(struct tm_core **pp);

/* The fd to poll for readability: readable when events are queued. */
int tm_core_event_fd(struct tm_core *core);
/* Takes the next queued event into *ev (caller cleans it); false when none is left. */
bool tm_core_next_event(struct tm_core *core, struct tm_event *ev);

/* Answers a TM_EV_SECRET: the password (copied; the caller wipes its own copy), or NULL when
 * the person cancelled. */
void tm_core_answer_secret(struct tm_core *core, const char *secret);

/* Starts a sync of the open folder in the background (no-op when one is queued already). */
enum tm_status tm_core_sync(struct tm_core *core, struct tm_error *err);

/* Row access for the open folder, from the UI thread's own store connection. */
int64_t tm_core_mailbox_id(struct tm_core *core);
const char *tm_core_folder_label(struct tm_core *core); /* e.g. the Maildir path */
enum tm_status tm_core_count(struct tm_core *core, int64_t *count, struct tm_error *err);
enum tm_status tm_core_window(struct tm_core *core, int64_t offset, int limit,
                              struct tm_message_row *rows, int *n_out, struct tm_error *err);
enum tm_status tm_core_position(struct tm_core *core, int64_t message_id, int64_t *pos,
                                struct tm_error *err);

/* How many messages of the open folder are unread. */
enum tm_status tm_core_count_unread(struct tm_core *core, int64_t *count, struct tm_error *err);

/* The first unread message of the open folder in display order; TM_ENOENT if all are read. */
enum tm_status tm_core_first_unread(struct tm_core *core, int64_t *id_out, struct tm_error *err);

/* Limits the index to the messages pattern text matches (NULL, "", "all" or "~A": all again);
 * count, window, position and find then see only those. TM_EPARSE for a bad pattern (the old
 * limit stays). Opening another mailbox drops the limit. A pattern with text atoms (~b ...)
 * starts a body search instead (TM_SEARCH_LIMIT): the limit changes when it ends. */
enum tm_status tm_core_set_limit(struct tm_core *core, const char *text, struct tm_error *err);
/* Judges the open mailbox again after a sync (new mail, expunges); no-op without a limit. A
 * limit with text atoms is searched again in the background. Call it after every sync: it also
 * makes earlier body-search results out of date (tm_core_search_needed). */
enum tm_status tm_core_refresh_limit(struct tm_core *core, struct tm_error *err);
/* The active limit's pattern text, or NULL. Borrowed until the limit changes. */
const char *tm_core_limit_text(struct tm_core *core);

struct tm_pattern;
/* The display position of the first message at or after from (before, when reverse) that p
 * matches, from the cache; TM_ENOENT ("Not found.") when there is none that way. */
enum tm_status tm_core_find(struct tm_core *core, const struct tm_pattern *p, int64_t from,
                            bool reverse, int64_t *pos_out, struct tm_error *err);
/* The store ids of the thread of message_id (subthread: message_id and the replies below it), in
 * display order and whatever a limit hides, into *ids_out (malloc'd, the caller frees; one id at
 * least). Threads are those of the stored display order: with a flat sort each message is its
 * own. TM_ENOENT when message_id is not in the open mailbox. */
enum tm_status tm_core_thread_ids(struct tm_core *core, int64_t message_id, bool subthread,
                                  int64_t **ids_out, size_t *n_out, struct tm_error *err);

/* ---- Body and header search (~b ~B ~h =b =B =h; search.c, search_run.c) ----
 * Text atoms match from results the account worker computes: messages whose text is local
 * (a Maildir or mbox, indexed on the first such search; IMAP bodies once cached) are found
 * through the full-text index and confirmed with the expression, line by line as in mutt; for
 * IMAP messages not cached, the server is asked (UID SEARCH BODY/TEXT/HEADER): a plain
 * lower-case word is taken as the server answers it (case-insensitive substring), anything else
 * (an upper-case letter, a regular expression, ~h) is confirmed on the bodies of the server's
 * candidates, which are fetched and cached (at most TM_SEARCH_FETCH_MAX per search). What could
 * not be searched (server unreachable, too many candidates) is counted, never guessed. Events:
 * TM_EV_SEARCH_PROGRESS, then one TM_EV_SEARCH_DONE. One search runs at a time. */

#define TM_SEARCH_FETCH_MAX 200

enum tm_search_purpose {
    TM_SEARCH_FIND,  /* for / n N: the result comes back with the pattern */
    TM_SEARCH_LIMIT, /* for l: the limit is set when it ends */
};

/* Whether p has text atoms whose results are missing or out of date for the open mailbox (a
 * sync or another mailbox since): then tm_core_search_start must run before matching. */
bool tm_core_search_needed(struct tm_core *core, const struct tm_pattern *p);
/* Starts the worker's search of the open mailbox for the pattern text (stopping one that runs);
 * tag is the caller's, given back in the result. TM_EPARSE for a bad pattern. */
enum tm_status tm_core_search_start(struct tm_core *core, const char *text,
                                    enum tm_search_purpose purpose, int tag, struct tm_error *err);
/* Stops the running search (Ctrl-G): its TM_EV_SEARCH_DONE comes with TM_ECANCELED. false when
 * none runs. */
bool tm_core_search_cancel(struct tm_core *core);
bool tm_core_search_running(struct tm_core *core);
/* True while the limit set last waits for its body search (tm_core_set_limit). */
bool tm_core_limit_pending(struct tm_core *core);

struct tm_search_done {
    enum tm_search_purpose purpose;
    int tag;
    enum tm_status status;    /* TM_OK; TM_ECANCELED; else text says what failed */
    int64_t unsearched;       /* messages whose text could not be searched */
    int64_t total;            /* messages in the mailbox */
    char text[640];           /* why some were not searched, or the failure */
    struct tm_pattern *found; /* TM_SEARCH_FIND: the pattern with its results (caller frees) */
};
/* Takes a TM_EV_SEARCH_DONE into *out: false when it is out of date (an older search, another
 * mailbox) and to be ignored. For TM_SEARCH_LIMIT with TM_OK, the limit is now set. */
bool tm_core_search_done(struct tm_core *core, const struct tm_event *ev,
                         struct tm_search_done *out);

/* Reads one row of the open folder by store id into row (zeroed by the caller). */
enum tm_status tm_core_message(struct tm_core *core, int64_t message_id, struct tm_message_row *row,
                               struct tm_error *err);

/* Queues a new display order (enum tm_sort, reverse); a TM_EV_CHANGED event follows. */
enum tm_status tm_core_set_sort(struct tm_core *core, int sort, bool reverse, struct tm_error *err);

/* Queues loading of a raw message; a TM_EV_BODY event brings it. */
enum tm_status tm_core_request_body(struct tm_core *core, int64_t message_id, struct tm_error *err);

/* ---- Big messages read in parts (parts.c) ----
 * An IMAP message over the account's fetch_whole_max is read as a skeleton: the raw message with
 * the content of its attachments left out (empty), each of which is downloaded when wanted. A
 * skeleton serves reading, the attachment list, a reply's quote and an inline forward (the text
 * is there); whoever needs the whole message (pipe, forward as an attachment, resend) asks
 * tm_core_request_body, which fetches it whole (and drops the skeleton). */

/* Queues loading of message_id for reading: a TM_EV_BODY brings the whole raw message or a
 * skeleton (tm_core_body_kind tells which). alternative_order (copied; NULL: text/plain first)
 * says which text comes with a skeleton. */
enum tm_status tm_core_request_view(struct tm_core *core, int64_t message_id,
                                    const char *alternative_order, struct tm_error *err);

/* A part left out of a skeleton, with its download state; strings owned. */
struct tm_core_part {
    char *section;       /* IMAP part number: what tm_core_request_part takes */
    char *path;          /* its path in the skeleton's MIME tree */
    char *encoding;      /* Content-Transfer-Encoding or NULL */
    int64_t octets;      /* size on the server (transfer-encoded) */
    int64_t have, total; /* bytes downloaded, and expected (-1: unknown) */
    bool decoded;        /* what is downloaded is decoded (IMAP BINARY) */
    bool complete;
};
struct tm_core_parts {
    struct tm_core_part *items;
    size_t n;
};
void tm_core_parts_cleanup(struct tm_core_parts *parts);
/* The part at path, or NULL. Borrowed from parts. */
const struct tm_core_part *tm_core_parts_find(const struct tm_core_parts *parts, const char *path);
/* The left-out parts of message_id's skeleton now, into *parts (emptied first); none when it
 * has no skeleton. */
enum tm_status tm_core_parts_load(struct tm_core *core, int64_t message_id,
                                  struct tm_core_parts *parts, struct tm_error *err);

enum tm_core_body_kind {
    TM_BODY_WHOLE,   /* the whole message */
    TM_BODY_PARTIAL, /* the cached skeleton: parts lists what it leaves out */
    TM_BODY_STALE,   /* neither matches the cache any more (the whole message came since): ask
                        again */
};
/* What raw[0..len), brought by a TM_EV_BODY for message_id, is, found by comparing it with the
 * cache (a skeleton and the whole message never look alike there); *parts (emptied first) gets
 * a skeleton's left-out parts. */
enum tm_status tm_core_body_kind(struct tm_core *core, int64_t message_id, const char *raw,
                                 size_t len, enum tm_core_body_kind *kind,
                                 struct tm_core_parts *parts, struct tm_error *err);

/* Queues the download of part section (copied) of message_id's skeleton on the worker. As it
 * goes, TM_EV_PART_PROGRESS events say how far it is; a TM_EV_PART_DONE says how it ended
 * (offline: that the attachment is not downloaded and the server cannot be reached). */
enum tm_status tm_core_request_part(struct tm_core *core, int64_t message_id, const char *section,
                                    struct tm_error *err);
/* Stops the part downloads queued or running (Ctrl-G): each ends with a TM_EV_PART_DONE of
 * TM_ECANCELED, and the bytes already held stay cached for the next try. false when none
 * was queued or running. */
bool tm_core_part_cancel(struct tm_core *core);
/* Appends the decoded content of a downloaded part of message_id to out (decoded here when the
 * server sent it encoded). TM_ENOENT when it is not (all) downloaded. */
enum tm_status tm_core_part_payload(struct tm_core *core, int64_t message_id, const char *section,
                                    struct tm_buf *out, struct tm_error *err);
/* Queues a flag change (add/clear enum tm_flag bits); a TM_EV_CHANGED event follows. */
enum tm_status tm_core_set_flags(struct tm_core *core, int64_t message_id, unsigned add,
                                 unsigned clear, struct tm_error *err);

/* Queues one flag change for the messages ids[0..n) of the open mailbox (borrowed: copied into
 * the job before returning), e.g. the tagged ones: one job, and over IMAP UID STOREs of UID
 * sets instead of one command per message. A single TM_EV_CHANGED (message_id 0) or
 * TM_EV_ERROR follows. n == 0 or nothing to change: TM_OK, nothing queued. */
enum tm_status tm_core_set_flags_many(struct tm_core *core, const int64_t *ids, size_t n,
                                      unsigned add, unsigned clear, struct tm_error *err);

/* ---- Folders of the open account (IMAP mailboxes, Maildir++ folders) ----
 * The worker lists the account's mailboxes (with STATUS counts of the ones not open) after the
 * first sync and then every mail_check seconds, recording them in the store; a TM_EV_MAILBOXES
 * event follows each listing. Mailbox names are untrusted text: sanitize before drawing. */

/* Bit of tm_mailbox_listing.attrs that core records: the mailbox cannot be opened (\Noselect). */
#define TM_MAILBOX_NOSELECT 1u

/* What a mailbox is for: the account's sent/drafts/trash settings, else its SPECIAL-USE. */
enum tm_mailbox_role {
    TM_ROLE_NONE,
    TM_ROLE_INBOX,
    TM_ROLE_SENT,
    TM_ROLE_DRAFTS,
    TM_ROLE_TRASH,
    TM_ROLE_JUNK,
    TM_ROLE_ARCHIVE,
};

/* The backend's enum tm_backend_cap bits (TM_CAP_FOLDERS: more than one mailbox). */
unsigned tm_core_caps(struct tm_core *core);
/* The open mailbox's name ("INBOX"), borrowed until the next tm_core_open_mailbox. */
const char *tm_core_mailbox_name(struct tm_core *core);
/* Calls cb for each known mailbox of the account in name order, with the cache's counts and the
 * last STATUS counts (tm_store_mailbox_each). */
enum tm_status tm_core_mailboxes(struct tm_core *core, tm_store_mailbox_cb cb, void *ctx,
                                 struct tm_error *err);
/* The role of a listed mailbox. */
enum tm_mailbox_role tm_core_mailbox_role(struct tm_core *core,
                                          const struct tm_mailbox_listing *mb);
/* The name of the account's mailbox with role (its setting, else SPECIAL-USE in the store) into
 * out; TM_ENOENT when it has none. */
enum tm_status tm_core_role_mailbox(struct tm_core *core, enum tm_mailbox_role role, char *out,
                                    size_t size, struct tm_error *err);
/* The account's trash setting (without a leading = or +), or NULL when messages are purged. */
const char *tm_core_trash(struct tm_core *core);

/* Queues a listing of the mailboxes now (no-op when one is queued); TM_EV_MAILBOXES follows. */
enum tm_status tm_core_refresh_mailboxes(struct tm_core *core, struct tm_error *err);
/* Makes name the open mailbox at once (tm_core_mailbox_id, the label and the row access switch
 * to its cache) and queues its sync, cancelling a sync of the old one. Row events of the old
 * mailbox may still arrive: compare their mailbox_id. TM_ENOENT for a name the account does not
 * list (once it has been listed). */
enum tm_status tm_core_open_mailbox(struct tm_core *core, const char *name, struct tm_error *err);
/* Whether the account is known to have a mailbox called name (from the last listing). */
bool tm_core_mailbox_exists(struct tm_core *core, const char *name);

/* Queue a copy / move of one message to the mailbox to_mailbox; TM_EV_CHANGED (text says what was
 * done) or TM_EV_ERROR follows. A backend without move copies and marks the original deleted. */
enum tm_status tm_core_copy(struct tm_core *core, int64_t message_id, const char *to_mailbox,
                            struct tm_error *err);
enum tm_status tm_core_move(struct tm_core *core, int64_t message_id, const char *to_mailbox,
                            struct tm_error *err);
/* The same for the messages ids[0..n) of the open mailbox (borrowed: copied into the job) as one
 * job: over IMAP UID COPY / UID MOVE of UID sets. One TM_EV_CHANGED (text: how many went where)
 * or TM_EV_ERROR follows. n == 0: TM_OK, nothing queued. */
enum tm_status tm_core_copy_many(struct tm_core *core, const int64_t *ids, size_t n,
                                 const char *to_mailbox, struct tm_error *err);
enum tm_status tm_core_move_many(struct tm_core *core, const int64_t *ids, size_t n,
                                 const char *to_mailbox, struct tm_error *err);
/* How many messages of the open mailbox are marked deleted. */
enum tm_status tm_core_count_deleted(struct tm_core *core, int64_t *count, struct tm_error *err);
/* Queues the removal of the open mailbox's deleted messages: moved to the trash mailbox when the
 * account has one and this is not it, else expunged. TM_EV_CHANGED or TM_EV_ERROR follows. */
enum tm_status tm_core_expunge(struct tm_core *core, struct tm_error *err);
/* Mailbox management; TM_EV_MAILBOXES (text says what was done) or TM_EV_ERROR follows. The
 * open mailbox cannot be renamed or deleted (TM_ENOTSUP at once). */
enum tm_status tm_core_create_mailbox(struct tm_core *core, const char *name, struct tm_error *err);
enum tm_status tm_core_rename_mailbox(struct tm_core *core, const char *from, const char *to,
                                      struct tm_error *err);
enum tm_status tm_core_delete_mailbox(struct tm_core *core, const char *name, struct tm_error *err);
enum tm_status tm_core_subscribe(struct tm_core *core, const char *name, bool subscribe,
                                 struct tm_error *err);
/* Waits up to timeout_ms until every queued job has run (before quitting after an expunge);
 * false on timeout. */
bool tm_core_wait_idle(struct tm_core *core, int timeout_ms);

/* tmail --sync: every mailbox of an IMAP account, synced in the calling thread. */
struct tm_core_sync_report {
    const char *mailbox;
    int64_t added, removed, changed;
    enum tm_status status;
    const char *error; /* "" when status is TM_OK */
};
struct tm_core_sync_options {
    const char *store_path;
    const struct tm_account *account; /* borrowed for the call */
    const char *charset_fallback;
    int sort; /* display order computed after each mailbox */
    bool sort_reverse;
    void (*progress)(void *ctx, const char *mailbox, int64_t done, int64_t total); /* or NULL */
    void *progress_ctx;
    void (*report)(void *ctx, const struct tm_core_sync_report *r); /* each mailbox; or NULL */
    void *report_ctx;
    const volatile int *cancel; /* or NULL */
};
/* Returns the first mailbox's failure (err filled) or TM_OK when every mailbox synced. */
enum tm_status tm_core_sync_account(const struct tm_core_sync_options *o, struct tm_error *err);

/* Makes sure the demo Maildir from sharedir/demo has been copied to $XDG_DATA_HOME/tmail/demo
 * (once; an existing copy is kept with the user's changes) and writes that path to out.
 * *copied tells whether this call made the copy. */
enum tm_status tm_core_prepare_demo(const char *sharedir, char *out, size_t size, bool *copied,
                                    struct tm_error *err);

struct tm_mailcap;
struct tm_buf;

/* Reads the mailcap files of a colon-separated list (~/ expanded; NULL or empty: ~/.mailcap then
 * /etc/mailcap) into mc (zeroed by the caller); missing files are skipped. */
enum tm_status tm_core_mailcap_load(const char *paths, struct tm_mailcap *mc, struct tm_error *err);

/* What tm_core_mailcap_viewer needs: the entries, and how long a viewer may run. */
struct tm_mailcap_viewer {
    const struct tm_mailcap *mailcap;
    int timeout_ms; /* 0: 10 seconds */
};

/* A struct tm_render_opts viewer (ctx: a struct tm_mailcap_viewer): runs the first copiousoutput
 * entry for type whose test= passes, on a 0600 temporary file, for at most timeout_ms, and
 * appends its output; TM_ENOTSUP when no entry works. Message text never reaches the command
 * line except through tm_mailcap_expand's reduced values. Blocks while the viewer runs. */
enum tm_status tm_core_mailcap_viewer(void *ctx, const char *type, const char *charset,
                                      const char *payload, size_t len, struct tm_buf *out);

/* ---- Sending (outbox.c, worker_send.c): DESIGN.md "Sending" ----
 * The open account sends through its smtp setting. A message is committed to the store's outbox
 * before the worker connects, removed only after the server's final 250 and its Sent copy, and
 * kept with the server's reply otherwise (retried with backoff: 1, 2, 4 ... 60 minutes for
 * temporary failures; held for the person after permanent ones or refused recipients).
 * TM_EV_OUTBOX events report what happened (text for the message line; status TM_OK when a
 * message was sent). */

struct tm_draft;
struct tm_alias_set;

/* Builds d (aliases expanded), commits it to the outbox and wakes the worker to send it; with
 * save_copy the Sent copy goes to the account's sent mailbox after the server took it.
 * TM_ECONFIG when the account cannot send (no smtp); TM_EPARSE for unusable addresses (nothing
 * is queued then). The draft is only read (its message_id is set). */
enum tm_status tm_core_send(struct tm_core *core, struct tm_draft *d,
                            const struct tm_alias_set *aliases, bool save_copy,
                            struct tm_error *err);
/* Builds d as a postponed message (Bcc kept) and queues its append to the account's drafts
 * mailbox with the \Draft and \Seen flags; TM_EV_CHANGED (text "Message postponed.") or
 * TM_EV_ERROR follows. TM_ENOENT when the account has no drafts mailbox. */
enum tm_status tm_core_postpone(struct tm_core *core, struct tm_draft *d,
                                const struct tm_alias_set *aliases, struct tm_error *err);
/* Messages of the account not yet sent (the status bar's "1 unsent"). */
enum tm_status tm_core_outbox_unsent(struct tm_core *core, int64_t *count, struct tm_error *err);
/* The outbox rows of the account, oldest first (tm_store_outbox_each). */
enum tm_status tm_core_outbox_each(struct tm_core *core, tm_store_outbox_cb cb, void *ctx,
                                   struct tm_error *err);
/* Tries the row again now (a held one too). */
enum tm_status tm_core_outbox_retry(struct tm_core *core, int64_t id, struct tm_error *err);
/* Sends a row held for refused recipients to the accepted ones only (drops the refused ones
 * recorded by the last try) and tries again now. TM_ENOENT when nothing is refused. */
enum tm_status tm_core_outbox_drop_refused(struct tm_core *core, int64_t id, struct tm_error *err);
/* Deletes an unsent row (the person gave up on it). */
enum tm_status tm_core_outbox_remove(struct tm_core *core, int64_t id, struct tm_error *err);

/* tmail -s: sends one built message in the calling thread (outbox row first, like the UI),
 * then stores the Sent copy. TM_OK only when the server accepted it; otherwise err says why
 * (the server's reply verbatim) and the message stays in the outbox for the next tmail. */
struct tm_core_send_options {
    const char *store_path;
    const struct tm_account *account; /* borrowed for the call */
    const char *hostname;             /* EHLO and Message-ID domain; NULL: the machine's */
    bool save_copy;                   /* the copy setting */
    const char *charset_fallback;
    /* Asks for the password when the account needs one and has no password/password_cmd:
     * a malloc'd string or NULL (cancelled); NULL here fails with TM_EAUTH. */
    char *(*ask_password)(void *ctx, const char *account_name);
    void *ask_ctx;
};
enum tm_status tm_core_send_now(const struct tm_core_send_options *o, struct tm_draft *d,
                                const struct tm_alias_set *aliases, struct tm_error *err);
/* tmail --sync: tries every queued outbox row of the account now (held ones wait for the
 * person), in the calling thread; *sent and *failed count them and report (may be NULL) gets a
 * sentence for each one that failed or needs a word. Returns store failures only. */
enum tm_status tm_core_flush_outbox(const struct tm_core_send_options *o, int *sent, int *failed,
                                    void (*report)(void *ctx, const char *text), void *ctx,
                                    struct tm_error *err);

/* Sender addresses of the cache starting with prefix, for completing recipients
 * (tm_store_address_complete on the UI thread's connection). */
enum tm_status tm_core_complete_address(struct tm_core *core, const char *prefix, int limit,
                                        tm_store_address_cb cb, void *ctx, struct tm_error *err);
/* The configured account the core was opened with (NULL for -f folders and the demo). */
const struct tm_account *tm_core_account(struct tm_core *core);

#endif
