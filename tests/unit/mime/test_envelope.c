/* test_envelope.c - the index fields of a message header. */
#include <string.h>

#include "src/mime/private.h"
#include "tm_test.h"

TM_TEST(envelope_fields_decoded)
{
    const char msg[] = "From: =?utf-8?q?Ren=C3=A9?= <rene@example.org>\r\n"
                       "To: a@x, \"B, Bee\" <b@x>\r\n"
                       "Cc: undisclosed-recipients:;\r\n"
                       "Subject: =?iso-8859-1?q?=E9t=E9?=\r\n  report\r\n"
                       "Date: Fri, 13 Feb 2009 23:31:30 +0000\r\n"
                       "Message-ID: <abc@example.org>\r\n"
                       "\r\n"
                       "Subject: not me\r\n";
    struct tm_envelope env;
    struct tm_error err;
    TM_CHECK_INT(tm_mime_envelope_parse(msg, sizeof(msg) - 1, &env, &err), TM_OK);
    TM_CHECK_STR(env.subject, "\xc3\xa9t\xc3\xa9 report");
    TM_CHECK_STR(env.from_name, "Ren\xc3\xa9");
    TM_CHECK_STR(env.from_addr, "rene@example.org");
    TM_CHECK_STR(env.to, "a@x, B, Bee <b@x>");
    TM_CHECK_STR(env.cc, "undisclosed-recipients:;");
    TM_CHECK_STR(env.message_id, "abc@example.org");
    TM_CHECK_INT(env.date, 1234567890);
    TM_CHECK(env.in_reply_to == NULL && env.references == NULL);
    tm_mime_envelope_cleanup(&env);
    TM_CHECK(env.subject == NULL);
}

TM_TEST(envelope_references_and_in_reply_to_extraction)
{
    const char msg[] = "References: <a@x>\n <b@x> junk text <c@x>\n\t(<not@this>) <d@x>\n"
                       "In-Reply-To: Your message of \"Mon, 1 Jan <q@x>\" <first@x>\n"
                       " (John <john@example.com>) <last@x> trailing\n"
                       "Message-Id: <m@x> <second@x>\n\n";
    struct tm_envelope env;
    TM_CHECK_INT(tm_mime_envelope_parse(msg, sizeof(msg) - 1, &env, NULL), TM_OK);
    TM_CHECK_STR(env.references, "a@x b@x c@x d@x");
    TM_CHECK_STR(env.in_reply_to, "last@x");
    TM_CHECK_STR(env.message_id, "m@x");
    TM_CHECK(env.subject == NULL && env.from_addr == NULL && env.date == 0);
    tm_mime_envelope_cleanup(&env);
}

TM_TEST(envelope_ids_broken_forms)
{
    const char msg[] = "Message-ID: bare@x\n"
                       "In-Reply-To: <unterminated@x <ok@x> <> < sp ace@x >\n"
                       "References: no ids here\n"
                       "Date: not a date\n\n";
    struct tm_envelope env;
    TM_CHECK_INT(tm_mime_envelope_parse(msg, sizeof(msg) - 1, &env, NULL), TM_OK);
    TM_CHECK_STR(env.message_id, "bare@x");
    TM_CHECK_STR(env.in_reply_to, "space@x");
    TM_CHECK(env.references == NULL);
    TM_CHECK_INT(env.date, 0);
    tm_mime_envelope_cleanup(&env);
}

TM_TEST(envelope_duplicate_fields_first_wins)
{
    const char msg[] = "Subject: one\nFrom: a@x\nSubject: two\nFrom: b@x\n\n";
    struct tm_envelope env;
    TM_CHECK_INT(tm_mime_envelope_parse(msg, sizeof(msg) - 1, &env, NULL), TM_OK);
    TM_CHECK_STR(env.subject, "one");
    TM_CHECK_STR(env.from_addr, "a@x");
    TM_CHECK(env.from_name == NULL);
    tm_mime_envelope_cleanup(&env);
}

TM_TEST(envelope_raw_8bit_subject_and_empty_message)
{
    const char msg[] = "Subject: Caf\xe9\n\n";
    struct tm_envelope env;
    TM_CHECK_INT(tm_mime_envelope_parse(msg, sizeof(msg) - 1, &env, NULL), TM_OK);
    TM_CHECK_STR(env.subject, "Caf\xc3\xa9");
    tm_mime_envelope_cleanup(&env);
    TM_CHECK_INT(tm_mime_envelope_parse("", 0, &env, NULL), TM_OK);
    TM_CHECK(env.subject == NULL);
    tm_mime_envelope_cleanup(&env);
}
