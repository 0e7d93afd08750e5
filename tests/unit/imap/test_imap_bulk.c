/* test_imap_bulk.c - transcript tests of the operations on many messages (tagged ones): one UID
 * STORE / UID COPY / UID MOVE with a UID set, sets split at 1,000 uids and 8 KB with the
 * commands pipelined, the COPY + STORE \Deleted + UID EXPUNGE fallback without MOVE, a refusal
 * that keeps the rows, and everything queued per message while offline, as the single calls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap_session_fixture.h"
#include "tm_test.h"
#include "tmail/flags.h"
#include "tmail/store.h"

static unsigned flags_of(struct fx *f, int64_t uid)
{
    int64_t id;
    unsigned flags = 0;
    if (tm_store_message_find_uid(f->store, f->inbox_id, uid, &id, &flags, NULL) != TM_OK)
        return 0xffffu;
    return flags;
}

/* Caches INBOX messages with uids first, first + step, ... (count of them). */
static void add_rows(struct fx *f, int64_t first, int64_t step, int count)
{
    TM_CHECK_INT(tm_store_begin(f->store, NULL), TM_OK);
    for (int i = 0; i < count; i++) {
        char key[32];
        snprintf(key, sizeof(key), "%010lld", (long long)(first + i * step));
        struct tm_message_row row = {
            .mailbox_id = f->inbox_id, .uid = first + i * step, .local_key = key};
        TM_CHECK_INT(tm_store_message_upsert(f->store, &row, NULL), TM_OK);
    }
    TM_CHECK_INT(tm_store_commit(f->store, NULL), TM_OK);
}

/* The store ids of INBOX uids first, first + step, ... */
static int64_t *ids_of(struct fx *f, int64_t first, int64_t step, int count)
{
    int64_t *ids = calloc((size_t)count, sizeof(*ids));
    for (int i = 0; ids && i < count; i++)
        ids[i] = fx_message_id(f, first + i * step);
    return ids;
}

TM_TEST(imap_move_many_sends_one_uid_move_with_a_set)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    add_rows(&f, 5, 1, 3); /* uids 1, 2, 5, 6, 7 */
    fx_caps_set(&f, IMAP_CAP_MOVE, true);
    fx_script(&f, "C: t7 UID MOVE 1:2,5:7 Archive\n"
                  "S: * OK [COPYUID 7 1:2,5:7 12:16] Moved UIDs.\n"
                  "S: * VANISHED 1:2,5:7\n"
                  "S: t7 OK Move completed\n");
    int64_t ids[] = {fx_message_id(&f, 6), fx_message_id(&f, 1), fx_message_id(&f, 7),
                     fx_message_id(&f, 2), fx_message_id(&f, 5), fx_message_id(&f, 1)};
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(tm_imap_ops.move_many(f.s, ids, 6, "Archive", &err), TM_OK);
    fx_finish(&f);
    int64_t count = -1;
    TM_CHECK_INT(tm_store_message_count(f.store, f.inbox_id, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 0);
    TM_CHECK_INT(fx_pending_count(&f), 0);
    fx_close(&f);
}

TM_TEST(imap_copy_many_sends_one_uid_copy_and_keeps_the_rows)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    fx_script(&f, "C: t7 UID COPY 1:2 \"My Folder\"\n"
                  "S: t7 OK [COPYUID 7 1:2 44:45] Copy completed\n");
    int64_t ids[] = {fx_message_id(&f, 1), fx_message_id(&f, 2)};
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(tm_imap_ops.copy_many(f.s, ids, 2, "My Folder", &err), TM_OK);
    fx_finish(&f);
    TM_CHECK(fx_message_id(&f, 1) != 0 && fx_message_id(&f, 2) != 0);
    fx_close(&f);
}

TM_TEST(imap_set_flags_many_sends_one_store_per_direction)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    fx_script(&f, "C: t7 UID STORE 1:2 +FLAGS.SILENT (\\Flagged)\n"
                  "S: t7 OK Store completed\n"
                  "C: t8 UID STORE 1:2 -FLAGS.SILENT (\\Seen)\n"
                  "S: t8 OK Store completed\n");
    int64_t ids[] = {fx_message_id(&f, 2), fx_message_id(&f, 1)};
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(tm_imap_ops.set_flags_many(f.s, ids, 2, TM_FLAG_FLAGGED, TM_FLAG_SEEN, &err),
                 TM_OK);
    fx_finish(&f);
    TM_CHECK_INT(flags_of(&f, 1), TM_FLAG_FLAGGED);
    TM_CHECK_INT(flags_of(&f, 2), TM_FLAG_FLAGGED);
    fx_close(&f);
}

