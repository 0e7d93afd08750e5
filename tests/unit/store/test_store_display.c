/* test_store_display.c - the display order of schema 5: the 4 -> 5 migration keeps an ordered
 * mailbox's order, tm_store_display_replace, and window, position and first_with_flags agreeing
 * with each other through deletions, new (unordered) rows and tm_store_message_set_thread. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_fixture.h"
#include "tm_test.h"
#include "tmail/flags.h"
#include "tmail/store.h"

#define MAX_ROWS 400

/* 0 when every message has exactly one display row and one display_place row, and they agree
 * on the place; else -1, with the counts on stderr. */
static int check_consistent(struct tm_store *st)
{
    long long messages = fixture_int(st, "SELECT count(*) FROM messages");
    long long rows = fixture_int(st, "SELECT count(*) FROM display");
    long long places = fixture_int(st, "SELECT count(*) FROM display_place");
    long long joined = fixture_int(
        st, "SELECT count(*) FROM messages AS m JOIN display_place AS x ON x.message_id = m.id "
            "JOIN display AS d ON d.mailbox_id = m.mailbox_id AND d.pos = x.pos AND "
            "d.date = m.date AND d.message_id = m.id");
    if (messages == rows && rows == places && places == joined)
        return 0;
    fprintf(stderr, "messages %lld, display rows %lld, places %lld, joined %lld\n", messages, rows,
            places, joined);
    return -1;
}

/* 0 when reading the mailbox's window step rows at a time gives exactly ids[0..n), every id's
 * position is its index and the count is n; else -1, with the first difference on stderr. */
static int check_order(struct tm_store *st, int64_t mbox, const int64_t *ids, int n, int step)
{
    struct tm_message_row rows[64];
    int64_t count = -1;
    for (int off = 0; off <= n; off += step) {
        int got = -1, want = n - off < step ? n - off : step, bad = -1;
        memset(rows, 0, sizeof(rows));
        if (tm_store_message_window(st, mbox, off, step, rows, &got, NULL) != TM_OK)
            return fprintf(stderr, "window at %d failed\n", off), -1;
        for (int i = 0; i < got; i++) {
            if (bad < 0 && (i >= want || rows[i].id != ids[off + i]))
                bad = i;
            tm_message_row_cleanup(&rows[i]);
        }
        if (got != want || bad >= 0)
            return fprintf(stderr, "window at %d (step %d): %d rows, want %d, first bad %d\n", off,
                           step, got, want, bad),
                   -1;
    }
    for (int i = 0; i < n; i++) {
        int64_t pos = -1;
        if (tm_store_message_position(st, ids[i], &pos, NULL) != TM_OK || pos != i)
            return fprintf(stderr, "position of %lld: %lld, want %d\n", (long long)ids[i],
                           (long long)pos, i),
                   -1;
    }
    if (tm_store_message_count(st, mbox, &count, NULL) != TM_OK || count != n)
        return fprintf(stderr, "count %lld, want %d\n", (long long)count, n), -1;
    if (tm_store_display_count(st, mbox, &count, NULL) != TM_OK || count != n)
        return fprintf(stderr, "display count %lld, want %d\n", (long long)count, n), -1;
    return check_consistent(st);
}

/* 0 when check_order holds for several window sizes. */
static int check_all_steps(struct tm_store *st, int64_t mbox, const int64_t *ids, int n)
{
    static const int steps[] = {1, 7, 40, 64};
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        if (check_order(st, mbox, ids, n, steps[i]))
            return -1;
    }
    return 0;
}

/* Writes ids[0..n) as the order, every third row a reply at depth 1. */
static enum tm_status replace(struct tm_store *st, int64_t mbox, const int64_t *ids, int n)
{
    struct tm_display_entry rows[MAX_ROWS];
    for (int i = 0; i < n; i++)
        rows[i] = (struct tm_display_entry){ids[i], i % 3 ? 0 : 1, i % 3 ? "" : "└─>"};
    return tm_store_display_replace(st, mbox, rows, (size_t)n, NULL);
}

/* n messages with uids 1..n (dates 1001..), ids into ids[], then the order: ids reversed in
 * blocks of five (a thread-like shuffle), written with tm_store_display_replace. */
