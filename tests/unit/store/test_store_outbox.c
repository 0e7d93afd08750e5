/* test_store_outbox.c - the outbox of schema 7: the 6 -> 7 migration, queueing with its required
 * fields, the walk, states and the maybe-sent count, failed tries, recipients, the choice of the
 * next row, and that every queueing write reaches the disk (WAL fsynced) before it returns. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_fixture.h"
#include "tm_test.h"
#include "tmail/buf.h"
#include "tmail/flags.h"
#include "tmail/store.h"

static const char msg_bytes[] = "From: a@x\r\nTo: b@y\r\nSubject: hi\r\n\r\nbody\0with NUL\r\n";

/* Queues a row of account with the given rcpts and next_try; its id, 0 on failure. */
static int64_t queue(struct tm_store *st, const char *account, const char *rcpts, int64_t next_try)
{
    struct tm_outbox_entry e = {.account = account,
                                .env_from = "a@x",
                                .rcpts = rcpts,
                                .created = 1700000000,
                                .next_try = next_try};
    int64_t id = 0;
    if (tm_store_outbox_add(st, &e, "m", 1, &id, NULL))
        return 0;
    return id;
}

static long long outbox_int(struct tm_store *st, int64_t id, const char *column)
{
    char sql[160];
    snprintf(sql, sizeof(sql), "SELECT %s FROM outbox WHERE id = %lld", column, (long long)id);
    return fixture_int(st, sql);
}

TM_TEST(store_outbox_add_then_get_returns_every_field)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    struct tm_outbox_entry e = {.account = "work",
                                .created = 1700000123,
                                .env_from = "alice@example.org",
                                .rcpts = "bob@x\ncarol@y",
                                .subject = "Hello \xc3\xa9",
                                .to_display = "Bob <bob@x>, carol@y",
                                .state = TM_OUTBOX_SENT, /* ignored: a new row is QUEUED */
                                .next_try = 1700000200,
                                .orig_message_id = 42,
                                .orig_flag = TM_FLAG_ANSWERED,
                                .sent_mailbox = "Sent"};
    int64_t id = 0;
    struct tm_error err;
    TM_CHECK_INT(tm_store_outbox_add(st, &e, msg_bytes, sizeof(msg_bytes) - 1, &id, &err), TM_OK);
    TM_CHECK(id > 0);
    struct tm_outbox_row row = {0};
    TM_CHECK_INT(tm_store_outbox_get(st, id, &row, &err), TM_OK);
    TM_CHECK_INT(row.e.id, id);
    TM_CHECK_STR(row.e.account, "work");
    TM_CHECK_INT(row.e.created, 1700000123);
    TM_CHECK_STR(row.e.env_from, "alice@example.org");
    TM_CHECK_STR(row.e.rcpts, "bob@x\ncarol@y");
    TM_CHECK_STR(row.e.subject, "Hello \xc3\xa9");
    TM_CHECK_STR(row.e.to_display, "Bob <bob@x>, carol@y");
    TM_CHECK_INT(row.e.state, TM_OUTBOX_QUEUED);
    TM_CHECK_INT(row.e.attempts, 0);
    TM_CHECK_INT(row.e.maybe_sent, 0);
    TM_CHECK_INT(row.e.next_try, 1700000200);
    TM_CHECK(row.e.last_reply == NULL);
    TM_CHECK_INT(row.e.orig_message_id, 42);
    TM_CHECK_INT(row.e.orig_flag, TM_FLAG_ANSWERED);
    TM_CHECK_STR(row.e.sent_mailbox, "Sent");
    TM_CHECK(row.e.account == row.account && row.e.rcpts == row.rcpts);
    tm_outbox_row_cleanup(&row);
    TM_CHECK(row.account == NULL && row.e.account == NULL);
    tm_outbox_row_cleanup(NULL);

    struct tm_buf out;
    tm_buf_init(&out, 0);
    TM_CHECK_INT(tm_store_outbox_message(st, id, &out, &err), TM_OK);
    TM_CHECK_INT(out.len, sizeof(msg_bytes) - 1);
    TM_CHECK(memcmp(out.data, msg_bytes, out.len) == 0);
    tm_buf_cleanup(&out);
    tm_store_free(&st);
}

