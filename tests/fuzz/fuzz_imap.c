/* fuzz_imap.c - libFuzzer target for the IMAP response reader and its decoders (RFC 3501, RFC
 * 9051): responses read from an in-memory source in odd-sized chunks, every decoder run on each,
 * astrings written back and re-read, and sequence sets and modified UTF-7 on the raw input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/backend/imap/imap_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Values keep their invariants: strings NUL-terminated at len, lists inside the limits. */
static void check_value(const struct imap_value *v, int depth)
{
    if (depth > 40)
        abort();
    if (v->type == IMAP_V_LIST) {
        for (size_t i = 0; i < v->n; i++)
            check_value(&v->items[i], depth + 1);
    } else if (v->type != IMAP_V_NIL && (!v->str || v->str[v->len] != 0)) {
        abort();
    }
}

static void run_decoders(const struct imap_response *r)
{
    struct imap_fetch f;
    struct imap_list_entry e;
    struct imap_status_info s;
    struct imap_caps caps;
    struct imap_seqset a, b;
    struct imap_esearch es;
    bool earlier;
    uint32_t uv, uid;
    uint64_t n;
    for (size_t i = 0; i < r->n_args; i++)
        check_value(&r->args[i], 0);
    for (size_t i = 0; i < r->n_code_args; i++)
        check_value(&r->code_args[i], 0);
    if (imap_fetch_decode(r, &f, NULL) == TM_OK && f.body && f.body[f.body_len] != 0)
        abort();
    for (int utf8 = 0; utf8 < 2; utf8++) {
        if (imap_list_decode(r, utf8, &e, NULL) == TM_OK &&
            (!e.name_utf8 || e.name_unsafe == imap_name_is_safe(e.name_utf8)))
            abort();
        imap_list_entry_cleanup(&e);
        imap_status_decode(r, utf8, &s, NULL);
        imap_status_info_cleanup(&s);
    }
    imap_caps_parse(r->args, r->n_args, &caps);
    imap_caps_parse(r->code_args, r->n_code_args, &caps);
    imap_flags_from_list(r->n_args ? &r->args[0] : NULL);
    if (imap_vanished_decode(r, &earlier, &a, NULL) == TM_OK)
        imap_seqset_cleanup(&a);
    if (imap_search_decode(r, &a, NULL) == TM_OK)
        imap_seqset_cleanup(&a);
    if (imap_esearch_decode(r, &es, NULL) == TM_OK)
        imap_esearch_cleanup(&es);
    if (imap_copyuid_decode(r, &uv, &a, &b, NULL) == TM_OK) {
        if (imap_seqset_count(&a) != imap_seqset_count(&b))
            abort();
        imap_seqset_cleanup(&a);
        imap_seqset_cleanup(&b);
    }
    imap_appenduid_decode(r, &uv, &uid, NULL);
    imap_code_number(r, "UIDVALIDITY", &n);
}

static void read_responses(const char *s, size_t size, size_t chunk)
{
    struct imap_limits lim = {.max_line = 1 << 16, .max_literal = 1 << 20, .max_items = 100000};
    struct imap_parser *p = NULL;
    struct imap_memsource m;
    struct imap_response r;
    if (imap_parser_new(&lim, &p, NULL) != TM_OK)
        abort();
    imap_memsource_init(&m, s, size, chunk);
    struct imap_source src = imap_memsource_source(&m);
    for (int i = 0; i < 10000 && imap_read_response(p, &src, &r, NULL) == TM_OK; i++)
        run_decoders(&r);
    if (m.pos > size)
        abort();
    imap_parser_free(&p);
}

/* The input written as an astring must read back as the same bytes. */
static void astring_round_trip(const char *s, size_t size)
{
    struct tm_buf cmd;
    tm_buf_init(&cmd, 0);
    tm_buf_append_str(&cmd, "* X ");
    if (imap_append_astring(&cmd, s, size, size & 1, NULL) == TM_OK) {
        tm_buf_append_str(&cmd, "\r\n");
        struct imap_parser *p = NULL;
        struct imap_memsource m;
        struct imap_response r;
        if (imap_parser_new(NULL, &p, NULL) != TM_OK)
            abort();
        imap_memsource_init(&m, cmd.data, cmd.len, 0);
        struct imap_source src = imap_memsource_source(&m);
        if (imap_read_response(p, &src, &r, NULL) != TM_OK || r.n_args != 1 ||
            r.args[0].len != size || memcmp(r.args[0].str, s, size) != 0)
            abort();
        if (imap_command_split(cmd.data, cmd.len, 0) > cmd.len)
            abort();
        imap_parser_free(&p);
    }
    tm_buf_cleanup(&cmd);
}

static void utf7_round_trip(const char *s, size_t size)
{
    struct tm_buf dec, enc, again;
    tm_buf_init(&dec, 1 << 20);
    tm_buf_init(&enc, 1 << 22);
    tm_buf_init(&again, 1 << 20);
    if (imap_utf7_decode(s, size, &dec, NULL) == TM_OK && dec.data) {
        /* Decoded names re-encode to something that decodes to the same name. */
        if (imap_utf7_encode(dec.data, &enc) != TM_OK ||
            imap_utf7_decode(enc.data ? enc.data : "", enc.len, &again, NULL) != TM_OK ||
            again.len != dec.len || memcmp(again.data, dec.data, dec.len) != 0)
            abort();
    }
    tm_buf_cleanup(&dec);
    tm_buf_cleanup(&enc);
    tm_buf_cleanup(&again);
}

static void seqset_round_trip(const char *s, size_t size)
{
    struct imap_seqset set;
    if (imap_seqset_parse(s, size, 1000, 1000, &set, NULL) != TM_OK)
        return;
    uint64_t count = imap_seqset_count(&set);
    if (count <= 5000) {
        uint32_t *uids = malloc(count * sizeof(*uids) + 1);
        struct imap_seqset_iter it;
        size_t n = 0;
        uint32_t v;
        imap_seqset_iter_init(&it, &set);
        while (uids && imap_seqset_iter_next(&it, &v))
            uids[n++] = v;
        if (uids && n != count)
            abort();
        struct tm_buf b;
        tm_buf_init(&b, 0);
        for (size_t i = 0; uids && i < n;) {
            tm_buf_reset(&b);
            size_t k = imap_seqset_format(uids + i, n - i, 64, &b);
            if (k == 0 || b.len > 64)
                abort();
            i += k;
        }
        tm_buf_cleanup(&b);
        free(uids);
    }
    imap_seqset_cleanup(&set);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    size_t chunk = size ? 1 + data[0] % 13 : 0;
    read_responses(s, size, 0);
    read_responses(s, size, chunk);
    if (size <= 4096) {
        astring_round_trip(s, size);
        utf7_round_trip(s, size);
        seqset_round_trip(s, size);
    }
    return 0;
}
