/* test_compose_reply.c - reply and forward helpers: subjects, In-Reply-To and References,
 * recipients, quoting, inline forwarding (of a whole message and of an IMAP skeleton), and a
 * reply that parses back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tm_test.h"
#include "tmail/compose.h"
#include "tmail/mime.h"

static const char *const me[] = {"me@example.org", "me@work.example"};

#define CHECK_SUBJECT(fn, in, want)                                                                \
    do {                                                                                           \
        char *got_ = fn(in);                                                                       \
        int ok_ = got_ && strcmp(got_, want) == 0;                                                 \
        if (!ok_)                                                                                  \
            tm_test_fail(__FILE__, __LINE__, "%s(\"%s\") = \"%s\"", #fn, in ? in : "(null)",       \
                         got_ ? got_ : "(null)");                                                  \
        free(got_);                                                                                \
        if (!ok_)                                                                                  \
            return;                                                                                \
    } while (0)

TM_TEST(reply_subject_normalised)
{
    CHECK_SUBJECT(tm_compose_reply_subject, "hello", "Re: hello");
    CHECK_SUBJECT(tm_compose_reply_subject, "Re: hello", "Re: hello");
    CHECK_SUBJECT(tm_compose_reply_subject, "RE: Re[2]: AW:  Sv : hello", "Re: hello");
    CHECK_SUBJECT(tm_compose_reply_subject, "Fwd: hello", "Re: Fwd: hello");
    CHECK_SUBJECT(tm_compose_reply_subject, "Regarding: x", "Re: Regarding: x");
    CHECK_SUBJECT(tm_compose_reply_subject, NULL, "Re: ");
    CHECK_SUBJECT(tm_compose_forward_subject, "hello", "Fwd: hello");
    CHECK_SUBJECT(tm_compose_forward_subject, "FW: hello", "FW: hello");
    CHECK_SUBJECT(tm_compose_forward_subject, "Re: hello", "Fwd: Re: hello");
}

TM_TEST(reply_headers_extend_references)
{
    const char *orig = "Message-ID: <c@x>\nIn-Reply-To: <b@x>\nReferences: <a@x>\n <b@x>\n"
                       "Subject: s\n\nbody\n";
    char *irt = NULL, *refs = NULL;
    TM_CHECK_INT(tm_compose_reply_headers(orig, strlen(orig), &irt, &refs, NULL), TM_OK);
    int ok = irt && refs && strcmp(irt, "c@x") == 0 && strcmp(refs, "a@x b@x c@x") == 0;
    free(irt);
    free(refs);
    TM_CHECK(ok);
    const char *only_irt = "Message-ID: <c@x>\nIn-Reply-To: <b@x>\n\n";
    TM_CHECK_INT(tm_compose_reply_headers(only_irt, strlen(only_irt), &irt, &refs, NULL), TM_OK);
    ok = refs && strcmp(refs, "b@x c@x") == 0;
    free(irt);
    free(refs);
    TM_CHECK(ok);
    const char *none = "Subject: no ids\n\n";
    TM_CHECK_INT(tm_compose_reply_headers(none, strlen(none), &irt, &refs, NULL), TM_OK);
    TM_CHECK(irt == NULL && refs == NULL);
}

TM_TEST(reply_headers_drop_middle_references)
{
    char orig[4096];
    size_t n = (size_t)snprintf(orig, sizeof(orig), "Message-ID: <last@x>\nReferences:");
    for (int i = 0; i < 30; i++)
        n += (size_t)snprintf(orig + n, sizeof(orig) - n, " <id%d@x>", i);
    snprintf(orig + n, sizeof(orig) - n, "\n\nbody\n");
    char *irt = NULL, *refs = NULL;
    TM_CHECK_INT(tm_compose_reply_headers(orig, strlen(orig), &irt, &refs, NULL), TM_OK);
    int count = 1;
    for (const char *p = refs; p && *p; p++)
        count += *p == ' ';
    int ok = refs && strncmp(refs, "id0@x id12@x id13@x", 19) == 0 &&
             strcmp(refs + strlen(refs) - 13, "id29@x last@x") == 0;
    free(irt);
    free(refs);
    TM_CHECK_INT(count, TM_COMPOSE_REFERENCES_MAX);
    TM_CHECK(ok);
}

/* Runs tm_compose_reply_recipients and compares with "a, b" lists of addr-specs. */
static int check_recipients(const char *orig, enum tm_reply_mode mode, const char *want_to,
                            const char *want_cc)
{
    struct tm_compose_addr_list to, cc;
    char got_to[512] = "", got_cc[512] = "";
    if (tm_compose_reply_recipients(orig, strlen(orig), (const char *const *)me, 2, mode, &to, &cc,
                                    NULL) != TM_OK) {
        tm_test_fail(__FILE__, __LINE__, "reply_recipients failed");
        return 0;
    }
    for (size_t i = 0; i < to.count; i++)
        snprintf(got_to + strlen(got_to), sizeof(got_to) - strlen(got_to), "%s%s", i ? ", " : "",
                 to.items[i].addr);
    for (size_t i = 0; i < cc.count; i++)
        snprintf(got_cc + strlen(got_cc), sizeof(got_cc) - strlen(got_cc), "%s%s", i ? ", " : "",
                 cc.items[i].addr);
    tm_compose_addr_list_cleanup(&to);
    tm_compose_addr_list_cleanup(&cc);
    int ok = strcmp(got_to, want_to) == 0 && strcmp(got_cc, want_cc) == 0;
    if (!ok)
        tm_test_fail(__FILE__, __LINE__, "to \"%s\" cc \"%s\"", got_to, got_cc);
    return ok;
}