TM_TEST(store_outbox_add_optional_fields_null_and_created_now)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    struct tm_outbox_entry e = {.account = "work", .env_from = "", .rcpts = "bob@x"};
    int64_t id = 0;
    time_t before = time(NULL);
    TM_CHECK_INT(tm_store_outbox_add(st, &e, NULL, 0, &id, NULL), TM_OK);
    TM_CHECK_INT(tm_store_outbox_add(st, &e, "x", 1, NULL, NULL), TM_OK); /* id_out may be NULL */
    struct tm_outbox_row row = {0};
    TM_CHECK_INT(tm_store_outbox_get(st, id, &row, NULL), TM_OK);
    TM_CHECK_STR(row.e.env_from, ""); /* the null sender <> */
    TM_CHECK(row.e.subject == NULL && row.e.to_display == NULL && row.e.sent_mailbox == NULL);
    TM_CHECK(row.e.created >= before && row.e.created <= time(NULL) + 1);
    TM_CHECK_INT(row.e.next_try, 0);
    tm_outbox_row_cleanup(&row);
    struct tm_buf out;
    tm_buf_init(&out, 0);
    TM_CHECK_INT(tm_store_outbox_message(st, id, &out, NULL), TM_OK);
    TM_CHECK_INT(out.len, 0);
    tm_buf_cleanup(&out);
    tm_store_free(&st);
}

TM_TEST(store_outbox_add_refuses_missing_required_fields)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    const struct tm_outbox_entry bad[] = {
        {.account = NULL, .env_from = "a@x", .rcpts = "b@y"},
        {.account = "", .env_from = "a@x", .rcpts = "b@y"},
        {.account = "work", .env_from = NULL, .rcpts = "b@y"},
        {.account = "work", .env_from = "a@x", .rcpts = NULL},
        {.account = "work", .env_from = "a@x", .rcpts = ""},
        {.account = "work", .env_from = "a@x", .rcpts = "\n\n"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct tm_error err;
        int64_t id = -5;
        TM_CHECK_INT(tm_store_outbox_add(st, &bad[i], "m", 1, &id, &err), TM_ESTORE);
        TM_CHECK_INT(err.status, TM_ESTORE);
        TM_CHECK(strstr(err.message, "recipients") != NULL);
        TM_CHECK_INT(id, -5);
    }
    const struct tm_outbox_entry ok = {.account = "work", .env_from = "a@x", .rcpts = "b@y"};
    TM_CHECK_INT(tm_store_outbox_add(st, &ok, NULL, 3, NULL, NULL), TM_ESTORE); /* no bytes */
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM outbox"), 0);
    tm_store_free(&st);
}

TM_TEST(store_outbox_missing_rows_are_enoent)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    struct tm_outbox_row row = {0};
    struct tm_buf out;
    struct tm_error err;
    tm_buf_init(&out, 0);
    TM_CHECK_INT(tm_store_outbox_get(st, 99, &row, &err), TM_ENOENT);
    TM_CHECK(strstr(err.message, "99") != NULL);
    TM_CHECK_INT(tm_store_outbox_message(st, 99, &out, NULL), TM_ENOENT);
    TM_CHECK_INT(out.len, 0);
    TM_CHECK_INT(tm_store_outbox_set_state(st, 99, TM_OUTBOX_SENDING, NULL), TM_ENOENT);
    TM_CHECK_INT(tm_store_outbox_failed(st, 99, TM_OUTBOX_HELD, "550", 0, NULL), TM_ENOENT);
    TM_CHECK_INT(tm_store_outbox_set_rcpts(st, 99, "b@y", NULL), TM_ENOENT);
    TM_CHECK_INT(tm_store_outbox_delete(st, 99, NULL), TM_OK); /* not an error */
    tm_buf_cleanup(&out);
    tm_store_free(&st);
}

TM_TEST(store_outbox_message_larger_than_buffer_cap_is_elimit)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    struct tm_outbox_entry e = {.account = "work", .env_from = "a@x", .rcpts = "b@y"};
    int64_t id = 0;
    TM_CHECK_INT(tm_store_outbox_add(st, &e, msg_bytes, sizeof(msg_bytes) - 1, &id, NULL), TM_OK);
    struct tm_buf out;
    tm_buf_init(&out, 8);
    TM_CHECK_INT(tm_store_outbox_message(st, id, &out, NULL), TM_ELIMIT);
    tm_buf_cleanup(&out);
    tm_store_free(&st);
}

