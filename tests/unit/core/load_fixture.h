/* load_fixture.h - what the load-watch tests share: a fresh store in the test's temp directory
 * with one account and its INBOX, and query results as text to compare. */
#ifndef TM_TEST_LOAD_FIXTURE_H
#define TM_TEST_LOAD_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../src/store/private.h"
#include "tm_test.h"
#include "tmail/buf.h"
#include "tmail/store.h"

struct fixture {
    char path[512];
    struct tm_store *st;
    int64_t mbox;
};

/* Opens f->st at f->path with account "acct" and its INBOX (f->mbox); false on any failure. */
static inline bool open_fixture(struct fixture *f)
{
    int64_t acct = 0;
    snprintf(f->path, sizeof(f->path), "%s/cache.sqlite", tm_test_tmpdir());
    return tm_store_open(f->path, &f->st, NULL) == TM_OK &&
           tm_store_account_ensure(f->st, "acct", "imaps://u@h", &acct, NULL) == TM_OK &&
           tm_store_mailbox_ensure(f->st, acct, "INBOX", &f->mbox, NULL) == TM_OK;
}

/* The rows sql reads (its ?1 bound to mbox) as text, "col/col/...;" per row (malloc'd), NULL on
 * failure. */
static inline char *fixture_rows_text(struct tm_store *st, const char *sql, int64_t mbox)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_int64(s, 1, mbox);
    struct tm_buf out;
    tm_buf_init(&out, 0);
    bool ok = true;
    while (ok && sqlite3_step(s) == SQLITE_ROW) {
        for (int c = 0; ok && c < sqlite3_column_count(s); c++) {
            const char *v = (const char *)sqlite3_column_text(s, c);
            ok = tm_buf_appendf(&out, "%s%c", v ? v : "",
                                c + 1 < sqlite3_column_count(s) ? '/' : ';') == TM_OK;
        }
    }
    sqlite3_finalize(s);
    if (!ok) {
        tm_buf_cleanup(&out);
        return NULL;
    }
    return out.data ? out.data : strdup(""); /* taken over (NUL-terminated) */
}

#endif
