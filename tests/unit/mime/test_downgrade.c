/* test_downgrade.c - re-encoding a message for a server without 8BITMIME: 7-bit mail untouched
 * byte for byte, 8-bit text to quoted-printable and everything else to base64 with the decoded
 * bytes unchanged, line ends kept, 8-bit headers refused; and every message of the test corpus
 * (and an 8-bit variant of each) re-encoded and decoded again. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/mime/private.h"
#include "tm_test.h"
#include "tmail/fsutil.h"

/* tm_mime_downgrade_7bit of msg[0..len) into a fresh buffer (caller cleans it up). */
static enum tm_status downgrade(const char *msg, size_t len, struct tm_buf *out)
{
    struct tm_error err;
    tm_buf_init(out, 0);
    return tm_mime_downgrade_7bit(msg, len, out, &err);
}

/* Whether s[0..n) may go to a 7-bit server: no byte above 0x7f, no NUL, no line over 998. */
static bool seven_bit(const char *s, size_t n)
{
    size_t line = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 || c == 0)
            return false;
        if (c == '\n')
            line = 0;
        else if (c != '\r' && ++line > 998)
            return false;
    }
    return true;
}

/* Every leaf of a tree: its path, type and decoded payload. */
struct leaf {
    char path[64], type[200];
    struct tm_buf data;
};
struct leaves {
    struct leaf items[256];
    size_t n;
    const struct tm_mime_tree *tree;
    bool bodies_7bit; /* every leaf's raw body may go to a 7-bit server */
};

static enum tm_status take_leaf(const struct tm_mime_part *p, void *ctx)
{
    struct leaves *l = ctx;
    if (!p->leaf || l->n >= sizeof(l->items) / sizeof(l->items[0]))
        return TM_OK;
    struct leaf *f = &l->items[l->n++];
    snprintf(f->path, sizeof(f->path), "%s", p->path);
    snprintf(f->type, sizeof(f->type), "%s/%s", p->type, p->subtype);
    tm_buf_init(&f->data, 0);
    if (p->base == l->tree->msg && !seven_bit(p->base + p->body_start, p->body_len))
        l->bodies_7bit = false;
    return tm_mime_part_decode(l->tree, p, &f->data, NULL);
}

static void leaves_cleanup(struct leaves *l)
{
    for (size_t i = 0; i < l->n; i++)
        tm_buf_cleanup(&l->items[i].data);
    l->n = 0;
}

static int collect(const char *msg, size_t len, struct leaves *l)
{
    struct tm_mime_tree *t = NULL;
    l->n = 0;
    l->bodies_7bit = true;
    if (tm_mime_parse(msg, len, &t, NULL) != TM_OK)
        return -1;
    l->tree = t;
    enum tm_status st = tm_mime_tree_walk(t, take_leaf, l);
    tm_mime_tree_free(&t);
    return st == TM_OK ? 0 : -1;
}

/* 0 when b has the same leaves as a (paths, types, decoded bytes) and every leaf body of b is
 * fit for a 7-bit server; else a note on stderr and -1. */
static int same_leaves(const char *name, const char *a, size_t alen, const char *b, size_t blen)
{
    static struct leaves la, lb;
    int rc = collect(a, alen, &la) || collect(b, blen, &lb) ? -1 : 0;
    if (!rc && la.n != lb.n) {
        fprintf(stderr, "%s: %zu leaves before, %zu after\n", name, la.n, lb.n);
        rc = -1;
    }
    for (size_t i = 0; !rc && i < la.n; i++) {
        struct leaf *x = &la.items[i], *y = &lb.items[i];
        if (strcmp(x->path, y->path) || strcmp(x->type, y->type) || x->data.len != y->data.len ||
            (x->data.len && memcmp(x->data.data, y->data.data, x->data.len))) {
            fprintf(stderr, "%s: leaf %s (%s, %zu bytes) became %s (%s, %zu bytes)\n", name,
                    x->path, x->type, x->data.len, y->path, y->type, y->data.len);
            rc = -1;
        }
    }
    if (!rc && !lb.bodies_7bit) {
        fprintf(stderr, "%s: a leaf body is still not 7-bit\n", name);
        rc = -1;
    }
    leaves_cleanup(&la);
    leaves_cleanup(&lb);
    return rc;
}