static int fill_ordered(struct tm_store *st, int64_t mbox, int64_t *ids, int n)
{
    int64_t made[MAX_ROWS];
    for (int i = 0; i < n; i++) {
        made[i] = fixture_uid_msg(st, mbox, i + 1, i % 4 ? TM_FLAG_SEEN : 0);
        if (!made[i])
            return -1;
    }
    for (int i = 0; i < n; i++)
        ids[i] = made[(i / 5) * 5 + 4 - i % 5 < n ? (i / 5) * 5 + 4 - i % 5 : i];
    return replace(st, mbox, ids, n) == TM_OK ? 0 : -1;
}

/* A message with key and date (uid 0, as local mail); its id, 0 on failure. */
static int64_t add_dated(struct tm_store *st, int64_t mbox, const char *key, int64_t date)
{
    struct tm_message_row row = {.mailbox_id = mbox, .local_key = (char *)key, .date = date};
    return tm_store_message_upsert(st, &row, NULL) == TM_OK ? row.id : 0;
}

/* Reads the ids sql returns into ids[0..max); how many, -1 on error. */
static int query_ids(sqlite3 *db, const char *sql, int64_t *ids, int max)
{
    sqlite3_stmt *s = NULL;
    int n = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        return -1;
    while (n < max && sqlite3_step(s) == SQLITE_ROW)
        ids[n++] = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return n;
}

/* Removes ids[at] from ids[0..*n). */
static void drop(int64_t *ids, int *n, int at)
{
    memmove(ids + at, ids + at + 1, (size_t)(*n - at - 1) * sizeof(*ids));
    (*n)--;
}

/* What tmail 4 left: mailboxes 7 (threaded, with two newer unthreaded rows), 8 (threaded, then
 * a message deleted: a hole at 2), 9 (never threaded) and 10 (two rows on one place). */
static const char v4_rows[] =
    "INSERT INTO accounts(id, name) VALUES(1, 'work');"
    "INSERT INTO mailboxes(id, account_id, name) VALUES(7, 1, 'INBOX'), (8, 1, 'Sent'), "
    "  (9, 1, 'Drafts'), (10, 1, 'Dup');"
    "INSERT INTO messages(id, mailbox_id, local_key, date, message_id, thread_order, "
    "  thread_depth, thread_tree) VALUES"
    "  (1, 7, 'a', 100, '<a@x>', 2, 1, '├─>'), (2, 7, 'b', 50, '<b@x>', 0, 0, ''),"
    "  (3, 7, 'c', 300, '<c@x>', 1, 1, '└─>'), (4, 7, 'd', 10, '<d@x>', -1, 0, NULL),"
    "  (5, 7, 'e', 5, '<e@x>', -1, 0, NULL), (6, 7, 'f', 70, '<f@x>', 3, 0, ''),"
    "  (10, 8, 'a', 1, NULL, 0, 0, ''), (11, 8, 'b', 2, NULL, 1, 0, ''),"
    "  (12, 8, 'c', 3, NULL, 3, 0, ''),"
    "  (20, 9, 'a', 9, NULL, -1, 0, NULL), (21, 9, 'b', 8, NULL, -1, 0, NULL),"
    "  (30, 10, 'a', 5, NULL, 0, 0, ''), (31, 10, 'b', 4, NULL, 0, 0, ''),"
    "  (32, 10, 'c', 1, NULL, 1, 0, '');";

