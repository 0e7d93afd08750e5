/* test_store_mailbox.c - schema 4 mailboxes: the 3 -> 4 migration, IMAP sync state, reset, LIST
 * metadata, the folder listing, special-use look-up, deletion cascades and rename. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_fixture.h"
#include "tm_test.h"
#include "tmail/buf.h"
#include "tmail/flags.h"
#include "tmail/store.h"

TM_TEST(store_migrates_v3_file_to_v4_keeping_rows)
{
    char path[512];
    struct tm_store raw; /* a bare connection: what tmail 3 left behind */
    TM_CHECK_INT(fixture_old_file(3, path, sizeof(path), &raw), TM_OK);
    int rc = sqlite3_exec(
        raw.db,
        "INSERT INTO accounts(id, name, url) VALUES(1, 'work', 'imaps://a');"
        "INSERT INTO mailboxes(id, account_id, name, uidvalidity, uidnext, highest_modseq, "
        "  display_sort) VALUES(7, 1, 'INBOX', 1234, 57, 900, 'threads');"
        "INSERT INTO messages(id, mailbox_id, uid, local_key, flags, subject) "
        "  VALUES(3, 7, 56, '56', 1, 'kept'), (4, 7, 55, '55', 0, 'also kept');",
        NULL, NULL, NULL);
    int version = (int)fixture_int(&raw, "PRAGMA user_version");
    sqlite3_close(raw.db);
    TM_CHECK_INT(rc, SQLITE_OK);
    TM_CHECK_INT(version, 3);

    struct tm_store *st = NULL;
    TM_CHECK_INT(tm_store_open(path, &st, NULL), TM_OK);
    TM_CHECK_INT(tm_store_schema_version(st), TM_STORE_SCHEMA_VERSION);
    TM_CHECK_INT(fixture_int(st, "PRAGMA user_version"), TM_STORE_SCHEMA_VERSION);
    struct tm_message_row row = {0};
    TM_CHECK_INT(tm_store_message_get(st, 3, &row, NULL), TM_OK);
    TM_CHECK_STR(row.subject, "kept");
    tm_message_row_cleanup(&row);
    struct tm_mailbox_state state = {0};
    TM_CHECK_INT(tm_store_mailbox_get_state(st, 7, &state, NULL), TM_OK);
    TM_CHECK_INT(state.uidvalidity, 1234);
    TM_CHECK_INT(state.uidnext, 57);
    TM_CHECK_INT(state.highest_modseq, 900);
    char *sort = NULL;
    TM_CHECK_INT(tm_store_mailbox_get_sort(st, 7, &sort, NULL), TM_OK);
    TM_CHECK_STR(sort, "threads");
    free(sort);
    TM_CHECK_INT(fixture_int(st, "SELECT attrs + subscribed FROM mailboxes WHERE id = 7"), 0);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM mailboxes WHERE id = 7 AND delimiter IS "
                                 "NULL AND special_use IS NULL AND server_total IS NULL"),
                 1);
    int64_t id = 0, max = 0;
    TM_CHECK_INT(tm_store_message_find_uid(st, 7, 55, &id, NULL, NULL), TM_OK);
    TM_CHECK_INT(id, 4);
    TM_CHECK_INT(tm_store_message_max_uid(st, 7, &max, NULL), TM_OK);
    TM_CHECK_INT(max, 56);
    TM_CHECK_INT(tm_store_body_put(st, 3, "x", 1, NULL), TM_OK);
    tm_store_free(&st);
}

TM_TEST(store_fresh_file_has_schema_4_tables)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM sqlite_schema WHERE name IN ('bodies', "
                                 "'pending_ops', 'pending_ops_account')"),
                 3);
    /* schema 11: the key index serves look-ups by uid */
    TM_CHECK_INT(
        fixture_int(st, "SELECT count(*) FROM sqlite_schema WHERE name = 'messages_mailbox_uid'"),
        0);
    TM_CHECK_INT(fixture_int(st, "PRAGMA foreign_keys"), 1);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    tm_store_free(&st);
}

