/* test_render.c - whole messages rendered as pager text, and HTML made plain text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/mime/private.h"
#include "tm_test.h"

/* Renders msg[0..len) and compares the whole output with want. */
static int check_render(const char *msg, size_t len, const char *want, int line)
{
    struct tm_buf out;
    struct tm_error err;
    tm_buf_init(&out, 0);
    enum tm_status st = tm_mime_render_text(msg, len, &out, &err);
    const char *got = out.data ? out.data : "";
    int ok = st == TM_OK && strcmp(got, want) == 0;
    if (!ok)
        tm_test_fail(__FILE__, line, "render gave %s:\n---\n%s---\nwant:\n---\n%s---",
                     tm_status_name(st), got, want);
    tm_buf_cleanup(&out);
    return ok;
}

#define CHECK_RENDER(msg, want)                                                                    \
    do {                                                                                           \
        if (!check_render(msg, strlen(msg), want, __LINE__))                                       \
            return;                                                                                \
    } while (0)

/* Converts html and compares with want. */
static int check_html(const char *html, const char *want, int line)
{
    struct tm_buf out;
    tm_buf_init(&out, 0);
    enum tm_status st = mime_html_to_text(&out, html, strlen(html));
    const char *got = out.data ? out.data : "";
    int ok = st == TM_OK && strcmp(got, want) == 0;
    if (!ok)
        tm_test_fail(__FILE__, line, "html gave:\n---\n%s---\nwant:\n---\n%s---", got, want);
    tm_buf_cleanup(&out);
    return ok;
}

#define CHECK_HTML(html, want)                                                                     \
    do {                                                                                           \
        if (!check_html(html, want, __LINE__))                                                     \
            return;                                                                                \
    } while (0)

/* Reads tests/data/mime/name into a malloc'd buffer. */
static char *read_data(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/tests/data/mime/%s", TM_TEST_SRCDIR, name);
    FILE *f = fopen(path, "rb");
    char *data = f ? malloc(1 << 20) : NULL;
    *len = data ? fread(data, 1, (1 << 20) - 1, f) : 0;
    if (data)
        data[*len] = 0;
    if (f)
        fclose(f);
    return data;
}

TM_TEST(render_plain_message_without_mime_headers)
{
    CHECK_RENDER("Subject: hi\r\n\r\nline one\r\nline two\r\n", "line one\nline two\n");
    CHECK_RENDER("Subject: no body\n", "");
    CHECK_RENDER("Subject: hi\n\nno final newline", "no final newline\n");
}

TM_TEST(render_unlabelled_8bit_body_guessed)
{
    CHECK_RENDER("Subject: x\n\ncaf\xe9 \x93ok\x94\n", "caf\xc3\xa9 \xe2\x80\x9cok\xe2\x80\x9d\n");
    CHECK_RENDER("Subject: x\n\ncaf\xc3\xa9\n", "caf\xc3\xa9\n");
}

TM_TEST(render_iso_8859_1_qp_body_converted)
{
    CHECK_RENDER("Content-Type: text/plain; charset=\"ISO-8859-1\"\r\n"
                 "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
                 "Caf=E9 cr=E8me br=FBl=E9e, a very long line that is =\r\n"
                 "continued=\r\n\r\nnext =3D paragraph\r\n",
                 "Caf\xc3\xa9 cr\xc3\xa8me br\xc3\xbbl\xc3\xa9"
                 "e, a very long line that is "
                 "continued\nnext = paragraph\n");
}

TM_TEST(render_base64_utf8_body)
{
    CHECK_RENDER("Content-Type: text/plain; charset=utf-8\n"
                 "Content-Transfer-Encoding: base64\n\n"
                 "w6l0w6kK\n",
                 "\xc3\xa9t\xc3\xa9\n");
}

TM_TEST(render_alternative_prefers_plain)
{
    CHECK_RENDER("Content-Type: multipart/alternative; boundary=b\n\n"
                 "--b\nContent-Type: text/html\n\n<p>the <b>html</b></p>\n"
                 "--b\nContent-Type: text/plain\n\nthe plain text\n"
                 "--b--\n",
                 "the plain text\n");
}

