/* test_store_uid.c - messages by IMAP UID (look-up, ordered walk, deletion, highest UID, the
 * index behind them) and cached raw bodies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_fixture.h"
#include "tm_test.h"
#include "tmail/buf.h"
#include "tmail/flags.h"
#include "tmail/store.h"

TM_TEST(store_find_uid_returns_id_and_flags)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t acct = fixture_account(st, "work");
    int64_t mbox = fixture_mailbox(st, acct, "INBOX"), other = fixture_mailbox(st, acct, "Sent");
    int64_t a = fixture_uid_msg(st, mbox, 17, TM_FLAG_SEEN | TM_FLAG_FLAGGED);
    TM_CHECK(fixture_uid_msg(st, other, 18, 0) > 0);
    struct tm_message_row local = {.mailbox_id = mbox, .local_key = (char *)"local-mail"};
    TM_CHECK_INT(tm_store_message_upsert(st, &local, NULL), TM_OK); /* uid 0 */
    int64_t id = 0;
    unsigned flags = 0;
    TM_CHECK_INT(tm_store_message_find_uid(st, mbox, 17, &id, &flags, NULL), TM_OK);
    TM_CHECK_INT(id, a);
    TM_CHECK_INT(flags, TM_FLAG_SEEN | TM_FLAG_FLAGGED);
    TM_CHECK_INT(tm_store_message_find_uid(st, mbox, 17, &id, NULL, NULL), TM_OK);
    struct tm_error err;
    TM_CHECK_INT(tm_store_message_find_uid(st, mbox, 18, &id, &flags, &err), TM_ENOENT);
    TM_CHECK(strstr(err.message, "18") != NULL);
    TM_CHECK_INT(tm_store_message_find_uid(st, mbox, 0, &id, &flags, NULL), TM_ENOENT);
    tm_store_free(&st);
}

struct uid_walk {
    int n;
    int64_t last_uid;
    int ascending;
    unsigned flag_sum;
    int stop_after;
    struct tm_store *st; /* when set, the callback deletes every even uid it is given */
    int64_t mailbox;
    int deleted;
};

static int take_uid(void *ctx, int64_t id, int64_t uid, unsigned flags)
{
    struct uid_walk *w = ctx;
    (void)id;
    w->ascending &= uid > w->last_uid;
    w->last_uid = uid;
    w->flag_sum += flags;
    w->n++;
    if (w->st && uid % 2 == 0) {
        int deleted = 0;
        if (tm_store_message_delete_uid(w->st, w->mailbox, uid, &deleted, NULL) == TM_OK)
            w->deleted += deleted;
    }
    return w->stop_after && w->n >= w->stop_after;
}

/* Adds uids 1..n to mbox in a scrambled order (all with flags), in one batch. */
static int add_scrambled(struct tm_store *st, int64_t mbox, int n, unsigned flags)
{
    if (tm_store_begin(st, NULL))
        return -1;
    for (int i = 0; i < n; i++) {
        int uid = (i * 7919) % n + 1; /* 7919 is prime: a permutation of 1..n */
        if (!fixture_uid_msg(st, mbox, uid, flags))
            return -1;
    }
    return tm_store_commit(st, NULL) ? -1 : 0;
}

TM_TEST(store_each_uid_walks_in_ascending_uid_order)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t acct = fixture_account(st, "work");
    int64_t mbox = fixture_mailbox(st, acct, "INBOX"), other = fixture_mailbox(st, acct, "Sent");
    TM_CHECK_INT(add_scrambled(st, mbox, 1000, TM_FLAG_SEEN), 0); /* several chunks */
    TM_CHECK(fixture_uid_msg(st, other, 5000, 0) > 0);
    struct uid_walk w = {.ascending = 1};
    TM_CHECK_INT(tm_store_message_each_uid(st, mbox, take_uid, &w, NULL), TM_OK);
    TM_CHECK_INT(w.n, 1000);
    TM_CHECK(w.ascending);
    TM_CHECK_INT(w.last_uid, 1000);
    TM_CHECK_INT(w.flag_sum, 1000 * TM_FLAG_SEEN);
    struct uid_walk stop = {.ascending = 1, .stop_after = 300};
    TM_CHECK_INT(tm_store_message_each_uid(st, mbox, take_uid, &stop, NULL), TM_OK);
    TM_CHECK_INT(stop.n, 300);
    TM_CHECK_INT(stop.last_uid, 300);
    struct uid_walk empty = {.ascending = 1};
    TM_CHECK_INT(tm_store_message_each_uid(st, 999, take_uid, &empty, NULL), TM_OK);
    TM_CHECK_INT(empty.n, 0);
    tm_store_free(&st);
}

