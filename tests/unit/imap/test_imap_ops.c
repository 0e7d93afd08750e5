/* test_imap_ops.c - transcript tests of the IMAP operations beyond sync: move (UID MOVE, the
 * COPY/STORE/UID EXPUNGE fallback, no EXPUNGE without UIDPLUS), copy, expunge, append (LITERAL+,
 * synchronizing literal, TRYCREATE), mailbox management and the store following it, STATUS,
 * server search, and copy/move/expunge queued offline then replayed in order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap_session_fixture.h"
#include "tm_test.h"
#include "tmail/flags.h"
#include "tmail/store.h"

static int64_t mailbox_id(struct fx *f, const char *name)
{
    int64_t id = 0;
    if (tm_store_mailbox_find(f->store, f->account_id, name, &id, NULL) != TM_OK)
        return 0;
    return id;
}

TM_TEST(imap_move_uses_uid_move_when_the_server_has_move)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    fx_caps_set(&f, IMAP_CAP_MOVE, true);
    fx_script(&f, "C: t7 UID MOVE 2 Archive\n"
                  "S: * OK [COPYUID 7 2 12] Moved UIDs.\n"
                  "S: * VANISHED 2\n"
                  "S: t7 OK Move completed\n");
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(tm_imap_ops.move(f.s, fx_message_id(&f, 2), "Archive", &err), TM_OK);
    fx_finish(&f);
    TM_CHECK_INT(fx_message_id(&f, 2), 0);
    TM_CHECK(fx_message_id(&f, 1) != 0);
    TM_CHECK_INT(f.s->live.exists, 1);
    fx_close(&f);
}

TM_TEST(imap_move_falls_back_to_copy_store_and_uid_expunge_with_uidplus)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    fx_caps_set(&f, IMAP_CAP_UIDPLUS, true);
    fx_script(&f, "C: t7 UID COPY 2 Archive\n"
                  "S: t7 OK [COPYUID 7 2 12] Copy completed\n"
                  "C: t8 UID STORE 2 +FLAGS.SILENT (\\Deleted)\n"
                  "S: t8 OK Store completed\n"
                  "C: t9 UID EXPUNGE 2\n"
                  "S: * VANISHED 2\n"
                  "S: t9 OK Expunge completed\n");
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(tm_imap_ops.move(f.s, fx_message_id(&f, 2), "Archive", &err), TM_OK);
    fx_finish(&f);
    TM_CHECK_INT(fx_message_id(&f, 2), 0);
    fx_close(&f);
}

TM_TEST(imap_move_without_uidplus_never_sends_expunge)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    /* Another message is \Deleted at the server: a plain EXPUNGE would take it too. */
    fx_script(&f, "C: t7 UID COPY 2 Archive\n"
                  "S: t7 OK Copy completed\n"
                  "C: t8 UID STORE 2 +FLAGS.SILENT (\\Deleted)\n"
                  "S: t8 OK Store completed\n");
    struct tm_error err;
    tm_error_clear(&err);
    int64_t id = fx_message_id(&f, 2);
    TM_CHECK_INT(tm_imap_ops.move(f.s, id, "Archive", &err), TM_OK);
    fx_finish(&f); /* the script ends here: an EXPUNGE would have failed the write */
    unsigned flags = 0;
    TM_CHECK_INT(tm_store_message_find_uid(f.store, f.inbox_id, 2, &id, &flags, NULL), TM_OK);
    TM_CHECK_INT(flags, TM_FLAG_DELETED); /* still there at the server, and shown so */
    fx_close(&f);
}

TM_TEST(imap_move_refused_by_the_server_keeps_the_cached_message)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    fx_caps_set(&f, IMAP_CAP_MOVE, true);
    fx_script(&f, "C: t7 UID MOVE 2 Nowhere\n"
                  "S: t7 NO [TRYCREATE] Mailbox doesn't exist: Nowhere\n");
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(tm_imap_ops.move(f.s, fx_message_id(&f, 2), "Nowhere", &err), TM_EPROTO);
    TM_CHECK(strstr(err.server_reply, "TRYCREATE") != NULL);
    fx_finish(&f);
    TM_CHECK(fx_message_id(&f, 2) != 0);
    TM_CHECK_INT(fx_pending_count(&f), 0);
    fx_close(&f);
}

