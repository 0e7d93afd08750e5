/* test_smtp_reply.c - the SMTP reply parser line by line (RFC 5321 4.2): multi-line replies, bare
 * codes, every malformed form, the line and count limits, control characters made safe, the
 * formatted text, and a reply read from the stream one byte at a time. */
#include <stdio.h>
#include <string.h>

#include "smtp_fixture.h"
#include "src/net/private.h"
#include "tm_test.h"

/* Feeds the lines of text (separated by '\n') into r; returns the first failure. */
static enum tm_status feed(struct tm_smtp_reply *r, const char *text, struct tm_error *err)
{
    while (*text) {
        const char *nl = strchr(text, '\n');
        size_t n = nl ? (size_t)(nl - text) : strlen(text);
        enum tm_status st = tm_smtp_reply_add_line(r, text, n, err);
        if (st)
            return st;
        text += nl ? n + 1 : n;
    }
    return TM_OK;
}

TM_TEST(smtp_reply_multiline_joins_texts)
{
    struct tm_smtp_reply r;
    struct tm_error err;
    char out[200];
    tm_smtp_reply_init(&r);
    TM_CHECK_INT(tm_smtp_reply_add_line(&r, "250-smtp.example", 16, &err), TM_OK);
    TM_CHECK(!r.complete);
    TM_CHECK_INT(r.code, 250);
    TM_CHECK_INT(feed(&r, "250-SIZE 1000\n250 PIPELINING", &err), TM_OK);
    TM_CHECK(r.complete);
    TM_CHECK_INT(r.lines, 3);
    TM_CHECK_STR(r.text.data, "smtp.example\nSIZE 1000\nPIPELINING");
    tm_smtp_reply_format(&r, out, sizeof(out));
    TM_CHECK_STR(out, "250 smtp.example / SIZE 1000 / PIPELINING");
    tm_smtp_reply_cleanup(&r);
}

TM_TEST(smtp_reply_bare_code_is_a_complete_reply)
{
    struct tm_smtp_reply r;
    struct tm_error err;
    char out[20];
    tm_smtp_reply_init(&r);
    TM_CHECK_INT(tm_smtp_reply_add_line(&r, "354", 3, &err), TM_OK);
    TM_CHECK(r.complete);
    TM_CHECK_INT(r.code, 354);
    TM_CHECK_INT(r.text.len, 0);
    tm_smtp_reply_format(&r, out, sizeof(out));
    TM_CHECK_STR(out, "354");
    tm_smtp_reply_cleanup(&r);
    /* "250-" with no text, then "250 " with none: two empty texts. */
    tm_smtp_reply_init(&r);
    TM_CHECK_INT(feed(&r, "250-\n250 ", &err), TM_OK);
    TM_CHECK(r.complete);
    TM_CHECK_INT(r.lines, 2);
    TM_CHECK_STR(r.text.data, "\n");
    tm_smtp_reply_cleanup(&r);
}

TM_TEST(smtp_reply_mixed_codes_are_malformed)
{
    struct tm_smtp_reply r;
    struct tm_error err;
    tm_smtp_reply_init(&r);
    TM_CHECK_INT(tm_smtp_reply_add_line(&r, "250-first", 9, &err), TM_OK);
    TM_CHECK_INT(tm_smtp_reply_add_line(&r, "251 second", 10, &err), TM_EPROTO);
    TM_CHECK(strstr(err.message, "malformed reply from the SMTP server") != NULL);
    TM_CHECK(strstr(err.message, "251 second") != NULL);
    TM_CHECK_STR(err.server_reply, "251 second");
    /* The reply is as before the bad line. */
    TM_CHECK_INT(r.lines, 1);
    TM_CHECK(!r.complete);
    TM_CHECK_STR(r.text.data, "first");
    tm_smtp_reply_cleanup(&r);
}

TM_TEST(smtp_reply_without_space_or_hyphen_after_the_code_is_malformed)
{
    static const char *const bad[] = {"250OK", "250_ok", "250\tok", "2500 ok"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct tm_smtp_reply r;
        struct tm_error err;
        tm_smtp_reply_init(&r);
        TM_CHECK_INT(tm_smtp_reply_add_line(&r, bad[i], strlen(bad[i]), &err), TM_EPROTO);
        TM_CHECK_INT(r.lines, 0);
        tm_smtp_reply_cleanup(&r);
    }
}

