/* test_draft.c - drafts: each way a draft starts, attribution and forward subjects, the
 * signature, mailto: URLs, the editor's file, attachments, and the built message and envelope. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "tm_test.h"
#include "tmail/alias.h"
#include "tmail/config.h"
#include "tmail/draft.h"
#include "tmail/flags.h"
#include "tmail/mime.h"

#define ME "me@example.org"

static const char reply_to_msg[] =
    "From: Ann Example <ann@example.com>\n"
    "Reply-To: Ann's Desk <desk@example.com>\n"
    "To: Me <me@example.org>, Bob <bob@example.net>\n"
    "Cc: \"Smith, Carol\" <carol@example.com>, me.too@work.example, ME@EXAMPLE.ORG\n"
    "Date: Tue, 3 Mar 2026 10:05:09 +0100\n"
    "Subject: Re: Plans\n"
    "Message-ID: <m2@x>\n"
    "References: <m1@x>\n"
    "\n"
    "Shall we?\n";

static const char plain_msg[] = "From: Ann Example <ann@example.com>\n"
                                "To: me@example.org\n"
                                "Date: Tue, 3 Mar 2026 10:05:09 +0100\n"
                                "Subject: Plans\n"
                                "Message-ID: <p1@x>\n"
                                "\n"
                                "hello\n";

static const char list_msg[] = "From: Ann <ann@example.com>\n"
                               "To: dev@lists.example.org\n"
                               "List-Post: <mailto:dev@lists.example.org?subject=x>\n"
                               "Subject: [dev] release\n"
                               "Message-ID: <l1@x>\n"
                               "\n"
                               "soon\n";

/* A message with a text part, a PDF and an inner message (what resend and recall take). */
static const char mixed_msg[] = "From: Me <me@example.org>\n"
                                "To: Bob <bob@example.net>\n"
                                "Cc: carol@example.com\n"
                                "Bcc: secret@example.net\n"
                                "Reply-To: lists@example.org\n"
                                "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\n"
                                "Date: Tue, 3 Mar 2026 10:05:09 +0100\n"
                                "Message-ID: <draft1@example.org>\n"
                                "In-Reply-To: <m2@x>\n"
                                "References: <m1@x> <m2@x>\n"
                                "MIME-Version: 1.0\n"
                                "Content-Type: multipart/mixed; boundary=\"b1\"\n"
                                "\n"
                                "--b1\n"
                                "Content-Type: text/plain; charset=iso-8859-1\n"
                                "Content-Transfer-Encoding: quoted-printable\n"
                                "\n"
                                "Gr=FC=DFe, Bob\n"
                                "--b1\n"
                                "Content-Type: application/pdf; name=\"report.pdf\"\n"
                                "Content-Disposition: attachment; filename=\"report.pdf\"\n"
                                "Content-Description: the report\n"
                                "Content-Transfer-Encoding: base64\n"
                                "\n"
                                "JVBERi0xLjQK\n"
                                "--b1\n"
                                "Content-Type: message/rfc822\n"
                                "\n"
                                "From: x@y\n"
                                "Subject: inner\n"
                                "\n"
                                "inner text\n"
                                "--b1--\n";

struct fixture {
    struct tm_account account;
    struct tm_settings settings;
    struct tm_draft_setup setup;
};

static void fixture_init(struct fixture *f)
{
    memset(f, 0, sizeof(*f));
    f->account.from = "Me <" ME ">";
    f->account.realname = "Mia Example";
    f->settings.attribution = "On %d, %n wrote:";
    f->settings.date_format = "!%Y-%m-%d %H:%M %z";
    f->settings.sig_dashes = true;
    f->setup.account = &f->account;
    f->setup.settings = &f->settings;
    f->setup.include_quote = true;
}

static struct tm_draft *start(struct fixture *f, enum tm_draft_kind kind, const char *msg)
{
    struct tm_draft *d = NULL;
    struct tm_error err;
    if (tm_draft_start(&f->setup, kind, msg, msg ? strlen(msg) : 0, 42, &d, &err) != TM_OK)
        fprintf(stderr, "tm_draft_start: %s\n", err.message);
    return d;
}

static bool body_is(const struct tm_draft *d, const char *want)
{
    if (strcmp(d->body.data ? d->body.data : "", want) == 0)
        return true;
    fprintf(stderr, "body:\n[%s]\nwant:\n[%s]\n", d->body.data ? d->body.data : "", want);
    return false;
}

TM_TEST(draft_new_has_account_from_and_signature)
{
    struct fixture f;
    fixture_init(&f);
    f.setup.signature_text = "Mia\nexample.org"; /* no final line break */
    struct tm_draft *d = start(&f, TM_DRAFT_NEW, NULL);
    TM_CHECK(d != NULL);
    TM_CHECK_STR(d->from, "Mia Example <" ME ">");
    TM_CHECK_STR(d->to, "");
    TM_CHECK_STR(d->subject, "");
    TM_CHECK(d->in_reply_to == NULL && d->message_id == NULL);
    TM_CHECK(body_is(d, "\n-- \nMia\nexample.org\n"));
    TM_CHECK_INT(d->orig_message_id, 0);
    tm_draft_free(&d);
    TM_CHECK(d == NULL);
    tm_draft_free(&d); /* NULL is fine */
}