TM_TEST(imap_copy_reads_copyuid_and_keeps_the_source)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    fx_script(&f, "C: t7 UID COPY 1 \"My Folder\"\n"
                  "S: t7 OK [COPYUID 7 1 44] Copy completed\n");
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(tm_imap_ops.copy(f.s, fx_message_id(&f, 1), "My Folder", &err), TM_OK);
    fx_finish(&f);
    int64_t count = 0;
    TM_CHECK_INT(tm_store_message_count(f.store, f.inbox_id, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 2);
    fx_close(&f);
}

TM_TEST(imap_copy_selects_the_source_mailbox_named_by_the_store)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    /* A message cached in Lists, a mailbox not opened in this session. */
    int64_t lists;
    TM_CHECK_INT(tm_store_mailbox_ensure(f.store, f.account_id, "Lists", &lists, NULL), TM_OK);
    struct tm_message_row row = {.mailbox_id = lists, .uid = 5, .local_key = "0000000005"};
    TM_CHECK_INT(tm_store_message_upsert(f.store, &row, NULL), TM_OK);
    fx_script(&f, "C: t7 SELECT Lists\n"
                  "S: * 1 EXISTS\n"
                  "S: * OK [UIDVALIDITY 3] ok\n"
                  "S: t7 OK [READ-WRITE] done\n"
                  "C: t8 UID COPY 5 INBOX\n"
                  "S: t8 OK done\n");
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(tm_imap_ops.copy(f.s, row.id, "INBOX", &err), TM_OK);
    fx_finish(&f);
    TM_CHECK_INT(f.s->selected_id, lists);
    fx_close(&f);
}

#define MSG      "Subject: x\r\n\r\nbody" /* 18 bytes */
#define MSG_SENT "C: Subject: x\nC:\nC: body\n"

TM_TEST(imap_append_with_literal_plus_sends_the_message_at_once)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    fx_script(&f, "C: t7 APPEND Sent (\\Seen) {18+}\n" MSG_SENT
                  "S: t7 OK [APPENDUID 9 1] Append completed\n");
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(tm_imap_ops.append(f.s, "Sent", MSG, strlen(MSG), TM_FLAG_SEEN, &err), TM_OK);
    fx_finish(&f);
    fx_close(&f);
}

TM_TEST(imap_append_with_a_synchronizing_literal_waits_for_the_continuation)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    fx_caps_set(&f, IMAP_CAP_LITERALPLUS, false);
    fx_script(&f, "C: t7 APPEND Sent {18}\n"
                  "S: + OK\n" MSG_SENT "S: t7 OK Append completed\n");
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(tm_imap_ops.append(f.s, "Sent", MSG, strlen(MSG), 0, &err), TM_OK);
    fx_finish(&f);
    fx_close(&f);
}

TM_TEST(imap_append_trycreate_creates_the_mailbox_and_retries_once)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    fx_script(&f, "C: t7 APPEND Drafts (\\Draft) {18+}\n" MSG_SENT
                  "S: t7 NO [TRYCREATE] Mailbox doesn't exist: Drafts\n"
                  "C: t8 CREATE Drafts\n"
                  "S: t8 OK Create completed\n"
                  "C: t9 APPEND Drafts (\\Draft) {18+}\n" MSG_SENT
                  "S: t9 OK [APPENDUID 1 1] Append completed\n");
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(tm_imap_ops.append(f.s, "Drafts", MSG, strlen(MSG), TM_FLAG_DRAFT, &err), TM_OK);
    fx_finish(&f);
    TM_CHECK(mailbox_id(&f, "Drafts") != 0);
    fx_close(&f);
}

TM_TEST(imap_append_refused_before_the_literal_sends_no_bytes)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    fx_caps_set(&f, IMAP_CAP_LITERALPLUS, false);
    /* Once only: a second TRYCREATE is an error, not a loop. */
    fx_script(&f, "C: t7 APPEND Drafts {18}\n"
                  "S: t7 NO [TRYCREATE] Mailbox doesn't exist: Drafts\n"
                  "C: t8 CREATE Drafts\n"
                  "S: t8 OK Create completed\n"
                  "C: t9 APPEND Drafts {18}\n"
                  "S: t9 NO [TRYCREATE] Mailbox doesn't exist: Drafts\n");
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(tm_imap_ops.append(f.s, "Drafts", MSG, strlen(MSG), 0, &err), TM_EPROTO);
    TM_CHECK(strstr(err.server_reply, "TRYCREATE") != NULL);
    fx_finish(&f);
    TM_CHECK(f.s->stream != NULL); /* still in step */
    fx_close(&f);
}

