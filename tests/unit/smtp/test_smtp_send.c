/* test_smtp_send.c - transcript tests of one submission: PIPELINING or not, refused recipients
 * and RSET, SIZE, 8BITMIME, SMTPUTF8, DATA and final-dot replies, connections lost before and
 * after the dot, before_final_dot, cancel, bad envelopes, and a message larger than one write. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_fixture.h"
#include "src/net/private.h"
#include "tm_test.h"

#define MSG       "Subject: hi\n\nHello.\n"
#define MSG_LINES "C: Subject: hi\nC: \nC: Hello.\n"
#define MSG_SIZE  "23" /* with CRLF line ends */

static const char *const three[] = {"bob@example.org", "carol@example.org", "dave@example.org"};

struct dot {
    int calls;
    bool answer;
    volatile int *cancel; /* set before answering, when not NULL */
};

static bool on_dot(void *ctx)
{
    struct dot *d = ctx;
    d->calls++;
    if (d->cancel)
        *d->cancel = 1;
    return d->answer;
}

/* A session opened over script (after OPENING) with no AUTH. */
static bool opened(struct sfx *f, const char *script)
{
    sfx_init(f, script);
    return sfx_open(f) == TM_OK;
}

static struct tm_smtp_envelope envelope(const char *data, size_t nrcpts, struct dot *d)
{
    return (struct tm_smtp_envelope){"alice@example.org", three, nrcpts, data, strlen(data),
                                     d ? on_dot : NULL,   d};
}

