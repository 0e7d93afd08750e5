/* thread.c - JWZ message threading (https://www.jwz.org/doc/threading.html), built one message
 * at a time, and mutt-style tree prefixes. Message-ID, In-Reply-To and References as in RFC 5322
 * section 3.6.4. */
#include "thread.h"
#include "thread_subject.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tmail/array.h"
#include "tmail/i18n.h"

#define THREAD_NONE SIZE_MAX

/* A hint to fetch a cache line about to be written; nothing where the compiler has no such
 * builtin. */
#if defined(__GNUC__) || defined(__clang__)
#define THREAD_PREFETCH(p) __builtin_prefetch((p), 1)
#else
#define THREAD_PREFETCH(p) ((void)(p))
#endif

/* JWZ's container: one per Message-ID seen (message or only referenced), plus one per message
 * without an id or with a duplicate id. Links are parent indices. Links are only ever added, and
 * only to a box without a parent, so a union-find over the boxes tells in near O(1) whether two
 * boxes share a tree: that is the loop check. (thread_relink may drop them all and start over.) */
struct thread_box {
    const char *key; /* borrowed id bytes; NULL for a box outside the table */
    size_t key_len;
    size_t parent; /* THREAD_NONE at the top */
    size_t set;    /* union-find: the next box towards this tree's representative */
    size_t set_rank;
    size_t msg; /* the message in it, by add position; THREAD_NONE for a dummy (referenced only) */
};

/* What is kept of one added message: all that the later steps need of its headers. */
struct thread_entry {
    size_t own;                 /* the box it lives in */
    size_t chain_at, chain_end; /* its ancestors' boxes, oldest first: chain[chain_at..chain_end) */
    /* Its subject reduced for grouping (thread_reduce): only roots are grouped, so this is done
     * when it is added naming no parent, a likely root, and else only if it ends as a root. */
    const char *base; /* borrowed: its subject's base, or while !reduced the whole subject */
    size_t base_len;
    uint64_t base_hash; /* thread_base_hash of base */
    bool reply;         /* a reply prefix was stripped from the subject */
    bool reduced;
};

/* A message that found its id claimed by an earlier add, and the box of that id. */
struct thread_dup {
    size_t msg, box;
};

/* A slot of the id table: a box (THREAD_NONE: empty) and its key's hash, so that probing
 * visits no box whose hash differs, and growing visits no box at all. */
struct thread_slot {
    uint64_t hash;
    size_t box;
};

struct thread_key {
    int64_t date, id;
    size_t msg;
};

/* A message of the display order with its store id, so that writing the rows reads no message
 * (they would be read in tree order, all over memory). */
struct thread_kid {
    size_t msg;
    int64_t id;
};

struct tm_thread_incr {
    struct thread_box *box;
    size_t n_box, cap_box;
    struct thread_slot *slot; /* open addressing, linear probing */
    size_t cap_slot, n_keyed;
    size_t expect; /* messages the caller expects: the first sizes */
    struct thread_entry *entry;
    size_t n, cap_entry;
    size_t *chain; /* the boxes of each message's ancestor ids, as its add found them */
    size_t n_chain, cap_chain;
    struct thread_dup *dup;
    size_t n_dup, cap_dup;
    bool refused;          /* an add did not link a message to its parent: a loop */
    enum tm_status failed; /* an add failed: the context is only good for freeing */
    /* From finish on. */
    const struct tm_thread_msg *msgs; /* msgs[i] is the message added i-th, with its final date */
    struct thread_key *sorted;        /* by date, id, add position; NULL: msgs are in that order */
    const struct thread_key *link;    /* the order of the link passes; NULL: the add order */
    size_t *mparent; /* after pruning: parent message index per message, or THREAD_NONE */
    size_t *first;   /* children of message m: kids[first[m]..first[m + 1]), in display order */
    struct thread_kid *kids;
    struct thread_kid *roots; /* in display order */
    size_t n_roots;
};

/* Iterates the ids in a header value: the <...> parts when it has any, else the words. */
struct thread_ids {
    const char *p;
    bool angle;
};

static void thread_ids_init(struct thread_ids *it, const char *s)
{
    it->p = s ? s : "";
    it->angle = strchr(it->p, '<') != NULL;
}

/* What separates ids, besides the NUL that ends them all. */
#define THREAD_SEPS " \t\r\n,<>"