struct counts {
    const char *name;
    int64_t server_total, server_unseen;
    bool subscribed;
};

static int find_counts(void *ctx, const struct tm_mailbox_listing *mb)
{
    struct counts *c = ctx;
    if (strcmp(mb->name, c->name) != 0)
        return 0;
    c->server_total = mb->server_total;
    c->server_unseen = mb->server_unseen;
    c->subscribed = mb->subscribed;
    return 1;
}

TM_TEST(imap_create_rename_and_delete_are_followed_by_the_store)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    fx_script(&f, "C: t7 CREATE Work\n"
                  "S: t7 OK Create completed\n"
                  "C: t8 RENAME Work Jobs\n"
                  "S: t8 OK Rename completed\n"
                  "C: t9 DELETE Jobs/2024\n"
                  "S: t9 OK Delete completed\n"
                  "C: t10 SUBSCRIBE Jobs\n"
                  "S: t10 OK Subscribe completed\n");
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(tm_imap_ops.create_mailbox(f.s, "Work", &err), TM_OK);
    int64_t work = mailbox_id(&f, "Work"), inferior;
    TM_CHECK(work != 0);
    /* LIST told the delimiter, and of an inferior mailbox. */
    struct tm_mailbox_meta meta = {"Work", "/", NULL, 0, false};
    TM_CHECK_INT(tm_store_mailbox_upsert_meta(f.store, f.account_id, &meta, &work, NULL), TM_OK);
    meta.name = "Work/2024";
    TM_CHECK_INT(tm_store_mailbox_upsert_meta(f.store, f.account_id, &meta, &inferior, NULL),
                 TM_OK);
    TM_CHECK_INT(tm_imap_ops.rename_mailbox(f.s, "Work", "Jobs", &err), TM_OK);
    TM_CHECK_INT(mailbox_id(&f, "Work"), 0);
    TM_CHECK_INT(mailbox_id(&f, "Jobs"), work); /* same row: its cache is kept */
    TM_CHECK_INT(mailbox_id(&f, "Jobs/2024"), inferior);
    TM_CHECK_INT(tm_imap_ops.delete_mailbox(f.s, "Jobs/2024", &err), TM_OK);
    TM_CHECK_INT(mailbox_id(&f, "Jobs/2024"), 0);
    TM_CHECK_INT(tm_imap_ops.subscribe(f.s, "Jobs", true, &err), TM_OK);
    fx_finish(&f);
    struct counts c = {"Jobs", 0, 0, false};
    TM_CHECK_INT(tm_store_mailbox_each(f.store, f.account_id, find_counts, &c, NULL), TM_OK);
    TM_CHECK(c.subscribed);
    fx_close(&f);
}

TM_TEST(imap_rename_asks_for_the_delimiter_the_cache_does_not_know)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    int64_t work, inferior, other;
    TM_CHECK_INT(tm_store_mailbox_ensure(f.store, f.account_id, "Work", &work, NULL), TM_OK);
    TM_CHECK_INT(tm_store_mailbox_ensure(f.store, f.account_id, "Work.old", &inferior, NULL),
                 TM_OK);
    TM_CHECK_INT(tm_store_mailbox_ensure(f.store, f.account_id, "Workshop", &other, NULL), TM_OK);
    fx_script(&f, "C: t7 RENAME Work Jobs\n"
                  "S: t7 OK Rename completed\n"
                  "C: t8 LIST \"\" \"\"\n"
                  "S: * LIST (\\Noselect) \".\" \"\"\n"
                  "S: t8 OK List completed\n");
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(tm_imap_ops.rename_mailbox(f.s, "Work", "Jobs", &err), TM_OK);
    fx_finish(&f);
    TM_CHECK_INT(mailbox_id(&f, "Jobs"), work);
    TM_CHECK_INT(mailbox_id(&f, "Jobs.old"), inferior);
    TM_CHECK_INT(mailbox_id(&f, "Workshop"), other); /* a sibling, not an inferior */
    fx_close(&f);
}

