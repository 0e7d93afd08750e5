/* fuzz_tree.c - libFuzzer target for the MIME tree: tm_mime_parse, decoding every leaf, and the
 * --dump-mime JSON writer (whose output must always be valid UTF-8). */
#include <stdint.h>
#include <stdlib.h>

#include "tmail/mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static enum tm_status decode_leaf(const struct tm_mime_part *part, void *ctx)
{
    const struct tm_mime_tree *tree = ctx;
    struct tm_buf out;
    if (!part->leaf)
        return TM_OK;
    tm_buf_init(&out, 16 * 1024 * 1024);
    enum tm_status st = tm_mime_part_decode(tree, part, &out, NULL);
    if (st == TM_OK && out.len > part->body_len + 1)
        abort(); /* no transfer decoding makes a payload longer (uuencode: one byte) */
    tm_buf_cleanup(&out);
    return TM_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tm_mime_tree *tree = NULL;
    struct tm_buf out;
    if (tm_mime_parse((const char *)data, size, &tree, NULL) == TM_OK) {
        tm_mime_tree_walk(tree, decode_leaf, tree);
        tm_mime_tree_free(&tree);
    }
    tm_buf_init(&out, 64 * 1024 * 1024);
    tm_mime_dump_json((const char *)data, size, &out, NULL);
    tm_buf_cleanup(&out);
    return 0;
}