/* What an outbox walk saw: "account:rcpts;" per row. */
struct outbox_walk {
    char seen[512];
    int n, stop_after;
    struct tm_store *st;
    int delete_each, requeue;
    int64_t also_delete;
};

static int take_row(void *ctx, const struct tm_outbox_entry *e)
{
    struct outbox_walk *w = ctx;
    size_t len = strlen(w->seen);
    snprintf(w->seen + len, sizeof(w->seen) - len, "%s:%s;", e->account, e->rcpts);
    w->n++;
    if (w->delete_each) { /* no statement is open: the callback may change the outbox */
        tm_store_outbox_delete(w->st, e->id, NULL);
        if (w->also_delete)
            tm_store_outbox_delete(w->st, w->also_delete, NULL);
        w->also_delete = 0;
    }
    if (w->requeue)
        tm_store_outbox_add(w->st, e, "m", 1, NULL, NULL);
    return w->stop_after && w->n >= w->stop_after;
}

TM_TEST(store_outbox_each_walks_in_id_order_per_account)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    TM_CHECK(queue(st, "work", "a1", 0) > 0);
    TM_CHECK(queue(st, "home", "h1", 0) > 0);
    TM_CHECK(queue(st, "work", "a2", 0) > 0);
    struct outbox_walk w = {0};
    TM_CHECK_INT(tm_store_outbox_each(st, "work", take_row, &w, NULL), TM_OK);
    TM_CHECK_STR(w.seen, "work:a1;work:a2;");
    w = (struct outbox_walk){0};
    TM_CHECK_INT(tm_store_outbox_each(st, NULL, take_row, &w, NULL), TM_OK);
    TM_CHECK_STR(w.seen, "work:a1;home:h1;work:a2;");
    w = (struct outbox_walk){.stop_after = 2};
    TM_CHECK_INT(tm_store_outbox_each(st, NULL, take_row, &w, NULL), TM_OK);
    TM_CHECK_STR(w.seen, "work:a1;home:h1;");
    w = (struct outbox_walk){0};
    TM_CHECK_INT(tm_store_outbox_each(st, "nobody", take_row, &w, NULL), TM_OK);
    TM_CHECK_INT(w.n, 0);
    tm_store_free(&st);
}

TM_TEST(store_outbox_each_callback_may_delete_and_requeue)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t a = queue(st, "work", "a1", 0), b = queue(st, "work", "a2", 0);
    int64_t c = queue(st, "work", "a3", 0);
    TM_CHECK(a > 0 && b > 0 && c > 0);
    struct outbox_walk w = {.st = st, .delete_each = 1, .also_delete = b};
    TM_CHECK_INT(tm_store_outbox_each(st, "work", take_row, &w, NULL), TM_OK);
    TM_CHECK_STR(w.seen, "work:a1;work:a3;"); /* b went before its turn */
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM outbox"), 0);
    TM_CHECK(queue(st, "work", "r1", 0) > 0);
    w = (struct outbox_walk){.st = st, .requeue = 1};
    TM_CHECK_INT(tm_store_outbox_each(st, "work", take_row, &w, NULL), TM_OK);
    TM_CHECK_STR(w.seen, "work:r1;"); /* rows added during the walk wait for the next one */
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM outbox"), 2);
    tm_store_free(&st);
}

