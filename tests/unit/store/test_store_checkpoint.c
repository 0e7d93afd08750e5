/* test_store_checkpoint.c - WAL checkpoints on the store's checkpointer thread: a full WAL
 * reaches the database file while the store stays open, closing the store leaves no WAL, and a
 * first load's WAL waits for tm_store_checkpoint_now. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "src/store/private.h"
#include "store_fixture.h"
#include "tm_test.h"
#include "tmail/store.h"

#define BIG_SUBJECT 4000
#define MESSAGES    3000 /* about 12 MB: well past the checkpointer's threshold */

/* Writes MESSAGES messages with long subjects in one transaction; 0 on success. */
static int fill(struct tm_store *st, int64_t mbox)
{
    char *subject = malloc(BIG_SUBJECT + 1);
    if (!subject)
        return -1;
    memset(subject, 's', BIG_SUBJECT);
    subject[BIG_SUBJECT] = 0;
    enum tm_status rc = tm_store_begin(st, NULL);
    for (int i = 0; !rc && i < MESSAGES; i++) {
        char key[32];
        snprintf(key, sizeof(key), "%010d", i + 1);
        subject[i % BIG_SUBJECT] = 'x'; /* rows that do not compress into each other */
        struct tm_message_row row = {
            .mailbox_id = mbox, .uid = i + 1, .local_key = key, .date = i, .subject = subject};
        rc = tm_store_message_upsert(st, &row, NULL);
    }
    rc = rc ? rc : tm_store_commit(st, NULL);
    free(subject);
    return rc ? -1 : 0;
}

static long long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
}

TM_TEST(store_full_wal_reaches_the_database_while_the_store_is_open)
{
    struct tm_store *st = fixture_open(); /* a fresh directory: take the path from the store */
    TM_CHECK(st);
    char path[512];
    snprintf(path, sizeof(path), "%s", st->path);
    int64_t mbox = fixture_mailbox(st, fixture_account(st, "acct"), "INBOX");
    TM_CHECK(mbox > 0);
    long long before = file_size(path);
    TM_CHECK_INT(fill(st, mbox), 0);
    /* The data sits in the WAL until a checkpoint copies it; no one else asks for one here. */
    long long after = before;
    for (int i = 0; i < 1000 && after < (long long)MESSAGES * BIG_SUBJECT; i++) {
        struct timespec ms10 = {0, 10 * 1000 * 1000};
        nanosleep(&ms10, NULL);
        after = file_size(path);
    }
    TM_CHECK(after >= (long long)MESSAGES * BIG_SUBJECT);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM messages"), MESSAGES);
    tm_store_free(&st);
}

TM_TEST(store_close_right_after_a_big_commit_leaves_no_wal)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    char path[512], wal[520];
    snprintf(path, sizeof(path), "%s", st->path);
    snprintf(wal, sizeof(wal), "%s-wal", path);
    int64_t mbox = fixture_mailbox(st, fixture_account(st, "acct"), "INBOX");
    TM_CHECK(mbox > 0);
    TM_CHECK_INT(fill(st, mbox), 0);
    /* at once: the checkpointer may be copying; closing waits for it and then checkpoints the
     * rest as the last connection */
    tm_store_free(&st);
    TM_CHECK(access(wal, F_OK) != 0);
    TM_CHECK(file_size(path) >= (long long)MESSAGES * BIG_SUBJECT);
    TM_CHECK_INT(tm_store_open(path, &st, NULL), TM_OK);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM messages"), MESSAGES);
    tm_store_free(&st);
}

/* Polls up to wait_ms until path is at least size bytes; returns the last size seen. */
static long long wait_for_growth(const char *path, long long size, int wait_ms)
{
    long long now = file_size(path);
    for (int i = 0; i < wait_ms / 10 && now < size; i++) {
        struct timespec ms10 = {0, 10 * 1000 * 1000};
        nanosleep(&ms10, NULL);
        now = file_size(path);
    }
    return now;
}

TM_TEST(store_first_load_is_checkpointed_when_asked_not_during_it)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    char path[512];
    snprintf(path, sizeof(path), "%s", st->path);
    int64_t mbox = fixture_mailbox(st, fixture_account(st, "acct"), "INBOX");
    TM_CHECK(mbox > 0);
    TM_CHECK_INT(tm_store_display_defer(st, mbox, NULL), TM_OK); /* a first load */
    long long before = file_size(path);
    TM_CHECK_INT(fill(st, mbox), 0);
    /* The WAL is far past the threshold, yet no checkpoint copies it during the load. */
    TM_CHECK(wait_for_growth(path, (long long)MESSAGES * BIG_SUBJECT, 300) == before);
    tm_store_checkpoint_now(st);
    TM_CHECK(wait_for_growth(path, (long long)MESSAGES * BIG_SUBJECT, 10000) >=
             (long long)MESSAGES * BIG_SUBJECT);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM messages"), MESSAGES);
    tm_store_free(&st);
}
