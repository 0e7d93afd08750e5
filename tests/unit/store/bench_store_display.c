/* bench_store_display.c - times what a first IMAP sync of a big folder asks of the store: N
 * upserts in 5,000-row transactions, one write of the whole display order (what core's rethread
 * does), then the UI's reads (window at the top, middle and bottom, position, first unread).
 * Not a test: `bench_store_display [N] [DIR]`; run it from a release build. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tmail/flags.h"
#include "tmail/store.h"

#define BATCH       5000
#define THREAD_SIZE 5  /* messages per thread, on average */
#define WINDOW      40 /* rows of one screen */
#define READS       50 /* repetitions of each read, averaged */

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1000.0 + (double)t.tv_nsec / 1e6;
}

static void die(const char *what, const struct tm_error *err)
{
    fprintf(stderr, "bench: %s: %s\n", what, err ? err->message : "");
    exit(1);
}

/* Deterministic pseudo-random numbers (xorshift), so every run stores the same rows. */
static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void insert_all(struct tm_store *st, int64_t mbox, int n)
{
    struct tm_error err;
    uint64_t seed = 88172645463325252ULL;
    char key[32], msgid[64], parent[64], subject[96], from[64], addr[64];
    for (int i = 0; i < n; i++) {
        if (i % BATCH == 0 && tm_store_begin(st, &err))
            die("begin", &err);
        uint64_t r = next_random(&seed);
        snprintf(key, sizeof(key), "%010d", i + 1);
        snprintf(msgid, sizeof(msgid), "<%016llx.%d@mail.example.org>", (unsigned long long)r, i);
        snprintf(parent, sizeof(parent), "<%016llx.%d@mail.example.org>",
                 (unsigned long long)(r >> 3), i / THREAD_SIZE);
        snprintf(subject, sizeof(subject), "%sa subject about topic %d of the list",
                 i % THREAD_SIZE ? "Re: " : "", i / THREAD_SIZE);
        snprintf(from, sizeof(from), "Sender Number %d", (int)(r % 977));
        snprintf(addr, sizeof(addr), "sender%d@example.org", (int)(r % 977));
        struct tm_message_row row = {
            .mailbox_id = mbox,
            .uid = i + 1,
            .local_key = key,
            .flags = r % 4 ? TM_FLAG_SEEN : 0,
            .date = 1600000000 + (int64_t)i * 300 + (int64_t)(r % 600),
            .size = 2000 + (int64_t)(r % 40000),
            .from_name = from,
            .from_addr = addr,
            .to_addrs = (char *)"list@lists.example.org",
            .subject = subject,
            .message_id = msgid,
            .in_reply_to = i % THREAD_SIZE ? parent : NULL,
            .references = i % THREAD_SIZE ? parent : NULL,
        };
        if (tm_store_message_upsert(st, &row, &err))
            die("upsert", &err);
        if ((i + 1) % BATCH == 0 || i + 1 == n) {
            if (tm_store_commit(st, &err))
                die("commit", &err);
        }
    }
}

struct order_entry {
    int64_t id;
    int64_t date;
    int thread;
    int depth;
};

static int compare_entry(const void *pa, const void *pb)
{
    const struct order_entry *a = pa, *b = pb;
    if (a->thread != b->thread)
        return a->thread < b->thread ? -1 : 1;
    return (a->date > b->date) - (a->date < b->date);
}

struct collect {
    struct order_entry *e;
    int n, cap;
    uint64_t seed;
    int threads;
};

static int collect_one(void *ctx, const struct tm_thread_source *src)
{
    struct collect *c = ctx;
    if (c->n == c->cap) /* a DIR with an older, bigger cache: order the first cap */
        return 1;
    c->e[c->n] = (struct order_entry){src->id, src->date,
                                      (int)(next_random(&c->seed) % (uint64_t)c->threads), 0};
    c->n++;
    return 0;
}

/* A thread-like order: messages spread over n / THREAD_SIZE threads (so ids jump around as in
 * a real JWZ order), a thread's rows by date, the first at depth 0 and the others below it. */
static struct order_entry *make_order(struct tm_store *st, int64_t mbox, int n)
{
    struct tm_error err;
    struct collect c = {.e = calloc((size_t)n, sizeof(*c.e)),
                        .cap = n,
                        .seed = 0x9E3779B97F4A7C15ULL,
                        .threads = n / THREAD_SIZE ? n / THREAD_SIZE : 1};
    if (!c.e)
        die("out of memory", NULL);
    if (tm_store_message_each_thread_source(st, mbox, collect_one, &c, &err))
        die("thread sources", &err);
    qsort(c.e, (size_t)c.n, sizeof(*c.e), compare_entry);
    for (int i = 0; i < c.n; i++)
        c.e[i].depth = i > 0 && c.e[i - 1].thread == c.e[i].thread ? 1 : 0;
    return c.e;
}

