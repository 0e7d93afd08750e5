/* test_core.c - the controller end to end on real Maildirs: threading of the demo mailbox, the
 * worker's events, body requests, flag changes and the demo copy. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../../src/core/private.h"
#include "tm_test.h"
#include "tmail/config.h"
#include "tmail/core.h"
#include "tmail/flags.h"
#include "tmail/fsutil.h"

#define DEMO_DIR TM_TEST_SRCDIR "/share/demo"

/* dir + "/" + name in one of a few rotating static buffers (enough for nested calls). */
static const char *path_in(const char *dir, const char *name)
{
    static char buf[4][1024];
    static int next;
    char *p = buf[next++ % 4];
    if (snprintf(p, 1024, "%s/%s", dir, name) >= 1024)
        p[0] = 0;
    return p;
}

/* Waits for an event of type (skipping others) for up to 10 s; false on timeout. */
static bool wait_event(struct tm_core *core, enum tm_event_type type, struct tm_event *ev)
{
    for (int i = 0; i < 200; i++) {
        while (tm_core_next_event(core, ev)) {
            if (ev->type == type)
                return true;
            tm_event_cleanup(ev);
        }
        struct pollfd p = {tm_core_event_fd(core), POLLIN, 0};
        poll(&p, 1, 50);
    }
    return false;
}

static struct tm_core *open_demo_copy(const char *dir)
{
    struct tm_error err;
    struct tm_core *core = NULL;
    if (tm_fs_copy_tree(DEMO_DIR, path_in(dir, "demo"), &err))
        return NULL;
    struct tm_core_options opt = {.store_path = path_in(dir, "cache.sqlite"),
                                  .folder_path = path_in(dir, "demo"),
                                  .account_name = "demo",
                                  .sort = TM_SORT_THREADS};
    if (tm_core_new(&opt, &core, &err))
        return NULL;
    return core;
}

static int count_files(const char *dir)
{
    char cmd[2200];
    snprintf(cmd, sizeof(cmd), "ls %s/cur %s/new | grep -v ':$' | grep -c .", dir, dir);
    FILE *f = popen(cmd, "r");
    int n = -1;
    if (f && fscanf(f, "%d", &n) != 1)
        n = -1;
    if (f)
        pclose(f);
    return n;
}

TM_TEST(core_sync_reports_done_and_fills_index)
{
    const char *dir = tm_test_tmpdir();
    struct tm_core *core = open_demo_copy(dir);
    struct tm_event ev;
    struct tm_error err;
    int64_t count = -1;
    TM_CHECK(core != NULL);
    TM_CHECK(tm_core_sync(core, &err) == TM_OK);
    TM_CHECK(wait_event(core, TM_EV_SYNC_DONE, &ev));
    TM_CHECK_INT(ev.status, TM_OK);
    TM_CHECK(tm_core_count(core, &count, &err) == TM_OK);
    TM_CHECK_INT(count, count_files(path_in(dir, "demo")));
    TM_CHECK(count >= 40);
    tm_core_free(&core);
}