TM_TEST(store_mailbox_state_round_trip)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t mbox = fixture_mailbox(st, fixture_account(st, "work"), "INBOX");
    struct tm_mailbox_state got = {1, 2, 3};
    TM_CHECK_INT(tm_store_mailbox_get_state(st, mbox, &got, NULL), TM_OK);
    TM_CHECK(got.uidvalidity == 0 && got.uidnext == 0 && got.highest_modseq == 0);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM mailboxes WHERE synced_at IS NULL"), 1);
    struct tm_mailbox_state state = {
        .uidvalidity = 4294967295LL, .uidnext = 100001, .highest_modseq = 9007199254740993LL};
    TM_CHECK_INT(tm_store_mailbox_set_state(st, mbox, &state, NULL), TM_OK);
    TM_CHECK_INT(tm_store_mailbox_get_state(st, mbox, &got, NULL), TM_OK);
    TM_CHECK_INT(got.uidvalidity, 4294967295LL);
    TM_CHECK_INT(got.uidnext, 100001);
    TM_CHECK_INT(got.highest_modseq, 9007199254740993LL);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM mailboxes WHERE synced_at > 0"), 1);
    state.highest_modseq = 0; /* a server without CONDSTORE */
    TM_CHECK_INT(tm_store_mailbox_set_state(st, mbox, &state, NULL), TM_OK);
    TM_CHECK_INT(tm_store_mailbox_get_state(st, mbox, &got, NULL), TM_OK);
    TM_CHECK_INT(got.highest_modseq, 0);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM mailboxes WHERE highest_modseq IS NULL"), 1);
    struct tm_error err;
    TM_CHECK_INT(tm_store_mailbox_get_state(st, 999, &got, &err), TM_ENOENT);
    TM_CHECK(err.message[0] != 0);
    TM_CHECK_INT(tm_store_mailbox_set_state(st, 999, &state, NULL), TM_ENOENT);
    tm_store_free(&st);
}

/* Queues an EXPUNGE of uid in mailbox; 0 on failure. */
static int64_t queue_expunge(struct tm_store *st, int64_t account, int64_t mailbox, int64_t uid)
{
    struct tm_pending_op op = {
        .account_id = account, .mailbox_id = mailbox, .uid = uid, .kind = TM_PENDING_EXPUNGE};
    int64_t id = 0;
    return tm_store_pending_add(st, &op, &id, NULL) ? 0 : id;
}

TM_TEST(store_mailbox_reset_deletes_messages_and_bodies_keeps_mailbox)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t acct = fixture_account(st, "work");
    struct tm_mailbox_meta meta = {
        .name = "INBOX", .delimiter = "/", .attrs = 5, .subscribed = true};
    int64_t mbox = 0, other = fixture_mailbox(st, acct, "Archive"), count = -1;
    TM_CHECK_INT(tm_store_mailbox_upsert_meta(st, acct, &meta, &mbox, NULL), TM_OK);
    TM_CHECK_INT(tm_store_mailbox_set_sort(st, mbox, "threads", NULL), TM_OK);
    TM_CHECK_INT(tm_store_mailbox_set_counts(st, mbox, 3, 1, NULL), TM_OK);
    struct tm_mailbox_state state = {.uidvalidity = 10, .uidnext = 4, .highest_modseq = 77};
    TM_CHECK_INT(tm_store_mailbox_set_state(st, mbox, &state, NULL), TM_OK);
    for (int uid = 1; uid <= 3; uid++) {
        int64_t id = fixture_uid_msg(st, mbox, uid, 0);
        TM_CHECK(id > 0);
        TM_CHECK_INT(tm_store_body_put(st, id, "raw", 3, NULL), TM_OK);
    }
    int64_t kept = fixture_uid_msg(st, other, 1, 0);
    TM_CHECK_INT(tm_store_body_put(st, kept, "other", 5, NULL), TM_OK);
    TM_CHECK(queue_expunge(st, acct, mbox, 2) > 0);
    TM_CHECK(queue_expunge(st, acct, other, 1) > 0);

    TM_CHECK_INT(tm_store_mailbox_reset(st, mbox, NULL), TM_OK);
    TM_CHECK_INT(tm_store_message_count(st, mbox, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 0);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM bodies"), 1); /* the other mailbox's */
    TM_CHECK_INT(tm_store_pending_count(st, acct, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 1);
    TM_CHECK_INT(tm_store_message_count(st, other, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 1);
    TM_CHECK_INT(tm_store_mailbox_get_state(st, mbox, &state, NULL), TM_OK);
    TM_CHECK(state.uidvalidity == 0 && state.uidnext == 0 && state.highest_modseq == 0);
    int64_t again = 0;
    TM_CHECK_INT(tm_store_mailbox_find(st, acct, "INBOX", &again, NULL), TM_OK);
    TM_CHECK_INT(again, mbox);
    char *sort = NULL;
    TM_CHECK_INT(tm_store_mailbox_get_sort(st, mbox, &sort, NULL), TM_OK);
    TM_CHECK_STR(sort, "threads");
    free(sort);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM mailboxes WHERE name = 'INBOX' AND "
                                 "delimiter = '/' AND attrs = 5 AND subscribed = 1 AND "
                                 "server_total = 3 AND synced_at IS NULL"),
                 1);
    TM_CHECK_INT(tm_store_mailbox_reset(st, 999, NULL), TM_ENOENT);
    TM_CHECK(sqlite3_get_autocommit(st->db)); /* nothing left open */
    tm_store_free(&st);
}