TM_TEST(store_migrates_v4_file_to_v5_keeping_the_order)
{
    char path[512], sql[160];
    int got[11] = {0};
    int64_t want[11][8];
    struct tm_store raw; /* a bare connection: what tmail 4 left behind */
    TM_CHECK_INT(fixture_old_file(4, path, sizeof(path), &raw), TM_OK);
    int rc = sqlite3_exec(raw.db, v4_rows, NULL, NULL, NULL);
    for (int mbox = 7; mbox <= 10; mbox++) { /* the order tmail 4 showed */
        snprintf(sql, sizeof(sql),
                 "SELECT id FROM messages WHERE mailbox_id = %d ORDER BY thread_order, date, id",
                 mbox);
        got[mbox] = query_ids(raw.db, sql, want[mbox], 8);
    }
    sqlite3_close(raw.db);
    TM_CHECK_INT(rc, SQLITE_OK);
    TM_CHECK_INT(got[7], 6);
    TM_CHECK_INT(want[7][0], 5); /* unthreaded rows first, by date */

    struct tm_store *st = NULL;
    TM_CHECK_INT(tm_store_open(path, &st, NULL), TM_OK);
    TM_CHECK_INT(tm_store_schema_version(st), TM_STORE_SCHEMA_VERSION);
    for (int mbox = 7; mbox <= 10; mbox++)
        TM_CHECK_INT(check_all_steps(st, mbox, want[mbox], got[mbox]), 0);
    TM_CHECK_INT(fixture_int(st, "SELECT display_gaps FROM mailboxes WHERE id = 7"), 0);
    TM_CHECK_INT(fixture_int(st, "SELECT display_gaps FROM mailboxes WHERE id = 8"), 1);
    TM_CHECK_INT(fixture_int(st, "SELECT display_gaps FROM mailboxes WHERE id = 9"), 0);
    TM_CHECK_INT(fixture_int(st, "SELECT display_gaps FROM mailboxes WHERE id = 10"), 1);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM sqlite_schema WHERE name IN "
                                 "('messages_display', 'messages_message_id')"),
                 0);
    struct tm_message_row row = {0};
    TM_CHECK_INT(tm_store_message_get(st, 1, &row, NULL), TM_OK);
    TM_CHECK_INT(row.thread_order, 2);
    TM_CHECK_INT(row.thread_depth, 1);
    TM_CHECK_STR(row.thread_tree, "├─>");
    TM_CHECK_STR(row.message_id, "<a@x>");
    tm_message_row_cleanup(&row);
    /* and the migrated file behaves as a new one: an arrival is unordered, so first */
    int64_t fresh = add_dated(st, 7, "new", 1);
    TM_CHECK(fresh > 0);
    int64_t inbox[8] = {fresh};
    memcpy(inbox + 1, want[7], 6 * sizeof(*inbox));
    TM_CHECK_INT(check_all_steps(st, 7, inbox, 7), 0);
    tm_store_free(&st);
}

TM_TEST(store_display_replace_then_window_position_first_agree)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t acct = fixture_account(st, "work"), ids[MAX_ROWS], id = 0;
    int64_t mbox = fixture_mailbox(st, acct, "INBOX"), other = fixture_mailbox(st, acct, "Sent");
    TM_CHECK(fixture_uid_msg(st, other, 1, 0) > 0);
    TM_CHECK_INT(fill_ordered(st, mbox, ids, 300), 0);
    TM_CHECK_INT(check_all_steps(st, mbox, ids, 300), 0);
    TM_CHECK_INT(fixture_int(st, "SELECT display_gaps FROM mailboxes WHERE name = 'INBOX'"), 0);
    struct tm_message_row row = {0};
    TM_CHECK_INT(tm_store_message_get(st, ids[3], &row, NULL), TM_OK);
    TM_CHECK_INT(row.thread_order, 3);
    TM_CHECK_INT(row.thread_depth, 1);
    TM_CHECK_STR(row.thread_tree, "└─>");
    tm_message_row_cleanup(&row);
    /* the first unread in display order: uids 1, 5, 9, ... are unread (flags 0) */
    int first = -1;
    for (int i = 0; i < 300 && first < 0; i++) {
        TM_CHECK_INT(tm_store_message_get(st, ids[i], &row, NULL), TM_OK);
        first = row.flags & TM_FLAG_SEEN ? -1 : i;
        tm_message_row_cleanup(&row);
    }
    TM_CHECK_INT(tm_store_message_first_with_flags(st, mbox, TM_FLAG_SEEN, 0, &id, NULL), TM_OK);
    TM_CHECK_INT(id, ids[first]);
    /* a second order replaces the first entirely */
    for (int i = 0; i < 150; i++) {
        int64_t t = ids[i];
        ids[i] = ids[299 - i];
        ids[299 - i] = t;
    }
    TM_CHECK_INT(replace(st, mbox, ids, 300), TM_OK);
    TM_CHECK_INT(check_all_steps(st, mbox, ids, 300), 0);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM display"), 301);
    tm_store_free(&st);
}