TM_TEST(smtp_send_pipelines_mail_and_rcpts_then_data)
{
    struct sfx f;
    struct dot d = {.answer = true};
    struct tm_smtp_rcpt_status rs[3];
    struct tm_smtp_result res = {.rcpts = rs};
    TM_CHECK(opened(&f, OPENING "S: 250-PIPELINING\n"
                                "S: 250 SIZE 1000\n"
                                "C: MAIL FROM:<alice@example.org> SIZE=" MSG_SIZE "\n"
                                "C: RCPT TO:<bob@example.org>\n"
                                "C: RCPT TO:<carol@example.org>\n"
                                "S: 250 2.1.0 Ok\n"
                                "S: 250 2.1.5 Ok\n"
                                "S: 251 2.1.5 will forward\n"
                                "C: DATA\n"
                                "S: 354 End data with <CR><LF>.<CR><LF>\n" MSG_LINES "C: .\n"
                                "S: 250 2.0.0 Ok: queued as 4F2A\n"));
    struct tm_smtp_envelope env = envelope(MSG, 2, &d);
    TM_CHECK_INT(tm_smtp_send(f.s, &env, &res, &f.err), TM_OK);
    TM_CHECK_INT(res.outcome, TM_SMTP_SENT);
    TM_CHECK_STR(res.reply, "250 2.0.0 Ok: queued as 4F2A");
    TM_CHECK(rs[0].accepted && rs[1].accepted);
    TM_CHECK_INT(rs[1].code, 251);
    TM_CHECK_STR(rs[1].reply, "251 2.1.5 will forward");
    TM_CHECK_INT(d.calls, 1);
    TM_CHECK(!f.s->dead);
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_send_without_pipelining_waits_for_each_reply)
{
    struct sfx f;
    struct tm_smtp_rcpt_status rs[2];
    struct tm_smtp_result res = {.rcpts = rs};
    TM_CHECK(opened(&f, OPENING "S: 250 8BITMIME\n"
                                "C: MAIL FROM:<alice@example.org>\n"
                                "S: 250 2.1.0 Ok\n"
                                "C: RCPT TO:<bob@example.org>\n"
                                "S: 250 2.1.5 Ok\n"
                                "C: RCPT TO:<carol@example.org>\n"
                                "S: 250 2.1.5 Ok\n"
                                "C: DATA\n"
                                "S: 354 go\n" MSG_LINES "C: .\n"
                                "S: 250 queued\n"
                                "C: MAIL FROM:<>\n"
                                "S: 250 2.1.0 Ok\n"
                                "C: RCPT TO:<bob@example.org>\n"
                                "S: 250 2.1.5 Ok\n"
                                "C: DATA\n"
                                "S: 354 go\n"
                                "C: .\n"
                                "S: 250 queued again\n"));
    struct tm_smtp_envelope env = envelope(MSG, 2, NULL);
    env.before_final_dot = NULL;
    TM_CHECK_INT(tm_smtp_send(f.s, &env, &res, &f.err), TM_OK);
    TM_CHECK_INT(res.outcome, TM_SMTP_SENT);
    /* The session takes another message: the null sender and empty content. */
    env = (struct tm_smtp_envelope){"", three, 1, "", 0, NULL, NULL};
    TM_CHECK_INT(tm_smtp_send(f.s, &env, &res, &f.err), TM_OK);
    TM_CHECK_INT(res.outcome, TM_SMTP_SENT);
    TM_CHECK_STR(res.reply, "250 queued again");
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_send_one_recipient_of_three_refused_resets)
{
    struct sfx f;
    struct tm_smtp_rcpt_status rs[3];
    struct tm_smtp_result res = {.rcpts = rs};
    TM_CHECK(opened(&f, OPENING "S: 250 PIPELINING\n"
                                "C: MAIL FROM:<alice@example.org>\n"
                                "C: RCPT TO:<bob@example.org>\n"
                                "C: RCPT TO:<carol@example.org>\n"
                                "C: RCPT TO:<dave@example.org>\n"
                                "S: 250 2.1.0 Ok\n"
                                "S: 250 2.1.5 Ok\n"
                                "S: 550 5.1.1 <carol@example.org>: Recipient address rejected\n"
                                "S: 250 2.1.5 Ok\n"
                                "C: RSET\n"
                                "S: 250 2.0.0 Ok\n"
                                "C: MAIL FROM:<alice@example.org>\n"
                                "C: RCPT TO:<bob@example.org>\n"
                                "S: 250 2.1.0 Ok\n"
                                "S: 250 2.1.5 Ok\n"
                                "C: DATA\n"
                                "S: 354 go\n" MSG_LINES "C: .\n"
                                "S: 250 queued\n"));
    struct tm_smtp_envelope env = envelope(MSG, 3, NULL);
    TM_CHECK_INT(tm_smtp_send(f.s, &env, &res, &f.err), TM_OK);
    TM_CHECK_INT(res.outcome, TM_SMTP_RECIPIENTS);
    TM_CHECK_STR(res.reply, "550 5.1.1 <carol@example.org>: Recipient address rejected");
    TM_CHECK(rs[0].accepted && !rs[1].accepted && rs[2].accepted);
    TM_CHECK_INT(rs[0].code, 250);
    TM_CHECK_INT(rs[1].code, 550);
    TM_CHECK_STR(rs[1].reply, "550 5.1.1 <carol@example.org>: Recipient address rejected");
    TM_CHECK_STR(rs[2].reply, "250 2.1.5 Ok");
    /* After RSET the session is usable. */
    env = envelope(MSG, 1, NULL);
    TM_CHECK_INT(tm_smtp_send(f.s, &env, &res, &f.err), TM_OK);
    TM_CHECK_INT(res.outcome, TM_SMTP_SENT);
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_send_only_temporary_refusals_are_temporary)
{
    struct sfx f;
    struct tm_smtp_rcpt_status rs[2];
    struct tm_smtp_result res = {.rcpts = rs};
    TM_CHECK(opened(&f, OPENING "S: 250 PIPELINING\n"
                                "C: MAIL FROM:<alice@example.org>\n"
                                "C: RCPT TO:<bob@example.org>\n"
                                "C: RCPT TO:<carol@example.org>\n"
                                "S: 250 2.1.0 Ok\n"
                                "S: 250 2.1.5 Ok\n"
                                "S: 450 4.2.0 <carol@example.org>: greylisted\n"
                                "C: RSET\n"
                                "S: 250 2.0.0 Ok\n"));
    struct tm_smtp_envelope env = envelope(MSG, 2, NULL);
    TM_CHECK_INT(tm_smtp_send(f.s, &env, &res, &f.err), TM_OK);
    TM_CHECK_INT(res.outcome, TM_SMTP_TEMPORARY);
    TM_CHECK_STR(res.reply, "450 4.2.0 <carol@example.org>: greylisted");
    TM_CHECK(rs[0].accepted && !rs[1].accepted);
    TM_CHECK_INT(rs[1].code, 450);
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_send_mail_refused_consumes_the_pipelined_replies)
{
    struct sfx f;
    struct tm_smtp_rcpt_status rs[2];
    struct tm_smtp_result res = {.rcpts = rs};
    TM_CHECK(opened(&f, OPENING "S: 250 PIPELINING\n"
                                "C: MAIL FROM:<alice@example.org>\n"
                                "C: RCPT TO:<bob@example.org>\n"
                                "C: RCPT TO:<carol@example.org>\n"
                                "S: 553 5.7.1 <alice@example.org>: Sender address rejected\n"
                                "S: 503 5.5.1 Error: need MAIL command\n"
                                "S: 503 5.5.1 Error: need MAIL command\n"
                                "C: RSET\n"
                                "S: 250 2.0.0 Ok\n"
                                "C: MAIL FROM:<alice@example.org>\n"
                                "C: RCPT TO:<bob@example.org>\n"
                                "S: 451 4.3.0 try later\n"
                                "S: 503 5.5.1 Error: need MAIL command\n"
                                "C: RSET\n"
                                "S: 250 2.0.0 Ok\n"));
    struct tm_smtp_envelope env = envelope(MSG, 2, NULL);
    TM_CHECK_INT(tm_smtp_send(f.s, &env, &res, &f.err), TM_OK);
    TM_CHECK_INT(res.outcome, TM_SMTP_PERMANENT);
    TM_CHECK_STR(res.reply, "553 5.7.1 <alice@example.org>: Sender address rejected");
    env = envelope(MSG, 1, NULL);
    TM_CHECK_INT(tm_smtp_send(f.s, &env, &res, &f.err), TM_OK);
    TM_CHECK_INT(res.outcome, TM_SMTP_TEMPORARY);
    TM_CHECK_STR(res.reply, "451 4.3.0 try later");
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_send_mail_refused_without_pipelining_sends_no_rcpt)
{
    struct sfx f;
    struct tm_smtp_result res = {0};
    TM_CHECK(opened(&f, OPENING "S: 250 8BITMIME\n"
                                "C: MAIL FROM:<alice@example.org>\n"
                                "S: 421 4.7.0 smtp.example closing connection\n"));
    struct tm_smtp_envelope env = envelope(MSG, 2, NULL);
    TM_CHECK_INT(tm_smtp_send(f.s, &env, &res, &f.err), TM_OK);
    TM_CHECK_INT(res.outcome, TM_SMTP_TEMPORARY);
    TM_CHECK_STR(res.reply, "421 4.7.0 smtp.example closing connection");
    TM_CHECK(f.s->dead); /* 421: no RSET, the server is gone */
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_send_421_in_the_pipeline_stops_reading)
{
    struct sfx f;
    struct tm_smtp_rcpt_status rs[3];
    struct tm_smtp_result res = {.rcpts = rs};
    TM_CHECK(opened(&f, OPENING "S: 250 PIPELINING\n"
                                "C: MAIL FROM:<alice@example.org>\n"
                                "C: RCPT TO:<bob@example.org>\n"
                                "C: RCPT TO:<carol@example.org>\n"
                                "C: RCPT TO:<dave@example.org>\n"
                                "S: 250 2.1.0 Ok\n"
                                "S: 421 4.4.2 smtp.example timeout, closing\n"));
    struct tm_smtp_envelope env = envelope(MSG, 3, NULL);
    TM_CHECK_INT(tm_smtp_send(f.s, &env, &res, &f.err), TM_OK);
    TM_CHECK_INT(res.outcome, TM_SMTP_TEMPORARY);
    TM_CHECK_STR(res.reply, "421 4.4.2 smtp.example timeout, closing");
    TM_CHECK_INT(rs[0].code, 421);
    TM_CHECK_INT(rs[1].code, 0); /* never came */
    TM_CHECK(f.s->dead);
    sfx_finish(&f); /* no RSET, no further read */
    sfx_close(&f);
}