TM_TEST(store_mailbox_reset_inside_batch_rolls_back_with_it)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t mbox = fixture_mailbox(st, fixture_account(st, "work"), "INBOX"), count = -1;
    TM_CHECK(fixture_uid_msg(st, mbox, 1, 0) > 0);
    TM_CHECK_INT(tm_store_begin(st, NULL), TM_OK);
    TM_CHECK_INT(tm_store_mailbox_reset(st, mbox, NULL), TM_OK);
    TM_CHECK(!sqlite3_get_autocommit(st->db)); /* still the caller's batch */
    TM_CHECK_INT(tm_store_mailbox_reset(st, 999, NULL), TM_ENOENT);
    TM_CHECK(!sqlite3_get_autocommit(st->db)); /* a failed reset leaves the batch usable */
    TM_CHECK(fixture_uid_msg(st, mbox, 2, 0) > 0);
    TM_CHECK_INT(tm_store_message_count(st, mbox, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 1);
    tm_store_rollback(st);
    TM_CHECK_INT(tm_store_message_count(st, mbox, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 1);
    int64_t id = 0;
    TM_CHECK_INT(tm_store_message_find_uid(st, mbox, 1, &id, NULL, NULL), TM_OK);
    tm_store_free(&st);
}

TM_TEST(store_mailbox_upsert_meta_creates_then_updates)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t acct = fixture_account(st, "work"), id = 0, again = 0, ensured = 0, count = -1;
    struct tm_mailbox_meta meta = {.name = "Sent Items",
                                   .delimiter = ".",
                                   .special_use = "\\Sent",
                                   .attrs = 0x12,
                                   .subscribed = true};
    TM_CHECK_INT(tm_store_mailbox_upsert_meta(st, acct, &meta, &id, NULL), TM_OK);
    TM_CHECK(id > 0);
    TM_CHECK(fixture_uid_msg(st, id, 9, 0) > 0);
    struct tm_mailbox_meta changed = {.name = "Sent Items", .attrs = 0x1};
    TM_CHECK_INT(tm_store_mailbox_upsert_meta(st, acct, &changed, &again, NULL), TM_OK);
    TM_CHECK_INT(again, id);
    TM_CHECK_INT(tm_store_mailbox_ensure(st, acct, "Sent Items", &ensured, NULL), TM_OK);
    TM_CHECK_INT(ensured, id);
    TM_CHECK_INT(tm_store_message_count(st, id, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 1); /* messages survive a metadata update */
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM mailboxes WHERE attrs = 1 AND subscribed = "
                                 "0 AND delimiter IS NULL AND special_use IS NULL"),
                 1);
    TM_CHECK(tm_store_mailbox_upsert_meta(st, 999, &meta, &id, NULL) != TM_OK); /* no account */
    struct tm_mailbox_meta nameless = {0};
    TM_CHECK_INT(tm_store_mailbox_upsert_meta(st, acct, &nameless, &id, NULL), TM_ESTORE);
    tm_store_free(&st);
}

/* What a mailbox walk saw, as "name:total/unread/server_total/server_unseen" lines. */
struct listing_walk {
    char seen[1024];
    int n;
    int stop_after;
    struct tm_store *st;  /* when set, the callback uses the store during the walk */
    int64_t delete_id;    /* ... deleting this mailbox */
    enum tm_status inner; /* ... and walking again inside */
    int inner_n;
};

static int count_mailbox(void *ctx, const struct tm_mailbox_listing *mb)
{
    int *n = ctx;
    (*n)++;
    (void)mb;
    return 0;
}