TM_TEST(reply_recipients_sender_and_reply_to)
{
    const char *orig = "From: Ann <ann@example.com>\nTo: me@example.org, Bob <bob@example.net>\n\n";
    if (!check_recipients(orig, TM_REPLY_SENDER, "ann@example.com", ""))
        return;
    const char *rt = "From: Ann <ann@example.com>\nReply-To: Ann Home <ann@home.example>\n"
                     "To: me@example.org\n\n";
    TM_CHECK(check_recipients(rt, TM_REPLY_SENDER, "ann@home.example", ""));
}

TM_TEST(reply_all_without_duplicates_or_me)
{
    const char *orig = "From: Ann <ann@example.com>\n"
                       "To: ME@Example.ORG, Bob <bob@example.net>, BOB@example.net,\n"
                       " Ann Again <ANN@example.com>\n"
                       "Cc: Carol <carol@example.com>, me@work.example, team: bob@example.net, "
                       "dave@example.com;\n\n";
    TM_CHECK(check_recipients(orig, TM_REPLY_ALL, "ann@example.com",
                              "bob@example.net, carol@example.com, dave@example.com"));
}

TM_TEST(reply_to_own_message_goes_to_its_recipients)
{
    const char *orig = "From: Me <me@example.org>\nTo: Xavier <x@example.com>\n"
                       "Cc: y@example.com, me@work.example\n\n";
    if (!check_recipients(orig, TM_REPLY_SENDER, "x@example.com", ""))
        return;
    TM_CHECK(check_recipients(orig, TM_REPLY_ALL, "x@example.com", "y@example.com"));
}

TM_TEST(reply_list_uses_list_post)
{
    const char *orig = "From: ann@example.com\nList-Post: <mailto:dev@lists.example?subject=x>\n\n";
    if (!check_recipients(orig, TM_REPLY_LIST, "dev@lists.example", ""))
        return;
    const char *no_list = "From: ann@example.com\nList-Post: NO (posting not allowed)\n\n";
    struct tm_compose_addr_list to, cc;
    struct tm_error err;
    TM_CHECK_INT(
        tm_compose_reply_recipients(no_list, strlen(no_list), me, 2, TM_REPLY_LIST, &to, &cc, &err),
        TM_ENOENT);
    TM_CHECK(to.count == 0 && cc.count == 0 && err.message[0] != '\0');
}

TM_TEST(quote_body_attribution_and_levels)
{
    const char *orig = "From: Ann Example <ann@example.com>\nDate: Tue, 3 Mar 2026 10:00:00 +0100\n"
                       "Subject: hi\n\nhello\n> older text\n\nbye\n\n";
    struct tm_buf out;
    tm_buf_init(&out, 0);
    TM_CHECK_INT(tm_compose_quote_body(orig, strlen(orig), &out, NULL), TM_OK);
    int ok = out.data && strcmp(out.data, "On Tue, 3 Mar 2026 10:00:00 +0100, Ann Example wrote:\n"
                                          "> hello\n>> older text\n>\n> bye\n") == 0;
    if (!ok)
        tm_test_fail(__FILE__, __LINE__, "got:\n%s", out.data ? out.data : "");
    tm_buf_cleanup(&out);
}