TM_TEST(store_outbox_set_state_counts_maybe_sent)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t id = queue(st, "work", "b@y", 0);
    TM_CHECK(id > 0);
    TM_CHECK_INT(tm_store_outbox_set_state(st, id, TM_OUTBOX_SENDING, NULL), TM_OK);
    TM_CHECK_INT(outbox_int(st, id, "state"), TM_OUTBOX_SENDING);
    TM_CHECK_INT(outbox_int(st, id, "maybe_sent"), 0);
    /* tmail died after the dot; the next try finds the row still SENDING */
    TM_CHECK_INT(tm_store_outbox_set_state(st, id, TM_OUTBOX_SENDING, NULL), TM_OK);
    TM_CHECK_INT(outbox_int(st, id, "maybe_sent"), 1);
    TM_CHECK_INT(tm_store_outbox_set_state(st, id, TM_OUTBOX_QUEUED, NULL), TM_OK);
    TM_CHECK_INT(outbox_int(st, id, "maybe_sent"), 2);
    TM_CHECK_INT(outbox_int(st, id, "state"), TM_OUTBOX_QUEUED);
    /* QUEUED from QUEUED, HELD, SENT: no count */
    TM_CHECK_INT(tm_store_outbox_set_state(st, id, TM_OUTBOX_QUEUED, NULL), TM_OK);
    TM_CHECK_INT(tm_store_outbox_set_state(st, id, TM_OUTBOX_SENDING, NULL), TM_OK);
    TM_CHECK_INT(tm_store_outbox_set_state(st, id, TM_OUTBOX_SENT, NULL), TM_OK);
    TM_CHECK_INT(outbox_int(st, id, "state"), TM_OUTBOX_SENT);
    TM_CHECK_INT(tm_store_outbox_set_state(st, id, TM_OUTBOX_SENDING, NULL), TM_OK);
    TM_CHECK_INT(tm_store_outbox_set_state(st, id, TM_OUTBOX_HELD, NULL), TM_OK);
    TM_CHECK_INT(outbox_int(st, id, "maybe_sent"), 2);
    TM_CHECK_INT(outbox_int(st, id, "attempts"), 0);
    struct tm_error err;
    TM_CHECK_INT(tm_store_outbox_set_state(st, id, 4, &err), TM_ESTORE);
    TM_CHECK_INT(tm_store_outbox_set_state(st, id, -1, &err), TM_ESTORE);
    TM_CHECK_INT(outbox_int(st, id, "state"), TM_OUTBOX_HELD);
    tm_store_free(&st);
}

TM_TEST(store_outbox_retry_held_row_now_resets_next_try)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t id = queue(st, "work", "b@y", 0);
    TM_CHECK(id > 0);
    TM_CHECK_INT(
        tm_store_outbox_failed(st, id, TM_OUTBOX_HELD, "550 5.1.1 no such user", 1700009999, NULL),
        TM_OK);
    TM_CHECK_INT(outbox_int(st, id, "next_try"), 1700009999);
    TM_CHECK_INT(tm_store_outbox_set_state(st, id, TM_OUTBOX_QUEUED, NULL), TM_OK);
    struct tm_outbox_row row = {0};
    TM_CHECK_INT(tm_store_outbox_get(st, id, &row, NULL), TM_OK);
    TM_CHECK_INT(row.e.state, TM_OUTBOX_QUEUED);
    TM_CHECK_INT(row.e.next_try, 0);
    TM_CHECK_INT(row.e.attempts, 1);
    TM_CHECK_INT(row.e.maybe_sent, 0);
    TM_CHECK_STR(row.e.last_reply, "550 5.1.1 no such user"); /* kept for the listing */
    tm_outbox_row_cleanup(&row);
    tm_store_free(&st);
}

TM_TEST(store_outbox_failed_records_the_try)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t id = queue(st, "work", "b@y", 0);
    TM_CHECK(id > 0);
    TM_CHECK_INT(tm_store_outbox_set_state(st, id, TM_OUTBOX_SENDING, NULL), TM_OK);
    TM_CHECK_INT(
        tm_store_outbox_failed(st, id, TM_OUTBOX_QUEUED, "451 4.3.0 try later", 1700000300, NULL),
        TM_OK);
    TM_CHECK_INT(tm_store_outbox_failed(st, id, TM_OUTBOX_QUEUED, NULL, 1700000900, NULL), TM_OK);
    struct tm_outbox_row row = {0};
    TM_CHECK_INT(tm_store_outbox_get(st, id, &row, NULL), TM_OK);
    TM_CHECK_INT(row.e.state, TM_OUTBOX_QUEUED);
    TM_CHECK_INT(row.e.attempts, 2);
    TM_CHECK_INT(row.e.maybe_sent, 0); /* a reply came: not a cut-off try */
    TM_CHECK_INT(row.e.next_try, 1700000900);
    TM_CHECK(row.e.last_reply == NULL);
    tm_outbox_row_cleanup(&row);
    struct tm_error err;
    TM_CHECK_INT(tm_store_outbox_failed(st, id, TM_OUTBOX_SENT, "250", 0, &err), TM_ESTORE);
    TM_CHECK_INT(tm_store_outbox_failed(st, id, TM_OUTBOX_SENDING, "x", 0, &err), TM_ESTORE);
    TM_CHECK_INT(outbox_int(st, id, "attempts"), 2);
    tm_store_free(&st);
}

