/* test_search_text.c - the searchable text of a message: decoded header lines, text parts in
 * every transfer encoding and charset, HTML as text, forwarded messages, attachment names left
 * out, NULs, cutting at a character boundary, and every truncation of a multipart message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../src/core/search.h"
#include "tm_test.h"

struct texts {
    struct tm_buf headers, body;
};

static enum tm_status extract(const char *msg, struct texts *t, size_t hlimit, size_t blimit)
{
    tm_buf_init(&t->headers, hlimit);
    tm_buf_init(&t->body, blimit);
    return search_text_extract(msg, strlen(msg), NULL, &t->headers, &t->body);
}

static void texts_cleanup(struct texts *t)
{
    tm_buf_cleanup(&t->headers);
    tm_buf_cleanup(&t->body);
}

static const char *h(const struct texts *t)
{
    return t->headers.data ? t->headers.data : "";
}

static const char *b(const struct texts *t)
{
    return t->body.data ? t->body.data : "";
}

TM_TEST(search_text_plain_and_decoded_headers)
{
    struct texts t;
    TM_CHECK_INT(extract("From: =?utf-8?q?Zo=C3=AB?= <zoe@example.org>\n"
                         "Subject: a folded\n  subject =?iso-8859-1?q?caf=E9?=\n"
                         "X-Spam: yes\n\nHello there.\nSecond line.\n",
                         &t, 1 << 20, 1 << 20),
                 TM_OK);
    TM_CHECK_STR(h(&t), "From: Zoë <zoe@example.org>\nSubject: a folded  subject café\n"
                        "X-Spam: yes\n");
    TM_CHECK_STR(b(&t), "Hello there.\nSecond line.\n");
    texts_cleanup(&t);
}

TM_TEST(search_text_transfer_encodings_and_charsets)
{
    struct texts t;
    TM_CHECK_INT(extract("Subject: qp\nMIME-Version: 1.0\n"
                         "Content-Type: text/plain; charset=iso-8859-1\n"
                         "Content-Transfer-Encoding: quoted-printable\n\n"
                         "Un caf=E9 tr=E8s =\nchaud\n",
                         &t, 1 << 20, 1 << 20),
                 TM_OK);
    TM_CHECK_STR(b(&t), "Un café très chaud\n");
    texts_cleanup(&t);
    /* "Grüße aus Zürich\n" in UTF-8, base64 */
    TM_CHECK_INT(extract("Subject: b64\nMIME-Version: 1.0\n"
                         "Content-Type: text/plain; charset=utf-8\n"
                         "Content-Transfer-Encoding: base64\n\n"
                         "R3LDvMOfZSBhdXMgWsO8cmljaAo=\n",
                         &t, 1 << 20, 1 << 20),
                 TM_OK);
    TM_CHECK_STR(b(&t), "Grüße aus Zürich\n");
    texts_cleanup(&t);
}

TM_TEST(search_text_html_only_is_text)
{
    struct texts t;
    TM_CHECK_INT(extract("Subject: html\nMIME-Version: 1.0\n"
                         "Content-Type: text/html; charset=utf-8\n\n"
                         "<html><body><p>The <b>heron</b> &amp; the crane</p>"
                         "<script>var hidden = 1;</script></body></html>\n",
                         &t, 1 << 20, 1 << 20),
                 TM_OK);
    TM_CHECK(strstr(b(&t), "heron & the crane") != NULL);
    TM_CHECK(strstr(b(&t), "<b>") == NULL);
    TM_CHECK(strstr(b(&t), "hidden") == NULL);
    texts_cleanup(&t);
}

static const char multipart[] =
    "From: a@example.org\nSubject: report\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=XX\n\n"
    "preamble words\n"
    "--XX\nContent-Type: multipart/alternative; boundary=YY\n\n"
    "--YY\nContent-Type: text/plain\n\nplain otter\n"
    "--YY\nContent-Type: text/html\n\n<p>html otter</p>\n"
    "--YY--\n"
    "--XX\nContent-Type: application/pdf; name=\"secretplan.pdf\"\n"
    "Content-Disposition: attachment; filename=\"secretplan.pdf\"\n"
    "Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n"
    "--XX\nContent-Type: message/rfc822\n\n"
    "From: inner@example.org\nSubject: forwarded walrus\n\ninner body badger\n"
    "--XX--\nepilogue words\n";

