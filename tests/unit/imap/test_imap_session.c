/* test_imap_session.c - transcript tests of the IMAP session: a scripted server plays its lines
 * and each test checks, line by line, exactly what tmail sent (login, STARTTLS and its attacks,
 * first sync, QRESYNC resync, UIDVALIDITY reset, offline flag changes, IDLE). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "imap_session_fixture.h"
#include "tm_test.h"
#include "tmail/flags.h"
#include "tmail/store.h"

TM_TEST(imap_starttls_then_sasl_ir_plain_login_and_enable)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_script(&f, GREETING_STARTTLS STARTTLS_DONE LOGIN_DONE);
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(imap_handshake(f.s, &err), TM_OK);
    TM_CHECK(f.s->qresync_enabled && f.s->condstore_enabled);
    TM_CHECK(tm_stream_is_tls(f.s->stream));
    TM_CHECK_INT(f.secret_calls, 1);
    fx_finish(&f);
    fx_close(&f);
}

TM_TEST(imap_missing_starttls_is_refused_before_anything_is_sent)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_script(&f, "S: * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\n");
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(imap_handshake(f.s, &err), TM_ETLS);
    TM_CHECK(strstr(err.message, "STARTTLS") != NULL);
    TM_CHECK(f.s->stream == NULL); /* closed: nothing more goes out */
    TM_CHECK_INT(f.secret_calls, 0);
    fx_close(&f);
}

TM_TEST(imap_preauth_on_a_connection_to_upgrade_is_refused)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_script(&f, "S: * PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] welcome\n");
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(imap_handshake(f.s, &err), TM_ETLS);
    TM_CHECK(strstr(err.message, "PREAUTH") != NULL);
    TM_CHECK(f.s->stream == NULL);
    fx_close(&f);
}

TM_TEST(imap_data_injected_after_the_starttls_reply_is_refused)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_script(&f, GREETING_STARTTLS "C: t1 STARTTLS\n"
                                    "S: t1 OK Begin TLS\n"
                                    "S: * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\n"
                                    "T:\n");
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(imap_handshake(f.s, &err), TM_ETLS);
    TM_CHECK(f.s->stream == NULL);
    TM_CHECK_INT(f.secret_calls, 0);
    fx_close(&f);
}

TM_TEST(imap_refused_login_is_an_auth_error_with_the_server_words)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_script(&f, GREETING_STARTTLS STARTTLS_DONE
              "C: t3 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\n"
              "S: t3 NO [AUTHENTICATIONFAILED] Authentication failed.\n");
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(imap_handshake(f.s, &err), TM_EAUTH);
    TM_CHECK(strstr(err.server_reply, "Authentication failed.") != NULL);
    TM_CHECK(strstr(err.message, "secret") == NULL);
    fx_close(&f);
}

TM_TEST(imap_first_sync_stores_headers_flags_and_state)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    int64_t id;
    unsigned flags;
    TM_CHECK_INT(tm_store_message_find_uid(f.store, f.inbox_id, 1, &id, &flags, NULL), TM_OK);
    TM_CHECK_INT(flags, TM_FLAG_SEEN);
    struct tm_message_row row = {0};
    TM_CHECK_INT(tm_store_message_get(f.store, id, &row, NULL), TM_OK);
    TM_CHECK_STR(row.subject, "one");
    TM_CHECK_INT(row.size, 100);
    tm_message_row_cleanup(&row);
    struct tm_mailbox_state state;
    TM_CHECK_INT(tm_store_mailbox_get_state(f.store, f.inbox_id, &state, NULL), TM_OK);
    TM_CHECK_INT(state.uidvalidity, 7);
    TM_CHECK_INT(state.highest_modseq, 10);
    /* Selected and unchanged: a resync costs no command at all. */
    struct tm_sync_result res = {0};
    fx_script(&f, "");
    TM_CHECK_INT(imap_sync_mailbox(f.s, "INBOX", f.inbox_id, &res, NULL), TM_OK);
    TM_CHECK_INT(res.added + res.removed + res.changed, 0);
    fx_close(&f);
}

