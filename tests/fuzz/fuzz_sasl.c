/* fuzz_sasl.c - libFuzzer target for what a server says during SASL (RFC 5802, RFC 7677): the
 * SCRAM-SHA-256 server-first and server-final messages (input before and after the first
 * newline, base64-encoded here so every byte reaches the parser), and strict base64 decoding. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/net/private.h"
#include "tmail/base64.h"
#include "tmail/sasl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tm_buf b64, out, raw;
    tm_buf_init(&b64, 0);
    tm_buf_init(&out, 0);
    tm_buf_init(&raw, 0);
    tm_base64_decode((const char *)data, size, &raw, NULL);

    const uint8_t *nl = memchr(data, '\n', size);
    size_t first_len = nl ? (size_t)(nl - data) : size;
    struct tm_scram *s = NULL;
    if (tm_scram_new("user", "pencil", &s, NULL) == TM_OK &&
        net_scram_set_nonce(s, "rOprNGfwEbeRWgbNEkqO", NULL) == TM_OK &&
        tm_scram_client_first(s, &out, NULL) == TM_OK &&
        tm_base64_encode(data, first_len, &b64) == TM_OK) {
        tm_buf_reset(&out);
        if (tm_scram_client_final(s, b64.data ? b64.data : "", &out, NULL) == TM_OK && nl) {
            tm_buf_reset(&b64);
            if (tm_base64_encode(nl + 1, size - first_len - 1, &b64) == TM_OK)
                tm_scram_verify_server(s, b64.data ? b64.data : "", NULL);
        }
    }
    tm_scram_free(&s);
    tm_buf_cleanup(&b64);
    tm_buf_cleanup(&out);
    tm_buf_cleanup(&raw);
    return 0;
}