TM_TEST(imap_delete_inbox_is_refused_before_anything_is_sent)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    fx_script(&f, "");
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(tm_imap_ops.delete_mailbox(f.s, "INBOX", &err), TM_ENOTSUP);
    TM_CHECK(strstr(err.message, "INBOX") != NULL);
    TM_CHECK_INT(tm_imap_ops.delete_mailbox(f.s, "inbox", &err), TM_ENOTSUP);
    fx_finish(&f);
    TM_CHECK_INT(mailbox_id(&f, "INBOX"), f.inbox_id);
    fx_close(&f);
}

TM_TEST(imap_status_is_recorded_with_set_counts)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    int64_t archive;
    TM_CHECK_INT(tm_store_mailbox_ensure(f.store, f.account_id, "Archive", &archive, NULL), TM_OK);
    fx_script(&f, "C: t7 STATUS Archive (MESSAGES UNSEEN UIDNEXT UIDVALIDITY HIGHESTMODSEQ)\n"
                  "S: * STATUS Archive (MESSAGES 12 UNSEEN 3 UIDNEXT 40 UIDVALIDITY 5 "
                  "HIGHESTMODSEQ 77)\n"
                  "S: t7 OK Status completed\n");
    struct tm_error err;
    tm_error_clear(&err);
    int64_t total = 0, unseen = 0;
    TM_CHECK_INT(tm_imap_ops.status(f.s, "Archive", archive, &total, &unseen, &err), TM_OK);
    fx_finish(&f);
    TM_CHECK_INT(total, 12);
    TM_CHECK_INT(unseen, 3);
    struct counts c = {"Archive", 0, 0, false};
    TM_CHECK_INT(tm_store_mailbox_each(f.store, f.account_id, find_counts, &c, NULL), TM_OK);
    TM_CHECK_INT(c.server_total, 12);
    TM_CHECK_INT(c.server_unseen, 3);
    fx_close(&f);
}

TM_TEST(imap_status_of_the_selected_mailbox_sends_nothing)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    fx_script(&f, "");
    struct tm_error err;
    tm_error_clear(&err);
    int64_t total = 0, unseen = 0;
    TM_CHECK_INT(tm_imap_ops.status(f.s, "INBOX", f.inbox_id, &total, &unseen, &err), TM_OK);
    fx_finish(&f);
    TM_CHECK_INT(total, 2);
    TM_CHECK_INT(unseen, 1); /* uid 2 has no \Seen */
    struct counts c = {"INBOX", 0, 0, false};
    TM_CHECK_INT(tm_store_mailbox_each(f.store, f.account_id, find_counts, &c, NULL), TM_OK);
    TM_CHECK_INT(c.server_total, 2);
    TM_CHECK_INT(c.server_unseen, 1);
    fx_close(&f);
}

/* STATUS of several mailboxes is pipelined: every command goes out before the first answer is
 * read, answers are matched by tag (and untagged STATUS by name, in any order), a NO is that
 * mailbox's own failure, and the selected mailbox is counted from the cache without a command. */
