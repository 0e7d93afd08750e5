/* bench_store_address.c - times recipient completion over the senders of a big cache: N
 * messages (with the envelope fields a sync stores) from S distinct senders, then completions
 * of an empty prefix, a common one, a rare one and one that matches nothing. Not a test:
 * `bench_store_address [N] [S] [DIR]`; run it from a release build. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tmail/store.h"

#define BATCH 5000
#define RUNS  20 /* repetitions of each completion, averaged */
#define LIMIT 20 /* what a completion menu shows */

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

static void insert_all(struct tm_store *st, int64_t mbox, int n, int senders)
{
    struct tm_error err;
    uint64_t seed = 88172645463325252ULL;
    char key[32], msgid[64], refs[200], subject[96], name[64], addr[64], to[96];
    for (int i = 0; i < n; i++) {
        if (i % BATCH == 0 && tm_store_begin(st, &err))
            die("begin", &err);
        uint64_t r = next_random(&seed);
        /* a few senders write most of the mail: the square favours small numbers */
        int who = (int)((r % 1000) * (r % 1000) * (uint64_t)senders / 1000000);
        snprintf(key, sizeof(key), "%010d", i + 1);
        snprintf(msgid, sizeof(msgid), "<%016llx.%d@mail.example.org>", (unsigned long long)r, i);
        snprintf(refs, sizeof(refs), "<%016llx.a@mail.example.org> <%016llx.b@mail.example.org>",
                 (unsigned long long)(r >> 3), (unsigned long long)(r >> 5));
        snprintf(subject, sizeof(subject), "Re: a subject about topic %d of the list", i / 5);
        snprintf(name, sizeof(name), "Person %d Surname", who);
        snprintf(addr, sizeof(addr), "person%d@domain%d.example", who, who % 50);
        snprintf(to, sizeof(to), "The List <list@lists.example>");
        struct tm_message_row row = {.mailbox_id = mbox,
                                     .uid = i + 1,
                                     .local_key = key,
                                     .flags = 1,
                                     .date = 1600000000 + i * 60,
                                     .size = 4000 + (int64_t)(r % 20000),
                                     .from_name = name,
                                     .from_addr = addr,
                                     .to_addrs = to,
                                     .subject = subject,
                                     .message_id = msgid,
                                     .in_reply_to = msgid,
                                     .references = refs};
        if (tm_store_message_upsert(st, &row, &err))
            die("upsert", &err);
        if ((i + 1) % BATCH == 0 || i + 1 == n) {
            if (tm_store_commit(st, &err))
                die("commit", &err);
        }
    }
}

static int count_hit(void *ctx, const char *name, const char *addr)
{
    (void)name;
    (void)addr;
    (*(int *)ctx)++;
    return 0;
}

static void time_prefix(struct tm_store *st, const char *prefix)
{
    struct tm_error err;
    int hits = 0;
    double first = now_ms();
    if (tm_store_address_complete(st, prefix, LIMIT, count_hit, &hits, &err))
        die("complete", &err);
    first = now_ms() - first;
    double t0 = now_ms();
    for (int i = 0; i < RUNS; i++) {
        hits = 0;
        if (tm_store_address_complete(st, prefix, LIMIT, count_hit, &hits, &err))
            die("complete", &err);
    }
    printf("prefix %-12s %2d hits: first %7.2f ms, then %7.2f ms each\n", *prefix ? prefix : "\"\"",
           hits, first, (now_ms() - t0) / RUNS);
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 100000;
    int senders = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 5000;
    char dir[] = "/tmp/tmail-bench.XXXXXX", path[600];
    const char *base = argc > 3 ? argv[3] : mkdtemp(dir);
    if (!base || n < 1 || senders < 1)
        die("usage: bench_store_address [N] [SENDERS] [DIR]", NULL);
    snprintf(path, sizeof(path), "%s/cache.sqlite", base);
    struct tm_store *st = NULL;
    struct tm_error err;
    int64_t acct = 0, mbox = 0;
    if (tm_store_open(path, &st, &err) ||
        tm_store_account_ensure(st, "bench", "imaps://bench@example.org", &acct, &err) ||
        tm_store_mailbox_ensure(st, acct, "INBOX", &mbox, &err))
        die("open", &err);
    double t0 = now_ms();
    insert_all(st, mbox, n, senders);
    printf("%d messages from up to %d senders stored in %.0f ms (%s)\n", n, senders, now_ms() - t0,
           path);
    tm_store_free(&st); /* completions start from a fresh connection: a cold page cache */
    if (tm_store_open(path, &st, &err))
        die("reopen", &err);
    time_prefix(st, "");
    time_prefix(st, "p");
    time_prefix(st, "person4999");
    time_prefix(st, "Person 12");
    time_prefix(st, "zz");
    tm_store_free(&st);
    return 0;
}
