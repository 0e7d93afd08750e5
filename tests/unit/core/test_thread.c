/* test_thread.c - JWZ threading: links, pruning, subject grouping, order, tree prefixes, and
 * hostile headers (loops, self-references, duplicates, huge References) at 100,000 messages;
 * random mailboxes against the recorded output of the one-pass threader; the incremental
 * threader against tm_thread_compute. */
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

/* Ids of every length from 1 to 48 bytes (hashed a word at a time, with a short or
 * overlapping last word), each written three ways: the parent's own "<id>", a bare "id" ending
 * a References without brackets, and "id (comment)" in In-Reply-To. Both replies must find the
 * parent whatever bytes follow the id. */
#define LONG_IDS 48

TM_TEST(thread_ids_of_every_length_match_in_any_context)
{
    static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP";
    static char text[LONG_IDS][3][LONG_IDS + 16], subject[LONG_IDS][16];
    static struct tm_thread_msg msgs[3 * LONG_IDS];
    for (int len = 1; len <= LONG_IDS; len++) {
        char(*s)[LONG_IDS + 16] = text[len - 1];
        snprintf(s[0], sizeof(s[0]), "<%.*s>", len, digits);
        snprintf(s[1], sizeof(s[1]), "%.*s\t", len, digits);
        snprintf(s[2], sizeof(s[2]), "%.*s (c)", len, digits);
        snprintf(subject[len - 1], sizeof(subject[len - 1]), "s%d", len);
        struct tm_thread_msg *m = &msgs[3 * (len - 1)];
        m[0] = (struct tm_thread_msg)MSG(3 * len, s[0], NULL, NULL, subject[len - 1], 3 * len);
        m[1] = (struct tm_thread_msg)MSG(3 * len + 1, "", NULL, s[1], subject[len - 1], 3 * len);
        m[2] = (struct tm_thread_msg)MSG(3 * len + 2, NULL, s[2], NULL, subject[len - 1], 3 * len);
    }
    struct tm_thread_out *out = run(msgs, 3 * LONG_IDS);
    TM_CHECK(out);
    char why[96] = "";
    for (int k = 0; k < 3 * LONG_IDS && !why[0]; k++) {
        if (out[k].id != msgs[k].id || out[k].depth != (k % 3 != 0))
            snprintf(why, sizeof(why), "row %d: id %lld depth %d", k, (long long)out[k].id,
                     out[k].depth);
    }
    tm_thread_out_free(out, 3 * LONG_IDS);
    TM_CHECK_STR(why, "");
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

/* ---- random mailboxes: the output must not change (differential against fixed checksums) ---- */

/* splitmix64: a fixed seed gives the same mailbox on every platform. */
static uint64_t gen_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static size_t gen_below(uint64_t *s, size_t n)
{
    return n ? (size_t)(gen_next(s) % n) : 0;
}

static bool gen_chance(uint64_t *s, unsigned percent)
{
    return gen_next(s) % 100 < percent;
}

/* A growing string; on allocation failure p stays NULL and the mailbox is not made. */
struct gen_str {
    char *p;
    size_t len, cap;
    bool oom;
};

static void gen_str_add(struct gen_str *b, const char *s)
{
    size_t len = strlen(s);
    if (b->oom)
        return;
    if (b->len + len + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 64) + len;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, len + 1);
    b->len += len;
}

/* Message-id number k of the mailbox as a header would write it: with or without brackets,
 * sometimes with blanks or a comment around it. */
static void gen_id(struct gen_str *b, uint64_t *s, uint64_t seed, size_t k)
{
    char text[96];
    static const char *const around[][2] = {{"<", ">"},   {"<", ">"}, {"<", ">"},    {"", ""},
                                            {" <", "> "}, {"", " "},  {"<", "> (c)"}};
    size_t a = gen_below(s, sizeof(around) / sizeof(around[0]));
    snprintf(text, sizeof(text), "%sm%zu.%llu@h%s", around[a][0], k, (unsigned long long)(seed % 7),
             around[a][1]);
    gen_str_add(b, text);
}

/* One random mailbox: the messages and the strings they borrow. */
struct gen_box {
    struct tm_thread_msg *msgs;
    size_t n;
    char **strs; /* 3 per message: message-id, in-reply-to, references */
    char *subjects;
};