#define CHECK_DOWNGRADE(in, want)                                                                  \
    do {                                                                                           \
        struct tm_buf out_;                                                                        \
        TM_CHECK_INT(downgrade(in, sizeof(in) - 1, &out_), TM_OK);                                 \
        if (strcmp(out_.data ? out_.data : "", want) != 0) {                                       \
            tm_test_fail(__FILE__, __LINE__, "got:\n%s---\nwant:\n%s---", out_.data, want);        \
            tm_buf_cleanup(&out_);                                                                 \
            return;                                                                                \
        }                                                                                          \
        int same_ = same_leaves("test", in, sizeof(in) - 1, out_.data, out_.len);                  \
        tm_buf_cleanup(&out_);                                                                     \
        TM_CHECK_INT(same_, 0);                                                                    \
    } while (0)

static const char multipart_7bit[] =
    "From: a@example.org\r\n"
    "Subject: =?utf-8?q?caf=C3=A9?=\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
    "\r\n"
    "preamble\r\n"
    "--b1\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "caf=C3=A9\r\n"
    "--b1\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Transfer-Encoding: 8bit\r\n" /* labelled 8bit, but all ASCII: left alone */
    "\r\n"
    "plain\r\n"
    "--b1\r\n"
    "Content-Type: image/png\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "iVBORw0KGgo=\r\n"
    "--b1--\r\n"
    "epilogue\r\n";

TM_TEST(downgrade_7bit_message_is_copied_byte_for_byte)
{
    struct tm_buf out;
    TM_CHECK_INT(downgrade(multipart_7bit, sizeof(multipart_7bit) - 1, &out), TM_OK);
    TM_CHECK_INT(out.len, sizeof(multipart_7bit) - 1);
    TM_CHECK(memcmp(out.data, multipart_7bit, out.len) == 0);
    tm_buf_cleanup(&out);
    /* a header line over 998 bytes is not ours to fix, and is not a body to re-encode */
    char longhdr[1200] = "X-Long: ";
    memset(longhdr + 8, 'a', 1100);
    snprintf(longhdr + 1108, sizeof(longhdr) - 1108, "\n\nbody\n");
    TM_CHECK_INT(downgrade(longhdr, strlen(longhdr), &out), TM_OK);
    TM_CHECK_STR(out.data, longhdr);
    tm_buf_cleanup(&out);
    TM_CHECK_INT(downgrade("", 0, &out), TM_OK);
    TM_CHECK_INT(out.len, 0);
    tm_buf_cleanup(&out);
    struct tm_error err;
    tm_buf_init(&out, 0);
    TM_CHECK_INT(tm_mime_downgrade_7bit(NULL, 0, &out, &err), TM_OK);
    TM_CHECK_INT(out.len, 0);
    tm_buf_cleanup(&out);
}

TM_TEST(downgrade_single_part_8bit_text_becomes_quoted_printable)
{
    static const char in[] = "From: a@example.org\n"
                             "MIME-Version: 1.0\n"
                             "Content-Type: text/plain; charset=utf-8\n"
                             "Content-Transfer-Encoding: 8bit\n"
                             "Subject: hi\n"
                             "\n"
                             "h\xc3\xa9llo w\xc3\xb6rld = 1 \n"
                             "From here on\n"
                             ".\n"
                             "tab\tend\t\n";
    CHECK_DOWNGRADE(in, "From: a@example.org\n"
                        "MIME-Version: 1.0\n"
                        "Content-Type: text/plain; charset=utf-8\n"
                        "Content-Transfer-Encoding: quoted-printable\n"
                        "Subject: hi\n"
                        "\n"
                        "h=C3=A9llo w=C3=B6rld =3D 1=20\n"
                        "=46rom here on\n" /* mbox and SMTP leave these alone */
                        "=2E\n"
                        "tab\tend=09\n");
}