TM_TEST(imap_resync_with_qresync_applies_vanished_and_flag_changes)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    imap_disconnect(f.s);
    fx_script(&f, GREETING_STARTTLS STARTTLS_DONE LOGIN_DONE
              "C: t5 SELECT INBOX (QRESYNC (7 10))\n"
              "S: * 2 EXISTS\n"
              "S: * OK [UIDVALIDITY 7] ok\n"
              "S: * OK [UIDNEXT 4] ok\n"
              "S: * OK [HIGHESTMODSEQ 14] ok\n"
              "S: * VANISHED (EARLIER) 1\n"
              "S: * 1 FETCH (UID 2 FLAGS (\\Flagged) MODSEQ (13))\n"
              "S: t5 OK [READ-WRITE] done\n"
              "C: t6 UID FETCH 3:* (" FETCH_NEW_CMD ")\n"
              "S: * 2 FETCH (UID 3 FLAGS () RFC822.SIZE 50 " HDR " {56}\n"
              "S: Date: Mon, 2 Nov 2026 10:00:00 +0000\n"
              "S: Subject: three\n"
              "S: \n"
              "S: )\n"
              "S: t6 OK done\n");
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(imap_handshake(f.s, &err), TM_OK);
    struct tm_sync_result res = {0};
    TM_CHECK_INT(imap_sync_mailbox(f.s, "INBOX", f.inbox_id, &res, &err), TM_OK);
    TM_CHECK_INT(res.added, 1);
    TM_CHECK_INT(res.removed, 1);
    TM_CHECK_INT(res.changed, 1);
    unsigned flags;
    int64_t id;
    TM_CHECK_INT(tm_store_message_find_uid(f.store, f.inbox_id, 1, &id, NULL, NULL), TM_ENOENT);
    TM_CHECK_INT(tm_store_message_find_uid(f.store, f.inbox_id, 2, &id, &flags, NULL), TM_OK);
    TM_CHECK_INT(flags, TM_FLAG_FLAGGED);
    fx_finish(&f);
    fx_close(&f);
}

TM_TEST(imap_uidvalidity_change_empties_the_cached_mailbox)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    imap_disconnect(f.s);
    fx_script(&f, GREETING_STARTTLS STARTTLS_DONE LOGIN_DONE
              "C: t5 SELECT INBOX (QRESYNC (7 10))\n"
              "S: * 1 EXISTS\n"
              "S: * OK [UIDVALIDITY 99] new\n"
              "S: * OK [UIDNEXT 2] ok\n"
              "S: * OK [HIGHESTMODSEQ 3] ok\n"
              "S: t5 OK [READ-WRITE] done\n"
              "C: t6 UID FETCH 1:* (" FETCH_NEW_CMD ")\n"
              "S: * 1 FETCH (UID 1 FLAGS () RFC822.SIZE 50 " HDR " {55}\n"
              "S: Date: Mon, 2 Nov 2026 10:00:00 +0000\n"
              "S: Subject: anew\n"
              "S: \n"
              "S: )\n"
              "S: t6 OK done\n");
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(imap_handshake(f.s, &err), TM_OK);
    struct tm_sync_result res = {0};
    TM_CHECK_INT(imap_sync_mailbox(f.s, "INBOX", f.inbox_id, &res, &err), TM_OK);
    TM_CHECK_INT(res.removed, 2);
    TM_CHECK_INT(res.added, 1);
    int64_t count = 0;
    TM_CHECK_INT(tm_store_message_count(f.store, f.inbox_id, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 1);
    struct tm_mailbox_state state;
    TM_CHECK_INT(tm_store_mailbox_get_state(f.store, f.inbox_id, &state, NULL), TM_OK);
    TM_CHECK_INT(state.uidvalidity, 99);
    fx_finish(&f);
    fx_close(&f);
}

