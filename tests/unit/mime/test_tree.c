/* test_tree.c - the MIME tree: structure, boundaries, embedded messages, limits, and the decoded
 * payload of each transfer encoding. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/mime/private.h"
#include "tm_test.h"

/* Parses msg and renders its shape as "path type/subtype[*]" lines, * marking leaves. */
static char *shape(const char *msg)
{
    struct tm_mime_tree *t = NULL;
    struct tm_buf out;
    tm_buf_init(&out, 0);
    if (tm_mime_parse(msg, strlen(msg), &t, NULL) != TM_OK)
        return NULL;
    /* Depth-first with an explicit stack, independent of tm_mime_tree_walk. */
    struct tm_mime_part *stack[64];
    size_t next[64], depth = 0;
    stack[0] = &t->root;
    next[0] = 0;
    tm_buf_appendf(&out, "%s %s/%s%s\n", t->root.path, t->root.type, t->root.subtype,
                   t->root.leaf ? "*" : "");
    while (depth < 64) {
        struct tm_mime_part *p = stack[depth];
        if (next[depth] >= p->nchildren) {
            if (depth == 0)
                break;
            depth--;
            continue;
        }
        struct tm_mime_part *c = &p->children[next[depth]++];
        tm_buf_appendf(&out, "%s %s/%s%s\n", c->path, c->type, c->subtype, c->leaf ? "*" : "");
        stack[++depth] = c;
        next[depth] = 0;
    }
    tm_mime_tree_free(&t);
    return tm_buf_steal(&out);
}

#define CHECK_SHAPE(msg, want)                                                                     \
    do {                                                                                           \
        char *got_ = shape(msg);                                                                   \
        TM_CHECK(got_ != NULL);                                                                    \
        if (strcmp(got_, want) != 0) {                                                             \
            tm_test_fail(__FILE__, __LINE__, "shape:\n%s---\nwant:\n%s---", got_, want);           \
            free(got_);                                                                            \
            return;                                                                                \
        }                                                                                          \
        free(got_);                                                                                \
    } while (0)

/* The decoded payload of the part at path. */
static char *decoded(const char *msg, const char *path, size_t *len)
{
    struct tm_mime_tree *t = NULL;
    struct tm_buf out;
    char *data = NULL;
    tm_buf_init(&out, 0);
    if (tm_mime_parse(msg, strlen(msg), &t, NULL) == TM_OK) {
        const struct tm_mime_part *p = tm_mime_tree_find(t, path);
        if (p && tm_mime_part_decode(t, p, &out, NULL) == TM_OK)
            data = tm_buf_steal(&out);
    }
    *len = data ? strlen(data) : 0;
    tm_buf_cleanup(&out);
    tm_mime_tree_free(&t);
    return data;
}

#define CHECK_DECODED(msg, path, want)                                                             \
    do {                                                                                           \
        size_t n_;                                                                                 \
        char *got_ = decoded(msg, path, &n_);                                                      \
        int ok_ = got_ && strcmp(got_, want) == 0;                                                 \
        if (!ok_)                                                                                  \
            tm_test_fail(__FILE__, __LINE__, "decoded \"%s\", want \"%s\"",                        \
                         got_ ? got_ : "(null)", want);                                            \
        free(got_);                                                                                \
        if (!ok_)                                                                                  \
            return;                                                                                \
    } while (0)

TM_TEST(tree_plain_message_is_one_leaf)
{
    CHECK_SHAPE("Subject: x\n\nbody\n", " text/plain*\n");
    CHECK_SHAPE("", " text/plain*\n");
    struct tm_mime_tree *t = NULL;
    const char *msg = "Content-Type: TEXT/HTML; Charset=\"UTF-8\"\r\n"
                      "Content-Transfer-Encoding: Quoted-Printable\r\n\r\nhi";
    TM_CHECK_INT(tm_mime_parse(msg, strlen(msg), &t, NULL), TM_OK);
    TM_CHECK_STR(t->root.subtype, "html");
    TM_CHECK_STR(t->root.charset, "utf-8");
    TM_CHECK_STR(t->root.cte, "quoted-printable");
    TM_CHECK(t->root.disposition == NULL && t->root.filename == NULL);
    TM_CHECK_INT(t->root.body_start, strlen(msg) - 2);
    TM_CHECK_INT(t->root.body_len, 2);
    TM_CHECK_INT(t->root.header_len, t->root.body_start);
    tm_mime_tree_free(&t);
    tm_mime_tree_free(&t); /* NULL is fine */
}