static void gen_box_free(struct gen_box *g)
{
    for (size_t i = 0; g->strs && i < 3 * g->n; i++)
        free(g->strs[i]);
    free(g->strs);
    free(g->subjects);
    free(g->msgs);
    *g = (struct gen_box){0};
}

#define GEN_SUBJECT 48

/* The subject of message i: one of a few bases, with reply prefixes, list tags, case and
 * blank variants, sometimes none. */
static void gen_subject(char *out, uint64_t *s, size_t n)
{
    static const char *const prefix[] = {
        "",     "",        "",     "Re: ", "RE: ",        "Fwd: ",
        "re:",  "Re: Re:", "Aw: ", "FW: ", "[list] Re: ", "Re[2]: ",
        "Sv: ", " [x] ",   "Re:  "};
    static const char *const word[] = {"plan", "Plan", "PLAN", "plan  ", "lunch", "the  report"};
    size_t topic = gen_below(s, n / 8 + 2);
    if (gen_chance(s, 3)) {
        out[0] = 0;
        return;
    }
    snprintf(out, GEN_SUBJECT, "%s%s %zu", prefix[gen_below(s, sizeof(prefix) / sizeof(*prefix))],
             word[gen_below(s, sizeof(word) / sizeof(*word))], topic);
}

/* Per message while generating: its id number (or none) and its ancestor id numbers. */
struct gen_msg {
    long id;      /* -1: no id */
    size_t *refs; /* id numbers, oldest first */
    size_t n_refs;
};

/* Message i's ancestors: usually a present message's chain plus that message's id (sometimes
 * truncated), or ids no message has; with self-references and stray ids (loops) at times. */
static bool gen_refs(struct gen_msg *gm, size_t i, size_t n, size_t names, uint64_t *s)
{
    size_t cap = 8, *r = malloc(cap * sizeof(*r)), k = 0;
    if (!r)
        return false;
    size_t pick = gen_below(s, 100);
    if (pick < 55 && i > 0) { /* a reply to an earlier message */
        size_t p = i - 1 - gen_below(s, i < 40 ? i : 40);
        if (gen_chance(s, 20))
            p = gen_below(s, i);
        size_t from = gen_chance(s, 15) ? gen_below(s, gm[p].n_refs + 1) : 0;
        for (size_t j = from; j < gm[p].n_refs; j++) {
            if (k + 2 > cap) {
                size_t *nr = realloc(r, (cap *= 2) * sizeof(*r));
                if (!nr) {
                    free(r);
                    return false;
                }
                r = nr;
            }
            r[k++] = gm[p].refs[j];
        }
        if (gm[p].id >= 0)
            r[k++] = (size_t)gm[p].id;
    } else if (pick < 70) { /* ids no message has, or a later message's */
        r[k++] = gen_below(s, names);
        if (gen_chance(s, 40))
            r[k++] = n + gen_below(s, names - n);
    }
    if (gen_chance(s, 4) && k + 1 <= cap && gm[i].id >= 0) /* names itself */
        r[k++] = (size_t)gm[i].id;
    if (gen_chance(s, 5) && k + 1 <= cap) /* a stray id anywhere: loops */
        r[k++] = gen_below(s, names);
    gm[i].refs = r;
    gm[i].n_refs = k;
    return true;
}

