/* test_compose.c - building messages and parsing them back: headers, encodings, attachments,
 * boundaries, line lengths, libmagic and attachment files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/mime/compose_private.h"
#include "src/mime/private.h"
#include "tm_test.h"
#include "tmail/compose.h"

#define NOW ((time_t)1795464794) /* Mon, 23 Nov 2026 20:13:14 UTC */

/* A deterministic random source: each call fills with seq, seq+1, ... and bumps seq. */
struct fake_random {
    unsigned char seq;
    unsigned calls;
};

static bool fake_fill(void *ctx, unsigned char *buf, size_t len)
{
    struct fake_random *r = ctx;
    for (size_t i = 0; i < len; i++)
        buf[i] = (unsigned char)(r->seq + i);
    r->seq = (unsigned char)(r->seq + 0x10);
    r->calls++;
    return true;
}

static struct tm_compose_opts opts_for(struct fake_random *r, bool eightbit)
{
    struct tm_compose_opts o = {.server_8bitmime = eightbit,
                                .now = NOW,
                                .random = fake_fill,
                                .random_ctx = r,
                                .hostname = "host.example"};
    return o;
}

static const struct tm_compose_addr alice = {"Alice Example", "alice@example.org"};
static const struct tm_compose_addr bob = {NULL, "bob@example.net"};

static char *build(const struct tm_compose_msg *msg, const struct tm_compose_opts *o)
{
    struct tm_buf out;
    struct tm_error err;
    tm_buf_init(&out, 0);
    if (tm_compose_build(msg, o, &out, &err) != TM_OK) {
        tm_test_fail(__FILE__, __LINE__, "build failed: %s", err.message);
        tm_buf_cleanup(&out);
        return NULL;
    }
    return tm_buf_steal(&out);
}

/* The longest line of s, and (when header_max) of its header only. */
static size_t longest_line(const char *s, bool header_only)
{
    size_t best = 0, cur = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '\n') {
            if (header_only && cur == 0)
                break;
            cur = 0;
            continue;
        }
        if (++cur > best)
            best = cur;
    }
    return best;
}

/* The body of s after the header, transfer-decoded per its Content-Transfer-Encoding. */
static char *decoded_body(const char *msg, size_t len, size_t *out_len)
{
    size_t start = tm_mime_header_end(msg, len);
    char *cte = tm_mime_header_get(msg, start, "Content-Transfer-Encoding");
    struct tm_buf b;
    tm_buf_init(&b, 0);
    enum tm_status st = mime_transfer_decode(&b, mime_cte_parse(cte), msg + start, len - start);
    free(cte);
    *out_len = b.len;
    return st == TM_OK ? tm_buf_steal(&b) : NULL;
}

TM_TEST(compose_plain_ascii_round_trip)
{
    struct fake_random r = {0};
    struct tm_compose_opts o = opts_for(&r, false);
    struct tm_compose_msg m = {.from = alice,
                               .to = &bob,
                               .nto = 1,
                               .subject = "Lunch tomorrow?",
                               .body = "Hello Bob,\n\nsee you at noon.\n",
                               .body_len = 29};
    char *s = build(&m, &o);
    TM_CHECK(s != NULL);
    struct tm_envelope env;
    TM_CHECK_INT(tm_mime_envelope_parse(s, strlen(s), &env, NULL), TM_OK);
    int ok = strcmp(env.subject, "Lunch tomorrow?") == 0 &&
             strcmp(env.from_name, "Alice Example") == 0 &&
             strcmp(env.from_addr, "alice@example.org") == 0 &&
             strcmp(env.to, "bob@example.net") == 0 && env.date == NOW &&
             strcmp(env.message_id, "000102030405060708090a0b0c0d0e0f@example.org") == 0;
    tm_mime_envelope_cleanup(&env);
    TM_CHECK(ok);
    TM_CHECK(strstr(s, "Date: Mon, 23 Nov 2026 20:13:14 +0000\n") == s);
    TM_CHECK(strstr(s, "\nMIME-Version: 1.0\n") != NULL);
    TM_CHECK(strstr(s, "Content-Transfer-Encoding: 7bit\n\nHello Bob,\n\nsee you") != NULL);
    char *cte = tm_mime_header_get(s, strlen(s), "Content-Type");
    TM_CHECK_STR(cte, "text/plain; charset=us-ascii");
    free(cte);
    struct tm_buf text;
    tm_buf_init(&text, 0);
    TM_CHECK_INT(tm_mime_render_text(s, strlen(s), &text, NULL), TM_OK);
    ok = text.data && strstr(text.data, "Hello Bob,\n\nsee you at noon.") == text.data;
    tm_buf_cleanup(&text);
    free(s);
    TM_CHECK(ok);
}