TM_TEST(imap_flag_change_while_offline_is_queued_then_replayed)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    imap_disconnect(f.s);
    /* Offline: nothing listens on 127.0.0.1:1, so connecting is refused. */
    free(f.s->srv.host);
    f.s->srv.host = strdup("127.0.0.1");
    f.s->srv.port = 1;
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(imap_store_flags(f.s, f.inbox_id, "INBOX", 2, TM_FLAG_FLAGGED, 0, &err), TM_OK);
    unsigned flags;
    int64_t id, pending = 0;
    TM_CHECK_INT(tm_store_message_find_uid(f.store, f.inbox_id, 2, &id, &flags, NULL), TM_OK);
    TM_CHECK_INT(flags, TM_FLAG_FLAGGED); /* the cache shows it at once */
    TM_CHECK_INT(tm_store_pending_count(f.store, f.account_id, &pending, NULL), TM_OK);
    TM_CHECK_INT(pending, 1);
    fx_close(&f);
}

TM_TEST(imap_idle_ends_when_new_mail_arrives)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_first_sync(&f);
    fx_script(&f, "C: t7 IDLE\n"
                  "S: + idling\n"
                  "S: * 3 EXISTS\n"
                  "C: DONE\n"
                  "S: t7 OK Idle completed\n");
    bool changed = false;
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(tm_imap_ops.wait_changes(f.s, 1000, &changed, &err), TM_OK);
    TM_CHECK(changed);
    TM_CHECK_INT(f.s->live.exists, 3);
    fx_finish(&f);
    fx_close(&f);
}

/* The header FETCH runs on a reader thread: a connection closed in the middle keeps every row
 * that arrived whole, interleaved flag changes of older messages still apply, and the next sync
 * resumes after the last stored uid. */
/* The header FETCH does not ask for INTERNALDATE (it costs the server a third more time): a
 * message whose header has no usable Date gets its arrival time in one follow-up FETCH of just
 * those uids, and the others keep the date of their header. */
TM_TEST(imap_messages_without_a_date_get_internaldate_in_one_follow_up)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_script(&f, GREETING_STARTTLS STARTTLS_DONE LOGIN_DONE
              "C: t5 SELECT INBOX\n"
              "S: * 4 EXISTS\n"
              "S: * OK [UIDVALIDITY 7] ok\n"
              "S: * OK [UIDNEXT 9] ok\n"
              "S: t5 OK [READ-WRITE] done\n"
              "C: t6 UID FETCH 1:* (" FETCH_NEW_CMD ")\n"
              "S: * 1 FETCH (UID 2 FLAGS () RFC822.SIZE 10 " HDR " {16}\n"
              "S: Subject: one\n"
              "S: \n"
              "S: )\n"
              "S: * 2 FETCH (UID 3 FLAGS () RFC822.SIZE 10 " HDR " {41}\n"
              "S: Date: not a date at all\n"
              "S: Subject: two\n"
              "S: \n"
              "S: )\n"
              "S: * 3 FETCH (UID 5 FLAGS () RFC822.SIZE 10 " HDR " {56}\n"
              "S: Date: Mon, 2 Nov 2026 10:00:00 +0000\n"
              "S: Subject: three\n"
              "S: \n"
              "S: )\n"
              "S: * 4 FETCH (UID 8 FLAGS () RFC822.SIZE 10 " HDR " {17}\n"
              "S: Subject: four\n"
              "S: \n"
              "S: )\n"
              "S: t6 OK done\n"
              "C: t7 UID FETCH 2:3,8 (UID INTERNALDATE)\n"
              "S: * 1 FETCH (UID 2 INTERNALDATE \"01-Nov-2026 09:00:00 +0000\")\n"
              "S: * 2 FETCH (UID 3 INTERNALDATE \"01-Nov-2026 09:00:01 +0000\")\n"
              "S: * 4 FETCH (UID 8 INTERNALDATE \"01-Nov-2026 09:00:02 +0000\")\n"
              "S: t7 OK done\n");
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(imap_handshake(f.s, &err), TM_OK);
    struct tm_sync_result res = {0};
    TM_CHECK_INT(imap_sync_mailbox(f.s, "INBOX", f.inbox_id, &res, &err), TM_OK);
    TM_CHECK_INT(res.added, 4);
    const int64_t uids[] = {2, 3, 5, 8};
    const int64_t dates[] = {1793523600, 1793523601, 1793613600, 1793523602};
    for (size_t i = 0; i < 4; i++) {
        struct tm_message_row row = {0};
        TM_CHECK_INT(tm_store_message_get(f.store, fx_message_id(&f, uids[i]), &row, NULL), TM_OK);
        TM_CHECK_INT(row.date, dates[i]);
        tm_message_row_cleanup(&row);
    }
    fx_finish(&f);
    fx_close(&f);
}

