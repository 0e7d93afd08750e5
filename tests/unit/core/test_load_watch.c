/* test_load_watch.c - the order after a watched first load (sources.c): built from the sources
 * collected while the rows were written, it must equal the order read back from the store; the
 * copy is refused when it cannot be whole (another connection's rows, another sort, a mailbox
 * that had messages). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../src/core/private.h"
#include "../../../src/core/sources.h"
#include "../../../src/store/private.h"
#include "load_fixture.h"
#include "tm_test.h"
#include "tmail/buf.h"
#include "tmail/config.h"
#include "tmail/store.h"

#define N 300

/* Message i of a few threads: replies refer to earlier messages, some subjects say "Re:", some
 * messages have no date (set afterwards, as the IMAP sync does with INTERNALDATE). */
static int64_t put(struct tm_store *st, int64_t mbox, int i)
{
    char key[16], mid[32], refs[96], subject[48], from[32];
    snprintf(key, sizeof(key), "%010d", i + 1);
    snprintf(mid, sizeof(mid), "<m%d@x>", i);
    refs[0] = 0;
    if (i % 5 != 0)
        snprintf(refs, sizeof(refs), "<m%d@x> <m%d@x>", i - i % 5, i - 1);
    snprintf(subject, sizeof(subject), "%stopic %d", i % 5 ? "Re: " : "", (i / 5) % 17);
    snprintf(from, sizeof(from), "sender%d@example.org", (i * 7) % 13);
    struct tm_message_row row = {.mailbox_id = mbox,
                                 .uid = i + 1,
                                 .local_key = key,
                                 .date = i % 11 == 3 ? 0 : 100000 - (i * 37) % 1000,
                                 .size = 1000 + (i * 13) % 500,
                                 .from_addr = from,
                                 .to_addrs = (char *)"me@example.org",
                                 .subject = subject,
                                 .message_id = mid,
                                 .references = refs[0] ? refs : NULL};
    if (tm_store_message_upsert(st, &row, NULL))
        return 0;
    if (row.date == 0 && tm_store_message_set_date(st, row.id, 99000 + i, NULL))
        return 0;
    return row.id;
}

/* Stores the N messages in one transaction; deferred: as the IMAP first load does, with the
 * display rows deferred (then missing until the order) and published once half-way. */
static bool load_some(struct fixture *f, bool deferred)
{
    if (tm_store_begin(f->st, NULL))
        return false;
    bool ok = !deferred || tm_store_display_defer(f->st, f->mbox, NULL) == TM_OK;
    for (int i = 0; ok && i < N; i++) {
        ok = put(f->st, f->mbox, i) != 0;
        if (ok && deferred && i == N / 2)
            ok = tm_store_display_publish(f->st, f->mbox, NULL) == TM_OK;
    }
    if (!ok) {
        tm_store_rollback(f->st);
        return false;
    }
    return tm_store_commit(f->st, NULL) == TM_OK;
}

static bool load_all(struct fixture *f)
{
    return load_some(f, false);
}

/* The mailbox's display rows and places as text, "pos/date/id/depth/tree/place;" in display
 * order (malloc'd), NULL on failure: what a window read sees, and the keys it does not show. */
static char *order_text(struct tm_store *st, int64_t mbox)
{
    return fixture_rows_text(st,
                             "SELECT d.pos, d.date, d.message_id, d.depth, coalesce(d.tree, ''), "
                             "coalesce(p.pos, -9) FROM display AS d LEFT JOIN display_place AS p "
                             "ON p.message_id = d.message_id WHERE d.mailbox_id = ?1 "
                             "ORDER BY d.pos, d.date, d.message_id",
                             mbox);
}

/* The display rows agree with the messages: one per message, with its date (the display key),
 * and each message's place points at its row. */