TM_TEST(store_outbox_set_rcpts_replaces_and_refuses_empty)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t id = queue(st, "work", "bob@x\nrefused@y\ncarol@z", 0);
    TM_CHECK(id > 0);
    TM_CHECK_INT(tm_store_outbox_set_rcpts(st, id, "bob@x\ncarol@z", NULL), TM_OK);
    struct tm_error err;
    TM_CHECK_INT(tm_store_outbox_set_rcpts(st, id, "", &err), TM_ESTORE);
    TM_CHECK_INT(tm_store_outbox_set_rcpts(st, id, NULL, &err), TM_ESTORE);
    TM_CHECK_INT(tm_store_outbox_set_rcpts(st, id, "\n", &err), TM_ESTORE);
    struct tm_outbox_row row = {0};
    TM_CHECK_INT(tm_store_outbox_get(st, id, &row, NULL), TM_OK);
    TM_CHECK_STR(row.e.rcpts, "bob@x\ncarol@z");
    tm_outbox_row_cleanup(&row);
    tm_store_free(&st);
}

TM_TEST(store_outbox_delete_and_count_unsent)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t a = queue(st, "work", "a", 0), b = queue(st, "work", "b", 0);
    int64_t c = queue(st, "work", "c", 0), d = queue(st, "home", "d", 0);
    TM_CHECK(a > 0 && b > 0 && c > 0 && d > 0);
    TM_CHECK_INT(tm_store_outbox_set_state(st, b, TM_OUTBOX_SENDING, NULL), TM_OK);
    TM_CHECK_INT(tm_store_outbox_failed(st, c, TM_OUTBOX_HELD, "550", 0, NULL), TM_OK);
    int64_t n = -1;
    TM_CHECK_INT(tm_store_outbox_count_unsent(st, "work", &n, NULL), TM_OK);
    TM_CHECK_INT(n, 3);
    TM_CHECK_INT(tm_store_outbox_count_unsent(st, NULL, &n, NULL), TM_OK);
    TM_CHECK_INT(n, 4);
    TM_CHECK_INT(tm_store_outbox_set_state(st, b, TM_OUTBOX_SENT, NULL), TM_OK);
    TM_CHECK_INT(tm_store_outbox_count_unsent(st, "work", &n, NULL), TM_OK);
    TM_CHECK_INT(n, 2);
    TM_CHECK_INT(tm_store_outbox_delete(st, a, NULL), TM_OK);
    TM_CHECK_INT(tm_store_outbox_delete(st, b, NULL), TM_OK);
    TM_CHECK_INT(tm_store_outbox_count_unsent(st, "work", &n, NULL), TM_OK);
    TM_CHECK_INT(n, 1);
    struct tm_outbox_row row = {0};
    TM_CHECK_INT(tm_store_outbox_get(st, a, &row, NULL), TM_ENOENT);
    TM_CHECK_INT(tm_store_outbox_count_unsent(st, "nobody", &n, NULL), TM_OK);
    TM_CHECK_INT(n, 0);
    tm_store_free(&st);
}

