/* test_decode.c - transfer decoding: base64 and quoted-printable, exact bytes. */
#include <string.h>

#include "src/mime/private.h"
#include "tm_test.h"

/* Decodes in with cte and compares the bytes with want[0..want_len). */
static int check_decode(enum mime_cte cte, const char *in, const char *want, size_t want_len)
{
    struct tm_buf b;
    tm_buf_init(&b, 0);
    int ok = mime_transfer_decode(&b, cte, in, strlen(in)) == TM_OK && b.len == want_len &&
             (want_len == 0 || memcmp(b.data, want, want_len) == 0);
    if (!ok)
        tm_test_fail(__FILE__, __LINE__, "decode(%s) gave %zu bytes \"%s\"", in, b.len,
                     b.data ? b.data : "");
    tm_buf_cleanup(&b);
    return ok;
}

#define CHECK_DECODED(cte, in, want)                                                               \
    do {                                                                                           \
        if (!check_decode(cte, in, want, sizeof(want) - 1))                                        \
            return;                                                                                \
    } while (0)

TM_TEST(base64_plain_and_line_broken)
{
    CHECK_DECODED(MIME_CTE_BASE64, "aGVsbG8gd29ybGQ=", "hello world");
    CHECK_DECODED(MIME_CTE_BASE64, "aGVs\r\nbG8g\r\nd29y\nbGQ=\r\n", "hello world");
    CHECK_DECODED(MIME_CTE_BASE64, "AP8A", "\x00\xff\x00");
}

TM_TEST(base64_junk_characters_skipped)
{
    CHECK_DECODED(MIME_CTE_BASE64, "aGV*sb!G8 gd2\t9y-bGQ=", "hello world");
    CHECK_DECODED(MIME_CTE_BASE64, "!!!", "");
}

TM_TEST(base64_missing_padding_tolerated)
{
    CHECK_DECODED(MIME_CTE_BASE64, "aGVsbG8gd29ybGQ", "hello world");
    CHECK_DECODED(MIME_CTE_BASE64, "aGk", "hi");
    CHECK_DECODED(MIME_CTE_BASE64, "aGVsbA", "hell");
    CHECK_DECODED(MIME_CTE_BASE64, "a", "");
}

TM_TEST(base64_concatenated_after_padding)
{
    CHECK_DECODED(MIME_CTE_BASE64, "aGk=aGk=", "hihi");
    CHECK_DECODED(MIME_CTE_BASE64, "aA==\naGk=", "hhi");
}

TM_TEST(base64_size_without_decoding)
{
    const char *in = "aGVs\r\nbG8gd29ybGQ=\r\n";
    TM_CHECK_INT(mime_decoded_size(MIME_CTE_BASE64, in, strlen(in)), 11);
    TM_CHECK_INT(mime_decoded_size(MIME_CTE_7BIT, in, strlen(in)), strlen(in));
}

TM_TEST(qp_escapes_and_soft_breaks)
{
    CHECK_DECODED(MIME_CTE_QP, "caf=E9 cr=C3=A8me", "caf\xe9 cr\xc3\xa8me");
    CHECK_DECODED(MIME_CTE_QP, "long =\nline=\r\n joined\r\n", "long line joined\r\n");
    CHECK_DECODED(MIME_CTE_QP, "soft with blanks=  \t\nafter", "soft with blanksafter");
    CHECK_DECODED(MIME_CTE_QP, "ends with soft break=", "ends with soft break");
    CHECK_DECODED(MIME_CTE_QP, "lower =e9 case", "lower \xe9 case");
}

TM_TEST(qp_bad_escapes_kept_literally)
{
    CHECK_DECODED(MIME_CTE_QP, "a=ZZb", "a=ZZb");
    CHECK_DECODED(MIME_CTE_QP, "100% = 1", "100% = 1");
    CHECK_DECODED(MIME_CTE_QP, "x=4", "x=4");
    CHECK_DECODED(MIME_CTE_QP, "x=", "x");
    CHECK_DECODED(MIME_CTE_QP, "=3D=3d", "==");
}

TM_TEST(qp_trailing_whitespace_removed)
{
    CHECK_DECODED(MIME_CTE_QP, "line  \r\nnext\t\nend ", "line\r\nnext\nend");
    CHECK_DECODED(MIME_CTE_QP, "in the middle  stays", "in the middle  stays");
}

TM_TEST(identity_encodings_pass_through)
{
    CHECK_DECODED(MIME_CTE_7BIT, "a=41\r\n", "a=41\r\n");
    CHECK_DECODED(MIME_CTE_8BIT, "\xe9=", "\xe9=");
    CHECK_DECODED(MIME_CTE_BINARY, "aGk=", "aGk=");
    TM_CHECK_INT(mime_cte_parse(" Base64 "), MIME_CTE_BASE64);
    TM_CHECK_INT(mime_cte_parse("Quoted-Printable"), MIME_CTE_QP);
    TM_CHECK_INT(mime_cte_parse("\"8bit\""), MIME_CTE_8BIT);
    TM_CHECK_INT(mime_cte_parse(NULL), MIME_CTE_7BIT);
    TM_CHECK_INT(mime_cte_parse("x-uuencode"), MIME_CTE_UUENCODE);
    TM_CHECK_INT(mime_cte_parse("x-gzip64"), MIME_CTE_UNKNOWN);
}