/* Writes message i's three header strings; false when out of memory. */
static bool gen_headers(struct gen_box *g, struct gen_msg *gm, size_t i, size_t names, uint64_t *s,
                        uint64_t seed)
{
    struct gen_str mid = {0}, irt = {0}, refs = {0};
    static const char *const sep[] = {" ", " ", "  ", "\t", ",", "\r\n ", ""};
    if (gm[i].id >= 0)
        gen_id(&mid, s, seed, (size_t)gm[i].id);
    else if (gen_chance(s, 50))
        gen_str_add(&mid, gen_chance(s, 50) ? "" : "<>");
    for (size_t j = 0; j < gm[i].n_refs; j++) {
        gen_id(&refs, s, seed, gm[i].refs[j]);
        gen_str_add(&refs, sep[gen_below(s, sizeof(sep) / sizeof(*sep))]);
    }
    size_t pick = gen_below(s, 100);
    if (pick < 35 && gm[i].n_refs) /* the parent, as References ends */
        gen_id(&irt, s, seed, gm[i].refs[gm[i].n_refs - 1]);
    else if (pick < 50) /* an id References lacks */
        gen_id(&irt, s, seed, gen_below(s, names));
    else if (pick < 55)
        gen_str_add(&irt, gen_chance(s, 50) ? "(no id)" : ">");
    if (mid.oom || irt.oom || refs.oom) {
        free(mid.p);
        free(irt.p);
        free(refs.p);
        return false;
    }
    g->strs[3 * i] = mid.p;
    g->strs[3 * i + 1] = irt.p;
    g->strs[3 * i + 2] = refs.p;
    g->msgs[i].message_id = mid.p;
    g->msgs[i].in_reply_to = irt.p;
    g->msgs[i].references = refs.p;
    return true;
}

/* A shuffled copy order, or date-then-id order (the usual input) for half of the seeds. */
static int gen_key_cmp(const void *a, const void *b)
{
    const struct tm_thread_msg *x = a, *y = b;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* Mailbox number seed: 1..2000 messages with ids in and out of brackets, missing and duplicate
 * (unless unique) ids, self-references, loops, absent parents, In-Reply-To beyond References,
 * reply subjects, equal dates (and a few equal store ids). */
static bool gen_box_make(struct gen_box *g, uint64_t seed, bool unique)
{
    uint64_t s = seed * 0x2545f4914f6cdd1dULL + 1;
    size_t n = seed < 12 ? seed + 1 : 1 + gen_below(&s, 2000);
    size_t names = n + n / 3 + 2;
    struct gen_msg *gm = calloc(n, sizeof(*gm));
    *g = (struct gen_box){.n = n};
    g->msgs = calloc(n, sizeof(*g->msgs));
    g->strs = calloc(3 * n, sizeof(*g->strs));
    g->subjects = malloc(n * GEN_SUBJECT);
    bool ok = gm && g->msgs && g->strs && g->subjects;
    for (size_t i = 0; ok && i < n; i++) {
        size_t pick = gen_below(&s, 100);
        gm[i].id = (long)i;
        if (pick < 6)
            gm[i].id = -1;
        else if (pick < 12 && i > 0 && !unique)
            gm[i].id = gm[gen_below(&s, i)].id; /* a duplicate (or none) */
    }
    for (size_t i = 0; ok && i < n; i++) {
        ok = gen_refs(gm, i, n, names, &s) && gen_headers(g, gm, i, names, &s, seed);
        if (!ok)
            break;
        gen_subject(g->subjects + i * GEN_SUBJECT, &s, n);
        g->msgs[i].subject = gen_chance(&s, 2) ? NULL : g->subjects + i * GEN_SUBJECT;
        g->msgs[i].date = (int64_t)gen_below(&s, n / 3 + 2) * 60;
        g->msgs[i].id = gen_chance(&s, 1) ? (int64_t)gen_below(&s, n) : (int64_t)(n + i * 7919 % n);
    }
    for (size_t i = 0; gm && i < n; i++)
        free(gm[i].refs);
    free(gm);
    if (ok && seed % 2 == 0) {
        for (size_t i = n - 1; i > 0; i--) {
            size_t j = gen_below(&s, i + 1);
            struct tm_thread_msg t = g->msgs[i];
            g->msgs[i] = g->msgs[j];
            g->msgs[j] = t;
        }
    } else if (ok) {
        qsort(g->msgs, n, sizeof(*g->msgs), gen_key_cmp);
    }
    if (!ok)
        gen_box_free(g);
    return ok;
}

/* FNV-1a over "id:depth:tree\n" of every row, in order. */
static uint64_t rows_checksum(const struct tm_thread_out *out, size_t n)
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t k = 0; k < n; k++) {
        char row[512];
        int len = snprintf(row, sizeof(row), "%lld:%d:%s\n", (long long)out[k].id, out[k].depth,
                           out[k].tree);
        for (int c = 0; c < len && c < (int)sizeof(row); c++)
            h = (h ^ (unsigned char)row[c]) * 1099511628211ULL;
    }
    return h;
}

