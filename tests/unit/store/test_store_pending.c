/* test_store_pending.c - offline operations: queueing, the id-ordered walk (and callbacks that
 * change the queue during it), done, failed and counts. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store_fixture.h"
#include "tm_test.h"
#include "tmail/flags.h"
#include "tmail/store.h"

/* What a pending walk saw: "kind:uid:target:attempts:error" per op. */
struct pending_walk {
    char seen[1024];
    int64_t ids[16];
    int n;
    int stop_after;
    struct tm_store *st;
    int finish;          /* call tm_store_pending_done on each op */
    int64_t also_delete; /* ... and delete this one as well (a later op) */
    int requeue;         /* ... or queue a copy of each op */
};

static int take_op(void *ctx, const struct tm_pending_op *op)
{
    struct pending_walk *w = ctx;
    size_t len = strlen(w->seen);
    snprintf(w->seen + len, sizeof(w->seen) - len, "%d:%lld:%s:%d:%s;", op->kind,
             (long long)op->uid, op->target ? op->target : "-", op->attempts,
             op->last_error ? op->last_error : "-");
    if (w->n < 16)
        w->ids[w->n] = op->id;
    w->n++;
    if (w->st && w->finish) {
        tm_store_pending_done(w->st, op->id, NULL);
        if (w->also_delete)
            tm_store_pending_done(w->st, w->also_delete, NULL);
        w->also_delete = 0;
    }
    if (w->st && w->requeue)
        tm_store_pending_add(w->st, op, NULL, NULL);
    return w->stop_after && w->n >= w->stop_after;
}

/* Queues four ops of every kind on mailbox 1 of acct; ids into ids[]; -1 on failure. */
static int queue_four(struct tm_store *st, int64_t acct, int64_t mbox, int64_t ids[4])
{
    const struct tm_pending_op ops[] = {
        {.account_id = acct,
         .mailbox_id = mbox,
         .uid = 10,
         .kind = TM_PENDING_FLAGS,
         .flags_add = TM_FLAG_SEEN,
         .flags_clear = TM_FLAG_FLAGGED,
         .target = "ignored"},
        {.account_id = acct,
         .mailbox_id = mbox,
         .uid = 11,
         .kind = TM_PENDING_COPY,
         .target = "Archive"},
        {.account_id = acct,
         .mailbox_id = mbox,
         .uid = 12,
         .kind = TM_PENDING_MOVE,
         .target = "Trash",
         .created = 1700000000},
        {.account_id = acct, .mailbox_id = mbox, .uid = 13, .kind = TM_PENDING_EXPUNGE},
    };
    for (int i = 0; i < 4; i++) {
        if (tm_store_pending_add(st, &ops[i], &ids[i], NULL))
            return -1;
    }
    return 0;
}