static int take_mailbox(void *ctx, const struct tm_mailbox_listing *mb)
{
    struct listing_walk *w = ctx;
    size_t len = strlen(w->seen);
    snprintf(w->seen + len, sizeof(w->seen) - len, "%s:%lld/%lld/%lld/%lld%s%s%s;", mb->name,
             (long long)mb->total, (long long)mb->unread, (long long)mb->server_total,
             (long long)mb->server_unseen, mb->special_use ? mb->special_use : "",
             mb->delimiter ? mb->delimiter : "", mb->subscribed ? "+" : "");
    w->n++;
    if (w->st && w->delete_id) {
        tm_store_mailbox_delete(w->st, w->delete_id, NULL);
        w->delete_id = 0;
        w->inner_n = 0;
        w->inner = tm_store_mailbox_each(w->st, 1, count_mailbox, &w->inner_n, NULL);
    }
    return w->stop_after && w->n >= w->stop_after;
}

TM_TEST(store_mailbox_each_lists_in_name_order_with_unread_counts)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t acct = fixture_account(st, "work"), other = fixture_account(st, "home");
    struct tm_mailbox_meta sent = {
        .name = "Sent", .delimiter = "/", .special_use = "\\Sent", .subscribed = true};
    int64_t sent_id = 0, inbox = fixture_mailbox(st, acct, "INBOX");
    int64_t archive = fixture_mailbox(st, acct, "Archive");
    TM_CHECK_INT(tm_store_mailbox_upsert_meta(st, acct, &sent, &sent_id, NULL), TM_OK);
    TM_CHECK(fixture_mailbox(st, other, "AAA elsewhere") > 0);
    TM_CHECK(fixture_uid_msg(st, inbox, 1, TM_FLAG_SEEN) > 0);
    TM_CHECK(fixture_uid_msg(st, inbox, 2, TM_FLAG_FLAGGED) > 0);
    TM_CHECK(fixture_uid_msg(st, inbox, 3, 0) > 0);
    TM_CHECK(fixture_uid_msg(st, archive, 1, TM_FLAG_SEEN | TM_FLAG_ANSWERED) > 0);
    TM_CHECK_INT(tm_store_mailbox_set_counts(st, inbox, 40, 7, NULL), TM_OK);
    TM_CHECK_INT(tm_store_mailbox_set_counts(st, archive, 12, -1, NULL), TM_OK);

    struct listing_walk w = {0};
    TM_CHECK_INT(tm_store_mailbox_each(st, acct, take_mailbox, &w, NULL), TM_OK);
    TM_CHECK_STR(w.seen, "Archive:1/0/12/-1;INBOX:3/2/40/7;Sent:0/0/-1/-1\\Sent/+;");
    TM_CHECK_INT(tm_store_mailbox_set_counts(st, inbox, -1, -1, NULL), TM_OK);
    TM_CHECK_INT(tm_store_mailbox_set_counts(st, 999, 1, 1, NULL), TM_ENOENT);
    struct listing_walk first = {.stop_after = 2};
    TM_CHECK_INT(tm_store_mailbox_each(st, acct, take_mailbox, &first, NULL), TM_OK);
    TM_CHECK_STR(first.seen, "Archive:1/0/12/-1;INBOX:3/2/-1/-1;");
    struct listing_walk none = {0};
    TM_CHECK_INT(tm_store_mailbox_each(st, 999, take_mailbox, &none, NULL), TM_OK);
    TM_CHECK_INT(none.n, 0);
    tm_store_free(&st);
}

TM_TEST(store_mailbox_each_callback_may_use_the_store)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t acct = fixture_account(st, "work");
    TM_CHECK_INT(acct, 1);
    TM_CHECK(fixture_mailbox(st, acct, "A") > 0);
    int64_t b = fixture_mailbox(st, acct, "B");
    TM_CHECK(fixture_mailbox(st, acct, "C") > 0);
    struct listing_walk w = {.st = st, .delete_id = b};
    TM_CHECK_INT(tm_store_mailbox_each(st, acct, take_mailbox, &w, NULL), TM_OK);
    TM_CHECK_STR(w.seen, "A:0/0/-1/-1;C:0/0/-1/-1;"); /* B was deleted before the walk got there */
    TM_CHECK_INT(w.inner, TM_OK);                     /* a nested walk is fine */
    TM_CHECK_INT(w.inner_n, 2);
    tm_store_free(&st);
}