TM_TEST(downgrade_bare_8bit_without_cte_gets_one)
{
    static const char bare[] = "Subject: x\n\ncaf\xc3\xa9";
    CHECK_DOWNGRADE(bare, "Subject: x\n"
                          "Content-Transfer-Encoding: quoted-printable\n"
                          "MIME-Version: 1.0\n" /* else a reader need not decode it */
                          "\n"
                          "caf=C3=A9");
    static const char versioned[] = "MIME-Version: 1.0\nSubject: x\n\ncaf\xc3\xa9\n";
    CHECK_DOWNGRADE(versioned, "MIME-Version: 1.0\n"
                               "Subject: x\n"
                               "Content-Transfer-Encoding: quoted-printable\n"
                               "\n"
                               "caf=C3=A9\n");
    /* no header at all: the blank line comes first */
    static const char headless[] = "\n\xff\n";
    CHECK_DOWNGRADE(headless, "Content-Transfer-Encoding: quoted-printable\n"
                              "MIME-Version: 1.0\n"
                              "\n"
                              "=FF\n");
}

TM_TEST(downgrade_folded_and_repeated_cte_fields_become_one)
{
    static const char in[] = "MIME-Version: 1.0\n"
                             "Content-Transfer-Encoding:\n"
                             "  8bit\n"
                             "Content-Type: application/octet-stream\n"
                             "content-transfer-encoding: binary\n"
                             "\n"
                             "\x01\x02\xff\x00\n";
    CHECK_DOWNGRADE(in, "MIME-Version: 1.0\n"
                        "Content-Transfer-Encoding: base64\n"
                        "Content-Type: application/octet-stream\n"
                        "\n"
                        "AQL/AAo=\n");
}

static const char mixed_8bit[] = "From: a@example.org\n"
                                 "MIME-Version: 1.0\n"
                                 "Content-Type: multipart/mixed; boundary=\"=_b\"\n"
                                 "\n"
                                 "This is a multi-part message in MIME format.\n"
                                 "--=_b\n"
                                 "Content-Type: text/plain; charset=iso-8859-1\n"
                                 "Content-Transfer-Encoding: 8bit\n"
                                 "\n"
                                 "Gr\xfc\xdf"
                                 "e aus K\xf6ln\n"
                                 "\n"
                                 "--=_b\n"
                                 "Content-Type: application/octet-stream; name=\"a.bin\"\n"
                                 "Content-Disposition: attachment; filename=\"a.bin\"\n"
                                 "Content-Transfer-Encoding: binary\n"
                                 "\n"
                                 "\x89PNG\r\n\x1a\n\x00\x00\xff\xfe\r\r\n"
                                 "--=_b\n"
                                 "Content-Type: text/plain\n"
                                 "\n"
                                 "ascii stays\n"
                                 "--=_b--\n"
                                 "the end\n";

TM_TEST(downgrade_multipart_text_and_binary_attachment)
{
    CHECK_DOWNGRADE(mixed_8bit, "From: a@example.org\n"
                                "MIME-Version: 1.0\n"
                                "Content-Type: multipart/mixed; boundary=\"=_b\"\n"
                                "\n"
                                "This is a multi-part message in MIME format.\n"
                                "--=_b\n"
                                "Content-Type: text/plain; charset=iso-8859-1\n"
                                "Content-Transfer-Encoding: quoted-printable\n"
                                "\n"
                                "Gr=FC=DFe aus K=F6ln\n"
                                "\n"
                                "--=_b\n"
                                "Content-Type: application/octet-stream; name=\"a.bin\"\n"
                                "Content-Disposition: attachment; filename=\"a.bin\"\n"
                                "Content-Transfer-Encoding: base64\n"
                                "\n"
                                /* the CRLF before the delimiter is the delimiter's (RFC
                                 * 2046 5.1.1): the part ends at the second CR, and the
                                 * CRLF stays */
                                "iVBORw0KGgoAAP/+DQ==\r\n"
                                "--=_b\n"
                                "Content-Type: text/plain\n"
                                "\n"
                                "ascii stays\n"
                                "--=_b--\n"
                                "the end\n");
}