TM_TEST(store_each_uid_skips_local_mail)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t mbox = fixture_mailbox(st, fixture_account(st, "work"), "INBOX");
    char key[32];
    TM_CHECK_INT(tm_store_begin(st, NULL), TM_OK);
    for (int i = 0; i < 600; i++) { /* more than two chunks, some keys among the uid keys */
        snprintf(key, sizeof(key), i % 3 ? "local%d" : "%010d", i * 1000 + 500);
        struct tm_message_row row = {.mailbox_id = mbox, .local_key = key};
        TM_CHECK_INT(tm_store_message_upsert(st, &row, NULL), TM_OK);
    }
    for (int uid = 1; uid <= 300; uid++)
        TM_CHECK(fixture_uid_msg(st, mbox, uid * 1000, 0) > 0);
    TM_CHECK_INT(tm_store_commit(st, NULL), TM_OK);
    struct uid_walk w = {.ascending = 1};
    TM_CHECK_INT(tm_store_message_each_uid(st, mbox, take_uid, &w, NULL), TM_OK);
    TM_CHECK_INT(w.n, 300);
    TM_CHECK(w.ascending);
    TM_CHECK_INT(w.last_uid, 300000);
    int64_t max = 0, id = 0;
    TM_CHECK_INT(tm_store_message_max_uid(st, mbox, &max, NULL), TM_OK);
    TM_CHECK_INT(max, 300000);
    /* a local message whose key looks like a uid's is still not that uid's message */
    TM_CHECK_INT(tm_store_message_find_uid(st, mbox, 500, &id, NULL, NULL), TM_ENOENT);
    int deleted = 7;
    TM_CHECK_INT(tm_store_message_delete_uid(st, mbox, 500, &deleted, NULL), TM_OK);
    TM_CHECK_INT(deleted, 0);
    TM_CHECK_INT(tm_store_message_delete_uid(st, mbox, 0, &deleted, NULL), TM_OK);
    TM_CHECK_INT(deleted, 0); /* uid 0 never names a message */
    int64_t count = 0;
    TM_CHECK_INT(tm_store_message_count(st, mbox, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 900);
    tm_store_free(&st);
}

TM_TEST(store_message_with_uid_is_keyed_by_it)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t mbox = fixture_mailbox(st, fixture_account(st, "work"), "INBOX");
    struct tm_message_row row = {.mailbox_id = mbox, .uid = 17, .flags = TM_FLAG_SEEN};
    TM_CHECK_INT(tm_store_message_upsert(st, &row, NULL), TM_OK); /* no key: the uid's */
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM messages WHERE local_key = '0000000017'"),
                 1);
    struct tm_message_row same = {.mailbox_id = mbox, .uid = 17, .local_key = "0000000017"};
    TM_CHECK_INT(tm_store_message_upsert(st, &same, NULL), TM_OK);
    TM_CHECK_INT(same.id, row.id); /* the same message, updated */
    struct tm_error err;
    struct tm_message_row other = {.mailbox_id = mbox, .uid = 18, .local_key = "18"};
    TM_CHECK_INT(tm_store_message_upsert(st, &other, &err), TM_ESTORE);
    TM_CHECK(strstr(err.message, "18") != NULL);
    struct tm_message_row big = {.mailbox_id = mbox, .uid = 4294967296LL};
    TM_CHECK_INT(tm_store_message_upsert(st, &big, NULL), TM_ESTORE);
    struct tm_message_row neg = {.mailbox_id = mbox, .uid = -1, .local_key = "neg"};
    TM_CHECK_INT(tm_store_message_upsert(st, &neg, NULL), TM_ESTORE);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM messages"), 1);
    char key[TM_STORE_UID_KEY_SIZE];
    tm_store_uid_key(4294967295LL, key);
    TM_CHECK_STR(key, "4294967295");
    tm_store_uid_key(1, key);
    TM_CHECK_STR(key, "0000000001");
    tm_store_free(&st);
}

