/* fuzz_decode.c - libFuzzer target for the transfer decoders on raw input: base64,
 * quoted-printable and uuencode (RFC 2045 6, uuencode(1)), and the decoded-size estimate. */
#include <stdint.h>
#include <stdlib.h>

#include "src/mime/private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum mime_cte ctes[] = {MIME_CTE_BASE64, MIME_CTE_QP, MIME_CTE_UUENCODE,
                                         MIME_CTE_7BIT};
    const char *in = (const char *)data;
    for (size_t i = 0; i < sizeof(ctes) / sizeof(ctes[0]); i++) {
        struct tm_buf out;
        tm_buf_init(&out, 16 * 1024 * 1024);
        if (mime_transfer_decode(&out, ctes[i], in, size) == TM_OK) {
            /* Decoders never grow the input (uuencode's padded last group by one byte at
             * most), and base64's size estimate is exact. */
            if (out.len > size + (ctes[i] == MIME_CTE_UUENCODE))
                abort();
            if (ctes[i] == MIME_CTE_BASE64 && mime_decoded_size(ctes[i], in, size) != out.len)
                abort();
        }
        tm_buf_cleanup(&out);
    }
    struct tm_mime_uu_block block;
    size_t pos = 0, blocks = 0;
    while (tm_mime_uu_next(in, size, &pos, &block) && blocks++ < 1000) {
        if (block.start + block.len > size)
            abort();
    }
    return 0;
}
