/* store_fixture.h - helpers shared by the store tests of schema 4 (IMAP state, bodies, pending
 * operations): a fresh store in the test's directory, accounts, mailboxes and UID messages. */
#ifndef TM_STORE_FIXTURE_H
#define TM_STORE_FIXTURE_H

#include <stdint.h>

#include "src/store/private.h"

/* Opens "<tmpdir>/cache.sqlite"; NULL (reason on stderr) when that failed. */
struct tm_store *fixture_open(void);
/* The id of the account called name (created with an imaps URL); 0 on failure. */
int64_t fixture_account(struct tm_store *st, const char *name);
/* The id of mailbox name of account (created); 0 on failure. */
int64_t fixture_mailbox(struct tm_store *st, int64_t account, const char *name);
/* Upserts a message keyed by its uid (as IMAP does) with flags; its id, 0 on failure. */
int64_t fixture_uid_msg(struct tm_store *st, int64_t mailbox, int64_t uid, unsigned flags);
/* A cache file of an older tmail: path (cap bytes) gets "<tmpdir>/v<version>.sqlite", *raw a bare
 * connection to it (sqlite3_close(raw->db) when done) with migrations 1..version applied. Fails
 * when version is not older than this tmail's schema. */
enum tm_status fixture_old_file(int version, char *path, size_t cap, struct tm_store *raw);
/* The single integer a query returns, -999 on error. */
long long fixture_int(struct tm_store *st, const char *sql);
/* Whether EXPLAIN QUERY PLAN of sql mentions index and never a temporary sort. */
int fixture_plan_uses(struct tm_store *st, const char *sql, const char *index);

#endif
