/* fuzz_render.c - libFuzzer target for the MIME walker behind the pager: multipart boundaries,
 * nesting limits, transfer decodings, charsets and the HTML-to-text converter. */
#include <stdint.h>
#include <stdlib.h>

#include "tmail/mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tm_buf out;
    struct tm_error err;
    tm_buf_init(&out, 16 * 1024 * 1024);
    tm_mime_render_text((const char *)data, size, &out, &err);
    tm_buf_cleanup(&out);
    return 0;
}
