/* test_thread.c - JWZ threading: links, pruning, subject grouping, order, tree prefixes, and
 * hostile headers (loops, self-references, duplicates, huge References) at 100,000 messages. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../src/core/thread.h"
#include "tm_test.h"

/* A shorthand row: id, message-id, in-reply-to, references, subject, date. */
#define MSG(i, mid, irt, refs, subj, date)                                                         \
    {                                                                                              \
        (i), (mid), (irt), (refs), (subj), (date)                                                  \
    }

/* True when every id of msgs appears exactly once in out. */
static bool each_once(const struct tm_thread_msg *msgs, size_t n, const struct tm_thread_out *out)
{
    for (size_t i = 0; i < n; i++) {
        size_t seen = 0;
        for (size_t k = 0; k < n; k++)
            seen += out[k].id == msgs[i].id;
        if (seen != 1)
            return false;
    }
    return true;
}

/* Threads msgs, checks each id appears once; NULL on failure (the test then fails). */
static struct tm_thread_out *run(const struct tm_thread_msg *msgs, size_t n)
{
    struct tm_thread_out *out = NULL;
    struct tm_error err;
    if (tm_thread_compute(msgs, n, &out, &err) != TM_OK)
        return NULL;
    if (!each_once(msgs, n, out)) {
        tm_thread_out_free(out, n);
        return NULL;
    }
    return out;
}

/* Compares out against "id:depth:tree" expectations, one per row; writes the first mismatch. */
static bool rows_are(const struct tm_thread_out *out, size_t n, const char *const *want, char *why,
                     size_t why_size)
{
    for (size_t k = 0; k < n; k++) {
        char got[256];
        snprintf(got, sizeof(got), "%lld:%d:%s", (long long)out[k].id, out[k].depth, out[k].tree);
        if (strcmp(got, want[k]) != 0) {
            snprintf(why, why_size, "row %zu: got \"%s\", want \"%s\"", k, got, want[k]);
            return false;
        }
    }
    return true;
}

#define CHECK_ROWS(out, msgs, ...)                                                                 \
    do {                                                                                           \
        static const char *const want_[] = {__VA_ARGS__};                                          \
        size_t n_ = sizeof(msgs) / sizeof(msgs[0]);                                                \
        char why_[512] = "";                                                                       \
        TM_CHECK_INT(sizeof(want_) / sizeof(want_[0]), n_);                                        \
        bool ok_ = rows_are(out, n_, want_, why_, sizeof(why_));                                   \
        if (!ok_)                                                                                  \
            tm_thread_out_free(out, n_);                                                           \
        TM_CHECK_STR(why_, "");                                                                    \
    } while (0)

TM_TEST(thread_simple_reply_chain)
{
    static const struct tm_thread_msg msgs[] = {
        MSG(3, "c@x", "b@x", "a@x b@x", "Re: plan", 300),
        MSG(1, "a@x", NULL, NULL, "plan", 100),
        MSG(2, "b@x", "a@x", "a@x", "Re: plan", 200),
    };
    struct tm_thread_out *out = run(msgs, 3);
    TM_CHECK(out);
    CHECK_ROWS(out, msgs, "1:0:", "2:1:└─>", "3:2:  └─>");
    tm_thread_out_free(out, 3);
}

TM_TEST(thread_branching_tree_prefixes)
{
    /* r ─ a ─ a1 ─ a1x ; r ─ b ─ {b1, b2} ; with a later sibling at each branch point. */
    static const struct tm_thread_msg msgs[] = {
        MSG(1, "r", NULL, NULL, "topic", 10),
        MSG(2, "a", NULL, "r", "Re: topic", 20),
        MSG(3, "b", NULL, "r", "Re: topic", 30),
        MSG(4, "a1", NULL, "r a", "Re: topic", 40),
        MSG(5, "a1x", NULL, "r a a1", "Re: topic", 45),
        MSG(6, "b1", NULL, "r b", "Re: topic", 50),
        MSG(7, "b2", NULL, "r b", "Re: topic", 60),
        MSG(8, "b1x", NULL, "r b b1", "Re: topic", 70),
    };
    struct tm_thread_out *out = run(msgs, 8);
    TM_CHECK(out);
    CHECK_ROWS(out, msgs, "1:0:", "2:1:├─>", "4:2:│ └─>", "5:3:│   └─>", "3:1:└─>", "6:2:  ├─>",
               "8:3:  │ └─>", "7:2:  └─>");
    tm_thread_out_free(out, 8);
}