/* Sets id/len to the next non-empty id; false at the end. Always advances, so always ends. */
static bool thread_ids_next(struct thread_ids *it, const char **id, size_t *len)
{
    for (;;) {
        const char *s = it->p;
        if (it->angle) {
            while (*s != '<' && *s) /* usually a byte or two away: no call */
                s++;
            if (!*s++)
                return false;
        } else {
            s += strspn(s, THREAD_SEPS);
            if (!*s)
                return false;
        }
        const char *e = s + strcspn(s, THREAD_SEPS);
        it->p = *e == '>' ? e + 1 : e;
        if (e > s) {
            *id = s;
            *len = (size_t)(e - s);
            return true;
        }
    }
}

/* The first id in s; false when there is none. */
static bool thread_first_id(const char *s, const char **id, size_t *len)
{
    struct thread_ids it;
    thread_ids_init(&it, s);
    return thread_ids_next(&it, id, len);
}

static bool thread_same_id(const char *a, size_t alen, const char *b, size_t blen)
{
    return a && b && alen == blen && memcmp(a, b, alen) == 0;
}

/* Hashes an id 8 bytes at a time: FNV-1a's multiply per byte was most of the cost of a look-up.
 * The value only places a key in the table; no order depends on it. */
static uint64_t thread_hash(const char *s, size_t len)
{
    uint64_t h = len * 0x9e3779b97f4a7c15ULL, w = 0;
    const char *end = s + len;
    for (; end - s > 8; s += 8) {
        memcpy(&w, s, 8);
        h = thread_mix(h ^ w);
    }
    if (len >= 8)
        memcpy(&w, end - 8, 8); /* the last 8 bytes, overlapping the previous word */
    else
        memcpy(&w, s, len);
    return thread_mix(thread_mix(h ^ w));
}

/* The slot holding key, or the empty slot where it belongs. The table is never full. */
static size_t thread_slot(const struct tm_thread_incr *t, const char *key, size_t len, uint64_t h)
{
    size_t mask = t->cap_slot - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        size_t b = t->slot[i].box;
        if (b == THREAD_NONE)
            return i;
        if (t->slot[i].hash == h && thread_same_id(t->box[b].key, t->box[b].key_len, key, len))
            return i;
    }
}

static enum tm_status thread_grow_table(struct tm_thread_incr *t)
{
    /* The first size holds every expected id at half load, so a big mailbox is not rehashed
     * again and again on the way up. */
    size_t cap = 1024;
    while (!t->cap_slot && cap < t->expect * 2)
        cap *= 2;
    if (t->cap_slot)
        cap = t->cap_slot * 2;
    struct thread_slot *slot = malloc(cap * sizeof(*slot));
    if (!slot)
        return TM_ENOMEM;
    memset(slot, 0xff, cap * sizeof(*slot)); /* every box THREAD_NONE */
    for (size_t k = 0; k < t->cap_slot; k++) {
        if (t->slot[k].box == THREAD_NONE)
            continue;
        size_t i = (size_t)t->slot[k].hash & (cap - 1);
        while (slot[i].box != THREAD_NONE) /* the keys differ: the first free slot */
            i = (i + 1) & (cap - 1);
        slot[i] = t->slot[k];
    }
    free(t->slot);
    t->slot = slot;
    t->cap_slot = cap;
    return TM_OK;
}

/* Appends a parentless box for msg (THREAD_NONE: a dummy) keyed by key (NULL: unkeyed). */
static enum tm_status thread_add_box(struct tm_thread_incr *t, const char *key, size_t len,
                                     size_t msg, size_t *out)
{
    if (TM_ARRAY_RESERVE(t->box, t->n_box, t->cap_box, t->expect + t->expect / 4 + 16))
        return TM_ENOMEM;
    t->box[t->n_box] = (struct thread_box){.key = key,
                                           .key_len = len,
                                           .parent = THREAD_NONE,
                                           .set = t->n_box,
                                           .set_rank = 0,
                                           .msg = msg};
    *out = t->n_box++;
    return TM_OK;
}

/* Finds the box keyed by id (h: its thread_hash), creating a dummy for it when absent. *found
 * tells which. */
static enum tm_status thread_lookup(struct tm_thread_incr *t, const char *id, size_t len,
                                    uint64_t h, size_t *out, bool *found)
{
    enum tm_status st;
    if ((t->n_keyed + 1) * 2 > t->cap_slot) {
        st = thread_grow_table(t);
        if (st)
            return st;
    }
    size_t i = thread_slot(t, id, len, h);
    *found = t->slot[i].box != THREAD_NONE;
    if (*found) {
        *out = t->slot[i].box;
        return TM_OK;
    }
    st = thread_add_box(t, id, len, THREAD_NONE, out);
    if (st)
        return st;
    t->slot[i] = (struct thread_slot){h, *out};
    t->n_keyed++;
    return TM_OK;
}