TM_TEST(downgrade_crlf_input_keeps_crlf)
{
    /* mixed_8bit with every LF made CRLF (the binary part's bytes included) */
    struct tm_buf crlf, out;
    tm_buf_init(&crlf, 0);
    for (size_t i = 0; i < sizeof(mixed_8bit) - 1; i++) {
        if (mixed_8bit[i] == '\n' && (i == 0 || mixed_8bit[i - 1] != '\r'))
            tm_buf_append_char(&crlf, '\r');
        tm_buf_append_char(&crlf, mixed_8bit[i]);
    }
    TM_CHECK_INT(downgrade(crlf.data, crlf.len, &out), TM_OK);
    TM_CHECK(seven_bit(out.data, out.len));
    int bare_lf = 0;
    for (size_t i = 0; i < out.len; i++)
        bare_lf += out.data[i] == '\n' && (i == 0 || out.data[i - 1] != '\r');
    TM_CHECK_INT(bare_lf, 0);
    TM_CHECK(strstr(out.data, "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
                              "Gr=FC=DFe aus K=F6ln\r\n\r\n--=_b\r\n"));
    TM_CHECK(strstr(out.data, "Content-Transfer-Encoding: base64\r\n\r\n"));
    TM_CHECK(strstr(out.data, "\r\n--=_b\r\nContent-Type: text/plain\r\n\r\nascii stays\r\n"
                              "--=_b--\r\nthe end\r\n"));
    int same = same_leaves("crlf", crlf.data, crlf.len, out.data, out.len);
    tm_buf_cleanup(&crlf);
    tm_buf_cleanup(&out);
    TM_CHECK_INT(same, 0);
}

TM_TEST(downgrade_text_line_ends_other_than_the_messages_are_kept_exactly)
{
    /* a CRLF message whose text has a bare LF and a bare CR: decoding gives them back */
    static const char in[] = "Content-Type: text/plain\r\n\r\n\xe9 one\ntwo\rthree\r\n";
    CHECK_DOWNGRADE(in, "Content-Type: text/plain\r\n"
                        "Content-Transfer-Encoding: quoted-printable\r\n"
                        "MIME-Version: 1.0\r\n"
                        "\r\n"
                        "=E9 one=0Atwo=0Dthree\r\n");
    /* and a LF message with a CRLF inside its text */
    static const char lf[] = "Content-Type: text/plain\n\n\xe9\r\nx\n";
    CHECK_DOWNGRADE(lf, "Content-Type: text/plain\n"
                        "Content-Transfer-Encoding: quoted-printable\n"
                        "MIME-Version: 1.0\n"
                        "\n"
                        "=E9=0D\nx\n");
}

TM_TEST(downgrade_overlong_7bit_line_is_re_encoded)
{
    char in[1400];
    int n = snprintf(in, sizeof(in), "MIME-Version: 1.0\nContent-Type: text/plain\n\n");
    memset(in + n, 'x', 1200);
    snprintf(in + n + 1200, sizeof(in) - (size_t)n - 1200, "\nshort\n");
    struct tm_buf out;
    TM_CHECK_INT(downgrade(in, strlen(in), &out), TM_OK);
    TM_CHECK(strstr(out.data, "Content-Transfer-Encoding: quoted-printable\n\nxxx"));
    size_t longest = 0, line = 0;
    for (size_t i = 0; i < out.len; i++) {
        line = out.data[i] == '\n' ? 0 : line + 1;
        longest = line > longest ? line : longest;
    }
    TM_CHECK(longest <= 76);
    int same = same_leaves("long", in, strlen(in), out.data, out.len);
    tm_buf_cleanup(&out);
    TM_CHECK_INT(same, 0);
    /* base64 in one 1,200-character line: decoded and wrapped again */
    n = snprintf(in, sizeof(in),
                 "Content-Type: application/pdf\nContent-Transfer-Encoding: "
                 "base64\n\n");
    memset(in + n, 'A', 1200);
    in[n + 1200] = 0;
    TM_CHECK_INT(downgrade(in, strlen(in), &out), TM_OK);
    TM_CHECK(seven_bit(out.data, out.len));
    same = same_leaves("long base64", in, strlen(in), out.data, out.len);
    tm_buf_cleanup(&out);
    TM_CHECK_INT(same, 0);
}