TM_TEST(render_html_only_converted)
{
    CHECK_RENDER("Content-Type: text/html; charset=utf-8\n\n"
                 "<html><head><title>T</title><style>p {}</style></head><body>"
                 "<h1>News &amp; more</h1><p>Read <a href=\"https://x.example/a?b=1&amp;c=2\">this"
                 "</a>.</p><ul><li>one</li><li>two &eacute;</li></ul></body></html>\n",
                 "News & more\n\nRead this [1].\n\n* one\n* two \xc3\xa9\n\n"
                 "[1] https://x.example/a?b=1&c=2\n");
}

TM_TEST(render_html_charset_from_meta_tag)
{
    CHECK_RENDER("Content-Type: text/html\n\n"
                 "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=koi8-r\">"
                 "<p>\xf0\xd2\xc9\xd7\xc5\xd4</p>\n",
                 "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82\n");
}

TM_TEST(render_nested_multipart_with_attachment_line)
{
    CHECK_RENDER("Content-Type: multipart/mixed; boundary=\"outer\"\n\n"
                 "preamble\n"
                 "--outer\n"
                 "Content-Type: multipart/alternative; boundary=\"outer-inner\"\n\n"
                 "--outer-inner\nContent-Type: text/plain; charset=us-ascii\n\nHello.\n"
                 "--outer-inner\nContent-Type: text/html\n\n<p>Hello.</p>\n"
                 "--outer-inner--\n"
                 "--outer\n"
                 "Content-Type: application/pdf; name=\"report.pdf\"\n"
                 "Content-Disposition: attachment\n"
                 "Content-Transfer-Encoding: base64\n\n"
                 "JVBERi0xLjQK\n"
                 "--outer\n"
                 "Content-Type: image/png\n\n"
                 "\x89PNG\n"
                 "--outer--\n"
                 "epilogue\n",
                 "Hello.\n\n"
                 "[-- Attachment #2: report.pdf (application/pdf, 9B) --]\n"
                 "[-- Attachment #3 (image/png, 4B) --]\n");
}

TM_TEST(render_mixed_shows_inline_text_parts_in_order)
{
    CHECK_RENDER("Content-Type: multipart/mixed; boundary=b\n\n"
                 "--b\n\nfirst\n"
                 "--b\nContent-Type: application/zip\n"
                 "Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.zip\n\nPK\n"
                 "--b\nContent-Type: text/plain\nContent-Disposition: inline\n\nsecond\n"
                 "--b\nContent-Type: text/plain\nContent-Disposition: attachment; "
                 "filename=notes.txt\n\nnot shown\n"
                 "--b--\n",
                 "first\n\n"
                 "[-- Attachment #2: r\xc3\xa9sum\xc3\xa9.zip (application/zip, 2B) --]\n\n"
                 "second\n\n"
                 "[-- Attachment #4: notes.txt (text/plain, 9B) --]\n");
}

TM_TEST(render_missing_final_boundary)
{
    CHECK_RENDER("Content-Type: multipart/mixed; boundary=b\n\n"
                 "--b\n\none\n--b\n\ntwo\nand no end\n",
                 "one\n\ntwo\nand no end\n");
}

TM_TEST(render_delimiter_with_trailing_blanks_and_crlf)
{
    CHECK_RENDER("Content-Type: multipart/mixed; boundary=b\r\n\r\n"
                 "--b \t\r\n\r\none\r\n--b--  \r\nepilogue\r\n",
                 "one\n");
}

TM_TEST(render_boundary_longer_than_rfc_limit_accepted)
{
    CHECK_RENDER(
        "Content-Type: multipart/mixed; boundary=\"0123456789012345678901234567890123456789"
        "0123456789012345678901234567890123456789\"\n\n"
        "--01234567890123456789012345678901234567890123456789012345678901234567890123456789"
        "\n\nlong\n"
        "--01234567890123456789012345678901234567890123456789012345678901234567890123456789"
        "--\n",
        "long\n");
}

