/* test_imap_sync_status.c - transcript tests of list_for_sync and the syncs after it: the state of
 * every mailbox in the listing's round (LIST-STATUS when offered, else STATUS pipelined after
 * LIST), no SELECT for a mailbox whose status proves the cache current, a SELECT when UIDNEXT,
 * HIGHESTMODSEQ, the count or UIDVALIDITY moved or the status is missing, an empty mailbox never
 * synced recorded exactly as a SELECT leaves it, and without CONDSTORE only empty ones skipped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "imap_session_fixture.h"
#include "src/store/private.h"
#include "tm_test.h"
#include "tmail/buf.h"
#include "tmail/store.h"

#define ITEMS           "MESSAGES UNSEEN UIDNEXT UIDVALIDITY HIGHESTMODSEQ"
#define LIST_STATUS_CMD "C: t7 LIST \"\" \"*\" RETURN (SUBSCRIBED STATUS (" ITEMS "))\n"
/* Work's status as open_with_work caches it: nothing changed. */
#define WORK_SAME                                                                                  \
    "S: * STATUS Work (MESSAGES 2 UIDNEXT 3 UIDVALIDITY 30 UNSEEN 1 HIGHESTMODSEQ 5)\n"

/* TM_CHECK for the helpers that return a value: reports the failure and goes on. */
#define EXPECT(cond)                                                                               \
    do {                                                                                           \
        if (!(cond))                                                                               \
            tm_test_fail(__FILE__, __LINE__, "%s", #cond);                                         \
    } while (0)

/* Nothing selected, the next tag t7: each case starts as right after the first sync's INBOX. */
static void restart(struct fx *f)
{
    free(f->s->selected);
    f->s->selected = NULL;
    f->s->selected_id = 0;
    f->s->next_tag = 6;
}

/* Mailbox name cached as synced with that state and messages uid 1..n; its store id. */
static int64_t cache_mailbox(struct fx *f, const char *name, int64_t uidvalidity, int64_t uidnext,
                             int64_t modseq, int n)
{
    int64_t id = 0;
    EXPECT(tm_store_mailbox_ensure(f->store, f->account_id, name, &id, NULL) == TM_OK);
    EXPECT(tm_store_mailbox_reset(f->store, id, NULL) == TM_OK);
    struct tm_mailbox_state state = {uidvalidity, uidnext, modseq};
    EXPECT(tm_store_mailbox_set_state(f->store, id, &state, NULL) == TM_OK);
    for (int uid = 1; uid <= n; uid++) {
        struct tm_message_row row = {.mailbox_id = id, .uid = uid}; /* keyed by its uid */
        EXPECT(tm_store_message_upsert(f->store, &row, NULL) == TM_OK);
    }
    return id;
}

/* The first sync of INBOX, LIST-STATUS offered when list_status, and Work cached as the server
 * has it (WORK_SAME); Work's store id. */
static int64_t open_with_work(struct fx *f, bool list_status)
{
    fx_open(f, TM_URL_IMAP);
    fx_first_sync(f);
    if (list_status) {
        fx_caps_set(f, IMAP_CAP_LIST_EXTENDED, true);
        fx_caps_set(f, IMAP_CAP_LIST_STATUS, true);
    }
    return cache_mailbox(f, "Work", 30, 3, 5, 2);
}

static struct tm_mailbox_state state_of(struct fx *f, int64_t id)
{
    struct tm_mailbox_state state = {-1, -1, -1};
    EXPECT(tm_store_mailbox_get_state(f->store, id, &state, NULL) == TM_OK);
    return state;
}

/* The listing as the callback saw it: "name/selectable;" for each entry. */
static int listed(void *ctx, const struct tm_mailbox_info *mb)
{
    tm_buf_appendf(ctx, "%s/%d;", mb->name, mb->selectable);
    return 0;
}

/* Runs list_for_sync; returns what the callback saw (malloc'd). */
static char *list_for_sync(struct fx *f, enum tm_status want)
{
    struct tm_buf seen;
    tm_buf_init(&seen, 0);
    struct tm_error err;
    tm_error_clear(&err);
    EXPECT(tm_imap_ops.list_for_sync(f->s, listed, &seen, &err) == want);
    tm_buf_append_char(&seen, 0);
    return tm_buf_steal(&seen);
}

static struct tm_sync_result sync_ok(struct fx *f, const char *name, int64_t id)
{
    struct tm_sync_result res = {0};
    struct tm_error err;
    tm_error_clear(&err);
    if (tm_imap_ops.sync_mailbox(f->s, name, id, &res, &err) != TM_OK)
        tm_test_fail(__FILE__, __LINE__, "sync of %s: %s", name, err.message);
    return res;
}

TM_TEST(imap_list_for_sync_uses_list_status_and_selects_no_unchanged_mailbox)
{
    struct fx f;
    int64_t work = open_with_work(&f, true);
    fx_script(&f, LIST_STATUS_CMD "S: * LIST (\\Sent) \"/\" Sent\n"
                                  "S: * STATUS Sent (MESSAGES 0 UIDNEXT 1 UIDVALIDITY 20 UNSEEN 0 "
                                  "HIGHESTMODSEQ 1)\n"
                                  "S: * LIST (\\Noselect) \"/\" Lists\n"
                                  "S: * LIST () \"/\" Work\n" WORK_SAME "S: * LIST () \"/\" INBOX\n"
                                  "S: * STATUS INBOX (MESSAGES 2 UIDNEXT 3 UIDVALIDITY 7 UNSEEN 1 "
                                  "HIGHESTMODSEQ 10)\n"
                                  "S: t7 OK List completed\n");
    char *seen = list_for_sync(&f, TM_OK);
    TM_CHECK_STR(seen, "Sent/1;Lists/0;Work/1;INBOX/1;");
    free(seen);
    /* The script ends here: a SELECT of Sent or Work would fail the write. */
    int64_t sent;
    TM_CHECK_INT(tm_store_mailbox_ensure(f.store, f.account_id, "Sent", &sent, NULL), TM_OK);
    struct tm_sync_result res = sync_ok(&f, "Sent", sent);
    TM_CHECK_INT(res.added + res.removed + res.changed, 0);
    res = sync_ok(&f, "Work", work);
    TM_CHECK_INT(res.added + res.removed + res.changed, 0);
    fx_finish(&f);
    struct tm_mailbox_state st = state_of(&f, sent);
    TM_CHECK_INT(st.uidvalidity, 20);
    TM_CHECK_INT(st.uidnext, 1);
    TM_CHECK_INT(st.highest_modseq, 1);
    st = state_of(&f, work);
    TM_CHECK_INT(st.uidvalidity, 30);
    TM_CHECK_INT(st.uidnext, 3);
    TM_CHECK_INT(st.highest_modseq, 5);
    TM_CHECK_INT(f.s->selected_id, f.inbox_id); /* INBOX stays selected: nothing was */
    fx_close(&f);
}

TM_TEST(imap_list_for_sync_pipelines_status_without_list_status)
{
    struct fx f;
    int64_t work = open_with_work(&f, false);
    int64_t sent = cache_mailbox(&f, "Sent", 20, 1, 1, 0);
    /* INBOX is selected (its SELECT state is newer) and Lists cannot be: no STATUS for them.
     * Work's STATUS fails: it is synced as usual, with a SELECT. */
    fx_script(&f, "C: t7 LIST \"\" \"*\"\n"
                  "S: * LIST () \"/\" INBOX\n"
                  "S: * LIST () \"/\" Sent\n"
                  "S: * LIST (\\Noselect) \"/\" Lists\n"
                  "S: * LIST () \"/\" Work\n"
                  "S: t7 OK List completed\n"
                  "C: t8 STATUS Sent (" ITEMS ")\n"
                  "C: t9 STATUS Work (" ITEMS ")\n"
                  "S: * STATUS Sent (MESSAGES 0 UIDNEXT 1 UIDVALIDITY 20 UNSEEN 0 "
                  "HIGHESTMODSEQ 1)\n"
                  "S: t8 OK Status completed\n"
                  "S: t9 NO Mailbox is busy\n"
                  "C: t10 SELECT Work (QRESYNC (30 5))\n"
                  "S: * 2 EXISTS\n"
                  "S: * OK [UIDVALIDITY 30] ok\n"
                  "S: * OK [UIDNEXT 3] ok\n"
                  "S: * OK [HIGHESTMODSEQ 5] ok\n"
                  "S: t10 OK [READ-WRITE] Select completed\n");
    char *seen = list_for_sync(&f, TM_OK);
    TM_CHECK_STR(seen, "INBOX/1;Sent/1;Lists/0;Work/1;");
    free(seen);
    sync_ok(&f, "Sent", sent);
    sync_ok(&f, "Work", work);
    fx_finish(&f);
    TM_CHECK_INT(f.s->selected_id, work);
    fx_close(&f);
}

TM_TEST(imap_list_for_sync_refused_list_status_falls_back_to_list_and_status)
{
    struct fx f;
    int64_t work = open_with_work(&f, true);
    fx_script(&f, LIST_STATUS_CMD "S: t7 BAD Unknown RETURN option\n"
                                  "C: t8 LIST \"\" \"*\" RETURN (SUBSCRIBED)\n"
                                  "S: * LIST () \"/\" Work\n"
                                  "S: t8 OK List completed\n"
                                  "C: t9 STATUS Work (" ITEMS ")\n" WORK_SAME
                                  "S: t9 OK Status completed\n");
    char *seen = list_for_sync(&f, TM_OK);
    TM_CHECK_STR(seen, "Work/1;");
    free(seen);
    sync_ok(&f, "Work", work);
    fx_finish(&f);
    fx_close(&f);
}

/* Work is cached at UIDVALIDITY 30, UIDNEXT 3, HIGHESTMODSEQ 5 with 2 messages. */
static const struct moved {
    const char *what, *status, *select_reply;
    int64_t removed;
} moved[] = {
    {"uidnext", "MESSAGES 2 UIDNEXT 4 UIDVALIDITY 30 UNSEEN 0 HIGHESTMODSEQ 5",
     "S: * 2 EXISTS\nS: * OK [UIDVALIDITY 30] ok\nS: * OK [UIDNEXT 3] ok\n"
     "S: * OK [HIGHESTMODSEQ 5] ok\n",
     0},
    {"modseq", "MESSAGES 2 UIDNEXT 3 UIDVALIDITY 30 UNSEEN 0 HIGHESTMODSEQ 6",
     "S: * 2 EXISTS\nS: * OK [UIDVALIDITY 30] ok\nS: * OK [UIDNEXT 3] ok\n"
     "S: * OK [HIGHESTMODSEQ 5] ok\n",
     0},
    {"count", "MESSAGES 1 UIDNEXT 3 UIDVALIDITY 30 UNSEEN 0 HIGHESTMODSEQ 5",
     "S: * 2 EXISTS\nS: * OK [UIDVALIDITY 30] ok\nS: * OK [UIDNEXT 3] ok\n"
     "S: * OK [HIGHESTMODSEQ 5] ok\n",
     0},
    {"uidvalidity", "MESSAGES 0 UIDNEXT 1 UIDVALIDITY 31 UNSEEN 0 HIGHESTMODSEQ 1",
     "S: * 0 EXISTS\nS: * OK [UIDVALIDITY 31] ok\nS: * OK [UIDNEXT 1] ok\n"
     "S: * OK [HIGHESTMODSEQ 1] ok\n",
     2},
};

TM_TEST(imap_sync_selects_a_mailbox_whose_status_moved)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    fx_caps_set(&f, IMAP_CAP_LIST_EXTENDED, true);
    fx_caps_set(&f, IMAP_CAP_LIST_STATUS, true);
    for (size_t i = 0; i < sizeof(moved) / sizeof(moved[0]); i++) {
        int64_t work = cache_mailbox(&f, "Work", 30, 3, 5, 2);
        restart(&f);
        char script[2048];
        snprintf(script, sizeof(script),
                 LIST_STATUS_CMD "S: * LIST () \"/\" Work\n"
                                 "S: * STATUS Work (%s)\n"
                                 "S: t7 OK List completed\n"
                                 "C: t8 SELECT Work (QRESYNC (30 5))\n"
                                 "%s"
                                 "S: t8 OK [READ-WRITE] Select completed\n",
                 moved[i].status, moved[i].select_reply);
        fx_script(&f, script);
        free(list_for_sync(&f, TM_OK));
        struct tm_sync_result res = sync_ok(&f, "Work", work);
        fx_finish(&f);
        if (f.s->selected_id != work || res.removed != moved[i].removed)
            tm_test_fail(__FILE__, __LINE__, "%s: selected %lld, removed %lld", moved[i].what,
                         (long long)f.s->selected_id, (long long)res.removed);
    }
    fx_close(&f);
}