TM_TEST(downgrade_quoted_printable_with_raw_8bit_is_decoded_and_re_encoded)
{
    static const char in[] = "MIME-Version: 1.0\n"
                             "Content-Type: text/plain; charset=utf-8\n"
                             "Content-Transfer-Encoding: quoted-printable\n"
                             "\n"
                             "caf=C3=A9 and raw \xc3\xa9=\n"
                             "joined\n";
    CHECK_DOWNGRADE(in, "MIME-Version: 1.0\n"
                        "Content-Type: text/plain; charset=utf-8\n"
                        "Content-Transfer-Encoding: quoted-printable\n"
                        "\n"
                        "caf=C3=A9 and raw =C3=A9joined\n");
}

TM_TEST(downgrade_nested_message_rfc822_becomes_base64)
{
    static const char in[] = "MIME-Version: 1.0\n"
                             "Content-Type: multipart/mixed; boundary=outer\n"
                             "\n"
                             "--outer\n"
                             "Content-Type: text/plain\n"
                             "\n"
                             "see the attached message\n"
                             "--outer\n"
                             "Content-Type: message/rfc822\n"
                             "\n"
                             "Subject: caf\xc3\xa9\n" /* the inner header: only base64 carries it */
                             "Content-Type: multipart/alternative; boundary=inner\n"
                             "\n"
                             "--inner\n"
                             "Content-Type: text/plain; charset=utf-8\n"
                             "Content-Transfer-Encoding: 8bit\n"
                             "\n"
                             "caf\xc3\xa9\n"
                             "--inner--\n"
                             "\n"
                             "--outer--\n";
    struct tm_buf out;
    TM_CHECK_INT(downgrade(in, sizeof(in) - 1, &out), TM_OK);
    TM_CHECK(seven_bit(out.data, out.len));
    TM_CHECK(strstr(out.data, "--outer\nContent-Type: text/plain\n\nsee the attached message\n"
                              "--outer\nContent-Type: message/rfc822\n"
                              "Content-Transfer-Encoding: base64\n\nU3ViamVjdDogY2Fmw6kK"));
    TM_CHECK(strstr(out.data, "\n--outer--\n"));
    /* the tree reads the embedded message from its decoded copy: same parts, same bytes */
    int same = same_leaves("nested", in, sizeof(in) - 1, out.data, out.len);
    struct tm_mime_tree *t = NULL;
    TM_CHECK_INT(tm_mime_parse(out.data, out.len, &t, NULL), TM_OK);
    const struct tm_mime_part *inner = tm_mime_tree_find(t, "2.1.1");
    int found = inner && strcmp(inner->type, "text") == 0;
    tm_mime_tree_free(&t);
    tm_buf_cleanup(&out);
    TM_CHECK_INT(same, 0);
    TM_CHECK(found);
}

TM_TEST(downgrade_8bit_header_is_enotsup)
{
    struct tm_buf out;
    struct tm_error err;
    tm_buf_init(&out, 0);
    tm_buf_append_str(&out, "kept");
    static const char top[] = "Subject: caf\xc3\xa9\n\nbody\n";
    TM_CHECK_INT(tm_mime_downgrade_7bit(top, sizeof(top) - 1, &out, &err), TM_ENOTSUP);
    TM_CHECK(strstr(err.message, "SMTPUTF8"));
    TM_CHECK_STR(out.data, "kept"); /* nothing half-written */
    static const char part[] = "MIME-Version: 1.0\n"
                               "Content-Type: multipart/mixed; boundary=b\n"
                               "\n"
                               "--b\n"
                               "Content-Type: text/plain\n"
                               "\n"
                               "caf\xc3\xa9\n"
                               "--b\n"
                               "Content-Disposition: attachment; filename=\"\xc3\xa9.txt\"\n"
                               "\n"
                               "x\n"
                               "--b--\n";
    TM_CHECK_INT(tm_mime_downgrade_7bit(part, sizeof(part) - 1, &out, &err), TM_ENOTSUP);
    TM_CHECK_STR(out.data, "kept");
    tm_buf_cleanup(&out);
}

