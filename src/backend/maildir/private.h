/* private.h - Maildir backend internals shared by maildir.c, maildir_scan.c, maildir_flags.c and
 * maildir_write.c. (https://cr.yp.to/proto/maildir.html, Maildir++ folders) */
#ifndef TMAIL_MAILDIR_PRIVATE_H
#define TMAIL_MAILDIR_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tmail/backend.h"

#define MAILDIR_PATH_MAX 4096

struct tm_session {
    const struct tm_backend_env *env; /* borrowed for the session */
    int64_t account_id;
    char *root; /* the Maildir (INBOX), owned, without a trailing slash */
};

/* Locations in the store are relative to root: "PREFIX" "cur/" or "new/" "NAME", where PREFIX is
 * "" for INBOX or ".Folder/" for a Maildir++ folder. */

/* maildir.c */

/* snprintf into out; TM_ELIMIT (err filled) when the result does not fit. */
enum tm_status maildir_pathf(char *out, size_t size, struct tm_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The store row of message_id (zeroed by the caller; clean it after); TM_ENOENT when it has no
 * file location. */
struct tm_message_row;
enum tm_status maildir_row(struct tm_session *s, int64_t message_id, struct tm_message_row *row,
                           struct tm_error *err);
/* True when dir has cur/, new/ and tmp/ subdirectories. */
bool maildir_is_maildir(const char *dir);

/* maildir_flags.c */

/* The location prefix of mailbox ("" for INBOX, ".Name/" otherwise) into out. Names that could
 * choose a path outside root (with "/", "..", a leading or trailing '.') are refused with
 * TM_ENOENT. */
enum tm_status maildir_mailbox_prefix(const char *mailbox, char *out, size_t size,
                                      struct tm_error *err);

/* Length of the unique name at the start of a file name: up to the first ':'. */
size_t maildir_key_len(const char *name);
/* enum tm_flag bits of the ":2,FLAGS" info suffix of a file name (0 without one). */
unsigned maildir_flags_from_name(const char *name);
/* The file name for name's message with flags: its unique name, ":2,", the flag letters of
 * flags and every other letter name's info carried (keywords), all in ASCII order. */
enum tm_status maildir_name_with_flags(const char *name, unsigned flags, char *out, size_t size,
                                       struct tm_error *err);
/* Splits a store location into the length of its folder prefix, whether it is in new/, and the
 * file name; false when location is not of the form described above (never trust it blindly:
 * it becomes a path). */
bool maildir_location_split(const char *location, size_t *prefix_len, bool *in_new,
                            const char **name);

/* maildir_scan.c */

enum tm_status maildir_sync(struct tm_session *s, const char *mailbox, int64_t mailbox_id,
                            struct tm_sync_result *res, struct tm_error *err);
/* Looks in prefix's cur/ then new/ for a file whose unique name is key[0..key_len) and puts its
 * location into loc; TM_ENOENT when there is none. For files renamed behind our back. */
enum tm_status maildir_find_key(struct tm_session *s, const char *prefix, const char *key,
                                size_t key_len, char *loc, size_t size, struct tm_error *err);

/* maildir_write.c */

enum tm_status maildir_set_flags(struct tm_session *s, int64_t message_id, unsigned add,
                                 unsigned clear, struct tm_error *err);
enum tm_status maildir_expunge(struct tm_session *s, const char *mailbox, int64_t mailbox_id,
                               struct tm_error *err);
enum tm_status maildir_append(struct tm_session *s, const char *mailbox, const char *msg,
                              size_t len, unsigned flags, struct tm_error *err);
/* Brings a row whose file vanished up to date: finds the file by key under the row's folder,
 * stores its flags and location (into loc as well). TM_ENOENT when the message is gone. */
enum tm_status maildir_relocate(struct tm_session *s, int64_t id, const char *old_location,
                                char *loc, size_t size, struct tm_error *err);

/* maildir_folders.c */

enum tm_status maildir_create(struct tm_session *s, const char *name, struct tm_error *err);
enum tm_status maildir_status(struct tm_session *s, const char *name, int64_t mailbox_id,
                              int64_t *total, int64_t *unseen, struct tm_error *err);
enum tm_status maildir_copy(struct tm_session *s, int64_t message_id, const char *to_mailbox,
                            struct tm_error *err);
enum tm_status maildir_move(struct tm_session *s, int64_t message_id, const char *to_mailbox,
                            struct tm_error *err);

#endif