TM_TEST(tree_nested_multiparts_paths_and_offsets)
{
    const char *msg = "Content-Type: multipart/mixed; boundary=outer\n\n"
                      "preamble\n--outer\n"
                      "Content-Type: multipart/alternative; boundary=\"inner\"\n\n"
                      "--inner\n\nplain\n--inner\nContent-Type: text/html\n\n<p>h</p>\n"
                      "--inner--\n"
                      "--outer\nContent-Type: image/png\n"
                      "Content-Disposition: attachment; filename=\"a.png\"\n\nPNG\n"
                      "--outer--\nepilogue\n";
    CHECK_SHAPE(msg, " multipart/mixed\n1 multipart/alternative\n1.1 text/plain*\n"
                     "1.2 text/html*\n2 image/png*\n");
    CHECK_DECODED(msg, "1.1", "plain");
    CHECK_DECODED(msg, "1.2", "<p>h</p>");
    CHECK_DECODED(msg, "2", "PNG");
    struct tm_mime_tree *t = NULL;
    TM_CHECK_INT(tm_mime_parse(msg, strlen(msg), &t, NULL), TM_OK);
    const struct tm_mime_part *png = tm_mime_tree_find(t, "2");
    TM_CHECK(png != NULL);
    TM_CHECK_STR(png->disposition, "attachment");
    TM_CHECK_STR(png->filename, "a.png");
    TM_CHECK(png->base == msg);
    TM_CHECK(strncmp(msg + png->header_start, "Content-Type: image/png", 23) == 0);
    TM_CHECK(tm_mime_tree_find(t, "3") == NULL && tm_mime_tree_find(t, "1.x") == NULL);
    TM_CHECK(tm_mime_tree_find(t, "0") == NULL);
    TM_CHECK_INT(t->nparts, 5);
    TM_CHECK(!t->truncated);
    tm_mime_tree_free(&t);
}

TM_TEST(tree_message_rfc822_child_is_the_embedded_message)
{
    const char *msg = "Content-Type: multipart/mixed; boundary=b\n\n--b\n\nhello\n"
                      "--b\nContent-Type: message/rfc822\n\n"
                      "Subject: inner\nContent-Type: multipart/mixed; boundary=c\n\n"
                      "--c\n\ninner text\n--c\nContent-Type: application/pdf; name=x.pdf\n\n%PDF\n"
                      "--c--\n--b--\n";
    CHECK_SHAPE(msg, " multipart/mixed\n1 text/plain*\n2 message/rfc822\n2.1 multipart/mixed\n"
                     "2.1.1 text/plain*\n2.1.2 application/pdf*\n");
    CHECK_DECODED(msg, "2.1.1", "inner text");
    struct tm_mime_tree *t = NULL;
    TM_CHECK_INT(tm_mime_parse(msg, strlen(msg), &t, NULL), TM_OK);
    TM_CHECK_STR(tm_mime_tree_find(t, "2.1.2")->filename, "x.pdf");
    TM_CHECK(strncmp(tm_mime_tree_find(t, "2")->inner, "Subject: inner", 14) == 0);
    tm_mime_tree_free(&t);
}

TM_TEST(tree_base64_message_rfc822_parsed_from_decoded_copy)
{
    /* "Subject: s\n\ninside\n" in base64 */
    const char *msg = "Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n"
                      "U3ViamVjdDogcwoKaW5zaWRlCg==\n";
    CHECK_SHAPE(msg, " message/rfc822\n1 text/plain*\n");
    CHECK_DECODED(msg, "1", "inside\n");
}

