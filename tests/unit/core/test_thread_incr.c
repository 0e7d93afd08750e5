/* test_thread_incr.c - threading a first load as it is written (sources.c feeds the incremental
 * threader, rethread.c finishes it): the order must equal the one threaded from the rows read
 * back, also when replies are stored before their parents, duplicate ids come out of date order,
 * loops close the other way, dates come late, and when the threader is dropped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../src/core/private.h"
#include "../../../src/core/sources.h"
#include "../../../src/store/private.h"
#include "load_fixture.h"
#include "tm_test.h"
#include "tmail/buf.h"
#include "tmail/config.h"
#include "tmail/store.h"

#define N 420

/* The k-th message by date: threads of 12 where each reply names the root and its parent;
 * every 23rd repeats the id of the message 3 earlier; pairs at k % 31 == 7 name each other
 * (a loop); every 17th has no id; every 13th shares its date with the one before. */
static void logical(int k, char *mid, size_t mid_size, char *refs, size_t refs_size, char *irt,
                    size_t irt_size, int64_t *date)
{
    int root = k - k % 12, parent = k - 1 - (k % 12 > 4 ? 2 : 0);
    mid[0] = refs[0] = irt[0] = 0;
    if (k % 17 != 3)
        snprintf(mid, mid_size, "<m%d@x>", k % 23 == 5 && k >= 3 ? k - 3 : k);
    if (k % 12 != 0 && parent >= root)
        snprintf(refs, refs_size, "<m%d@x> <m%d@x>", root, parent);
    if (k % 31 == 7)
        snprintf(irt, irt_size, "<m%d@x>", k + 1);
    else if (k % 31 == 8)
        snprintf(refs, refs_size, "<m%d@x>", k - 1);
    *date = 1000 + 10 * (k - (k % 13 == 0 && k > 0));
}

/* Stores message number i of the load: the logical ones in blocks of 9 stored newest first, so
 * replies are stored (and get their store ids) before their parents. Every 11th has its date
 * set only after the insert, as the IMAP sync does with INTERNALDATE. */
static bool put(struct tm_store *st, int64_t mbox, int i)
{
    int block = i - i % 9, k = block + (N - block < 9 ? N - block : 9) - 1 - i % 9;
    char key[16], mid[32], refs[64], irt[32], subject[48];
    int64_t date;
    logical(k, mid, sizeof(mid), refs, sizeof(refs), irt, sizeof(irt), &date);
    snprintf(key, sizeof(key), "%010d", i + 1);
    snprintf(subject, sizeof(subject), "%stopic %d", k % 12 ? "Re: " : "", (k / 12) % 7);
    struct tm_message_row row = {.mailbox_id = mbox,
                                 .uid = i + 1,
                                 .local_key = key,
                                 .date = k % 11 == 4 ? 0 : date,
                                 .size = 1000 + i,
                                 .from_addr = (char *)"a@example.org",
                                 .to_addrs = (char *)"me@example.org",
                                 .subject = subject,
                                 .message_id = mid[0] ? mid : NULL,
                                 .in_reply_to = irt[0] ? irt : NULL,
                                 .references = refs[0] ? refs : NULL};
    if (tm_store_message_upsert(st, &row, NULL))
        return false;
    return row.date != 0 || tm_store_message_set_date(st, row.id, date, NULL) == TM_OK;
}

/* Stores the N messages in one transaction; deferred: with the display rows deferred, as the
 * IMAP first load does. update: one message is stored a second time (the watch breaks). */
static bool load(struct fixture *f, bool deferred, bool update)
{
    if (tm_store_begin(f->st, NULL))
        return false;
    bool ok = !deferred || tm_store_display_defer(f->st, f->mbox, NULL) == TM_OK;
    for (int i = 0; ok && i < N; i++)
        ok = put(f->st, f->mbox, i);
    if (ok && update)
        ok = put(f->st, f->mbox, 7);
    if (!ok) {
        tm_store_rollback(f->st);
        return false;
    }
    return tm_store_commit(f->st, NULL) == TM_OK;
}

/* The mailbox's display rows as "pos/id/depth/tree;" in display order (malloc'd), NULL on
 * failure. */
static char *order_text(struct tm_store *st, int64_t mbox)
{
    return fixture_rows_text(st,
                             "SELECT pos, message_id, depth, coalesce(tree, '') FROM display "
                             "WHERE mailbox_id = ?1 ORDER BY pos, date, message_id",
                             mbox);
}

enum how { FOLLOWED, DROPPED, BROKEN };

/* Loads N messages watched and orders them from the watch, then again from the rows read back:
 * the two orders must be the same. how: the threader follows the whole load, is dropped before
 * the order (as when an add runs out of memory), or the watch breaks (an update). */
