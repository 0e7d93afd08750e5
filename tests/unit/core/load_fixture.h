/* load_fixture.h - what the load-watch tests share: a fresh store in the test's temp directory
 * with one account and its INBOX. */
#ifndef TM_TEST_LOAD_FIXTURE_H
#define TM_TEST_LOAD_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "tm_test.h"
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

#endif