/* Step 1A for the message added i-th, whose own id is id (NULL: none; h: its thread_hash): the
 * first holder of an id owns its box, which a reference may have made already (a dummy, claimed
 * by no message). A message without an id, or with one already claimed, gets an unkeyed box of
 * its own so it is never merged away; a duplicate is remembered, since finish may thread in
 * another order, where it comes first. */
static enum tm_status thread_claim(struct tm_thread_incr *t, const char *id, size_t len, uint64_t h,
                                   size_t i)
{
    size_t b = THREAD_NONE;
    bool found;
    enum tm_status st;
    if (id) {
        if ((st = thread_lookup(t, id, len, h, &b, &found)))
            return st;
        if (t->box[b].msg != THREAD_NONE) {
            if (TM_ARRAY_RESERVE(t->dup, t->n_dup, t->cap_dup, 64))
                return TM_ENOMEM;
            t->dup[t->n_dup++] = (struct thread_dup){i, b};
            b = THREAD_NONE;
        }
    }
    if (b == THREAD_NONE && (st = thread_add_box(t, NULL, 0, i, &b)))
        return st;
    t->box[b].msg = i;
    t->entry[i].own = b;
    return TM_OK;
}

/* The representative of b's tree, halving the path on the way. */
static size_t thread_set_find(struct tm_thread_incr *t, size_t b)
{
    while (t->box[b].set != b) {
        t->box[b].set = t->box[t->box[b].set].set;
        b = t->box[b].set;
    }
    return b;
}

/* True when hanging child (a box without a parent, so the top of its tree) under parent would
 * close a loop: exactly when parent already is in child's tree. */
static bool thread_would_loop(struct tm_thread_incr *t, size_t child, size_t parent)
{
    return thread_set_find(t, child) == thread_set_find(t, parent);
}

/* Hangs child, which has no parent, under parent and merges their trees' sets by rank. */
static void thread_set_parent(struct tm_thread_incr *t, size_t child, size_t parent)
{
    size_t a = thread_set_find(t, child), b = thread_set_find(t, parent);
    t->box[child].parent = parent;
    if (t->box[a].set_rank < t->box[b].set_rank) {
        t->box[a].set = b;
    } else {
        t->box[b].set = a;
        t->box[a].set_rank += t->box[a].set_rank == t->box[b].set_rank;
    }
}

/* Joins prev -> cur as JWZ step 1B does: only when cur has no parent yet and no loop results. */
static void thread_link_weak(struct tm_thread_incr *t, size_t prev, size_t cur)
{
    if (prev != THREAD_NONE && t->box[cur].parent == THREAD_NONE &&
        !thread_would_loop(t, cur, prev))
        thread_set_parent(t, cur, prev);
}

/* Records box b as the next ancestor of the message being added. */
static enum tm_status thread_chain_add(struct tm_thread_incr *t, size_t b)
{
    if (TM_ARRAY_RESERVE(t->chain, t->n_chain, t->cap_chain, t->expect * 2 + 16))
        return TM_ENOMEM;
    t->chain[t->n_chain++] = b;
    return TM_OK;
}

/* Walks the ids m names as its ancestors, oldest first: References without self (m's own id,
 * or NULL), then In-Reply-To when References does not hold it (so an In-Reply-To naming the
 * direct parent beats a truncated References), and records their boxes in the chain. The final
 * one is the message's parent. */
static enum tm_status thread_walk_refs(struct tm_thread_incr *t, const struct tm_thread_msg *m,
                                       const char *self, size_t self_len)
{
    const char *irt = NULL, *id;
    size_t irt_len = 0, len, b;
    bool irt_seen = false, found;
    struct thread_ids it;
    enum tm_status st;

    if (!thread_first_id(m->in_reply_to, &irt, &irt_len))
        irt = NULL;
    thread_ids_init(&it, m->references);
    while (thread_ids_next(&it, &id, &len)) {
        if (thread_same_id(id, len, self, self_len))
            continue;
        irt_seen = irt_seen || thread_same_id(id, len, irt, irt_len);
        if ((st = thread_lookup(t, id, len, thread_hash(id, len), &b, &found)) ||
            (st = thread_chain_add(t, b)))
            return st;
    }
    if (!irt || irt_seen || thread_same_id(irt, irt_len, self, self_len))
        return TM_OK;
    if ((st = thread_lookup(t, irt, irt_len, thread_hash(irt, irt_len), &b, &found)) ||
        (st = thread_chain_add(t, b)))
        return st;
    return TM_OK;
}

