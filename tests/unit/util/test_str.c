/* test_str.c - number parsing, prefixes, terminal-safe text (tm_str_visible), display widths. */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "tm_test.h"
#include "tmail/str.h"

/* tm_str_visible into a fresh buffer; the result is static storage valid until the next call. */
static const char *visible(const char *s, size_t len, bool keep_newlines)
{
    static char result[1024];
    struct tm_buf b;
    tm_buf_init(&b, 0);
    if (tm_str_visible(&b, s, len, keep_newlines) != TM_OK || b.len >= sizeof(result)) {
        tm_buf_cleanup(&b);
        return "(error)";
    }
    memcpy(result, b.data ? b.data : "", b.len + 1);
    tm_buf_cleanup(&b);
    return result;
}

#define VIS(lit)    visible((lit), sizeof(lit) - 1, false)
#define VIS_NL(lit) visible((lit), sizeof(lit) - 1, true)

/* No byte the terminal would act on: no C0 except LF/TAB, no DEL, no C1 (raw or UTF-8 encoded). */
static bool terminal_safe(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; p[i]; i++) {
        if ((p[i] < 0x20 && p[i] != '\n' && p[i] != '\t') || p[i] == 0x7F)
            return false;
        if (p[i] == 0xC2 && p[i + 1] >= 0x80 && p[i + 1] < 0xA0)
            return false;
    }
    return true;
}

static void utf8_locale(void)
{
    if (!setlocale(LC_CTYPE, "C.UTF-8"))
        tm_test_fail(__FILE__, __LINE__, "no C.UTF-8 locale");
}

TM_TEST(str_to_i64_parses_whole_numbers)
{
    int64_t v = 7;
    TM_CHECK(tm_str_to_i64("0", &v));
    TM_CHECK_INT(v, 0);
    TM_CHECK(tm_str_to_i64("12345", &v));
    TM_CHECK_INT(v, 12345);
    TM_CHECK(tm_str_to_i64("-17", &v));
    TM_CHECK_INT(v, -17);
    TM_CHECK(tm_str_to_i64("9223372036854775807", &v));
    TM_CHECK(v == INT64_MAX);
    TM_CHECK(tm_str_to_i64("-9223372036854775808", &v));
    TM_CHECK(v == INT64_MIN);
}

TM_TEST(str_to_i64_rejects_junk_and_leaves_output_alone)
{
    int64_t v = 99;
    const char *bad[] = {"",    " 1", "\t1", "1 ",  "1x",  "x1", "0x10",
                         "1.5", "-",  "+",   "--1", "1e3", "١",  "\n5"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (tm_str_to_i64(bad[i], &v)) {
            tm_test_fail(__FILE__, __LINE__, "accepted \"%s\"", bad[i]);
            return;
        }
    }
    TM_CHECK(!tm_str_to_i64(NULL, &v));
    TM_CHECK_INT(v, 99);
}

TM_TEST(str_to_i64_rejects_overflow)
{
    int64_t v = 5;
    TM_CHECK(!tm_str_to_i64("9223372036854775808", &v));
    TM_CHECK(!tm_str_to_i64("-9223372036854775809", &v));
    TM_CHECK(!tm_str_to_i64("99999999999999999999999999", &v));
    TM_CHECK_INT(v, 5);
}

TM_TEST(strndup_copies_prefix)
{
    char *p = tm_strndup("abcdef", 3);
    TM_CHECK(p != NULL);
    TM_CHECK_STR(p, "abc");
    free(p);
    p = tm_strndup("", 0);
    TM_CHECK(p != NULL);
    TM_CHECK_STR(p, "");
    free(p);
}

TM_TEST(has_prefix_ci_ignores_ascii_case)
{
    TM_CHECK(tm_str_has_prefix_ci("Content-Type: x", "content-type:"));
    TM_CHECK(tm_str_has_prefix_ci("abc", ""));
    TM_CHECK(!tm_str_has_prefix_ci("ab", "abc"));
    TM_CHECK(!tm_str_has_prefix_ci("Subject", "From"));
}

TM_TEST(visible_plain_ascii_unchanged)
{
    TM_CHECK_STR(VIS("Hello, world! ~{}"), "Hello, world! ~{}");
    TM_CHECK_STR(VIS(""), "");
}

TM_TEST(visible_escape_and_bell)
{
    TM_CHECK_STR(VIS("\x1b"), "^[");
    TM_CHECK_STR(VIS("\x07"), "^G");
    TM_CHECK_STR(VIS("a\x01z"), "a^Az");
    TM_CHECK_STR(VIS("\x08\x0c\x0b"), "^H^L^K");
    TM_CHECK_STR(VIS("\x1f"), "^_");
}

