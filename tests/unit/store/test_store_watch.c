/* test_store_watch.c - a load watched as it is written (tm_store_watch): inserts reach the
 * watcher with their thread source, dates set are passed on, and every other change to the
 * watched mailbox (an upsert that updates, a delete, a rollback) breaks the watch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/store/private.h"
#include "store_fixture.h"
#include "tm_test.h"
#include "tmail/store.h"

struct seen {
    int news, dates, broken;
    int64_t last_id, last_date;
    char subject[64], refs[64], from[64];
};

static int on_new(void *ctx, const struct tm_thread_source *src)
{
    struct seen *s = ctx;
    s->news++;
    s->last_id = src->id;
    s->last_date = src->date;
    snprintf(s->subject, sizeof(s->subject), "%s", src->subject ? src->subject : "(null)");
    snprintf(s->refs, sizeof(s->refs), "%s", src->references ? src->references : "(null)");
    snprintf(s->from, sizeof(s->from), "%s", src->from ? src->from : "(null)");
    return 0;
}

static void on_date(void *ctx, int64_t id, int64_t date)
{
    struct seen *s = ctx;
    s->dates++;
    s->last_id = id;
    s->last_date = date;
}

static void on_broken(void *ctx)
{
    ((struct seen *)ctx)->broken++;
}

static const struct tm_store_watch_ops ops = {on_new, on_date, on_broken};

/* Upserts message uid into mbox; its id, 0 on failure. */
static int64_t put(struct tm_store *st, int64_t mbox, int uid, const char *subject)
{
    char key[16];
    snprintf(key, sizeof(key), "%010d", uid);
    struct tm_message_row row = {.mailbox_id = mbox,
                                 .uid = uid,
                                 .local_key = key,
                                 .date = 1000 + uid,
                                 .from_addr = (char *)"ann@example.org",
                                 .subject = (char *)subject,
                                 .message_id = (char *)"<m@x>",
                                 .references = (char *)"<a@x> <b@x>"};
    return tm_store_message_upsert(st, &row, NULL) ? 0 : row.id;
}

TM_TEST(store_watch_hands_over_each_insert_of_its_mailbox_only)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t acct = fixture_account(st, "acct");
    int64_t inbox = fixture_mailbox(st, acct, "INBOX"), other = fixture_mailbox(st, acct, "Other");
    struct seen s = {0};
    tm_store_watch(st, inbox, &ops, &s);
    int64_t id = put(st, inbox, 1, "hello");
    TM_CHECK(id > 0);
    TM_CHECK_INT(s.news, 1);
    TM_CHECK_INT(s.last_id, id);
    TM_CHECK_INT(s.last_date, 1001);
    TM_CHECK_STR(s.subject, "hello");
    TM_CHECK_STR(s.refs, "<a@x> <b@x>");
    TM_CHECK_STR(s.from, "ann@example.org"); /* no display name: the address */
    TM_CHECK(put(st, other, 1, "elsewhere") > 0);
    TM_CHECK_INT(s.news, 1);
    TM_CHECK_INT(s.broken, 0);
    tm_store_unwatch(st);
    TM_CHECK(put(st, inbox, 2, "after") > 0);
    TM_CHECK_INT(s.news, 1);
    tm_store_free(&st);
}

TM_TEST(store_watch_passes_dates_on)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t inbox = fixture_mailbox(st, fixture_account(st, "acct"), "INBOX");
    struct seen s = {0};
    tm_store_watch(st, inbox, &ops, &s);
    int64_t id = put(st, inbox, 1, "undated");
    TM_CHECK_INT(tm_store_message_set_date(st, id, 777, NULL), TM_OK);
    TM_CHECK_INT(s.dates, 1);
    TM_CHECK_INT(s.last_id, id);
    TM_CHECK_INT(s.last_date, 777);
    TM_CHECK_INT(s.broken, 0);
    tm_store_unwatch(st);
    tm_store_free(&st);
}

TM_TEST(store_watch_breaks_on_update_delete_and_rollback)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t acct = fixture_account(st, "acct");
    int64_t inbox = fixture_mailbox(st, acct, "INBOX");
    struct seen s = {0};
    tm_store_watch(st, inbox, &ops, &s);
    int64_t id = put(st, inbox, 1, "first");
    TM_CHECK(put(st, inbox, 1, "first, again") == id); /* the same key: an update */
    TM_CHECK_INT(s.news, 1);
    TM_CHECK_INT(s.broken, 1);

    s.broken = 0;
    TM_CHECK_INT(tm_store_message_delete(st, id, NULL), TM_OK);
    TM_CHECK_INT(s.broken, 1);

    s.broken = 0;
    int deleted = 0;
    TM_CHECK(put(st, inbox, 5, "five") > 0);
    TM_CHECK_INT(tm_store_message_delete_uid(st, inbox, 5, &deleted, NULL), TM_OK);
    TM_CHECK_INT(s.broken, 1);

    s.broken = 0;
    TM_CHECK_INT(tm_store_begin(st, NULL), TM_OK);
    TM_CHECK(put(st, inbox, 6, "six") > 0);
    tm_store_rollback(st);
    TM_CHECK_INT(s.broken, 1);
    tm_store_unwatch(st);
    tm_store_free(&st);
}

TM_TEST(store_data_version_moves_only_for_other_connections_commits)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t inbox = fixture_mailbox(st, fixture_account(st, "acct"), "INBOX");
    int64_t v0 = -1, v = -1;
    TM_CHECK_INT(tm_store_data_version(st, &v0, NULL), TM_OK);
    TM_CHECK(put(st, inbox, 1, "own") > 0);
    TM_CHECK_INT(tm_store_data_version(st, &v, NULL), TM_OK);
    TM_CHECK_INT(v, v0); /* its own commits do not count */
    struct tm_store *other = NULL;
    TM_CHECK_INT(tm_store_open(st->path, &other, NULL), TM_OK);
    TM_CHECK_INT(sqlite3_wal_checkpoint_v2(other->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL),
                 SQLITE_OK);
    TM_CHECK_INT(tm_store_data_version(st, &v, NULL), TM_OK);
    TM_CHECK_INT(v, v0); /* a checkpoint changes nothing */
    TM_CHECK(put(other, inbox, 2, "theirs") > 0);
    TM_CHECK_INT(tm_store_data_version(st, &v, NULL), TM_OK);
    TM_CHECK(v != v0);
    tm_store_free(&other);
    tm_store_free(&st);
}