TM_TEST(render_boundary_prefix_is_not_a_delimiter)
{
    CHECK_RENDER("Content-Type: multipart/mixed; boundary=b\n\n"
                 "--b\n\none\n--bb\nstill one\n not--b\n--b--\n",
                 "one\n--bb\nstill one\n not--b\n");
}

TM_TEST(render_multipart_without_boundary_param_sniffed)
{
    CHECK_RENDER("Content-Type: multipart/mixed\n\n"
                 "--xyz\n\none\n--xyz\nContent-Type: image/gif\n\nGIF\n--xyz--\n",
                 "one\n\n[-- Attachment #2 (image/gif, 3B) --]\n");
    CHECK_RENDER("Content-Type: multipart/mixed; boundary=nope\n\njust text\n", "just text\n");
}

TM_TEST(render_empty_and_degenerate_multiparts)
{
    CHECK_RENDER("Content-Type: multipart/mixed; boundary=b\n\n--b--\n", "");
    CHECK_RENDER("Content-Type: multipart/alternative; boundary=b\n\n--b\n", "");
    CHECK_RENDER("Content-Type: multipart/mixed; boundary=b\n\n--b\n--b\n\nx\n--b--\n", "x\n");
}

TM_TEST(render_depth_bomb_is_bounded)
{
    struct tm_buf msg;
    tm_buf_init(&msg, 0);
    for (int i = 0; i < 100; i++)
        TM_CHECK_INT(tm_buf_appendf(
                         &msg, "Content-Type: multipart/mixed; boundary=\"b%d\"\n\n--b%d\n", i, i),
                     TM_OK);
    TM_CHECK_INT(tm_buf_append_str(&msg, "\ndeep text\n"), TM_OK);
    struct tm_buf out;
    tm_buf_init(&out, 0);
    TM_CHECK_INT(tm_mime_render_text(msg.data, msg.len, &out, NULL), TM_OK);
    TM_CHECK_STR(out.data, "[-- Parts nested too deeply are not shown --]\n");
    tm_buf_cleanup(&out);
    tm_buf_cleanup(&msg);
}

TM_TEST(render_message_bomb_is_bounded)
{
    struct tm_buf msg;
    tm_buf_init(&msg, 0);
    for (int i = 0; i < 100; i++)
        TM_CHECK_INT(tm_buf_append_str(&msg, "Content-Type: message/rfc822\n\n"), TM_OK);
    struct tm_buf out;
    tm_buf_init(&out, 0);
    TM_CHECK_INT(tm_mime_render_text(msg.data, msg.len, &out, NULL), TM_OK);
    TM_CHECK(strstr(out.data, "[-- Parts nested too deeply are not shown --]") != NULL);
    tm_buf_cleanup(&out);
    tm_buf_cleanup(&msg);
}

TM_TEST(render_nested_encoded_messages_share_a_decode_budget)
{
    struct tm_buf msg, out;
    tm_buf_init(&msg, 0);
    for (int i = 0; i < 6; i++)
        TM_CHECK_INT(tm_buf_append_str(&msg, "Content-Type: message/rfc822\n"
                                             "Content-Transfer-Encoding: quoted-printable\n\n"),
                     TM_OK);
    TM_CHECK_INT(tm_buf_append_str(&msg, "\n"), TM_OK);
    for (int i = 0; i < 20000; i++)
        TM_CHECK_INT(tm_buf_append_str(&msg, "0123456789012345678901234567890123456789012345678\n"),
                     TM_OK);
    tm_buf_init(&out, 0);
    TM_CHECK_INT(tm_mime_render_text(msg.data, msg.len, &out, NULL), TM_OK);
    TM_CHECK(strstr(out.data, "[-- The attached message is too large to show --]") != NULL);
    tm_buf_cleanup(&out);
    tm_buf_cleanup(&msg);
}