TM_TEST(store_mailbox_find_special_ignores_case)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t acct = fixture_account(st, "work"), other = fixture_account(st, "home");
    int64_t sent = 0, trash = 0, elsewhere = 0, id = 0;
    struct tm_mailbox_meta m1 = {.name = "Gesendet", .special_use = "\\Sent"};
    struct tm_mailbox_meta m2 = {.name = "Papierkorb", .special_use = "\\Trash"};
    struct tm_mailbox_meta m3 = {.name = "Drafts", .special_use = "\\Drafts"};
    TM_CHECK_INT(tm_store_mailbox_upsert_meta(st, acct, &m1, &sent, NULL), TM_OK);
    TM_CHECK_INT(tm_store_mailbox_upsert_meta(st, acct, &m2, &trash, NULL), TM_OK);
    TM_CHECK_INT(tm_store_mailbox_upsert_meta(st, other, &m3, &elsewhere, NULL), TM_OK);
    TM_CHECK_INT(tm_store_mailbox_find_special(st, acct, "\\Sent", &id, NULL), TM_OK);
    TM_CHECK_INT(id, sent);
    TM_CHECK_INT(tm_store_mailbox_find_special(st, acct, "\\TRASH", &id, NULL), TM_OK);
    TM_CHECK_INT(id, trash);
    struct tm_error err;
    TM_CHECK_INT(tm_store_mailbox_find_special(st, acct, "\\Drafts", &id, &err), TM_ENOENT);
    TM_CHECK(err.message[0] != 0);
    tm_store_free(&st);
}

TM_TEST(store_mailbox_find_never_creates)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t acct = fixture_account(st, "work"), inbox = fixture_mailbox(st, acct, "INBOX");
    int64_t id = 0;
    TM_CHECK_INT(tm_store_mailbox_find(st, acct, "INBOX", &id, NULL), TM_OK);
    TM_CHECK_INT(id, inbox);
    struct tm_error err;
    TM_CHECK_INT(tm_store_mailbox_find(st, acct, "Nowhere", &id, &err), TM_ENOENT);
    TM_CHECK(strstr(err.message, "Nowhere") != NULL);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM mailboxes"), 1);
    tm_store_free(&st);
}

TM_TEST(store_mailbox_delete_cascades_to_messages_bodies_and_pending_ops)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t acct = fixture_account(st, "work");
    int64_t doomed = fixture_mailbox(st, acct, "Old"), kept = fixture_mailbox(st, acct, "INBOX");
    for (int uid = 1; uid <= 3; uid++) {
        TM_CHECK_INT(tm_store_body_put(st, fixture_uid_msg(st, doomed, uid, 0), "a", 1, NULL),
                     TM_OK);
        TM_CHECK_INT(tm_store_body_put(st, fixture_uid_msg(st, kept, uid, 0), "b", 1, NULL), TM_OK);
    }
    TM_CHECK(queue_expunge(st, acct, doomed, 1) > 0);
    TM_CHECK(queue_expunge(st, acct, kept, 1) > 0);
    TM_CHECK_INT(tm_store_mailbox_delete(st, doomed, NULL), TM_OK);
    int64_t id = 0, count = -1;
    TM_CHECK_INT(tm_store_mailbox_find(st, acct, "Old", &id, NULL), TM_ENOENT);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM messages"), 3);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM bodies"), 3);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM messages AS m JOIN bodies AS b ON "
                                 "b.message_id = m.id WHERE m.mailbox_id = 2"),
                 3);
    TM_CHECK_INT(tm_store_pending_count(st, acct, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 1);
    TM_CHECK_INT(tm_store_mailbox_delete(st, doomed, NULL), TM_OK); /* twice is harmless */
    TM_CHECK(sqlite3_get_autocommit(st->db));
    tm_store_free(&st);
}

TM_TEST(store_message_delete_drops_cached_body)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t mbox = fixture_mailbox(st, fixture_account(st, "work"), "INBOX");
    int64_t a = fixture_uid_msg(st, mbox, 1, 0), b = fixture_uid_msg(st, mbox, 2, 0);
    TM_CHECK_INT(tm_store_body_put(st, a, "one", 3, NULL), TM_OK);
    TM_CHECK_INT(tm_store_body_put(st, b, "two", 3, NULL), TM_OK);
    TM_CHECK_INT(tm_store_message_delete(st, a, NULL), TM_OK);
    bool has = true;
    TM_CHECK_INT(tm_store_body_has(st, a, &has, NULL), TM_OK);
    TM_CHECK(!has);
    TM_CHECK_INT(tm_store_body_has(st, b, &has, NULL), TM_OK);
    TM_CHECK(has);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM bodies"), 1);
    tm_store_free(&st);
}