TM_TEST(imap_set_flags_many_refused_puts_the_cache_back)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    fx_script(&f, "C: t7 UID STORE 1:2 +FLAGS.SILENT (\\Deleted)\n"
                  "S: t7 NO [READ-ONLY] Mailbox is read-only\n");
    int64_t ids[] = {fx_message_id(&f, 1), fx_message_id(&f, 2)};
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(tm_imap_ops.set_flags_many(f.s, ids, 2, TM_FLAG_DELETED, 0, &err), TM_EPROTO);
    TM_CHECK(strstr(err.server_reply, "read-only") != NULL);
    fx_finish(&f);
    TM_CHECK_INT(flags_of(&f, 1), TM_FLAG_SEEN);
    TM_CHECK_INT(flags_of(&f, 2), 0);
    TM_CHECK_INT(fx_pending_count(&f), 0);
    fx_close(&f);
}

/* 2,500 uids in a row: three commands of at most 1,000 uids, all sent before the first answer. */
TM_TEST(imap_move_many_splits_sets_of_more_than_1000_uids)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    add_rows(&f, 3, 1, 2498);
    fx_caps_set(&f, IMAP_CAP_MOVE, true);
    fx_script(&f, "C: t7 UID MOVE 1:1000 Archive\n"
                  "C: t8 UID MOVE 1001:2000 Archive\n"
                  "C: t9 UID MOVE 2001:2500 Archive\n"
                  "S: t7 OK Move completed\n"
                  "S: t8 OK Move completed\n"
                  "S: t9 OK Move completed\n");
    int64_t *ids = ids_of(&f, 1, 1, 2500);
    TM_CHECK(ids != NULL && ids[2499] != 0);
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(tm_imap_ops.move_many(f.s, ids, 2500, "Archive", &err), TM_OK);
    fx_finish(&f);
    int64_t count = -1;
    TM_CHECK_INT(tm_store_message_count(f.store, f.inbox_id, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 0);
    free(ids);
    fx_close(&f);
}

/* Large uids with gaps: each set stays within 8,000 bytes, whatever the count. */
TM_TEST(imap_copy_many_keeps_each_command_under_8k)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    add_rows(&f, 1000000000, 2, 1200); /* "1000000000,1000000002,...": 10 digits each */
    struct tm_buf script, set;
    tm_buf_init(&script, 0);
    tm_buf_init(&set, 0);
    int64_t uid = 1000000000;
    int sent = 0, tag = 7;
    while (sent < 1200) {
        tm_buf_reset(&set);
        int k = 0;
        while (sent + k < 1200 && set.len + 10 + (k ? 1 : 0) <= 8000) {
            tm_buf_appendf(&set, "%s%lld", k ? "," : "", (long long)(uid + 2 * (sent + k)));
            k++;
        }
        TM_CHECK(set.len <= 8000);
        tm_buf_appendf(&script, "C: t%d UID COPY %s Archive\n", tag++, set.data);
        sent += k;
    }
    TM_CHECK_INT(tag, 9); /* two commands */
    tm_buf_appendf(&script, "S: t7 OK done\nS: t8 OK done\n");
    fx_script(&f, script.data);
    int64_t *ids = ids_of(&f, uid, 2, 1200);
    TM_CHECK(ids != NULL && ids[1199] != 0);
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(tm_imap_ops.copy_many(f.s, ids, 1200, "Archive", &err), TM_OK);
    fx_finish(&f);
    free(ids);
    tm_buf_cleanup(&script);
    tm_buf_cleanup(&set);
    fx_close(&f);
}

TM_TEST(imap_move_many_falls_back_to_copy_store_and_uid_expunge_of_the_set)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    fx_caps_set(&f, IMAP_CAP_UIDPLUS, true);
    fx_script(&f, "C: t7 UID COPY 1:2 Archive\n"
                  "S: t7 OK [COPYUID 7 1:2 12:13] Copy completed\n"
                  "C: t8 UID STORE 1:2 +FLAGS.SILENT (\\Deleted)\n"
                  "S: t8 OK Store completed\n"
                  "C: t9 UID EXPUNGE 1:2\n"
                  "S: * VANISHED 1:2\n"
                  "S: t9 OK Expunge completed\n");
    int64_t ids[] = {fx_message_id(&f, 1), fx_message_id(&f, 2)};
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(tm_imap_ops.move_many(f.s, ids, 2, "Archive", &err), TM_OK);
    fx_finish(&f);
    TM_CHECK_INT(fx_message_id(&f, 1), 0);
    TM_CHECK_INT(fx_message_id(&f, 2), 0);
    fx_close(&f);
}