TM_TEST(imap_status_of_several_mailboxes_is_pipelined)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    int64_t archive, gone, lists;
    TM_CHECK_INT(tm_store_mailbox_ensure(f.store, f.account_id, "Archive", &archive, NULL), TM_OK);
    TM_CHECK_INT(tm_store_mailbox_ensure(f.store, f.account_id, "Gone", &gone, NULL), TM_OK);
    TM_CHECK_INT(tm_store_mailbox_ensure(f.store, f.account_id, "Lists/tmail", &lists, NULL),
                 TM_OK);
    fx_script(&f, "C: t7 STATUS Archive (MESSAGES UNSEEN UIDNEXT UIDVALIDITY HIGHESTMODSEQ)\n"
                  "C: t8 STATUS Gone (MESSAGES UNSEEN UIDNEXT UIDVALIDITY HIGHESTMODSEQ)\n"
                  "C: t9 STATUS Lists/tmail (MESSAGES UNSEEN UIDNEXT UIDVALIDITY HIGHESTMODSEQ)\n"
                  "S: * STATUS Lists/tmail (MESSAGES 700 UNSEEN 0 UIDNEXT 701 UIDVALIDITY 9)\n"
                  "S: * STATUS Archive (MESSAGES 12 UNSEEN 3 UIDNEXT 40 UIDVALIDITY 5)\n"
                  "S: t7 OK Status completed\n"
                  "S: t8 NO [NONEXISTENT] Mailbox doesn't exist: Gone\n"
                  "S: t9 OK Status completed\n");
    struct tm_status_query q[] = {
        {.name = "Archive", .mailbox_id = archive},
        {.name = "INBOX", .mailbox_id = f.inbox_id},
        {.name = "Gone", .mailbox_id = gone},
        {.name = "Lists/tmail", .mailbox_id = lists},
    };
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(tm_imap_ops.status_many(f.s, q, 4, &err), TM_OK);
    fx_finish(&f);
    TM_CHECK_INT(q[0].st, TM_OK);
    TM_CHECK_INT(q[0].total, 12);
    TM_CHECK_INT(q[0].unseen, 3);
    TM_CHECK_INT(q[1].st, TM_OK); /* the selected INBOX: from the cache */
    TM_CHECK_INT(q[1].total, 2);
    TM_CHECK_INT(q[1].unseen, 1);
    TM_CHECK_INT(q[2].st, TM_ENOENT);
    TM_CHECK_INT(q[2].total, -1);
    TM_CHECK_INT(q[3].st, TM_OK);
    TM_CHECK_INT(q[3].total, 700);
    TM_CHECK_INT(q[3].unseen, 0);
    struct counts c = {"Lists/tmail", 0, 0, false};
    TM_CHECK_INT(tm_store_mailbox_each(f.store, f.account_id, find_counts, &c, NULL), TM_OK);
    TM_CHECK_INT(c.server_total, 700);
    fx_close(&f);
}

/* A connection lost in the middle of the answers fails the whole window with it (and drops
 * the connection): nothing half-read is recorded. */
TM_TEST(imap_status_pipeline_cut_mid_answers_fails_the_rest)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    int64_t a, b;
    TM_CHECK_INT(tm_store_mailbox_ensure(f.store, f.account_id, "A", &a, NULL), TM_OK);
    TM_CHECK_INT(tm_store_mailbox_ensure(f.store, f.account_id, "B", &b, NULL), TM_OK);
    fx_script(&f, "C: t7 STATUS A (MESSAGES UNSEEN UIDNEXT UIDVALIDITY HIGHESTMODSEQ)\n"
                  "C: t8 STATUS B (MESSAGES UNSEEN UIDNEXT UIDVALIDITY HIGHESTMODSEQ)\n"
                  "S: * STATUS A (MESSAGES 4 UNSEEN 1)\n"
                  "S: t7 OK Status completed\n"
                  "X:\n");
    struct tm_status_query q[] = {{.name = "A", .mailbox_id = a}, {.name = "B", .mailbox_id = b}};
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(tm_imap_ops.status_many(f.s, q, 2, &err), TM_ENET);
    TM_CHECK_INT(q[0].st, TM_ENET);
    TM_CHECK_INT(q[1].st, TM_ENET);
    TM_CHECK(f.s->stream == NULL);
    fx_close(&f);
}

TM_TEST(imap_search_maps_uids_to_ids_and_ignores_uncached_ones)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    fx_script(&f, "C: t7 UID SEARCH RETURN (ALL) CHARSET UTF-8 TEXT \"two\"\n"
                  "S: * ESEARCH (TAG \"t7\") UID ALL 2,9:4000000000\n"
                  "S: t7 OK Search completed\n"
                  "C: t8 UID SEARCH CHARSET UTF-8 OR SEEN TEXT \"two\"\n"
                  "S: * SEARCH 1 2 7\n"
                  "S: t8 OK Search completed\n");
    struct tm_error err;
    tm_error_clear(&err);
    int64_t *ids = NULL;
    size_t n = 0;
    TM_CHECK_INT(tm_imap_ops.search(f.s, "INBOX", f.inbox_id, "TEXT \"two\"", &ids, &n, &err),
                 TM_OK);
    TM_CHECK_INT(n, 1);
    TM_CHECK_INT(ids[0], fx_message_id(&f, 2));
    free(ids);
    fx_caps_set(&f, IMAP_CAP_ESEARCH, false);
    TM_CHECK_INT(
        tm_imap_ops.search(f.s, "INBOX", f.inbox_id, "OR SEEN TEXT \"two\"", &ids, &n, &err),
        TM_OK);
    TM_CHECK_INT(n, 2);
    TM_CHECK_INT(ids[0], fx_message_id(&f, 1));
    TM_CHECK_INT(ids[1], fx_message_id(&f, 2));
    free(ids);
    /* A line break would smuggle a second command. */
    TM_CHECK_INT(
        tm_imap_ops.search(f.s, "INBOX", f.inbox_id, "ALL\r\nt9 DELETE INBOX", &ids, &n, &err),
        TM_EPARSE);
    fx_finish(&f);
    fx_close(&f);
}