TM_TEST(draft_signature_without_dashes_follows_the_quote)
{
    struct fixture f;
    fixture_init(&f);
    f.settings.sig_dashes = false;
    f.settings.attribution = NULL; /* empty setting: no attribution line */
    f.setup.signature_text = "Mia\n";
    struct tm_draft *d = start(&f, TM_DRAFT_REPLY, plain_msg);
    TM_CHECK(d != NULL);
    bool ok = body_is(d, "> hello\n\nMia\n");
    tm_draft_free(&d);
    TM_CHECK(ok);
}

TM_TEST(draft_reply_goes_to_reply_to_else_from)
{
    struct fixture f;
    fixture_init(&f);
    struct tm_draft *d = start(&f, TM_DRAFT_REPLY, reply_to_msg);
    TM_CHECK(d != NULL);
    bool ok = strcmp(d->to, "Ann's Desk <desk@example.com>") == 0 && !*d->cc &&
              strcmp(d->subject, "Re: Plans") == 0 && strcmp(d->in_reply_to, "m2@x") == 0 &&
              strcmp(d->references, "m1@x m2@x") == 0 && d->orig_message_id == 42 &&
              d->orig_flag == TM_FLAG_ANSWERED &&
              body_is(d, "On 2026-03-03 10:05 +0100, Ann Example wrote:\n> Shall we?\n");
    if (!ok)
        fprintf(stderr, "to=%s cc=%s subject=%s\n", d->to, d->cc, d->subject);
    tm_draft_free(&d);
    TM_CHECK(ok);

    d = start(&f, TM_DRAFT_REPLY, plain_msg);
    TM_CHECK(d != NULL);
    ok = strcmp(d->to, "Ann Example <ann@example.com>") == 0;
    tm_draft_free(&d);
    TM_CHECK(ok);
}

TM_TEST(draft_group_reply_leaves_out_own_addresses)
{
    struct fixture f;
    fixture_init(&f);
    f.settings.alternates = "^me\\.too@work\\.example$";
    struct tm_draft *d = start(&f, TM_DRAFT_GROUP_REPLY, reply_to_msg);
    TM_CHECK(d != NULL);
    bool ok = strcmp(d->to, "Ann's Desk <desk@example.com>") == 0 &&
              strcmp(d->cc, "Bob <bob@example.net>, \"Smith, Carol\" <carol@example.com>") == 0;
    if (!ok)
        fprintf(stderr, "to=%s cc=%s\n", d->to, d->cc);
    tm_draft_free(&d);
    TM_CHECK(ok);

    /* Without alternates the other own address is just another recipient. */
    f.settings.alternates = NULL;
    d = start(&f, TM_DRAFT_GROUP_REPLY, reply_to_msg);
    TM_CHECK(d != NULL);
    ok = strstr(d->cc, "me.too@work.example") != NULL && !strstr(d->cc, ME) &&
         !strstr(d->cc, "ME@EXAMPLE.ORG");
    tm_draft_free(&d);
    TM_CHECK(ok);
}

TM_TEST(draft_reverse_name_replies_from_the_alternate)
{
    struct fixture f;
    fixture_init(&f);
    f.settings.alternates = "@work\\.example$";
    f.settings.reverse_name = true;
    struct tm_draft *d = start(&f, TM_DRAFT_REPLY, reply_to_msg);
    TM_CHECK(d != NULL);
    /* To lists me@example.org first: that is mine too, so it wins over the Cc alternate. */
    TM_CHECK_STR(d->from, "Mia Example <" ME ">");
    tm_draft_free(&d);

    const char *msg = "From: ann@example.com\nTo: me.too@work.example\nSubject: s\n\nx\n";
    d = start(&f, TM_DRAFT_REPLY, msg);
    TM_CHECK(d != NULL);
    bool ok = strcmp(d->from, "Mia Example <me.too@work.example>") == 0;
    tm_draft_free(&d);
    TM_CHECK(ok);

    f.settings.reverse_name = false;
    d = start(&f, TM_DRAFT_REPLY, msg);
    TM_CHECK(d != NULL);
    ok = strcmp(d->from, "Mia Example <" ME ">") == 0;
    tm_draft_free(&d);
    TM_CHECK(ok);
}

TM_TEST(draft_list_reply_needs_list_post)
{
    struct fixture f;
    fixture_init(&f);
    struct tm_draft *d = start(&f, TM_DRAFT_LIST_REPLY, list_msg);
    TM_CHECK(d != NULL);
    bool ok = strcmp(d->to, "dev@lists.example.org") == 0 && !*d->cc &&
              strcmp(d->subject, "Re: [dev] release") == 0;
    tm_draft_free(&d);
    TM_CHECK(ok);

    struct tm_error err;
    d = (struct tm_draft *)1;
    TM_CHECK_INT(
        tm_draft_start(&f.setup, TM_DRAFT_LIST_REPLY, plain_msg, strlen(plain_msg), 1, &d, &err),
        TM_ENOENT);
    TM_CHECK(d == NULL);
    TM_CHECK(strstr(err.message, "List-Post") != NULL);
}

