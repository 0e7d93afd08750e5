/* fuzz_mbox.c - libFuzzer target for mbox splitting and >From unquoting. */
#include <stdint.h>
#include <stdlib.h>

#include "tmail/mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct tm_mbox_entry e;
    size_t pos = 0, last = 0;
    struct tm_buf out;
    tm_buf_init(&out, 1 << 24);
    while (tm_mbox_next(s, size, &pos, &e)) {
        /* Entries are in order, inside the buffer, and the walk always advances. */
        if (e.from_line < last || e.start > e.end || e.end > size || pos <= e.from_line ||
            pos > size)
            abort();
        last = pos;
        tm_buf_reset(&out);
        tm_mbox_unquote(s + e.start, e.end - e.start, &out);
    }
    tm_buf_cleanup(&out);
    return 0;
}