TM_TEST(search_text_parts_forwards_and_attachment_names)
{
    struct texts t;
    TM_CHECK_INT(extract(multipart, &t, 1 << 20, 1 << 20), TM_OK);
    TM_CHECK(strstr(b(&t), "plain otter") != NULL);
    TM_CHECK(strstr(b(&t), "html otter") != NULL);
    TM_CHECK(strstr(b(&t), "Subject: forwarded walrus") != NULL); /* what a reader sees */
    TM_CHECK(strstr(b(&t), "inner body badger") != NULL);
    TM_CHECK(strstr(b(&t), "secretplan") == NULL); /* an attachment's name is not body text */
    TM_CHECK(strstr(h(&t), "secretplan") == NULL);
    TM_CHECK(strstr(b(&t), "%PDF") == NULL);     /* nor is a binary part */
    TM_CHECK(strstr(b(&t), "preamble") == NULL); /* nor what no reader sees */
    TM_CHECK(strstr(b(&t), "epilogue") == NULL);
    TM_CHECK(strstr(h(&t), "Subject: report\n") != NULL);
    TM_CHECK(strstr(h(&t), "walrus") == NULL); /* the inner header is body, not header */
    texts_cleanup(&t);
}

TM_TEST(search_text_nul_bytes_and_cuts_at_characters)
{
    static const char msg[] = "Subject: x\n\nab\0cd éé\n";
    struct texts t;
    tm_buf_init(&t.headers, 1 << 20);
    tm_buf_init(&t.body, 1 << 20);
    TM_CHECK_INT(search_text_extract(msg, sizeof(msg) - 1, NULL, &t.headers, &t.body), TM_OK);
    TM_CHECK_INT(t.body.len, 11);
    TM_CHECK_STR(b(&t), "ab cd éé\n");
    texts_cleanup(&t);
    /* limit 7: "ab cd " is 6 bytes, é needs 2 more: cut before it, never inside */
    tm_buf_init(&t.headers, 4);
    tm_buf_init(&t.body, 7);
    TM_CHECK_INT(search_text_extract(msg, sizeof(msg) - 1, NULL, &t.headers, &t.body), TM_OK);
    TM_CHECK_STR(b(&t), "ab cd ");
    TM_CHECK_STR(h(&t), "Subj");
    texts_cleanup(&t);
}

static bool utf8_valid(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : 4;
        if (c >= 0x80 && (c < 0xc2 || c > 0xf4))
            return false;
        if (i + len > n)
            return false;
        for (size_t k = 1; k < len; k++)
            if (((unsigned char)s[i + k] & 0xc0) != 0x80)
                return false;
        i += len;
    }
    return true;
}

/* Every prefix of the multipart message (a transfer cut anywhere) still gives valid UTF-8 and
 * never a NUL, and the header text never grows past what the whole message gives. */
TM_TEST(search_text_every_truncation)
{
    size_t len = strlen(multipart);
    struct texts whole;
    TM_CHECK_INT(extract(multipart, &whole, 1 << 20, 1 << 20), TM_OK);
    for (size_t cut = 0; cut <= len; cut++) {
        struct texts t;
        tm_buf_init(&t.headers, 1 << 20);
        tm_buf_init(&t.body, 1 << 20);
        TM_CHECK_INT(search_text_extract(multipart, cut, NULL, &t.headers, &t.body), TM_OK);
        TM_CHECK(utf8_valid(h(&t), t.headers.len));
        TM_CHECK(utf8_valid(b(&t), t.body.len));
        TM_CHECK(strlen(h(&t)) == t.headers.len && strlen(b(&t)) == t.body.len);
        TM_CHECK(t.headers.len <= whole.headers.len + 64);
        texts_cleanup(&t);
    }
    texts_cleanup(&whole);
}