TM_TEST(smtp_reply_code_outside_200_to_599_is_malformed)
{
    static const char *const bad[] = {"199 no", "600 no", "099 no", "000",     "999",   "25 ok",
                                      "2x0 ok", "",       "ok",     " 250 ok", "-250 x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct tm_smtp_reply r;
        struct tm_error err;
        tm_smtp_reply_init(&r);
        TM_CHECK_INT(tm_smtp_reply_add_line(&r, bad[i], strlen(bad[i]), &err), TM_EPROTO);
        TM_CHECK(strstr(err.message, "code") != NULL);
        tm_smtp_reply_cleanup(&r);
    }
    struct tm_smtp_reply r;
    struct tm_error err;
    tm_smtp_reply_init(&r);
    TM_CHECK_INT(tm_smtp_reply_add_line(&r, "200 lowest", 10, &err), TM_OK);
    tm_smtp_reply_cleanup(&r);
    tm_smtp_reply_init(&r);
    TM_CHECK_INT(tm_smtp_reply_add_line(&r, "599 highest", 11, &err), TM_OK);
    tm_smtp_reply_cleanup(&r);
}

TM_TEST(smtp_reply_line_after_the_last_is_malformed)
{
    struct tm_smtp_reply r;
    struct tm_error err;
    tm_smtp_reply_init(&r);
    TM_CHECK_INT(feed(&r, "250 done", &err), TM_OK);
    TM_CHECK_INT(tm_smtp_reply_add_line(&r, "250 again", 9, &err), TM_EPROTO);
    TM_CHECK(strstr(err.message, "after the last") != NULL);
    TM_CHECK_STR(r.text.data, "done");
    tm_smtp_reply_cleanup(&r);
}

TM_TEST(smtp_reply_more_than_the_line_limit_is_malformed)
{
    struct tm_smtp_reply r;
    struct tm_error err;
    tm_smtp_reply_init(&r);
    for (int i = 0; i < TM_SMTP_LINES_MAX - 1; i++)
        TM_CHECK_INT(tm_smtp_reply_add_line(&r, "250-x", 5, &err), TM_OK);
    TM_CHECK_INT(tm_smtp_reply_add_line(&r, "250 last", 8, &err), TM_OK);
    TM_CHECK(r.complete);
    TM_CHECK_INT(r.lines, TM_SMTP_LINES_MAX);
    tm_smtp_reply_cleanup(&r);
    tm_smtp_reply_init(&r);
    for (int i = 0; i < TM_SMTP_LINES_MAX; i++)
        TM_CHECK_INT(tm_smtp_reply_add_line(&r, "250-x", 5, &err), TM_OK);
    TM_CHECK_INT(tm_smtp_reply_add_line(&r, "250 one too many", 16, &err), TM_EPROTO);
    TM_CHECK(strstr(err.message, "more than 200 lines") != NULL);
    tm_smtp_reply_cleanup(&r);
}

TM_TEST(smtp_reply_overlong_line_is_malformed_and_quoted_short)
{
    static char line[TM_SMTP_LINE_MAX + 2];
    struct tm_smtp_reply r;
    struct tm_error err;
    memset(line, 'a', sizeof(line));
    memcpy(line, "250 ", 4);
    tm_smtp_reply_init(&r);
    TM_CHECK_INT(tm_smtp_reply_add_line(&r, line, TM_SMTP_LINE_MAX + 1, &err), TM_EPROTO);
    TM_CHECK(strstr(err.message, "longer than 4096 bytes") != NULL);
    TM_CHECK(strlen(err.server_reply) < 100);
    TM_CHECK(strstr(err.server_reply, "...") != NULL);
    TM_CHECK_INT(tm_smtp_reply_add_line(&r, line, TM_SMTP_LINE_MAX, &err), TM_OK);
    TM_CHECK_INT(r.text.len, TM_SMTP_LINE_MAX - 4);
    tm_smtp_reply_cleanup(&r);
}