/* tm_thread_compute's rows, NULL on failure; ids may repeat (run() would refuse them). */
static struct tm_thread_out *compute(const struct tm_thread_msg *msgs, size_t n)
{
    struct tm_thread_out *out = NULL;
    return tm_thread_compute(msgs, n, &out, NULL) == TM_OK ? out : NULL;
}

#define GEN_SEEDS 160

/* tm_thread_compute's output for mailbox seed, as computed by the one-pass threader before the
 * incremental one replaced it: the rows must stay byte for byte the same. */
static const uint64_t gen_expected[GEN_SEEDS] = {
    0xae55ee43b7f3837aULL, 0xee5d9a8b0a84433bULL, 0xadc8c11100a72d71ULL, 0xe5cea289dd659e12ULL,
    0x69fa789736b933d3ULL, 0xfd740523c04d4020ULL, 0x22a84a61e005694aULL, 0x1a7362382cf954e4ULL,
    0x6b80b401b9a11a79ULL, 0x0a9b7a2f30a6d522ULL, 0xeb0bf851173b6e9cULL, 0xe7c6a268d0ad3dafULL,
    0x67a1e770da6dea92ULL, 0xc6b2a062e518f17aULL, 0x6daf164b802958c7ULL, 0xa707545e30b179c5ULL,
    0x62a70f6bb0b9dc85ULL, 0x710d73f8d1b8159fULL, 0xbd75407eb5bd53fbULL, 0x62852c132a599209ULL,
    0x0928f9a09a79cbfbULL, 0x414540f3133b1746ULL, 0x4f9ed7175f8412d9ULL, 0xe92c281a48d53fbeULL,
    0x19e320af6691dd70ULL, 0x2683536a6b2828b1ULL, 0x04e5de19f35d6670ULL, 0xe5d427dbb4f7eb00ULL,
    0x5eaf9517766560a0ULL, 0x4f04b03dffb8dab8ULL, 0xe530ea007274b718ULL, 0xdb71ba84d142f0a3ULL,
    0x2acfd7166a9ebe96ULL, 0xc9d2d8115d55a105ULL, 0x4f3691b9b0d68fb6ULL, 0x88e7adb43a501e58ULL,
    0xcd0a6059fbd0b8f9ULL, 0xc668a8f5fa57aeadULL, 0x8a68216c367fdd7bULL, 0x83e093bb33f4fa62ULL,
    0x90c700032e91b9aaULL, 0x4e041255f77ec334ULL, 0xa3f5509d65ddf466ULL, 0x11f91d987c8d0e5eULL,
    0x34b62d76b2f5262dULL, 0x0690f5c18d7d4ccdULL, 0x656c69251c6873b1ULL, 0xcf645dd0826d1adeULL,
    0x50ca4d7b8985bf54ULL, 0x55c7c201dfd3d443ULL, 0xa951ff3353a3c12fULL, 0x0bd5a4e179615e49ULL,
    0x0731b03dbb73436bULL, 0xa20891a7a2696a39ULL, 0x30eefcd5e6d98d91ULL, 0x926da4666ba97e84ULL,
    0xc87b93782f766ebdULL, 0x9fe2667902519c0dULL, 0x7ec718aa88a256adULL, 0x4990eb30c05153b1ULL,
    0x07b2eb967421a190ULL, 0x892cc770ac98b95dULL, 0xbd9d279ff8546c7dULL, 0x8762bf8e58bc8ca7ULL,
    0x89c2ccac04c9af39ULL, 0x328816dbbbb1f213ULL, 0xab59ecf0abfdb896ULL, 0x368ee2a312316ac5ULL,
    0x6e3c15cd5b0af807ULL, 0x64d084ac78fc025bULL, 0x1caffdbc4550a987ULL, 0xba4991b73b9f2595ULL,
    0xcda6b50ea62fc13aULL, 0x6f25d7b8f4fcf71bULL, 0xa6cd71ad86e8409dULL, 0xe2c1189edd6d9784ULL,
    0x6f94d0003fa89c3fULL, 0x007f459a854458a5ULL, 0x00a4be58e3941dfdULL, 0x6a33579b7c17dd15ULL,
    0x5b2a1df8a7a4ab66ULL, 0xd325da1afa34e340ULL, 0x297de6542ae4a7adULL, 0xc9efe1d4ff0dd63aULL,
    0xf943877dffc0c8c8ULL, 0xe1b1e5043f8cb149ULL, 0x4a59af9d593ac761ULL, 0xb5f7eb53d8906329ULL,
    0x92b3ba6f190f3deeULL, 0xc552a4e68b9f13c3ULL, 0x62e6b421941b5bd0ULL, 0x8c0114ecca038b49ULL,
    0x61906ea144e83252ULL, 0x0381d5f7ee35599bULL, 0x33cab585933ff2f4ULL, 0xd9693ac46825b530ULL,
    0xccee7271c681bfadULL, 0x0fb5db5a83278cc2ULL, 0x3455b782102753c1ULL, 0x715fbcc7447eb5e7ULL,
    0x8021745f62bc2509ULL, 0x846af735d27b1cc6ULL, 0xf155fe4828e47d3dULL, 0x6751f334fc636b29ULL,
    0xc478409bf4bb8f16ULL, 0x7c0eba63007646a6ULL, 0x1c22009c6f2b1b35ULL, 0xe746e30dffc8ae4bULL,
    0x265d64e6ee53c4b2ULL, 0xf022fb7297930c0cULL, 0xfc21738eaaf54509ULL, 0x2754e59839088072ULL,
    0x32c29976e1c4374dULL, 0xaaae02ec7d73f7a6ULL, 0xfce5a65e4d6d6d6dULL, 0x101f0abe84ca45b4ULL,
    0xb43fa430459239daULL, 0x6283f5aef1d4345fULL, 0x0c2484d1832440acULL, 0xc7d53524d06b15cbULL,
    0x3eef92ec22c38306ULL, 0x7303dc20bf6ef650ULL, 0xbefbdfb1eb74d267ULL, 0x4ceb020d8c71027aULL,
    0xb52e06dfc4a77b6cULL, 0xbd46095509c2db1bULL, 0xc0891982f76437d6ULL, 0x7e7c4e1a77c8602fULL,
    0x72268da795e9fcdaULL, 0x3c1ad0e326100934ULL, 0x60174a6898b51569ULL, 0x9a050fb3ce37c751ULL,
    0x9d7661fe29235300ULL, 0x9debf01f2716038fULL, 0x31b67a196b5e2f6cULL, 0xe1911035037368e9ULL,
    0xbda56bb314ec53f1ULL, 0x7328a5c2976b57e6ULL, 0x25a46e4e73865a47ULL, 0xf60c6f0510c69d04ULL,
    0x11220bc2b48edc28ULL, 0x34aedbe5f7a7c968ULL, 0x4efca5fdb4f6e5e2ULL, 0x0334073961940d6dULL,
    0x669136c98377f795ULL, 0x622228aa56634c87ULL, 0xeb93ecebc1650bb0ULL, 0x474a5aa7014ea835ULL,
    0x4ab6c45e1049ad94ULL, 0xb516626e241e031dULL, 0x90df18c304da8afeULL, 0x3ca287c29130ff61ULL,
    0x32dec163540ed50aULL, 0x1716c0f631a7c54aULL, 0xfd7c588cc9cf2accULL, 0xe408881f5f8cc7bdULL,
    0x837beec5624db5f9ULL, 0x912bb7561d069135ULL, 0x66eb32c9d3e2b01eULL, 0x987726715da30890ULL,
};