/* Builds body as the only text, checks the transfer encoding and that it decodes back. */
static int check_body(const char *body, bool eightbit, const char *want_cte)
{
    struct fake_random r = {0};
    struct tm_compose_opts o = opts_for(&r, eightbit);
    struct tm_compose_msg m = {
        .from = alice, .to = &bob, .nto = 1, .body = body, .body_len = strlen(body)};
    char *s = build(&m, &o);
    if (!s)
        return 0;
    size_t n;
    char *cte = tm_mime_header_get(s, strlen(s), "Content-Transfer-Encoding");
    char *dec = decoded_body(s, strlen(s), &n);
    int ok = cte && strcmp(cte, want_cte) == 0 && dec && n == strlen(body) &&
             memcmp(dec, body, n) == 0 && longest_line(s, false) <= 998;
    if (ok && strcmp(want_cte, "quoted-printable") == 0)
        ok = longest_line(s + tm_mime_header_end(s, strlen(s)), false) <= 76;
    if (!ok)
        tm_test_fail(__FILE__, __LINE__, "cte %s, body round trip of \"%.40s\" failed:\n%s",
                     cte ? cte : "-", body, s);
    free(cte);
    free(dec);
    free(s);
    return ok;
}

TM_TEST(compose_utf8_body_qp_or_8bit)
{
    const char *body = "Grüße aus Köln!\nZweite Zeile — mit Strich.\n";
    if (!check_body(body, false, "quoted-printable") || !check_body(body, true, "8bit"))
        return;
    TM_CHECK(check_body("plain ascii\n", true, "7bit"));
}

TM_TEST(compose_qp_edge_cases_round_trip)
{
    const char *body = "From here on\n.\ntrailing space \ttab\t\nend = equals\n.dot\nF";
    struct tm_buf qp;
    tm_buf_init(&qp, 0);
    TM_CHECK_INT(compose_qp_encode(&qp, body, strlen(body)), TM_OK);
    int ok =
        strstr(qp.data, "=46rom here on\n=2E\ntrailing space \ttab=09\nend =3D equals\n.dot\nF") ==
        qp.data;
    tm_buf_cleanup(&qp);
    TM_CHECK(ok);
    /* A bare CR or NUL forces quoted-printable even with 8BITMIME. */
    if (!check_body("a\rb\n", true, "quoted-printable"))
        return;
    TM_CHECK(check_body("tab\tok \n", false, "7bit"));
}

TM_TEST(compose_long_lines_never_exceed_998)
{
    char *body = malloc(6001);
    TM_CHECK(body != NULL);
    for (int i = 0; i < 6000; i++)
        body[i] = (char)('a' + i % 26);
    body[6000] = '\0';
    int ok = check_body(body, true, "quoted-printable");
    /* A long line with multibyte characters splits at soft breaks and still decodes whole. */
    for (int i = 0; ok && i + 2 <= 6000; i += 2)
        memcpy(body + i, "\xc3\xa9", 2);
    ok = ok && check_body(body, false, "quoted-printable");
    free(body);
    TM_CHECK(ok);
}