TM_TEST(downgrade_appends_and_reports_the_cap)
{
    struct tm_buf out;
    struct tm_error err;
    tm_buf_init(&out, 0);
    tm_buf_append_str(&out, "prefix:");
    static const char in[] = "Subject: x\n\n\xe9\n";
    TM_CHECK_INT(tm_mime_downgrade_7bit(in, sizeof(in) - 1, &out, &err), TM_OK);
    TM_CHECK(strncmp(out.data, "prefix:Subject: x\n", 18) == 0);
    tm_buf_cleanup(&out);
    tm_buf_init(&out, 20);
    TM_CHECK_INT(tm_mime_downgrade_7bit(in, sizeof(in) - 1, &out, &err), TM_ELIMIT);
    TM_CHECK_INT(out.len, 0);
    tm_buf_cleanup(&out);
}

TM_TEST(downgrade_8bit_preamble_and_epilogue_are_kept)
{
    static const char in[] = "MIME-Version: 1.0\n"
                             "Content-Type: multipart/mixed; boundary=b\n"
                             "\n"
                             "pr\xe9"
                             "ambule\n"
                             "--b\n"
                             "\n"
                             "\xe9\n"
                             "--b--\n"
                             "\xe9pilogue\n";
    CHECK_DOWNGRADE(in, "MIME-Version: 1.0\n"
                        "Content-Type: multipart/mixed; boundary=b\n"
                        "\n"
                        "pr\xe9"
                        "ambule\n"
                        "--b\n"
                        "Content-Transfer-Encoding: quoted-printable\n"
                        "\n"
                        "=E9\n"
                        "--b--\n"
                        "\xe9pilogue\n");
}

/* ---- the corpus ---- */

/* msg with every base64 or quoted-printable leaf (and encoded embedded message) of its top
 * multiparts replaced by its decoded bytes labelled 8bit: 8-bit mail made from 7-bit mail. */
static int make_8bit(const char *msg, size_t len, struct tm_buf *out);

struct upgrade {
    const struct tm_mime_tree *tree;
    const char *msg;
    size_t done;
    struct tm_buf *out;
};

static enum tm_status upgrade_part(struct upgrade *u, const struct tm_mime_part *p)
{
    if (!p->leaf && strcmp(p->type, "multipart") == 0) {
        for (size_t i = 0; i < p->nchildren; i++)
            if (upgrade_part(u, &p->children[i]))
                return TM_EPARSE;
        return TM_OK;
    }
    enum mime_cte cte = mime_cte_parse(p->cte);
    if (cte != MIME_CTE_BASE64 && cte != MIME_CTE_QP)
        return TM_OK;
    struct tm_header_field f;
    const char *h = u->msg + p->header_start;
    if (!mime_header_find(h, p->header_len, "Content-Transfer-Encoding", &f))
        return TM_EPARSE;
    size_t v = p->header_start + (size_t)(f.value - h);
    tm_buf_append(u->out, u->msg + u->done, v - u->done);
    tm_buf_append_str(u->out, "8bit");
    tm_buf_append(u->out, u->msg + v + f.value_len, p->body_start - (v + f.value_len));
    u->done = p->body_start + p->body_len;
    return tm_mime_part_decode(u->tree, p, u->out, NULL);
}

