/* imap_skeleton.c - a big message's skeleton (imap_parts.h): which sections to fetch with the
 * structure (RFC 3501 6.4.5 part specifiers: n.MIME, n.HEADER, n), and the raw message rebuilt
 * from them (RFC 2046 5.1.1 multipart bodies) with the other parts' content left empty, checked
 * against the MIME layer's reading before anyone relies on it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imap_parts.h"
#include "tmail/array.h"
#include "tmail/i18n.h"
#include "tmail/mime.h"

struct plan {
    struct imap_skeleton *sk;
    const char *order;
    size_t cap_nodes, cap_items;
    struct tm_error *err;
};

void imap_skeleton_cleanup(struct imap_skeleton *sk)
{
    imap_bodystructure_free(&sk->bs);
    free(sk->top_header);
    for (size_t i = 0; i < sk->n_nodes; i++)
        free(sk->nodes[i].path);
    free(sk->nodes);
    for (size_t i = 0; i < sk->n_items; i++) {
        free(sk->items[i].key);
        free(sk->items[i].data);
    }
    free(sk->items);
    free(sk->by_key);
    memset(sk, 0, sizeof(*sk));
}

static enum tm_status no_memory(struct tm_error *err)
{
    return tm_error_set(err, TM_ENOMEM, _("out of memory reading a message's structure"));
}

/* A new item "prefix" + "suffix"; *index gets it. */
static enum tm_status add_item(struct plan *p, const char *prefix, const char *suffix, int *index)
{
    struct imap_skeleton *sk = p->sk;
    if (TM_ARRAY_RESERVE(sk->items, sk->n_items, p->cap_items, 16))
        return no_memory(p->err);
    size_t len = strlen(prefix) + strlen(suffix) + 2;
    struct skel_item *it = &sk->items[sk->n_items];
    memset(it, 0, sizeof(*it));
    if (!(it->key = malloc(len)))
        return no_memory(p->err);
    snprintf(it->key, len, "%s%s%s", prefix, prefix[0] && suffix[0] ? "." : "", suffix);
    *index = (int)sk->n_items++;
    return TM_OK;
}

/* Transfer encodings under which an attached message's bytes are the message itself. */
static bool identity_encoding(const char *enc)
{
    return !enc || strcmp(enc, "7bit") == 0 || strcmp(enc, "8bit") == 0 ||
           strcmp(enc, "binary") == 0;
}

/* A boundary fit to write into the skeleton: 1 to 70 printable characters (RFC 2046 5.1.1), so
 * that no value from the server can put lines of its own into it. */
static bool usable_boundary(const char *b)
{
    size_t n = b ? strlen(b) : 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)b[i] < 0x20 || (unsigned char)b[i] > 0x7E)
            return false;
    return n >= 1 && n <= 70;
}

/* Which child of a multipart/alternative the pager shows: the first best-ranked, as render.c. */
static size_t best_alternative(const struct plan *p, const struct imap_body *b)
{
    size_t best = 0;
    int best_rank = -1;
    for (size_t i = 0; i < b->n_children; i++) {
        const struct imap_body *c = &b->children[i];
        int rank = tm_mime_alternative_rank(p->order, c->type ? c->type : "",
                                            c->subtype ? c->subtype : "");
        if (rank > best_rank) {
            best_rank = rank;
            best = i;
        }
    }
    return best;
}

/* Adds b's node and its subtree in depth-first order. message: the MESSAGE whose body b is (NULL
 * for the top node and for parts of a multipart); visible: whether the pager reaches b. */
static enum tm_status add_nodes(struct plan *p, const struct imap_body *b,
                                const struct imap_body *message, bool visible)
{
    struct imap_skeleton *sk = p->sk;
    if (TM_ARRAY_RESERVE(sk->nodes, sk->n_nodes, p->cap_nodes, 16))
        return no_memory(p->err);
    size_t at = sk->n_nodes++;
    struct skel_node *n = &sk->nodes[at];
    memset(n, 0, sizeof(*n));
    n->b = b;
    n->header = n->content = -1;
    bool opaque = b->kind == IMAP_BODY_MESSAGE && !identity_encoding(b->encoding);
    n->leaf = b->kind == IMAP_BODY_BASIC || b->kind == IMAP_BODY_TEXT || opaque;
    bool attachment = b->disposition && strcmp(b->disposition, "attachment") == 0;
    /* as render.c: text not marked as an attachment, and any attached message, is shown */
    n->shown = visible && ((b->kind == IMAP_BODY_TEXT && !attachment) || opaque);
    enum tm_status st = TM_OK;
    int header = -1;
    if (!b->message_body)
        st = add_item(p, b->section, "MIME", &header);
    else if (message)
        st = add_item(p, message->section, "HEADER", &header);
    sk->nodes[at].header = header; /* the array may have moved */
    if (st)
        return st;
    if (b->kind == IMAP_BODY_MULTIPART) {
        if (!usable_boundary(imap_body_param(b, "boundary")))
            return tm_error_set(p->err, TM_ENOTSUP,
                                _("part %s is a multipart without a usable boundary"),
                                b->section[0] ? b->section : "TEXT");
        bool alternative = strcmp(b->subtype, "alternative") == 0;
        size_t best = alternative ? best_alternative(p, b) : 0;
        for (size_t i = 0; !st && i < b->n_children; i++)
            st = add_nodes(p, &b->children[i], NULL, visible && (!alternative || i == best));
    } else if (b->kind == IMAP_BODY_MESSAGE && !opaque) {
        st = add_nodes(p, &b->children[0], b, visible);
    }
    return st;
}

