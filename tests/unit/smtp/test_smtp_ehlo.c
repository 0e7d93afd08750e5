/* test_smtp_ehlo.c - EHLO replies into extension bits (AUTH lists and the obsolete AUTH= form,
 * SIZE with and without a number, case), and the name tmail greets with. */
#include <string.h>

#include "smtp_fixture.h"
#include "tm_test.h"

/* Parses an EHLO reply given as its lines (separated by '\n'). */
static enum tm_status parse(const char *lines, struct tm_smtp_caps *caps)
{
    struct tm_smtp_reply r;
    struct tm_error err;
    enum tm_status st = TM_OK;
    tm_smtp_reply_init(&r);
    while (st == TM_OK && *lines) {
        const char *nl = strchr(lines, '\n');
        size_t n = nl ? (size_t)(nl - lines) : strlen(lines);
        st = tm_smtp_reply_add_line(&r, lines, n, &err);
        lines += nl ? n + 1 : n;
    }
    if (st == TM_OK)
        st = tm_smtp_parse_ehlo(&r, caps, &err);
    tm_smtp_reply_cleanup(&r);
    return st;
}

TM_TEST(smtp_ehlo_postfix_reply)
{
    struct tm_smtp_caps caps;
    TM_CHECK_INT(parse("250-smtp.example\n"
                       "250-PIPELINING\n"
                       "250-SIZE 10240000\n"
                       "250-VRFY\n"
                       "250-ETRN\n"
                       "250-STARTTLS\n"
                       "250-AUTH PLAIN LOGIN\n"
                       "250-ENHANCEDSTATUSCODES\n"
                       "250-8BITMIME\n"
                       "250-DSN\n"
                       "250-SMTPUTF8\n"
                       "250 CHUNKING",
                       &caps),
                 TM_OK);
    TM_CHECK_INT(caps.ext, TM_SMTP_EXT_PIPELINING | TM_SMTP_EXT_SIZE | TM_SMTP_EXT_STARTTLS |
                               TM_SMTP_EXT_AUTH | TM_SMTP_EXT_ENHANCEDSTATUSCODES |
                               TM_SMTP_EXT_8BITMIME | TM_SMTP_EXT_SMTPUTF8);
    TM_CHECK_INT(caps.auth, TM_SMTP_AUTH_PLAIN | TM_SMTP_AUTH_LOGIN);
    TM_CHECK_INT(caps.size_limit, 10240000);
}

TM_TEST(smtp_ehlo_auth_lists_and_the_obsolete_form_add_up)
{
    struct tm_smtp_caps caps;
    TM_CHECK_INT(parse("250-smtp.example\n"
                       "250-AUTH=LOGIN PLAIN\n"
                       "250-AUTH  CRAM-MD5 XOAUTH2   OAUTHBEARER \n"
                       "250 AUTH SCRAM-SHA-256 SCRAM-SHA-256-PLUS GSSAPI",
                       &caps),
                 TM_OK);
    TM_CHECK_INT(caps.ext, TM_SMTP_EXT_AUTH);
    TM_CHECK_INT(caps.auth, TM_SMTP_AUTH_LOGIN | TM_SMTP_AUTH_PLAIN | TM_SMTP_AUTH_XOAUTH2 |
                                TM_SMTP_AUTH_OAUTHBEARER | TM_SMTP_AUTH_SCRAM_SHA_256);
    /* AUTH with no mechanism still announces AUTH. */
    TM_CHECK_INT(parse("250-x\n250 AUTH", &caps), TM_OK);
    TM_CHECK_INT(caps.ext, TM_SMTP_EXT_AUTH);
    TM_CHECK_INT(caps.auth, 0);
}

TM_TEST(smtp_ehlo_size_with_and_without_a_number)
{
    struct tm_smtp_caps caps;
    TM_CHECK_INT(parse("250-x\n250 SIZE", &caps), TM_OK);
    TM_CHECK_INT(caps.ext, TM_SMTP_EXT_SIZE);
    TM_CHECK_INT(caps.size_limit, 0);
    TM_CHECK_INT(parse("250-x\n250 SIZE 0", &caps), TM_OK);
    TM_CHECK_INT(caps.ext, TM_SMTP_EXT_SIZE);
    TM_CHECK_INT(caps.size_limit, 0);
    TM_CHECK_INT(parse("250-x\n250 SIZE lots", &caps), TM_OK);
    TM_CHECK_INT(caps.size_limit, 0);
    TM_CHECK_INT(parse("250-x\n250 SIZE -5", &caps), TM_OK);
    TM_CHECK_INT(caps.size_limit, 0);
    TM_CHECK_INT(parse("250-x\n250 SIZE 12x", &caps), TM_OK);
    TM_CHECK_INT(caps.size_limit, 0);
    TM_CHECK_INT(parse("250-x\n250 SIZE 999999999999999999999999", &caps), TM_OK);
    TM_CHECK_INT(caps.ext, TM_SMTP_EXT_SIZE);
    TM_CHECK_INT(caps.size_limit, 0);
    TM_CHECK_INT(parse("250-x\n250 SIZE  52428800", &caps), TM_OK);
    TM_CHECK_INT(caps.size_limit, 52428800);
}

