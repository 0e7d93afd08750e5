/* test_load_watch.c - the order after a watched first load (sources.c): built from the sources
 * collected while the rows were written, it must equal the order read back from the store; the
 * copy is refused when it cannot be whole (another connection's rows, another sort, a mailbox
 * that had messages). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../src/core/private.h"
#include "../../../src/core/sources.h"
#include "tm_test.h"
#include "tmail/config.h"
#include "tmail/store.h"

#define N 300

struct fixture {
    char path[512];
    struct tm_store *st;
    int64_t mbox;
};

static bool open_fixture(struct fixture *f)
{
    int64_t acct = 0;
    snprintf(f->path, sizeof(f->path), "%s/cache.sqlite", tm_test_tmpdir());
    return tm_store_open(f->path, &f->st, NULL) == TM_OK &&
           tm_store_account_ensure(f->st, "acct", "imaps://u@h", &acct, NULL) == TM_OK &&
           tm_store_mailbox_ensure(f->st, acct, "INBOX", &f->mbox, NULL) == TM_OK;
}

/* Message i of a few threads: replies refer to earlier messages, some subjects say "Re:", some
 * messages have no date (set afterwards, as the IMAP sync does with INTERNALDATE). */
static int64_t put(struct tm_store *st, int64_t mbox, int i)
{
    char key[16], mid[32], refs[96], subject[48], from[32];
    snprintf(key, sizeof(key), "%d", i + 1);
    snprintf(mid, sizeof(mid), "<m%d@x>", i);
    refs[0] = 0;
    if (i % 5 != 0)
        snprintf(refs, sizeof(refs), "<m%d@x> <m%d@x>", i - i % 5, i - 1);
    snprintf(subject, sizeof(subject), "%stopic %d", i % 5 ? "Re: " : "", (i / 5) % 17);
    snprintf(from, sizeof(from), "sender%d@example.org", (i * 7) % 13);
    struct tm_message_row row = {.mailbox_id = mbox,
                                 .uid = i + 1,
                                 .local_key = key,
                                 .date = i % 11 == 3 ? 0 : 100000 - (i * 37) % 1000,
                                 .size = 1000 + (i * 13) % 500,
                                 .from_addr = from,
                                 .to_addrs = (char *)"me@example.org",
                                 .subject = subject,
                                 .message_id = mid,
                                 .references = refs[0] ? refs : NULL};
    if (tm_store_message_upsert(st, &row, NULL))
        return 0;
    if (row.date == 0 && tm_store_message_set_date(st, row.id, 99000 + i, NULL))
        return 0;
    return row.id;
}

static bool load_all(struct fixture *f)
{
    if (tm_store_begin(f->st, NULL))
        return false;
    for (int i = 0; i < N; i++) {
        if (!put(f->st, f->mbox, i)) {
            tm_store_rollback(f->st);
            return false;
        }
    }
    return tm_store_commit(f->st, NULL) == TM_OK;
}

/* The display order as "id/depth/tree;" text (malloc'd), NULL on failure. */
static char *order_text(struct tm_store *st, int64_t mbox)
{
    struct tm_message_row rows[N + 1];
    memset(rows, 0, sizeof(rows));
    int n = 0;
    if (tm_store_message_window(st, mbox, 0, N + 1, rows, &n, NULL))
        return NULL;
    size_t cap = (size_t)n * 64 + 1, len = 0;
    char *text = malloc(cap);
    for (int i = 0; text && i < n; i++)
        len +=
            (size_t)snprintf(text + len, cap - len, "%lld/%d/%s;", (long long)rows[i].id,
                             rows[i].thread_depth, rows[i].thread_tree ? rows[i].thread_tree : "");
    for (int i = 0; i < n; i++)
        tm_message_row_cleanup(&rows[i]);
    if (text && n == 0)
        text[0] = 0;
    return text;
}

/* Loads N messages watched, orders with the watch, then orders again reading the rows back:
 * the two orders must be the same. */