TM_TEST(draft_attribution_expandos)
{
    struct fixture f;
    fixture_init(&f);
    f.settings.attribution = "%n|%a|%s|%d|%x|100%%|%";
    f.settings.date_format = "!%a %d %b %Y %H:%M:%S %z";
    f.setup.include_quote = true;
    struct tm_draft *d = start(&f, TM_DRAFT_REPLY, plain_msg);
    TM_CHECK(d != NULL);
    bool ok = body_is(d, "Ann Example|ann@example.com|Plans|Tue 03 Mar 2026 10:05:09 +0100|%x|"
                         "100%|%\n> hello\n");
    tm_draft_free(&d);
    TM_CHECK(ok);

    /* No name: %n is the address; no Date: %d is empty; no quote when include is off. */
    const char *msg = "From: ann@example.com\nSubject: s\n\nx\n";
    f.settings.attribution = "[%n][%d]";
    d = start(&f, TM_DRAFT_REPLY, msg);
    TM_CHECK(d != NULL);
    ok = body_is(d, "[ann@example.com][]\n> x\n");
    tm_draft_free(&d);
    TM_CHECK(ok);
    f.setup.include_quote = false;
    d = start(&f, TM_DRAFT_REPLY, msg);
    TM_CHECK(d != NULL);
    ok = body_is(d, "");
    tm_draft_free(&d);
    TM_CHECK(ok);
}

TM_TEST(draft_forward_inline_with_forward_format)
{
    struct fixture f;
    fixture_init(&f);
    f.settings.forward_format = "[%a: %s]";
    f.setup.signature_text = "Mia\n";
    struct tm_draft *d = start(&f, TM_DRAFT_FORWARD, plain_msg);
    TM_CHECK(d != NULL);
    bool ok = strcmp(d->subject, "[ann@example.com: Plans]") == 0 && !*d->to &&
              d->orig_flag == TM_FLAG_PASSED && d->orig_message_id == 42 && d->nattachments == 0 &&
              body_is(d, "----- Forwarded message from Ann Example <ann@example.com> -----\n"
                         "Date: Tue, 3 Mar 2026 10:05:09 +0100\n"
                         "From: Ann Example <ann@example.com>\n"
                         "To: me@example.org\n"
                         "Subject: Plans\n"
                         "\nhello\n\n"
                         "----- End forwarded message -----\n"
                         "\n-- \nMia\n");
    tm_draft_free(&d);
    TM_CHECK(ok);

    f.settings.forward_format = NULL; /* empty setting: tmail's own "Fwd: subject" */
    d = start(&f, TM_DRAFT_FORWARD, plain_msg);
    TM_CHECK(d != NULL);
    ok = strcmp(d->subject, "Fwd: Plans") == 0;
    tm_draft_free(&d);
    TM_CHECK(ok);
}

/* Builds d for Bob and parses the result. */
static bool build_parsed(struct tm_draft *d, struct tm_draft_output *out,
                         struct tm_mime_tree **tree)
{
    struct tm_draft_build_opts o = {.now = 1772528709};
    struct tm_error err;
    memset(out, 0, sizeof(*out));
    if (tm_draft_build(d, &o, out, &err) != TM_OK) {
        fprintf(stderr, "build: %s\n", err.message);
        return false;
    }
    return tm_mime_parse(out->message.data, out->message.len, tree, &err) == TM_OK;
}

TM_TEST(draft_forward_as_attachment_carries_the_original)
{
    struct fixture f;
    fixture_init(&f);
    struct tm_draft *d = start(&f, TM_DRAFT_FORWARD_ATTACH, plain_msg);
    TM_CHECK(d != NULL);
    TM_CHECK_INT(d->nattachments, 1);
    TM_CHECK_STR(d->attachments[0].content_type, "message/rfc822");
    TM_CHECK(d->attachments[0].data.len == strlen(plain_msg));
    TM_CHECK(memcmp(d->attachments[0].data.data, plain_msg, strlen(plain_msg)) == 0);
    free(d->to);
    d->to = strdup("bob@example.net");

    struct tm_draft_output out;
    struct tm_mime_tree *tree = NULL;
    struct tm_buf payload;
    tm_buf_init(&payload, 0);
    bool ok = build_parsed(d, &out, &tree);
    const struct tm_mime_part *p = ok ? tm_mime_tree_find(tree, "2") : NULL;
    ok = p && strcmp(p->type, "message") == 0 && strcmp(p->subtype, "rfc822") == 0 &&
         tm_mime_part_decode(tree, p, &payload, NULL) == TM_OK &&
         payload.len == strlen(plain_msg) && memcmp(payload.data, plain_msg, payload.len) == 0;
    if (!ok)
        fprintf(stderr, "built:\n%s\n", out.message.data ? out.message.data : "");
    tm_buf_cleanup(&payload);
    tm_mime_tree_free(&tree);
    tm_draft_output_cleanup(&out);
    tm_draft_free(&d);
    TM_CHECK(ok);
}

TM_TEST(draft_resend_keeps_headers_text_and_attachments)
{
    struct fixture f;
    fixture_init(&f);
    f.setup.signature_text = "Mia\n"; /* the original has its own: none added */
    struct tm_draft *d = start(&f, TM_DRAFT_RESEND, mixed_msg);
    TM_CHECK(d != NULL);
    TM_CHECK_STR(d->to, "Bob <bob@example.net>");
    TM_CHECK_STR(d->cc, "carol@example.com");
    TM_CHECK_STR(d->reply_to, "lists@example.org");
    TM_CHECK_STR(d->subject, "Grüße");
    TM_CHECK_STR(d->from, "Mia Example <" ME ">");
    TM_CHECK(d->in_reply_to == NULL && d->references == NULL && d->message_id == NULL);
    TM_CHECK(body_is(d, "Grüße, Bob")); /* the line break before a boundary is the boundary's */
    TM_CHECK_INT(d->nattachments, 2);
    TM_CHECK_STR(d->attachments[0].filename, "report.pdf");
    TM_CHECK_STR(d->attachments[0].content_type, "application/pdf");
    TM_CHECK_STR(d->attachments[0].description, "the report");
    TM_CHECK(d->attachments[0].data.len == 9 &&
             memcmp(d->attachments[0].data.data, "%PDF-1.4\n", 9) == 0);
    TM_CHECK_STR(d->attachments[1].content_type, "message/rfc822");
    TM_CHECK(strstr(d->attachments[1].data.data, "Subject: inner\n\ninner text") != NULL);
    TM_CHECK_INT(d->recalled_message_id, 0);
    tm_draft_free(&d);
}