static bool display_consistent(struct tm_store *st, int64_t mbox)
{
    sqlite3_stmt *s = NULL;
    const char *sql =
        "SELECT (SELECT count(*) FROM messages WHERE mailbox_id = ?1) = "
        "       (SELECT count(*) FROM display WHERE mailbox_id = ?1) AND "
        "       NOT EXISTS (SELECT 1 FROM display AS d JOIN messages AS m ON m.id = d.message_id "
        "                   WHERE d.mailbox_id = ?1 AND d.date != m.date) AND "
        "       NOT EXISTS (SELECT 1 FROM messages AS m LEFT JOIN display_place AS p "
        "                   ON p.message_id = m.id WHERE m.mailbox_id = ?1 AND "
        "                   (p.pos IS NULL OR NOT EXISTS (SELECT 1 FROM display AS d WHERE "
        "                    d.mailbox_id = ?1 AND d.pos = p.pos AND d.message_id = m.id)))";
    bool ok = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) == SQLITE_OK &&
              sqlite3_bind_int64(s, 1, mbox) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW &&
              sqlite3_column_int(s, 0) == 1;
    sqlite3_finalize(s);
    return ok;
}

/* Loads N messages watched, orders with the watch, then orders again reading the rows back:
 * the two orders must be the same. deferred: the display rows are missing when the order is
 * written, so the store takes the watched ids and dates instead of reading the messages. */
static void check_same_order_load(int sort, bool reverse, bool deferred)
{
    struct fixture f;
    TM_CHECK(open_fixture(&f));
    struct core_load *load = core_load_watch(f.st, f.mbox, sort);
    TM_CHECK(load != NULL);
    TM_CHECK(load_some(&f, deferred));
    core_load_unwatch(load);
    TM_CHECK_INT(load->sources.n, N);
    TM_CHECK_INT(core_order_if_needed(f.st, f.mbox, sort, reverse, true, load, NULL), TM_OK);
    TM_CHECK_INT(load->sources.n, 0); /* taken: the order was made from the watched copy */
    core_load_free(&load);
    TM_CHECK(display_consistent(f.st, f.mbox));
    char *watched = order_text(f.st, f.mbox);
    TM_CHECK_INT(core_rethread(f.st, f.mbox, sort, reverse, NULL, NULL), TM_OK);
    char *read_back = order_text(f.st, f.mbox);
    TM_CHECK(watched && read_back && strlen(read_back) > 0);
    TM_CHECK_STR(watched, read_back);
    free(watched);
    free(read_back);
    tm_store_free(&f.st);
}

static void check_same_order(int sort, bool reverse)
{
    check_same_order_load(sort, reverse, false);
    check_same_order_load(sort, reverse, true);
}

TM_TEST(load_watch_threads_order_equals_the_order_read_back)
{
    check_same_order(TM_SORT_THREADS, false);
}

TM_TEST(load_watch_reverse_threads_order_equals_the_order_read_back)
{
    check_same_order(TM_SORT_THREADS, true);
}

TM_TEST(load_watch_flat_orders_equal_the_orders_read_back)
{
    check_same_order(TM_SORT_DATE, false);
    check_same_order(TM_SORT_FROM, true);
    check_same_order(TM_SORT_SIZE, false);
}

TM_TEST(load_watch_is_not_started_on_a_mailbox_with_messages)
{
    struct fixture f;
    TM_CHECK(open_fixture(&f));
    TM_CHECK(put(f.st, f.mbox, 0) > 0);
    TM_CHECK(core_load_watch(f.st, f.mbox, TM_SORT_THREADS) == NULL);
    tm_store_free(&f.st);
}

TM_TEST(load_watch_copy_is_refused_for_another_sort)
{
    struct fixture f;
    TM_CHECK(open_fixture(&f));
    struct core_load *load = core_load_watch(f.st, f.mbox, TM_SORT_THREADS);
    TM_CHECK(load && load_all(&f));
    core_load_unwatch(load);
    struct core_sources got = {0};
    bool exact = true;
    TM_CHECK(!core_load_take(load, TM_SORT_DATE, &got, &exact));
    TM_CHECK(!exact);
    TM_CHECK(core_load_take(load, TM_SORT_THREADS, &got, &exact));
    TM_CHECK(exact); /* nobody else wrote */
    TM_CHECK_INT(got.n, N);
    core_sources_free(&got);
    core_load_free(&load);
    tm_store_free(&f.st);
}

