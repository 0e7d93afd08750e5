/* test_store.c - the SQLite cache: file modes, WAL, migrations, message rows, display order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "src/store/private.h"
#include "tm_test.h"
#include "tmail/buf.h"
#include "tmail/flags.h"
#include "tmail/fsutil.h"
#include "tmail/store.h"

/* path receives "<tmpdir>/sub/cache.sqlite"; NULL when the open failed. */
static struct tm_store *open_in_tmp(char *path, size_t size)
{
    struct tm_store *st = NULL;
    struct tm_error err;
    snprintf(path, size, "%s/sub/cache.sqlite", tm_test_tmpdir());
    if (tm_store_open(path, &st, &err) != TM_OK) {
        fprintf(stderr, "open: %s\n", err.message);
        return NULL;
    }
    return st;
}

/* A mailbox of a fresh account; 0 on failure. */
static int64_t make_mailbox(struct tm_store *st, const char *name)
{
    int64_t acct = 0, mbox = 0;
    if (tm_store_account_ensure(st, "personal", "/home/me/Maildir", &acct, NULL) ||
        tm_store_mailbox_ensure(st, acct, name, &mbox, NULL))
        return 0;
    return mbox;
}

/* Two connections to one fresh cache, the writer with an INBOX (*mbox); false on failure, with
 * what did open left in *writer and *reader. */
static bool open_writer_and_reader(struct tm_store **writer, struct tm_store **reader,
                                   int64_t *mbox)
{
    char path[512];
    *reader = NULL;
    *writer = open_in_tmp(path, sizeof(path));
    if (!*writer || tm_store_open(path, reader, NULL) != TM_OK)
        return false;
    *mbox = make_mailbox(*writer, "INBOX");
    return *mbox > 0;
}

/* Inserts a message with key and date; returns its id, 0 on failure. */
static int64_t add_msg(struct tm_store *st, int64_t mbox, const char *key, int64_t date)
{
    char subject[64];
    snprintf(subject, sizeof(subject), "subject %s", key);
    struct tm_message_row row = {.mailbox_id = mbox,
                                 .local_key = (char *)key,
                                 .location = (char *)"cur/x",
                                 .date = date,
                                 .subject = subject};
    if (tm_store_message_upsert(st, &row, NULL))
        return 0;
    return row.id;
}

static int exec_sql(struct tm_store *st, const char *sql)
{
    return sqlite3_exec(st->db, sql, NULL, NULL, NULL);
}

/* The single integer a query returns, -999 on error. */
static long long query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s = NULL;
    long long v = -999;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

