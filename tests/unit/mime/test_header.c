/* test_header.c - header end, field iteration with folding, unfolding and structured values. */
#include <stdlib.h>
#include <string.h>

#include "src/mime/private.h"
#include "tm_test.h"

#define S(lit) lit, sizeof(lit) - 1

TM_TEST(header_end_after_lf_blank_line)
{
    const char msg[] = "A: 1\nB: 2\n\nbody\n";
    TM_CHECK_INT(tm_mime_header_end(S(msg)), 11);
}

TM_TEST(header_end_after_crlf_blank_line)
{
    const char msg[] = "A: 1\r\nB: 2\r\n\r\nbody\r\n";
    TM_CHECK_INT(tm_mime_header_end(S(msg)), 14);
}

TM_TEST(header_without_blank_line_is_all_header)
{
    const char msg[] = "A: 1\nB: 2\n";
    TM_CHECK_INT(tm_mime_header_end(S(msg)), sizeof(msg) - 1);
    char *b = tm_mime_header_get(S(msg), "b");
    TM_CHECK_STR(b, "2");
    free(b);
}

TM_TEST(header_message_starting_with_blank_line_has_empty_header)
{
    const char lf[] = "\nA: 1\n", crlf[] = "\r\nA: 1\r\n";
    TM_CHECK_INT(tm_mime_header_end(S(lf)), 1);
    TM_CHECK_INT(tm_mime_header_end(S(crlf)), 2);
    TM_CHECK(tm_mime_header_get(S(lf), "A") == NULL);
    TM_CHECK(tm_mime_header_get(S(crlf), "A") == NULL);
    TM_CHECK_INT(tm_mime_header_end("", 0), 0);
}

TM_TEST(header_next_iterates_folded_fields)
{
    const char msg[] = "Subject: one\r\n two\r\nTo: a@b\r\n\r\nX: body\r\n";
    size_t hdr = tm_mime_header_end(S(msg)), pos = 0;
    struct tm_header_field f;
    TM_CHECK(tm_mime_header_next(msg, hdr, &pos, &f));
    TM_CHECK_INT(f.name_len, 7);
    TM_CHECK(memcmp(f.name, "Subject", 7) == 0);
    TM_CHECK_INT(f.value_len, strlen("one\r\n two"));
    TM_CHECK(memcmp(f.value, "one\r\n two", f.value_len) == 0);
    TM_CHECK(tm_mime_header_next(msg, hdr, &pos, &f));
    TM_CHECK_INT(f.value_len, 3);
    TM_CHECK(memcmp(f.value, "a@b", 3) == 0);
    TM_CHECK(!tm_mime_header_next(msg, hdr, &pos, &f));
}

TM_TEST(header_next_skips_lines_without_colon_and_bad_names)
{
    const char msg[] = "From joe@x Mon Jan  1 00:00:00 2001\n"
                       " orphan continuation\n"
                       "junk line\n"
                       "Subject : spaced name\n\n";
    size_t pos = 0;
    struct tm_header_field f;
    TM_CHECK(tm_mime_header_next(S(msg), &pos, &f));
    TM_CHECK_INT(f.name_len, 7);
    TM_CHECK(memcmp(f.value, "spaced name", f.value_len) == 0);
    TM_CHECK(!tm_mime_header_next(S(msg), &pos, &f));
}

TM_TEST(header_get_unfolds_and_trims)
{
    const char msg[] = "Subject:   a long  \r\n\t subject \r\n  here \r\n\r\n";
    char *s = tm_mime_header_get(S(msg), "SUBJECT");
    TM_CHECK_STR(s, "a long subject here");
    free(s);
}

TM_TEST(header_get_lf_and_crlf_give_same_value)
{
    const char lf[] = "X-A: 1\n 2\n\n", crlf[] = "X-A: 1\r\n 2\r\n\r\n";
    char *a = tm_mime_header_get(S(lf), "x-a"), *b = tm_mime_header_get(S(crlf), "x-a");
    TM_CHECK_STR(a, "1 2");
    TM_CHECK_STR(b, "1 2");
    free(a);
    free(b);
}

TM_TEST(header_get_first_of_duplicates_wins)
{
    const char msg[] = "Subject: first\nSubject: second\n\n";
    char *s = tm_mime_header_get(S(msg), "Subject");
    TM_CHECK_STR(s, "first");
    free(s);
}

TM_TEST(header_get_value_starting_on_continuation_line)
{
    const char msg[] = "Subject:\n  folded at once\nTo:\n\n";
    char *s = tm_mime_header_get(S(msg), "Subject"), *t = tm_mime_header_get(S(msg), "To");
    TM_CHECK_STR(s, "folded at once");
    TM_CHECK_STR(t, "");
    free(s);
    free(t);
}

TM_TEST(header_get_does_not_read_the_body)
{
    const char msg[] = "A: 1\n\nB: 2\n";
    TM_CHECK(tm_mime_header_get(S(msg), "B") == NULL);
}

TM_TEST(header_unfold_drops_nul_bytes)
{
    const char msg[] = "A: x\0y\n\n";
    char *a = tm_mime_header_get(S(msg), "A");
    TM_CHECK_STR(a, "xy");
    free(a);
}