/* Every column of the mailbox row called name but its id, as text; synced_at only as "set"
 * when it is within a few seconds of now. */
static char *mailbox_row(struct fx *f, const char *name)
{
    sqlite3_stmt *s = NULL;
    EXPECT(sqlite3_prepare_v2(f->store->db, "SELECT * FROM mailboxes WHERE name = ?1", -1, &s,
                              NULL) == SQLITE_OK);
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    struct tm_buf out;
    tm_buf_init(&out, 0);
    EXPECT(sqlite3_step(s) == SQLITE_ROW);
    for (int i = 0; i < sqlite3_column_count(s); i++) {
        const char *col = sqlite3_column_name(s, i);
        const char *v = (const char *)sqlite3_column_text(s, i);
        if (strcmp(col, "id") == 0)
            continue;
        if (strcmp(col, "synced_at") == 0 && v)
            v = llabs(sqlite3_column_int64(s, i) - (long long)time(NULL)) <= 5 ? "set" : "old";
        tm_buf_appendf(&out, "%s=%s;", col, v ? v : "NULL");
    }
    sqlite3_finalize(s);
    tm_buf_append_char(&out, 0);
    return tm_buf_steal(&out);
}

TM_TEST(imap_sync_records_an_empty_new_mailbox_as_its_select_would)
{
    /* a: from the listing's status, without a SELECT */
    struct fx a;
    fx_open(&a, TM_URL_IMAP);
    fx_first_sync(&a);
    fx_caps_set(&a, IMAP_CAP_LIST_EXTENDED, true);
    fx_caps_set(&a, IMAP_CAP_LIST_STATUS, true);
    fx_script(&a, LIST_STATUS_CMD "S: * LIST (\\Sent) \"/\" Sent\n"
                                  "S: * STATUS Sent (MESSAGES 0 UIDNEXT 1 UIDVALIDITY 20 UNSEEN 0 "
                                  "HIGHESTMODSEQ 1)\n"
                                  "S: t7 OK List completed\n");
    free(list_for_sync(&a, TM_OK));
    int64_t sent_a;
    TM_CHECK_INT(tm_store_mailbox_ensure(a.store, a.account_id, "Sent", &sent_a, NULL), TM_OK);
    sync_ok(&a, "Sent", sent_a);
    fx_finish(&a);
    /* b: the same mailbox synced with a SELECT */
    struct fx b;
    fx_open(&b, TM_URL_IMAP);
    fx_first_sync(&b);
    fx_script(&b, "C: t7 SELECT Sent\n"
                  "S: * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\n"
                  "S: * 0 EXISTS\n"
                  "S: * OK [UIDVALIDITY 20] UIDs valid\n"
                  "S: * OK [UIDNEXT 1] Predicted next UID\n"
                  "S: * OK [HIGHESTMODSEQ 1] Highest\n"
                  "S: t7 OK [READ-WRITE] Select completed\n");
    int64_t sent_b;
    TM_CHECK_INT(tm_store_mailbox_ensure(b.store, b.account_id, "Sent", &sent_b, NULL), TM_OK);
    sync_ok(&b, "Sent", sent_b);
    fx_finish(&b);
    char *row_a = mailbox_row(&a, "Sent"), *row_b = mailbox_row(&b, "Sent");
    TM_CHECK_STR(row_a, row_b);
    TM_CHECK(strstr(row_a, "uidvalidity=20;uidnext=1;highest_modseq=1;") != NULL);
    TM_CHECK(strstr(row_a, "synced_at=set;") != NULL);
    free(row_a);
    free(row_b);
    fx_close(&b);
    /* The next sync of a works from that state: a QRESYNC SELECT, then the new message. */
    restart(&a);
    fx_script(&a, "C: t7 SELECT Sent (QRESYNC (20 1))\n"
                  "S: * 1 EXISTS\n"
                  "S: * OK [UIDVALIDITY 20] ok\n"
                  "S: * OK [UIDNEXT 2] ok\n"
                  "S: * OK [HIGHESTMODSEQ 2] ok\n"
                  "S: t7 OK [READ-WRITE] Select completed\n"
                  "C: t8 UID FETCH 1:* (" FETCH_NEW_CMD ")\n"
                  "S: * 1 FETCH (UID 1 FLAGS (\\Seen) RFC822.SIZE 50 INTERNALDATE "
                  "\"02-Nov-2026 10:00:00 +0000\" " HDR " {17}\n"
                  "S: Subject: sent\n"
                  "S: \n"
                  "S: )\n"
                  "S: t8 OK Fetch completed\n");
    struct tm_sync_result res = sync_ok(&a, "Sent", sent_a);
    fx_finish(&a);
    TM_CHECK_INT(res.added, 1);
    struct tm_mailbox_state st = state_of(&a, sent_a);
    TM_CHECK_INT(st.uidnext, 2);
    TM_CHECK_INT(st.highest_modseq, 2);
    fx_close(&a);
}