TM_TEST(store_display_replace_skips_foreign_ids_and_keeps_missing_rows)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t acct = fixture_account(st, "work");
    int64_t mbox = fixture_mailbox(st, acct, "INBOX"), other = fixture_mailbox(st, acct, "Sent");
    int64_t a = fixture_uid_msg(st, mbox, 1, 0), b = fixture_uid_msg(st, mbox, 2, 0);
    int64_t c = fixture_uid_msg(st, mbox, 3, 0), d = fixture_uid_msg(st, mbox, 4, 0);
    int64_t foreign = fixture_uid_msg(st, other, 1, 0);
    TM_CHECK(a && b && c && d && foreign);
    /* d is not named: unordered, so first; the foreign id, an unknown one and the repeat of c
     * are skipped without leaving a hole */
    const int64_t order[] = {c, foreign, 999999, b, c, a};
    TM_CHECK_INT(replace(st, mbox, order, 6), TM_OK);
    const int64_t want[] = {d, c, b, a};
    TM_CHECK_INT(check_all_steps(st, mbox, want, 4), 0);
    struct tm_message_row row = {0};
    TM_CHECK_INT(tm_store_message_get(st, a, &row, NULL), TM_OK);
    TM_CHECK_INT(row.thread_order, 2);
    tm_message_row_cleanup(&row);
    TM_CHECK_INT(tm_store_message_get(st, d, &row, NULL), TM_OK);
    TM_CHECK_INT(row.thread_order, -1);
    tm_message_row_cleanup(&row);
    TM_CHECK_INT(tm_store_message_get(st, foreign, &row, NULL), TM_OK);
    TM_CHECK_INT(row.thread_order, -1); /* Sent's own order is untouched */
    tm_message_row_cleanup(&row);
    TM_CHECK_INT(fixture_int(st, "SELECT display_gaps FROM mailboxes WHERE name = 'INBOX'"), 0);
    /* a mailbox without messages takes any order as none */
    int64_t empty = fixture_mailbox(st, acct, "Drafts");
    TM_CHECK_INT(tm_store_display_replace(st, empty, NULL, 0, NULL), TM_OK);
    TM_CHECK_INT(replace(st, empty, order, 6), TM_OK);
    TM_CHECK_INT(check_all_steps(st, empty, NULL, 0), 0);
    /* an empty order makes every message unordered again */
    TM_CHECK_INT(tm_store_display_replace(st, mbox, NULL, 0, NULL), TM_OK);
    const int64_t by_date[] = {a, b, c, d};
    TM_CHECK_INT(check_all_steps(st, mbox, by_date, 4), 0);
    tm_store_free(&st);
}

TM_TEST(store_deleting_messages_keeps_window_and_position_consistent)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t mbox = fixture_mailbox(st, fixture_account(st, "work"), "INBOX"), ids[MAX_ROWS];
    int n = 200, deleted = 0;
    TM_CHECK_INT(fill_ordered(st, mbox, ids, n), 0);
    TM_CHECK_INT(tm_store_message_delete(st, ids[0], NULL), TM_OK); /* the first */
    drop(ids, &n, 0);
    TM_CHECK_INT(fixture_int(st, "SELECT display_gaps FROM mailboxes WHERE name = 'INBOX'"), 1);
    TM_CHECK_INT(check_all_steps(st, mbox, ids, n), 0);
    struct tm_message_row row = {0};
    TM_CHECK_INT(tm_store_message_get(st, ids[100], &row, NULL), TM_OK);
    TM_CHECK_INT(tm_store_message_delete_uid(st, mbox, row.uid, &deleted, NULL), TM_OK);
    tm_message_row_cleanup(&row);
    TM_CHECK_INT(deleted, 1);
    drop(ids, &n, 100);
    TM_CHECK_INT(tm_store_message_delete(st, ids[n - 1], NULL), TM_OK); /* the last */
    drop(ids, &n, n - 1);
    TM_CHECK_INT(check_all_steps(st, mbox, ids, n), 0);
    /* the first unread is still found past a hole */
    int64_t id = 0;
    TM_CHECK_INT(tm_store_message_first_with_flags(st, mbox, TM_FLAG_SEEN, 0, &id, NULL), TM_OK);
    TM_CHECK_INT(tm_store_message_get(st, id, &row, NULL), TM_OK);
    TM_CHECK_INT(row.flags & TM_FLAG_SEEN, 0);
    tm_message_row_cleanup(&row);
    /* new unordered rows and holes together */
    int64_t fresh = fixture_uid_msg(st, mbox, 5000, 0);
    TM_CHECK(fresh > 0);
    memmove(ids + 1, ids, (size_t)n * sizeof(*ids));
    ids[0] = fresh;
    n++;
    TM_CHECK_INT(check_all_steps(st, mbox, ids, n), 0);
    TM_CHECK_INT(tm_store_message_first_with_flags(st, mbox, TM_FLAG_SEEN, 0, &id, NULL), TM_OK);
    TM_CHECK_INT(id, fresh);
    /* the next order closes the holes */
    TM_CHECK_INT(replace(st, mbox, ids, n), TM_OK);
    TM_CHECK_INT(fixture_int(st, "SELECT display_gaps FROM mailboxes WHERE name = 'INBOX'"), 0);
    TM_CHECK_INT(fixture_int(st, "SELECT max(pos) FROM display"), n - 1);
    TM_CHECK_INT(check_all_steps(st, mbox, ids, n), 0);
    tm_store_free(&st);
}