/* Step 1B for message i: hangs its box under its parent's, the last of its chain, unless that
 * closes a loop. A message's own headers are the authority on its parent (JWZ lets them replace
 * an earlier guess), so these links are all made before any link between ancestors: then no
 * link is ever replaced. Which link of a loop is dropped depends on the order of the messages. */
static void thread_link_own(struct tm_thread_incr *t, size_t i)
{
    const struct thread_entry *e = &t->entry[i];
    if (e->chain_end == e->chain_at)
        return;
    size_t parent = t->chain[e->chain_end - 1];
    if (thread_would_loop(t, e->own, parent))
        t->refused = true;
    else
        thread_set_parent(t, e->own, parent);
}

/* Date, then store id, then input position: the order of siblings and of threads. */
static int thread_cmp_keys(int64_t da, int64_t ia, size_t ma, int64_t db, int64_t ib, size_t mb)
{
    if (da != db)
        return da < db ? -1 : 1;
    if (ia != ib)
        return ia < ib ? -1 : 1;
    return ma < mb ? -1 : ma > mb;
}

static bool thread_before(const struct tm_thread_msg *msgs, size_t a, size_t b)
{
    return thread_cmp_keys(msgs[a].date, msgs[a].id, a, msgs[b].date, msgs[b].id, b) < 0;
}

/* Message i's subject reduced for grouping, from e (its entry). */
static void thread_reduce(const struct thread_entry *e, size_t i, struct thread_subj *out)
{
    if (e->reduced) {
        *out = (struct thread_subj){e->base, e->base_len, e->base_hash, e->reply, i};
        return;
    }
    thread_base_subject(e->base, out);
    out->hash = thread_base_hash(out);
    out->msg = i;
}

/* Reduces the subject of e (message i's entry) in place. */
static void thread_entry_reduce(struct thread_entry *e, size_t i)
{
    struct thread_subj s;
    thread_reduce(e, i, &s);
    e->base = s.base;
    e->base_len = s.len;
    e->base_hash = s.hash;
    e->reply = s.reply;
    e->reduced = true;
}

struct tm_thread_incr *tm_thread_incr_new(size_t expect)
{
    struct tm_thread_incr *t = calloc(1, sizeof(*t));
    if (t)
        t->expect = expect;
    return t;
}

/* Steps 1A-1B for one message, and what later steps need of its subject. */
static enum tm_status thread_add(struct tm_thread_incr *t, const struct tm_thread_msg *m)
{
    if (t->n >= INT_MAX)
        return TM_ELIMIT;
    if (TM_ARRAY_RESERVE(t->entry, t->n, t->cap_entry, t->expect + 16))
        return TM_ENOMEM;
    size_t i = t->n, self_len = 0;
    const char *self = NULL; /* the message's own id: NULL when it has none */
    uint64_t self_hash = 0;
    if (thread_first_id(m->message_id, &self, &self_len)) {
        self_hash = thread_hash(self, self_len);
        if (t->cap_slot)
            THREAD_PREFETCH(&t->slot[self_hash & (t->cap_slot - 1)]);
    }
    /* The references skip the message's own id, so they may be walked before it is claimed:
     * meanwhile its slot, a new one and rarely cached, is fetched. */
    t->entry[i].chain_at = t->n_chain;
    enum tm_status st = thread_walk_refs(t, m, self, self_len);
    if (!st)
        st = thread_claim(t, self, self_len, self_hash, i);
    if (st)
        return st;
    struct thread_entry *e = &t->entry[i];
    e->chain_end = t->n_chain;
    thread_link_own(t, i);
    e->base = m->subject;
    e->reduced = false;
    if (e->chain_end == e->chain_at) /* it names no parent */
        thread_entry_reduce(e, i);
    t->n++;
    return TM_OK;
}

enum tm_status tm_thread_incr_add(struct tm_thread_incr *t, const struct tm_thread_msg *m)
{
    if (!t->failed)
        t->failed = thread_add(t, m);
    return t->failed;
}

static int thread_key_qcmp(const void *a, const void *b)
{
    const struct thread_key *x = a, *y = b;
    return thread_cmp_keys(x->date, x->id, x->msg, y->date, y->id, y->msg);
}

/* The display order of all messages: by date, then id, then add position; t->sorted stays NULL
 * when they were added in that order (the usual input). */