TM_TEST(draft_recall_keeps_bcc_from_and_thread)
{
    struct fixture f;
    fixture_init(&f);
    f.account.from = "other@example.org";
    struct tm_draft *d = start(&f, TM_DRAFT_RECALL, mixed_msg);
    TM_CHECK(d != NULL);
    TM_CHECK_STR(d->bcc, "secret@example.net");
    TM_CHECK_STR(d->from, "Me <me@example.org>");
    TM_CHECK_STR(d->in_reply_to, "m2@x");
    TM_CHECK_STR(d->references, "m1@x m2@x");
    TM_CHECK(d->message_id == NULL); /* a new one is made when it is sent */
    TM_CHECK_INT(d->recalled_message_id, 42);
    TM_CHECK_INT(d->orig_message_id, 0);
    TM_CHECK_INT(d->nattachments, 2);
    TM_CHECK(body_is(d, "Grüße, Bob")); /* the line break before a boundary is the boundary's */
    tm_draft_free(&d);
}

TM_TEST(draft_start_without_original_fails)
{
    struct fixture f;
    fixture_init(&f);
    struct tm_draft *d = NULL;
    TM_CHECK_INT(tm_draft_start(&f.setup, TM_DRAFT_REPLY, NULL, 0, 0, &d, NULL), TM_ENOENT);
    TM_CHECK(d == NULL);
}

/* ---- mailto: ---- */

TM_TEST(draft_mailto_fields_and_escapes)
{
    struct fixture f;
    fixture_init(&f);
    f.setup.signature_text = "Mia\n";
    struct tm_draft *d = start(&f, TM_DRAFT_NEW, NULL);
    struct tm_error err;
    TM_CHECK(d != NULL);
    TM_CHECK_INT(tm_draft_apply_mailto(d,
                                       "MAILTO:a@example.org,b%40example.org?to=c@example.org"
                                       "&Cc=d@example.org&bcc=e@example.org&subject=Gr%C3%BC%C3%9Fe"
                                       "%20%26%20more&body=line1%0D%0Aline2&in-reply-to=%3Cid@x%3E"
                                       "&X-Evil=1&from=bad@example.org",
                                       &err),
                 TM_OK);
    TM_CHECK_STR(d->to, "a@example.org,b@example.org, c@example.org");
    TM_CHECK_STR(d->cc, "d@example.org");
    TM_CHECK_STR(d->bcc, "e@example.org");
    TM_CHECK_STR(d->subject, "Grüße & more");
    TM_CHECK_STR(d->in_reply_to, "id@x");
    TM_CHECK_STR(d->from, "Mia Example <" ME ">");
    TM_CHECK(body_is(d, "line1\nline2\n\n-- \nMia\n"));
    tm_draft_free(&d);
}

TM_TEST(draft_mailto_rejects_malformed_urls)
{
    static const char *const bad[] = {
        "http://example.org/",
        "mailto:a@x?subject=%4",
        "mailto:a@x?subject=%G0",
        "mailto:a@x?subject",
        "mailto:a%00@x",
        "mailto:a@x?body=%FF%FE",
        "mailto:a@x?subject=ok&cc",
        "mailto:a%zz@x?subject=fine",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct tm_draft *d = tm_draft_new();
        struct tm_error err;
        TM_CHECK(d != NULL);
        enum tm_status st = tm_draft_apply_mailto(d, bad[i], &err);
        tm_draft_free(&d);
        if (st != TM_EPARSE || !strstr(err.message, "mailto")) {
            tm_test_fail(__FILE__, __LINE__, "%s: %s", bad[i], tm_status_name(st));
            return;
        }
    }
    struct tm_draft *d = tm_draft_new();
    TM_CHECK(d != NULL);
    /* An empty field list and a fragment are fine. */
    enum tm_status st = tm_draft_apply_mailto(d, "mailto:a@example.org?#frag", NULL);
    bool ok = st == TM_OK && strcmp(d->to, "a@example.org") == 0;
    tm_draft_free(&d);
    TM_CHECK(ok);
}

/* ---- the editor's file ---- */

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    if (fp) {
        fputs(text, fp);
        fclose(fp);
    }
}

