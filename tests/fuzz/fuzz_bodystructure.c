/* fuzz_bodystructure.c - libFuzzer target for FETCH BODYSTRUCTURE (RFC 3501 7.4.2, RFC 9051
 * 7.5.2): the input after its first byte is the structure, read as a FETCH response in
 * odd-sized chunks and parsed into a tree; the first byte picks the chunk size and the message
 * size that bounds the parts. Every tree must keep its invariants: part numbers that follow the
 * nesting, limits honoured, octets within the message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/backend/imap/imap_bodystructure.h"
#include "src/backend/imap/imap_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct check {
    uint64_t message_size;
    size_t nodes;
};

static int check_node(void *ctx, const struct imap_body *b)
{
    struct check *c = ctx;
    c->nodes++;
    if (!b->section || !b->type || !b->subtype || b->depth > IMAP_BODY_DEPTH_MAX)
        abort();
    if (c->message_size && b->octets > c->message_size)
        abort();
    if (b->kind == IMAP_BODY_MULTIPART && b->n_children == 0)
        abort();
    if (b->kind == IMAP_BODY_MESSAGE && (b->n_children != 1 || !b->children[0].message_body))
        abort();
    for (size_t i = 0; i < b->n_children; i++) {
        const struct imap_body *k = &b->children[i];
        size_t len = strlen(b->section);
        /* a part's number starts with its parent's (none below a top multipart) */
        if (len && (strncmp(k->section, b->section, len) != 0 || k->depth != b->depth + 1))
            abort();
    }
    imap_body_param(b, "boundary");
    imap_body_is(b, "text", NULL);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const uint64_t sizes[] = {0, 100, 4096, 1u << 20};
    uint64_t message_size = sizes[data[0] & 3];
    size_t chunk = (size_t)(data[0] >> 2) % 7;
    static const char head[] = "* 1 FETCH (UID 1 BODYSTRUCTURE ";
    size_t len = sizeof(head) - 1 + (size - 1) + 3;
    char *in = malloc(len);
    if (!in)
        return 0;
    memcpy(in, head, sizeof(head) - 1);
    memcpy(in + sizeof(head) - 1, data + 1, size - 1);
    memcpy(in + len - 3, ")\r\n", 3);
    struct imap_memsource m;
    imap_memsource_init(&m, in, len, chunk);
    struct imap_source src = imap_memsource_source(&m);
    struct imap_parser *p = NULL;
    struct imap_response r;
    struct imap_fetch f;
    struct imap_limits lim = {.max_literal = 1 << 16, .max_response = 1 << 20};
    if (imap_parser_new(&lim, &p, NULL) == TM_OK &&
        imap_read_response(p, &src, &r, NULL) == TM_OK &&
        imap_fetch_decode(&r, &f, NULL) == TM_OK && f.bodystructure) {
        struct imap_bodystructure *bs = NULL;
        if (imap_bodystructure_parse(f.bodystructure, message_size, &bs, NULL) == TM_OK) {
            struct check c = {message_size, 0};
            imap_body_walk(&bs->root, check_node, &c);
            if (c.nodes != bs->n_parts || bs->n_parts > IMAP_BODY_PARTS_MAX)
                abort();
        }
        imap_bodystructure_free(&bs);
    }
    imap_parser_free(&p);
    free(in);
    return 0;
}