TM_TEST(smtp_send_over_the_size_limit_is_permanent_before_mail)
{
    struct sfx f;
    struct tm_smtp_result res = {0};
    TM_CHECK(opened(&f, OPENING "S: 250-PIPELINING\n"
                                "S: 250 SIZE 22\n"));
    struct tm_smtp_envelope env = envelope(MSG, 2, NULL);
    TM_CHECK_INT(tm_smtp_send(f.s, &env, &res, &f.err), TM_OK);
    TM_CHECK_INT(res.outcome, TM_SMTP_PERMANENT);
    TM_CHECK_STR(res.reply, "the message is 23 bytes; the server accepts at most 22");
    TM_CHECK(!f.s->dead);
    sfx_finish(&f); /* no MAIL went out */
    sfx_close(&f);
}

TM_TEST(smtp_send_8bit_body_goes_with_body_8bitmime)
{
    struct sfx f;
    struct tm_smtp_result res = {0};
    TM_CHECK(opened(&f, OPENING "S: 250-8BITMIME\n"
                                "S: 250 SIZE\n"
                                "C: MAIL FROM:<alice@example.org> SIZE=15 BODY=8BITMIME\n"
                                "S: 250 Ok\n"
                                "C: RCPT TO:<bob@example.org>\n"
                                "S: 250 Ok\n"
                                "C: DATA\n"
                                "S: 354 go\n"
                                "C: X: y\n"
                                "C: \n"
                                "C: caf\xc3\xa9\n"
                                "C: .\n"
                                "S: 250 queued\n"));
    struct tm_smtp_envelope env = envelope("X: y\n\ncaf\xc3\xa9\n", 1, NULL);
    TM_CHECK_INT(tm_smtp_send(f.s, &env, &res, &f.err), TM_OK);
    TM_CHECK_INT(res.outcome, TM_SMTP_SENT);
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_send_utf8_header_field_goes_with_smtputf8)
{
    struct sfx f;
    struct tm_smtp_result res = {0};
    TM_CHECK(opened(&f, OPENING "S: 250-8BITMIME\n"
                                "S: 250 SMTPUTF8\n"
                                "C: MAIL FROM:<alice@example.org> BODY=8BITMIME SMTPUTF8\n"
                                "S: 250 Ok\n"
                                "C: RCPT TO:<bob@example.org>\n"
                                "S: 250 Ok\n"
                                "C: DATA\n"
                                "S: 354 go\n"
                                "C: Reply-To: j\xc3\xbcrgen@example.org\n"
                                "C: \n"
                                "C: x\n"
                                "C: .\n"
                                "S: 250 queued\n"));
    struct tm_smtp_envelope env = envelope("Reply-To: j\xc3\xbcrgen@example.org\n\nx\n", 1, NULL);
    TM_CHECK_INT(tm_smtp_send(f.s, &env, &res, &f.err), TM_OK);
    TM_CHECK_INT(res.outcome, TM_SMTP_SENT);
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_send_utf8_header_field_without_smtputf8_is_permanent)
{
    struct sfx f;
    struct tm_smtp_result res = {0};
    TM_CHECK(opened(&f, OPENING "S: 250 8BITMIME\n"));
    struct tm_smtp_envelope env = envelope("Reply-To: j\xc3\xbcrgen@example.org\n\nx\n", 1, NULL);
    TM_CHECK_INT(tm_smtp_send(f.s, &env, &res, &f.err), TM_OK);
    TM_CHECK_INT(res.outcome, TM_SMTP_PERMANENT);
    TM_CHECK(strstr(res.reply, "SMTPUTF8") != NULL);
    sfx_finish(&f); /* no MAIL went out */
    sfx_close(&f);
}