TM_TEST(store_pending_add_and_walk_in_id_order)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t acct = fixture_account(st, "work"), other = fixture_account(st, "home");
    int64_t mbox = fixture_mailbox(st, acct, "INBOX"), ids[4], count = -1;
    time_t before = time(NULL);
    TM_CHECK_INT(queue_four(st, acct, mbox, ids), 0);
    TM_CHECK(ids[0] < ids[1] && ids[1] < ids[2] && ids[2] < ids[3]);
    struct tm_pending_op elsewhere = {.account_id = other,
                                      .mailbox_id = fixture_mailbox(st, other, "INBOX"),
                                      .uid = 1,
                                      .kind = TM_PENDING_EXPUNGE};
    TM_CHECK_INT(tm_store_pending_add(st, &elsewhere, NULL, NULL), TM_OK);
    struct pending_walk w = {0};
    TM_CHECK_INT(tm_store_pending_each(st, acct, take_op, &w, NULL), TM_OK);
    TM_CHECK_STR(w.seen, "1:10:-:0:-;2:11:Archive:0:-;3:12:Trash:0:-;4:13:-:0:-;");
    TM_CHECK_INT(w.ids[0], ids[0]);
    TM_CHECK_INT(w.ids[3], ids[3]);
    TM_CHECK_INT(fixture_int(st, "SELECT flags_add * 100 + flags_clear FROM pending_ops WHERE "
                                 "uid = 10"),
                 TM_FLAG_SEEN * 100 + TM_FLAG_FLAGGED);
    TM_CHECK_INT(fixture_int(st, "SELECT created FROM pending_ops WHERE uid = 12"), 1700000000);
    TM_CHECK(fixture_int(st, "SELECT created FROM pending_ops WHERE uid = 13") >= before);
    TM_CHECK_INT(tm_store_pending_count(st, acct, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 4);
    TM_CHECK_INT(tm_store_pending_count(st, other, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 1);
    struct pending_walk first = {.stop_after = 1};
    TM_CHECK_INT(tm_store_pending_each(st, acct, take_op, &first, NULL), TM_OK);
    TM_CHECK_INT(first.n, 1);
    tm_store_free(&st);
}

TM_TEST(store_pending_done_and_failed)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t acct = fixture_account(st, "work"), ids[4], count = -1;
    TM_CHECK_INT(queue_four(st, acct, fixture_mailbox(st, acct, "INBOX"), ids), 0);
    TM_CHECK_INT(tm_store_pending_done(st, ids[0], NULL), TM_OK);
    TM_CHECK_INT(tm_store_pending_done(st, ids[0], NULL), TM_OK); /* twice is harmless */
    TM_CHECK_INT(tm_store_pending_failed(st, ids[1], "NO [TRYCREATE] no such mailbox", NULL),
                 TM_OK);
    TM_CHECK_INT(tm_store_pending_failed(st, ids[1], "BAD again", NULL), TM_OK);
    TM_CHECK_INT(tm_store_pending_failed(st, ids[2], NULL, NULL), TM_OK);
    TM_CHECK_INT(tm_store_pending_failed(st, ids[0], "gone", NULL), TM_ENOENT);
    TM_CHECK_INT(tm_store_pending_count(st, acct, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 3);
    struct pending_walk w = {0};
    TM_CHECK_INT(tm_store_pending_each(st, acct, take_op, &w, NULL), TM_OK);
    TM_CHECK_STR(w.seen, "2:11:Archive:2:BAD again;3:12:Trash:1:-;4:13:-:0:-;");
    tm_store_free(&st);
}

TM_TEST(store_pending_walk_callback_deletes_rows)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t acct = fixture_account(st, "work"), ids[4], count = -1;
    TM_CHECK_INT(queue_four(st, acct, fixture_mailbox(st, acct, "INBOX"), ids), 0);
    /* each op is done as it is replayed; the first replay also makes the third moot */
    struct pending_walk w = {.st = st, .finish = 1, .also_delete = ids[2]};
    TM_CHECK_INT(tm_store_pending_each(st, acct, take_op, &w, NULL), TM_OK);
    TM_CHECK_INT(w.n, 3);
    TM_CHECK_STR(w.seen, "1:10:-:0:-;2:11:Archive:0:-;4:13:-:0:-;");
    TM_CHECK_INT(tm_store_pending_count(st, acct, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 0);
    tm_store_free(&st);
}

TM_TEST(store_pending_walk_leaves_ops_queued_during_it_for_later)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t acct = fixture_account(st, "work"), ids[4], count = -1;
    TM_CHECK_INT(queue_four(st, acct, fixture_mailbox(st, acct, "INBOX"), ids), 0);
    struct pending_walk w = {.st = st, .finish = 1, .requeue = 1};
    TM_CHECK_INT(tm_store_pending_each(st, acct, take_op, &w, NULL), TM_OK);
    TM_CHECK_INT(w.n, 4); /* no endless loop over the re-queued copies */
    TM_CHECK_INT(tm_store_pending_count(st, acct, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 4);
    struct pending_walk again = {0};
    TM_CHECK_INT(tm_store_pending_each(st, acct, take_op, &again, NULL), TM_OK);
    TM_CHECK_STR(again.seen, "1:10:-:0:-;2:11:Archive:0:-;3:12:Trash:0:-;4:13:-:0:-;");
    TM_CHECK(again.ids[0] > ids[3]);
    tm_store_free(&st);
}

TM_TEST(store_pending_add_rejects_invalid_ops)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t acct = fixture_account(st, "work"), count = -1;
    int64_t mbox = fixture_mailbox(st, acct, "INBOX");
    struct tm_pending_op op = {.account_id = acct, .mailbox_id = mbox, .uid = 1};
    TM_CHECK_INT(tm_store_pending_add(st, &op, NULL, NULL), TM_ESTORE); /* kind 0 */
    op.kind = TM_PENDING_EXPUNGE + 1;
    TM_CHECK_INT(tm_store_pending_add(st, &op, NULL, NULL), TM_ESTORE);
    op.kind = TM_PENDING_MOVE; /* without a target */
    TM_CHECK_INT(tm_store_pending_add(st, &op, NULL, NULL), TM_ESTORE);
    op.kind = TM_PENDING_EXPUNGE;
    op.account_id = 999; /* no such account */
    TM_CHECK(tm_store_pending_add(st, &op, NULL, NULL) != TM_OK);
    TM_CHECK_INT(tm_store_pending_count(st, acct, &count, NULL), TM_OK);
    TM_CHECK_INT(count, 0);
    tm_store_free(&st);
}