/* A first SELECT of INBOX with 3 messages (UIDNEXT 4, HIGHESTMODSEQ 10), then the new-message
 * FETCH (t6). */
#define SELECT_THREE_THEN_FETCH                                                                    \
    "C: t5 SELECT INBOX\n"                                                                         \
    "S: * 3 EXISTS\n"                                                                              \
    "S: * OK [UIDVALIDITY 7] ok\n"                                                                 \
    "S: * OK [UIDNEXT 4] ok\n"                                                                     \
    "S: * OK [HIGHESTMODSEQ 10] ok\n"                                                              \
    "S: t5 OK [READ-WRITE] done\n"                                                                 \
    "C: t6 UID FETCH 1:* (" FETCH_NEW_CMD ")\n"
/* One FETCH response of that command: uid, its flags, a three-letter subject (the literal is 54
 * bytes). */
#define HEADER_ROW(uid, flags, subject)                                                            \
    "S: * " uid " FETCH (UID " uid " FLAGS (" flags ") RFC822.SIZE 10 " HDR " {54}\n"              \
    "S: Date: Mon, 2 Nov 2026 10:00:00 +0000\n"                                                    \
    "S: Subject: " subject "\n"                                                                    \
    "S: \n"                                                                                        \
    "S: )\n"

TM_TEST(imap_connection_closed_mid_fetch_keeps_complete_rows_and_resumes)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_script(&f, GREETING_STARTTLS STARTTLS_DONE LOGIN_DONE SELECT_THREE_THEN_FETCH HEADER_ROW(
                      "1", "", "one")
                      HEADER_ROW("2", "\\Seen",
                                 "two") "S: * 1 FETCH (UID 1 FLAGS (\\Flagged))\n"
                                        "S: * 3 FETCH (UID 3 FLAGS () RFC822.SIZE 10 " HDR " {56}\n"
                                        "S: Date: Mon, 2 Nov 2026 10:00:00 +0000\n"
                                        "S: Subject: thr\n"
                                        "X:\n");
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(imap_handshake(f.s, &err), TM_OK);
    struct tm_sync_result res = {0};
    TM_CHECK_INT(imap_sync_mailbox(f.s, "INBOX", f.inbox_id, &res, &err), TM_ENET);
    TM_CHECK(f.s->stream == NULL); /* dropped: framing is lost */
    int64_t count = 0, id;
    unsigned flags;
    TM_CHECK_INT(tm_store_message_count(f.store, f.inbox_id, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 2);
    TM_CHECK_INT(tm_store_message_find_uid(f.store, f.inbox_id, 1, &id, &flags, NULL), TM_OK);
    TM_CHECK_INT(flags, TM_FLAG_FLAGGED);
    struct tm_mailbox_state state;
    TM_CHECK_INT(tm_store_mailbox_get_state(f.store, f.inbox_id, &state, NULL), TM_OK);
    TM_CHECK_INT(state.highest_modseq, 0); /* not complete: the next sync checks every flag */
    /* The next connection: flags of what is cached, then only uid 3 is fetched. */
    fx_script(&f, GREETING_STARTTLS STARTTLS_DONE LOGIN_DONE
              "C: t5 SELECT INBOX\n"
              "S: * 3 EXISTS\n"
              "S: * OK [UIDVALIDITY 7] ok\n"
              "S: * OK [UIDNEXT 4] ok\n"
              "S: * OK [HIGHESTMODSEQ 11] ok\n"
              "S: t5 OK [READ-WRITE] done\n"
              "C: t6 UID FETCH 1:2 (UID FLAGS)\n"
              "S: * 1 FETCH (UID 1 FLAGS (\\Flagged))\n"
              "S: * 2 FETCH (UID 2 FLAGS (\\Seen))\n"
              "S: t6 OK done\n"
              "C: t7 UID FETCH 3:* (" FETCH_NEW_CMD ")\n"
              "S: * 3 FETCH (UID 3 FLAGS () RFC822.SIZE 10 " HDR " {56}\n"
              "S: Date: Mon, 2 Nov 2026 10:00:00 +0000\n"
              "S: Subject: three\n"
              "S: \n"
              "S: )\n"
              "S: t7 OK done\n");
    TM_CHECK_INT(imap_handshake(f.s, &err), TM_OK);
    memset(&res, 0, sizeof(res));
    TM_CHECK_INT(imap_sync_mailbox(f.s, "INBOX", f.inbox_id, &res, &err), TM_OK);
    TM_CHECK_INT(res.added, 1);
    TM_CHECK_INT(tm_store_message_count(f.store, f.inbox_id, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 3);
    fx_finish(&f);
    fx_close(&f);
}

/* What the progress reports of a sync said, and when (ms after the sync began). */
struct progress_log {
    struct timespec start;
    long at_ms[16];
    int64_t done[16];
    int n;
};

static void log_progress(void *ctx, const char *mailbox, int64_t done, int64_t total)
{
    struct progress_log *p = ctx;
    (void)mailbox;
    (void)total;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (p->n < 16) {
        p->at_ms[p->n] =
            (now.tv_sec - p->start.tv_sec) * 1000 + (now.tv_nsec - p->start.tv_nsec) / 1000000;
        p->done[p->n++] = done;
    }
}

/* A server that stalls in the middle of a big FETCH: the rows that came before the stall are
 * stored (and reported) during it, not held back until the response goes on. */
TM_TEST(imap_rows_before_a_stalled_fetch_are_stored_during_the_stall)
{
    struct fx f;
    fx_open(&f, TM_URL_IMAP);
    fx_script(&f, GREETING_STARTTLS STARTTLS_DONE LOGIN_DONE SELECT_THREE_THEN_FETCH HEADER_ROW(
                      "1", "", "one")
                      HEADER_ROW("2", "", "two") "P: 1500\n"
                                                 "S: * 3 FETCH (UID 3 FLAGS () RFC822.SIZE 10 " HDR
                                                 " {54}\n"
                                                 "S: Date: Mon, 2 Nov 2026 10:00:00 +0000\n"
                                                 "S: Subject: thr\n"
                                                 "S: \n"
                                                 "S: )\n"
                                                 "S: t6 OK done\n");
    struct progress_log p = {0};
    f.env.progress = log_progress;
    f.env.progress_ctx = &p;
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(imap_handshake(f.s, &err), TM_OK);
    clock_gettime(CLOCK_MONOTONIC, &p.start);
    struct tm_sync_result res = {0};
    TM_CHECK_INT(imap_sync_mailbox(f.s, "INBOX", f.inbox_id, &res, &err), TM_OK);
    TM_CHECK_INT(res.added, 3);
    long two_at = -1, three_at = -1;
    for (int i = 0; i < p.n; i++) {
        if (p.done[i] == 2 && two_at < 0)
            two_at = p.at_ms[i];
        if (p.done[i] == 3 && three_at < 0)
            three_at = p.at_ms[i];
    }
    TM_CHECK(two_at >= 0 && three_at >= 1500);
    TM_CHECK(two_at < 1000); /* during the stall, well before its end */
    fx_finish(&f);
    fx_close(&f);
}
