/* thread.c - JWZ message threading (https://www.jwz.org/doc/threading.html), built one message
 * at a time, and mutt-style tree prefixes. Message-ID, In-Reply-To and References as in RFC 5322
 * section 3.6.4. */
#include "thread.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tmail/array.h"
#include "tmail/i18n.h"

#define THREAD_NONE SIZE_MAX

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
    const char *base;           /* borrowed: its subject's base (thread_base_subject) */
    size_t base_len;
    uint64_t base_hash; /* thread_base_hash of base */
    bool reply;         /* a reply prefix was stripped from the subject */
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
    size_t *kids;
    size_t *roots; /* in display order */
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

static bool thread_is_sep(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || c == '<' || c == '>';
}

/* Sets id/len to the next non-empty id; false at the end. Always advances, so always ends. */
static bool thread_ids_next(struct thread_ids *it, const char **id, size_t *len)
{
    for (;;) {
        const char *s = it->p;
        if (it->angle) {
            s = strchr(s, '<');
            if (!s)
                return false;
            s++;
        } else {
            while (*s && thread_is_sep(*s))
                s++;
            if (!*s)
                return false;
        }
        const char *e = s;
        while (*e && !thread_is_sep(*e))
            e++;
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

static uint64_t thread_hash(const char *s, size_t len)
{
    uint64_t h = 14695981039346656037ULL; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
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

/* Finds the box keyed by id, creating a dummy for it when absent. *found tells which. */
static enum tm_status thread_lookup(struct tm_thread_incr *t, const char *id, size_t len,
                                    size_t *out, bool *found)
{
    enum tm_status st;
    if ((t->n_keyed + 1) * 2 > t->cap_slot) {
        st = thread_grow_table(t);
        if (st)
            return st;
    }
    uint64_t h = thread_hash(id, len);
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

/* Step 1A for the message added i-th: the first holder of an id owns its box, which a reference
 * may have made already (a dummy, claimed by no message). A message without an id, or with one
 * already claimed, gets an unkeyed box of its own so it is never merged away; a duplicate is
 * remembered, since finish may thread in another order, where it comes first. */
static enum tm_status thread_claim(struct tm_thread_incr *t, const struct tm_thread_msg *m,
                                   size_t i)
{
    const char *id;
    size_t len, b = THREAD_NONE;
    bool found;
    enum tm_status st;
    if (thread_first_id(m->message_id, &id, &len)) {
        if ((st = thread_lookup(t, id, len, &b, &found)))
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

/* Walks the ids m names as its ancestors, oldest first: References without the message's own
 * id, then In-Reply-To when References does not hold it (so an In-Reply-To naming the direct
 * parent beats a truncated References), and records their boxes in the chain. The final one is
 * the message's parent. */
static enum tm_status thread_walk_refs(struct tm_thread_incr *t, const struct tm_thread_msg *m)
{
    const char *self = NULL, *irt = NULL, *id;
    size_t self_len = 0, irt_len = 0, len, b;
    bool irt_seen = false, found;
    struct thread_ids it;
    enum tm_status st;

    thread_first_id(m->message_id, &self, &self_len);
    if (!thread_first_id(m->in_reply_to, &irt, &irt_len))
        irt = NULL;
    thread_ids_init(&it, m->references);
    while (thread_ids_next(&it, &id, &len)) {
        if (thread_same_id(id, len, self, self_len))
            continue;
        irt_seen = irt_seen || thread_same_id(id, len, irt, irt_len);
        if ((st = thread_lookup(t, id, len, &b, &found)) || (st = thread_chain_add(t, b)))
            return st;
    }
    if (!irt || irt_seen || thread_same_id(irt, irt_len, self, self_len))
        return TM_OK;
    if ((st = thread_lookup(t, irt, irt_len, &b, &found)) || (st = thread_chain_add(t, b)))
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

/* A root's subject reduced for grouping, with its sort keys. */
struct thread_subj {
    const char *base; /* borrowed: the subject without reply prefixes, list tags, outer blanks */
    size_t len;
    uint64_t hash; /* of base as thread_base_cmp sees it: equal bases, equal hashes */
    bool reply;    /* a Re:/Fwd:-like prefix was stripped */
    int64_t date, id;
    size_t msg;
};

/* Length of a reply prefix ("Re:", "Fwd:", "AW:", "Re[2]:", ...) at s, or 0. */
static size_t thread_reply_prefix(const char *s)
{
    static const char *const words[] = {"re", "fwd", "fw", "aw", "sv"};
    for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
        size_t j = strlen(words[w]);
        if (strncasecmp(s, words[w], j) != 0)
            continue;
        if (s[j] == '[' || s[j] == '(') { /* a reply counter: Re[2]: or Re(2): */
            char close = s[j] == '[' ? ']' : ')';
            size_t k = j + 1;
            while (s[k] >= '0' && s[k] <= '9')
                k++;
            if (k > j + 1 && s[k] == close)
                j = k + 1;
        }
        if (s[j] == ':')
            return j + 1;
    }
    return 0;
}

static bool thread_is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Strips reply prefixes and [list-tags] repeatedly, and outer blanks, into out->base/len. */
static void thread_base_subject(const char *subject, struct thread_subj *out)
{
    const char *s = subject ? subject : "";
    out->reply = false;
    for (;;) {
        while (thread_is_blank(*s))
            s++;
        size_t k = thread_reply_prefix(s);
        const char *close = *s == '[' ? strchr(s, ']') : NULL;
        if (k) {
            out->reply = true;
            s += k;
        } else if (close) {
            s = close + 1;
        } else {
            break;
        }
    }
    size_t len = strlen(s);
    while (len && thread_is_blank(s[len - 1]))
        len--;
    out->base = s;
    out->len = len;
}

/* The next byte of a base subject for comparing: ASCII lower case, a run of blanks as one space;
 * -1 at the end. */
static int thread_fold_next(const char **s, const char *end)
{
    if (*s == end)
        return -1;
    unsigned char c = (unsigned char)*(*s)++;
    if (thread_is_blank((char)c)) {
        while (*s < end && thread_is_blank(**s))
            (*s)++;
        return ' ';
    }
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Orders base subjects ignoring ASCII case and the width of blank runs. */
static int thread_base_cmp(const struct thread_subj *x, const struct thread_subj *y)
{
    const char *a = x->base, *b = y->base;
    for (;;) {
        int ca = thread_fold_next(&a, x->base + x->len),
            cb = thread_fold_next(&b, y->base + y->len);
        if (ca != cb)
            return ca < cb ? -1 : 1;
        if (ca < 0)
            return 0;
    }
}

/* FNV-1a over the bytes thread_base_cmp compares. */
static uint64_t thread_base_hash(const struct thread_subj *x)
{
#ifdef TM_THREAD_TEST_COLLIDE
    (void)x;
    return 0; /* test build (test_thread_collide): all bases collide, the fallback sorts */
#endif
    uint64_t h = 14695981039346656037u;
    const char *p = x->base, *end = x->base + x->len;
    for (int c; (c = thread_fold_next(&p, end)) >= 0;)
        h = (h ^ (uint64_t)c) * 1099511628211u;
    return h;
}

/* By hash, then date and id: integer compares only. Equal bases sit together in date order;
 * different bases that share a hash are told apart after the sort. */
static int thread_subj_hash_qcmp(const void *a, const void *b)
{
    const struct thread_subj *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return thread_cmp_keys(x->date, x->id, x->msg, y->date, y->id, y->msg);
}

static int thread_subj_qcmp(const void *a, const void *b)
{
    const struct thread_subj *x = a, *y = b;
    int c = thread_base_cmp(x, y);
    return c ? c : thread_cmp_keys(x->date, x->id, x->msg, y->date, y->id, y->msg);
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
    size_t i = t->n;
    t->entry[i].chain_at = t->n_chain;
    enum tm_status st = thread_claim(t, m, i);
    if (!st)
        st = thread_walk_refs(t, m);
    if (st)
        return st;
    struct thread_entry *e = &t->entry[i];
    struct thread_subj s;
    e->chain_end = t->n_chain;
    thread_link_own(t, i);
    thread_base_subject(m->subject, &s);
    e->base = s.base;
    e->base_len = s.len;
    e->base_hash = thread_base_hash(&s);
    e->reply = s.reply;
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
    struct thread_key *keys = malloc(t->n * sizeof(*keys));
    if (!keys)
        return TM_ENOMEM;
    for (size_t i = 0; i < t->n; i++)
        keys[i] = (struct thread_key){t->msgs[i].date, t->msgs[i].id, i};
    bool in_order = true;
    for (size_t i = 1; i < t->n && in_order; i++)
        in_order = thread_key_qcmp(&keys[i - 1], &keys[i]) < 0;
    if (in_order) {
        free(keys);
        return TM_OK;
    }
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

/* One run of roots with the same base subject, by date. A reply hangs under the latest non-reply
 * root not later than it (else the earliest non-reply); with no non-reply root, replies hang
 * under the earliest reply. Two non-reply roots stay apart: two "Hello" mails are not a thread. */
static void thread_merge_group(struct tm_thread_incr *t, const struct thread_subj *g, size_t n)
{
    size_t first_plain = THREAD_NONE, last_plain = THREAD_NONE;
    for (size_t k = 0; k < n && first_plain == THREAD_NONE; k++) {
        if (!g[k].reply)
            first_plain = g[k].msg;
    }
    for (size_t k = 0; k < n; k++) {
        if (!g[k].reply) {
            last_plain = g[k].msg;
            continue;
        }
        size_t to = last_plain != THREAD_NONE ? last_plain : first_plain;
        if (to == THREAD_NONE)
            to = g[0].msg;
        if (to != g[k].msg)
            t->mparent[g[k].msg] = to;
    }
}

/* Step 5: groups roots by base subject. Only roots move, and only under roots that stay roots,
 * so no loop can form. */
static enum tm_status thread_group_subjects(struct tm_thread_incr *t)
{
    struct thread_subj *s = malloc(t->n * sizeof(*s));
    size_t nr = 0;
    if (!s)
        return TM_ENOMEM;
    for (size_t i = 0; i < t->n; i++) {
        const struct thread_entry *e = &t->entry[i];
        if (t->mparent[i] != THREAD_NONE || e->base_len == 0)
            continue;
        s[nr++] = (struct thread_subj){
            e->base, e->base_len, e->base_hash, e->reply, t->msgs[i].date, t->msgs[i].id, i};
    }
    qsort(s, nr, sizeof(*s), thread_subj_hash_qcmp);
    for (size_t a = 0, b; a < nr; a = b) {
        bool one_base = true;
        for (b = a + 1; b < nr && s[b].hash == s[a].hash; b++)
            one_base = one_base && thread_base_cmp(&s[a], &s[b]) == 0;
        if (one_base) {
            thread_merge_group(t, s + a, b - a);
            continue;
        }
        /* bases that share a hash: this run by base, then date, as a group each */
        qsort(s + a, b - a, sizeof(*s), thread_subj_qcmp);
        for (size_t g = a, h; g < b; g = h) {
            for (h = g + 1; h < b && thread_base_cmp(&s[g], &s[h]) == 0; h++)
                ;
            thread_merge_group(t, s + g, h - g);
        }
    }
    free(s);
    return TM_OK;
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
        if (p == THREAD_NONE)
            t->roots[t->n_roots++] = m;
        else
            t->kids[fill[p]++] = m;
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
    size_t msg, depth;
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
    for (size_t r = t->n_roots; r-- > 0;)
        stack[top++] = (struct thread_frame){t->roots[r], 0, true};
    while (top) {
        struct thread_frame f = stack[--top];
        rows[k].id = t->msgs[f.msg].id;
        rows[k].depth = (int)f.depth;
        if (thread_tree(&x, has_later, f.depth, f.last, &at[k++]))
            goto out;
        has_later[f.depth] = !f.last;
        size_t a = t->first[f.msg], b = t->first[f.msg + 1];
        for (size_t j = b; j-- > a;)
            stack[top++] = (struct thread_frame){t->kids[j], f.depth + 1, j == b - 1};
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