TM_TEST(visible_nul_byte)
{
    TM_CHECK_STR(visible("a\0b", 3, false), "a^@b");
}

TM_TEST(visible_csi_sequence_is_shown_not_run)
{
    TM_CHECK_STR(VIS("\x1b[31mred\x1b[0m"), "^[[31mred^[[0m");
    TM_CHECK_STR(VIS("\x1b[2J\x1b[H"), "^[[2J^[[H");
}

TM_TEST(visible_osc_title_sequence)
{
    TM_CHECK_STR(VIS("\x1b]0;x\x07"), "^[]0;x^G");
    TM_CHECK_STR(VIS("\x1b]8;;http://e\x1b\\link"), "^[]8;;http://e^[\\link");
}

TM_TEST(visible_c1_controls_encoded_as_utf8)
{
    TM_CHECK_STR(VIS("\xc2\x9b"), "<U+009B>");
    TM_CHECK_STR(VIS("\xc2\x80\xc2\x9f"), "<U+0080><U+009F>");
    TM_CHECK_STR(VIS("\xc2\x9b"
                     "31m"),
                 "<U+009B>31m");
    /* U+00A0 (no-break space) is the first printable character after C1. */
    TM_CHECK_STR(VIS("\xc2\xa0"), "\xc2\xa0");
}

TM_TEST(visible_raw_c1_bytes_are_invalid_utf8)
{
    TM_CHECK_STR(VIS("\x9b"
                     "31m"),
                 "\xef\xbf\xbd"
                 "31m");
    TM_CHECK_STR(VIS("\x90"), "\xef\xbf\xbd");
}