TM_TEST(store_outbox_next_prefers_due_queued_then_sending_then_sent)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    const int64_t now = 1700001000;
    int64_t sent = queue(st, "work", "sent", 0), sending = queue(st, "work", "sending", 0);
    int64_t later = queue(st, "work", "later", now + 300), held = queue(st, "work", "held", 0);
    int64_t due_old = queue(st, "work", "due1", now - 5), due_new = queue(st, "work", "due2", 0);
    int64_t other = queue(st, "home", "other", 0);
    TM_CHECK(sent > 0 && sending > 0 && later > 0 && held > 0 && due_old > 0 && due_new > 0);
    TM_CHECK(other > 0);
    TM_CHECK_INT(tm_store_outbox_set_state(st, sent, TM_OUTBOX_SENT, NULL), TM_OK);
    TM_CHECK_INT(tm_store_outbox_set_state(st, sending, TM_OUTBOX_SENDING, NULL), TM_OK);
    TM_CHECK_INT(tm_store_outbox_set_state(st, held, TM_OUTBOX_HELD, NULL), TM_OK);

    int64_t id = 0, wait = -2;
    TM_CHECK_INT(tm_store_outbox_next(st, "work", now, &id, &wait, NULL), TM_OK);
    TM_CHECK_INT(id, due_old); /* the oldest due row, though one was queued for later first */
    TM_CHECK_INT(wait, 0);
    TM_CHECK_INT(tm_store_outbox_delete(st, due_old, NULL), TM_OK);
    TM_CHECK_INT(tm_store_outbox_next(st, "work", now, &id, &wait, NULL), TM_OK);
    TM_CHECK_INT(id, due_new);
    TM_CHECK_INT(tm_store_outbox_delete(st, due_new, NULL), TM_OK);
    /* only a QUEUED row for later: the interrupted send comes next, and the wait is known */
    TM_CHECK_INT(tm_store_outbox_next(st, "work", now, &id, &wait, NULL), TM_OK);
    TM_CHECK_INT(id, sending);
    TM_CHECK_INT(wait, 300);
    TM_CHECK_INT(tm_store_outbox_set_state(st, sending, TM_OUTBOX_SENT, NULL), TM_OK);
    TM_CHECK_INT(tm_store_outbox_next(st, "work", now, &id, NULL, NULL), TM_OK);
    TM_CHECK_INT(id, sent); /* the older of the two SENT rows */
    TM_CHECK_INT(tm_store_outbox_delete(st, sent, NULL), TM_OK);
    TM_CHECK_INT(tm_store_outbox_delete(st, sending, NULL), TM_OK);
    /* later and held are left: nothing to do now; held rows wait for the person */
    struct tm_error err;
    id = -3;
    TM_CHECK_INT(tm_store_outbox_next(st, "work", now, &id, &wait, &err), TM_ENOENT);
    TM_CHECK_INT(err.status, TM_ENOENT);
    TM_CHECK_INT(id, -3);
    TM_CHECK_INT(wait, 300);
    TM_CHECK_INT(tm_store_outbox_next(st, "work", now + 300, &id, &wait, NULL), TM_OK);
    TM_CHECK_INT(id, later);
    TM_CHECK_INT(wait, 0);
    TM_CHECK_INT(tm_store_outbox_delete(st, later, NULL), TM_OK);
    TM_CHECK_INT(tm_store_outbox_next(st, "work", now, &id, &wait, NULL), TM_ENOENT);
    TM_CHECK_INT(wait, -1); /* no QUEUED row at all */
    TM_CHECK_INT(tm_store_outbox_next(st, "home", now, &id, &wait, NULL), TM_OK);
    TM_CHECK_INT(id, other);
    TM_CHECK_INT(tm_store_outbox_next(st, NULL, now, &id, &wait, &err), TM_ESTORE);
    tm_store_free(&st);
}

TM_TEST(store_outbox_next_query_uses_its_index)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    TM_CHECK(fixture_plan_uses(st,
                               "SELECT id FROM outbox WHERE account = 'w' AND state = 0 AND "
                               "next_try <= 5 ORDER BY id LIMIT 1",
                               "outbox_account_state"));
    TM_CHECK(fixture_plan_uses(st,
                               "SELECT min(next_try) FROM outbox WHERE account = 'w' AND state = 0",
                               "outbox_account_state"));
    tm_store_free(&st);
}

TM_TEST(store_outbox_add_inside_caller_transaction_rolls_back_with_it)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    TM_CHECK_INT(tm_store_begin(st, NULL), TM_OK);
    TM_CHECK(queue(st, "work", "b@y", 0) > 0);
    tm_store_rollback(st);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM outbox"), 0);
    TM_CHECK_INT(tm_store_begin(st, NULL), TM_OK);
    TM_CHECK(queue(st, "work", "b@y", 0) > 0);
    TM_CHECK_INT(tm_store_commit(st, NULL), TM_OK);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM outbox"), 1);
    tm_store_free(&st);
}