TM_TEST(tree_digest_children_default_to_message_rfc822)
{
    const char *msg = "Content-Type: multipart/digest; boundary=d\n\n"
                      "--d\n\nSubject: one\n\nfirst\n"
                      "--d\nContent-Type: text/plain\n\nnot a message\n--d--\n";
    CHECK_SHAPE(msg, " multipart/digest\n1 message/rfc822\n1.1 text/plain*\n2 text/plain*\n");
    CHECK_DECODED(msg, "1.1", "first");
}

TM_TEST(tree_boundary_edge_cases)
{
    /* Blanks after the delimiter, CRLF line ends, a boundary quoted with specials, and a
     * boundary prefix that is not a delimiter. */
    CHECK_SHAPE("Content-Type: multipart/mixed; boundary=\"a b;c\"\r\n\r\n"
                "--a b;c \t\r\n\r\none\r\n--a b;cX\r\nstill one\r\n--a b;c--  \r\n",
                " multipart/mixed\n1 text/plain*\n");
    CHECK_DECODED("Content-Type: multipart/mixed; boundary=\"a b;c\"\r\n\r\n"
                  "--a b;c \t\r\n\r\none\r\n--a b;cX\r\nstill one\r\n--a b;c--  \r\n",
                  "1", "one\r\n--a b;cX\r\nstill one");
    /* Missing close delimiter: the last part runs to the end. */
    CHECK_DECODED("Content-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b\n\nlast\n", "2",
                  "last\n");
    /* Preamble and epilogue are not parts. */
    CHECK_SHAPE("Content-Type: multipart/mixed; boundary=b\n\npre\n--b\n\nx\n--b--\npost\n--b\n",
                " multipart/mixed\n1 text/plain*\n");
    /* No delimiter at all: the multipart stays a leaf. */
    CHECK_SHAPE("Content-Type: multipart/mixed; boundary=nope\n\njust text\n",
                " multipart/mixed*\n");
    /* A missing boundary parameter is found in the body. */
    CHECK_SHAPE("Content-Type: multipart/mixed\n\n--xyz\n\none\n--xyz--\n",
                " multipart/mixed\n1 text/plain*\n");
    /* A close delimiter right away: a multipart with no parts. */
    CHECK_SHAPE("Content-Type: multipart/mixed; boundary=b\n\n--b--\n", " multipart/mixed\n");
}

TM_TEST(tree_same_boundary_nested_is_bounded)
{
    const char *msg = "Content-Type: multipart/mixed; boundary=a\n\n--a\n"
                      "Content-Type: multipart/mixed; boundary=a\n\n--a\n\nx\n--a--\n";
    CHECK_SHAPE(msg, " multipart/mixed\n1 multipart/mixed*\n2 text/plain*\n");
}

