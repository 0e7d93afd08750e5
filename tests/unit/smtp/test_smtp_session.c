/* test_smtp_session.c - transcript tests of opening a session: greeting refusals, EHLO, STARTTLS
 * and its attacks (missing, refused, injected replies), HELO as a last resort, QUIT. */
#include <string.h>

#include "smtp_fixture.h"
#include "tm_test.h"

TM_TEST(smtp_starttls_then_ehlo_again_with_the_new_extensions)
{
    struct sfx f;
    sfx_init(&f, OPENING "S: 250-PIPELINING\n"
                         "S: 250 SIZE 2000\n");
    TM_CHECK_INT(sfx_open(&f), TM_OK);
    TM_CHECK(tm_stream_is_tls(f.s->stream));
    /* Only what the second EHLO said: the first one's STARTTLS is forgotten. */
    TM_CHECK_INT(tm_smtp_caps(f.s)->ext, TM_SMTP_EXT_PIPELINING | TM_SMTP_EXT_SIZE);
    TM_CHECK_INT(tm_smtp_caps(f.s)->size_limit, 2000);
    TM_CHECK_INT(f.secret_calls, 0);
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_missing_starttls_is_refused_before_anything_is_sent)
{
    struct sfx f;
    sfx_init(&f, GREETING "C: EHLO client.example\n"
                          "S: 250-smtp.example\n"
                          "S: 250-AUTH PLAIN\n"
                          "S: 250 SIZE 1000\n");
    f.o.user = "alice";
    TM_CHECK_INT(sfx_open(&f), TM_ETLS);
    TM_CHECK_STR(f.err.message, "the SMTP server smtp.example:587 does not offer STARTTLS; "
                                "refusing to send in plain text");
    TM_CHECK(f.s->dead);
    TM_CHECK_INT(f.secret_calls, 0);
    sfx_finish(&f); /* and nothing after the EHLO went out */
    sfx_close(&f);
}

TM_TEST(smtp_open_failure_frees_the_session_and_its_stream)
{
    struct sfx f;
    struct tm_smtp *s = (struct tm_smtp *)&f; /* must be replaced by NULL */
    sfx_init(&f, GREETING "C: EHLO client.example\n"
                          "S: 250 smtp.example\n");
    TM_CHECK_INT(tm_smtp_open(&f.o, &s, &f.err), TM_ETLS);
    TM_CHECK(s == NULL); /* and the stream it took over is closed (ASan checks the leak) */
}

TM_TEST(smtp_reply_injected_after_starttls_is_refused)
{
    struct sfx f;
    sfx_init(&f, GREETING "C: EHLO client.example\n"
                          "S: 250-smtp.example\n"
                          "S: 250 STARTTLS\n"
                          "C: STARTTLS\n"
                          "S: 220 2.0.0 Ready to start TLS\n"
                          "S: 250-smtp.example\n"
                          "S: 250 AUTH PLAIN\n"
                          "T:\n");
    f.o.user = "alice";
    TM_CHECK_INT(sfx_open(&f), TM_ETLS);
    TM_CHECK(strstr(f.err.message, "after its STARTTLS reply") != NULL);
    TM_CHECK(f.s->dead);
    TM_CHECK_INT(f.secret_calls, 0);
    sfx_close(&f);
}

TM_TEST(smtp_refused_starttls_is_a_tls_error_with_the_reply)
{
    struct sfx f;
    sfx_init(&f, GREETING "C: EHLO client.example\n"
                          "S: 250-smtp.example\n"
                          "S: 250 STARTTLS\n"
                          "C: STARTTLS\n"
                          "S: 454 4.7.0 TLS not available due to local problem\n");
    TM_CHECK_INT(sfx_open(&f), TM_ETLS);
    TM_CHECK(strstr(f.err.message, "refused STARTTLS") != NULL);
    TM_CHECK_STR(f.err.server_reply, "454 4.7.0 TLS not available due to local problem");
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_greeting_554_fails_with_the_reply)
{
    struct sfx f;
    sfx_init(&f, "S: 554-smtp.example no SMTP service here\n"
                 "S: 554 5.7.1 your address is listed\n");
    TM_CHECK_INT(sfx_open(&f), TM_ENET);
    TM_CHECK_STR(f.err.message, "the SMTP server smtp.example:587 refused the connection: 554 "
                                "smtp.example no SMTP service here / 5.7.1 your address is "
                                "listed");
    TM_CHECK_STR(f.err.server_reply,
                 "554 smtp.example no SMTP service here / 5.7.1 your address is listed");
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_greeting_421_is_a_network_error_with_safe_text)
{
    struct sfx f;
    sfx_init(&f, "S: 421 4.3.2 busy \x1b[2J\x1b]0;owned\x07 try later\n");
    TM_CHECK_INT(sfx_open(&f), TM_ENET);
    TM_CHECK_STR(f.err.message, "the SMTP server smtp.example:587 said: 421 4.3.2 busy ?[2J?]0;"
                                "owned? try later");
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_greeting_that_is_no_smtp_is_a_protocol_error)
{
    struct sfx f;
    sfx_init(&f, "S: * OK IMAP4rev1 ready\n");
    TM_CHECK_INT(sfx_open(&f), TM_EPROTO);
    TM_CHECK(strstr(f.err.message, "malformed reply") != NULL);
    sfx_close(&f);
    sfx_init(&f, "S: 250 hello?\n");
    TM_CHECK_INT(sfx_open(&f), TM_EPROTO);
    TM_CHECK(strstr(f.err.message, "does not greet like an SMTP server") != NULL);
    sfx_close(&f);
}