TM_TEST(render_part_count_is_bounded)
{
    struct tm_buf msg;
    tm_buf_init(&msg, 0);
    TM_CHECK_INT(tm_buf_append_str(&msg, "Content-Type: multipart/mixed; boundary=b\n\n"), TM_OK);
    for (int i = 0; i < 12000; i++)
        TM_CHECK_INT(tm_buf_append_str(&msg, "--b\nContent-Type: image/gif\n\n"), TM_OK);
    struct tm_buf out;
    tm_buf_init(&out, 0);
    TM_CHECK_INT(tm_mime_render_text(msg.data, msg.len, &out, NULL), TM_OK);
    TM_CHECK(strstr(out.data, "[-- Attachment #9999 (image/gif, 0B) --]\n"
                              "[-- Too many parts: the rest are not shown --]\n") != NULL);
    tm_buf_cleanup(&out);
    tm_buf_cleanup(&msg);
}

TM_TEST(render_part_larger_than_the_cap_gets_a_note)
{
    char msg[5000];
    memset(msg, 'x', sizeof(msg));
    memcpy(msg, "A: b\n\n", 6);
    struct tm_buf out;
    tm_buf_init(&out, 1000);
    TM_CHECK_INT(tm_mime_render_text(msg, sizeof(msg), &out, NULL), TM_OK);
    TM_CHECK_STR(out.data, "[-- Part #1 is too large to show --]\n");
    tm_buf_cleanup(&out);
}

TM_TEST(render_output_cap_reports_limit)
{
    struct tm_buf msg, out;
    struct tm_error err;
    tm_buf_init(&msg, 0);
    TM_CHECK_INT(tm_buf_append_str(&msg, "Content-Type: multipart/mixed; boundary=b\n\n"), TM_OK);
    for (int i = 0; i < 3; i++) {
        TM_CHECK_INT(tm_buf_append_str(&msg, "--b\n\n"), TM_OK);
        for (int j = 0; j < 40; j++)
            TM_CHECK_INT(tm_buf_append_str(&msg, "0123456789"), TM_OK);
        TM_CHECK_INT(tm_buf_append_str(&msg, "\n"), TM_OK);
    }
    tm_buf_init(&out, 1000);
    TM_CHECK_INT(tm_mime_render_text(msg.data, msg.len, &out, &err), TM_ELIMIT);
    TM_CHECK_INT(err.status, TM_ELIMIT);
    TM_CHECK(out.len > 800 && out.len <= 1000);
    tm_buf_cleanup(&out);
    tm_buf_cleanup(&msg);
}

TM_TEST(render_message_rfc822_recursion)
{
    size_t len;
    char *msg = read_data("simple-embedded-message.eml", &len);
    TM_CHECK(msg != NULL);
    int ok = check_render(msg, len,
                          "This is the message body.\n\n"
                          "[-- Attached message --]\n"
                          "From: mimekit@example.com\n"
                          "Date: Tue, 12 Nov 2013 09:12:42 -0500\n"
                          "Subject: embedded message\n\n"
                          "This is the embedded message body.\n\n"
                          "[-- End of attached message --]\n",
                          __LINE__);
    free(msg);
    TM_CHECK(ok);
}

TM_TEST(render_base64_encoded_message_rfc822_decoded)
{
    CHECK_RENDER("Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n"
                 "U3ViamVjdDogPT91dGYtOD9xP2g9QzM9QTk/PQoKYm9keQo=\n",
                 "[-- Attached message --]\nSubject: h\xc3\xa9\n\nbody\n\n"
                 "[-- End of attached message --]\n");
}

TM_TEST(render_corpus_simple_multipart)
{
    size_t len;
    char *msg = read_data("simple-multipart.eml", &len);
    TM_CHECK(msg != NULL);
    int ok = check_render(msg, len,
                          "This is the message body.\n\n"
                          "[-- Attachment #2: attachment.txt (application/octet-stream, 38B) --]\n",
                          __LINE__);
    free(msg);
    TM_CHECK(ok);
}