static bool small_text(const struct imap_body *b)
{
    return (imap_body_is(b, "text", NULL) || imap_body_is(b, "message", NULL)) &&
           b->octets <= IMAP_INLINE_EXTRA_MAX;
}

/* Marks the content of leaves to fetch: shown ones first (budget), then small text, then the
 * empty ones (free). */
static enum tm_status choose_content(struct plan *p, uint64_t budget)
{
    struct imap_skeleton *sk = p->sk;
    for (int pass = 0; pass < 3; pass++) {
        for (size_t i = 0; i < sk->n_nodes; i++) {
            struct skel_node *n = &sk->nodes[i];
            const struct imap_body *b = n->b;
            if (!n->leaf || n->content >= 0)
                continue;
            bool want = pass == 0   ? n->shown && b->octets <= budget
                        : pass == 1 ? !n->shown && small_text(b) && b->octets <= budget
                                    : b->octets == 0;
            if (!want)
                continue;
            budget -= b->octets;
            int item;
            enum tm_status st = add_item(p, b->section, "", &item);
            if (st)
                return st;
            sk->nodes[i].content = item;
        }
    }
    sk->left_out = 0;
    for (size_t i = 0; i < sk->n_nodes; i++)
        sk->left_out += sk->nodes[i].leaf && sk->nodes[i].content < 0;
    return TM_OK;
}

static int by_key_cmp(const void *a, const void *b)
{
    return strcasecmp((*(struct skel_item *const *)a)->key, (*(struct skel_item *const *)b)->key);
}

enum tm_status imap_skeleton_plan(struct imap_skeleton *sk, const char *alternative_order,
                                  uint64_t budget, struct tm_error *err)
{
    struct plan p = {.sk = sk, .order = alternative_order, .err = err};
    enum tm_status st = add_nodes(&p, &sk->bs->root, NULL, true);
    if (!st)
        st = choose_content(&p, budget);
    if (!st && sk->n_items && !(sk->by_key = malloc(sk->n_items * sizeof(*sk->by_key))))
        st = no_memory(err);
    if (st)
        return st;
    for (size_t i = 0; i < sk->n_items; i++)
        sk->by_key[i] = &sk->items[i];
    qsort(sk->by_key, sk->n_items, sizeof(*sk->by_key), by_key_cmp);
    return TM_OK;
}

enum tm_status imap_skeleton_items(struct imap_skeleton *sk, size_t *next, size_t max,
                                   struct tm_buf *cmd)
{
    size_t first = *next;
    while (*next < sk->n_items) {
        const char *key = sk->items[*next].key;
        size_t add = strlen(" BODY.PEEK[]") + strlen(key) + 1; /* and the closing ")" */
        if (*next > first && cmd->len + add > max)
            break;
        enum tm_status st = tm_buf_appendf(cmd, " BODY.PEEK[%s]", key);
        if (st)
            return st;
        (*next)++;
    }
    return TM_OK;
}

