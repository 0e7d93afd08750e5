/* test_render_opts.c - rendering options: the alternative order and the outside viewer hook. */
#include <stdio.h>

#include "tm_test.h"
#include "tmail/mime.h"

static const char *const ALT =
    "Content-Type: multipart/alternative; boundary=b\n\n"
    "--b\nContent-Type: text/plain; charset=utf-8\n\nplain version\n"
    "--b\nContent-Type: text/html; charset=iso-8859-1\nContent-Transfer-Encoding: "
    "quoted-printable\n\n<p>html caf=E9</p>\n"
    "--b--\n";

static const char *render(const struct tm_render_opts *opts)
{
    static struct tm_buf out;
    tm_buf_cleanup(&out);
    tm_buf_init(&out, 0);
    if (tm_mime_render_text_opts(ALT, strlen(ALT), opts, &out, NULL) != TM_OK)
        return NULL;
    return out.data ? out.data : "";
}

TM_TEST(render_alternative_order_picks_the_preferred_type)
{
    struct tm_render_opts html_first = {.alternative_order = "text/html text/plain"};
    struct tm_render_opts wildcard = {.alternative_order = "text/enriched, text/*"};
    struct tm_render_opts bare = {.alternative_order = "text"};
    TM_CHECK(strstr(render(NULL), "plain version") != NULL);
    TM_CHECK(strstr(render(&html_first), "html caf\xC3\xA9") != NULL);
    TM_CHECK(strstr(render(&html_first), "plain version") == NULL);
    TM_CHECK(strstr(render(&wildcard), "plain version") != NULL); /* the first text type listed */
    TM_CHECK(strstr(render(&bare), "plain version") != NULL);
}

struct seen {
    char type[64], charset[64], payload[128];
    enum tm_status answer;
};

static enum tm_status viewer(void *ctx, const char *type, const char *charset, const char *payload,
                             size_t len, struct tm_buf *out)
{
    struct seen *s = ctx;
    snprintf(s->type, sizeof(s->type), "%s", type);
    snprintf(s->charset, sizeof(s->charset), "%s", charset ? charset : "");
    snprintf(s->payload, sizeof(s->payload), "%.*s", (int)len, payload);
    if (s->answer == TM_OK)
        tm_buf_append_str(out, "VIEWED \xff by the viewer\n");
    return s->answer;
}

TM_TEST(render_viewer_gets_decoded_payload_and_its_output_is_made_utf8)
{
    struct seen s = {.answer = TM_OK};
    struct tm_render_opts opts = {
        .alternative_order = "text/html", .viewer = viewer, .viewer_ctx = &s};
    const char *out = render(&opts);
    TM_CHECK_STR(s.type, "text/html");
    TM_CHECK_STR(s.charset, "iso-8859-1");
    TM_CHECK_STR(s.payload, "<p>html caf\xe9</p>"); /* transfer-decoded, charset untouched */
    TM_CHECK(strstr(out, "VIEWED \xEF\xBF\xBD by the viewer") != NULL);
}

TM_TEST(render_viewer_failure_falls_back_to_builtin_html)
{
    struct seen s = {.answer = TM_ENOTSUP};
    struct tm_render_opts opts = {
        .alternative_order = "text/html", .viewer = viewer, .viewer_ctx = &s};
    TM_CHECK(strstr(render(&opts), "html caf\xC3\xA9") != NULL);
    struct tm_render_opts plain_only = {.viewer = viewer, .viewer_ctx = &s};
    s.type[0] = 0;
    TM_CHECK(strstr(render(&plain_only), "plain version") != NULL);
    TM_CHECK_STR(s.type, ""); /* text/plain never goes to the viewer */
}

TM_TEST(render_charset_fallback_reads_unlabelled_8bit_text)
{
    const char *msg = "Subject: x\n\n\xe1\xe2\xe3\n"; /* no charset: ISO-8859-7 here */
    struct tm_render_opts greek = {.charset_fallback = "ISO-8859-7"};
    struct tm_buf out;
    tm_buf_init(&out, 0);
    TM_CHECK_INT(tm_mime_render_text_opts(msg, strlen(msg), &greek, &out, NULL), TM_OK);
    TM_CHECK(strstr(out.data, "\xce\xb1\xce\xb2\xce\xb3") != NULL); /* alpha beta gamma */
    tm_buf_reset(&out);
    TM_CHECK_INT(tm_mime_render_text_opts(msg, strlen(msg), NULL, &out, NULL), TM_OK);
    TM_CHECK(strstr(out.data, "\xc3\xa1\xc3\xa2\xc3\xa3") != NULL); /* windows-1252 */
    tm_buf_cleanup(&out);
}

TM_TEST(envelope_charset_fallback_applies_to_subject_and_names)
{
    const char *msg = "From: \xc1\xeb\xdd\xee\xe7\xf2 <a@b.gr>\nSubject: \xe3\xe5\xe9\xe1\n\n";
    struct tm_envelope env;
    memset(&env, 0, sizeof(env));
    TM_CHECK_INT(tm_mime_envelope_parse_fb(msg, strlen(msg), "ISO-8859-7", &env, NULL), TM_OK);
    TM_CHECK_STR(env.subject, "\xce\xb3\xce\xb5\xce\xb9\xce\xb1"); /* "geia" */
    TM_CHECK(env.from_name && (unsigned char)env.from_name[0] == 0xce);
    tm_mime_envelope_cleanup(&env);
}