static char *read_text(const char *path)
{
    struct tm_buf b;
    char chunk[4096];
    size_t n;
    FILE *fp = fopen(path, "r");
    tm_buf_init(&b, 0);
    while (fp && (n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
        tm_buf_append(&b, chunk, n);
    if (fp)
        fclose(fp);
    return tm_buf_steal(&b);
}

static struct tm_draft *sample_draft(void)
{
    struct tm_draft *d = tm_draft_new();
    if (!d)
        return NULL;
    free(d->from);
    free(d->to);
    free(d->subject);
    d->from = strdup("Me <me@example.org>");
    d->to = strdup("bob@example.net");
    d->subject = strdup("Plans\nand more");
    tm_buf_append_str(&d->body, "Hello Bob\n");
    return d;
}

TM_TEST(draft_file_round_trip_with_headers)
{
    const char *dir = tm_test_tmpdir();
    char path[512];
    snprintf(path, sizeof(path), "%s/draft.txt", dir);
    struct tm_draft *d = sample_draft();
    struct tm_error err;
    TM_CHECK(d != NULL);
    TM_CHECK_INT(tm_draft_write_file(d, true, path, &err), TM_OK);
    struct stat sb;
    TM_CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    char *text = read_text(path);
    bool ok = strcmp(text, "From: Me <me@example.org>\nTo: bob@example.net\nCc: \nBcc: \n"
                           "Subject: Plans and more\nReply-To: \n\nHello Bob\n") == 0;
    free(text);
    TM_CHECK(ok);

    /* Unchanged: the same fields, body_edited stays false. */
    TM_CHECK_INT(tm_draft_read_file(d, true, path, &err), TM_OK);
    TM_CHECK(!d->body_edited);
    TM_CHECK_STR(d->subject, "Plans and more");
    TM_CHECK_STR(d->to, "bob@example.net");

    /* Edited: names are case-insensitive, folded lines join, Cc is dropped, From kept. */
    write_text(path, "to: bob@example.net,\n  carol@example.com\r\nSubject: New\r\n"
                     "Bcc: x@example.org\n\nHello Bob and Carol\r\n");
    free(d->cc);
    d->cc = strdup("old@example.org");
    TM_CHECK_INT(tm_draft_read_file(d, true, path, &err), TM_OK);
    TM_CHECK(d->body_edited);
    TM_CHECK_STR(d->to, "bob@example.net, carol@example.com");
    TM_CHECK_STR(d->cc, "");
    TM_CHECK_STR(d->bcc, "x@example.org");
    TM_CHECK_STR(d->subject, "New");
    TM_CHECK_STR(d->from, "Me <me@example.org>");
    TM_CHECK_STR(d->body.data, "Hello Bob and Carol\n");
    tm_draft_free(&d);
}

TM_TEST(draft_file_without_headers_is_only_the_body)
{
    const char *dir = tm_test_tmpdir();
    char path[512];
    snprintf(path, sizeof(path), "%s/body.txt", dir);
    struct tm_draft *d = sample_draft();
    TM_CHECK(d != NULL);
    TM_CHECK_INT(tm_draft_write_file(d, false, path, NULL), TM_OK);
    char *text = read_text(path);
    bool ok = strcmp(text, "Hello Bob\n") == 0;
    free(text);
    TM_CHECK(ok);
    /* A body line looking like a header stays body text. */
    write_text(path, "X-Not: a header\n");
    TM_CHECK_INT(tm_draft_read_file(d, false, path, NULL), TM_OK);
    ok = d->body_edited && strcmp(d->body.data, "X-Not: a header\n") == 0 &&
         strcmp(d->to, "bob@example.net") == 0;
    tm_draft_free(&d);
    TM_CHECK(ok);
}

TM_TEST(draft_file_unknown_header_names_the_line)
{
    const char *dir = tm_test_tmpdir();
    char path[512];
    snprintf(path, sizeof(path), "%s/draft.txt", dir);
    struct tm_draft *d = sample_draft();
    struct tm_error err;
    TM_CHECK(d != NULL);
    write_text(path, "To: carol@example.com\nSubject: x\nX-Mailer: me\n\nchanged\n");
    TM_CHECK_INT(tm_draft_read_file(d, true, path, &err), TM_EPARSE);
    TM_CHECK(strstr(err.message, ":3:") != NULL && strstr(err.message, "X-Mailer") != NULL);
    /* Nothing changed. */
    TM_CHECK_STR(d->to, "bob@example.net");
    TM_CHECK_STR(d->body.data, "Hello Bob\n");
    TM_CHECK(!d->body_edited);
    write_text(path, "To: carol@example.com\nno colon here\n\nbody\n");
    TM_CHECK_INT(tm_draft_read_file(d, true, path, &err), TM_EPARSE);
    TM_CHECK(strstr(err.message, ":2:") != NULL);
    tm_draft_free(&d);
}

TM_TEST(draft_file_attach_line_attaches_the_file)
{
    const char *dir = tm_test_tmpdir();
    char path[512], att[512], text[1200];
    snprintf(path, sizeof(path), "%s/draft.txt", dir);
    snprintf(att, sizeof(att), "%s/notes.txt", dir);
    write_text(att, "some notes\n");
    snprintf(text, sizeof(text), "To: bob@example.net\nAttach: %s  My notes\n\nHello Bob\n", att);
    write_text(path, text);
    struct tm_draft *d = sample_draft();
    struct tm_error err;
    TM_CHECK(d != NULL);
    TM_CHECK_INT(tm_draft_read_file(d, true, path, &err), TM_OK);
    TM_CHECK(!d->body_edited);
    TM_CHECK_INT(d->nattachments, 1);
    TM_CHECK_STR(d->attachments[0].path, att);
    TM_CHECK_STR(d->attachments[0].filename, "notes.txt");
    TM_CHECK_STR(d->attachments[0].description, "My notes");
    TM_CHECK(strncmp(d->attachments[0].content_type, "text/plain", 10) == 0);
    TM_CHECK(d->attachments[0].data.len == 11);

    /* A missing file: the error names it and nothing is attached. */
    snprintf(text, sizeof(text), "To: bob@example.net\nAttach: %s\nAttach: %s/missing.pdf\n\nx\n",
             att, dir);
    write_text(path, text);
    TM_CHECK_INT(tm_draft_read_file(d, true, path, &err), TM_ENOENT);
    TM_CHECK(strstr(err.message, "missing.pdf") != NULL);
    TM_CHECK_INT(d->nattachments, 1);
    TM_CHECK_STR(d->body.data, "Hello Bob\n");
    tm_draft_free(&d);
}

TM_TEST(draft_attach_file_errors_name_the_file)
{
    const char *dir = tm_test_tmpdir();
    char path[512];
    snprintf(path, sizeof(path), "%s/nope.bin", dir);
    struct tm_draft *d = tm_draft_new();
    struct tm_error err;
    TM_CHECK(d != NULL);
    TM_CHECK_INT(tm_draft_attach_file(d, path, 1000, &err), TM_ENOENT);
    TM_CHECK(strstr(err.message, path) != NULL);
    TM_CHECK_INT(d->nattachments, 0);
    write_text(path, "0123456789");
    TM_CHECK_INT(tm_draft_attach_file(d, path, 5, &err), TM_ELIMIT);
    TM_CHECK(strstr(err.message, path) != NULL);
    TM_CHECK_INT(tm_draft_attach_file(d, path, 100, &err), TM_OK);
    TM_CHECK_INT(tm_draft_attach_data(d, NULL, NULL, NULL, "xy", 2, &err), TM_OK);
    TM_CHECK_INT(d->nattachments, 2);
    TM_CHECK_STR(d->attachments[1].content_type, "application/octet-stream");
    tm_draft_detach(d, 0);
    TM_CHECK_INT(d->nattachments, 1);
    TM_CHECK(d->attachments[0].data.len == 2);
    tm_draft_free(&d);
}

/* ---- build ---- */

static struct tm_draft *addressed(const char *to, const char *cc, const char *bcc)
{
    struct tm_draft *d = sample_draft();
    if (!d)
        return NULL;
    free(d->to);
    free(d->cc);
    free(d->bcc);
    free(d->subject);
    d->to = strdup(to);
    d->cc = strdup(cc);
    d->bcc = strdup(bcc);
    d->subject = strdup("Plans");
    return d;
}

static bool has_rcpt(const struct tm_draft_output *o, const char *addr)
{
    for (size_t i = 0; i < o->nrcpts; i++)
        if (strcmp(o->rcpts[i], addr) == 0)
            return true;
    return false;
}

TM_TEST(draft_build_leaves_out_bcc_and_duplicates)
{
    struct tm_draft *d = addressed("Bob <bob@example.net>, \"Smith, Carol\" <carol@example.com>",
                                   "BOB@example.net, dave@example.org, dave@example.org",
                                   "eve@example.org, Carol@Example.com");
    struct tm_draft_build_opts o = {.now = 1772528709};
    struct tm_draft_output out;
    struct tm_error err;
    memset(&out, 0, sizeof(out));
    TM_CHECK(d != NULL);
    TM_CHECK_INT(tm_draft_build(d, &o, &out, &err), TM_OK);
    bool ok =
        out.nrcpts == 4 && has_rcpt(&out, "bob@example.net") &&
        has_rcpt(&out, "carol@example.com") && has_rcpt(&out, "dave@example.org") &&
        has_rcpt(&out, "eve@example.org") && strcmp(out.env_from, ME) == 0 &&
        strcmp(out.subject, "Plans") == 0 &&
        strcmp(out.to_display,
               "Bob <bob@example.net>, Smith, Carol <carol@example.com>, dave@example.org") == 0 &&
        !strstr(out.message.data, "eve@") && !strstr(out.message.data, "Bcc") &&
        strstr(out.message.data, "\nCc: dave@example.org\n") &&
        strstr(out.message.data, "Date: ") && d->message_id &&
        strstr(out.message.data, d->message_id);
    if (!ok)
        fprintf(stderr, "display=%s\n%s\n", out.to_display ? out.to_display : "",
                out.message.data ? out.message.data : "");
    tm_draft_output_cleanup(&out);
    tm_draft_free(&d);
    TM_CHECK(ok);
}

TM_TEST(draft_build_expands_aliases)
{
    struct tm_alias items[] = {
        {"team", "Bob Smith <bob@example.org>, carol@example.org", NULL},
        {"eve", "Eve <eve@example.org>", NULL},
    };
    struct tm_alias_set set = {items, 2, 2};
    struct tm_draft *d = addressed("team", "", "Eve");
    struct tm_draft_build_opts o = {.aliases = &set};
    struct tm_draft_output out;
    struct tm_error err;
    memset(&out, 0, sizeof(out));
    TM_CHECK(d != NULL);
    TM_CHECK_INT(tm_draft_build(d, &o, &out, &err), TM_OK);
    bool ok = out.nrcpts == 3 && has_rcpt(&out, "bob@example.org") &&
              has_rcpt(&out, "carol@example.org") && has_rcpt(&out, "eve@example.org") &&
              strstr(out.message.data, "To: Bob Smith <bob@example.org>, carol@example.org\n");
    tm_draft_output_cleanup(&out);
    /* Without the aliases the key is no address. */
    memset(&out, 0, sizeof(out));
    ok = ok && tm_draft_build(d, NULL, &out, &err) == TM_EPARSE &&
         strcmp(err.message, "To: cannot read team") == 0;
    tm_draft_output_cleanup(&out);
    tm_draft_free(&d);
    TM_CHECK(ok);
}

TM_TEST(draft_build_takes_international_addresses)
{
    /* RFC 6531/6532: UTF-8 addr-specs travel as they are (the SMTP layer asks for SMTPUTF8) */
    struct tm_draft *d = addressed("J\xc3\xbcrgen <j\xc3\xbcrgen@b\xc3\xbc"
                                   "cher.example>",
                                   "", "");
    struct tm_draft_build_opts o = {.now = 1772528709};
    struct tm_draft_output out;
    struct tm_error err;
    memset(&out, 0, sizeof(out));
    TM_CHECK(d != NULL);
    enum tm_status st = tm_draft_build(d, &o, &out, &err);
    bool ok = st == TM_OK && out.nrcpts == 1 &&
              has_rcpt(&out, "j\xc3\xbcrgen@b\xc3\xbc"
                             "cher.example") &&
              strstr(out.message.data, "<j\xc3\xbcrgen@b\xc3\xbc"
                                       "cher.example>") &&
              d->message_id && !strchr(d->message_id, '\xc3');
    if (!ok)
        fprintf(stderr, "%s: %s\n%s\n", tm_status_name(st), err.message,
                out.message.data ? out.message.data : "");
    tm_draft_output_cleanup(&out);
    tm_draft_free(&d);
    TM_CHECK(ok);
    /* a C1 control (a terminal's CSI) in an address is still refused */
    d = addressed("a\xc2\x9b@example.org", "", "");
    memset(&out, 0, sizeof(out));
    st = tm_draft_build(d, &o, &out, &err);
    tm_draft_output_cleanup(&out);
    tm_draft_free(&d);
    TM_CHECK_INT(st, TM_EPARSE);
}

TM_TEST(draft_build_bad_address_names_the_field)
{
    static const struct {
        const char *to, *cc, *bcc, *want;
    } cases[] = {
        {"bob@", "", "", "To: cannot read bob@"},
        {"bob@example.net", "carol@example.com, Dave <dave@>", "", "Cc: cannot read Dave <dave@>"},
        {"bob@example.net", "", "eve@example.org eve2@example.org",
         "Bcc: cannot read eve@example.org eve2@example.org"},
        {"Bob Smith", "", "", "To: cannot read Bob Smith"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tm_draft *d = addressed(cases[i].to, cases[i].cc, cases[i].bcc);
        struct tm_draft_output out;
        struct tm_error err;
        memset(&out, 0, sizeof(out));
        TM_CHECK(d != NULL);
        enum tm_status st = tm_draft_build(d, NULL, &out, &err);
        tm_draft_output_cleanup(&out);
        tm_draft_free(&d);
        if (st != TM_EPARSE || strcmp(err.message, cases[i].want) != 0) {
            tm_test_fail(__FILE__, __LINE__, "case %zu: %s \"%s\"", i, tm_status_name(st),
                         err.message);
            return;
        }
    }
}

TM_TEST(draft_build_needs_recipients_unless_postponed)
{
    struct tm_draft *d = addressed("", " , ", "");
    struct tm_draft_build_opts o = {0};
    struct tm_draft_output out;
    struct tm_error err;
    memset(&out, 0, sizeof(out));
    TM_CHECK(d != NULL);
    TM_CHECK_INT(tm_draft_build(d, &o, &out, &err), TM_EPARSE);
    TM_CHECK(strstr(err.message, "no recipients") != NULL);
    tm_draft_output_cleanup(&out);
    o.postponed = true;
    TM_CHECK_INT(tm_draft_build(d, &o, &out, &err), TM_OK);
    TM_CHECK_INT(out.nrcpts, 0);
    tm_draft_output_cleanup(&out);
    free(d->from);
    d->from = strdup("");
    TM_CHECK_INT(tm_draft_build(d, &o, &out, &err), TM_EPARSE);
    TM_CHECK(strncmp(err.message, "From:", 5) == 0);
    tm_draft_output_cleanup(&out);
    tm_draft_free(&d);
}

TM_TEST(draft_build_postponed_keeps_bcc_for_recall)
{
    struct tm_draft *d = addressed("bob@example.net", "", "Zoë <zoe@example.org>, x@example.org");
    struct tm_draft_build_opts o = {.postponed = true, .now = 1772528709};
    struct tm_draft_output out;
    struct tm_error err;
    memset(&out, 0, sizeof(out));
    TM_CHECK(d != NULL);
    TM_CHECK_INT(tm_draft_build(d, &o, &out, &err), TM_OK);
    TM_CHECK(strstr(out.message.data, "\nBcc: =?UTF-8?") != NULL);
    TM_CHECK(has_rcpt(&out, "zoe@example.org") && out.nrcpts == 3);

    /* Recalling it gives the Bcc back, names decoded. */
    struct fixture f;
    fixture_init(&f);
    struct tm_draft *r = start(&f, TM_DRAFT_RECALL, out.message.data);
    bool ok = r && strcmp(r->bcc, "Zoë <zoe@example.org>, x@example.org") == 0 &&
              strcmp(r->to, "bob@example.net") == 0 && strcmp(r->body.data, "Hello Bob\n") == 0;
    if (r && !ok)
        fprintf(stderr, "bcc=%s\n%s\n", r->bcc, out.message.data);
    tm_draft_free(&r);
    tm_draft_output_cleanup(&out);

    /* Sent, not postponed: no Bcc field. */
    o.postponed = false;
    memset(&out, 0, sizeof(out));
    ok = ok && tm_draft_build(d, &o, &out, &err) == TM_OK && !strstr(out.message.data, "Bcc") &&
         !strstr(out.message.data, "zoe@");
    tm_draft_output_cleanup(&out);
    tm_draft_free(&d);
    TM_CHECK(ok);
}

TM_TEST(draft_build_message_id_made_once)
{
    struct tm_draft *d = addressed("bob@example.net", "", "");
    struct tm_draft_output a, b;
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    TM_CHECK(d != NULL);
    TM_CHECK(d->message_id == NULL);
    TM_CHECK_INT(tm_draft_build(d, NULL, &a, NULL), TM_OK);
    char *first = d->message_id ? strdup(d->message_id) : NULL;
    TM_CHECK_INT(tm_draft_build(d, NULL, &b, NULL), TM_OK);
    struct tm_envelope ea = {0}, eb = {0};
    bool ok = first && strcmp(first, d->message_id) == 0 && strstr(first, "@example.org") &&
              tm_mime_envelope_parse(a.message.data, a.message.len, &ea, NULL) == TM_OK &&
              tm_mime_envelope_parse(b.message.data, b.message.len, &eb, NULL) == TM_OK &&
              strcmp(ea.message_id, first) == 0 && strcmp(eb.message_id, first) == 0;
    tm_mime_envelope_cleanup(&ea);
    tm_mime_envelope_cleanup(&eb);
    free(first);
    tm_draft_output_cleanup(&a);
    tm_draft_output_cleanup(&b);
    tm_draft_free(&d);
    TM_CHECK(ok);
}

TM_TEST(draft_build_utf8_subject_and_body_decode_back)
{
    struct tm_draft *d = addressed("Zoë <zoe@example.org>", "", "");
    TM_CHECK(d != NULL);
    free(d->subject);
    d->subject = strdup("Grüße aus Köln – ☕");
    tm_buf_reset(&d->body);
    tm_buf_append_str(&d->body, "Schöne Grüße,\nJürgen ☕\n");
    struct tm_draft_output out;
    struct tm_mime_tree *tree = NULL;
    struct tm_buf text;
    struct tm_envelope env = {0};
    tm_buf_init(&text, 0);
    bool ok = build_parsed(d, &out, &tree);
    ok = ok && tm_mime_part_text(tree, &tree->root, &text, NULL) == TM_OK &&
         strcmp(text.data, "Schöne Grüße,\nJürgen ☕\n") == 0 &&
         tm_mime_envelope_parse(out.message.data, out.message.len, &env, NULL) == TM_OK &&
         strcmp(env.subject, "Grüße aus Köln – ☕") == 0 &&
         strcmp(env.to, "Zoë <zoe@example.org>") == 0 &&
         strstr(out.message.data, "Content-Transfer-Encoding: 8bit") &&
         strcmp(out.to_display, "Zoë <zoe@example.org>") == 0 &&
         strcmp(out.subject, "Grüße aus Köln – ☕") == 0;
    if (!ok)
        fprintf(stderr, "%s\ntext=%s\n", out.message.data ? out.message.data : "",
                text.data ? text.data : "");
    tm_mime_envelope_cleanup(&env);
    tm_buf_cleanup(&text);
    tm_mime_tree_free(&tree);
    tm_draft_output_cleanup(&out);
    tm_draft_free(&d);
    TM_CHECK(ok);
}

TM_TEST(draft_resend_alternative_keeps_only_the_text)
{
    static const char alt[] = "From: ann@example.com\nTo: bob@example.net\nSubject: s\n"
                              "MIME-Version: 1.0\n"
                              "Content-Type: multipart/alternative; boundary=a\n\n"
                              "--a\nContent-Type: text/html\n\n<p>hi <b>there</b></p>\n"
                              "--a\nContent-Type: text/plain\n\nhi there\n\n--a--\n";
    static const char html[] = "From: ann@example.com\nTo: bob@example.net\nSubject: s\n"
                               "Content-Type: text/html; charset=utf-8\n\n<p>Grüße</p>\n";
    struct fixture f;
    fixture_init(&f);
    struct tm_draft *d = start(&f, TM_DRAFT_RESEND, alt);
    TM_CHECK(d != NULL);
    bool ok = d->nattachments == 0 && body_is(d, "hi there\n");
    tm_draft_free(&d);
    TM_CHECK(ok);
    d = start(&f, TM_DRAFT_RESEND, html); /* HTML alone is edited as its text */
    TM_CHECK(d != NULL);
    ok = d->nattachments == 0 && d->body.data && strstr(d->body.data, "Grüße") &&
         !strstr(d->body.data, "<p>");
    tm_draft_free(&d);
    TM_CHECK(ok);
}

TM_TEST(draft_build_reads_groups_comments_and_quoted_names)
{
    struct tm_draft *d = addressed("friends: a@example.org, \"B, the second\" <b@example.org>;",
                                   "undisclosed-recipients:;, c@example.org (Carol)", "");
    struct tm_draft_output out;
    struct tm_error err;
    memset(&out, 0, sizeof(out));
    TM_CHECK(d != NULL);
    TM_CHECK_INT(tm_draft_build(d, NULL, &out, &err), TM_OK);
    bool ok = out.nrcpts == 3 && has_rcpt(&out, "a@example.org") &&
              has_rcpt(&out, "b@example.org") && has_rcpt(&out, "c@example.org") &&
              strcmp(out.to_display,
                     "a@example.org, B, the second <b@example.org>, Carol <c@example.org>") == 0;
    if (!ok)
        fprintf(stderr, "display=%s\n", out.to_display ? out.to_display : "");
    tm_draft_output_cleanup(&out);
    tm_draft_free(&d);
    TM_CHECK(ok);
}