TM_TEST(smtp_send_8bit_body_without_8bitmime_is_permanent)
{
    struct sfx f;
    struct tm_smtp_result res = {0};
    TM_CHECK(opened(&f, OPENING "S: 250 PIPELINING\n"));
    struct tm_smtp_envelope env = envelope("Subject: caf\xc3\xa9\n\nx\n", 1, NULL);
    TM_CHECK_INT(tm_smtp_send(f.s, &env, &res, &f.err), TM_OK);
    TM_CHECK_INT(res.outcome, TM_SMTP_PERMANENT);
    TM_CHECK(strstr(res.reply, "8BITMIME") != NULL);
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_send_utf8_address_goes_with_smtputf8)
{
    static const char *const rcpt[] = {"j\xc3\xbcrgen@b\xc3\xbc"
                                       "cher.example"};
    struct sfx f;
    struct tm_smtp_result res = {0};
    TM_CHECK(opened(&f, OPENING "S: 250-SMTPUTF8\n"
                                "S: 250 PIPELINING\n"
                                "C: MAIL FROM:<alice@example.org> SMTPUTF8\n"
                                "C: RCPT TO:<j\xc3\xbcrgen@b\xc3\xbc"
                                "cher.example>\n"
                                "S: 250 Ok\n"
                                "S: 250 Ok\n"
                                "C: DATA\n"
                                "S: 354 go\n" MSG_LINES "C: .\n"
                                "S: 250 queued\n"));
    struct tm_smtp_envelope env = {"alice@example.org", rcpt, 1, MSG, strlen(MSG), NULL, NULL};
    TM_CHECK_INT(tm_smtp_send(f.s, &env, &res, &f.err), TM_OK);
    TM_CHECK_INT(res.outcome, TM_SMTP_SENT);
    sfx_finish(&f);
    sfx_close(&f);
    /* Without SMTPUTF8 such an address cannot go. */
    TM_CHECK(opened(&f, OPENING "S: 250 8BITMIME\n"));
    TM_CHECK_INT(tm_smtp_send(f.s, &env, &res, &f.err), TM_OK);
    TM_CHECK_INT(res.outcome, TM_SMTP_PERMANENT);
    TM_CHECK(strstr(res.reply, "SMTPUTF8") != NULL);
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_send_data_refused_is_permanent_and_resets)
{
    struct sfx f;
    struct tm_smtp_result res = {0};
    TM_CHECK(opened(&f, OPENING "S: 250 PIPELINING\n"
                                "C: MAIL FROM:<alice@example.org>\n"
                                "C: RCPT TO:<bob@example.org>\n"
                                "S: 250 Ok\n"
                                "S: 250 Ok\n"
                                "C: DATA\n"
                                "S: 554 5.5.1 Error: no valid recipients\n"
                                "C: RSET\n"
                                "S: 250 Ok\n"));
    struct tm_smtp_envelope env = envelope(MSG, 1, NULL);
    TM_CHECK_INT(tm_smtp_send(f.s, &env, &res, &f.err), TM_OK);
    TM_CHECK_INT(res.outcome, TM_SMTP_PERMANENT);
    TM_CHECK_STR(res.reply, "554 5.5.1 Error: no valid recipients");
    TM_CHECK(!f.s->dead);
    sfx_finish(&f);
    sfx_close(&f);
}