TM_TEST(store_each_uid_callback_may_delete_rows)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t mbox = fixture_mailbox(st, fixture_account(st, "work"), "INBOX"), count = -1;
    TM_CHECK_INT(add_scrambled(st, mbox, 700, 0), 0);
    struct uid_walk w = {.ascending = 1, .st = st, .mailbox = mbox};
    TM_CHECK_INT(tm_store_message_each_uid(st, mbox, take_uid, &w, NULL), TM_OK);
    TM_CHECK_INT(w.n, 700);
    TM_CHECK(w.ascending);
    TM_CHECK_INT(w.deleted, 350);
    TM_CHECK_INT(tm_store_message_count(st, mbox, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 350);
    struct uid_walk again = {.ascending = 1};
    TM_CHECK_INT(tm_store_message_each_uid(st, mbox, take_uid, &again, NULL), TM_OK);
    TM_CHECK_INT(again.n, 350);
    TM_CHECK_INT(again.last_uid, 699);
    tm_store_free(&st);
}

TM_TEST(store_delete_uid_reports_whether_it_deleted)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t acct = fixture_account(st, "work");
    int64_t mbox = fixture_mailbox(st, acct, "INBOX"), other = fixture_mailbox(st, acct, "Sent");
    int64_t id = fixture_uid_msg(st, mbox, 42, 0);
    TM_CHECK(fixture_uid_msg(st, other, 42, 0) > 0);
    TM_CHECK_INT(tm_store_body_put(st, id, "raw", 3, NULL), TM_OK);
    int deleted = -1;
    TM_CHECK_INT(tm_store_message_delete_uid(st, mbox, 42, &deleted, NULL), TM_OK);
    TM_CHECK_INT(deleted, 1);
    TM_CHECK_INT(tm_store_message_delete_uid(st, mbox, 42, &deleted, NULL), TM_OK);
    TM_CHECK_INT(deleted, 0);
    TM_CHECK_INT(tm_store_message_delete_uid(st, mbox, 43, NULL, NULL), TM_OK);
    TM_CHECK_INT(tm_store_message_find_uid(st, other, 42, &id, NULL, NULL), TM_OK);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM bodies"), 0);
    tm_store_free(&st);
}

TM_TEST(store_max_uid_is_zero_when_empty)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t acct = fixture_account(st, "work");
    int64_t mbox = fixture_mailbox(st, acct, "INBOX"), other = fixture_mailbox(st, acct, "Sent");
    int64_t max = -1;
    TM_CHECK_INT(tm_store_message_max_uid(st, mbox, &max, NULL), TM_OK);
    TM_CHECK_INT(max, 0);
    TM_CHECK(fixture_uid_msg(st, mbox, 7, 0) > 0);
    TM_CHECK(fixture_uid_msg(st, mbox, 3000000000LL, 0) > 0); /* UIDs are 32-bit unsigned */
    TM_CHECK(fixture_uid_msg(st, mbox, 12, 0) > 0);
    TM_CHECK(fixture_uid_msg(st, other, 4294967295LL, 0) > 0);
    TM_CHECK_INT(fixture_uid_msg(st, other, 9999999999LL, 0), 0); /* beyond 32 bits: refused */
    TM_CHECK_INT(tm_store_message_max_uid(st, mbox, &max, NULL), TM_OK);
    TM_CHECK_INT(max, 3000000000LL);
    TM_CHECK_INT(tm_store_message_delete_uid(st, mbox, 3000000000LL, NULL, NULL), TM_OK);
    TM_CHECK_INT(tm_store_message_max_uid(st, mbox, &max, NULL), TM_OK);
    TM_CHECK_INT(max, 12);
    tm_store_free(&st);
}

static int stop_at_once(void *ctx, int64_t id, int64_t uid, unsigned flags)
{
    (void)ctx, (void)id, (void)uid, (void)flags;
    return 1;
}