TM_TEST(thread_missing_parent_groups_siblings)
{
    /* x and y are never seen: 2, 3, 4 (and 5, under the missing y under x) are one thread led
     * by the earliest; 6 alone under the missing z is just a root. */
    static const struct tm_thread_msg msgs[] = {
        MSG(3, "c", NULL, "x", "Re: gone", 300),  MSG(2, "b", NULL, "x", "Re: gone", 200),
        MSG(4, "d", NULL, "x", "Re: gone", 400),  MSG(5, "e", NULL, "x y", "Re: gone", 250),
        MSG(6, "f", NULL, "z", "Re: other", 500),
    };
    struct tm_thread_out *out = run(msgs, 5);
    TM_CHECK(out);
    CHECK_ROWS(out, msgs, "2:0:", "5:1:├─>", "3:1:├─>", "4:1:└─>", "6:0:");
    tm_thread_out_free(out, 5);
}

TM_TEST(thread_in_reply_to_only)
{
    /* In-Reply-To alone links; with angle brackets and trailing junk; and an In-Reply-To that a
     * truncated References lacks names the direct parent. */
    static const struct tm_thread_msg msgs[] = {
        MSG(1, "<a@h>", NULL, NULL, "q", 1),
        MSG(2, "b@h", "<a@h>", NULL, "Re: q", 2),
        MSG(3, "c@h", "<b@h> (from someone)", "", "Re: q", 3),
        MSG(4, "d@h", "c@h", "<a@h>", "Re: q", 4),
    };
    struct tm_thread_out *out = run(msgs, 4);
    TM_CHECK(out);
    CHECK_ROWS(out, msgs, "1:0:", "2:1:└─>", "3:2:  └─>", "4:3:    └─>");
    tm_thread_out_free(out, 4);
}

TM_TEST(thread_subject_fallback_reply_joins_root)
{
    /* 2 and 3 lost their headers; their subjects put them under 1. 4-6 are replies only: they
     * hang under the earliest. 7 is a forward of 1's subject with a reply counter. */
    static const struct tm_thread_msg msgs[] = {
        MSG(1, "a", NULL, NULL, "Hello world", 10),
        MSG(2, "b", NULL, NULL, "Re: hello  WORLD ", 20),
        MSG(3, "c", NULL, NULL, "RE: [tmail-dev] Aw: Hello world", 30),
        MSG(4, "d", NULL, NULL, "Re: lunch", 40),
        MSG(5, "e", NULL, NULL, "Sv: lunch", 50),
        MSG(6, "f", NULL, NULL, "FW: Re: lunch", 60),
        MSG(7, "g", NULL, NULL, "Fwd[2]: hello world", 70),
    };
    struct tm_thread_out *out = run(msgs, 7);
    TM_CHECK(out);
    CHECK_ROWS(out, msgs, "1:0:", "2:1:├─>", "3:1:├─>", "7:1:└─>", "4:0:", "5:1:├─>", "6:1:└─>");
    tm_thread_out_free(out, 7);
}

TM_TEST(thread_two_unrelated_same_subject_not_merged)
{
    /* Two "Hello" mails stay apart; the reply joins the latest one not later than it. */
    static const struct tm_thread_msg msgs[] = {
        MSG(1, "a", NULL, NULL, "Hello", 10),
        MSG(2, "b", NULL, NULL, "hello", 20),
        MSG(3, "c", NULL, NULL, "Re: Hello", 30),
        MSG(4, "d", NULL, NULL, "Re: Hello", 5),
    };
    struct tm_thread_out *out = run(msgs, 4);
    TM_CHECK(out);
    CHECK_ROWS(out, msgs, "1:0:", "4:1:└─>", "2:0:", "3:1:└─>");
    tm_thread_out_free(out, 4);
}

TM_TEST(thread_orders_by_root_date)
{
    /* Threads by root date even when a reply of a later thread is older; children by date,
     * ties by id. */
    static const struct tm_thread_msg msgs[] = {
        MSG(9, "t2", NULL, NULL, "second", 200),     MSG(8, "t2r", NULL, "t2", "Re: second", 50),
        MSG(7, "t1c", NULL, "t1", "Re: first", 500), MSG(6, "t1b", NULL, "t1", "Re: first", 500),
        MSG(5, "t1", NULL, NULL, "first", 100),      MSG(4, "t3", NULL, NULL, "third", 100),
    };
    struct tm_thread_out *out = run(msgs, 6);
    TM_CHECK(out);
    CHECK_ROWS(out, msgs, "4:0:", "5:0:", "6:1:├─>", "7:1:└─>", "9:0:", "8:1:└─>");
    tm_thread_out_free(out, 6);
}