/* The lines of a send whose DATA was accepted, up to and including the final dot. */
#define UNTIL_DOT                                                                                  \
    OPENING "S: 250 PIPELINING\n"                                                                  \
            "C: MAIL FROM:<alice@example.org>\n"                                                   \
            "C: RCPT TO:<bob@example.org>\n"                                                       \
            "S: 250 Ok\n"                                                                          \
            "S: 250 Ok\n"                                                                          \
            "C: DATA\n"                                                                            \
            "S: 354 go\n" MSG_LINES "C: .\n"

TM_TEST(smtp_send_final_4xx_is_temporary_and_5xx_permanent)
{
    struct sfx f;
    struct dot d = {.answer = true};
    struct tm_smtp_result res = {0};
    TM_CHECK(opened(&f, UNTIL_DOT "S: 451 4.3.0 Error: queue file write error\n"));
    struct tm_smtp_envelope env = envelope(MSG, 1, &d);
    TM_CHECK_INT(tm_smtp_send(f.s, &env, &res, &f.err), TM_OK);
    TM_CHECK_INT(res.outcome, TM_SMTP_TEMPORARY);
    TM_CHECK_STR(res.reply, "451 4.3.0 Error: queue file write error");
    TM_CHECK(!f.s->dead);
    sfx_finish(&f);
    sfx_close(&f);
    TM_CHECK(opened(&f, UNTIL_DOT "S: 554-5.7.1 message content rejected\n"
                                  "S: 554 5.7.1 (virus found)\n"));
    TM_CHECK_INT(tm_smtp_send(f.s, &env, &res, &f.err), TM_OK);
    TM_CHECK_INT(res.outcome, TM_SMTP_PERMANENT);
    TM_CHECK_STR(res.reply, "554 5.7.1 message content rejected / 5.7.1 (virus found)");
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_send_connection_closed_after_the_dot_is_maybe_sent)
{
    struct sfx f;
    struct dot d = {.answer = true};
    struct tm_smtp_result res = {0};
    TM_CHECK(opened(&f, UNTIL_DOT "X:\n"));
    struct tm_smtp_envelope env = envelope(MSG, 1, &d);
    TM_CHECK_INT(tm_smtp_send(f.s, &env, &res, &f.err), TM_OK);
    TM_CHECK_INT(res.outcome, TM_SMTP_MAYBE_SENT);
    TM_CHECK(strstr(res.reply, "closed") != NULL);
    TM_CHECK_INT(d.calls, 1);
    TM_CHECK(f.s->dead);
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_send_waits_ten_minutes_for_the_dot_reply_then_maybe_sent)
{
    struct sfx f;
    struct tm_smtp_result res = {0};
    TM_CHECK(opened(&f, UNTIL_DOT "W:\n"));
    struct tm_smtp_envelope env = envelope(MSG, 1, NULL);
    TM_CHECK_INT(tm_smtp_send(f.s, &env, &res, &f.err), TM_OK);
    TM_CHECK_INT(res.outcome, TM_SMTP_MAYBE_SENT);
    /* The scripted stall reports the io timeout in force. */
    TM_CHECK(strstr(res.reply, "timed out after 600000 ms") != NULL);
    TM_CHECK_INT(f.s->stream->io_timeout_ms, 60000); /* restored */
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_send_connection_closed_before_the_dot_is_temporary)
{
    struct sfx f;
    struct tm_smtp_result res = {0};
    TM_CHECK(opened(&f, OPENING "S: 250 PIPELINING\n"
                                "C: MAIL FROM:<alice@example.org>\n"
                                "C: RCPT TO:<bob@example.org>\n"
                                "S: 250 Ok\n"
                                "S: 250 Ok\n"
                                "C: DATA\n"
                                "X:\n"));
    struct tm_smtp_envelope env = envelope(MSG, 1, NULL);
    TM_CHECK_INT(tm_smtp_send(f.s, &env, &res, &f.err), TM_OK);
    TM_CHECK_INT(res.outcome, TM_SMTP_TEMPORARY);
    TM_CHECK(strstr(res.reply, "closed") != NULL);
    TM_CHECK(f.s->dead);
    sfx_finish(&f);
    /* A dead session reports TEMPORARY at once. */
    TM_CHECK_INT(tm_smtp_send(f.s, &env, &res, &f.err), TM_OK);
    TM_CHECK_INT(res.outcome, TM_SMTP_TEMPORARY);
    TM_CHECK(strstr(res.reply, "is closed") != NULL);
    sfx_close(&f);
}