static enum tm_status thread_sort(struct tm_thread_incr *t)
{
    size_t i = 1;
    while (i < t->n && thread_before(t->msgs, i - 1, i))
        i++;
    if (i >= t->n)
        return TM_OK; /* in order: no keys to write */
    struct thread_key *keys = malloc(t->n * sizeof(*keys));
    if (!keys)
        return TM_ENOMEM;
    for (i = 0; i < t->n; i++)
        keys[i] = (struct thread_key){t->msgs[i].date, t->msgs[i].id, i};
    qsort(keys, t->n, sizeof(*keys), thread_key_qcmp);
    t->sorted = keys;
    return TM_OK;
}

/* The k-th message of the link passes. */
static size_t thread_link_at(const struct tm_thread_incr *t, size_t k)
{
    return t->link ? t->link[k].msg : k;
}

/* When the link order is not the add order (a load adds by id, threads by date), step 1 must
 * come out as if made in the link order: a duplicate id belongs to its first holder in that
 * order, and which link of a loop is dropped depends on the order. Only duplicates and loops
 * make a difference; then the own-parent links are made again, in the link order. */
static void thread_relink(struct tm_thread_incr *t)
{
    bool moved = false;
    for (size_t k = 0; k < t->n_dup; k++) {
        size_t d = t->dup[k].msg, b = t->dup[k].box, h = t->box[b].msg;
        if (!thread_before(t->msgs, d, h))
            continue;
        size_t u = t->entry[d].own; /* d's unkeyed box goes to h */
        t->box[b].msg = d;
        t->entry[d].own = b;
        t->box[u].msg = h;
        t->entry[h].own = u;
        moved = true;
    }
    if (!moved && !t->refused)
        return; /* no loop and no owner changed: every link holds in any order */
    for (size_t b = 0; b < t->n_box; b++) {
        t->box[b].parent = THREAD_NONE;
        t->box[b].set = b;
        t->box[b].set_rank = 0;
    }
    for (size_t k = 0; k < t->n; k++)
        thread_link_own(t, thread_link_at(t, k));
}

/* Step 1C, after all messages: the References chains fill in the links between ancestors, and
 * the parents of messages that name none, each message in the link order. */
static void thread_link_chains(struct tm_thread_incr *t)
{
    for (size_t k = 0; k < t->n; k++) {
        const struct thread_entry *e = &t->entry[thread_link_at(t, k)];
        size_t prev = THREAD_NONE;
        for (size_t c = e->chain_at; c < e->chain_end; c++) {
            thread_link_weak(t, prev, t->chain[c]);
            prev = t->chain[c];
        }
    }
    /* Done with: freed before the later steps allocate (it keeps the peak memory of threading a
     * big mailbox down). */
    free(t->chain);
    free(t->dup);
    t->chain = NULL;
    t->dup = NULL;
}

/* Where a child of box b hangs once dummies are gone: the nearest real box at or above b, or the
 * topmost dummy when there is none. Memoised in res for dummies, so all calls take O(boxes). */
static size_t thread_resolve(const struct tm_thread_incr *t, size_t *res, size_t b)
{
    const struct thread_box *box = t->box;
    size_t top = b;
    while (box[top].msg == THREAD_NONE && res[top] == THREAD_NONE && box[top].parent != THREAD_NONE)
        top = box[top].parent;
    size_t r = top;
    if (box[top].msg == THREAD_NONE && res[top] != THREAD_NONE)
        r = res[top];
    for (size_t x = b; x != top; x = box[x].parent)
        res[x] = r;
    if (box[top].msg == THREAD_NONE)
        res[top] = r;
    return r;
}

/* The dummy a message hangs from after pruning, or THREAD_NONE when it hangs from a real box
 * (its message parent then goes to *mparent) or from nothing. */
static size_t thread_dummy_of(const struct tm_thread_incr *t, size_t *res, size_t i,
                              size_t *mparent)
{
    size_t p = t->box[t->entry[i].own].parent;
    *mparent = THREAD_NONE;
    if (p == THREAD_NONE)
        return THREAD_NONE;
    size_t r = thread_resolve(t, res, p);
    if (t->box[r].msg == THREAD_NONE)
        return r;
    *mparent = t->box[r].msg;
    return THREAD_NONE;
}

/* Steps 2-4: roots and pruning. Dummies vanish and their children move up to the nearest real
 * ancestor (JWZ's promotion, applied all the way up). The children left under a top-level dummy
 * (siblings whose common parent is missing) show as one thread: the earliest of them becomes the
 * root and the others its children; a single one simply becomes a root. */