TM_TEST(smtp_ehlo_keywords_are_case_insensitive_and_exact)
{
    struct tm_smtp_caps caps;
    TM_CHECK_INT(parse("250-x\n250-size 100\n250-Pipelining\n250-starttls\n250-8bitmime\n"
                       "250 auth plain Scram-Sha-256",
                       &caps),
                 TM_OK);
    TM_CHECK_INT(caps.ext, TM_SMTP_EXT_SIZE | TM_SMTP_EXT_PIPELINING | TM_SMTP_EXT_STARTTLS |
                               TM_SMTP_EXT_8BITMIME | TM_SMTP_EXT_AUTH);
    TM_CHECK_INT(caps.auth, TM_SMTP_AUTH_PLAIN | TM_SMTP_AUTH_SCRAM_SHA_256);
    TM_CHECK_INT(caps.size_limit, 100);
    /* Longer or shorter words are other keywords; SIZE= is not SIZE. */
    TM_CHECK_INT(parse("250-x\n250-STARTTLSX\n250-PIPELININ\n250-SIZE=100\n250 XAUTH PLAIN", &caps),
                 TM_OK);
    TM_CHECK_INT(caps.ext, 0);
    TM_CHECK_INT(caps.auth, 0);
}

TM_TEST(smtp_ehlo_first_line_is_the_greeting_not_a_keyword)
{
    struct tm_smtp_caps caps;
    TM_CHECK_INT(parse("250-STARTTLS\n250 8BITMIME", &caps), TM_OK);
    TM_CHECK_INT(caps.ext, TM_SMTP_EXT_8BITMIME);
    TM_CHECK_INT(parse("250 STARTTLS", &caps), TM_OK);
    TM_CHECK_INT(caps.ext, 0);
}

TM_TEST(smtp_ehlo_needs_a_complete_250_reply)
{
    struct tm_smtp_caps caps = {.ext = 7, .auth = 1, .size_limit = 5};
    TM_CHECK_INT(parse("250-x\n250-STARTTLS", &caps), TM_EPROTO); /* incomplete */
    TM_CHECK_INT(caps.ext, 0);
    TM_CHECK_INT(parse("502 5.5.2 Error: command not recognized", &caps), TM_EPROTO);
    TM_CHECK_INT(parse("220-x\n220 STARTTLS", &caps), TM_EPROTO);
}

TM_TEST(smtp_ehlo_name_configured_fqdn_or_address_literal)
{
    char out[SMTP_EHLO_NAME_MAX];
    struct tm_error err;
    TM_CHECK_INT(smtp_ehlo_name("me.example", "host.example", "192.0.2.7", out, sizeof(out), &err),
                 TM_OK);
    TM_CHECK_STR(out, "me.example");
    TM_CHECK_INT(smtp_ehlo_name(NULL, "host.example", "192.0.2.7", out, sizeof(out), &err), TM_OK);
    TM_CHECK_STR(out, "host.example");
    TM_CHECK_INT(smtp_ehlo_name("", "laptop", "192.0.2.7", out, sizeof(out), &err), TM_OK);
    TM_CHECK_STR(out, "[192.0.2.7]");
    TM_CHECK_INT(smtp_ehlo_name(NULL, "", "2001:db8::7", out, sizeof(out), &err), TM_OK);
    TM_CHECK_STR(out, "[IPv6:2001:db8::7]");
    /* Not domains: a leading or double dot, a blank, an underscore. */
    static const char *const bad[] = {".example", "a..example", "host.example.", "a b.example",
                                      "my_host.example"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        TM_CHECK_INT(smtp_ehlo_name(NULL, bad[i], "127.0.0.1", out, sizeof(out), &err), TM_OK);
        TM_CHECK_STR(out, "[127.0.0.1]");
    }
}

TM_TEST(smtp_ehlo_name_refuses_unusable_names)
{
    char out[SMTP_EHLO_NAME_MAX], tiny[8];
    struct tm_error err;
    TM_CHECK_INT(smtp_ehlo_name("bad name", NULL, "127.0.0.1", out, sizeof(out), &err), TM_ECONFIG);
    TM_CHECK_INT(smtp_ehlo_name("bad\r\nRSET", NULL, "127.0.0.1", out, sizeof(out), &err),
                 TM_ECONFIG);
    TM_CHECK_INT(smtp_ehlo_name(NULL, "laptop", NULL, out, sizeof(out), &err), TM_ENOTSUP);
    TM_CHECK_INT(smtp_ehlo_name(NULL, "host.example", NULL, tiny, sizeof(tiny), &err), TM_ELIMIT);
    TM_CHECK_STR(tiny, "");
}