TM_TEST(smtp_send_stopped_by_before_final_dot_sends_no_dot)
{
    struct sfx f;
    struct dot d = {.answer = false};
    struct tm_smtp_result res = {0};
    TM_CHECK(opened(&f, OPENING "S: 250 PIPELINING\n"
                                "C: MAIL FROM:<alice@example.org>\n"
                                "C: RCPT TO:<bob@example.org>\n"
                                "S: 250 Ok\n"
                                "S: 250 Ok\n"
                                "C: DATA\n"
                                "S: 354 go\n" MSG_LINES));
    struct tm_smtp_envelope env = envelope(MSG, 1, &d);
    TM_CHECK_INT(tm_smtp_send(f.s, &env, &res, &f.err), TM_OK);
    TM_CHECK_INT(res.outcome, TM_SMTP_TEMPORARY);
    TM_CHECK_INT(d.calls, 1);
    TM_CHECK(strstr(res.reply, "before the final dot") != NULL);
    TM_CHECK(f.s->dead);
    TM_CHECK(f.s->stream == NULL); /* dropped at once */
    sfx_close(&f);
}

TM_TEST(smtp_send_canceled_before_the_dot_is_temporary_and_canceled)
{
    struct sfx f;
    struct tm_smtp_result res = {0};
    TM_CHECK(opened(&f, OPENING "S: 250 PIPELINING\n"
                                "C: MAIL FROM:<alice@example.org>\n"
                                "C: RCPT TO:<bob@example.org>\n"
                                "S: 250 Ok\n"
                                "S: 250 Ok\n"
                                "C: DATA\n"
                                "S: 354 go\n" MSG_LINES));
    struct dot d = {.answer = true, .cancel = &f.cancel};
    struct tm_smtp_envelope env = envelope(MSG, 1, &d);
    TM_CHECK_INT(tm_smtp_send(f.s, &env, &res, &f.err), TM_ECANCELED);
    TM_CHECK_INT(f.err.status, TM_ECANCELED);
    TM_CHECK_INT(res.outcome, TM_SMTP_TEMPORARY);
    TM_CHECK(f.s->dead);
    sfx_finish(&f); /* no dot */
    sfx_close(&f);
}