TM_TEST(ctype_parses_type_and_quoted_params)
{
    struct mime_ctype ct;
    char *name = NULL;
    TM_CHECK_INT(mime_ctype_parse("Multipart/Mixed (c); boundary=\"=_a\\\"b\"; "
                                  "CHARSET=UTF-8 (comment); name=\"r\xc3\xa9.pdf\"",
                                  "text", "plain", &ct),
                 TM_OK);
    TM_CHECK_STR(ct.type, "multipart");
    TM_CHECK_STR(ct.subtype, "mixed");
    TM_CHECK_STR(mime_ctype_raw(&ct, "boundary"), "=_a\"b");
    TM_CHECK_STR(mime_ctype_raw(&ct, "charset"), "UTF-8");
    TM_CHECK_INT(mime_ctype_param(&ct, "name", &name), TM_OK);
    TM_CHECK_STR(name, "r\xc3\xa9.pdf");
    free(name);
    mime_ctype_cleanup(&ct);
}

TM_TEST(ctype_missing_or_broken_uses_default)
{
    struct mime_ctype ct;
    TM_CHECK_INT(mime_ctype_parse(NULL, "message", "rfc822", &ct), TM_OK);
    TM_CHECK_STR(ct.type, "message");
    TM_CHECK_STR(ct.subtype, "rfc822");
    TM_CHECK_INT(mime_ctype_parse("application-x-gzip; name=a.gz", "text", "plain", &ct), TM_OK);
    TM_CHECK_STR(ct.type, "text");
    TM_CHECK_STR(ct.subtype, "plain");
    TM_CHECK_STR(mime_ctype_raw(&ct, "name"), "a.gz");
    mime_ctype_cleanup(&ct);
    TM_CHECK_INT(mime_ctype_parse("text; charset=koi8-r", "text", "plain", &ct), TM_OK);
    TM_CHECK_STR(ct.subtype, "plain");
    TM_CHECK_STR(mime_ctype_raw(&ct, "charset"), "koi8-r");
    mime_ctype_cleanup(&ct);
}

TM_TEST(ctype_rfc2231_continuations_and_charset)
{
    struct mime_ctype ct;
    char *v = NULL;
    TM_CHECK_INT(mime_ctype_parse("attachment; filename*0*=iso-8859-1'fr'r%E9sum; "
                                  "filename*1=\"e final\"; filename*2*=%2Epdf",
                                  "", "", &ct),
                 TM_OK);
    TM_CHECK_STR(ct.type, "attachment");
    TM_CHECK_INT(mime_ctype_param(&ct, "filename", &v), TM_OK);
    TM_CHECK_STR(v, "r\xc3\xa9sume final.pdf");
    free(v);
    mime_ctype_cleanup(&ct);
    TM_CHECK_INT(mime_ctype_parse("inline; filename*=UTF-8''%E2%82%AC.txt", "", "", &ct), TM_OK);
    TM_CHECK_INT(mime_ctype_param(&ct, "filename", &v), TM_OK);
    TM_CHECK_STR(v, "\xe2\x82\xac.txt");
    free(v);
    mime_ctype_cleanup(&ct);
    TM_CHECK_INT(mime_ctype_parse("inline; filename*=utf-8'en'100%25%ZZ%4", "", "", &ct), TM_OK);
    TM_CHECK_INT(mime_ctype_param(&ct, "filename", &v), TM_OK);
    TM_CHECK_STR(v, "100%%ZZ%4");
    free(v);
    mime_ctype_cleanup(&ct);
}

TM_TEST(ctype_encoded_word_in_quoted_filename_is_decoded)
{
    struct mime_ctype ct;
    char *v = NULL;
    TM_CHECK_INT(mime_ctype_parse("attachment; filename=\"=?UTF-8?B?w6l0w6kucGRm?=\"", "", "", &ct),
                 TM_OK);
    TM_CHECK_INT(mime_ctype_param(&ct, "filename", &v), TM_OK);
    TM_CHECK_STR(v, "\xc3\xa9t\xc3\xa9.pdf");
    free(v);
    TM_CHECK_INT(mime_ctype_param(&ct, "name", &v), TM_OK);
    TM_CHECK(v == NULL);
    mime_ctype_cleanup(&ct);
}

TM_TEST(ctype_unquoted_values_with_blanks_and_unterminated_quotes)
{
    struct mime_ctype ct;
    TM_CHECK_INT(mime_ctype_parse("application/pdf; name=my report/v2.pdf ; x=\"open end", "text",
                                  "plain", &ct),
                 TM_OK);
    TM_CHECK_STR(mime_ctype_raw(&ct, "name"), "my report/v2.pdf");
    TM_CHECK_STR(mime_ctype_raw(&ct, "x"), "open end");
    mime_ctype_cleanup(&ct);
}

TM_TEST(ctype_junk_params_do_not_crash)
{
    static const char *const junk[] = {
        ";",
        "text/plain;;;=;=x;a=",
        "/",
        "a/b; x=\"unterminated",
        "a/b; (unterminated",
        "a/b; x*0*=''%; x*1*=%Z",
        "a/b; =====",
        "\"",
        "a/b; p=\"\\",
    };
    for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
        struct mime_ctype ct;
        char *v = NULL;
        TM_CHECK_INT(mime_ctype_parse(junk[i], "text", "plain", &ct), TM_OK);
        TM_CHECK_INT(mime_ctype_param(&ct, "x", &v), TM_OK);
        free(v);
        mime_ctype_cleanup(&ct);
    }
}