TM_TEST(thread_random_mailboxes_match_recorded_output)
{
    const char *print = getenv("TM_THREAD_PRINT_SUMS");
    for (uint64_t seed = 0; seed < GEN_SEEDS; seed++) {
        struct gen_box g;
        TM_CHECK(gen_box_make(&g, seed, false));
        struct tm_thread_out *out = compute(g.msgs, g.n);
        uint64_t sum = out ? rows_checksum(out, g.n) : 0;
        tm_thread_out_free(out, g.n);
        size_t n = g.n;
        gen_box_free(&g);
        if (print) {
            printf("0x%016llxULL, /* %zu */\n", (unsigned long long)sum, n);
            continue;
        }
        char why[96] = "";
        if (sum != gen_expected[seed])
            snprintf(why, sizeof(why), "seed %llu (%zu messages)", (unsigned long long)seed, n);
        TM_CHECK_STR(why, "");
    }
}

/* ---- the incremental threader (tm_thread_incr) against tm_thread_compute ---- */

/* True when both results have the same rows: ids, depths and prefixes. */
static bool same_rows(const struct tm_thread_out *a, const struct tm_thread_out *b, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (a[k].id != b[k].id || a[k].depth != b[k].depth || strcmp(a[k].tree, b[k].tree) != 0)
            return false;
    }
    return true;
}