TM_TEST(visible_invalid_utf8_becomes_replacement)
{
    TM_CHECK_STR(VIS("a\xffz"), "a\xef\xbf\xbdz");
    TM_CHECK_STR(VIS("\xc3"), "\xef\xbf\xbd");                 /* truncated at end */
    TM_CHECK_STR(VIS("\xc3x"), "\xef\xbf\xbdx");               /* bad continuation */
    TM_CHECK_STR(VIS("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd"); /* overlong '/' */
    TM_CHECK_STR(VIS("\xe0\x80\xaf"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    TM_CHECK_STR(VIS("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* surrogate */
    TM_CHECK_STR(VIS("\xf4\x90\x80\x80"),
                 "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* > U+10FFFF */
    TM_CHECK_STR(VIS("\x80"), "\xef\xbf\xbd");                        /* lone continuation */
}

TM_TEST(visible_overlong_escape_does_not_smuggle_esc)
{
    /* 0xC0 0x9B would decode to ESC if overlong forms were accepted. */
    const char *r = VIS("\xc0\x9b[31m");
    TM_CHECK(terminal_safe(r));
    TM_CHECK(strchr(r, 0x1b) == NULL);
    TM_CHECK_STR(r, "\xef\xbf\xbd\xef\xbf\xbd[31m");
}

TM_TEST(visible_valid_multibyte_kept)
{
    TM_CHECK_STR(VIS("caf\xc3\xa9"), "caf\xc3\xa9");
    TM_CHECK_STR(VIS("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"),
                 "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
    TM_CHECK_STR(VIS("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80"); /* emoji, 4 bytes */
    TM_CHECK_STR(VIS("\xf4\x8f\xbf\xbf"), "\xf4\x8f\xbf\xbf"); /* U+10FFFF */
}

TM_TEST(visible_tab_and_newline_kept_with_keep_newlines)
{
    TM_CHECK_STR(VIS_NL("a\tb\nc"), "a\tb\nc");
    TM_CHECK_STR(VIS_NL("\n\n"), "\n\n");
}

TM_TEST(visible_tab_and_newline_become_spaces_without_keep_newlines)
{
    TM_CHECK_STR(VIS("a\tb\nc"), "a b c");
}

TM_TEST(visible_crlf_becomes_lf)
{
    TM_CHECK_STR(VIS_NL("one\r\ntwo\r\n"), "one\ntwo\n");
    /* A lone CR is not a line end: it could move the cursor, so it is shown. */
    TM_CHECK_STR(VIS_NL("a\rb"), "a^Mb");
    TM_CHECK_STR(VIS_NL("a\r"), "a^M");
    TM_CHECK_STR(VIS_NL("a\r\r\n"), "a^M\n");
}

TM_TEST(visible_crlf_in_single_line_mode_is_one_space)
{
    TM_CHECK_STR(VIS("Re: a\r\n b"), "Re: a  b");
    TM_CHECK_STR(VIS("a\rb"), "a^Mb");
}

TM_TEST(visible_del)
{
    TM_CHECK_STR(VIS("\x7f"), "^?");
    TM_CHECK_STR(VIS("x\x7fy"), "x^?y");
}

TM_TEST(visible_appends_to_existing_buffer)
{
    struct tm_buf b;
    tm_buf_init(&b, 0);
    TM_CHECK_INT(tm_buf_append_str(&b, "pre:"), TM_OK);
    TM_CHECK_INT(tm_str_visible(&b, "\x1bx", 2, false), TM_OK);
    TM_CHECK_STR(b.data, "pre:^[x");
    tm_buf_cleanup(&b);
}

TM_TEST(visible_respects_buffer_limit)
{
    struct tm_buf b;
    tm_buf_init(&b, 4);
    TM_CHECK_INT(tm_str_visible(&b, "\x1b\x1b\x1b", 3, false), TM_ELIMIT);
    TM_CHECK(b.len <= 4);
    tm_buf_cleanup(&b);
}

TM_TEST(visible_every_byte_value_is_terminal_safe)
{
    /* Each single byte, and each byte after a lead byte, yields text a terminal cannot act on. */
    for (int lead = -1; lead < 256; lead++) {
        for (int c = 0; c < 256; c++) {
            char in[2];
            size_t n = 0;
            if (lead >= 0)
                in[n++] = (char)lead;
            in[n++] = (char)c;
            const char *r = visible(in, n, true);
            if (!terminal_safe(r) || strcmp(r, "(error)") == 0) {
                tm_test_fail(__FILE__, __LINE__, "bytes %02x %02x not made safe", lead & 0xff, c);
                return;
            }
        }
    }
}

TM_TEST(width_ascii_and_cjk)
{
    utf8_locale();
    TM_CHECK_INT(tm_str_width(""), 0);
    TM_CHECK_INT(tm_str_width("hello"), 5);
    TM_CHECK_INT(tm_str_width("\xe6\x97\xa5\xe6\x9c\xac"), 4); /* 日本 */
    TM_CHECK_INT(tm_str_width("a\xe6\x97\xa5"
                              "b"),
                 4);
    TM_CHECK_INT(tm_str_width("caf\xc3\xa9"), 4);
    TM_CHECK_INT(tm_str_width("e\xcc\x81"), 1); /* combining acute accent is zero width */
    TM_CHECK_INT(tm_str_width("\x01"), 1);      /* non-printable counts as 1 */
    TM_CHECK_INT(tm_str_width("a\xff"
                              "b"),
                 3); /* invalid byte counts as 1 */
}

TM_TEST(fit_never_splits_a_wide_character)
{
    utf8_locale();
    const char *s = "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"; /* 日本語: 6 columns, 9 bytes */
    size_t cols = 99;
    TM_CHECK_INT(tm_str_fit(s, 6, &cols), 9);
    TM_CHECK_INT(cols, 6);
    TM_CHECK_INT(tm_str_fit(s, 5, &cols), 6);
    TM_CHECK_INT(cols, 4);
    TM_CHECK_INT(tm_str_fit(s, 1, &cols), 0);
    TM_CHECK_INT(cols, 0);
    TM_CHECK_INT(tm_str_fit(s, 0, &cols), 0);
    TM_CHECK_INT(tm_str_fit(s, 100, NULL), 9);
}

TM_TEST(fit_mixed_ascii_and_multibyte)
{
    utf8_locale();
    const char *s = "ab\xe6\x97\xa5\xc3\xa9z"; /* a b 日 é z: widths 1 1 2 1 1 */
    size_t cols = 0;
    TM_CHECK_INT(tm_str_fit(s, 2, &cols), 2);
    TM_CHECK_INT(cols, 2);
    TM_CHECK_INT(tm_str_fit(s, 3, &cols), 2);
    TM_CHECK_INT(cols, 2);
    TM_CHECK_INT(tm_str_fit(s, 4, &cols), 5);
    TM_CHECK_INT(cols, 4);
    TM_CHECK_INT(tm_str_fit(s, 5, &cols), 7);
    TM_CHECK_INT(cols, 5);
    TM_CHECK_INT(tm_str_fit(s, 6, &cols), 8);
    TM_CHECK_INT(cols, 6);
}

TM_TEST(fit_keeps_combining_mark_with_its_base)
{
    utf8_locale();
    size_t cols = 0;
    /* "é" as e + U+0301 then "x": fitting 1 column keeps the zero-width accent. */
    TM_CHECK_INT(tm_str_fit("e\xcc\x81x", 1, &cols), 3);
    TM_CHECK_INT(cols, 1);
}