TM_TEST(render_corpus_iso_2022_jp)
{
    size_t len;
    char *msg = read_data("japanese.txt", &len);
    TM_CHECK(msg != NULL);
    char *subject = tm_mime_header_get(msg, len, "Subject");
    char *decoded = tm_mime_decode_header_text(subject, NULL);
    int ok =
        check_render(msg, len,
                     "Let's see if both subject and body works fine...\n\n"
                     "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\x8c\n"
                     "\xe6\xad\xa3\xe5\xb8\xb8\xe3\x81\xab\n"
                     "\xe9\x80\x81\xe3\x82\x8c\xe3\x81\xa6\xe3\x81\x84\xe3\x82\x8b\xe3\x81\x8b\n"
                     "\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88.\n",
                     __LINE__);
    int subject_ok = decoded && strcmp(decoded, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x83\xa1"
                                                "\xe3\x83\xbc\xe3\x83\xab\xe3\x83\x86\xe3\x82\xb9"
                                                "\xe3\x83\x88 (testing Japanese emails)") == 0;
    free(subject);
    free(decoded);
    free(msg);
    TM_CHECK(ok);
    TM_CHECK(subject_ok);
}

TM_TEST(render_corpus_digest_defaults_to_messages)
{
    size_t len;
    char *msg = read_data("multipart-digest.txt", &len);
    TM_CHECK(msg != NULL);
    int ok = check_render(msg, len,
                          "[-- Attached message --]\n"
                          "From: sub@domain.org\n"
                          "Date: Sun, 12 Aug 2012 12:34:56 +0300\n"
                          "Subject: submsg\n"
                          "[-- Attached message --]\n"
                          "From: m1@example.com\n"
                          "Subject: m1\n\n"
                          "m1 body\n\n"
                          "[-- End of attached message --]\n"
                          "[-- Attached message --]\n"
                          "From: m2@example.com\n"
                          "Subject: m2\n\n"
                          "m2 body\n\n"
                          "[-- End of attached message --]\n"
                          "[-- End of attached message --]\n",
                          __LINE__);
    free(msg);
    TM_CHECK(ok);
}

TM_TEST(render_hostile_inputs_do_not_crash)
{
    static const char *const junk[] = {
        "",
        "\n",
        "\r\n\r\n",
        "Content-Type: multipart/mixed; boundary=\"\"\n\n--\n",
        "Content-Type: multipart/mixed; boundary=b\n\n--b",
        "Content-Type: multipart/mixed; boundary=b\n\n--b--",
        "Content-Type: message/rfc822\n",
        "Content-Type: text/html\n\n<",
        "Content-Type: text/html\n\n&#",
        "Content-Type: text/html\n\n<a href='x",
        "Content-Transfer-Encoding: base64\n\n=",
        "Content-Type: text/plain; charset=\"\n\n\xff",
        "Content-Type: /\n\n",
        "Content-Type: multipart/alternative; boundary=a\n\n--a\nContent-Type: "
        "multipart/alternative; "
        "boundary=a\n\n--a\n",
    };
    for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
        struct tm_buf out;
        tm_buf_init(&out, 0);
        TM_CHECK_INT(tm_mime_render_text(junk[i], strlen(junk[i]), &out, NULL), TM_OK);
        TM_CHECK(mime_utf8_valid(out.data ? out.data : "", out.len));
        tm_buf_cleanup(&out);
    }
}

TM_TEST(html_blocks_lists_and_breaks)
{
    CHECK_HTML("<div>a</div><div>b<br>c<br><br><br><br>d</div><p>e</p>f<blockquote>g</blockquote>"
               "<table><tr><td>h</td><td>i</td></tr><tr><td>j</td></tr></table>",
               "a\nb\nc\n\nd\n\ne\n\nf\n\ng\n\nh i\nj\n");
    CHECK_HTML("<ol><li>one<li>  two  </ol>", "* one\n* two\n");
}