TM_TEST(store_unordered_rows_come_first_by_date_then_id)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t mbox = fixture_mailbox(st, fixture_account(st, "work"), "INBOX"), ids[MAX_ROWS];
    TM_CHECK_INT(fill_ordered(st, mbox, ids, 100), 0);
    /* arrivals after the order was written, dates out of order, one tie on date */
    int64_t late = add_dated(st, mbox, "late", 1900), early = add_dated(st, mbox, "early", 1200);
    int64_t oldest = add_dated(st, mbox, "oldest", 500); /* before every ordered row's date */
    struct tm_message_row tie = {.mailbox_id = mbox, .local_key = (char *)"tie", .date = 1200};
    TM_CHECK_INT(tm_store_message_upsert(st, &tie, NULL), TM_OK);
    TM_CHECK(late && early && oldest);
    int64_t want[MAX_ROWS] = {oldest, early, tie.id, late};
    memcpy(want + 4, ids, 100 * sizeof(*ids));
    TM_CHECK_INT(check_all_steps(st, mbox, want, 104), 0);
    struct tm_message_row row = {0};
    TM_CHECK_INT(tm_store_message_get(st, late, &row, NULL), TM_OK);
    TM_CHECK_INT(row.thread_order, -1);
    TM_CHECK_INT(row.thread_depth, 0);
    TM_CHECK(row.thread_tree == NULL);
    tm_message_row_cleanup(&row);
    /* a new date moves an unordered row to its place among the unordered ones */
    tie.id = 0;
    tie.date = 2000;
    TM_CHECK_INT(tm_store_message_upsert(st, &tie, NULL), TM_OK);
    want[2] = late;
    want[3] = tie.id;
    TM_CHECK_INT(check_all_steps(st, mbox, want, 104), 0);
    tm_store_free(&st);
}

TM_TEST(store_set_thread_still_orders_rows)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t mbox = fixture_mailbox(st, fixture_account(st, "work"), "INBOX"), ids[MAX_ROWS];
    TM_CHECK_INT(fill_ordered(st, mbox, ids, 30), 0);
    /* place 10 of the order goes to the end (a gap where it was), place 0 back to unordered */
    int64_t moved = ids[10], unordered = ids[0];
    TM_CHECK_INT(tm_store_message_set_thread(st, moved, 1000, 2, "x", NULL), TM_OK);
    TM_CHECK_INT(tm_store_message_set_thread(st, unordered, -1, 0, NULL, NULL), TM_OK);
    TM_CHECK_INT(tm_store_message_set_thread(st, 424242, 3, 0, NULL, NULL), TM_OK); /* no-op */
    int64_t want[MAX_ROWS];
    int n = 0;
    want[n++] = unordered;
    for (int i = 1; i < 30; i++) {
        if (i != 10)
            want[n++] = ids[i];
    }
    want[n++] = moved;
    TM_CHECK_INT(check_all_steps(st, mbox, want, n), 0);
    struct tm_message_row row = {0};
    TM_CHECK_INT(tm_store_message_get(st, moved, &row, NULL), TM_OK);
    TM_CHECK_INT(row.thread_order, 1000);
    TM_CHECK_INT(row.thread_depth, 2);
    TM_CHECK_STR(row.thread_tree, "x");
    tm_message_row_cleanup(&row);
    tm_store_free(&st);
}