/* The expected tree is written by contrib/make-demo-maildir.py next to the demo it makes. */
TM_TEST(core_threads_demo_mailbox_as_expected)
{
    const char *dir = tm_test_tmpdir();
    struct tm_core *core = open_demo_copy(dir);
    struct tm_event ev;
    struct tm_error err;
    TM_CHECK(core != NULL);
    TM_CHECK(tm_core_sync(core, &err) == TM_OK);
    TM_CHECK(wait_event(core, TM_EV_SYNC_DONE, &ev));
    FILE *f = fopen(TM_TEST_SRCDIR "/tests/data/demo-expected-threads.txt", "r");
    TM_CHECK(f != NULL);
    char line[1024];
    int64_t pos = 0;
    while (fgets(line, sizeof(line), f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        line[strcspn(line, "\n")] = 0;
        size_t indent = strspn(line, " ");
        struct tm_message_row row;
        int n = 0;
        memset(&row, 0, sizeof(row));
        TM_CHECK(tm_core_window(core, pos, 1, &row, &n, &err) == TM_OK);
        TM_CHECK_INT(n, 1);
        if (row.thread_depth != (int)(indent / 2) || strcmp(row.subject, line + indent) != 0)
            tm_test_fail(__FILE__, __LINE__, "row %lld: got depth %d \"%s\", want \"%s\"",
                         (long long)pos, row.thread_depth, row.subject, line);
        tm_message_row_cleanup(&row);
        pos++;
    }
    fclose(f);
    int64_t count = 0;
    TM_CHECK(tm_core_count(core, &count, &err) == TM_OK);
    TM_CHECK_INT(pos, count);
    tm_core_free(&core);
}

TM_TEST(core_body_request_brings_the_raw_message)
{
    const char *dir = tm_test_tmpdir();
    struct tm_core *core = open_demo_copy(dir);
    struct tm_event ev;
    struct tm_error err;
    struct tm_message_row row;
    int n = 0;
    memset(&row, 0, sizeof(row));
    TM_CHECK(core != NULL);
    TM_CHECK(tm_core_sync(core, &err) == TM_OK);
    TM_CHECK(wait_event(core, TM_EV_SYNC_DONE, &ev));
    TM_CHECK(tm_core_window(core, 0, 1, &row, &n, &err) == TM_OK && n == 1);
    TM_CHECK(tm_core_request_body(core, row.id, &err) == TM_OK);
    TM_CHECK(wait_event(core, TM_EV_BODY, &ev));
    TM_CHECK_INT(ev.status, TM_OK);
    TM_CHECK_INT(ev.message_id, row.id);
    TM_CHECK(ev.body.len == (size_t)row.size);
    TM_CHECK(strstr(ev.body.data, "Message-ID:") || strstr(ev.body.data, "Message-Id:"));
    tm_event_cleanup(&ev);
    tm_message_row_cleanup(&row);
    tm_core_free(&core);
}

TM_TEST(core_set_seen_renames_file_and_reports_change)
{
    const char *dir = tm_test_tmpdir();
    struct tm_core *core = open_demo_copy(dir);
    struct tm_event ev;
    struct tm_error err;
    TM_CHECK(core != NULL);
    TM_CHECK(tm_core_sync(core, &err) == TM_OK);
    TM_CHECK(wait_event(core, TM_EV_SYNC_DONE, &ev));
    int64_t count = 0, unseen = -1;
    TM_CHECK(tm_core_count(core, &count, &err) == TM_OK);
    for (int64_t i = 0; i < count && unseen < 0; i++) {
        struct tm_message_row row;
        int n = 0;
        memset(&row, 0, sizeof(row));
        TM_CHECK(tm_core_window(core, i, 1, &row, &n, &err) == TM_OK);
        if (!(row.flags & TM_FLAG_SEEN) && row.location && strncmp(row.location, "new/", 4) == 0)
            unseen = row.id;
        tm_message_row_cleanup(&row);
    }
    TM_CHECK(unseen > 0);
    TM_CHECK(tm_core_set_flags(core, unseen, TM_FLAG_SEEN, 0, &err) == TM_OK);
    TM_CHECK(wait_event(core, TM_EV_CHANGED, &ev));
    struct tm_message_row row;
    memset(&row, 0, sizeof(row));
    TM_CHECK(tm_core_message(core, unseen, &row, &err) == TM_OK);
    TM_CHECK(row.flags & TM_FLAG_SEEN);
    TM_CHECK(strncmp(row.location, "cur/", 4) == 0);
    TM_CHECK(strstr(row.location, ":2,S") != NULL);
    struct stat sb;
    char demo[1024], file[2048];
    snprintf(demo, sizeof(demo), "%s", path_in(dir, "demo"));
    TM_CHECK(snprintf(file, sizeof(file), "%s/%s", demo, row.location) < (int)sizeof(file));
    TM_CHECK(stat(file, &sb) == 0);
    tm_message_row_cleanup(&row);
    tm_core_free(&core);
}

TM_TEST(core_unopenable_folder_reports_error_event)
{
    const char *dir = tm_test_tmpdir();
    struct tm_error err;
    struct tm_core *core = NULL;
    struct tm_event ev;
    struct tm_core_options opt = {.store_path = path_in(dir, "cache.sqlite"),
                                  .folder_path = path_in(dir, "nope"),
                                  .account_name = "x",
                                  .sort = TM_SORT_THREADS};
    TM_CHECK(tm_core_new(&opt, &core, &err) == TM_OK);
    TM_CHECK(tm_core_sync(core, &err) == TM_OK);
    TM_CHECK(wait_event(core, TM_EV_SYNC_DONE, &ev));
    TM_CHECK(ev.status != TM_OK);
    TM_CHECK(strstr(ev.text, "nope") != NULL);
    tm_core_free(&core);
}

TM_TEST(core_prepare_demo_copies_once_and_keeps_changes)
{
    const char *dir = tm_test_tmpdir();
    char out[1024];
    bool copied = false;
    struct tm_error err;
    setenv("XDG_DATA_HOME", dir, 1);
    TM_CHECK(tm_core_prepare_demo(TM_TEST_SRCDIR "/share", out, sizeof(out), &copied, &err) ==
             TM_OK);
    TM_CHECK(copied);
    TM_CHECK_STR(out, path_in(dir, "tmail/demo"));
    TM_CHECK_INT(count_files(out), count_files(DEMO_DIR));
    struct stat sb;
    TM_CHECK(stat(path_in(out, "cur"), &sb) == 0 && (sb.st_mode & 0777) == 0700);
    /* A second start keeps the user's copy as it is. */
    TM_CHECK(rename(path_in(out, "cur"), path_in(out, "cur-moved")) == 0);
    TM_CHECK(tm_core_prepare_demo(TM_TEST_SRCDIR "/share", out, sizeof(out), &copied, &err) ==
             TM_OK);
    TM_CHECK(!copied);
    TM_CHECK(stat(path_in(out, "cur"), &sb) != 0);
    unsetenv("XDG_DATA_HOME");
}

/* Subjects of the first n rows in display order, joined by '|'. */
static void first_subjects(struct tm_core *core, int n, char *out, size_t size)
{
    struct tm_error err;
    size_t used = 0;
    out[0] = 0;
    for (int i = 0; i < n; i++) {
        struct tm_message_row row;
        int got = 0;
        memset(&row, 0, sizeof(row));
        if (tm_core_window(core, i, 1, &row, &got, &err) || got != 1)
            break;
        used += (size_t)snprintf(out + used, size - used, "%s%s", i ? "|" : "",
                                 row.subject ? row.subject : "");
        tm_message_row_cleanup(&row);
        if (used >= size)
            break;
    }
}

TM_TEST(core_sort_setting_orders_flat_and_reverse_and_back_to_threads)
{
    const char *dir = tm_test_tmpdir();
    struct tm_core *core = open_demo_copy(dir);
    struct tm_event ev;
    struct tm_error err;
    char threads[2048], bydate[2048], newest[2048];
    TM_CHECK(core != NULL);
    TM_CHECK(tm_core_sync(core, &err) == TM_OK);
    TM_CHECK(wait_event(core, TM_EV_SYNC_DONE, &ev));
    first_subjects(core, 5, threads, sizeof(threads));
    TM_CHECK(tm_core_set_sort(core, TM_SORT_DATE, false, &err) == TM_OK);
    TM_CHECK(wait_event(core, TM_EV_CHANGED, &ev));
    first_subjects(core, 5, bydate, sizeof(bydate));
    /* by date, the 4th and 5th messages are from different threads: not the threaded order */
    TM_CHECK(strcmp(threads, bydate) != 0);
    struct tm_message_row a, b;
    int n = 0;
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    TM_CHECK(tm_core_window(core, 0, 1, &a, &n, &err) == TM_OK && n == 1);
    TM_CHECK(tm_core_window(core, 52, 1, &b, &n, &err) == TM_OK && n == 1);
    TM_CHECK(a.date <= b.date);
    TM_CHECK_INT(a.thread_depth, 0);
    TM_CHECK(!a.thread_tree || !a.thread_tree[0]);
    tm_message_row_cleanup(&a);
    tm_message_row_cleanup(&b);
    TM_CHECK(tm_core_set_sort(core, TM_SORT_DATE, true, &err) == TM_OK);
    TM_CHECK(wait_event(core, TM_EV_CHANGED, &ev));
    first_subjects(core, 1, newest, sizeof(newest));
    TM_CHECK_STR(newest, "[tmail-dev] Proposal: 1.0 roadmap draft"); /* the newest message */
    TM_CHECK(tm_core_set_sort(core, TM_SORT_THREADS, false, &err) == TM_OK);
    TM_CHECK(wait_event(core, TM_EV_CHANGED, &ev));
    first_subjects(core, 5, bydate, sizeof(bydate));
    TM_CHECK_STR(bydate, threads);
    tm_core_free(&core);
}

/* Whether ids[0..n) are the ids at display positions from, from + 1, ... of want. */
static bool ids_are(const int64_t *ids, size_t n, const int64_t *want, size_t from, size_t count)
{
    if (n != count)
        return false;
    for (size_t i = 0; i < n; i++)
        if (ids[i] != want[from + i])
            return false;
    return true;
}

/* tests/data/demo-expected-threads.txt: rows 4-11 are one thread, depths 0 1 2 3 4 2 1 2. */
TM_TEST(core_thread_ids_are_the_thread_or_subthread_whatever_the_limit)
{
    const char *dir = tm_test_tmpdir();
    struct tm_core *core = open_demo_copy(dir);
    struct tm_event ev;
    struct tm_error err;
    int64_t row_ids[13], *ids = NULL;
    size_t n = 0;
    TM_CHECK(core != NULL);
    TM_CHECK(tm_core_sync(core, &err) == TM_OK);
    TM_CHECK(wait_event(core, TM_EV_SYNC_DONE, &ev));
    for (int i = 0; i < 13; i++) {
        struct tm_message_row row;
        int got = 0;
        memset(&row, 0, sizeof(row));
        TM_CHECK(tm_core_window(core, i, 1, &row, &got, &err) == TM_OK && got == 1);
        row_ids[i] = row.id;
        tm_message_row_cleanup(&row);
    }
    /* the thread of its deepest reply: the root and all seven replies */
    TM_CHECK_INT(tm_core_thread_ids(core, row_ids[8], false, &ids, &n, &err), TM_OK);
    TM_CHECK(ids_are(ids, n, row_ids, 4, 8));
    free(ids);
    /* the subthread of the first reply: it and the four below it, not its sibling */
    TM_CHECK_INT(tm_core_thread_ids(core, row_ids[5], true, &ids, &n, &err), TM_OK);
    TM_CHECK(ids_are(ids, n, row_ids, 5, 5));
    free(ids);
    TM_CHECK_INT(tm_core_thread_ids(core, row_ids[7], true, &ids, &n, &err), TM_OK);
    TM_CHECK(ids_are(ids, n, row_ids, 7, 2));
    free(ids);
    /* the last reply's subthread is itself; the root's subthread is the thread */
    TM_CHECK_INT(tm_core_thread_ids(core, row_ids[11], true, &ids, &n, &err), TM_OK);
    TM_CHECK(ids_are(ids, n, row_ids, 11, 1));
    free(ids);
    TM_CHECK_INT(tm_core_thread_ids(core, row_ids[4], true, &ids, &n, &err), TM_OK);
    TM_CHECK(ids_are(ids, n, row_ids, 4, 8));
    free(ids);
    /* a message alone is a thread of one; so is the first of the folder */
    TM_CHECK_INT(tm_core_thread_ids(core, row_ids[12], false, &ids, &n, &err), TM_OK);
    TM_CHECK(ids_are(ids, n, row_ids, 12, 1));
    free(ids);
    TM_CHECK_INT(tm_core_thread_ids(core, row_ids[0], false, &ids, &n, &err), TM_OK);
    TM_CHECK(ids_are(ids, n, row_ids, 0, 1));
    free(ids);
    /* a limit that hides the root hides nothing of the thread */
    TM_CHECK_INT(tm_core_set_limit(core, "~s ^Re:", &err), TM_OK);
    TM_CHECK_INT(tm_core_thread_ids(core, row_ids[10], false, &ids, &n, &err), TM_OK);
    TM_CHECK(ids_are(ids, n, row_ids, 4, 8));
    free(ids);
    TM_CHECK_INT(tm_core_thread_ids(core, 987654321, false, &ids, &n, &err), TM_ENOENT);
    TM_CHECK(ids == NULL && n == 0);
    tm_core_free(&core);
}

/* A limit replaced while its body search ends: the result already on its way is an older
 * search's and never sets the old limit over the new one (seen in the UI: "all" typed while
 * "~b ..." was searched left the old limit in place). */
TM_TEST(core_limit_replaced_while_its_search_ends_is_not_applied)
{
    const char *dir = tm_test_tmpdir();
    struct tm_core *core = open_demo_copy(dir);
    struct tm_event ev;
    struct tm_error err;
    int64_t all = -1, count = -1;
    TM_CHECK(core != NULL);
    TM_CHECK(tm_core_sync(core, &err) == TM_OK);
    TM_CHECK(wait_event(core, TM_EV_SYNC_DONE, &ev));
    tm_event_cleanup(&ev);
    TM_CHECK_INT(tm_core_count(core, &all, &err), TM_OK);
    TM_CHECK_INT(tm_core_set_limit(core, "~b the", &err), TM_OK);
    TM_CHECK(tm_core_limit_pending(core));
    TM_CHECK(worker_wait_idle(&core->worker, 10000)); /* its result is queued by now */
    TM_CHECK_INT(tm_core_set_limit(core, "all", &err), TM_OK);
    TM_CHECK(!tm_core_limit_pending(core));
    int dones = 0;
    while (tm_core_next_event(core, &ev)) {
        struct tm_search_done d;
        if (ev.type == TM_EV_SEARCH_DONE) {
            dones++;
            TM_CHECK(!tm_core_search_done(core, &ev, &d));
        }
        tm_event_cleanup(&ev);
    }
    TM_CHECK_INT(dones, 1);
    TM_CHECK(tm_core_limit_text(core) == NULL);
    TM_CHECK_INT(tm_core_count(core, &count, &err), TM_OK);
    TM_CHECK_INT(count, all);
    tm_core_free(&core);
}