/* Adds msgs[0..n) in order, each from a copy with a wrong date that is gone after the add (the
 * threader must keep neither), then finishes with the real dates. NULL on failure. */
static struct tm_thread_out *run_incr(const struct tm_thread_msg *msgs, size_t n, bool by_date)
{
    struct tm_thread_incr *t = tm_thread_incr_new(n / 2);
    struct tm_thread_out *out = NULL;
    for (size_t i = 0; t && i < n; i++) {
        struct tm_thread_msg copy = msgs[i];
        copy.date = -(int64_t)i;
        if (tm_thread_incr_add(t, &copy) != TM_OK)
            break;
    }
    if (t && tm_thread_incr_finish(&t, msgs, n, by_date, &out, NULL) != TM_OK)
        out = NULL;
    tm_thread_incr_free(&t);
    return out;
}

struct add_key {
    const struct tm_thread_msg *m;
    size_t at; /* add position */
};

static int add_key_cmp(const void *a, const void *b)
{
    const struct add_key *x = a, *y = b;
    int c = gen_key_cmp(x->m, y->m);
    return c ? c : (x->at > y->at) - (x->at < y->at);
}

/* The rows tm_thread_incr_finish(by_date) must give for msgs added in this order:
 * tm_thread_compute over them sorted by date, id, add position. */
static struct tm_thread_out *run_sorted(const struct tm_thread_msg *msgs, size_t n)
{
    struct add_key *k = malloc(n * sizeof(*k));
    struct tm_thread_msg *sorted = malloc(n * sizeof(*sorted));
    struct tm_thread_out *out = NULL;
    if (k && sorted) {
        for (size_t i = 0; i < n; i++)
            k[i] = (struct add_key){&msgs[i], i};
        qsort(k, n, sizeof(*k), add_key_cmp);
        for (size_t i = 0; i < n; i++)
            sorted[i] = *k[i].m;
        out = compute(sorted, n);
    }
    free(k);
    free(sorted);
    return out;
}

TM_TEST(thread_incremental_in_add_order_matches_recorded_output)
{
    for (uint64_t seed = 0; seed < GEN_SEEDS; seed += 3) {
        struct gen_box g;
        TM_CHECK(gen_box_make(&g, seed, false));
        struct tm_thread_out *out = run_incr(g.msgs, g.n, false);
        uint64_t sum = out ? rows_checksum(out, g.n) : 0;
        tm_thread_out_free(out, g.n);
        size_t n = g.n;
        gen_box_free(&g);
        char why[96] = "";
        if (sum != gen_expected[seed])
            snprintf(why, sizeof(why), "seed %llu (%zu messages)", (unsigned long long)seed, n);
        TM_CHECK_STR(why, "");
    }
}

/* As a load: added in store id order (or shuffled), threaded by date. Replies come before their
 * parents, duplicates before the first by date, and loops close in another order than the
 * link passes take: the claims and the own-parent links must be redone as the date order has
 * them. */