static void check_load(bool deferred, bool reverse, enum how how)
{
    struct fixture f;
    TM_CHECK(open_fixture(&f));
    struct core_load *w = core_load_watch(f.st, f.mbox, TM_SORT_THREADS);
    TM_CHECK(w != NULL);
    TM_CHECK(w->sources.threader != NULL);
    TM_CHECK(load(&f, deferred, how == BROKEN));
    core_load_unwatch(w);
    TM_CHECK(how == BROKEN ? w->sources.threader == NULL : w->sources.threader != NULL);
    if (how == DROPPED)
        tm_thread_incr_free(&w->sources.threader);
    TM_CHECK_INT(core_order_if_needed(f.st, f.mbox, TM_SORT_THREADS, reverse, true, w, NULL),
                 TM_OK);
    TM_CHECK(w->sources.threader == NULL);
    TM_CHECK_INT(w->sources.n, how == BROKEN ? N : 0); /* taken unless broken */
    core_load_free(&w);
    char *watched = order_text(f.st, f.mbox);
    TM_CHECK_INT(core_rethread(f.st, f.mbox, TM_SORT_THREADS, reverse, NULL, NULL), TM_OK);
    char *read_back = order_text(f.st, f.mbox);
    TM_CHECK(watched && read_back && strlen(read_back) > 0);
    bool same = strcmp(watched, read_back) == 0;
    free(watched);
    free(read_back);
    tm_store_free(&f.st);
    TM_CHECK(same);
}

TM_TEST(thread_incr_load_order_equals_the_order_read_back)
{
    check_load(false, false, FOLLOWED);
    check_load(true, false, FOLLOWED);
    check_load(true, true, FOLLOWED);
}

TM_TEST(thread_incr_load_without_its_threader_threads_from_scratch)
{
    check_load(true, false, DROPPED);
}

TM_TEST(thread_incr_broken_load_drops_the_threader_and_reads_back)
{
    check_load(false, false, BROKEN);
}

TM_TEST(thread_incr_refused_copy_drops_the_threader)
{
    struct fixture f;
    TM_CHECK(open_fixture(&f));
    struct core_load *w = core_load_watch(f.st, f.mbox, TM_SORT_THREADS);
    TM_CHECK(w && load(&f, false, false));
    core_load_unwatch(w);
    struct core_sources got = {0};
    bool exact = true;
    TM_CHECK(!core_load_take(w, TM_SORT_DATE, &got, &exact)); /* another sort */
    TM_CHECK(w->sources.threader == NULL);
    core_load_free(&w);
    tm_store_free(&f.st);
}

/* The load's order is not the order of the stored ids, nor the one a by-id threading gives:
 * the test data does exercise the date order (duplicates and loops decided by date). */
TM_TEST(thread_incr_load_data_differs_by_order)
{
    char mid[32], refs[64], irt[32];
    struct tm_thread_msg *msgs = calloc(N, sizeof(*msgs));
    char(*text)[3][64] = calloc(N, sizeof(*text));
    TM_CHECK(msgs && text);
    for (int i = 0; i < N; i++) {
        int block = i - i % 9, k = block + (N - block < 9 ? N - block : 9) - 1 - i % 9;
        int64_t date;
        logical(k, mid, sizeof(mid), refs, sizeof(refs), irt, sizeof(irt), &date);
        snprintf(text[i][0], sizeof(text[i][0]), "%s", mid);
        snprintf(text[i][1], sizeof(text[i][1]), "%s", irt);
        snprintf(text[i][2], sizeof(text[i][2]), "%s", refs);
        msgs[i] = (struct tm_thread_msg){i + 1, text[i][0], text[i][1], text[i][2], "s", date};
    }
    struct tm_thread_out *by_id = NULL, *by_date = NULL;
    struct tm_thread_incr *t = tm_thread_incr_new(0);
    for (int i = 0; t && i < N; i++)
        tm_thread_incr_add(t, &msgs[i]);
    bool ok = t && tm_thread_incr_finish(&t, msgs, N, true, &by_date, NULL) == TM_OK &&
              tm_thread_compute(msgs, N, &by_id, NULL) == TM_OK;
    bool differ = false;
    for (size_t k = 0; ok && k < N; k++)
        differ = differ || by_id[k].id != by_date[k].id || by_id[k].depth != by_date[k].depth;
    tm_thread_out_free(by_id, N);
    tm_thread_out_free(by_date, N);
    free(msgs);
    free(text);
    TM_CHECK(ok);
    TM_CHECK(differ);
}