TM_TEST(compose_non_ascii_subject_and_names)
{
    static const struct tm_compose_addr to[] = {
        {"Jörg Müller", "joerg@example.de"},
        {"Smith, John", "john@example.com"},
        {"Zoë \"Z\" Ångström", "zoe@example.se"},
        {"=?not encoded?=", "odd@example.com"},
    };
    const char *subject = "Grüße aus Köln: ein sehr langer Betreff, der über die Zeile hinausgeht "
                          "und gefaltet werden muss — 日本語のテキストも入っています";
    struct fake_random r = {0};
    struct tm_compose_opts o = opts_for(&r, false);
    struct tm_compose_msg m = {.from = {"Ålice Ünicode", "alice@example.org"},
                               .to = to,
                               .nto = 4,
                               .subject = subject,
                               .body = "x\n",
                               .body_len = 2};
    char *s = build(&m, &o);
    TM_CHECK(s != NULL);
    struct tm_envelope env;
    TM_CHECK_INT(tm_mime_envelope_parse(s, strlen(s), &env, NULL), TM_OK);
    int ok = strcmp(env.subject, subject) == 0 && strcmp(env.from_name, "Ålice Ünicode") == 0;
    ok = ok && strcmp(env.to, "Jörg Müller <joerg@example.de>, Smith, John <john@example.com>, "
                              "Zoë \"Z\" Ångström <zoe@example.se>, =?not encoded?= "
                              "<odd@example.com>") == 0;
    if (!ok)
        tm_test_fail(__FILE__, __LINE__, "subject \"%s\" to \"%s\"\n%s", env.subject, env.to, s);
    tm_mime_envelope_cleanup(&env);
    ok = ok && longest_line(s, true) <= 78 && strstr(s, "\"Smith, John\"");
    free(s);
    TM_CHECK(ok);
}

TM_TEST(compose_header_injection_is_flattened)
{
    struct fake_random r = {0};
    struct tm_compose_opts o = opts_for(&r, false);
    struct tm_compose_msg m = {.from = alice,
                               .to = &bob,
                               .nto = 1,
                               .subject = "hi\r\nBcc: victim@example.com",
                               .body = ""};
    char *s = build(&m, &o);
    TM_CHECK(s != NULL);
    int ok = strstr(s, "\nBcc:") == NULL;
    free(s);
    TM_CHECK(ok);
    struct tm_compose_addr bad = {NULL, "a@b\nBcc: c@d"};
    m.to = &bad;
    struct tm_buf out;
    struct tm_error err;
    tm_buf_init(&out, 0);
    TM_CHECK_INT(tm_compose_build(&m, &o, &out, &err), TM_EPARSE);
    tm_buf_cleanup(&out);
    TM_CHECK(strstr(err.message, "a@b") != NULL);
}

TM_TEST(compose_headers_fold_at_78)
{
    struct tm_compose_addr many[30];
    char addrs[30][32];
    for (int i = 0; i < 30; i++) {
        snprintf(addrs[i], sizeof(addrs[i]), "person%d@example.org", i);
        many[i].name = i % 2 ? "Some Person" : NULL;
        many[i].addr = addrs[i];
    }
    const char *refs = "a1@x.example a2@x.example a3@x.example a4@x.example a5@x.example "
                       "a6@x.example a7@x.example";
    struct fake_random r = {0};
    struct tm_compose_opts o = opts_for(&r, false);
    struct tm_compose_msg m = {.from = alice,
                               .to = many,
                               .nto = 30,
                               .cc = many,
                               .ncc = 10,
                               .subject = "a b c d e f g h i j k l m n o p q r s t u v w x y z "
                                          "a b c d e f g h i j k l m n o p q r s t u v w x y z",
                               .references = refs,
                               .in_reply_to = "a7@x.example",
                               .body = "x"};
    char *s = build(&m, &o);
    TM_CHECK(s != NULL);
    struct tm_envelope env;
    TM_CHECK_INT(tm_mime_envelope_parse(s, strlen(s), &env, NULL), TM_OK);
    int ok = longest_line(s, true) <= 78 && strcmp(env.references, refs) == 0 &&
             strcmp(env.in_reply_to, "a7@x.example") == 0 && strstr(env.to, "person29@") != NULL;
    tm_mime_envelope_cleanup(&env);
    if (!ok)
        tm_test_fail(__FILE__, __LINE__, "%s", s);
    free(s);
}

TM_TEST(compose_crlf_wire_form)
{
    struct fake_random r = {0};
    struct tm_compose_opts o = opts_for(&r, false);
    o.crlf = true;
    struct tm_compose_attachment att = {"a.bin", NULL, "\x01\x02", 2};
    struct tm_compose_msg m = {.from = alice,
                               .to = &bob,
                               .nto = 1,
                               .body = "a\r\nb\n",
                               .body_len = 5,
                               .attachments = &att,
                               .nattachments = 1};
    char *s = build(&m, &o);
    TM_CHECK(s != NULL);
    int ok = strstr(s, "\r\n\r\na\r\nb\r\n") != NULL;
    for (const char *p = s; ok && (p = strchr(p, '\n')); p++)
        ok = p > s && p[-1] == '\r' && !(p > s + 1 && p[-2] == '\r');
    free(s);
    TM_CHECK(ok);
}