TM_TEST(store_display_replace_joins_the_callers_transaction)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t mbox = fixture_mailbox(st, fixture_account(st, "work"), "INBOX"), ids[MAX_ROWS];
    TM_CHECK_INT(fill_ordered(st, mbox, ids, 20), 0);
    int64_t reversed[20];
    for (int i = 0; i < 20; i++)
        reversed[i] = ids[19 - i];
    TM_CHECK_INT(tm_store_begin(st, NULL), TM_OK);
    TM_CHECK_INT(replace(st, mbox, reversed, 20), TM_OK);
    TM_CHECK_INT(check_order(st, mbox, reversed, 20, 20), 0);
    tm_store_rollback(st); /* the caller's rollback undoes it */
    TM_CHECK_INT(check_all_steps(st, mbox, ids, 20), 0);
    tm_store_free(&st);
}

TM_TEST(store_mailbox_reset_and_delete_remove_display_rows)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t acct = fixture_account(st, "work"), ids[MAX_ROWS];
    int64_t mbox = fixture_mailbox(st, acct, "INBOX"), other = fixture_mailbox(st, acct, "Sent");
    TM_CHECK_INT(fill_ordered(st, mbox, ids, 50), 0);
    TM_CHECK_INT(fill_ordered(st, other, ids, 10), 0);
    TM_CHECK_INT(tm_store_message_delete(st, ids[4], NULL), TM_OK); /* a gap in Sent */
    TM_CHECK_INT(tm_store_mailbox_reset(st, other, NULL), TM_OK);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM display"), 50);
    TM_CHECK_INT(fixture_int(st, "SELECT display_gaps FROM mailboxes WHERE name = 'Sent'"), 0);
    int64_t fresh = fixture_uid_msg(st, other, 77, 0);
    TM_CHECK(fresh > 0);
    TM_CHECK_INT(check_all_steps(st, other, &fresh, 1), 0);
    TM_CHECK_INT(tm_store_mailbox_delete(st, mbox, NULL), TM_OK);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM display"), 1);
    TM_CHECK_INT(check_consistent(st), 0);
    /* a deleted account takes its mailboxes' messages along, and the triggers their rows */
    TM_CHECK_INT(sqlite3_exec(st->db, "DELETE FROM accounts", NULL, NULL, NULL), SQLITE_OK);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM messages"), 0);
    TM_CHECK_INT(check_consistent(st), 0);
    tm_store_free(&st);
}

TM_TEST(store_position_and_first_unread_use_the_display_key)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t mbox = fixture_mailbox(st, fixture_account(st, "work"), "INBOX"), id = 0, pos = 0;
    int64_t one = fixture_uid_msg(st, mbox, 1, 0);
    TM_CHECK(one > 0);
    TM_CHECK_INT(tm_store_message_position(st, one, &pos, NULL), TM_OK);
    TM_CHECK_INT(tm_store_message_first_with_flags(st, mbox, TM_FLAG_SEEN, 0, &id, NULL), TM_OK);
    static const enum store_stmt used[] = {STMT_MSG_POSITION, STMT_MSG_FIRST_FLAGS};
    for (size_t i = 0; i < sizeof(used) / sizeof(used[0]); i++) {
        TM_CHECK(st->stmts[used[i]] != NULL);
        const char *sql = sqlite3_sql(st->stmts[used[i]]);
        TM_CHECK(fixture_plan_uses(st, sql, "USING PRIMARY KEY (mailbox_id=?"));
    }
    tm_store_free(&st);
}

/* A deferred load (schema 8): new messages have no display rows (readers do not see them) until
 * they are published, unordered, or the order is written; the replace completes the rows from
 * the message rows, ends the deferral and forgets the sort until then. */