static void write_order(struct tm_store *st, int64_t mbox, const struct order_entry *e, int n)
{
    struct tm_error err;
#if TM_STORE_SCHEMA_VERSION >= 5
    struct tm_display_entry *rows = calloc((size_t)n, sizeof(*rows));
    if (!rows)
        die("out of memory", NULL);
    for (int i = 0; i < n; i++)
        rows[i] = (struct tm_display_entry){e[i].id, e[i].depth, e[i].depth ? "├─>" : NULL};
    if (tm_store_display_replace(st, mbox, rows, (size_t)n, &err))
        die("display_replace", &err);
    free(rows);
#else
    (void)mbox;
    if (tm_store_begin(st, &err))
        die("begin", &err);
    for (int i = 0; i < n; i++) {
        if (tm_store_message_set_thread(st, e[i].id, i, e[i].depth, e[i].depth ? "├─>" : NULL,
                                        &err))
            die("set_thread", &err);
    }
    if (tm_store_commit(st, &err))
        die("commit", &err);
#endif
}

/* Average ms of one window read of WINDOW rows at offset. */
static double time_window(struct tm_store *st, int64_t mbox, int64_t offset, int64_t *first_id)
{
    struct tm_message_row rows[WINDOW];
    struct tm_error err;
    int n = 0;
    double t0 = now_ms();
    for (int r = 0; r < READS; r++) {
        memset(rows, 0, sizeof(rows));
        if (tm_store_message_window(st, mbox, offset, WINDOW, rows, &n, &err))
            die("window", &err);
        *first_id = n ? rows[0].id : 0;
        for (int i = 0; i < n; i++)
            tm_message_row_cleanup(&rows[i]);
    }
    return (now_ms() - t0) / READS;
}

static void report_reads(struct tm_store *st, int64_t mbox, int n, const char *label)
{
    struct tm_error err;
    const int64_t offsets[] = {0, n / 2, n - WINDOW};
    for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
        int64_t id = 0, pos = -1;
        double ms = time_window(st, mbox, offsets[i], &id);
        double t0 = now_ms();
        for (int r = 0; r < READS; r++) {
            if (tm_store_message_position(st, id, &pos, &err))
                die("position", &err);
        }
        double pos_ms = (now_ms() - t0) / READS;
        printf("%-10s window(%6lld, %d) %8.3f ms   position -> %6lld %8.3f ms\n", label,
               (long long)offsets[i], WINDOW, ms, (long long)pos, pos_ms);
    }
    int64_t id = 0, count = 0;
    double t0 = now_ms();
    for (int r = 0; r < READS; r++) {
        if (tm_store_message_first_with_flags(st, mbox, TM_FLAG_SEEN, 0, &id, &err))
            die("first_with_flags", &err);
    }
    double first_ms = (now_ms() - t0) / READS;
    t0 = now_ms();
    for (int r = 0; r < READS; r++) {
        if (tm_store_message_count(st, mbox, &count, &err))
            die("count", &err);
    }
    printf("%-10s first unread %8.3f ms   count %lld %8.3f ms\n", label, first_ms, (long long)count,
           (now_ms() - t0) / READS);
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 100000;
    char dir[] = "/tmp/tmail-bench.XXXXXX", path[600];
    const char *base = argc > 2 ? argv[2] : mkdtemp(dir);
    if (!base || n < 2 * WINDOW)
        die("usage: bench_store_display [N >= 80] [DIR]", NULL);
    snprintf(path, sizeof(path), "%s/cache.sqlite", base);
    struct tm_store *st = NULL;
    struct tm_error err;
    int64_t acct = 0, mbox = 0;
    double t_open = now_ms();
    if (tm_store_open(path, &st, &err) ||
        tm_store_account_ensure(st, "bench", "imaps://bench@example.org", &acct, &err) ||
        tm_store_mailbox_ensure(st, acct, "INBOX", &mbox, &err))
        die("open", &err);
    printf("schema %d, %d messages, %s (open and migrate %.1f ms)\n", tm_store_schema_version(st),
           n, path, now_ms() - t_open);

    double t0 = now_ms();
    insert_all(st, mbox, n);
    double t1 = now_ms();
    printf("insert     %d upserts in %d-row transactions: %8.1f ms\n", n, BATCH, t1 - t0);
    report_reads(st, mbox, n, "unordered");

    struct order_entry *order = make_order(st, mbox, n);
    double t2 = now_ms();
    write_order(st, mbox, order, n);
    double t3 = now_ms();
    printf("order      write of %d display rows: %8.1f ms\n", n, t3 - t2);
    report_reads(st, mbox, n, "ordered");

    double t4 = now_ms();
    write_order(st, mbox, order, n); /* a rethread after a resync: the order is there already */
    printf("reorder    second write of the same order: %8.1f ms\n", now_ms() - t4);

    /* expunges before the next rethread: holes in the order */
    int gone = 0;
    double t5 = now_ms();
    for (int i = 0; i < n; i += 1000, gone++) {
        if (tm_store_message_delete(st, order[i].id, &err))
            die("delete", &err);
    }
    printf("delete     %d messages one by one: %8.1f ms\n", gone, now_ms() - t5);
    report_reads(st, mbox, n - gone, "holes");
    free(order);
    tm_store_free(&st);
    return 0;
}
