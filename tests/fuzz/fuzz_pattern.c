/* fuzz_pattern.c - libFuzzer target for mutt pattern compilation and matching (patterns come
 * from ~/.tmailrc colour rules and, later, from search and limit prompts). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tmail/flags.h"
#include "tmail/pattern.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = 0;
    struct tm_pattern *p = NULL;
    if (tm_pattern_compile(text, &p, NULL) == TM_OK) {
        struct tm_message_row row;
        memset(&row, 0, sizeof(row));
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