TM_TEST(load_watch_copy_is_refused_when_another_connection_added_rows)
{
    struct fixture f;
    TM_CHECK(open_fixture(&f));
    struct core_load *load = core_load_watch(f.st, f.mbox, TM_SORT_THREADS);
    TM_CHECK(load && load_all(&f));
    struct tm_store *other = NULL;
    TM_CHECK_INT(tm_store_open(f.path, &other, NULL), TM_OK);
    int64_t extra = put(other, f.mbox, N);
    TM_CHECK(extra > 0);
    tm_store_free(&other);
    core_load_unwatch(load);
    /* the watch saw none of it: the order reads the rows back and the extra one is in it */
    TM_CHECK_INT(core_order_if_needed(f.st, f.mbox, TM_SORT_THREADS, false, true, load, NULL),
                 TM_OK);
    TM_CHECK_INT(load->sources.n, N); /* not taken */
    core_load_free(&load);
    int64_t pos = -1;
    TM_CHECK_INT(tm_store_message_position(f.st, extra, &pos, NULL), TM_OK);
    int64_t count = 0;
    TM_CHECK_INT(tm_store_display_count(f.st, f.mbox, &count, NULL), TM_OK);
    TM_CHECK_INT(count, N + 1);
    tm_store_free(&f.st);
}

TM_TEST(load_watch_copy_is_refused_after_an_update)
{
    struct fixture f;
    TM_CHECK(open_fixture(&f));
    struct core_load *load = core_load_watch(f.st, f.mbox, TM_SORT_THREADS);
    TM_CHECK(load && load_all(&f));
    TM_CHECK(put(f.st, f.mbox, 7) > 0); /* the same key again: an update the copy lacks */
    core_load_unwatch(load);
    struct core_sources got = {0};
    bool exact = true;
    TM_CHECK(!core_load_take(load, TM_SORT_THREADS, &got, &exact));
    core_load_free(&load);
    tm_store_free(&f.st);
}

TM_TEST(load_watch_copy_is_not_exact_after_another_connection_wrote_elsewhere)
{
    struct fixture f;
    TM_CHECK(open_fixture(&f));
    struct core_load *load = core_load_watch(f.st, f.mbox, TM_SORT_THREADS);
    TM_CHECK(load && load_some(&f, true));
    struct tm_store *other = NULL; /* e.g. the UI marking a message of another folder read */
    int64_t acct = 0, elsewhere = 0;
    TM_CHECK_INT(tm_store_open(f.path, &other, NULL), TM_OK);
    TM_CHECK_INT(tm_store_account_ensure(other, "acct", "imaps://u@h", &acct, NULL), TM_OK);
    TM_CHECK_INT(tm_store_mailbox_ensure(other, acct, "Elsewhere", &elsewhere, NULL), TM_OK);
    tm_store_free(&other);
    core_load_unwatch(load);
    /* the copy is still whole for INBOX, but the store cannot be told so: it reads back */
    TM_CHECK_INT(core_order_if_needed(f.st, f.mbox, TM_SORT_THREADS, false, true, load, NULL),
                 TM_OK);
    core_load_free(&load);
    TM_CHECK(display_consistent(f.st, f.mbox));
    char *ordered = order_text(f.st, f.mbox);
    TM_CHECK_INT(core_rethread(f.st, f.mbox, TM_SORT_THREADS, false, NULL, NULL), TM_OK);
    char *read_back = order_text(f.st, f.mbox);
    TM_CHECK(ordered && read_back && strlen(read_back) > 0);
    TM_CHECK_STR(ordered, read_back);
    free(ordered);
    free(read_back);
    tm_store_free(&f.st);
}