TM_TEST(store_account_delete_cascades_to_pending_ops)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t acct = fixture_account(st, "work"), other = fixture_account(st, "home");
    int64_t mbox = fixture_mailbox(st, acct, "INBOX");
    TM_CHECK_INT(tm_store_body_put(st, fixture_uid_msg(st, mbox, 1, 0), "x", 1, NULL), TM_OK);
    TM_CHECK(queue_expunge(st, acct, mbox, 1) > 0);
    TM_CHECK(queue_expunge(st, other, fixture_mailbox(st, other, "INBOX"), 1) > 0);
    TM_CHECK_INT(sqlite3_exec(st->db, "DELETE FROM accounts WHERE name = 'work'", NULL, NULL, NULL),
                 SQLITE_OK);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM pending_ops"), 1);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM bodies"), 0);
    tm_store_free(&st);
}

TM_TEST(store_mailbox_rename_keeps_id_and_messages)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t acct = fixture_account(st, "work"), id = 0, count = -1;
    int64_t mbox = fixture_mailbox(st, acct, "Projects");
    TM_CHECK(fixture_mailbox(st, acct, "Taken") > 0);
    TM_CHECK(fixture_uid_msg(st, mbox, 1, 0) > 0);
    TM_CHECK_INT(tm_store_mailbox_rename(st, mbox, "Projects 2024", NULL), TM_OK);
    TM_CHECK_INT(tm_store_mailbox_find(st, acct, "Projects 2024", &id, NULL), TM_OK);
    TM_CHECK_INT(id, mbox);
    TM_CHECK_INT(tm_store_mailbox_find(st, acct, "Projects", &id, NULL), TM_ENOENT);
    TM_CHECK_INT(tm_store_message_count(st, mbox, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 1);
    struct tm_error err;
    TM_CHECK_INT(tm_store_mailbox_rename(st, mbox, "Taken", &err), TM_ESTORE);
    TM_CHECK(strstr(err.message, "Taken") != NULL);
    TM_CHECK_INT(tm_store_mailbox_find(st, acct, "Projects 2024", &id, NULL), TM_OK);
    TM_CHECK_INT(tm_store_mailbox_rename(st, 999, "New", NULL), TM_ENOENT);
    tm_store_free(&st);
}

/* Schema 6: unread and deleted counts come from small partial indexes, and agree with a plain
 * count over the rows. */
TM_TEST(store_unread_and_deleted_counts_use_partial_indexes)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t account = fixture_account(st, "p");
    int64_t mbox = fixture_mailbox(st, account, "INBOX");
    for (int uid = 1; uid <= 30; uid++)
        fixture_uid_msg(st, mbox, uid,
                        (uid % 3 ? TM_FLAG_SEEN : 0) | (uid % 10 == 0 ? TM_FLAG_DELETED : 0));
    int64_t unread = -1, deleted = -1, flagged = -1;
    TM_CHECK_INT(tm_store_message_count_with_flags(st, mbox, TM_FLAG_SEEN, 0, &unread, NULL),
                 TM_OK);
    TM_CHECK_INT(unread, 10);
    TM_CHECK_INT(tm_store_message_count_with_flags(st, mbox, TM_FLAG_DELETED, TM_FLAG_DELETED,
                                                   &deleted, NULL),
                 TM_OK);
    TM_CHECK_INT(deleted, 3);
    TM_CHECK_INT(tm_store_message_count_with_flags(st, mbox, TM_FLAG_FLAGGED, 0, &flagged, NULL),
                 TM_OK); /* any other question still works, without an index of its own */
    TM_CHECK_INT(flagged, 30);
    TM_CHECK(fixture_plan_uses(
        st, "SELECT count(*) FROM messages WHERE mailbox_id = 1 AND (flags & 1) = 0",
        "messages_unread"));
    TM_CHECK(fixture_plan_uses(
        st, "SELECT count(*) FROM messages WHERE mailbox_id = 1 AND (flags & 8) != 0",
        "messages_deleted"));
    tm_store_free(&st);
}