TM_TEST(quote_body_custom_or_no_attribution)
{
    const char *orig = "From: Ann <ann@example.com>\nSubject: hi\n\nhello\n";
    struct tm_buf out;
    tm_buf_init(&out, 0);
    TM_CHECK_INT(tm_compose_quote_body_attr(orig, strlen(orig), "Ann said:", &out, NULL), TM_OK);
    int ok = out.data && strcmp(out.data, "Ann said:\n> hello\n") == 0;
    tm_buf_reset(&out);
    ok = ok && tm_compose_quote_body_attr(orig, strlen(orig), "", &out, NULL) == TM_OK &&
         strcmp(out.data, "> hello\n") == 0;
    if (!ok)
        tm_test_fail(__FILE__, __LINE__, "got:\n%s", out.data ? out.data : "");
    tm_buf_cleanup(&out);
}

TM_TEST(forward_inline_block)
{
    const char *orig = "From: Ann <ann@example.com>\nTo: Bob <bob@example.net>\n"
                       "Date: Tue, 3 Mar 2026 10:00:00 +0100\n"
                       "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\n\nthe text\n";
    struct tm_buf out;
    tm_buf_init(&out, 0);
    TM_CHECK_INT(tm_compose_forward_body(orig, strlen(orig), &out, NULL), TM_OK);
    int ok =
        out.data && strcmp(out.data, "----- Forwarded message from Ann <ann@example.com> -----\n"
                                     "Date: Tue, 3 Mar 2026 10:00:00 +0100\n"
                                     "From: Ann <ann@example.com>\n"
                                     "To: Bob <bob@example.net>\n"
                                     "Subject: Grüße\n\n"
                                     "the text\n\n"
                                     "----- End forwarded message -----\n") == 0;
    if (!ok)
        tm_test_fail(__FILE__, __LINE__, "got:\n%s", out.data ? out.data : "");
    tm_buf_cleanup(&out);
}

/* A message with a text and a base64 attachment of 2280 bytes (40 lines of 76), whole or as
 * an IMAP skeleton (the attachment's content left out) with the text part left out too or not. */
static void parts_message(struct tm_buf *out, bool attachment, bool text)
{
    tm_buf_append_str(out, "From: Ann <ann@example.com>\nDate: Tue, 3 Mar 2026 10:00:00 +0100\n"
                           "Subject: report\nMIME-Version: 1.0\n"
                           "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
                           "--b\nContent-Type: text/plain\n\n");
    if (text)
        tm_buf_append_str(out, "the report is attached\n");
    tm_buf_append_str(out, "--b\nContent-Type: application/pdf; name=\"r.pdf\"\n"
                           "Content-Disposition: attachment; filename=\"r.pdf\"\n"
                           "Content-Transfer-Encoding: base64\n\n");
    for (int i = 0; attachment && i < 40; i++)
        tm_buf_append_str(
            out, "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\n");
    tm_buf_append_str(out, "--b--\n");
}