static enum tm_status thread_prune(struct tm_thread_incr *t)
{
    size_t *res = malloc(t->n_box * sizeof(*res));
    size_t *best = malloc(t->n_box * sizeof(*best));
    if (!res || !best) {
        free(res);
        free(best);
        return TM_ENOMEM;
    }
    memset(res, 0xff, t->n_box * sizeof(*res));
    memset(best, 0xff, t->n_box * sizeof(*best));
    for (size_t i = 0; i < t->n; i++) {
        size_t d = thread_dummy_of(t, res, i, &t->mparent[i]);
        if (d != THREAD_NONE && (best[d] == THREAD_NONE || thread_before(t->msgs, i, best[d])))
            best[d] = i;
    }
    for (size_t i = 0; i < t->n; i++) {
        size_t d = thread_dummy_of(t, res, i, &t->mparent[i]);
        if (d != THREAD_NONE && best[d] != i)
            t->mparent[i] = best[d];
    }
    free(res);
    free(best);
    return TM_OK;
}

/* The roots of one base subject, in display order: indices into the roots' subjects, a list
 * linked by next. */
struct thread_group {
    size_t head, tail; /* THREAD_NONE: an empty slot of the table of groups */
};

/* One group of roots with the same base subject (head, then next[head], ...). A reply hangs
 * under the latest non-reply root not later than it (else the earliest non-reply); with no
 * non-reply root, replies hang under the earliest reply. Two non-reply roots stay apart: two
 * "Hello" mails are not a thread. */
static void thread_merge_group(struct tm_thread_incr *t, const struct thread_subj *s,
                               const size_t *next, size_t head)
{
    size_t first_plain = THREAD_NONE, last_plain = THREAD_NONE;
    for (size_t k = head; k != THREAD_NONE && first_plain == THREAD_NONE; k = next[k]) {
        if (!s[k].reply)
            first_plain = s[k].msg;
    }
    for (size_t k = head; k != THREAD_NONE; k = next[k]) {
        if (!s[k].reply) {
            last_plain = s[k].msg;
            continue;
        }
        size_t to = last_plain != THREAD_NONE ? last_plain : first_plain;
        if (to == THREAD_NONE)
            to = s[head].msg;
        if (to != s[k].msg)
            t->mparent[s[k].msg] = to;
    }
}

/* The roots with a base subject, in display order (by date, then id, then add position), into
 * s; returns how many. */
static size_t thread_roots(const struct tm_thread_incr *t, struct thread_subj *s)
{
    size_t nr = 0;
    for (size_t k = 0; k < t->n; k++) {
        size_t i = t->sorted ? t->sorted[k].msg : k;
        if (t->mparent[i] != THREAD_NONE)
            continue;
        thread_reduce(&t->entry[i], i, &s[nr]);
        nr += s[nr].len > 0;
    }
    return nr;
}

/* Deals the roots s[0..nr) into groups of equal base subjects: g is a table of cap slots (a
 * power of two, at least 2 nr: never full), open addressing; next links each group's list. Each
 * list keeps the order of s. */
static void thread_deal(const struct thread_subj *s, size_t nr, struct thread_group *g, size_t cap,
                        size_t *next)
{
    for (size_t r = 0; r < nr; r++) {
        size_t i = (size_t)s[r].hash & (cap - 1);
        for (; g[i].head != THREAD_NONE; i = (i + 1) & (cap - 1)) {
            const struct thread_subj *x = &s[g[i].head];
            if (x->hash == s[r].hash && thread_same_base(x, &s[r]))
                break;
        }
        next[r] = THREAD_NONE;
        if (g[i].head == THREAD_NONE)
            g[i].head = r;
        else
            next[g[i].tail] = r;
        g[i].tail = r;
    }
}

/* Step 5: groups roots by base subject. Only roots move, and only under roots that stay roots,
 * so no loop can form. The roots are dealt into groups in display order, so each group is in
 * date order without a sort; the groups are independent, so their order does not matter. */
static enum tm_status thread_group_subjects(struct tm_thread_incr *t)
{
    struct thread_subj *s = malloc(t->n * sizeof(*s));
    size_t *next = malloc(t->n * sizeof(*next)), nr = 0, cap = 16;
    struct thread_group *g = NULL;
    enum tm_status st = TM_ENOMEM;
    if (!s || !next)
        goto out;
    nr = thread_roots(t, s);
    while (cap < nr * 2)
        cap *= 2;
    if (!(g = malloc(cap * sizeof(*g))))
        goto out;
    memset(g, 0xff, cap * sizeof(*g)); /* every head THREAD_NONE */
    thread_deal(s, nr, g, cap, next);
    for (size_t i = 0; i < cap; i++) {
        if (g[i].head != g[i].tail) /* one root alone stays as it is */
            thread_merge_group(t, s, next, g[i].head);
    }
    st = TM_OK;
out:
    free(s);
    free(next);
    free(g);
    return st;
}

