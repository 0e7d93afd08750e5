/* test_imap_utf7.c - modified UTF-7 mailbox names: round trips and strict decoding. */
#include <string.h>

#include "src/backend/imap/imap_proto.h"
#include "tm_test.h"

static bool round_trip(const char *utf8, const char *utf7, const char *file, int line)
{
    struct tm_buf enc, dec;
    tm_buf_init(&enc, 0);
    tm_buf_init(&dec, 0);
    tm_buf_append_str(&enc, "");
    tm_buf_append_str(&dec, "");
    bool ok = imap_utf7_encode(utf8, &enc) == TM_OK && strcmp(enc.data, utf7) == 0 &&
              imap_utf7_decode(utf7, strlen(utf7), &dec, NULL) == TM_OK &&
              strcmp(dec.data, utf8) == 0;
    if (!ok)
        tm_test_fail(file, line, "\"%s\" <-> \"%s\": encoded \"%s\", decoded \"%s\"", utf8, utf7,
                     enc.data, dec.data);
    tm_buf_cleanup(&enc);
    tm_buf_cleanup(&dec);
    return ok;
}

#define CHECK_ROUND_TRIP(utf8, utf7)                                                               \
    do {                                                                                           \
        if (!round_trip(utf8, utf7, __FILE__, __LINE__))                                           \
            return;                                                                                \
    } while (0)

TM_TEST(imap_utf7_round_trips)
{
    CHECK_ROUND_TRIP("Entw\xC3\xBCrfe", "Entw&APw-rfe");
    CHECK_ROUND_TRIP("&", "&-");
    CHECK_ROUND_TRIP("a&b&&", "a&-b&-&-");
    CHECK_ROUND_TRIP("\xE5\x8F\xB0\xE5\x8C\x97", "&U,BTFw-");   /* 台北 */
    CHECK_ROUND_TRIP("\xF0\x9F\x93\xA7 Mail", "&2D3c5w- Mail"); /* U+1F4E7 */
    CHECK_ROUND_TRIP("~peter/mail/\xE5\x8F\xB0\xE5\x8C\x97/\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E",
                     "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
    CHECK_ROUND_TRIP("", "");
    CHECK_ROUND_TRIP("plain ASCII [x] {y} \"z\"", "plain ASCII [x] {y} \"z\"");
    CHECK_ROUND_TRIP("tab\there", "tab&AAk-here");
    CHECK_ROUND_TRIP("\xC2\xA3\xC2\xA3", "&AKMAow-");
}

TM_TEST(imap_utf7_decode_is_strict)
{
    const char *bad[] = {
        "&",               /* unterminated */
        "&APw",            /* unterminated */
        "a&AP!-",          /* bad base64 */
        "&AGE-",           /* encoded printable "a" */
        "&ACY-",           /* encoded "&" */
        "&AAA-",           /* U+0000 */
        "&2D0-",           /* lone high surrogate */
        "&3Oc-",           /* lone low surrogate */
        "&2D0AQQ-",        /* high surrogate then a non-surrogate */
        "&APx-",           /* non-zero padding bits */
        "&APwA-",          /* six spare bits: not minimal */
        "&AP-",            /* odd byte count */
        "Entw\xC3\xBCrfe", /* raw 8-bit */
        "a\tb",            /* raw control */
        "a\0b",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct tm_buf out;
        struct tm_error err;
        tm_buf_init(&out, 0);
        tm_buf_append_str(&out, "keep");
        size_t len = i == sizeof(bad) / sizeof(bad[0]) - 1 ? 3 : strlen(bad[i]);
        enum tm_status st = imap_utf7_decode(bad[i], len, &out, &err);
        if (st != TM_EPARSE)
            tm_test_fail(__FILE__, __LINE__, "\"%s\" decoded to \"%s\"", bad[i], out.data);
        TM_CHECK(st == TM_EPARSE);
        TM_CHECK_STR(out.data, "keep");
        TM_CHECK(strstr(err.message, "modified UTF-7") != NULL);
        for (const char *m = err.message; *m; m++)
            TM_CHECK((unsigned char)*m >= 0x20 && (unsigned char)*m < 0x7F);
        tm_buf_cleanup(&out);
    }
}

TM_TEST(imap_utf7_encode_rejects_invalid_utf8)
{
    struct tm_buf out;
    tm_buf_init(&out, 0);
    tm_buf_append_str(&out, "x");
    TM_CHECK_INT(imap_utf7_encode("a\xFF"
                                  "b",
                                  &out),
                 TM_EPARSE);
    TM_CHECK_INT(imap_utf7_encode("\xED\xA0\x80", &out), TM_EPARSE); /* a surrogate */
    TM_CHECK_STR(out.data, "x");
    tm_buf_cleanup(&out);
}
