/* fuzz_pattern.c - libFuzzer target for mutt pattern compilation and matching (patterns come
 * from ~/.tmailrc colour rules and the search and limit prompts). Input: a pattern, then
 * optionally a newline and a raw message. The message's searchable text is extracted (MIME,
 * charsets, HTML) and every text atom (~b ~B ~h =b =B =h) is matched on it, which also runs the
 * regex-to-literal extraction; the atoms' results then drive matching a row. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/core/search.h"
#include "tmail/flags.h"
#include "tmail/pattern.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Matches every text atom of p on the message's text, as the worker does; gives each the
 * result "message 1 when it matched". */
static void match_text(struct tm_pattern *p, const char *msg, size_t len)
{
    struct tm_buf headers, body;
    tm_buf_init(&headers, 64 * 1024);
    tm_buf_init(&body, 256 * 1024);
    if (search_text_extract(msg, len, NULL, &headers, &body) == TM_OK) {
        for (size_t i = 0; i < tm_pattern_text_count(p); i++) {
            const struct tm_pattern_text *t = tm_pattern_text_atom(p, i);
            if (!t || (t->plain && t->n_groups != 1))
                abort(); /* a plain atom is exactly one literal */
            bool hit = tm_pattern_text_match(p, i, headers.data ? headers.data : "", headers.len,
                                             body.data ? body.data : "", body.len);
            int64_t *ids = malloc(sizeof(int64_t));
            if (ids)
                ids[0] = hit ? 1 : 2;
            tm_pattern_set_text_result(p, i, ids, ids ? 1 : 0, 7);
        }
        if (!tm_pattern_text_ready(p, 7))
            abort();
    }
    tm_buf_cleanup(&headers);
    tm_buf_cleanup(&body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t plen = nl ? (size_t)(nl - data) : size;
    char *text = malloc(plen + 1);
    if (!text)
        return 0;
    memcpy(text, data, plen);
    text[plen] = 0;
    struct tm_pattern *p = NULL;
    if (tm_pattern_compile(text, &p, NULL) == TM_OK) {
        if (nl)
            match_text(p, (const char *)nl + 1, size - plen - 1);
        struct tm_message_row row;
        memset(&row, 0, sizeof(row));
        row.id = 1;
        row.subject = text;
        row.from_addr = "a@b";
        row.flags = TM_FLAG_SEEN;
        row.size = (int64_t)size;
        tm_pattern_match(p, &row, 1000000);
        tm_pattern_free(&p);
    }
    free(text);
    return 0;
}