TM_TEST(compose_magic_detects_png_and_text)
{
    static const unsigned char png[] = {
        0x89, 'P',  'N',  'G',  0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 'I',  'H',
        'D',  'R',  0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00,
        0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0a, 'I',  'D',  'A',  'T',  0x78,
        0x9c, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4};
    struct tm_magic *m = NULL;
    struct tm_error err;
    char *png_type = NULL, *text_type = NULL, *utf8_type = NULL;
    TM_CHECK_INT(tm_magic_new(&m, &err), TM_OK);
    int ok = tm_magic_content_type(m, png, sizeof(png), &png_type, &err) == TM_OK &&
             tm_magic_content_type(m, "hello world\n", 12, &text_type, &err) == TM_OK &&
             tm_magic_content_type(m, "Grüße aus Köln\n", 17, &utf8_type, &err) == TM_OK;
    tm_magic_free(&m);
    ok = ok && m == NULL && strcmp(png_type, "image/png") == 0 &&
         strcmp(text_type, "text/plain; charset=us-ascii") == 0 &&
         strcmp(utf8_type, "text/plain; charset=utf-8") == 0;
    if (!ok)
        tm_test_fail(__FILE__, __LINE__, "%s / %s / %s", png_type ? png_type : "-",
                     text_type ? text_type : "-", utf8_type ? utf8_type : "-");
    free(png_type);
    free(text_type);
    free(utf8_type);
}

TM_TEST(compose_unreadable_file_is_a_clear_error)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/missing-report.pdf", tm_test_tmpdir());
    struct tm_compose_file f;
    struct tm_error err;
    TM_CHECK_INT(tm_compose_file_load(&f, path, 1 << 20, NULL, &err), TM_ENOENT);
    tm_compose_file_cleanup(&f);
    TM_CHECK(strstr(err.message, path) != NULL);
    /* Too large is an error before anything is built, too. */
    snprintf(path, sizeof(path), "%s/notes.txt", tm_test_tmpdir());
    FILE *fp = fopen(path, "w");
    TM_CHECK(fp != NULL);
    fputs("some notes\n", fp);
    fclose(fp);
    TM_CHECK_INT(tm_compose_file_load(&f, path, 4, NULL, &err), TM_ELIMIT);
    tm_compose_file_cleanup(&f);
    TM_CHECK(strstr(err.message, "notes.txt") != NULL);
    TM_CHECK_INT(tm_compose_file_load(&f, path, 1 << 20, NULL, &err), TM_OK);
    int ok = strcmp(f.att.filename, "notes.txt") == 0 && f.att.len == 11 &&
             strcmp(f.att.content_type, "text/plain; charset=us-ascii") == 0;
    tm_compose_file_cleanup(&f);
    TM_CHECK(ok);
}

TM_TEST(compose_system_random_fills)
{
    unsigned char a[16] = {0}, b[16] = {0};
    TM_CHECK(tm_compose_random_system(NULL, a, sizeof(a)));
    TM_CHECK(tm_compose_random_system(NULL, b, sizeof(b)));
    TM_CHECK(memcmp(a, b, sizeof(a)) != 0);
}

/* Parses s with the MIME tree and checks that part path has type and decodes to want. */
static int check_part(const struct tm_mime_tree *t, const char *path, const char *type,
                      const char *filename, const char *want, size_t want_len)
{
    const struct tm_mime_part *p = tm_mime_tree_find(t, path);
    struct tm_buf b;
    char got_type[200] = "";
    tm_buf_init(&b, 0);
    if (p)
        snprintf(got_type, sizeof(got_type), "%s/%s", p->type, p->subtype);
    int ok = p && strcmp(got_type, type) == 0 &&
             (filename ? p->filename && strcmp(p->filename, filename) == 0 : !p->filename) &&
             tm_mime_part_decode(t, p, &b, NULL) == TM_OK && b.len == want_len &&
             memcmp(b.data ? b.data : "", want, want_len) == 0;
    if (!ok)
        tm_test_fail(__FILE__, __LINE__, "part %s: %s \"%s\" %zu bytes", path, got_type,
                     p && p->filename ? p->filename : "-", b.len);
    tm_buf_cleanup(&b);
    return ok;
}