TM_TEST(smtp_send_canceled_at_the_start_sends_nothing)
{
    struct sfx f;
    struct tm_smtp_result res = {0};
    TM_CHECK(opened(&f, OPENING "S: 250 PIPELINING\n"));
    f.cancel = 1;
    struct tm_smtp_envelope env = envelope(MSG, 1, NULL);
    TM_CHECK_INT(tm_smtp_send(f.s, &env, &res, &f.err), TM_ECANCELED);
    TM_CHECK_INT(res.outcome, TM_SMTP_TEMPORARY);
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_send_unusable_envelope_is_a_parse_error_before_anything)
{
    static const char *const bad_rcpts[][1] = {
        {""}, {"a b@example.org"}, {"<x@example.org>"}, {"x@example.org>\r\nRSET"}, {NULL}};
    static const char *const bad_from[] = {"a@b>", "a\r\n@b", "a\tb@c", NULL};
    struct sfx f;
    struct tm_smtp_result res = {0};
    TM_CHECK(opened(&f, OPENING "S: 250 PIPELINING\n"));
    struct tm_smtp_envelope env = envelope(MSG, 0, NULL);
    TM_CHECK_INT(tm_smtp_send(f.s, &env, &res, &f.err), TM_EPARSE);
    TM_CHECK(strstr(f.err.message, "no recipient") != NULL);
    for (size_t i = 0; i < sizeof(bad_rcpts) / sizeof(bad_rcpts[0]); i++) {
        env = (struct tm_smtp_envelope){"a@example.org", bad_rcpts[i], 1,   MSG,
                                        strlen(MSG),     NULL,         NULL};
        TM_CHECK_INT(tm_smtp_send(f.s, &env, &res, &f.err), TM_EPARSE);
    }
    for (size_t i = 0; i < sizeof(bad_from) / sizeof(bad_from[0]); i++) {
        env = (struct tm_smtp_envelope){bad_from[i], three, 1, MSG, strlen(MSG), NULL, NULL};
        TM_CHECK_INT(tm_smtp_send(f.s, &env, &res, &f.err), TM_EPARSE);
    }
    env = (struct tm_smtp_envelope){"a@example.org", three, 1, NULL, 5, NULL, NULL};
    TM_CHECK_INT(tm_smtp_send(f.s, &env, &res, &f.err), TM_EPARSE);
    TM_CHECK(!f.s->dead);
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_send_dot_stuffs_on_the_wire)
{
    struct sfx f;
    struct tm_smtp_result res = {0};
    TM_CHECK(opened(&f, OPENING "S: 250 PIPELINING\n"
                                "C: MAIL FROM:<alice@example.org>\n"
                                "C: RCPT TO:<bob@example.org>\n"
                                "S: 250 Ok\n"
                                "S: 250 Ok\n"
                                "C: DATA\n"
                                "S: 354 go\n"
                                "C: ..\n"
                                "C: ...hidden\n"
                                "C: text\n"
                                "C: .\n"
                                "S: 250 queued\n"));
    struct tm_smtp_envelope env = envelope(".\r\n..hidden\ntext", 1, NULL);
    TM_CHECK_INT(tm_smtp_send(f.s, &env, &res, &f.err), TM_OK);
    TM_CHECK_INT(res.outcome, TM_SMTP_SENT);
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_send_large_message_in_many_writes)
{
    enum { LINES = 6000 }; /* 6000 * 62 bytes: several 64 KiB writes */
    static const char line[] = "0123456789012345678901234567890123456789012345678901234567";
    size_t msg_size = LINES * (sizeof(line) + 2), script_size = LINES * (sizeof(line) + 8) + 4096;
    char *msg = malloc(msg_size), *script = malloc(script_size);
    TM_CHECK(msg && script);
    size_t m = 0;
    size_t n = (size_t)snprintf(script, script_size,
                                "%sS: 250 PIPELINING\n"
                                "C: MAIL FROM:<alice@example.org>\n"
                                "C: RCPT TO:<bob@example.org>\n"
                                "S: 250 Ok\n"
                                "S: 250 Ok\n"
                                "C: DATA\n"
                                "S: 354 go\n",
                                OPENING);
    for (int i = 0; i < LINES; i++) {
        m += (size_t)snprintf(msg + m, msg_size - m, "%c%s\n", i % 7 ? 'x' : '.', line);
        n += (size_t)snprintf(script + n, script_size - n, "C: %s%c%s\n", i % 7 ? "" : ".",
                              i % 7 ? 'x' : '.', line);
    }
    snprintf(script + n, script_size - n, "C: .\nS: 250 queued\n");
    struct sfx f;
    struct tm_smtp_result res = {0};
    bool ok = opened(&f, script);
    struct tm_smtp_envelope env = {"alice@example.org", three, 1, msg, m, NULL, NULL};
    enum tm_status st = ok ? tm_smtp_send(f.s, &env, &res, &f.err) : TM_EIO;
    free(msg);
    free(script);
    TM_CHECK_INT(st, TM_OK);
    TM_CHECK_INT(res.outcome, TM_SMTP_SENT);
    sfx_finish(&f);
    sfx_close(&f);
}