TM_TEST(quote_and_forward_of_a_skeleton_read_as_of_the_whole_message)
{
    struct tm_buf whole, skeleton, want, got;
    tm_buf_init(&whole, 0);
    tm_buf_init(&skeleton, 0);
    tm_buf_init(&want, 0);
    tm_buf_init(&got, 0);
    parts_message(&whole, true, true);
    parts_message(&skeleton, false, true);
    /* 40 lines of 76 characters and CRLF, as the server counts them */
    const struct tm_mime_omitted left[] = {{"2", 40 * 78, false}};
    const struct tm_compose_omitted om = {left, 1};
    TM_CHECK_INT(tm_compose_quote_body_attr(whole.data, whole.len, "", &want, NULL), TM_OK);
    TM_CHECK(strstr(want.data, "> [-- Attachment #2: r.pdf (application/pdf, 3K) --]") != NULL);
    TM_CHECK_INT(tm_compose_quote_body_omitted(skeleton.data, skeleton.len, &om, "", &got, NULL),
                 TM_OK);
    TM_CHECK_STR(got.data, want.data);
    tm_buf_reset(&want);
    tm_buf_reset(&got);
    TM_CHECK_INT(tm_compose_forward_body(whole.data, whole.len, &want, NULL), TM_OK);
    TM_CHECK_INT(tm_compose_forward_body_omitted(skeleton.data, skeleton.len, &om, &got, NULL),
                 TM_OK);
    TM_CHECK_STR(got.data, want.data);
    /* without the list, the attachment would read as empty */
    tm_buf_reset(&got);
    TM_CHECK_INT(tm_compose_quote_body_attr(skeleton.data, skeleton.len, "", &got, NULL), TM_OK);
    TM_CHECK(strstr(got.data, "(application/pdf, 0B)") != NULL);
    /* a text left out is said to be, in place of an empty quote */
    tm_buf_reset(&skeleton);
    tm_buf_reset(&got);
    parts_message(&skeleton, false, false);
    const struct tm_mime_omitted both[] = {{"1", 23, false}, {"2", 40 * 78, true}};
    const struct tm_compose_omitted om2 = {both, 2};
    TM_CHECK_INT(tm_compose_quote_body_omitted(skeleton.data, skeleton.len, &om2, "", &got, NULL),
                 TM_OK);
    TM_CHECK_STR(got.data, "> [-- Part #1 (text/plain, 23B) is not downloaded --]\n"
                           "> [-- Attachment #2: r.pdf (application/pdf, 3K) --]\n");
    tm_buf_cleanup(&whole);
    tm_buf_cleanup(&skeleton);
    tm_buf_cleanup(&want);
    tm_buf_cleanup(&got);
}

static bool counter_fill(void *ctx, unsigned char *buf, size_t len)
{
    (void)ctx;
    for (size_t i = 0; i < len; i++)
        buf[i] = (unsigned char)(0xa0 + i);
    return true;
}

TM_TEST(reply_built_and_parsed_back)
{
    const char *orig = "From: Ann <ann@example.com>\nTo: me@example.org\nCc: carol@example.com\n"
                       "Subject: Re: Plans\nMessage-ID: <m2@x>\nReferences: <m1@x>\n\nShall we?\n";
    char *subject = tm_compose_reply_subject("Re: Plans"), *irt = NULL, *refs = NULL;
    struct tm_compose_addr_list to = {0}, cc = {0};
    struct tm_buf body, out;
    tm_buf_init(&body, 0);
    tm_buf_init(&out, 0);
    int ok = subject && tm_compose_reply_headers(orig, strlen(orig), &irt, &refs, NULL) == TM_OK &&
             tm_compose_reply_recipients(orig, strlen(orig), me, 2, TM_REPLY_ALL, &to, &cc, NULL) ==
                 TM_OK &&
             tm_compose_quote_body(orig, strlen(orig), &body, NULL) == TM_OK &&
             tm_buf_append_str(&body, "\nYes.\n") == TM_OK;
    struct tm_compose_opts o = {.now = 0, .random = counter_fill, .hostname = "h.example"};
    struct tm_compose_msg m = {.from = {"Me", "me@example.org"},
                               .to = to.items,
                               .nto = to.count,
                               .cc = cc.items,
                               .ncc = cc.count,
                               .subject = subject,
                               .in_reply_to = irt,
                               .references = refs,
                               .body = body.data,
                               .body_len = body.len};
    struct tm_envelope env = {0};
    ok = ok && tm_compose_build(&m, &o, &out, NULL) == TM_OK &&
         tm_mime_envelope_parse(out.data, out.len, &env, NULL) == TM_OK;
    ok = ok && strcmp(env.subject, "Re: Plans") == 0 && strcmp(env.in_reply_to, "m2@x") == 0 &&
         strcmp(env.references, "m1@x m2@x") == 0 && strcmp(env.to, "Ann <ann@example.com>") == 0 &&
         strcmp(env.cc, "carol@example.com") == 0 &&
         strcmp(env.message_id, "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf@example.org") == 0 &&
         strstr(out.data, "Ann wrote:\n> Shall we?\n\nYes.\n");
    if (!ok)
        tm_test_fail(__FILE__, __LINE__, "got:\n%s", out.data ? out.data : "");
    tm_mime_envelope_cleanup(&env);
    tm_compose_addr_list_cleanup(&to);
    tm_compose_addr_list_cleanup(&cc);
    tm_buf_cleanup(&body);
    tm_buf_cleanup(&out);
    free(subject);
    free(irt);
    free(refs);
}