static int make_8bit(const char *msg, size_t len, struct tm_buf *out)
{
    struct tm_mime_tree *t = NULL;
    if (tm_mime_parse(msg, len, &t, NULL))
        return -1;
    struct upgrade u = {.tree = t, .msg = msg, .out = out};
    enum tm_status st = upgrade_part(&u, &t->root);
    if (st == TM_OK)
        st = tm_buf_append(out, msg + u.done, len - u.done);
    tm_mime_tree_free(&t);
    return st == TM_OK ? 0 : -1;
}

struct corpus_count {
    int messages, refused, unchanged, reencoded, variants, failed;
};

/* Checks one message and its 8-bit variant. */
static void check_message(const char *name, const char *msg, size_t len, struct corpus_count *c)
{
    struct tm_buf out, up;
    struct tm_error err;
    c->messages++;
    tm_buf_init(&out, 0);
    enum tm_status st = tm_mime_downgrade_7bit(msg, len, &out, &err);
    if (st == TM_ENOTSUP) {
        c->refused++;
    } else if (st != TM_OK || same_leaves(name, msg, len, out.data, out.len)) {
        fprintf(stderr, "%s: %s\n", name, st ? err.message : "leaves differ");
        c->failed++;
    } else if (out.len == len && memcmp(out.data, msg, len) == 0) {
        c->unchanged++;
    } else {
        c->reencoded++;
    }
    tm_buf_cleanup(&out);
    tm_buf_init(&up, 0);
    if (st == TM_OK && make_8bit(msg, len, &up) == 0 &&
        (up.len != len || memcmp(up.data, msg, len) != 0)) {
        c->variants++;
        tm_buf_init(&out, 0);
        st = tm_mime_downgrade_7bit(up.data, up.len, &out, &err);
        if (st != TM_OK || same_leaves(name, up.data, up.len, out.data, out.len)) {
            fprintf(stderr, "%s (8-bit variant): %s\n", name, st ? err.message : "leaves differ");
            c->failed++;
        }
        tm_buf_cleanup(&out);
    }
    tm_buf_cleanup(&up);
}

/* Every file under dir (recursively); mbox files (*.mbox*) message by message. */
static void check_dir(const char *dir, struct corpus_count *c)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        char path[1024];
        if (e->d_name[0] == '.' || strstr(e->d_name, "LICENSE") || strstr(e->d_name, "README"))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        struct tm_buf data;
        tm_buf_init(&data, 0);
        if (tm_fs_read_file(path, 1 << 24, 0, &data, NULL) != TM_OK) {
            tm_buf_cleanup(&data);
            check_dir(path, c); /* a directory */
            continue;
        }
        if (!strstr(e->d_name, ".mbox")) {
            check_message(path, data.data ? data.data : "", data.len, c);
        } else {
            size_t pos = 0;
            struct tm_mbox_entry m;
            while (tm_mbox_next(data.data, data.len, &pos, &m)) {
                struct tm_buf one;
                tm_buf_init(&one, 0);
                tm_mbox_unquote(data.data + m.start, m.end - m.start, &one);
                check_message(path, one.data ? one.data : "", one.len, c);
                tm_buf_cleanup(&one);
            }
        }
        tm_buf_cleanup(&data);
    }
    if (d)
        closedir(d);
}

TM_TEST(downgrade_corpus_decodes_to_the_same_bytes)
{
    struct corpus_count c = {0};
    check_dir(TM_TEST_SRCDIR "/tests/data/mime", &c);
    check_dir(TM_TEST_SRCDIR "/tests/data/mbox", &c);
    int local = c.messages;
    /* the shared corpus next to the checkout, when there is one */
    check_dir(TM_TEST_SRCDIR "/../shared/corpus", &c);
    printf("# downgrade corpus: %d messages (%d from tests/data, %d from ../shared/corpus): "
           "%d unchanged, %d re-encoded, %d refused (8-bit header); %d 8-bit variants re-encoded; "
           "%d failed\n",
           c.messages, local, c.messages - local, c.unchanged, c.reencoded, c.refused, c.variants,
           c.failed);
    TM_CHECK(local >= 40);
    TM_CHECK(c.variants >= 10);
    TM_CHECK_INT(c.failed, 0);
}