TM_TEST(imap_expunge_by_sequence_number_resyncs_the_uids)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    fx_script(&f, "C: t7 EXPUNGE\n"
                  "S: * 1 EXPUNGE\n"
                  "S: t7 OK Expunge completed\n"
                  "C: t8 UID FETCH 1:2 (UID FLAGS)\n"
                  "S: * 1 FETCH (UID 2 FLAGS ())\n"
                  "S: t8 OK Fetch completed\n");
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(tm_imap_ops.expunge(f.s, "INBOX", f.inbox_id, &err), TM_OK);
    fx_finish(&f);
    TM_CHECK_INT(fx_message_id(&f, 1), 0);
    TM_CHECK(fx_message_id(&f, 2) != 0);
    fx_close(&f);
}

TM_TEST(imap_expunge_with_vanished_needs_no_resync)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    fx_script(&f, "C: t7 EXPUNGE\n"
                  "S: * VANISHED 1\n"
                  "S: t7 OK Expunge completed\n");
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(tm_imap_ops.expunge(f.s, "INBOX", f.inbox_id, &err), TM_OK);
    fx_finish(&f);
    TM_CHECK_INT(fx_message_id(&f, 1), 0);
    TM_CHECK(fx_message_id(&f, 2) != 0);
    fx_close(&f);
}

TM_TEST(imap_offline_copy_move_expunge_are_queued_then_replayed_in_order)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    fx_go_offline(&f);
    struct tm_error err;
    tm_error_clear(&err);
    int64_t one = fx_message_id(&f, 1), two = fx_message_id(&f, 2);
    TM_CHECK_INT(tm_imap_ops.set_flags(f.s, one, TM_FLAG_FLAGGED, 0, &err), TM_OK);
    TM_CHECK_INT(tm_imap_ops.move(f.s, two, "Archive", &err), TM_OK);
    TM_CHECK_INT(fx_message_id(&f, 2), 0); /* the cache shows the move at once */
    TM_CHECK_INT(tm_imap_ops.copy(f.s, one, "Archive", &err), TM_OK);
    TM_CHECK_INT(tm_imap_ops.expunge(f.s, "INBOX", f.inbox_id, &err), TM_OK);
    TM_CHECK_INT(fx_pending_count(&f), 4);
    TM_CHECK(f.s->stream == NULL);

    /* Back online: the next sync replays the queue in order, then syncs. */
    fx_script(&f, GREETING_STARTTLS STARTTLS_DONE LOGIN_WITH(
                      "IMAP4rev1 ENABLE QRESYNC CONDSTORE IDLE LITERAL+ ESEARCH MOVE "
                      "UIDPLUS") "C: t5 SELECT INBOX (QRESYNC (7 10))\n"
                                 "S: * 2 EXISTS\n"
                                 "S: * OK [UIDVALIDITY 7] ok\n"
                                 "S: * OK [UIDNEXT 3] ok\n"
                                 "S: * OK [HIGHESTMODSEQ 10] ok\n"
                                 "S: t5 OK [READ-WRITE] done\n"
                                 "C: t6 UID STORE 1 +FLAGS.SILENT (\\Flagged)\n"
                                 "S: t6 OK Store completed\n"
                                 "C: t7 UID MOVE 2 Archive\n"
                                 "S: * OK [COPYUID 7 2 12] Moved UIDs.\n"
                                 "S: * VANISHED 2\n"
                                 "S: t7 OK Move completed\n"
                                 "C: t8 UID COPY 1 Archive\n"
                                 "S: t8 OK [COPYUID 7 1 13] Copy completed\n"
                                 "C: t9 EXPUNGE\n"
                                 "S: t9 OK Expunge completed\n"
                                 "C: t10 UID FETCH 2:* (" FETCH_NEW_CMD ")\n"
                                 "S: t10 OK Fetch completed\n");
    f.s->failures = 0; /* the backoff has passed */
    TM_CHECK_INT(imap_handshake(f.s, &err), TM_OK);
    struct tm_sync_result res = {0};
    TM_CHECK_INT(tm_imap_ops.sync_mailbox(f.s, "INBOX", f.inbox_id, &res, &err), TM_OK);
    fx_finish(&f);
    TM_CHECK_INT(fx_pending_count(&f), 0);
    TM_CHECK_INT(fx_message_id(&f, 2), 0);
    unsigned flags = 0;
    int64_t id;
    TM_CHECK_INT(tm_store_message_find_uid(f.store, f.inbox_id, 1, &id, &flags, NULL), TM_OK);
    TM_CHECK_INT(flags, TM_FLAG_SEEN | TM_FLAG_FLAGGED);
    fx_close(&f);
}

