/* test_base64.c - base64 against the RFC 4648 section 10 vectors, byte by byte, and the strict
 * decoder's refusals. */
#include <stdlib.h>
#include <string.h>

#include "tm_test.h"
#include "tmail/base64.h"

static const char *const vectors[][2] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

TM_TEST(base64_encodes_rfc4648_vectors)
{
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        struct tm_buf b;
        tm_buf_init(&b, 0);
        TM_CHECK_INT(tm_base64_encode(vectors[i][0], strlen(vectors[i][0]), &b), TM_OK);
        TM_CHECK_INT(b.len, strlen(vectors[i][1]));
        TM_CHECK(memcmp(b.data, vectors[i][1], b.len) == 0);
        TM_CHECK_INT(b.data[b.len], 0);
        tm_buf_cleanup(&b);
    }
}

TM_TEST(base64_decodes_rfc4648_vectors)
{
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        struct tm_buf b;
        struct tm_error err;
        tm_buf_init(&b, 0);
        TM_CHECK_INT(tm_base64_decode(vectors[i][1], strlen(vectors[i][1]), &b, &err), TM_OK);
        TM_CHECK_INT(b.len, strlen(vectors[i][0]));
        TM_CHECK(b.len == 0 || memcmp(b.data, vectors[i][0], b.len) == 0);
        tm_buf_cleanup(&b);
    }
}

TM_TEST(base64_round_trips_every_byte_value_and_length)
{
    unsigned char raw[256];
    for (int i = 0; i < 256; i++)
        raw[i] = (unsigned char)(255 - i);
    for (size_t n = 0; n <= sizeof(raw); n++) {
        struct tm_buf enc, dec;
        struct tm_error err;
        tm_buf_init(&enc, 0);
        tm_buf_init(&dec, 0);
        TM_CHECK_INT(tm_base64_encode(raw, n, &enc), TM_OK);
        TM_CHECK_INT(enc.len, (n + 2) / 3 * 4);
        TM_CHECK_INT(tm_base64_decode(enc.data, enc.len, &dec, &err), TM_OK);
        TM_CHECK_INT(dec.len, n);
        for (size_t k = 0; k < n; k++)
            TM_CHECK_INT((unsigned char)dec.data[k], raw[k]);
        tm_buf_cleanup(&enc);
        tm_buf_cleanup(&dec);
    }
}

TM_TEST(base64_encode_appends_after_existing_contents)
{
    struct tm_buf b;
    tm_buf_init(&b, 0);
    TM_CHECK_INT(tm_buf_append_str(&b, "AUTH "), TM_OK);
    TM_CHECK_INT(tm_base64_encode("\xff\xfe", 2, &b), TM_OK);
    TM_CHECK_STR(b.data, "AUTH //4=");
    tm_buf_cleanup(&b);
}

TM_TEST(base64_decode_rejects_bad_characters_padding_and_length)
{
    static const char *const bad[] = {
        "Zg=",      /* length not a multiple of 4 */
        "Zm9v\r\n", /* whitespace */
        "Zm 9",     /* space */
        "Zm9-",     /* URL-safe alphabet */
        "Zm9_",     /* URL-safe alphabet */
        "Z===",     /* three padding characters */
        "====",     /* only padding */
        "Zg==Zm8=", /* padding in the middle */
        "Zh==",     /* non-zero bits under the padding */
        "Zm9=",     /* non-zero bits under the padding */
        "Zm=v",     /* '=' before a data character */
        "Zm9\0",    /* NUL inside */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct tm_buf b;
        struct tm_error err;
        tm_buf_init(&b, 0);
        TM_CHECK_INT(tm_buf_append_str(&b, "keep"), TM_OK);
        size_t len = strlen(bad[i]);
        if (i == sizeof(bad) / sizeof(bad[0]) - 1)
            len = 4;
        TM_CHECK_INT(tm_base64_decode(bad[i], len, &b, &err), TM_EPARSE);
        TM_CHECK(strstr(err.message, "base64") != NULL);
        TM_CHECK_STR(b.data, "keep");
        tm_buf_cleanup(&b);
    }
}

TM_TEST(base64_decode_error_names_the_offset)
{
    struct tm_buf b;
    struct tm_error err;
    tm_buf_init(&b, 0);
    TM_CHECK_INT(tm_base64_decode("Zm9vZ!==", 8, &b, &err), TM_EPARSE);
    TM_CHECK(strstr(err.message, "offset 5") != NULL);
    tm_buf_cleanup(&b);
}

TM_TEST(base64_respects_the_buffer_limit)
{
    struct tm_buf b;
    struct tm_error err;
    tm_buf_init(&b, 7);
    TM_CHECK_INT(tm_base64_encode("foobar", 6, &b), TM_ELIMIT);
    TM_CHECK_INT(b.len, 0);
    tm_buf_init(&b, 5);
    TM_CHECK_INT(tm_base64_decode("Zm9vYmFy", 8, &b, &err), TM_ELIMIT);
    TM_CHECK_INT(b.len, 0);
    tm_buf_cleanup(&b);
}
