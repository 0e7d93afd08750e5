/* test_smtp_data.c - DATA content (RFC 5321 4.5.2): dot-stuffing, every line end made CRLF, the
 * final CRLF, the caller's size cap; and the 8-bit test. */
#include <string.h>

#include "smtp_fixture.h"
#include "tm_test.h"

/* Dot-stuffs msg (len bytes) and checks the result against want. */
static int stuffed_is(const char *msg, size_t len, const char *want)
{
    struct tm_buf out;
    struct tm_error err;
    tm_buf_init(&out, 0);
    int ok = tm_smtp_dot_stuff(msg, len, &out, &err) == TM_OK && out.len == strlen(want) &&
             memcmp(out.data ? out.data : "", want, out.len) == 0;
    tm_buf_cleanup(&out);
    return ok;
}

#define STUFFED_IS(msg, want) stuffed_is((msg), sizeof(msg) - 1, (want))

TM_TEST(smtp_dot_stuff_doubles_leading_dots)
{
    TM_CHECK(STUFFED_IS(".hidden\r\n..two\r\n.\r\nmid.dle\r\n", "..hidden\r\n...two\r\n..\r\n"
                                                                "mid.dle\r\n"));
    TM_CHECK(STUFFED_IS(".", "..\r\n"));
    TM_CHECK(STUFFED_IS("a\n.\nb\n", "a\r\n..\r\nb\r\n"));
    TM_CHECK(STUFFED_IS(" .not first\r\n", " .not first\r\n"));
}

TM_TEST(smtp_dot_stuff_makes_every_line_end_crlf)
{
    TM_CHECK(STUFFED_IS("a\nb\n", "a\r\nb\r\n"));        /* bare LF */
    TM_CHECK(STUFFED_IS("a\rb\r", "a\r\nb\r\n"));        /* bare CR */
    TM_CHECK(STUFFED_IS("a\r\nb\r\n", "a\r\nb\r\n"));    /* CRLF kept */
    TM_CHECK(STUFFED_IS("a\r\r\nb", "a\r\n\r\nb\r\n"));  /* CR then CRLF: two line ends */
    TM_CHECK(STUFFED_IS("a\n\r.b", "a\r\n\r\n..b\r\n")); /* LF then CR, then a dot line */
    TM_CHECK(STUFFED_IS("\n\n", "\r\n\r\n"));            /* empty lines */
    TM_CHECK(STUFFED_IS("x\r.y\r\n", "x\r\n..y\r\n"));   /* a dot after a bare CR */
}

TM_TEST(smtp_dot_stuff_ends_with_crlf)
{
    TM_CHECK(STUFFED_IS("no newline", "no newline\r\n"));
    TM_CHECK(STUFFED_IS("two\nlines", "two\r\nlines\r\n"));
    TM_CHECK(STUFFED_IS(".", "..\r\n"));
    TM_CHECK(STUFFED_IS("ends\r", "ends\r\n"));
}

TM_TEST(smtp_dot_stuff_empty_message_is_empty_content)
{
    struct tm_buf out;
    struct tm_error err;
    tm_buf_init(&out, 0);
    TM_CHECK_INT(tm_smtp_dot_stuff("", 0, &out, &err), TM_OK);
    TM_CHECK_INT(out.len, 0);
    TM_CHECK_INT(tm_smtp_dot_stuff(NULL, 0, &out, &err), TM_OK);
    TM_CHECK_INT(out.len, 0);
    tm_buf_cleanup(&out);
}

TM_TEST(smtp_dot_stuff_keeps_nul_and_8bit_bytes_and_appends)
{
    static const char msg[] = "caf\xc3\xa9\0x\n";
    struct tm_buf out;
    struct tm_error err;
    tm_buf_init(&out, 0);
    TM_CHECK_INT(tm_buf_append_str(&out, "before|"), TM_OK);
    TM_CHECK_INT(tm_smtp_dot_stuff(msg, sizeof(msg) - 1, &out, &err), TM_OK);
    TM_CHECK_INT(out.len, 7 + 7 + 2);
    TM_CHECK(memcmp(out.data, "before|caf\xc3\xa9\0x\r\n", out.len) == 0);
    tm_buf_cleanup(&out);
}

TM_TEST(smtp_dot_stuff_over_the_cap_leaves_the_buffer_unchanged)
{
    struct tm_buf out;
    struct tm_error err;
    tm_buf_init(&out, 12);
    TM_CHECK_INT(tm_buf_append_str(&out, "keep"), TM_OK);
    TM_CHECK_INT(tm_smtp_dot_stuff("a\nb\n", 4, &out, &err), TM_OK);
    TM_CHECK_INT(out.len, 10);
    TM_CHECK_INT(tm_smtp_dot_stuff("x", 1, &out, &err), TM_ELIMIT); /* "x\r\n" makes 13 */
    TM_CHECK(strstr(err.message, "too large") != NULL);
    TM_CHECK_INT(out.len, 10);
    TM_CHECK_STR(out.data, "keepa\r\nb\r\n");
    TM_CHECK_INT(tm_smtp_dot_stuff(".\n", 2, &out, &err), TM_ELIMIT); /* "..\r\n" */
    TM_CHECK_STR(out.data, "keepa\r\nb\r\n");
    TM_CHECK_INT(tm_smtp_dot_stuff("y", 0, &out, &err), TM_OK);
    TM_CHECK_INT(out.len, 10);
    tm_buf_cleanup(&out);
}

TM_TEST(smtp_has_8bit_finds_any_high_byte)
{
    TM_CHECK(!tm_smtp_has_8bit("plain ascii\r\n", 13));
    TM_CHECK(!tm_smtp_has_8bit("", 0));
    TM_CHECK(tm_smtp_has_8bit("caf\xc3\xa9", 5));
    TM_CHECK(tm_smtp_has_8bit("\x80", 1));
    TM_CHECK(!tm_smtp_has_8bit("x\x80", 1)); /* only len bytes count */
}