TM_TEST(imap_sync_without_condstore_selects_a_mailbox_with_messages)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    fx_caps_set(&f, IMAP_CAP_CONDSTORE, false);
    fx_caps_set(&f, IMAP_CAP_QRESYNC, false);
    f.s->condstore_enabled = f.s->qresync_enabled = false;
    int64_t work = cache_mailbox(&f, "Work", 30, 3, 0, 2);
    int64_t sent = cache_mailbox(&f, "Sent", 20, 1, 0, 0);
    int64_t junk;
    TM_CHECK_INT(tm_store_mailbox_ensure(f.store, f.account_id, "Junk", &junk, NULL), TM_OK);
    restart(&f);
    /* The same status as cached for Work, but its flags may have changed unseen: SELECT and
     * every flag. Sent and the new Junk are empty: nothing can have changed. */
    fx_script(&f, "C: t7 LIST \"\" \"*\"\n"
                  "S: * LIST () \"/\" Junk\n"
                  "S: * LIST () \"/\" Sent\n"
                  "S: * LIST () \"/\" Work\n"
                  "S: t7 OK List completed\n"
                  "C: t8 STATUS Junk (MESSAGES UNSEEN UIDNEXT UIDVALIDITY)\n"
                  "C: t9 STATUS Sent (MESSAGES UNSEEN UIDNEXT UIDVALIDITY)\n"
                  "C: t10 STATUS Work (MESSAGES UNSEEN UIDNEXT UIDVALIDITY)\n"
                  "S: * STATUS Junk (MESSAGES 0 UIDNEXT 1 UIDVALIDITY 40 UNSEEN 0)\n"
                  "S: t8 OK Status completed\n"
                  "S: * STATUS Sent (MESSAGES 0 UIDNEXT 1 UIDVALIDITY 20 UNSEEN 0)\n"
                  "S: t9 OK Status completed\n"
                  "S: * STATUS Work (MESSAGES 2 UIDNEXT 3 UIDVALIDITY 30 UNSEEN 0)\n"
                  "S: t10 OK Status completed\n"
                  "C: t11 SELECT Work\n"
                  "S: * 2 EXISTS\n"
                  "S: * OK [UIDVALIDITY 30] ok\n"
                  "S: * OK [UIDNEXT 3] ok\n"
                  "S: t11 OK [READ-WRITE] Select completed\n"
                  "C: t12 UID FETCH 1:2 (UID FLAGS)\n"
                  "S: * 1 FETCH (UID 1 FLAGS (\\Seen))\n"
                  "S: * 2 FETCH (UID 2 FLAGS ())\n"
                  "S: t12 OK Fetch completed\n");
    free(list_for_sync(&f, TM_OK));
    sync_ok(&f, "Junk", junk);
    sync_ok(&f, "Sent", sent);
    struct tm_sync_result res = sync_ok(&f, "Work", work);
    fx_finish(&f);
    TM_CHECK_INT(res.changed, 1); /* uid 1 became \Seen */
    struct tm_mailbox_state st = state_of(&f, junk);
    TM_CHECK_INT(st.uidvalidity, 40);
    TM_CHECK_INT(st.uidnext, 1);
    TM_CHECK_INT(st.highest_modseq, 0);
    fx_close(&f);
}