TM_TEST(tree_depth_bomb_is_bounded)
{
    struct tm_buf msg;
    struct tm_mime_tree *t = NULL;
    tm_buf_init(&msg, 0);
    for (int i = 0; i < 200; i++)
        TM_CHECK_INT(
            tm_buf_appendf(&msg, "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i),
            TM_OK);
    TM_CHECK_INT(tm_mime_parse(msg.data, msg.len, &t, NULL), TM_OK);
    TM_CHECK_INT(t->nparts, TM_MIME_DEPTH_MAX + 1);
    TM_CHECK(t->truncated);
    const struct tm_mime_part *p = &t->root;
    while (p->nchildren)
        p = &p->children[0];
    TM_CHECK_INT(p->depth, TM_MIME_DEPTH_MAX);
    TM_CHECK_INT(p->deep_dropped, 1);
    tm_mime_tree_free(&t);
    /* Embedded messages count as levels too. */
    tm_buf_reset(&msg);
    for (int i = 0; i < 200; i++)
        TM_CHECK_INT(tm_buf_append_str(&msg, "Content-Type: message/rfc822\n\n"), TM_OK);
    TM_CHECK_INT(tm_mime_parse(msg.data, msg.len, &t, NULL), TM_OK);
    TM_CHECK_INT(t->nparts, TM_MIME_DEPTH_MAX + 1);
    tm_mime_tree_free(&t);
    tm_buf_cleanup(&msg);
}

TM_TEST(tree_part_count_bomb_is_bounded)
{
    struct tm_buf msg;
    struct tm_mime_tree *t = NULL;
    tm_buf_init(&msg, 0);
    TM_CHECK_INT(tm_buf_append_str(&msg, "Content-Type: multipart/mixed; boundary=b\n\n"), TM_OK);
    for (int i = 0; i < 3 * TM_MIME_PARTS_MAX; i++)
        TM_CHECK_INT(tm_buf_append_str(&msg, "--b\n"), TM_OK);
    TM_CHECK_INT(tm_mime_parse(msg.data, msg.len, &t, NULL), TM_OK);
    TM_CHECK_INT(t->nparts, TM_MIME_PARTS_MAX);
    TM_CHECK_INT(t->root.nchildren, TM_MIME_PARTS_MAX - 1);
    TM_CHECK(t->truncated && t->root.parts_dropped);
    TM_CHECK_STR(t->root.children[TM_MIME_PARTS_MAX - 2].path, "9999");
    tm_mime_tree_free(&t);
    tm_buf_cleanup(&msg);
}

TM_TEST(tree_encoded_message_chain_has_a_decode_budget)
{
    struct tm_buf msg;
    struct tm_mime_tree *t = NULL;
    tm_buf_init(&msg, 0);
    for (int i = 0; i < 8; i++)
        TM_CHECK_INT(tm_buf_append_str(&msg, "Content-Type: message/rfc822\n"
                                             "Content-Transfer-Encoding: quoted-printable\n\n"),
                     TM_OK);
    for (int i = 0; i < 40000; i++)
        TM_CHECK_INT(tm_buf_append_str(&msg, "0123456789012345678901234567890123456789\n"), TM_OK);
    TM_CHECK_INT(tm_mime_parse(msg.data, msg.len, &t, NULL), TM_OK);
    TM_CHECK(t->truncated);
    TM_CHECK(t->ndecoded < 8);
    const struct tm_mime_part *p = &t->root;
    while (p->nchildren)
        p = &p->children[0];
    TM_CHECK_INT(p->inner_status, TM_ELIMIT);
    tm_mime_tree_free(&t);
    tm_buf_cleanup(&msg);
}

TM_TEST(tree_disposition_and_filename_decoding)
{
    struct tm_mime_tree *t = NULL;
    const char *msg =
        "Content-Type: application/octet-stream; name=\"=?UTF-8?B?w6kucGRm?=\"\n"
        "Content-Disposition: ATTACHMENT; filename*0*=UTF-8''%C3%A9t%C3%A9; filename*1=.txt\n\n";
    TM_CHECK_INT(tm_mime_parse(msg, strlen(msg), &t, NULL), TM_OK);
    TM_CHECK_STR(t->root.disposition, "attachment");
    TM_CHECK_STR(t->root.filename, "\xc3\xa9t\xc3\xa9.txt");
    tm_mime_tree_free(&t);
    msg = "Content-Type: application/octet-stream; name=\"=?UTF-8?B?w6kucGRm?=\"\n\n";
    TM_CHECK_INT(tm_mime_parse(msg, strlen(msg), &t, NULL), TM_OK);
    TM_CHECK_STR(t->root.filename, "\xc3\xa9.pdf");
    TM_CHECK(t->root.disposition == NULL);
    tm_mime_tree_free(&t);
    msg = "Content-Disposition: inline; filename=\"r\xc3\xa9sum\xc3\xa9.txt\"\n\n";
    TM_CHECK_INT(tm_mime_parse(msg, strlen(msg), &t, NULL), TM_OK);
    TM_CHECK_STR(t->root.filename, "r\xc3\xa9sum\xc3\xa9.txt");
    TM_CHECK_STR(t->root.disposition, "inline");
    tm_mime_tree_free(&t);
}

TM_TEST(tree_decode_each_transfer_encoding)
{
    CHECK_DECODED("Content-Transfer-Encoding: base64\n\naGVs\nbG8=\n", "", "hello");
    CHECK_DECODED("Content-Transfer-Encoding: quoted-printable\n\nh=C3=A9=\nllo\n", "",
                  "h\xc3\xa9llo\n");
    CHECK_DECODED("Content-Transfer-Encoding: 7bit\n\nas is\r\n", "", "as is\r\n");
    CHECK_DECODED("Content-Transfer-Encoding: 8bit\n\n\xc3\xa9", "", "\xc3\xa9");
    CHECK_DECODED("Content-Transfer-Encoding: binary\n\nraw=41", "", "raw=41");
    CHECK_DECODED("Content-Transfer-Encoding: x-gzip64\n\nkept", "", "kept");
    CHECK_DECODED("Content-Transfer-Encoding: x-uuencode\n\nbegin 644 cat.txt\n#0V%T\n`\nend\n", "",
                  "Cat");
}

TM_TEST(uudecode_lines_short_lines_and_no_begin)
{
    struct tm_buf out;
    tm_buf_init(&out, 0);
    const char *in = "junk before\nbegin 600 h.txt\r\n"
                     "8:&5L;&\\@=V]R;&0L('5U96YC;V1E9\"$*\r\n`\r\nend\r\nafter\n";
    TM_CHECK_INT(tm_mime_uu_decode(in, strlen(in), &out), TM_OK);
    TM_CHECK_STR(out.data, "hello world, uuencoded!\n");
    tm_buf_reset(&out);
    /* No begin line: decoded from the start; a line cut short is padded. */
    TM_CHECK_INT(tm_mime_uu_decode("#0V%T\n", 6, &out), TM_OK);
    TM_CHECK_STR(out.data, "Cat");
    tm_buf_reset(&out);
    TM_CHECK_INT(tm_mime_uu_decode("#0V%\n", 5, &out), TM_OK);
    TM_CHECK_INT(out.len, 3);
    TM_CHECK(memcmp(out.data, "Ca", 2) == 0);
    tm_buf_reset(&out);
    TM_CHECK_INT(tm_mime_uu_decode("", 0, &out), TM_OK);
    TM_CHECK_INT(out.len, 0);
    tm_buf_cleanup(&out);
}

TM_TEST(uu_blocks_found_in_plain_text)
{
    const char *text = "Here is the file:\n\nbegin 644 cat.txt\n#0V%T\n`\nend\n"
                       "and another\nbegin 0755 run.sh\n#0V%T\n"; /* no end line */
    struct tm_mime_uu_block b;
    size_t pos = 0;
    TM_CHECK(tm_mime_uu_next(text, strlen(text), &pos, &b));
    TM_CHECK_STR(b.name, "cat.txt");
    TM_CHECK(strncmp(text + b.start, "begin 644", 9) == 0);
    TM_CHECK(strncmp(text + b.start + b.len, "and another", 11) == 0);
    struct tm_buf out;
    tm_buf_init(&out, 0);
    TM_CHECK_INT(tm_mime_uu_decode(text + b.start, b.len, &out), TM_OK);
    TM_CHECK_STR(out.data, "Cat");
    tm_buf_cleanup(&out);
    TM_CHECK(tm_mime_uu_next(text, strlen(text), &pos, &b));
    TM_CHECK_STR(b.name, "run.sh");
    TM_CHECK_INT(b.start + b.len, strlen(text));
    TM_CHECK(!tm_mime_uu_next(text, strlen(text), &pos, &b));
    pos = 0;
    TM_CHECK(!tm_mime_uu_next("begin 644\nbeginning\n begin 644 x\n", 32, &pos, &b));
}

static enum tm_status walk_count(const struct tm_mime_part *p, void *ctx)
{
    size_t *visits = ctx;
    (void)p;
    return ++*visits == 2 ? TM_ENOENT : TM_OK;
}

TM_TEST(tree_walk_visits_depth_first_and_stops_on_error)
{
    const char *msg = "Content-Type: multipart/mixed; boundary=b\n\n--b\n\na\n--b\n\nb\n--b--\n";
    struct tm_mime_tree *t = NULL;
    TM_CHECK_INT(tm_mime_parse(msg, strlen(msg), &t, NULL), TM_OK);
    size_t visits = 0;
    TM_CHECK_INT(tm_mime_tree_walk(t, walk_count, &visits), TM_ENOENT);
    TM_CHECK_INT(visits, 2);
    tm_mime_tree_free(&t);
}