static void check_same_order(int sort, bool reverse)
{
    struct fixture f;
    TM_CHECK(open_fixture(&f));
    struct core_load *load = core_load_watch(f.st, f.mbox, sort);
    TM_CHECK(load != NULL);
    TM_CHECK(load_all(&f));
    core_load_unwatch(load);
    TM_CHECK_INT(load->sources.n, N);
    TM_CHECK_INT(core_order_if_needed(f.st, f.mbox, sort, reverse, true, load, NULL), TM_OK);
    TM_CHECK_INT(load->sources.n, 0); /* taken: the order was made from the watched copy */
    core_load_free(&load);
    char *watched = order_text(f.st, f.mbox);
    TM_CHECK_INT(core_rethread(f.st, f.mbox, sort, reverse, NULL, NULL), TM_OK);
    char *read_back = order_text(f.st, f.mbox);
    TM_CHECK(watched && read_back && strlen(read_back) > 0);
    TM_CHECK_STR(watched, read_back);
    free(watched);
    free(read_back);
    tm_store_free(&f.st);
}

TM_TEST(load_watch_threads_order_equals_the_order_read_back)
{
    check_same_order(TM_SORT_THREADS, false);
}

TM_TEST(load_watch_reverse_threads_order_equals_the_order_read_back)
{
    check_same_order(TM_SORT_THREADS, true);
}

TM_TEST(load_watch_flat_orders_equal_the_orders_read_back)
{
    check_same_order(TM_SORT_DATE, false);
    check_same_order(TM_SORT_FROM, true);
    check_same_order(TM_SORT_SIZE, false);
}

TM_TEST(load_watch_is_not_started_on_a_mailbox_with_messages)
{
    struct fixture f;
    TM_CHECK(open_fixture(&f));
    TM_CHECK(put(f.st, f.mbox, 0) > 0);
    TM_CHECK(core_load_watch(f.st, f.mbox, TM_SORT_THREADS) == NULL);
    tm_store_free(&f.st);
}

TM_TEST(load_watch_copy_is_refused_for_another_sort)
{
    struct fixture f;
    TM_CHECK(open_fixture(&f));
    struct core_load *load = core_load_watch(f.st, f.mbox, TM_SORT_THREADS);
    TM_CHECK(load && load_all(&f));
    core_load_unwatch(load);
    struct core_sources got = {0};
    TM_CHECK(!core_load_take(load, TM_SORT_DATE, &got));
    TM_CHECK(core_load_take(load, TM_SORT_THREADS, &got));
    TM_CHECK_INT(got.n, N);
    core_sources_free(&got);
    core_load_free(&load);
    tm_store_free(&f.st);
}

TM_TEST(load_watch_copy_is_refused_when_another_connection_added_rows)
{
    struct fixture f;
    TM_CHECK(open_fixture(&f));
    struct core_load *load = core_load_watch(f.st, f.mbox, TM_SORT_THREADS);
    TM_CHECK(load && load_all(&f));
    struct tm_store *other = NULL;
    TM_CHECK_INT(tm_store_open(f.path, &other, NULL), TM_OK);
    int64_t extra = put(other, f.mbox, N);
    TM_CHECK(extra > 0);
    tm_store_free(&other);
    core_load_unwatch(load);
    /* the watch saw none of it: the order reads the rows back and the extra one is in it */
    TM_CHECK_INT(core_order_if_needed(f.st, f.mbox, TM_SORT_THREADS, false, true, load, NULL),
                 TM_OK);
    TM_CHECK_INT(load->sources.n, N); /* not taken */
    core_load_free(&load);
    int64_t pos = -1;
    TM_CHECK_INT(tm_store_message_position(f.st, extra, &pos, NULL), TM_OK);
    int64_t count = 0;
    TM_CHECK_INT(tm_store_display_count(f.st, f.mbox, &count, NULL), TM_OK);
    TM_CHECK_INT(count, N + 1);
    tm_store_free(&f.st);
}

TM_TEST(load_watch_copy_is_refused_after_an_update)
{
    struct fixture f;
    TM_CHECK(open_fixture(&f));
    struct core_load *load = core_load_watch(f.st, f.mbox, TM_SORT_THREADS);
    TM_CHECK(load && load_all(&f));
    TM_CHECK(put(f.st, f.mbox, 7) > 0); /* the same key again: an update the copy lacks */
    core_load_unwatch(load);
    struct core_sources got = {0};
    TM_CHECK(!core_load_take(load, TM_SORT_THREADS, &got));
    core_load_free(&load);
    tm_store_free(&f.st);
}