TM_TEST(smtp_reply_control_characters_become_question_marks)
{
    static const char line[] = "550 a\x1b[2Jb\x07"
                               "c\x7f"
                               "d\0e\r\x9b"
                               "f\xc2\x9bg\xff"
                               "h caf\xc3\xa9 \xe2\x82\xac";
    struct tm_smtp_reply r;
    struct tm_error err;
    char out[100];
    tm_smtp_reply_init(&r);
    TM_CHECK_INT(tm_smtp_reply_add_line(&r, line, sizeof(line) - 1, &err), TM_OK);
    TM_CHECK_STR(r.text.data, "a?[2Jb?c?d?e??f?g?h caf\xc3\xa9 \xe2\x82\xac");
    tm_smtp_reply_format(&r, out, sizeof(out));
    TM_CHECK_STR(out, "550 a?[2Jb?c?d?e??f?g?h caf\xc3\xa9 \xe2\x82\xac");
    /* A malformed line's excerpt is made safe too. */
    TM_CHECK_INT(tm_smtp_reply_add_line(&r, "\x1b]0;pwned\x07", 10, &err), TM_EPROTO);
    TM_CHECK(strchr(err.message, '\x1b') == NULL);
    TM_CHECK(strchr(err.server_reply, '\x07') == NULL);
    TM_CHECK(strstr(err.server_reply, "?]0;pwned?") != NULL);
    tm_smtp_reply_cleanup(&r);
}

TM_TEST(smtp_reply_format_truncates_on_a_character_boundary)
{
    struct tm_smtp_reply r;
    struct tm_error err;
    char out[9];
    tm_smtp_reply_init(&r);
    TM_CHECK_INT(feed(&r, "550 ab\xe2\x82\xac", &err), TM_OK);
    tm_smtp_reply_format(&r, out, sizeof(out)); /* "550 ab" + 2 of the euro's 3 bytes */
    TM_CHECK_STR(out, "550 ab");
    tm_smtp_reply_format(&r, out, 4);
    TM_CHECK_STR(out, "550");
    tm_smtp_reply_format(&r, out, 1);
    TM_CHECK_STR(out, "");
    tm_smtp_reply_cleanup(&r);
}

TM_TEST(smtp_reply_read_one_byte_at_a_time)
{
    static const char wire[] = "250-smtp.example\r\n250-SIZE 5\n250 OK\r\n354 go\r\n";
    struct tm_stream *stream = NULL;
    struct tm_smtp *s = NULL;
    struct tm_smtp_reply r;
    struct tm_error err;
    TM_CHECK_INT(net_scripted_new_raw(wire, sizeof(wire) - 1, 1, &stream, &err), TM_OK);
    struct tm_smtp_opts o = {.host = "smtp.example", .port = 25, .stream = stream};
    TM_CHECK_INT(smtp_session_new(&o, &s, &err), TM_OK);
    tm_smtp_reply_init(&r);
    TM_CHECK_INT(smtp_read_reply(s, &r, &err), TM_OK);
    TM_CHECK_INT(r.code, 250);
    TM_CHECK_STR(r.text.data, "smtp.example\nSIZE 5\nOK");
    TM_CHECK_INT(smtp_read_reply(s, &r, &err), TM_OK);
    TM_CHECK_INT(r.code, 354);
    TM_CHECK_STR(r.text.data, "go");
    TM_CHECK(!s->dead);
    TM_CHECK_INT(smtp_read_reply(s, &r, &err), TM_ENET); /* then the server closed */
    TM_CHECK(s->dead);
    tm_smtp_reply_cleanup(&r);
    tm_smtp_close(&s);
}

TM_TEST(smtp_reply_overlong_line_on_the_wire_is_a_protocol_error)
{
    static char wire[TM_SMTP_LINE_MAX + 16];
    struct tm_stream *stream = NULL;
    struct tm_smtp *s = NULL;
    struct tm_smtp_reply r;
    struct tm_error err;
    memset(wire, 'x', sizeof(wire));
    memcpy(wire, "250 ", 4);
    memcpy(wire + sizeof(wire) - 2, "\r\n", 2);
    TM_CHECK_INT(net_scripted_new_raw(wire, sizeof(wire), 0, &stream, &err), TM_OK);
    struct tm_smtp_opts o = {.host = "smtp.example", .port = 25, .stream = stream};
    TM_CHECK_INT(smtp_session_new(&o, &s, &err), TM_OK);
    tm_smtp_reply_init(&r);
    TM_CHECK_INT(smtp_read_reply(s, &r, &err), TM_EPROTO);
    TM_CHECK(strstr(err.message, "4096") != NULL);
    TM_CHECK(s->dead);
    tm_smtp_reply_cleanup(&r);
    tm_smtp_close(&s);
}