bool imap_skeleton_answer(struct imap_skeleton *sk, const char *key, size_t key_len,
                          const char *data, size_t len, struct tm_error *err, enum tm_status *st)
{
    size_t lo = 0, hi = sk->n_items;
    *st = TM_OK;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        struct skel_item *it = sk->by_key[mid];
        int c = strncasecmp(it->key, key, key_len);
        if (c == 0 && it->key[key_len] != 0)
            c = 1;
        if (c == 0) {
            char *copy = malloc(len + 1);
            if (!copy) {
                *st = no_memory(err);
                return true;
            }
            if (len)
                memcpy(copy, data, len);
            copy[len] = 0;
            free(it->data);
            it->data = copy;
            it->len = len;
            it->got = true;
            return true;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* ---- Building ---- */

/* A header block, ended by its blank line (a server may leave it off an empty MIME header). */
static enum tm_status emit_header(struct tm_buf *out, const char *data, size_t len)
{
    enum tm_status st = len ? tm_buf_append(out, data, len) : TM_OK;
    bool ended = (len >= 4 && memcmp(data + len - 4, "\r\n\r\n", 4) == 0) ||
                 (len >= 2 && memcmp(data + len - 2, "\n\n", 2) == 0) ||
                 (len == 2 && memcmp(data, "\r\n", 2) == 0) || (len == 1 && data[0] == '\n');
    if (st || ended)
        return st;
    bool line_ended = len >= 1 && data[len - 1] == '\n';
    return tm_buf_append_str(out, line_ended ? "\r\n" : len ? "\r\n\r\n" : "\r\n");
}

static const struct skel_item *answer_of(const struct imap_skeleton *sk, int item,
                                         struct tm_error *err)
{
    const struct skel_item *it = &sk->items[item];
    if (!it->got)
        tm_error_set(err, TM_EPROTO, _("the server did not send BODY[%s]"), it->key);
    return it->got ? it : NULL;
}

/* Appends the body of node *at (and of its subtree), moving *at past it. */
static enum tm_status emit_body(const struct imap_skeleton *sk, size_t *at, struct tm_buf *out,
                                struct tm_error *err)
{
    const struct skel_node *n = &sk->nodes[(*at)++];
    const struct imap_body *b = n->b;
    const struct skel_item *it;
    enum tm_status st = TM_OK;
    if (n->leaf) {
        if (n->content < 0)
            return TM_OK; /* left out */
        if (!(it = answer_of(sk, n->content, err)))
            return TM_EPROTO;
        return tm_buf_append(out, it->data, it->len);
    }
    const char *boundary = b->kind == IMAP_BODY_MULTIPART ? imap_body_param(b, "boundary") : NULL;
    for (size_t i = 0; !st && i < b->n_children; i++) {
        const struct skel_node *c = &sk->nodes[*at];
        if (boundary && (st = tm_buf_appendf(out, "--%s\r\n", boundary)))
            break;
        if (!(it = answer_of(sk, c->header, err)))
            return TM_EPROTO;
        st = emit_header(out, it->data, it->len);
        if (!st)
            st = emit_body(sk, at, out, err);
        if (!st && boundary)
            st = tm_buf_append_str(out, "\r\n");
    }
    if (!st && boundary)
        st = tm_buf_appendf(out, "--%s--\r\n", boundary);
    return st;
}

/* Checks node *at (and its subtree) against m, the MIME layer's part for it, and records paths. */
static enum tm_status match(struct imap_skeleton *sk, size_t *at, const struct tm_mime_part *m,
                            struct tm_error *err)
{
    struct skel_node *n = &sk->nodes[(*at)++];
    const struct imap_body *b = n->b;
    if (!(n->path = strdup(m->path)))
        return no_memory(err);
    if (strcasecmp(m->type, b->type) != 0 || strcasecmp(m->subtype, b->subtype) != 0) {
        char type[300], said[128], read[128]; /* both come from the server: sanitized */
        snprintf(type, sizeof(type), "%s/%s", b->type, b->subtype);
        imap_sanitize(said, sizeof(said), type, strlen(type));
        snprintf(type, sizeof(type), "%s/%s", m->type, m->subtype);
        imap_sanitize(read, sizeof(read), type, strlen(type));
        return tm_error_set(err, TM_EPROTO,
                            _("part %s: the server says %s, the message reads as %s"), b->section,
                            said, read);
    }
    if (n->leaf)
        return TM_OK;
    size_t want = b->n_children;
    if (m->leaf || m->nchildren != want)
        return tm_error_set(err, TM_EPROTO,
                            _("part %s: the server says %zu parts, the message reads as %zu"),
                            b->section[0] ? b->section : "TEXT", want, m->leaf ? 0 : m->nchildren);
    enum tm_status st = TM_OK;
    for (size_t i = 0; !st && i < want; i++)
        st = match(sk, at, &m->children[i], err);
    return st;
}

enum tm_status imap_skeleton_build(struct imap_skeleton *sk, struct tm_buf *out,
                                   struct tm_error *err)
{
    size_t at = 0, start = out->len;
    enum tm_status st = emit_header(out, sk->top_header, sk->top_header_len);
    if (!st)
        st = emit_body(sk, &at, out, err);
    if (st == TM_ENOMEM || st == TM_ELIMIT)
        tm_error_set(err, st, "%s", _("the message's text is too large"));
    if (st)
        return st;
    struct tm_mime_tree *tree = NULL;
    st = tm_mime_parse(out->data + start, out->len - start, &tree, err);
    at = 0;
    if (!st)
        st = match(sk, &at, &tree->root, err);
    tm_mime_tree_free(&tree);
    return st;
}
