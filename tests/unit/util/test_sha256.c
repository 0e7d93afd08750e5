/* test_sha256.c - SHA-256 against the FIPS 180-4 / NIST example vectors. */
#include <stdlib.h>
#include <string.h>

#include "tm_test.h"
#include "tmail/sha256.h"

TM_TEST(sha256_empty_and_abc)
{
    char hex[65];
    tm_sha256_hex("", 0, hex);
    TM_CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    tm_sha256_hex("abc", 3, hex);
    TM_CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TM_TEST(sha256_448_bit_two_block_message)
{
    char hex[65];
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    tm_sha256_hex(m, strlen(m), hex);
    TM_CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TM_TEST(sha256_million_a_fed_in_uneven_pieces)
{
    struct tm_sha256 c;
    unsigned char d[TM_SHA256_LEN];
    char chunk[997];
    memset(chunk, 'a', sizeof(chunk));
    tm_sha256_init(&c);
    size_t left = 1000000;
    while (left > 0) {
        size_t n = left < sizeof(chunk) ? left : sizeof(chunk);
        tm_sha256_update(&c, chunk, n);
        left -= n;
    }
    tm_sha256_final(&c, d);
    static const unsigned char want[TM_SHA256_LEN] = {
        0xcd, 0xc7, 0x6e, 0x5c, 0x99, 0x14, 0xfb, 0x92, 0x81, 0xa1, 0xc7,
        0xe2, 0x84, 0xd7, 0x3e, 0x67, 0xf1, 0x80, 0x9a, 0x48, 0xa4, 0x97,
        0x20, 0x0e, 0x04, 0x6d, 0x39, 0xcc, 0xc7, 0x11, 0x2c, 0xd0};
    TM_CHECK(memcmp(d, want, sizeof(want)) == 0);
}

TM_TEST(sha256_lengths_around_the_padding_boundary)
{
    char hex[65], one[65];
    char buf[130];
    memset(buf, 'x', sizeof(buf));
    /* 55, 56 and 64 bytes need one or two padding blocks; byte-wise feeding must agree. */
    for (size_t n = 54; n < 130; n++) {
        struct tm_sha256 c;
        unsigned char d[TM_SHA256_LEN];
        tm_sha256_hex(buf, n, hex);
        tm_sha256_init(&c);
        for (size_t i = 0; i < n; i++)
            tm_sha256_update(&c, buf + i, 1);
        tm_sha256_final(&c, d);
        for (int i = 0; i < TM_SHA256_LEN; i++) {
            one[2 * i] = "0123456789abcdef"[d[i] >> 4];
            one[2 * i + 1] = "0123456789abcdef"[d[i] & 15];
        }
        one[64] = 0;
        TM_CHECK_STR(hex, one);
    }
    tm_sha256_hex(buf, 64, hex);
    TM_CHECK_STR(hex, "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c");
}