TM_TEST(store_uid_queries_use_the_key_index)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t mbox = fixture_mailbox(st, fixture_account(st, "work"), "INBOX"), id = 0;
    TM_CHECK(fixture_uid_msg(st, mbox, 1, 0) > 0);
    /* run each once so its cached statement exists, then explain exactly that SQL */
    TM_CHECK_INT(tm_store_message_find_uid(st, mbox, 1, &id, NULL, NULL), TM_OK);
    TM_CHECK_INT(tm_store_message_each_uid(st, mbox, stop_at_once, NULL, NULL), TM_OK);
    TM_CHECK_INT(tm_store_message_delete_uid(st, mbox, 2, NULL, NULL), TM_OK);
    TM_CHECK_INT(tm_store_message_max_uid(st, mbox, &id, NULL), TM_OK);
    static const enum store_stmt ids[] = {STMT_MSG_FIND_UID, STMT_MSG_EACH_UID, STMT_MSG_DELETE_UID,
                                          STMT_MSG_MAX_UID};
    int bad = -1;
    for (int i = 0; i < 4; i++) {
        if (!fixture_plan_uses(st, sqlite3_sql(st->stmts[ids[i]]), "sqlite_autoindex_messages_1"))
            bad = i;
    }
    TM_CHECK_INT(bad, -1);
    tm_store_free(&st);
}

TM_TEST(store_bulk_upsert_then_uid_lookups)
{
    /* the shape of an IMAP first sync and resync, scaled down for the sanitizer build */
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t mbox = fixture_mailbox(st, fixture_account(st, "work"), "INBOX");
    TM_CHECK_INT(add_scrambled(st, mbox, 5000, 0), 0);
    int misses = 0;
    TM_CHECK_INT(tm_store_begin(st, NULL), TM_OK);
    for (int uid = 1; uid <= 5000; uid++) {
        int64_t id = 0;
        unsigned flags = 1;
        if (tm_store_message_find_uid(st, mbox, uid, &id, &flags, NULL) || flags != 0 ||
            tm_store_message_set_flags(st, id, TM_FLAG_SEEN, NULL, NULL))
            misses++;
    }
    TM_CHECK_INT(tm_store_commit(st, NULL), TM_OK);
    TM_CHECK_INT(misses, 0);
    int64_t unread = -1;
    TM_CHECK_INT(tm_store_message_count_with_flags(st, mbox, TM_FLAG_SEEN, 0, &unread, NULL),
                 TM_OK);
    TM_CHECK_INT(unread, 0);
    tm_store_free(&st);
}

TM_TEST(store_body_put_get_has_and_replace)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t id =
        fixture_uid_msg(st, fixture_mailbox(st, fixture_account(st, "work"), "INBOX"), 1, 0);
    static const char raw[] = "Subject: hi\r\n\r\nbinary\0after NUL\r\n";
    bool has = true;
    TM_CHECK_INT(tm_store_body_has(st, id, &has, NULL), TM_OK);
    TM_CHECK(!has);
    TM_CHECK_INT(tm_store_body_put(st, id, raw, sizeof(raw) - 1, NULL), TM_OK);
    TM_CHECK_INT(tm_store_body_has(st, id, &has, NULL), TM_OK);
    TM_CHECK(has);
    struct tm_buf out;
    tm_buf_init(&out, 0);
    TM_CHECK_INT(tm_buf_append_str(&out, ">>"), TM_OK);
    TM_CHECK_INT(tm_store_body_get(st, id, &out, NULL), TM_OK);
    int same = out.len == 2 + sizeof(raw) - 1 && memcmp(out.data, ">>", 2) == 0 &&
               memcmp(out.data + 2, raw, sizeof(raw) - 1) == 0; /* appended, NULs kept */
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM bodies WHERE fetched_at > 0"), 1);
    TM_CHECK_INT(tm_store_body_put(st, id, "short", 5, NULL), TM_OK);
    tm_buf_reset(&out);
    TM_CHECK_INT(tm_store_body_get(st, id, &out, NULL), TM_OK);
    int replaced = out.len == 5 && memcmp(out.data, "short", 5) == 0;
    TM_CHECK_INT(tm_store_body_put(st, id, NULL, 0, NULL), TM_OK); /* an empty message */
    tm_buf_reset(&out);
    TM_CHECK_INT(tm_store_body_get(st, id, &out, NULL), TM_OK);
    size_t empty_len = out.len;
    tm_buf_cleanup(&out);
    TM_CHECK(same);
    TM_CHECK(replaced);
    TM_CHECK_INT(empty_len, 0);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM bodies"), 1);
    tm_store_free(&st);
}

