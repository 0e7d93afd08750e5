/* test_rfc2047.c - encoded words, raw 8-bit header text and charset conversion. */
#include <stdlib.h>
#include <string.h>

#include "src/mime/private.h"
#include "tm_test.h"

/* Decodes text and compares with want; frees the result. */
#define CHECK_DECODE(text, fallback, want)                                                         \
    do {                                                                                           \
        char *got_ = tm_mime_decode_header_text(text, fallback);                                   \
        TM_CHECK(got_ != NULL);                                                                    \
        int same_ = strcmp(got_, want) == 0;                                                       \
        if (!same_)                                                                                \
            tm_test_fail(__FILE__, __LINE__, "decode(%s) = \"%s\", want \"%s\"", text, got_,       \
                         want);                                                                    \
        free(got_);                                                                                \
        if (!same_)                                                                                \
            return;                                                                                \
    } while (0)

TM_TEST(rfc2047_b_word)
{
    CHECK_DECODE("=?UTF-8?B?w6l0w6k=?=", NULL, "\xc3\xa9t\xc3\xa9");
}

TM_TEST(rfc2047_q_word_underscore_is_space)
{
    CHECK_DECODE("=?iso-8859-1?q?caf=E9_cr=e8me?=", NULL, "caf\xc3\xa9 cr\xc3\xa8me");
}

TM_TEST(rfc2047_encoding_letter_is_case_insensitive)
{
    CHECK_DECODE("=?utf-8?b?w6k=?= =?UTF-8?Q?=C3=A9?=", NULL, "\xc3\xa9\xc3\xa9");
}

TM_TEST(rfc2047_words_mixed_with_text_keep_spacing)
{
    CHECK_DECODE("Re: =?utf-8?q?caf=C3=A9?= time", NULL, "Re: caf\xc3\xa9 time");
}

TM_TEST(rfc2047_whitespace_between_adjacent_words_dropped)
{
    CHECK_DECODE("=?utf-8?q?a?= =?utf-8?q?b?=\t =?iso-8859-1?q?c?=", NULL, "abc");
    CHECK_DECODE("=?utf-8?q?a_?= =?utf-8?q?b?=", NULL, "a b");
}

TM_TEST(rfc2047_multibyte_char_split_across_words)
{
    /* U+20AC (E2 82 AC) cut after its first byte, in B and in Q. */
    CHECK_DECODE("=?UTF-8?B?4g==?= =?UTF-8?B?gqw=?=", NULL, "\xe2\x82\xac");
    CHECK_DECODE("=?utf-8?Q?x=E2=82?=\r\n =?UTF-8?q?=AC?=", NULL, "x\xe2\x82\xac");
    /* Shift_JIS "日本" (93 FA 96 7B) split in the middle of the first character. */
    CHECK_DECODE("=?shift_jis?B?kw==?= =?shift_jis?B?+pZ7?=", NULL, "\xe6\x97\xa5\xe6\x9c\xac");
}

TM_TEST(rfc2047_charset_language_suffix_stripped)
{
    CHECK_DECODE("=?US-ASCII*EN?Q?Keith_Moore?=", NULL, "Keith Moore");
    CHECK_DECODE("=?utf-8*de?q?=C3=BC?==?UTF-8*fr?Q?=C3=A9?=", NULL, "\xc3\xbc\xc3\xa9");
}

TM_TEST(rfc2047_words_inside_a_word_are_decoded)
{
    CHECK_DECODE("foo=?utf-8?q?=C3=A9?=bar", NULL,
                 "foo\xc3\xa9"
                 "bar");
    CHECK_DECODE("(=?utf-8?q?x?=)", NULL, "(x)");
}

TM_TEST(rfc2047_overlong_word_accepted)
{
    CHECK_DECODE("=?utf-8?q?this_encoded_word_is_much_longer_than_the_seventy-five_characters_"
                 "that_RFC_2047_allows?=",
                 NULL,
                 "this encoded word is much longer than the seventy-five characters that RFC "
                 "2047 allows");
}

TM_TEST(rfc2047_invalid_base64_tolerated)
{
    CHECK_DECODE("=?utf-8?b?w6!l0w6k?=", NULL, "\xc3\xa9t\xc3\xa9");
    CHECK_DECODE("=?utf-8?b?aGVsbG8?=", NULL, "hello");
    CHECK_DECODE("=?utf-8?b?w?=", NULL, "");
}

TM_TEST(rfc2047_unknown_charset_uses_fallback)
{
    CHECK_DECODE("=?x-klingon?q?caf=E9?=", NULL, "caf\xc3\xa9");
    CHECK_DECODE("=?x-klingon?q?caf=C3=A9?=", NULL, "caf\xc3\xa9");
    CHECK_DECODE("=?unknown-8bit?q?=80?=", NULL, "\xe2\x82\xac");
    CHECK_DECODE("=?bad/name?q?=E9?=", NULL, "\xc3\xa9");
}

TM_TEST(rfc2047_invalid_bytes_become_replacement_character)
{
    CHECK_DECODE("=?utf-8?q?a=FFb?=", NULL,
                 "a\xef\xbf\xbd"
                 "b");
    CHECK_DECODE("=?utf-8?q?=E2=82?=", NULL, "\xef\xbf\xbd\xef\xbf\xbd");
}