TM_TEST(store_deferred_load_is_published_then_completed_by_the_order)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t acct = fixture_account(st, "work"), ids[MAX_ROWS];
    int64_t mbox = fixture_mailbox(st, acct, "INBOX"), other = fixture_mailbox(st, acct, "Sent");
    bool missing = true;
    char *sort = NULL;
    TM_CHECK_INT(tm_store_mailbox_set_sort(st, mbox, "threads", NULL), TM_OK);
    TM_CHECK_INT(tm_store_display_defer(st, mbox, NULL), TM_OK);
    TM_CHECK_INT(tm_store_display_missing(st, mbox, &missing, NULL), TM_OK);
    TM_CHECK(missing);
    TM_CHECK_INT(tm_store_mailbox_get_sort(st, mbox, &sort, NULL), TM_OK);
    TM_CHECK(sort == NULL); /* so that the order is written after the load */
    for (int i = 0; i < 50; i++)
        TM_CHECK((ids[i] = fixture_uid_msg(st, mbox, i + 1, 0)) > 0);
    TM_CHECK(fixture_uid_msg(st, other, 1, 0) > 0); /* another mailbox is not deferred */
    int64_t count = -1;
    TM_CHECK_INT(tm_store_display_count(st, mbox, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 0);
    TM_CHECK_INT(tm_store_message_count(st, mbox, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 50);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM display"), 1);
    /* published: the 50 show, unordered, by date then id */
    TM_CHECK_INT(tm_store_display_publish(st, mbox, NULL), TM_OK);
    TM_CHECK_INT(check_all_steps(st, mbox, ids, 50), 0);
    for (int i = 50; i < 120; i++) /* the load goes on: still no rows for these */
        TM_CHECK((ids[i] = fixture_uid_msg(st, mbox, i + 1, i % 2 ? TM_FLAG_SEEN : 0)) > 0);
    TM_CHECK_INT(tm_store_display_count(st, mbox, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 50);
    /* the order names all but the last five, reversed: those five come first, unordered */
    int64_t order[MAX_ROWS], want[MAX_ROWS];
    for (int i = 0; i < 115; i++)
        order[i] = ids[114 - i];
    for (int i = 0; i < 5; i++)
        want[i] = ids[115 + i];
    memcpy(want + 5, order, 115 * sizeof(*order));
    TM_CHECK_INT(replace(st, mbox, order, 115), TM_OK);
    TM_CHECK_INT(check_all_steps(st, mbox, want, 120), 0);
    TM_CHECK_INT(tm_store_display_missing(st, mbox, &missing, NULL), TM_OK);
    TM_CHECK(!missing);
    TM_CHECK_INT(tm_store_mailbox_get_sort(st, mbox, &sort, NULL), TM_OK);
    TM_CHECK_STR(sort, "threads");
    free(sort);
    /* the deferral ended: a new message has its row at once (first, unordered) */
    int64_t later = fixture_uid_msg(st, mbox, 500, 0);
    TM_CHECK(later > 0);
    memmove(want + 6, want + 5, 115 * sizeof(*want));
    want[5] = later; /* after the five older unordered ones */
    TM_CHECK_INT(check_all_steps(st, mbox, want, 121), 0);
    tm_store_free(&st);
}

/* A load cut short (the process died): the mark is in the file, another connection writes rows
 * for its own new messages as usual, and the next order completes the rest. */
TM_TEST(store_deferred_load_cut_short_is_completed_by_the_next_order)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t acct = fixture_account(st, "work"), ids[MAX_ROWS];
    int64_t mbox = fixture_mailbox(st, acct, "INBOX");
    TM_CHECK_INT(tm_store_begin(st, NULL), TM_OK);
    TM_CHECK_INT(tm_store_display_defer(st, mbox, NULL), TM_OK);
    for (int i = 0; i < 30; i++)
        TM_CHECK((ids[i] = fixture_uid_msg(st, mbox, i + 1, 0)) > 0);
    TM_CHECK_INT(tm_store_commit(st, NULL), TM_OK);
    char path[1024];
    snprintf(path, sizeof(path), "%s", st->path);
    tm_store_free(&st);
    TM_CHECK_INT(tm_store_open(path, &st, NULL), TM_OK);
    bool missing = false;
    TM_CHECK_INT(tm_store_display_missing(st, mbox, &missing, NULL), TM_OK);
    TM_CHECK(missing);
    TM_CHECK((ids[30] = fixture_uid_msg(st, mbox, 31, 0)) > 0);
    int64_t count = -1;
    TM_CHECK_INT(tm_store_display_count(st, mbox, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 1);
    TM_CHECK_INT(replace(st, mbox, ids, 31), TM_OK);
    TM_CHECK_INT(check_all_steps(st, mbox, ids, 31), 0);
    TM_CHECK_INT(tm_store_display_missing(st, mbox, &missing, NULL), TM_OK);
    TM_CHECK(!missing);
    tm_store_free(&st);
}