TM_TEST(imap_replayed_move_refused_three_times_is_skipped)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    fx_go_offline(&f);
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(tm_imap_ops.move(f.s, fx_message_id(&f, 2), "Gone", &err), TM_OK);
    TM_CHECK_INT(fx_pending_count(&f), 1);
    fx_script(&f, GREETING_STARTTLS STARTTLS_DONE LOGIN_WITH(
                      "IMAP4rev1 ENABLE QRESYNC CONDSTORE IDLE LITERAL+ ESEARCH "
                      "MOVE") "C: t5 SELECT INBOX (QRESYNC (7 10))\n"
                              "S: * 1 EXISTS\n"
                              "S: * OK [UIDVALIDITY 7] ok\n"
                              "S: * OK [HIGHESTMODSEQ 10] ok\n"
                              "S: t5 OK [READ-WRITE] done\n"
                              "C: t6 UID MOVE 2 Gone\n"
                              "S: t6 NO [TRYCREATE] no such mailbox\n"
                              "C: t7 UID MOVE 2 Gone\n"
                              "S: t7 NO [TRYCREATE] no such mailbox\n"
                              "C: t8 UID MOVE 2 Gone\n"
                              "S: t8 NO [TRYCREATE] no such mailbox\n");
    f.s->failures = 0;
    TM_CHECK_INT(imap_handshake(f.s, &err), TM_OK);
    for (int i = 0; i < 4; i++) /* the fourth replay sends nothing */
        TM_CHECK_INT(imap_pending_replay(f.s, &err), TM_OK);
    fx_finish(&f);
    TM_CHECK_INT(fx_pending_count(&f), 1); /* kept with its error, for a person to see */
    fx_close(&f);
}

TM_TEST(imap_queued_ops_of_a_mailbox_with_a_new_uidvalidity_are_dropped)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    fx_go_offline(&f);
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(tm_imap_ops.move(f.s, fx_message_id(&f, 2), "Archive", &err), TM_OK);
    TM_CHECK_INT(tm_imap_ops.copy(f.s, fx_message_id(&f, 1), "Archive", &err), TM_OK);
    TM_CHECK_INT(fx_pending_count(&f), 2);
    /* uid 2 names another message now (RFC 4549 4.1): no MOVE, no COPY. */
    fx_script(&f, GREETING_STARTTLS STARTTLS_DONE LOGIN_DONE "C: t5 SELECT INBOX (QRESYNC (7 10))\n"
                                                             "S: * 0 EXISTS\n"
                                                             "S: * OK [UIDVALIDITY 99] new\n"
                                                             "S: * OK [UIDNEXT 1] ok\n"
                                                             "S: t5 OK [READ-WRITE] done\n");
    f.s->failures = 0;
    TM_CHECK_INT(imap_handshake(f.s, &err), TM_OK);
    TM_CHECK_INT(imap_pending_replay(f.s, &err), TM_OK);
    fx_finish(&f);
    TM_CHECK_INT(fx_pending_count(&f), 0);
    fx_close(&f);
}