TM_TEST(html_whitespace_collapsed_outside_pre)
{
    CHECK_HTML("  a \n\t b  <span> c </span>\n", "a b c\n");
    CHECK_HTML("x<pre>  keep\n   this\n</pre>y", "x\n\n  keep\n   this\n\ny\n");
    CHECK_HTML("a&nbsp;&nbsp;b", "a  b\n");
}

TM_TEST(html_entities_decoded)
{
    CHECK_HTML("&lt;&gt;&amp;&quot;&apos;&copy;&reg;&hellip;&mdash;&ndash;&laquo;&raquo;&eacute;"
               "&Eacute;&euro;",
               "<>&\"'\xc2\xa9\xc2\xae\xe2\x80\xa6\xe2\x80\x94\xe2\x80\x93\xc2\xab\xc2\xbb\xc3\xa9"
               "\xc3\x89\xe2\x82\xac\n");
    CHECK_HTML("&#65;&#x42;&#X43;&#68&#233;&#x1F600;&#150;&#0;&#xD800;&#99999999999;",
               "ABCD\xc3\xa9\xf0\x9f\x98\x80\xe2\x80\x93\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\n");
    CHECK_HTML("AT&T &unknown; &amp &ampx & &#;", "AT&T &unknown; & &ampx & &#;\n");
}

TM_TEST(html_links_numbered_with_list)
{
    CHECK_HTML("<a href=\"https://a.example/\">first</a> and <A HREF='https://b.example/?q=1'>"
               "second</a> <a href=\"#top\">top</a> <a href=\"javascript:x()\">js</a> "
               "<a name=x>anchor</a>",
               "first [1] and second [2] top js anchor\n\n"
               "[1] https://a.example/\n[2] https://b.example/?q=1\n");
    CHECK_HTML("<a href=u1>unclosed <a href=u2>next", "unclosed [1] next [2]\n\n[1] u1\n[2] u2\n");
}

TM_TEST(html_head_script_style_comments_dropped)
{
    CHECK_HTML("<!DOCTYPE html><html><head><meta charset=utf-8><title>T</title>"
               "<script>if (a < b) { x = '</p>'; }</script></head>"
               "<body><!-- hidden <p>x</p> --><style>.a{}</style>shown<script>never</script>"
               "<SCRIPT type=x>gone</SCRIPT ></body></html>",
               "shown\n");
    CHECK_HTML("<head><p>body without closing head</p>", "body without closing head\n");
}

TM_TEST(html_images_show_alt_text)
{
    CHECK_HTML("<img src=logo.png alt=\"ACME &amp; Co\"><img src=x.gif>text", "ACME & Co text\n");
}

TM_TEST(html_broken_markup_kept_as_text)
{
    CHECK_HTML("a < b and c<d", "a < b and c<d\n");
    CHECK_HTML("x <3 y", "x <3 y\n");
    CHECK_HTML("<p title=\"a > b\">quoted gt</p>", "quoted gt\n");
    CHECK_HTML("<!-- unterminated comment", "");
    CHECK_HTML("<script>unterminated", "");
    CHECK_HTML("<b", "<b\n");
}

TM_TEST(html_many_unclosed_tags_stay_linear)
{
    size_t n = 400000;
    char *html = malloc(n + 2);
    TM_CHECK(html != NULL);
    for (size_t i = 0; i < n; i += 2)
        memcpy(html + i, "<a", 2);
    html[n] = '>';
    html[n + 1] = 0;
    struct tm_buf out;
    tm_buf_init(&out, 0);
    TM_CHECK_INT(mime_html_to_text(&out, html, n + 1), TM_OK);
    tm_buf_cleanup(&out);
    html[n] = 'x';
    tm_buf_init(&out, 0);
    TM_CHECK_INT(mime_html_to_text(&out, html, n + 1), TM_OK);
    TM_CHECK_INT(out.len, n + 2);
    tm_buf_cleanup(&out);
    free(html);
}