TM_TEST(store_body_get_respects_the_buffer_limit)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t id =
        fixture_uid_msg(st, fixture_mailbox(st, fixture_account(st, "work"), "INBOX"), 1, 0);
    char raw[4096];
    memset(raw, 'x', sizeof(raw));
    TM_CHECK_INT(tm_store_body_put(st, id, raw, sizeof(raw), NULL), TM_OK);
    struct tm_buf out;
    struct tm_error err;
    tm_buf_init(&out, 4096);
    TM_CHECK_INT(tm_buf_append_str(&out, "y"), TM_OK);
    enum tm_status rc = tm_store_body_get(st, id, &out, &err); /* 4097 bytes > 4096 */
    size_t len = out.len;
    tm_buf_reset(&out);
    enum tm_status fits = tm_store_body_get(st, id, &out, NULL);
    size_t full = out.len;
    tm_buf_cleanup(&out);
    TM_CHECK_INT(rc, TM_ELIMIT);
    TM_CHECK(err.message[0] != 0);
    TM_CHECK_INT(len, 1); /* unchanged */
    TM_CHECK_INT(fits, TM_OK);
    TM_CHECK_INT(full, 4096);
    tm_store_free(&st);
}

TM_TEST(store_body_of_missing_message_is_enoent)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t id =
        fixture_uid_msg(st, fixture_mailbox(st, fixture_account(st, "work"), "INBOX"), 1, 0);
    struct tm_buf out;
    struct tm_error err;
    tm_buf_init(&out, 0);
    enum tm_status not_cached = tm_store_body_get(st, id, &out, &err);
    tm_buf_cleanup(&out);
    TM_CHECK_INT(not_cached, TM_ENOENT);
    TM_CHECK(err.message[0] != 0);
    TM_CHECK_INT(tm_store_body_put(st, 9999, "x", 1, &err), TM_ENOENT);
    bool has = true;
    TM_CHECK_INT(tm_store_body_has(st, 9999, &has, NULL), TM_OK);
    TM_CHECK(!has);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM bodies"), 0);
    tm_store_free(&st);
}

TM_TEST(store_migration_11_pads_uid_keys_and_drops_duplicates)
{
    char path[512];
    struct tm_store raw; /* what tmail with schema 10 left behind */
    TM_CHECK_INT(fixture_old_file(10, path, sizeof(path), &raw), TM_OK);
    int rc = sqlite3_exec(
        raw.db,
        "INSERT INTO accounts(id, name, url) VALUES(1, 'work', 'imaps://a');"
        "INSERT INTO mailboxes(id, account_id, name) VALUES(7, 1, 'INBOX'), (8, 1, 'Sent');"
        "INSERT INTO messages(id, mailbox_id, uid, local_key, flags, subject) VALUES"
        "  (1, 7, 56, '56', 1, 'old key'), (2, 7, 9, '0000000009', 0, 'new key'),"
        "  (3, 7, 9, '9', 0, 'both keys'), (4, 8, 56, '56', 0, 'other mailbox'),"
        "  (5, 7, 0, 'local', 0, 'local mail');",
        NULL, NULL, NULL);
    sqlite3_close(raw.db);
    TM_CHECK_INT(rc, SQLITE_OK);

    struct tm_store *st = NULL;
    TM_CHECK_INT(tm_store_open(path, &st, NULL), TM_OK);
    TM_CHECK_INT(tm_store_schema_version(st), TM_STORE_SCHEMA_VERSION);
    int64_t id = 0;
    unsigned flags = 0;
    TM_CHECK_INT(tm_store_message_find_uid(st, 7, 56, &id, &flags, NULL), TM_OK);
    TM_CHECK_INT(id, 1);
    TM_CHECK_INT(flags, 1);
    TM_CHECK_INT(tm_store_message_find_uid(st, 7, 9, &id, NULL, NULL), TM_OK);
    TM_CHECK_INT(id, 2); /* the duplicate under the old key is gone */
    TM_CHECK_INT(tm_store_message_find_uid(st, 8, 56, &id, NULL, NULL), TM_OK);
    TM_CHECK_INT(id, 4);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM messages"), 4);
    TM_CHECK_INT(fixture_int(st, "SELECT local_key = 'local' FROM messages WHERE id = 5"), 1);
    int64_t max = 0;
    TM_CHECK_INT(tm_store_message_max_uid(st, 7, &max, NULL), TM_OK);
    TM_CHECK_INT(max, 56);
    tm_store_free(&st);
}