/* Makes a plain SQLite file at path with the given user_version and no tables of ours. */
static int make_raw_db(const char *path, int user_version)
{
    sqlite3 *db = NULL;
    char sql[128];
    snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", user_version);
    int rc = sqlite3_open(path, &db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

TM_TEST(store_open_creates_file_0600)
{
    char path[512];
    struct stat sb;
    struct tm_store *st = open_in_tmp(path, sizeof(path));
    TM_CHECK(st);
    TM_CHECK(stat(path, &sb) == 0);
    TM_CHECK_INT(sb.st_mode & 0777, 0600);
    char dir[512];
    snprintf(dir, sizeof(dir), "%s", path);
    *strrchr(dir, '/') = 0; /* the "sub" directory tm_store_open created */
    TM_CHECK(stat(dir, &sb) == 0);
    TM_CHECK_INT(sb.st_mode & 0777, 0700);
    tm_store_free(&st);
    TM_CHECK(st == NULL);
}

TM_TEST(store_wal_files_not_world_readable)
{
    char path[512], side[600];
    struct stat sb;
    struct tm_store *st = open_in_tmp(path, sizeof(path));
    TM_CHECK(st);
    int64_t mbox = make_mailbox(st, "INBOX");
    TM_CHECK(add_msg(st, mbox, "k1", 1) > 0);
    snprintf(side, sizeof(side), "%s-wal", path);
    TM_CHECK(stat(side, &sb) == 0);
    TM_CHECK_INT(sb.st_mode & 0077, 0);
    snprintf(side, sizeof(side), "%s-shm", path);
    TM_CHECK(stat(side, &sb) == 0);
    TM_CHECK_INT(sb.st_mode & 0077, 0);
    tm_store_free(&st);
}

TM_TEST(store_wal_mode_enabled)
{
    char path[512];
    struct tm_store *st = open_in_tmp(path, sizeof(path));
    TM_CHECK(st);
    sqlite3_stmt *s = NULL;
    TM_CHECK(sqlite3_prepare_v2(st->db, "PRAGMA journal_mode", -1, &s, NULL) == SQLITE_OK);
    TM_CHECK(sqlite3_step(s) == SQLITE_ROW);
    int is_wal = strcmp((const char *)sqlite3_column_text(s, 0), "wal") == 0;
    sqlite3_finalize(s);
    TM_CHECK(is_wal);
    TM_CHECK_INT(query_int(st->db, "PRAGMA foreign_keys"), 1);
    TM_CHECK_INT(query_int(st->db, "PRAGMA synchronous"), 1); /* NORMAL */
    tm_store_free(&st);
}

TM_TEST(store_migrates_fresh_db_to_current_version)
{
    char path[512];
    struct tm_store *st = open_in_tmp(path, sizeof(path));
    TM_CHECK(st);
    TM_CHECK_INT(tm_store_schema_version(st), TM_STORE_SCHEMA_VERSION);
    TM_CHECK_INT(query_int(st->db, "PRAGMA user_version"), TM_STORE_SCHEMA_VERSION);
    TM_CHECK_INT(query_int(st->db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND "
                                   "name IN ('accounts', 'mailboxes', 'messages')"),
                 3);
    tm_store_free(&st);
}

TM_TEST(store_migrates_file_at_version_0)
{
    char path[512];
    struct tm_store *st = NULL;
    snprintf(path, sizeof(path), "%s/old.sqlite", tm_test_tmpdir());
    TM_CHECK_INT(make_raw_db(path, 0), SQLITE_OK);
    TM_CHECK_INT(tm_store_open(path, &st, NULL), TM_OK);
    TM_CHECK_INT(tm_store_schema_version(st), TM_STORE_SCHEMA_VERSION);
    TM_CHECK_INT(query_int(st->db, "SELECT count(*) FROM sqlite_schema WHERE name IN "
                                   "('messages', 'display', 'display_place')"),
                 3);
    TM_CHECK_INT(query_int(st->db, "SELECT count(*) FROM sqlite_schema WHERE name IN "
                                   "('messages_display', 'messages_message_id')"),
                 0); /* dropped by migration 5 */
    int64_t mbox = make_mailbox(st, "INBOX");
    TM_CHECK(add_msg(st, mbox, "k", 1) > 0);
    tm_store_free(&st);
}

TM_TEST(store_refuses_newer_schema)
{
    char path[512];
    struct tm_store *st = NULL;
    struct tm_error err;
    struct tm_buf before, after;
    tm_buf_init(&before, 0);
    tm_buf_init(&after, 0);
    snprintf(path, sizeof(path), "%s/new.sqlite", tm_test_tmpdir());
    TM_CHECK_INT(make_raw_db(path, TM_STORE_SCHEMA_VERSION + 7), SQLITE_OK);
    TM_CHECK_INT(tm_fs_read_file(path, 1 << 20, 0, &before, NULL), TM_OK);
    TM_CHECK_INT(tm_store_open(path, &st, &err), TM_ESTORE);
    TM_CHECK(st == NULL);
    TM_CHECK(strstr(err.message, "newer tmail") != NULL);
    TM_CHECK(strstr(err.message, path) != NULL);
    TM_CHECK_INT(tm_fs_read_file(path, 1 << 20, 0, &after, NULL), TM_OK);
    int same = before.len == after.len && memcmp(before.data, after.data, before.len) == 0;
    tm_buf_cleanup(&before);
    tm_buf_cleanup(&after);
    TM_CHECK(same); /* not even switched to WAL */
}

TM_TEST(store_failed_migration_rolls_back)
{
    char path[512];
    struct tm_error err;
    struct tm_store *st = open_in_tmp(path, sizeof(path));
    TM_CHECK(st);
    const struct store_migration next[] = {
        {TM_STORE_SCHEMA_VERSION + 1, "CREATE TABLE half_done(x); CREATE TABLE broken("},
    };
    TM_CHECK_INT(store_migrate_list(st, next, 1, &err), TM_ESTORE);
    TM_CHECK(strstr(err.message, path) != NULL);
    TM_CHECK_INT(query_int(st->db, "PRAGMA user_version"), TM_STORE_SCHEMA_VERSION);
    TM_CHECK_INT(query_int(st->db, "SELECT count(*) FROM sqlite_schema WHERE name = 'half_done'"),
                 0);
    tm_store_free(&st);
}

TM_TEST(store_migration_applies_each_pending_step)
{
    char path[512];
    struct tm_store *st = open_in_tmp(path, sizeof(path));
    TM_CHECK(st);
    const int v = TM_STORE_SCHEMA_VERSION;
    const struct store_migration next[] = {
        {v, "CREATE TABLE must_not_run(x)"}, /* already applied: skipped */
        {v + 1, "CREATE TABLE two(x)"},
        {v + 2, "CREATE TABLE three(x)"},
    };
    TM_CHECK_INT(store_migrate_list(st, next, 3, NULL), TM_OK);
    TM_CHECK_INT(query_int(st->db, "PRAGMA user_version"), v + 2);
    TM_CHECK_INT(query_int(st->db, "SELECT count(*) FROM sqlite_schema WHERE name IN "
                                   "('two', 'three')"),
                 2);
    TM_CHECK_INT(query_int(st->db, "SELECT count(*) FROM sqlite_schema WHERE name = "
                                   "'must_not_run'"),
                 0);
    TM_CHECK_INT(store_migrate_list(st, next, 3, NULL), TM_OK); /* idempotent */
    tm_store_free(&st);
}

TM_TEST(store_reopen_keeps_rows)
{
    char path[512];
    struct tm_store *st = open_in_tmp(path, sizeof(path));
    TM_CHECK(st);
    int64_t mbox = make_mailbox(st, "INBOX");
    int64_t id = add_msg(st, mbox, "keep-me", 42);
    TM_CHECK(id > 0);
    tm_store_free(&st);
    TM_CHECK_INT(tm_store_open(path, &st, NULL), TM_OK);
    int64_t again = 0, count = 0;
    TM_CHECK_INT(tm_store_mailbox_ensure(st, 1, "INBOX", &again, NULL), TM_OK);
    TM_CHECK_INT(again, mbox);
    TM_CHECK_INT(tm_store_message_count(st, mbox, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 1);
    struct tm_message_row row = {0};
    TM_CHECK_INT(tm_store_message_get(st, id, &row, NULL), TM_OK);
    TM_CHECK_STR(row.local_key, "keep-me");
    TM_CHECK_INT(row.date, 42);
    tm_message_row_cleanup(&row);
    tm_store_free(&st);
}

TM_TEST(store_account_ensure_finds_and_updates_url)
{
    char path[512];
    struct tm_store *st = open_in_tmp(path, sizeof(path));
    TM_CHECK(st);
    int64_t a = 0, b = 0, c = 0, m1 = 0, m2 = 0, m3 = 0;
    TM_CHECK_INT(tm_store_account_ensure(st, "work", "imaps://a", &a, NULL), TM_OK);
    TM_CHECK_INT(tm_store_account_ensure(st, "work", "imaps://b", &b, NULL), TM_OK);
    TM_CHECK_INT(tm_store_account_ensure(st, "home", NULL, &c, NULL), TM_OK);
    TM_CHECK_INT(a, b);
    TM_CHECK(c != a);
    TM_CHECK_INT(query_int(st->db, "SELECT count(*) FROM accounts WHERE url = 'imaps://b'"), 1);
    TM_CHECK_INT(tm_store_mailbox_ensure(st, a, "INBOX", &m1, NULL), TM_OK);
    TM_CHECK_INT(tm_store_mailbox_ensure(st, a, "INBOX", &m2, NULL), TM_OK);
    TM_CHECK_INT(tm_store_mailbox_ensure(st, c, "INBOX", &m3, NULL), TM_OK);
    TM_CHECK_INT(m1, m2);
    TM_CHECK(m3 != m1);
    TM_CHECK(tm_store_mailbox_ensure(st, 9999, "INBOX", &m3, NULL) != TM_OK); /* no account */
    tm_store_free(&st);
}

TM_TEST(store_upsert_updates_by_key)
{
    char path[512];
    struct tm_store *st = open_in_tmp(path, sizeof(path));
    TM_CHECK(st);
    int64_t mbox = make_mailbox(st, "INBOX");
    struct tm_message_row row = {.mailbox_id = mbox,
                                 .local_key = (char *)"k1",
                                 .location = (char *)"new/k1",
                                 .flags = TM_FLAG_RECENT,
                                 .date = 100,
                                 .size = 10,
                                 .subject = (char *)"first",
                                 .references = (char *)"a@x b@x"};
    TM_CHECK_INT(tm_store_message_upsert(st, &row, NULL), TM_OK);
    int64_t id = row.id;
    TM_CHECK(id > 0);
    TM_CHECK_INT(tm_store_message_set_thread(st, id, 5, 2, "├─>", NULL), TM_OK);
    row.id = 0;
    row.location = (char *)"cur/k1:2,S";
    row.flags = TM_FLAG_SEEN;
    row.subject = (char *)"second";
    TM_CHECK_INT(tm_store_message_upsert(st, &row, NULL), TM_OK);
    TM_CHECK_INT(row.id, id);
    int64_t count = 0;
    TM_CHECK_INT(tm_store_message_count(st, mbox, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 1);
    struct tm_message_row got = {0};
    TM_CHECK_INT(tm_store_message_get(st, id, &got, NULL), TM_OK);
    TM_CHECK_STR(got.subject, "second");
    TM_CHECK_STR(got.location, "cur/k1:2,S");
    TM_CHECK_STR(got.references, "a@x b@x");
    TM_CHECK_INT(got.flags, TM_FLAG_SEEN);
    TM_CHECK_INT(got.size, 10);
    TM_CHECK_INT(got.thread_order, 5); /* thread fields survive an update */
    TM_CHECK_INT(got.thread_depth, 2);
    TM_CHECK_STR(got.thread_tree, "├─>");
    TM_CHECK(got.from_addr == NULL);
    tm_message_row_cleanup(&got);
    TM_CHECK(got.subject == NULL && got.id == 0);
    tm_store_free(&st);
}

TM_TEST(store_upsert_new_row_is_unthreaded)
{
    char path[512];
    struct tm_store *st = open_in_tmp(path, sizeof(path));
    TM_CHECK(st);
    int64_t id = add_msg(st, make_mailbox(st, "INBOX"), "k", 1);
    struct tm_message_row got = {0};
    TM_CHECK_INT(tm_store_message_get(st, id, &got, NULL), TM_OK);
    TM_CHECK_INT(got.thread_order, -1);
    TM_CHECK_INT(got.thread_depth, 0);
    TM_CHECK(got.thread_tree == NULL);
    tm_message_row_cleanup(&got);
    struct tm_message_row nokey = {.mailbox_id = got.mailbox_id};
    TM_CHECK_INT(tm_store_message_upsert(st, &nokey, NULL), TM_ESTORE);
    tm_store_free(&st);
}

TM_TEST(store_same_key_in_two_mailboxes_is_two_rows)
{
    char path[512];
    struct tm_store *st = open_in_tmp(path, sizeof(path));
    TM_CHECK(st);
    int64_t a = make_mailbox(st, "INBOX"), b = make_mailbox(st, "Sent");
    int64_t x = add_msg(st, a, "same", 1), y = add_msg(st, b, "same", 1);
    TM_CHECK(x > 0 && y > 0 && x != y);
    tm_store_free(&st);
}

TM_TEST(store_get_missing_is_enoent)
{
    char path[512];
    struct tm_store *st = open_in_tmp(path, sizeof(path));
    TM_CHECK(st);
    struct tm_message_row row = {0};
    int64_t pos = 0;
    TM_CHECK_INT(tm_store_message_get(st, 12345, &row, NULL), TM_ENOENT);
    TM_CHECK_INT(tm_store_message_position(st, 12345, &pos, NULL), TM_ENOENT);
    TM_CHECK_INT(tm_store_message_set_flags(st, 12345, 0, NULL, NULL), TM_ENOENT);
    tm_store_free(&st);
}

/* Five messages: two unthreaded (dates 50, 10), three threaded in order 2, 0, 1. */
static int fill_for_order(struct tm_store *st, int64_t mbox, int64_t ids[5])
{
    static const char *keys[] = {"u50", "u10", "t2", "t0", "t1"};
    static const int64_t dates[] = {50, 10, 1, 3, 2};
    static const int64_t order[] = {-1, -1, 2, 0, 1};
    for (int i = 0; i < 5; i++) {
        ids[i] = add_msg(st, mbox, keys[i], dates[i]);
        if (!ids[i])
            return -1;
        if (order[i] >= 0 && tm_store_message_set_thread(st, ids[i], order[i], 0, NULL, NULL))
            return -1;
    }
    return 0;
}

TM_TEST(store_window_in_thread_order)
{
    char path[512];
    struct tm_store *st = open_in_tmp(path, sizeof(path));
    TM_CHECK(st);
    int64_t mbox = make_mailbox(st, "INBOX"), ids[5];
    TM_CHECK_INT(fill_for_order(st, mbox, ids), 0);
    add_msg(st, make_mailbox(st, "Other"), "elsewhere", 0);
    struct tm_message_row rows[10] = {0};
    int n = 0;
    TM_CHECK_INT(tm_store_message_window(st, mbox, 0, 10, rows, &n, NULL), TM_OK);
    TM_CHECK_INT(n, 5);
    static const char *want[] = {"u10", "u50", "t0", "t1", "t2"}; /* unthreaded first */
    int ok = 1;
    for (int i = 0; i < n; i++) {
        ok = ok && strcmp(rows[i].local_key, want[i]) == 0;
        tm_message_row_cleanup(&rows[i]);
    }
    TM_CHECK(ok);
    TM_CHECK_INT(tm_store_message_window(st, mbox, 3, 10, rows, &n, NULL), TM_OK);
    TM_CHECK_INT(n, 2);
    TM_CHECK_STR(rows[0].local_key, "t1");
    TM_CHECK_STR(rows[0].subject, "subject t1");
    tm_message_row_cleanup(&rows[0]);
    tm_message_row_cleanup(&rows[1]);
    TM_CHECK_INT(tm_store_message_window(st, mbox, 1, 1, rows, &n, NULL), TM_OK);
    TM_CHECK_INT(n, 1);
    TM_CHECK_STR(rows[0].local_key, "u50");
    tm_message_row_cleanup(&rows[0]);
    TM_CHECK_INT(tm_store_message_window(st, mbox, 9, 5, rows, &n, NULL), TM_OK);
    TM_CHECK_INT(n, 0);
    tm_store_free(&st);
}

TM_TEST(store_position_matches_window)
{
    char path[512];
    struct tm_store *st = open_in_tmp(path, sizeof(path));
    TM_CHECK(st);
    int64_t mbox = make_mailbox(st, "INBOX"), ids[5];
    TM_CHECK_INT(fill_for_order(st, mbox, ids), 0);
    add_msg(st, mbox, "same-date-a", 10); /* ties on date are broken by id */
    add_msg(st, mbox, "same-date-b", 10);
    struct tm_message_row rows[10] = {0};
    int n = 0;
    TM_CHECK_INT(tm_store_message_window(st, mbox, 0, 10, rows, &n, NULL), TM_OK);
    TM_CHECK_INT(n, 7);
    int bad = -1;
    for (int i = 0; i < n; i++) {
        int64_t pos = -1;
        if (tm_store_message_position(st, rows[i].id, &pos, NULL) != TM_OK || pos != i)
            bad = i;
        tm_message_row_cleanup(&rows[i]);
    }
    TM_CHECK_INT(bad, -1);
    tm_store_free(&st);
}

TM_TEST(store_window_query_uses_display_index)
{
    char path[512];
    struct tm_store *st = open_in_tmp(path, sizeof(path));
    TM_CHECK(st);
    int64_t mbox = make_mailbox(st, "INBOX");
    TM_CHECK(add_msg(st, mbox, "k", 1) > 0);
    struct tm_message_row row = {0};
    int n = -1;
    TM_CHECK_INT(tm_store_message_window(st, mbox, 0, 1, &row, &n, NULL), TM_OK);
    TM_CHECK_INT(n, 1);
    tm_message_row_cleanup(&row);
    TM_CHECK(st->stmts[STMT_MSG_WINDOW] != NULL); /* the statement the window read uses */
    char plan[2048];
    snprintf(plan, sizeof(plan), "EXPLAIN QUERY PLAN %s", sqlite3_sql(st->stmts[STMT_MSG_WINDOW]));
    sqlite3_stmt *s = NULL;
    TM_CHECK(sqlite3_prepare_v2(st->db, plan, -1, &s, NULL) == SQLITE_OK);
    int uses_index = 0, sorts = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *detail = (const char *)sqlite3_column_text(s, 3);
        uses_index |=
            strstr(detail,
                   "d USING PRIMARY KEY (mailbox_id=? AND (pos,date,message_id)>(?,?,?))") != NULL;
        sorts |= strstr(detail, "TEMP B-TREE") != NULL;
    }
    sqlite3_finalize(s);
    TM_CHECK(uses_index);
    TM_CHECK(!sorts);
    tm_store_free(&st);
}

struct key_walk {
    int n;
    int stop_after;
    int saw_location;
    unsigned flag_sum;
};

static int count_key(void *ctx, int64_t id, const char *key, const char *location, unsigned flags)
{
    struct key_walk *w = ctx;
    (void)id;
    w->n++;
    w->saw_location += key && location && strcmp(location, "cur/x") == 0;
    w->flag_sum += flags;
    return w->stop_after && w->n >= w->stop_after;
}

TM_TEST(store_each_key_walks_all)
{
    char path[512];
    char key[32];
    struct tm_store *st = open_in_tmp(path, sizeof(path));
    TM_CHECK(st);
    int64_t mbox = make_mailbox(st, "INBOX");
    TM_CHECK_INT(tm_store_begin(st, NULL), TM_OK);
    for (int i = 0; i < 300; i++) {
        snprintf(key, sizeof(key), "key%d", i);
        TM_CHECK(add_msg(st, mbox, key, i) > 0);
    }
    TM_CHECK_INT(tm_store_commit(st, NULL), TM_OK);
    add_msg(st, make_mailbox(st, "Other"), "not-this", 0);
    int64_t id = add_msg(st, mbox, "key7", 7);
    TM_CHECK_INT(tm_store_message_set_flags(st, id, TM_FLAG_FLAGGED, NULL, NULL), TM_OK);
    struct key_walk w = {0};
    TM_CHECK_INT(tm_store_message_each_key(st, mbox, count_key, &w, NULL), TM_OK);
    TM_CHECK_INT(w.n, 300);
    TM_CHECK_INT(w.saw_location, 300);
    TM_CHECK_INT(w.flag_sum, TM_FLAG_FLAGGED);
    struct key_walk stop = {.stop_after = 10};
    TM_CHECK_INT(tm_store_message_each_key(st, mbox, count_key, &stop, NULL), TM_OK);
    TM_CHECK_INT(stop.n, 10);
    tm_store_free(&st);
}

struct reentry {
    struct tm_store *st;
    int64_t mbox;
    enum tm_status inner;
    int64_t count;
};

static int walk_again(void *ctx, int64_t id, const char *key, const char *loc, unsigned flags)
{
    struct reentry *r = ctx;
    struct key_walk w = {0};
    (void)id, (void)key, (void)loc, (void)flags;
    r->inner = tm_store_message_each_key(r->st, r->mbox, count_key, &w, NULL);
    tm_store_message_count(r->st, r->mbox, &r->count, NULL); /* other statements are fine */
    return 1;
}

TM_TEST(store_reentrant_walk_is_refused)
{
    char path[512];
    struct tm_store *st = open_in_tmp(path, sizeof(path));
    TM_CHECK(st);
    int64_t mbox = make_mailbox(st, "INBOX");
    add_msg(st, mbox, "a", 1);
    add_msg(st, mbox, "b", 2);
    struct reentry r = {.st = st, .mbox = mbox};
    TM_CHECK_INT(tm_store_message_each_key(st, mbox, walk_again, &r, NULL), TM_OK);
    TM_CHECK_INT(r.inner, TM_ESTORE);
    TM_CHECK_INT(r.count, 2);
    struct key_walk w = {0}; /* and the walk works again afterwards */
    TM_CHECK_INT(tm_store_message_each_key(st, mbox, count_key, &w, NULL), TM_OK);
    TM_CHECK_INT(w.n, 2);
    tm_store_free(&st);
}

struct thread_walk {
    int n;
    int64_t last_date;
    int in_order;
    int refs_seen;
};

static int take_source(void *ctx, const struct tm_thread_source *src)
{
    struct thread_walk *w = ctx;
    w->in_order &= src->date >= w->last_date;
    w->last_date = src->date;
    w->refs_seen += src->references && strcmp(src->references, "<a> <b>") == 0;
    w->n++;
    return 0;
}

/* Every message of the mailbox, in the store's own order (core sorts: cheaper than SQLite's
 * sorter over whole rows). */
TM_TEST(store_each_thread_source_walks_every_message_of_the_mailbox)
{
    char path[512];
    struct tm_store *st = open_in_tmp(path, sizeof(path));
    TM_CHECK(st);
    int64_t mbox = make_mailbox(st, "INBOX");
    add_msg(st, mbox, "c", 30);
    add_msg(st, mbox, "a", 10);
    struct tm_message_row row = {.mailbox_id = mbox,
                                 .local_key = (char *)"b",
                                 .date = 20,
                                 .message_id = (char *)"b@x",
                                 .references = (char *)"<a> <b>"};
    TM_CHECK_INT(tm_store_message_upsert(st, &row, NULL), TM_OK);
    struct thread_walk w = {.in_order = 1};
    TM_CHECK_INT(tm_store_message_each_thread_source(st, mbox, take_source, &w, NULL), TM_OK);
    TM_CHECK_INT(w.n, 3);
    TM_CHECK_INT(w.refs_seen, 1);
    tm_store_free(&st);
}

TM_TEST(store_set_flags_and_location)
{
    char path[512];
    struct tm_store *st = open_in_tmp(path, sizeof(path));
    TM_CHECK(st);
    int64_t id = add_msg(st, make_mailbox(st, "INBOX"), "k", 1);
    TM_CHECK_INT(
        tm_store_message_set_flags(st, id, TM_FLAG_SEEN | TM_FLAG_ANSWERED, "cur/k:2,RS", NULL),
        TM_OK);
    struct tm_message_row row = {0};
    TM_CHECK_INT(tm_store_message_get(st, id, &row, NULL), TM_OK);
    TM_CHECK_INT(row.flags, TM_FLAG_SEEN | TM_FLAG_ANSWERED);
    TM_CHECK_STR(row.location, "cur/k:2,RS");
    tm_message_row_cleanup(&row);
    TM_CHECK_INT(tm_store_message_set_flags(st, id, TM_FLAG_FLAGGED, NULL, NULL), TM_OK);
    TM_CHECK_INT(tm_store_message_get(st, id, &row, NULL), TM_OK);
    TM_CHECK_INT(row.flags, TM_FLAG_FLAGGED);
    TM_CHECK_STR(row.location, "cur/k:2,RS"); /* NULL keeps the location */
    tm_message_row_cleanup(&row);
    tm_store_free(&st);
}

TM_TEST(store_delete_removes_row)
{
    char path[512];
    struct tm_store *st = open_in_tmp(path, sizeof(path));
    TM_CHECK(st);
    int64_t mbox = make_mailbox(st, "INBOX"), count = -1;
    int64_t id = add_msg(st, mbox, "k", 1);
    add_msg(st, mbox, "other", 1);
    TM_CHECK_INT(tm_store_message_delete(st, id, NULL), TM_OK);
    TM_CHECK_INT(tm_store_message_count(st, mbox, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 1);
    struct tm_message_row row = {0};
    TM_CHECK_INT(tm_store_message_get(st, id, &row, NULL), TM_ENOENT);
    TM_CHECK_INT(tm_store_message_delete(st, id, NULL), TM_OK); /* deleting twice is harmless */
    tm_store_free(&st);
}

TM_TEST(store_rollback_discards_batch)
{
    char path[512];
    struct tm_store *st = open_in_tmp(path, sizeof(path));
    TM_CHECK(st);
    int64_t mbox = make_mailbox(st, "INBOX"), count = -1;
    TM_CHECK_INT(tm_store_begin(st, NULL), TM_OK);
    TM_CHECK_INT(tm_store_begin(st, NULL), TM_ESTORE); /* not nestable */
    add_msg(st, mbox, "a", 1);
    add_msg(st, mbox, "b", 1);
    tm_store_rollback(st);
    tm_store_rollback(st); /* harmless when nothing is open */
    TM_CHECK_INT(tm_store_message_count(st, mbox, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 0);
    tm_store_free(&st);
}

/* A commit that fails leaves no transaction open: a deferred foreign key keeps SQLite's open,
 * and the writes after it would join it and never be seen by another connection. */
TM_TEST(store_failed_commit_leaves_no_transaction_open)
{
    struct tm_store *writer = NULL, *reader = NULL;
    int64_t mbox = 0, count = -1;
    TM_CHECK(open_writer_and_reader(&writer, &reader, &mbox));
    struct tm_error err;
    TM_CHECK_INT(tm_store_begin(writer, NULL), TM_OK);
    TM_CHECK_INT(exec_sql(writer, "PRAGMA defer_foreign_keys = ON"), SQLITE_OK);
    TM_CHECK(add_msg(writer, mbox, "a", 1) > 0);
    TM_CHECK_INT(exec_sql(writer, "INSERT INTO messages(mailbox_id, local_key) VALUES(999, 'x')"),
                 SQLITE_OK);
    TM_CHECK_INT(tm_store_commit(writer, &err), TM_ESTORE);
    TM_CHECK(strstr(err.message, "cannot commit") != NULL);
    TM_CHECK(sqlite3_get_autocommit(writer->db));
    TM_CHECK(add_msg(writer, mbox, "b", 2) > 0);
    TM_CHECK_INT(tm_store_message_count(reader, mbox, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 1); /* "b"; "a" went with the failed transaction */
    tm_store_free(&reader);
    tm_store_free(&writer);
}

/* The end of a worker job commits a transaction someone left open, so what was written in it
 * reaches the other connections; with none open it does nothing. */
TM_TEST(store_commit_left_open_commits_what_joined_it)
{
    struct tm_store *writer = NULL, *reader = NULL;
    int64_t mbox = 0, count = -1;
    TM_CHECK(open_writer_and_reader(&writer, &reader, &mbox));
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK(!tm_store_commit_left_open(writer, &err));
    TM_CHECK_INT(tm_store_begin(writer, NULL), TM_OK);
    TM_CHECK(add_msg(writer, mbox, "a", 1) > 0);
    TM_CHECK_INT(tm_store_message_count(reader, mbox, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 0);
    TM_CHECK(tm_store_commit_left_open(writer, &err));
    TM_CHECK_INT(err.status, TM_OK);
    TM_CHECK(sqlite3_get_autocommit(writer->db));
    TM_CHECK_INT(tm_store_message_count(reader, mbox, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 1);
    TM_CHECK(!tm_store_commit_left_open(writer, &err));
    tm_store_free(&reader);
    tm_store_free(&writer);
}

TM_TEST(store_deleting_account_cascades_to_messages)
{
    char path[512];
    struct tm_store *st = open_in_tmp(path, sizeof(path));
    TM_CHECK(st);
    int64_t mbox = make_mailbox(st, "INBOX");
    add_msg(st, mbox, "a", 1);
    TM_CHECK_INT(exec_sql(st, "DELETE FROM accounts"), SQLITE_OK);
    TM_CHECK_INT(query_int(st->db, "SELECT count(*) FROM messages"), 0);
    TM_CHECK_INT(query_int(st->db, "SELECT count(*) FROM mailboxes"), 0);
    tm_store_free(&st);
}

TM_TEST(store_second_connection_reads_while_first_writes)
{
    struct tm_store *writer = NULL, *reader = NULL;
    int64_t mbox = 0, count = -1;
    TM_CHECK(open_writer_and_reader(&writer, &reader, &mbox));
    add_msg(writer, mbox, "a", 1);
    TM_CHECK_INT(tm_store_begin(writer, NULL), TM_OK);
    add_msg(writer, mbox, "b", 2);
    TM_CHECK_INT(tm_store_message_count(reader, mbox, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 1); /* the open batch is invisible, and does not block the reader */
    TM_CHECK_INT(tm_store_commit(writer, NULL), TM_OK);
    TM_CHECK_INT(tm_store_message_count(reader, mbox, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 2);
    tm_store_free(&reader);
    tm_store_free(&writer);
}

TM_TEST(store_open_fails_cleanly_on_bad_path)
{
    char path[512];
    struct tm_store *st = NULL;
    struct tm_error err;
    snprintf(path, sizeof(path), "%s/file", tm_test_tmpdir());
    FILE *f = fopen(path, "w");
    TM_CHECK(f);
    fclose(f);
    snprintf(path + strlen(path), sizeof(path) - strlen(path), "/cache.sqlite");
    TM_CHECK(tm_store_open(path, &st, &err) != TM_OK); /* parent is a regular file */
    TM_CHECK(st == NULL);
    TM_CHECK(err.message[0] != 0);
}

TM_TEST(store_first_with_flags_follows_display_order)
{
    char path[512];
    struct tm_store *st = open_in_tmp(path, sizeof(path));
    TM_CHECK(st);
    int64_t mbox = make_mailbox(st, "INBOX"), ids[5], id = 0;
    TM_CHECK_INT(fill_for_order(st, mbox, ids), 0);
    /* Display order: u10 u50 t0 t1 t2 (ids 1 0 3 4 2). Mark all seen but t1 and t2. */
    for (int i = 0; i < 5; i++)
        TM_CHECK_INT(tm_store_message_set_flags(st, ids[i], TM_FLAG_SEEN, NULL, NULL), TM_OK);
    TM_CHECK_INT(tm_store_message_set_flags(st, ids[2], 0, NULL, NULL), TM_OK);
    TM_CHECK_INT(tm_store_message_set_flags(st, ids[4], TM_FLAG_FLAGGED, NULL, NULL), TM_OK);
    TM_CHECK_INT(tm_store_message_first_with_flags(st, mbox, TM_FLAG_SEEN, 0, &id, NULL), TM_OK);
    TM_CHECK_INT(id, ids[4]); /* t1 comes before t2 in display order */
    int64_t count = -1;
    TM_CHECK_INT(tm_store_message_count_with_flags(st, mbox, TM_FLAG_SEEN, 0, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 2);
    TM_CHECK_INT(
        tm_store_message_first_with_flags(st, mbox, TM_FLAG_FLAGGED, TM_FLAG_FLAGGED, &id, NULL),
        TM_OK);
    TM_CHECK_INT(id, ids[4]);
    TM_CHECK_INT(
        tm_store_message_first_with_flags(st, mbox, TM_FLAG_DRAFT, TM_FLAG_DRAFT, &id, NULL),
        TM_ENOENT);
    tm_store_free(&st);
}

TM_TEST(store_mailbox_sort_is_recorded)
{
    char path[512];
    struct tm_store *st = open_in_tmp(path, sizeof(path));
    TM_CHECK(st);
    int64_t mbox = make_mailbox(st, "INBOX");
    char *sort = (char *)"x";
    TM_CHECK_INT(tm_store_mailbox_get_sort(st, mbox, &sort, NULL), TM_OK);
    TM_CHECK(sort == NULL);
    TM_CHECK_INT(tm_store_mailbox_set_sort(st, mbox, "date-reverse", NULL), TM_OK);
    TM_CHECK_INT(tm_store_mailbox_get_sort(st, mbox, &sort, NULL), TM_OK);
    TM_CHECK_STR(sort, "date-reverse");
    free(sort);
    tm_store_free(&st);
}