TM_TEST(thread_incremental_by_date_equals_compute_on_date_order)
{
    for (uint64_t seed = 0; seed < GEN_SEEDS; seed++) {
        struct gen_box g; /* half without duplicate ids: then only loops make a difference */
        TM_CHECK(gen_box_make(&g, seed, seed % 2 == 1));
        uint64_t s = seed + 99;
        if (seed % 3 == 0) { /* shuffled */
            for (size_t i = g.n - 1; i > 0; i--) {
                size_t j = gen_below(&s, i + 1);
                struct tm_thread_msg t = g.msgs[i];
                g.msgs[i] = g.msgs[j];
                g.msgs[j] = t;
            }
        } else { /* by store id, dates scattered */
            for (size_t i = 1; i < g.n; i++) {
                struct tm_thread_msg t = g.msgs[i];
                size_t j = i;
                for (; j > 0 && g.msgs[j - 1].id > t.id; j--)
                    g.msgs[j] = g.msgs[j - 1];
                g.msgs[j] = t;
            }
        }
        struct tm_thread_out *got = run_incr(g.msgs, g.n, true);
        struct tm_thread_out *want = run_sorted(g.msgs, g.n);
        bool same = got && want && same_rows(got, want, g.n);
        tm_thread_out_free(got, g.n);
        tm_thread_out_free(want, g.n);
        size_t n = g.n;
        gen_box_free(&g);
        char why[96] = "";
        if (!same)
            snprintf(why, sizeof(why), "seed %llu (%zu messages)", (unsigned long long)seed, n);
        TM_CHECK_STR(why, "");
    }
}

TM_TEST(thread_incremental_messages_after_their_dummies)
{
    /* Added as a load might: replies first (their parents' ids become dummies, then the parents
     * take them over), a second "a" that is the first by date, a loop x <-> y whose link by date
     * order is the other one, and a message named only by In-Reply-To. */
    static const struct tm_thread_msg msgs[] = {
        MSG(1, "<c>", "b", "<a> <b>", "Re: plan", 30), MSG(2, "<b>", NULL, "<a>", "Re: plan", 20),
        MSG(3, "<a>", NULL, NULL, "plan", 10),         MSG(4, "a", NULL, NULL, "plan", 5),
        MSG(5, "<x>", "y", NULL, "loop", 50),          MSG(6, "<y>", NULL, "x", "Re: loop", 40),
        MSG(7, "<d>", "<q>", NULL, "Re: other", 60),   MSG(8, "<q>", NULL, NULL, "other", 70),
    };
    struct tm_thread_out *got = run_incr(msgs, 8, true), *want = run_sorted(msgs, 8);
    TM_CHECK(got && want);
    bool same = same_rows(got, want, 8);
    tm_thread_out_free(want, 8);
    if (!same)
        tm_thread_out_free(got, 8);
    TM_CHECK(same);
    /* by date: the second "a" (4) is the first holder, so b and c hang under it; y (40) links
     * to x first, so x's link to y is the one the loop drops */
    CHECK_ROWS(got, msgs, "4:0:", "2:1:└─>", "1:2:  └─>", "3:0:", "5:0:", "6:1:└─>",
               "8:0:", "7:1:└─>");
    tm_thread_out_free(got, 8);

    got = run_incr(msgs, 8, false); /* in add order: 3 holds "a", x links to y first */
    TM_CHECK(got);
    CHECK_ROWS(got, msgs, "4:0:", "3:0:", "2:1:└─>", "1:2:  └─>", "6:0:", "5:1:└─>",
               "8:0:", "7:1:└─>");
    tm_thread_out_free(got, 8);
}

TM_TEST(thread_incremental_finish_checks_the_count)
{
    static const struct tm_thread_msg msgs[] = {MSG(1, "a", NULL, NULL, "s", 1),
                                                MSG(2, "b", "a", NULL, "Re: s", 2)};
    struct tm_thread_incr *t = tm_thread_incr_new(0);
    struct tm_thread_out *out = NULL;
    struct tm_error err;
    TM_CHECK(t);
    TM_CHECK_INT(tm_thread_incr_add(t, &msgs[0]), TM_OK);
    TM_CHECK_INT(tm_thread_incr_finish(&t, msgs, 2, true, &out, &err), TM_EPARSE);
    TM_CHECK(t == NULL && out == NULL);
    t = tm_thread_incr_new(0); /* nothing added: no rows */
    TM_CHECK(t);
    TM_CHECK_INT(tm_thread_incr_finish(&t, msgs, 0, true, &out, &err), TM_OK);
    TM_CHECK(t == NULL && out == NULL);
    t = tm_thread_incr_new(0); /* freed unfinished */
    TM_CHECK(t);
    TM_CHECK_INT(tm_thread_incr_add(t, &msgs[0]), TM_OK);
    tm_thread_incr_free(&t);
    TM_CHECK(t == NULL);
    tm_thread_incr_free(&t);
}