TM_TEST(thread_self_reference)
{
    static const struct tm_thread_msg msgs[] = {
        MSG(1, "a", "a", "a a a", "me", 1),
        MSG(2, "b", "<b>", "<a> <b>", "Re: me", 2),
        MSG(3, "c", "c", "c", "other", 3),
    };
    struct tm_thread_out *out = run(msgs, 3);
    TM_CHECK(out);
    CHECK_ROWS(out, msgs, "1:0:", "2:1:└─>", "3:0:");
    tm_thread_out_free(out, 3);
}

TM_TEST(thread_reference_loop)
{
    /* a and b name each other; c, d, e form a three-cycle through References; f and g loop
     * through dummies. Each cycle becomes one thread with one root. */
    static const struct tm_thread_msg msgs[] = {
        MSG(1, "a", "b", "b", "s1", 1),      MSG(2, "b", "a", "a", "s2", 2),
        MSG(3, "c", NULL, "e", "s3", 3),     MSG(4, "d", NULL, "c", "s4", 4),
        MSG(5, "e", NULL, "d", "s5", 5),     MSG(6, "f", NULL, "y g x", "s6", 6),
        MSG(7, "g", NULL, "x f y", "s7", 7),
    };
    struct tm_thread_out *out = run(msgs, 7);
    TM_CHECK(out);
    int roots = 0;
    for (size_t k = 0; k < 7; k++)
        roots += out[k].depth == 0;
    TM_CHECK_INT(roots, 3);
    tm_thread_out_free(out, 7);
}

TM_TEST(thread_duplicate_message_id)
{
    /* The second "x" does not replace the first: replies go to the first, the copy stays a
     * thread of its own (two non-replies with one subject are not merged). A third "x" naming
     * "x" as its parent names itself: that is ignored, and its subject hangs it under the
     * latest earlier "dup". */
    static const struct tm_thread_msg msgs[] = {
        MSG(1, "x", NULL, NULL, "dup", 10),
        MSG(2, "<x>", NULL, NULL, "dup", 20),
        MSG(3, "r", "x", "x", "Re: dup", 30),
        MSG(4, "x", "x", "x", "Re: dup", 40),
    };
    struct tm_thread_out *out = run(msgs, 4);
    TM_CHECK(out);
    CHECK_ROWS(out, msgs, "1:0:", "3:1:└─>", "2:0:", "4:1:└─>");
    tm_thread_out_free(out, 4);
}

TM_TEST(thread_long_references)
{
    /* 10,000 references, one of which (r5000) is present without headers of its own. */
    size_t cap = 10000 * 8;
    char *refs = malloc(cap), *p = refs;
    TM_CHECK(refs);
    for (int i = 0; i < 10000; i++)
        p += snprintf(p, cap - (size_t)(p - refs), "<r%d> ", i);
    struct tm_thread_msg msgs[] = {
        MSG(1, "leaf", NULL, refs, "Re: long", 20),
        MSG(2, "r5000", NULL, NULL, "long", 10),
        MSG(3, "r9999", NULL, refs, "Re: long", 15),
    };
    struct tm_thread_out *out = run(msgs, 3);
    free(refs);
    TM_CHECK(out);
    CHECK_ROWS(out, msgs, "2:0:", "3:1:└─>", "1:2:  └─>");
    tm_thread_out_free(out, 3);
}

TM_TEST(thread_null_fields)
{
    static const struct tm_thread_msg msgs[] = {
        MSG(1, NULL, NULL, NULL, NULL, 0),          MSG(2, "", "", "", "", 0),
        MSG(3, "  ", " <> ", "<<>> , <", "Re:", 0), MSG(4, "<>", ">", ">>", "  [] Re: ", 0),
        MSG(5, NULL, "a", NULL, NULL, 1),           MSG(6, NULL, NULL, "a", NULL, 2),
    };
    struct tm_thread_out *out = run(msgs, 6);
    TM_CHECK(out);
    CHECK_ROWS(out, msgs, "1:0:", "2:0:", "3:0:", "4:0:", "5:0:", "6:1:└─>");
    tm_thread_out_free(out, 6);

    struct tm_error err;
    TM_CHECK_INT(tm_thread_compute(msgs, 0, &out, &err), TM_OK);
    TM_CHECK(out == NULL);
    tm_thread_out_free(NULL, 0);
}