TM_TEST(imap_move_many_without_uidplus_leaves_the_set_flagged_deleted)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    fx_script(&f, "C: t7 UID COPY 1:2 Archive\n"
                  "S: t7 OK Copy completed\n"
                  "C: t8 UID STORE 1:2 +FLAGS.SILENT (\\Deleted)\n"
                  "S: t8 OK Store completed\n");
    int64_t ids[] = {fx_message_id(&f, 1), fx_message_id(&f, 2)};
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(tm_imap_ops.move_many(f.s, ids, 2, "Archive", &err), TM_OK);
    fx_finish(&f); /* no EXPUNGE: it would take other \Deleted messages too */
    TM_CHECK_INT(flags_of(&f, 1), TM_FLAG_SEEN | TM_FLAG_DELETED);
    TM_CHECK_INT(flags_of(&f, 2), TM_FLAG_DELETED);
    fx_close(&f);
}

TM_TEST(imap_move_many_refused_keeps_the_rows)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    fx_caps_set(&f, IMAP_CAP_MOVE, true);
    fx_script(&f, "C: t7 UID MOVE 1:2 Nowhere\n"
                  "S: t7 NO [TRYCREATE] Mailbox doesn't exist: Nowhere\n");
    int64_t ids[] = {fx_message_id(&f, 1), fx_message_id(&f, 2)};
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(tm_imap_ops.move_many(f.s, ids, 2, "Nowhere", &err), TM_EPROTO);
    TM_CHECK(strstr(err.server_reply, "TRYCREATE") != NULL);
    fx_finish(&f);
    TM_CHECK(fx_message_id(&f, 1) != 0 && fx_message_id(&f, 2) != 0);
    TM_CHECK_INT(fx_pending_count(&f), 0);
    fx_close(&f);
}

TM_TEST(imap_offline_bulk_ops_are_queued_per_message_then_replayed)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    add_rows(&f, 3, 1, 1); /* uids 1, 2, 3 */
    fx_go_offline(&f);
    struct tm_error err;
    tm_error_clear(&err);
    int64_t all[] = {fx_message_id(&f, 1), fx_message_id(&f, 2), fx_message_id(&f, 3)};
    TM_CHECK_INT(tm_imap_ops.set_flags_many(f.s, all, 3, TM_FLAG_FLAGGED, 0, &err), TM_OK);
    TM_CHECK_INT(flags_of(&f, 3), TM_FLAG_FLAGGED); /* the cache shows it at once */
    TM_CHECK_INT(tm_imap_ops.copy_many(f.s, all, 1, "Archive", &err), TM_OK);
    TM_CHECK_INT(tm_imap_ops.move_many(f.s, all + 1, 2, "Archive", &err), TM_OK);
    TM_CHECK_INT(fx_message_id(&f, 2), 0);
    TM_CHECK_INT(fx_message_id(&f, 3), 0);
    TM_CHECK(fx_message_id(&f, 1) != 0);
    TM_CHECK_INT(fx_pending_count(&f), 6);
    TM_CHECK(f.s->stream == NULL);

    /* Back online: replayed in order, one command per queued message as for single calls. */
    fx_script(&f, GREETING_STARTTLS STARTTLS_DONE LOGIN_WITH(
                      "IMAP4rev1 ENABLE QRESYNC CONDSTORE IDLE LITERAL+ ESEARCH MOVE "
                      "UIDPLUS") "C: t5 SELECT INBOX (QRESYNC (7 10))\n"
                                 "S: * 3 EXISTS\n"
                                 "S: * OK [UIDVALIDITY 7] ok\n"
                                 "S: * OK [HIGHESTMODSEQ 10] ok\n"
                                 "S: t5 OK [READ-WRITE] done\n"
                                 "C: t6 UID STORE 1 +FLAGS.SILENT (\\Flagged)\n"
                                 "S: t6 OK done\n"
                                 "C: t7 UID STORE 2 +FLAGS.SILENT (\\Flagged)\n"
                                 "S: t7 OK done\n"
                                 "C: t8 UID STORE 3 +FLAGS.SILENT (\\Flagged)\n"
                                 "S: t8 OK done\n"
                                 "C: t9 UID COPY 1 Archive\n"
                                 "S: t9 OK done\n"
                                 "C: t10 UID MOVE 2 Archive\n"
                                 "S: t10 OK done\n"
                                 "C: t11 UID MOVE 3 Archive\n"
                                 "S: t11 OK done\n");
    f.s->failures = 0; /* the backoff has passed */
    TM_CHECK_INT(imap_handshake(f.s, &err), TM_OK);
    TM_CHECK_INT(imap_pending_replay(f.s, &err), TM_OK);
    fx_finish(&f);
    TM_CHECK_INT(fx_pending_count(&f), 0);
    fx_close(&f);
}
