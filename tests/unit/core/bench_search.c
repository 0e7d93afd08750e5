/* bench_search.c - not a test: times body searches through tmail's core, headless, as the UI
 * runs them (the account worker, its events). Used by bench/search/run.py.
 *
 *     bench_search MAILDIR CACHE PATTERN...
 *
 * Opens MAILDIR with the cache file CACHE (made when missing), waits for the scan, then runs
 * each PATTERN as a search (the first one on a fresh cache also indexes every message) and
 * prints one line per step: "scan MS", then "search MS MATCHES UNSEARCHED PATTERN". */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tmail/config.h"
#include "tmail/core.h"
#include "tmail/pattern.h"

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000.0 + t.tv_nsec / 1e6;
}

/* Waits for an event of type want (others are dropped); false after a minute and a half. */
static bool wait_event(struct tm_core *core, enum tm_event_type want, struct tm_event *ev)
{
    double until = now_ms() + 900000;
    while (now_ms() < until) {
        struct pollfd p = {tm_core_event_fd(core), POLLIN, 0};
        poll(&p, 1, 1000);
        while (tm_core_next_event(core, ev)) {
            if (ev->type == want)
                return true;
            tm_event_cleanup(ev);
        }
    }
    return false;
}

/* How many messages of the open mailbox p matches. */
static long count_matches(struct tm_core *core, const struct tm_pattern *p)
{
    struct tm_message_row rows[256];
    int64_t total = 0;
    long n = 0;
    tm_core_count(core, &total, NULL);
    for (int64_t off = 0; off < total; off += 256) {
        int got = 0;
        memset(rows, 0, sizeof(rows));
        if (tm_core_window(core, off, 256, rows, &got, NULL))
            break;
        for (int i = 0; i < got; i++) {
            n += tm_pattern_match(p, &rows[i], time(NULL));
            tm_message_row_cleanup(&rows[i]);
        }
    }
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s MAILDIR CACHE PATTERN...\n", argv[0]);
        return 2;
    }
    struct tm_core_options opt = {.store_path = argv[2],
                                  .folder_path = argv[1],
                                  .account_name = "bench",
                                  .sort = TM_SORT_DATE};
    struct tm_core *core = NULL;
    struct tm_error err;
    struct tm_event ev;
    double t0 = now_ms();
    if (tm_core_new(&opt, &core, &err) || tm_core_sync(core, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    if (!wait_event(core, TM_EV_SYNC_DONE, &ev) || ev.status) {
        fprintf(stderr, "scan failed: %s\n", ev.text);
        return 1;
    }
    tm_event_cleanup(&ev);
    tm_core_refresh_limit(core, NULL); /* as the UI does after a sync */
    printf("scan %.1f\n", now_ms() - t0);
    for (int i = 3; i < argc; i++) {
        t0 = now_ms();
        if (tm_core_search_start(core, argv[i], TM_SEARCH_FIND, 0, &err)) {
            fprintf(stderr, "%s: %s\n", argv[i], err.message);
            return 1;
        }
        struct tm_search_done d;
        bool taken = false;
        while (!taken && wait_event(core, TM_EV_SEARCH_DONE, &ev)) {
            taken = tm_core_search_done(core, &ev, &d);
            tm_event_cleanup(&ev);
        }
        double ms = now_ms() - t0;
        if (!taken || d.status) {
            fprintf(stderr, "%s: %s\n", argv[i], taken ? d.text : "no result");
            return 1;
        }
        printf("search %.1f %ld %lld %s\n", ms, count_matches(core, d.found),
               (long long)d.unsearched, argv[i]);
        fflush(stdout);
        tm_pattern_free(&d.found);
    }
    tm_core_free(&core);
    return 0;
}