TM_TEST(rfc2047_malformed_words_stay_literal)
{
    CHECK_DECODE("=?utf-8?x?abc?=", NULL, "=?utf-8?x?abc?=");
    CHECK_DECODE("=?utf-8?q?abc", NULL, "=?utf-8?q?abc");
    CHECK_DECODE("=??q?abc?=", NULL, "=??q?abc?=");
    CHECK_DECODE("=?", NULL, "=?");
    CHECK_DECODE("a =?utf-8?q?b", NULL, "a =?utf-8?q?b");
    CHECK_DECODE("=?utf-8?q?bad=ZZ=?=", NULL, "bad=ZZ=");
}

TM_TEST(rfc2047_q_word_with_blanks_is_accepted)
{
    CHECK_DECODE("=?utf-8?q?hello world?=", NULL, "hello world");
}

TM_TEST(rfc2047_raw_latin1_subject_becomes_utf8)
{
    CHECK_DECODE("Caf\xe9 cr\xe8me", NULL, "Caf\xc3\xa9 cr\xc3\xa8me");
    CHECK_DECODE("\x93quoted\x94", NULL, "\xe2\x80\x9cquoted\xe2\x80\x9d");
    CHECK_DECODE("\xe9t\xea", "koi8-r", "\xd0\x98t\xd0\x99");
}

TM_TEST(rfc2047_raw_utf8_kept)
{
    CHECK_DECODE("Caf\xc3\xa9", NULL, "Caf\xc3\xa9");
    CHECK_DECODE("", NULL, "");
    char *s = tm_mime_decode_header_text(NULL, NULL);
    TM_CHECK_STR(s, "");
    free(s);
}

TM_TEST(rfc2047_decoded_nul_is_dropped)
{
    CHECK_DECODE("=?utf-8?q?a=00b?=", NULL, "ab");
}

TM_TEST(rfc2047_mixed_charsets_in_sequence)
{
    CHECK_DECODE("=?iso-8859-1?q?=E9?= =?koi8-r?b?6Q==?= =?utf-8?q?=C3=A9?=", NULL,
                 "\xc3\xa9\xd0\x98\xc3\xa9");
}

TM_TEST(charset_aliases_for_mislabelled_names)
{
    struct tm_buf b;
    tm_buf_init(&b, 0);
    TM_CHECK_INT(mime_charset_convert(&b, "latin1", 6, "\x80", 1, NULL), TM_OK);
    TM_CHECK_STR(b.data, "\xe2\x82\xac");
    tm_buf_reset(&b);
    TM_CHECK_INT(mime_charset_convert(&b, "\"utf8\"", 6, "\xc3\xa9", 2, NULL), TM_OK);
    TM_CHECK_STR(b.data, "\xc3\xa9");
    tm_buf_reset(&b);
    TM_CHECK_INT(mime_charset_convert(&b, "ks_c_5601-1987", 14, "\xb0\xa1", 2, NULL), TM_OK);
    TM_CHECK_STR(b.data, "\xea\xb0\x80");
    tm_buf_reset(&b);
    /* GBK-only character in mail labelled gb2312. */
    TM_CHECK_INT(mime_charset_convert(&b, "gb2312", 6, "\x81\x40", 2, NULL), TM_OK);
    TM_CHECK_STR(b.data, "\xe4\xb8\x82");
    tm_buf_reset(&b);
    TM_CHECK_INT(mime_charset_convert(&b, "us-ascii", 8, "\xc3\xa9", 2, NULL), TM_OK);
    TM_CHECK_STR(b.data, "\xc3\xa9");
    tm_buf_reset(&b);
    TM_CHECK_INT(mime_charset_convert(&b, "us-ascii", 8, "\xe9", 1, NULL), TM_OK);
    TM_CHECK_STR(b.data, "\xc3\xa9");
    tm_buf_cleanup(&b);
}

TM_TEST(charset_invalid_sequences_replaced_and_conversion_goes_on)
{
    struct tm_buf b;
    tm_buf_init(&b, 0);
    /* 0x81 is undefined in windows-1252; a truncated Shift_JIS lead byte ends the text. */
    TM_CHECK_INT(mime_charset_convert(&b, "windows-1252", 12,
                                      "a\x81"
                                      "b",
                                      3, NULL),
                 TM_OK);
    TM_CHECK_STR(b.data, "a\xef\xbf\xbd"
                         "b");
    tm_buf_reset(&b);
    TM_CHECK_INT(mime_charset_convert(&b, "shift_jis", 9, "a\x93", 2, NULL), TM_OK);
    TM_CHECK_STR(b.data, "a\xef\xbf\xbd");
    tm_buf_cleanup(&b);
}

TM_TEST(charset_output_is_bounded_by_the_buffer_cap)
{
    struct tm_buf b;
    char in[10000];
    memset(in, 0xe9, sizeof(in));
    tm_buf_init(&b, 100);
    TM_CHECK_INT(mime_charset_convert(&b, "iso-8859-1", 10, in, sizeof(in), NULL), TM_ELIMIT);
    TM_CHECK(b.len <= 100);
    TM_CHECK(mime_utf8_valid(b.data, b.len));
    tm_buf_cleanup(&b);
}

TM_TEST(charset_long_text_converted_in_chunks)
{
    struct tm_buf b;
    static char in[20000];
    memset(in, 0xe9, sizeof(in));
    tm_buf_init(&b, 0);
    TM_CHECK_INT(mime_charset_convert(&b, "iso-8859-15", 11, in, sizeof(in), NULL), TM_OK);
    TM_CHECK_INT(b.len, 40000);
    TM_CHECK(memcmp(b.data + 39998, "\xc3\xa9", 2) == 0);
    tm_buf_cleanup(&b);
}