TM_TEST(compose_attachments_round_trip)
{
    static const char binary[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\xff\xfe\0tail";
    static const char text[] = "line one\nline two \xc3\xbc\n";
    const char *long_name = "Bericht über die Sitzung des Ausschusses für Stadtentwicklung und "
                            "Verkehr vom 23. November 2026.pdf";
    const struct tm_compose_attachment atts[] = {
        {long_name, NULL, binary, sizeof(binary) - 1},
        {"Bild ü.png", "image/png", binary, sizeof(binary) - 1},
        {"notes.txt", "text/plain; charset=utf-8", text, sizeof(text) - 1},
        {NULL, "application/octet-stream", "", 0},
    };
    const char *body = "Siehe Anhang — danke.\n";
    struct fake_random r = {0};
    struct tm_compose_opts o = opts_for(&r, false);
    struct tm_compose_msg m = {.from = alice,
                               .to = &bob,
                               .nto = 1,
                               .subject = "Anhänge",
                               .body = body,
                               .body_len = strlen(body),
                               .attachments = atts,
                               .nattachments = 4};
    char *s = build(&m, &o);
    TM_CHECK(s != NULL);
    struct tm_mime_tree *t = NULL;
    TM_CHECK_INT(tm_mime_parse(s, strlen(s), &t, NULL), TM_OK);
    int ok =
        t->root.nchildren == 5 && strcmp(t->root.subtype, "mixed") == 0 &&
        check_part(t, "1", "text/plain", NULL, body, strlen(body)) &&
        check_part(t, "2", "application/octet-stream", long_name, binary, sizeof(binary) - 1) &&
        check_part(t, "3", "image/png", "Bild ü.png", binary, sizeof(binary) - 1) &&
        check_part(t, "4", "text/plain", "notes.txt", text, sizeof(text) - 1) &&
        check_part(t, "5", "application/octet-stream", NULL, "", 0);
    ok = ok && longest_line(s, false) <= 78 && strstr(s, "filename*0*=UTF-8''Bericht%20");
    if (!ok)
        tm_test_fail(__FILE__, __LINE__, "%s", s);
    tm_mime_tree_free(&t);
    free(s);
}

TM_TEST(compose_boundary_not_in_content)
{
    /* The first call gives the Message-ID, the second the first boundary candidate. */
    const char *body = "a body that quotes\n--=_tmail_101112131415161718191A1B1C1D1E1F\nhere\n";
    struct tm_compose_attachment att = {"x.bin", NULL, "\0\1", 2};
    struct fake_random r = {0};
    struct tm_compose_opts o = opts_for(&r, false);
    struct tm_compose_msg m = {.from = alice,
                               .to = &bob,
                               .nto = 1,
                               .body = body,
                               .body_len = strlen(body),
                               .attachments = &att,
                               .nattachments = 1};
    char *s = build(&m, &o);
    TM_CHECK(s != NULL);
    TM_CHECK(strstr(s, "boundary=\"=_tmail_202122232425262728292A2B2C2D2E2F\"") != NULL);
    struct tm_mime_tree *t = NULL;
    TM_CHECK_INT(tm_mime_parse(s, strlen(s), &t, NULL), TM_OK);
    int ok = t->root.nchildren == 2 && check_part(t, "1", "text/plain", NULL, body, strlen(body)) &&
             check_part(t, "2", "application/octet-stream", "x.bin", "\0\1", 2);
    tm_mime_tree_free(&t);
    free(s);
    TM_CHECK(ok);
}

TM_TEST(compose_forward_as_rfc822_attachment)
{
    const char *orig = "From: Carol <carol@example.com>\r\nSubject: Original\r\n\r\nHi there\r\n";
    const char *orig_lf = "From: Carol <carol@example.com>\nSubject: Original\n\nHi there\n";
    struct tm_compose_attachment att;
    tm_compose_forward_attachment(orig, strlen(orig), &att);
    struct fake_random r = {0};
    struct tm_compose_opts o = opts_for(&r, false);
    struct tm_compose_msg m = {.from = alice,
                               .to = &bob,
                               .nto = 1,
                               .subject = "Fwd: Original",
                               .body = "FYI\n",
                               .body_len = 4,
                               .attachments = &att,
                               .nattachments = 1};
    char *s = build(&m, &o);
    TM_CHECK(s != NULL);
    struct tm_mime_tree *t = NULL;
    TM_CHECK_INT(tm_mime_parse(s, strlen(s), &t, NULL), TM_OK);
    const struct tm_mime_part *p = tm_mime_tree_find(t, "2");
    int ok = p && strcmp(p->type, "message") == 0 && strcmp(p->subtype, "rfc822") == 0 &&
             p->inner_len == strlen(orig_lf) && memcmp(p->inner, orig_lf, p->inner_len) == 0 &&
             strstr(s, "Content-Transfer-Encoding: 7bit\n\nFrom: Carol");
    tm_mime_tree_free(&t);
    free(s);
    TM_CHECK(ok);
}

TM_TEST(compose_forward_8bit_message_without_8bitmime_is_base64)
{
    const char *orig = "From: c@example.com\nSubject: x\n\nGr\xc3\xbc\xc3\x9f"
                       "e\n";
    struct tm_compose_attachment att;
    tm_compose_forward_attachment(orig, strlen(orig), &att);
    struct fake_random r = {0};
    struct tm_compose_opts o = opts_for(&r, false);
    struct tm_compose_msg m = {
        .from = alice, .to = &bob, .nto = 1, .body = "", .attachments = &att, .nattachments = 1};
    char *s = build(&m, &o);
    TM_CHECK(s != NULL);
    struct tm_mime_tree *t = NULL;
    TM_CHECK_INT(tm_mime_parse(s, strlen(s), &t, NULL), TM_OK);
    const struct tm_mime_part *p = tm_mime_tree_find(t, "2");
    int ok = p && p->cte && strcmp(p->cte, "base64") == 0 && p->inner_len == strlen(orig) &&
             memcmp(p->inner, orig, p->inner_len) == 0;
    tm_mime_tree_free(&t);
    o.server_8bitmime = true;
    char *s8 = ok ? build(&m, &o) : NULL;
    ok = ok && s8 && strstr(s8, "Content-Transfer-Encoding: 8bit\n\nFrom: c@example.com");
    free(s8);
    free(s);
    TM_CHECK(ok);
}

TM_TEST(compose_long_unbreakable_subject_word_is_split)
{
    char subject[301];
    for (int i = 0; i < 300; i++)
        subject[i] = (char)('a' + i % 26);
    subject[300] = '\0';
    struct fake_random r = {0};
    struct tm_compose_opts o = opts_for(&r, false);
    struct tm_compose_msg m = {
        .from = alice, .to = &bob, .nto = 1, .subject = subject, .body = "x"};
    char *s = build(&m, &o);
    TM_CHECK(s != NULL);
    struct tm_envelope env;
    TM_CHECK_INT(tm_mime_envelope_parse(s, strlen(s), &env, NULL), TM_OK);
    int ok = strcmp(env.subject, subject) == 0 && longest_line(s, true) <= 78;
    tm_mime_envelope_cleanup(&env);
    free(s);
    TM_CHECK(ok);
}

/* Every encoded word must hold whole characters, for readers that decode word by word. */
TM_TEST(compose_encoded_words_never_split_a_character)
{
    const char *text = "日本語のテキストも入っています日本語のテキストも入っています "
                       "ééééééééééééééééééééééééééééééééééééééééééééééé";
    for (int mode = 0; mode < 2; mode++) {
        struct tm_buf b;
        tm_buf_init(&b, 0);
        TM_CHECK_INT(
            compose_encode_words(&b, text, mode ? COMPOSE_WORDS_PHRASE : COMPOSE_WORDS_TEXT),
            TM_OK);
        int words = 0, ok = 1;
        for (const char *p = b.data; ok && (p = strstr(p, "=?UTF-8?")); words++) {
            const char *t = p + 10, *e = strstr(t, "?=");
            struct tm_buf d;
            tm_buf_init(&d, 0);
            ok = e && e - p <= COMPOSE_EW_MAX &&
                 (p[8] == 'B' ? mime_base64_decode(&d, t, (size_t)(e - t))
                              : mime_qp_decode(&d, t, (size_t)(e - t))) == TM_OK &&
                 mime_utf8_valid(d.data ? d.data : "", d.len);
            tm_buf_cleanup(&d);
            p = e ? e + 2 : p + 1;
        }
        tm_buf_cleanup(&b);
        TM_CHECK(ok && words >= 3);
    }
}