TM_TEST(smtp_ehlo_refused_falls_back_to_helo_then_quits)
{
    struct sfx f;
    sfx_init(&f, GREETING "C: EHLO client.example\n"
                          "S: 502 5.5.2 Error: command not recognized\n"
                          "C: HELO client.example\n"
                          "S: 250 smtp.example\n"
                          "C: QUIT\n"
                          "S: 221 2.0.0 Bye\n");
    f.o.require_tls = false;
    TM_CHECK_INT(sfx_open(&f), TM_OK);
    TM_CHECK_INT(tm_smtp_caps(f.s)->ext, 0);
    tm_smtp_close(&f.s);
    TM_CHECK(f.s == NULL);
}

TM_TEST(smtp_ehlo_refused_when_tls_is_needed_is_a_tls_error_without_helo)
{
    struct sfx f;
    sfx_init(&f, GREETING "C: EHLO client.example\n"
                          "S: 500 5.5.1 what?\n");
    TM_CHECK_INT(sfx_open(&f), TM_ETLS);
    sfx_finish(&f);
    sfx_close(&f);
    /* Without TLS but with a user: no HELO either, and no AUTH possible. */
    sfx_init(&f, GREETING "C: EHLO client.example\n"
                          "S: 500 5.5.1 what?\n");
    f.o.require_tls = false;
    f.o.allow_plaintext_auth = true;
    f.o.user = "alice";
    TM_CHECK_INT(sfx_open(&f), TM_EAUTH);
    TM_CHECK_INT(f.secret_calls, 0);
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_ehlo_4xx_is_a_network_error)
{
    struct sfx f;
    sfx_init(&f, GREETING "C: EHLO client.example\n"
                          "S: 421 4.7.0 smtp.example closing\n");
    TM_CHECK_INT(sfx_open(&f), TM_ENET);
    TM_CHECK_STR(f.err.server_reply, "421 4.7.0 smtp.example closing");
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_implicit_tls_skips_starttls)
{
    struct sfx f;
    sfx_init(&f, GREETING "C: EHLO client.example\n"
                          "S: 250-smtp.example\n"
                          "S: 250-STARTTLS\n"
                          "S: 250 8BITMIME\n");
    f.o.implicit_tls = true;
    f.o.port = 465;
    TM_CHECK_INT(sfx_open(&f), TM_OK);
    TM_CHECK_INT(tm_smtp_caps(f.s)->ext, TM_SMTP_EXT_STARTTLS | TM_SMTP_EXT_8BITMIME);
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_tls_off_sends_without_starttls)
{
    struct sfx f;
    sfx_init(&f, GREETING "C: EHLO client.example\n"
                          "S: 250-smtp.example\n"
                          "S: 250 STARTTLS\n");
    f.o.require_tls = false;
    TM_CHECK_INT(sfx_open(&f), TM_OK);
    TM_CHECK(!tm_stream_is_tls(f.s->stream));
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_bad_helo_name_is_a_config_error_before_ehlo)
{
    struct sfx f;
    sfx_init(&f, GREETING);
    f.o.helo_name = "two words";
    TM_CHECK_INT(sfx_open(&f), TM_ECONFIG);
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_close_accepts_null)
{
    struct tm_smtp *none = NULL;
    tm_smtp_close(NULL);
    tm_smtp_close(&none);
    TM_CHECK(none == NULL);
}