/* Step 6: the children lists and the root list, each by date then id. The one sort of all
 * messages (thread_sort) and a counting pass put every list in order at once. */
static enum tm_status thread_order(struct tm_thread_incr *t)
{
    size_t *fill = malloc(t->n * sizeof(*fill));
    t->first = calloc(t->n + 1, sizeof(*t->first));
    t->kids = malloc(t->n * sizeof(*t->kids));
    t->roots = malloc(t->n * sizeof(*t->roots));
    if (!fill || !t->first || !t->kids || !t->roots) {
        free(fill);
        return TM_ENOMEM;
    }
    for (size_t i = 0; i < t->n; i++) {
        if (t->mparent[i] != THREAD_NONE)
            t->first[t->mparent[i] + 1]++;
    }
    for (size_t i = 0; i < t->n; i++) {
        t->first[i + 1] += t->first[i];
        fill[i] = t->first[i];
    }
    for (size_t k = 0; k < t->n; k++) {
        size_t m = t->sorted ? t->sorted[k].msg : k, p = t->mparent[m];
        struct thread_kid kid = {m, t->sorted ? t->sorted[k].id : t->msgs[k].id};
        if (p == THREAD_NONE)
            t->roots[t->n_roots++] = kid;
        else
            t->kids[fill[p]++] = kid;
    }
    free(fill);
    return TM_OK;
}

#define THREAD_BAR    "│ "
#define THREAD_GAP    "  "
#define THREAD_TEE    "├─>"
#define THREAD_END    "└─>"
#define THREAD_LEN(s) (sizeof(s) - 1)

/* The tree prefixes of one result, NUL-terminated one after another in one block; offset 0
 * holds the "" of every root. */
struct thread_text {
    char *p;
    size_t len, cap;
};

/* Appends the prefix of a message at depth whose ancestor at level l has a later sibling when
 * has_later[l]; last tells whether the message itself is the last of its siblings. *at gets
 * its offset. */
static enum tm_status thread_tree(struct thread_text *x, const bool *has_later, size_t depth,
                                  bool last, size_t *at)
{
    *at = 0;
    if (depth == 0)
        return TM_OK;
    size_t from = depth > TM_THREAD_TREE_MAX_COLUMNS ? depth - TM_THREAD_TREE_MAX_COLUMNS : 1;
    size_t most = (depth - from) * THREAD_LEN(THREAD_BAR) + THREAD_LEN(THREAD_TEE) + 1;
    if (x->len + most > x->cap) {
        size_t cap = x->cap * 2 + most;
        char *p = realloc(x->p, cap);
        if (!p)
            return TM_ENOMEM;
        x->p = p;
        x->cap = cap;
    }
    char *p = x->p + x->len;
    for (size_t l = from; l < depth; l++) {
        memcpy(p, has_later[l] ? THREAD_BAR : THREAD_GAP,
               has_later[l] ? THREAD_LEN(THREAD_BAR) : THREAD_LEN(THREAD_GAP));
        p += has_later[l] ? THREAD_LEN(THREAD_BAR) : THREAD_LEN(THREAD_GAP);
    }
    memcpy(p, last ? THREAD_END : THREAD_TEE, sizeof(THREAD_TEE)); /* with the NUL */
    *at = x->len;
    x->len = (size_t)(p - x->p) + sizeof(THREAD_TEE);
    return TM_OK;
}

struct thread_frame {
    struct thread_kid kid;
    size_t depth;
    bool last; /* no later sibling */
};

/* Writes the rows depth first, with an explicit stack: a thread may be 100,000 deep. The
 * prefixes go to one block, which rows[n] keeps for tm_thread_out_free. */