TM_TEST(store_migrates_v6_file_to_v7_keeping_rows)
{
    char path[512];
    struct tm_store raw; /* a bare connection: what tmail 6 left behind */
    TM_CHECK_INT(fixture_old_file(6, path, sizeof(path), &raw), TM_OK);
    int rc = sqlite3_exec(
        raw.db,
        "INSERT INTO accounts(id, name, url) VALUES(1, 'work', 'imaps://a');"
        "INSERT INTO mailboxes(id, account_id, name, uidvalidity) VALUES(7, 1, 'INBOX', 1234);"
        "INSERT INTO messages(id, mailbox_id, uid, local_key, flags, date, from_name, "
        "  from_addr, subject) VALUES(3, 7, 56, '56', 0, 1000, 'Bob', 'bob@x', 'kept');"
        "INSERT INTO pending_ops(account_id, mailbox_id, uid, kind, created) "
        "  VALUES(1, 7, 56, 1, 5);",
        NULL, NULL, NULL);
    int version = (int)fixture_int(&raw, "PRAGMA user_version");
    int outbox = (int)fixture_int(&raw, "SELECT count(*) FROM sqlite_schema WHERE name = 'outbox'");
    sqlite3_close(raw.db);
    TM_CHECK_INT(rc, SQLITE_OK);
    TM_CHECK_INT(version, 6);
    TM_CHECK_INT(outbox, 0);

    struct tm_store *st = NULL;
    TM_CHECK_INT(tm_store_open(path, &st, NULL), TM_OK);
    TM_CHECK_INT(tm_store_schema_version(st), TM_STORE_SCHEMA_VERSION);
    TM_CHECK_INT(fixture_int(st, "PRAGMA user_version"), TM_STORE_SCHEMA_VERSION);
    struct tm_message_row row = {0};
    TM_CHECK_INT(tm_store_message_get(st, 3, &row, NULL), TM_OK);
    TM_CHECK_STR(row.subject, "kept");
    tm_message_row_cleanup(&row);
    int64_t count = 0, id = 0;
    TM_CHECK_INT(tm_store_pending_count(st, 1, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 1);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM outbox"), 0);
    /* the migrated file queues and completes like a new one */
    TM_CHECK((id = queue(st, "work", "carol@y", 0)) > 0);
    TM_CHECK_INT(tm_store_outbox_next(st, "work", 1700000000, &id, NULL, NULL), TM_OK);
    TM_CHECK_INT(tm_store_outbox_count_unsent(st, "work", &count, NULL), TM_OK);
    TM_CHECK_INT(count, 1);
    tm_store_free(&st);
}

/* ---- durability: a VFS in front of the default one counts fsyncs of the WAL file ---- */

struct count_file {
    sqlite3_file base;
    sqlite3_file *real; /* the default VFS's file, allocated right after this struct */
    int is_wal;
};

static sqlite3_vfs *real_vfs;
static int wal_syncs;

#define REAL(f) (((struct count_file *)(f))->real)

static int cf_close(sqlite3_file *f)
{
    return REAL(f)->pMethods->xClose(REAL(f));
}
static int cf_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
    return REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
}
static int cf_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
    return REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
}
static int cf_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    return REAL(f)->pMethods->xTruncate(REAL(f), size);
}
static int cf_sync(sqlite3_file *f, int flags)
{
    wal_syncs += ((struct count_file *)f)->is_wal;
    return REAL(f)->pMethods->xSync(REAL(f), flags);
}
static int cf_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return REAL(f)->pMethods->xFileSize(REAL(f), size);
}
static int cf_lock(sqlite3_file *f, int lock)
{
    return REAL(f)->pMethods->xLock(REAL(f), lock);
}
static int cf_unlock(sqlite3_file *f, int lock)
{
    return REAL(f)->pMethods->xUnlock(REAL(f), lock);
}
static int cf_check_lock(sqlite3_file *f, int *out)
{
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}
static int cf_control(sqlite3_file *f, int op, void *arg)
{
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}
static int cf_sector(sqlite3_file *f)
{
    return REAL(f)->pMethods->xSectorSize(REAL(f));
}
static int cf_device(sqlite3_file *f)
{
    return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}
static int cf_shm_map(sqlite3_file *f, int page, int size, int extend, void volatile **p)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), page, size, extend, p);
}
static int cf_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}
static void cf_shm_barrier(sqlite3_file *f)
{
    REAL(f)->pMethods->xShmBarrier(REAL(f));
}
static int cf_shm_unmap(sqlite3_file *f, int del)
{
    return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static const sqlite3_io_methods count_methods = {
    .iVersion = 2,
    .xClose = cf_close,
    .xRead = cf_read,
    .xWrite = cf_write,
    .xTruncate = cf_truncate,
    .xSync = cf_sync,
    .xFileSize = cf_size,
    .xLock = cf_lock,
    .xUnlock = cf_unlock,
    .xCheckReservedLock = cf_check_lock,
    .xFileControl = cf_control,
    .xSectorSize = cf_sector,
    .xDeviceCharacteristics = cf_device,
    .xShmMap = cf_shm_map,
    .xShmLock = cf_shm_lock,
    .xShmBarrier = cf_shm_barrier,
    .xShmUnmap = cf_shm_unmap,
};

static int cf_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f, int flags,
                   int *out_flags)
{
    (void)vfs;
    struct count_file *cf = (struct count_file *)f;
    cf->real = (sqlite3_file *)(cf + 1);
    cf->is_wal = (flags & SQLITE_OPEN_WAL) != 0;
    int rc = real_vfs->xOpen(real_vfs, name, cf->real, flags, out_flags);
    cf->base.pMethods = cf->real->pMethods ? &count_methods : NULL;
    return rc;
}