/* 80,000 messages in 1,600 threads of 50 (binary fan-out, References "root parent"), then one
 * 20,000-deep chain linked by In-Reply-To alone; the input is shuffled. */
#define BIG_N     100000
#define BIG_FAN   80000
#define BIG_GROUP 50

struct big {
    struct tm_thread_msg msgs[BIG_N];
    char text[BIG_N][3][48];
    int64_t parent[BIG_N]; /* expected parent id, -1 for a root */
};

static void big_fill(struct big *b)
{
    for (int i = 0; i < BIG_N; i++) {
        struct tm_thread_msg *m = &b->msgs[i];
        int k = i % BIG_GROUP, root = i - k, par = -1;
        snprintf(b->text[i][0], sizeof(b->text[i][0]), "m%d@big", i);
        if (i < BIG_FAN && k > 0) {
            par = root + (k - 1) / 2;
            snprintf(b->text[i][1], sizeof(b->text[i][1]), "<m%d@big> <m%d@big>", root, par);
        } else if (i > BIG_FAN) {
            par = i - 1;
            snprintf(b->text[i][1], sizeof(b->text[i][1]), "<m%d@big>", par);
        }
        snprintf(b->text[i][2], sizeof(b->text[i][2]), "%stopic %d",
                 par < 0 ? "" : "Re: ", i < BIG_FAN ? root : BIG_FAN);
        *m = (struct tm_thread_msg){i,
                                    b->text[i][0],
                                    i > BIG_FAN ? b->text[i][1] : NULL,
                                    i < BIG_FAN && par >= 0 ? b->text[i][1] : NULL,
                                    b->text[i][2],
                                    i};
        b->parent[i] = par;
    }
    unsigned long long seed = 42;
    for (size_t i = BIG_N - 1; i > 0; i--) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        size_t j = (size_t)(seed >> 33) % (i + 1);
        struct tm_thread_msg t = b->msgs[i];
        b->msgs[i] = b->msgs[j];
        b->msgs[j] = t;
    }
}

/* Each row's parent is the nearest earlier row one level up; checks it against the expectation
 * and that every id appears once. */
static bool big_consistent(const struct big *b, const struct tm_thread_out *out, int *roots,
                           int *max_depth)
{
    int64_t *path = malloc(BIG_N * sizeof(*path));
    bool *seen = calloc(BIG_N, sizeof(*seen)), ok = path && seen;
    for (size_t k = 0; ok && k < BIG_N; k++) {
        int64_t id = out[k].id;
        int d = out[k].depth;
        ok = id >= 0 && id < BIG_N && !seen[id] && d >= 0 && (k > 0 || d == 0);
        ok = ok && (k == 0 || d <= out[k - 1].depth + 1);
        ok = ok && (d == 0 ? b->parent[id] == -1 : path[d - 1] == b->parent[id]);
        if (ok) {
            seen[id] = true;
            path[d] = id;
            *roots += d == 0;
            *max_depth = d > *max_depth ? d : *max_depth;
        }
    }
    free(path);
    free(seen);
    return ok;
}

TM_TEST(thread_100k_messages)
{
    struct big *b = malloc(sizeof(*b));
    TM_CHECK(b);
    big_fill(b);
    struct tm_thread_out *out = NULL;
    struct tm_error err;
    enum tm_status st = tm_thread_compute(b->msgs, BIG_N, &out, &err);
    int roots = 0, max_depth = 0;
    bool ok = st == TM_OK && big_consistent(b, out, &roots, &max_depth);
    size_t deepest_tree = 0;
    for (size_t k = 0; ok && k < BIG_N; k++)
        deepest_tree = strlen(out[k].tree) > deepest_tree ? strlen(out[k].tree) : deepest_tree;
    tm_thread_out_free(out, BIG_N);
    free(b);
    TM_CHECK_INT(st, TM_OK);
    TM_CHECK(ok);
    TM_CHECK_INT(roots, BIG_FAN / BIG_GROUP + 1);
    TM_CHECK_INT(max_depth, BIG_N - BIG_FAN - 1);
    /* Prefixes are capped: 63 columns of at most 4 bytes and one 7-byte arrow. */
    TM_CHECK(deepest_tree <= TM_THREAD_TREE_MAX_COLUMNS * 4 + 7);
}