static enum tm_status thread_emit(const struct tm_thread_incr *t, struct tm_thread_out *rows)
{
    struct thread_frame *stack = malloc(t->n * sizeof(*stack));
    bool *has_later = calloc(t->n + 1, sizeof(*has_later));
    size_t *at = malloc(t->n * sizeof(*at));
    struct thread_text x = {malloc(4096), 1, 4096};
    size_t top = 0, k = 0;
    enum tm_status st = TM_ENOMEM;
    if (!stack || !has_later || !at || !x.p)
        goto out;
    x.p[0] = '\0';
    for (size_t r = 0; r < t->n_roots; r++) { /* a thread at a time: the stack stays short */
        stack[top++] = (struct thread_frame){t->roots[r], 0, true};
        while (top) {
            struct thread_frame f = stack[--top];
            rows[k].id = f.kid.id;
            rows[k].depth = (int)f.depth;
            if (thread_tree(&x, has_later, f.depth, f.last, &at[k++]))
                goto out;
            has_later[f.depth] = !f.last;
            size_t a = t->first[f.kid.msg], b = t->first[f.kid.msg + 1];
            for (size_t j = b; j-- > a;)
                stack[top++] = (struct thread_frame){t->kids[j], f.depth + 1, j == b - 1};
        }
    }
    /* Unreachable while the links form a forest; a guard rather than rows left unset. */
    st = k == t->n ? TM_OK : TM_EPARSE;
    for (size_t r = 0; !st && r < t->n; r++)
        rows[r].tree = x.p + at[r];
    if (!st) {
        rows[t->n].tree = x.p;
        x.p = NULL;
    }
out:
    free(stack);
    free(has_later);
    free(at);
    free(x.p);
    return st;
}

/* Steps 1C-6 over the added messages (and 1B again when the link order needs it), then the
 * rows. */
static enum tm_status thread_finish(struct tm_thread_incr *t, bool by_date,
                                    struct tm_thread_out *rows)
{
    free(t->slot); /* ids are not looked up any more */
    t->slot = NULL;
    enum tm_status st = thread_sort(t);
    if (st)
        return st;
    t->link = by_date ? t->sorted : NULL;
    if (t->link)
        thread_relink(t);
    thread_link_chains(t);
    if (!(t->mparent = malloc(t->n * sizeof(*t->mparent))))
        return TM_ENOMEM;
    if ((st = thread_prune(t)) || (st = thread_group_subjects(t)) || (st = thread_order(t)))
        return st;
    return thread_emit(t, rows);
}

enum tm_status tm_thread_incr_finish(struct tm_thread_incr **pp, const struct tm_thread_msg *msgs,
                                     size_t n, bool by_date, struct tm_thread_out **out,
                                     struct tm_error *err)
{
    struct tm_thread_incr *t = *pp;
    struct tm_thread_out *rows = NULL;
    enum tm_status st = t->failed;

    *out = NULL;
    if (!st && n != t->n)
        st = TM_EPARSE;
    if (!st && n > 0 && !(rows = calloc(n + 1, sizeof(*rows))))
        st = TM_ENOMEM;
    t->msgs = msgs;
    if (!st && n > 0)
        st = thread_finish(t, by_date, rows);
    tm_thread_incr_free(pp);
    if (st) {
        tm_thread_out_free(rows, n);
        if (st == TM_ELIMIT)
            return tm_error_set(err, st, _("too many messages to thread (%zu)"), n);
        if (st == TM_EPARSE)
            return tm_error_set(err, st, _("inconsistent message threads"));
        return tm_error_set(err, st, _("out of memory threading %zu messages"), n);
    }
    *out = rows;
    return TM_OK;
}

void tm_thread_incr_free(struct tm_thread_incr **pp)
{
    struct tm_thread_incr *t = pp ? *pp : NULL;
    if (!t)
        return;
    free(t->box);
    free(t->slot);
    free(t->entry);
    free(t->chain);
    free(t->dup);
    free(t->sorted);
    free(t->mparent);
    free(t->first);
    free(t->kids);
    free(t->roots);
    free(t);
    *pp = NULL;
}

enum tm_status tm_thread_compute(const struct tm_thread_msg *msgs, size_t n,
                                 struct tm_thread_out **out, struct tm_error *err)
{
    *out = NULL;
    if (n == 0)
        return TM_OK;
    if (n > INT_MAX)
        return tm_error_set(err, TM_ELIMIT, _("too many messages to thread (%zu)"), n);
    struct tm_thread_incr *t = tm_thread_incr_new(n);
    if (!t)
        return tm_error_set(err, TM_ENOMEM, _("out of memory threading %zu messages"), n);
    for (size_t i = 0; i < n && !t->failed; i++)
        tm_thread_incr_add(t, &msgs[i]);
    return tm_thread_incr_finish(&t, msgs, n, false, out, err);
}

void tm_thread_out_free(struct tm_thread_out *out, size_t n)
{
    if (!out)
        return;
    free(out[n].tree); /* the block of all prefixes */
    free(out);
}
