/* fuzz_rfc2047.c - libFuzzer target for RFC 2047 encoded words and raw 8-bit header text: the
 * first byte picks the fallback charset, the rest is the header text. The output must be UTF-8. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tmail/mime.h"
#include "tmail/str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const fallbacks[] = {NULL, "UTF-8", "ISO-8859-1", "SHIFT_JIS", "x-bogus"};
    if (size == 0)
        return 0;
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = 0;
    char *out = tm_mime_decode_header_text(text, fallbacks[data[0] % 5]);
    if (out) {
        /* Every byte sequence of the result decodes as UTF-8. */
        const unsigned char *p = (const unsigned char *)out;
        size_t len = strlen(out);
        for (size_t i = 0; i < len;) {
            unsigned cp;
            size_t n = tm_utf8_decode(p + i, len - i, &cp);
            if (n == 0)
                abort();
            i += n;
        }
    }
    free(out);
    free(text);
    return 0;
}