/* The default VFS with cf_open in front; fields other than xOpen and szOsFile are copied. */
static sqlite3_vfs count_vfs;

static int count_vfs_install(void)
{
    real_vfs = sqlite3_vfs_find(NULL);
    if (!real_vfs)
        return -1;
    count_vfs = *real_vfs;
    count_vfs.iVersion = real_vfs->iVersion < 3 ? real_vfs->iVersion : 3;
    count_vfs.szOsFile = (int)sizeof(struct count_file) + real_vfs->szOsFile;
    count_vfs.zName = "tm-count-syncs";
    count_vfs.pNext = NULL;
    count_vfs.xOpen = cf_open;
    return sqlite3_vfs_register(&count_vfs, 1) == SQLITE_OK ? 0 : -1;
}

static void count_vfs_remove(void)
{
    sqlite3_vfs_unregister(&count_vfs);
    sqlite3_vfs_register(real_vfs, 1);
}

TM_TEST(store_outbox_writes_fsync_the_wal_before_returning)
{
    TM_CHECK_INT(count_vfs_install(), 0);
    struct tm_store *st = fixture_open();
    int64_t mbox = st ? fixture_mailbox(st, fixture_account(st, "work"), "INBOX") : 0;
    int ok = st && mbox > 0;
    int cache_syncs = -1, add_syncs = -1, state_syncs = -1, in_txn = -1, at_commit = -1,
        after_rollback = -1, failed_syncs = -1, rcpts_syncs = -1;
    int64_t id = 0;
    if (ok) {
        /* a cache write under synchronous=NORMAL is not synced: the WAL waits for a checkpoint */
        int before = wal_syncs;
        ok = fixture_uid_msg(st, mbox, 1, 0) > 0;
        cache_syncs = wal_syncs - before;
        before = wal_syncs;
        ok = ok && (id = queue(st, "work", "b@y", 0)) > 0;
        add_syncs = wal_syncs - before;
        before = wal_syncs;
        ok = ok && tm_store_outbox_set_state(st, id, TM_OUTBOX_SENDING, NULL) == TM_OK;
        state_syncs = wal_syncs - before;
        before = wal_syncs;
        ok = ok && tm_store_outbox_failed(st, id, TM_OUTBOX_QUEUED, "451", 0, NULL) == TM_OK;
        failed_syncs = wal_syncs - before;
        before = wal_syncs;
        ok = ok && tm_store_outbox_set_rcpts(st, id, "c@z", NULL) == TM_OK;
        rcpts_syncs = wal_syncs - before;
        /* inside a caller's transaction the commit is what is synced */
        before = wal_syncs;
        ok = ok && tm_store_begin(st, NULL) == TM_OK && queue(st, "work", "d@y", 0) > 0;
        in_txn = wal_syncs - before;
        ok = ok && tm_store_commit(st, NULL) == TM_OK;
        at_commit = wal_syncs - before;
        /* a rolled-back transaction leaves nothing to sync at the next commit */
        ok = ok && tm_store_begin(st, NULL) == TM_OK && queue(st, "work", "e@y", 0) > 0;
        tm_store_rollback(st);
        before = wal_syncs;
        ok = ok && tm_store_begin(st, NULL) == TM_OK && fixture_uid_msg(st, mbox, 2, 0) > 0 &&
             tm_store_commit(st, NULL) == TM_OK;
        after_rollback = wal_syncs - before;
    }
    tm_store_free(&st);
    count_vfs_remove();
    TM_CHECK(ok);
    TM_CHECK_INT(cache_syncs, 0);
    TM_CHECK_INT(add_syncs, 1);
    TM_CHECK_INT(state_syncs, 1);
    TM_CHECK_INT(failed_syncs, 1);
    TM_CHECK_INT(rcpts_syncs, 1);
    TM_CHECK_INT(in_txn, 0);
    TM_CHECK_INT(at_commit, 1);
    TM_CHECK_INT(after_rollback, 0);
}
