/* tree_walk.c - visiting, finding and transfer-decoding the parts of a parsed MIME tree.
 * (RFC 2045 6, RFC 2046 5) */
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "tmail/i18n.h"

static enum tm_status walk_part(const struct tm_mime_part *p, tm_mime_part_fn fn, void *ctx)
{
    enum tm_status st = fn(p, ctx);
    for (size_t i = 0; st == TM_OK && i < p->nchildren; i++)
        st = walk_part(&p->children[i], fn, ctx);
    return st;
}

enum tm_status tm_mime_tree_walk(const struct tm_mime_tree *tree, tm_mime_part_fn fn, void *ctx)
{
    return tree ? walk_part(&tree->root, fn, ctx) : TM_OK;
}

const struct tm_mime_part *tm_mime_tree_find(const struct tm_mime_tree *tree, const char *path)
{
    const struct tm_mime_part *p = tree ? &tree->root : NULL;
    while (p && path && *path) {
        char *end;
        unsigned long n = strtoul(path, &end, 10);
        if (end == path || n == 0 || n > p->nchildren || (*end && *end != '.'))
            return NULL;
        p = &p->children[n - 1];
        path = *end ? end + 1 : end;
    }
    return p;
}

enum tm_status tm_mime_part_decode(const struct tm_mime_tree *tree, const struct tm_mime_part *part,
                                   struct tm_buf *out, struct tm_error *err)
{
    (void)tree;
    enum mime_cte cte = mime_cte_parse(part->cte);
    enum tm_status st =
        mime_transfer_decode(out, cte, part->base + part->body_start, part->body_len);
    if (st == TM_ELIMIT)
        return tm_error_set(err, st, "%s", _("the part is too large to decode"));
    if (st)
        return tm_error_set(err, st, "%s", _("out of memory while decoding a part"));
    return TM_OK;
}
