/* fuzz_envelope.c - libFuzzer target for the header parser: header end, field iteration,
 * unfolding, RFC 2047 words, addresses, dates and message-id lists via the envelope. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tmail/mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *msg = (const char *)data;
    struct tm_envelope env;
    struct tm_error err;
    memset(&env, 0, sizeof(env));
    size_t end = tm_mime_header_end(msg, size);
    if (end > size)
        abort();
    size_t pos = 0;
    struct tm_header_field f;
    while (tm_mime_header_next(msg, end, &pos, &f)) {
        if (f.name < msg || f.name + f.name_len > msg + end)
            abort();
    }
    if (tm_mime_envelope_parse(msg, size, &env, &err) == TM_OK)
        tm_mime_envelope_cleanup(&env);
    /* The text helpers take C strings: feed a NUL-terminated copy. */
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = 0;
    free(tm_mime_decode_header_text(text, NULL));
    char *name = NULL, *addr = NULL;
    tm_mime_first_address(text, &name, &addr);
    free(name);
    free(addr);
    time_t t;
    tm_mime_parse_date(text, &t);
    free(text);
    return 0;
}
