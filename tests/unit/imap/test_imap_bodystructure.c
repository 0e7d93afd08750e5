/* test_imap_bodystructure.c - FETCH BODYSTRUCTURE into a tree with part numbers: structures as
 * Dovecot, Gmail and Exchange send them, nested message/rfc822, extension data, leniencies, and
 * malformed or hostile ones (wrong types, numbers past 2^32-1, sizes past the message, depth and
 * part limits). Each structure is compared as a whole dump, read one byte at a time too, and
 * every truncation of it must parse or fail cleanly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap_test_util.h"
#include "src/backend/imap/imap_bodystructure.h"
#include "tm_test.h"

/* One line per node: depth-indented "section kind type/subtype" and what it carries. */
static void dump_params(struct tm_buf *out, const char *what, const struct imap_body_param *p,
                        size_t n)
{
    if (!n)
        return;
    tm_buf_appendf(out, " %s(", what);
    for (size_t i = 0; i < n; i++)
        tm_buf_appendf(out, "%s%s=%s", i ? ";" : "", p[i].name, p[i].value ? p[i].value : "NIL");
    tm_buf_append_str(out, ")");
}

static int dump_node(void *ctx, const struct imap_body *b)
{
    static const char *const kinds[] = {"basic", "text", "message", "multipart"};
    struct tm_buf *out = ctx;
    tm_buf_appendf(out, "%*s[%s]%s %s %s/%s", (int)b->depth * 2, "", b->section,
                   b->message_body ? "M" : "", kinds[b->kind], b->type, b->subtype);
    dump_params(out, "p", b->params, b->n_params);
    if (b->kind != IMAP_BODY_MULTIPART)
        tm_buf_appendf(out, " %s %llu", b->encoding, (unsigned long long)b->octets);
    if (b->kind == IMAP_BODY_TEXT || b->kind == IMAP_BODY_MESSAGE)
        tm_buf_appendf(out, " %lluL", (unsigned long long)b->lines);
    if (b->id)
        tm_buf_appendf(out, " id=%s", b->id);
    if (b->description)
        tm_buf_appendf(out, " desc=%s", b->description);
    if (b->md5)
        tm_buf_appendf(out, " md5=%s", b->md5);
    if (b->disposition)
        tm_buf_appendf(out, " dsp=%s", b->disposition);
    dump_params(out, "d", b->disp_params, b->n_disp_params);
    for (size_t i = 0; i < b->n_languages; i++)
        tm_buf_appendf(out, "%s%s", i ? "," : " lang=", b->languages[i]);
    if (b->location)
        tm_buf_appendf(out, " loc=%s", b->location);
    if (b->n_extensions)
        tm_buf_appendf(out, " ext=%zu", b->n_extensions);
    if (b->envelope)
        tm_buf_appendf(out, " env(%s|%s|%s|%s)", b->envelope->subject ? b->envelope->subject : "-",
                       b->envelope->from_name ? b->envelope->from_name : "-",
                       b->envelope->from_address ? b->envelope->from_address : "-",
                       b->envelope->message_id ? b->envelope->message_id : "-");
    tm_buf_append_char(out, '\n');
    return 0;
}

/* Reads "* 1 FETCH (UID 1 BODYSTRUCTURE <structure>)" from bytes arriving chunk at a time and
 * parses the structure: the dump (malloc'd), or NULL with *st and err set. */
static char *parse_chunked(const char *structure, size_t len, size_t chunk, uint64_t size,
                           const struct imap_limits *lim, enum tm_status *st, struct tm_error *err)
{
    struct tm_buf in, out;
    tm_buf_init(&in, 0);
    tm_buf_init(&out, 0);
    tm_buf_append_str(&in, "* 1 FETCH (UID 1 BODYSTRUCTURE ");
    tm_buf_append(&in, structure, len);
    tm_buf_append_str(&in, ")\r\n");
    struct imap_memsource m;
    imap_memsource_init(&m, in.data, in.len, chunk);
    struct imap_source src = imap_memsource_source(&m);
    struct imap_parser *p = NULL;
    struct imap_response r;
    struct imap_fetch f;
    struct imap_bodystructure *bs = NULL;
    tm_error_clear(err);
    *st = imap_parser_new(lim, &p, err);
    if (!*st)
        *st = imap_read_response(p, &src, &r, err);
    if (!*st)
        *st = imap_fetch_decode(&r, &f, err);
    if (!*st && !f.bodystructure)
        *st = TM_EPARSE;
    if (!*st)
        *st = imap_bodystructure_parse(f.bodystructure, size, &bs, err);
    if (!*st)
        imap_body_walk(&bs->root, dump_node, &out);
    imap_bodystructure_free(&bs);
    imap_parser_free(&p);
    tm_buf_cleanup(&in);
    char *dump = *st ? NULL : tm_buf_steal(&out);
    tm_buf_cleanup(&out);
    return dump;
}

/* s[0..cut) made a complete value again: an open quoted string and open lists closed. false
 * when the cut falls inside a literal or an escape (no text closes those). */
static bool close_truncated(const char *s, size_t cut, struct tm_buf *out)
{
    int depth = 0;
    bool quoted = false;
    for (size_t i = 0; i < cut; i++) {
        char c = s[i];
        if (quoted && c == '\\') {
            if (++i >= cut)
                return false;
        } else if (c == '"') {
            quoted = !quoted;
        } else if (!quoted && c == '(') {
            depth++;
        } else if (!quoted && c == ')') {
            depth--;
        } else if (!quoted && c == '{') {
            char *end;
            unsigned long n = strtoul(s + i + 1, &end, 10);
            i = (size_t)(end - s) + 3 + n - 1; /* "}\r\n" and the bytes */
            if (i >= cut)
                return false;
        }
    }
    tm_buf_reset(out);
    tm_buf_append(out, s, cut);
    if (quoted)
        tm_buf_append_char(out, '"');
    while (depth-- > 0)
        tm_buf_append_char(out, ')');
    return true;
}

/* Checks that structure (NUL-free text) parses to expected whole, one byte at a time and two at a
 * time; and that every truncation of it, its lists closed again, is either a structure still
 * (trailing extension data is optional) or a clean TM_EPARSE, never anything else (the test
 * build's sanitizers watch for the rest). */
#define CHECK_STRUCTURE(structure, size, expected)                                                 \
    do {                                                                                           \
        const char *s_ = (structure);                                                              \
        size_t n_ = strlen(s_);                                                                    \
        enum tm_status st_;                                                                        \
        struct tm_error err_;                                                                      \
        for (size_t chunk_ = 0; chunk_ < 3; chunk_ += 1) {                                         \
            char *got_ = parse_chunked(s_, n_, chunk_, (size), NULL, &st_, &err_);                 \
            if (!got_)                                                                             \
                tm_test_fail(__FILE__, __LINE__, "%s: %s", tm_status_name(st_), err_.message);     \
            if (!got_)                                                                             \
                return;                                                                            \
            int same_ = strcmp(got_, (expected)) == 0;                                             \
            if (!same_)                                                                            \
                tm_test_fail(__FILE__, __LINE__, "got:\n%s\nwanted:\n%s", got_, (expected));       \
            free(got_);                                                                            \
            if (!same_)                                                                            \
                return;                                                                            \
        }                                                                                          \
        struct tm_buf cut_text_;                                                                   \
        tm_buf_init(&cut_text_, 0);                                                                \
        for (size_t cut_ = 1; cut_ < n_; cut_++) {                                                 \
            if (!close_truncated(s_, cut_, &cut_text_))                                            \
                continue;                                                                          \
            char *got_ =                                                                           \
                parse_chunked(cut_text_.data, cut_text_.len, 1, (size), NULL, &st_, &err_);        \
            if (!got_ && st_ != TM_EPARSE)                                                         \
                tm_test_fail(__FILE__, __LINE__, "cut at %zu: %s", cut_, tm_status_name(st_));     \
            free(got_);                                                                            \
        }                                                                                          \
        tm_buf_cleanup(&cut_text_);                                                                \
    } while (0)

/* The error returned for a structure (its status, and a piece of its message). */
static enum tm_status parse_error(const char *structure, uint64_t size, char *msg, size_t cap)
{
    enum tm_status st;
    struct tm_error err;
    char *got = parse_chunked(structure, strlen(structure), 0, size, NULL, &st, &err);
    free(got);
    snprintf(msg, cap, "%s", err.message);
    return got ? TM_OK : st;
}

TM_TEST(imap_bodystructure_dovecot_mixed_with_attachment)
{
    CHECK_STRUCTURE(
        "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 22 1 NIL NIL NIL NIL)"
        "(\"application\" \"octet-stream\" (\"name\" \"big.bin\") NIL NIL \"base64\" 6990 NIL "
        "(\"attachment\" (\"filename\" \"big.bin\")) NIL NIL) \"mixed\" (\"boundary\" "
        "\"=_XYZ\") NIL NIL NIL)",
        100000,
        "[]M multipart multipart/mixed p(boundary==_XYZ)\n"
        "  [1] text text/plain p(charset=us-ascii) 7bit 22 1L\n"
        "  [2] basic application/octet-stream p(name=big.bin) base64 6990 dsp=attachment "
        "d(filename=big.bin)\n");
}

TM_TEST(imap_bodystructure_gmail_upper_case_alternative_and_rfc2231)
{
    /* Types are lower-cased; parameter names and RFC 2231 values are left as sent. */
    CHECK_STRUCTURE(
        "(((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"UTF-8\") NIL NIL \"QUOTED-PRINTABLE\" 512 12 NIL "
        "NIL NIL)(\"TEXT\" \"HTML\" (\"CHARSET\" \"UTF-8\") NIL NIL \"QUOTED-PRINTABLE\" 2048 40 "
        "NIL NIL NIL) \"ALTERNATIVE\" (\"BOUNDARY\" \"000000000000aaaa\") NIL NIL)(\"APPLICATION\" "
        "\"PDF\" (\"NAME*\" \"utf-8''%E2%82%AC.pdf\") \"<f_abc>\" NIL \"BASE64\" 123456 NIL "
        "(\"ATTACHMENT\" (\"FILENAME*\" \"utf-8''%E2%82%AC.pdf\")) NIL) \"MIXED\" (\"BOUNDARY\" "
        "\"000000000000bbbb\") NIL NIL)",
        200000,
        "[]M multipart multipart/mixed p(BOUNDARY=000000000000bbbb)\n"
        "  [1] multipart multipart/alternative p(BOUNDARY=000000000000aaaa)\n"
        "    [1.1] text text/plain p(CHARSET=UTF-8) quoted-printable 512 12L\n"
        "    [1.2] text text/html p(CHARSET=UTF-8) quoted-printable 2048 40L\n"
        "  [2] basic application/pdf p(NAME*=utf-8''%E2%82%AC.pdf) base64 123456 id=<f_abc> "
        "dsp=attachment d(FILENAME*=utf-8''%E2%82%AC.pdf)\n");
}

TM_TEST(imap_bodystructure_exchange_languages_literals_and_escapes)
{
    /* A literal parameter value, an escaped quote, a language string and a language list. */
    CHECK_STRUCTURE(
        "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"quoted-printable\" 1024 20 "
        "NIL NIL \"en-US\" NIL)(\"image\" \"png\" (\"name\" {9}\r\nlogo .png) "
        "\"<image001.png@01D>\" \"logo \\\"big\\\"\" \"base64\" 4096 NIL (\"inline\" "
        "(\"filename\" \"logo .png\" \"size\" \"3000\")) (\"de\" \"fr\") NIL) \"related\" "
        "(\"boundary\" \"_004_\" \"type\" \"text/plain\") NIL \"en-US\")",
        0,
        "[]M multipart multipart/related p(boundary=_004_;type=text/plain) lang=en-US\n"
        "  [1] text text/plain p(charset=us-ascii) quoted-printable 1024 20L lang=en-US\n"
        "  [2] basic image/png p(name=logo .png) base64 4096 id=<image001.png@01D> "
        "desc=logo \"big\" dsp=inline d(filename=logo .png;size=3000) lang=de,fr\n");
}

TM_TEST(imap_bodystructure_nested_message_rfc822_numbers_its_parts)
{
    CHECK_STRUCTURE(
        "((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"8bit\" 10 1 NIL NIL NIL NIL)"
        "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 900 (\"Mon, 7 Feb 2022 21:52:25 -0800\" "
        "\"Fwd: hi\" ((\"Fred\" NIL \"fred\" \"example.org\")) ((\"Fred\" NIL \"fred\" "
        "\"example.org\")) NIL ((NIL NIL \"team\" NIL)(\"Joe\" NIL \"joe\" \"example.com\")(NIL "
        "NIL NIL NIL)) NIL NIL NIL \"<m1@example.org>\") ((\"text\" \"plain\" (\"charset\" "
        "\"us-ascii\") NIL NIL \"7bit\" 100 3 NIL NIL NIL NIL)(\"application\" \"zip\" NIL NIL "
        "NIL \"base64\" 500 NIL (\"attachment\" (\"filename\" \"a.zip\")) NIL NIL) \"mixed\" "
        "(\"boundary\" \"inner\") NIL NIL NIL) 25 NIL NIL NIL NIL)(\"message\" \"rfc822\" NIL "
        "NIL NIL \"7bit\" 300 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) (\"text\" \"plain\" "
        "NIL NIL NIL \"7bit\" 40 2) 9) \"mixed\" (\"boundary\" \"outer\") NIL NIL NIL)",
        5000,
        "[]M multipart multipart/mixed p(boundary=outer)\n"
        "  [1] text text/plain p(charset=utf-8) 8bit 10 1L\n"
        "  [2] message message/rfc822 7bit 900 25L env(Fwd: hi|Fred|fred@example.org|"
        "<m1@example.org>)\n"
        "    [2]M multipart multipart/mixed p(boundary=inner)\n"
        "      [2.1] text text/plain p(charset=us-ascii) 7bit 100 3L\n"
        "      [2.2] basic application/zip base64 500 dsp=attachment d(filename=a.zip)\n"
        "  [3] message message/rfc822 7bit 300 9L env(-|-|-|-)\n"
        "    [3.1]M text text/plain 7bit 40 2L\n");
}

TM_TEST(imap_bodystructure_single_part_message_is_part_one)
{
    /* BODY (no extension data) and a message whose body is not multipart. */
    CHECK_STRUCTURE("(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92)",
                    3028, "[1]M text text/plain p(CHARSET=US-ASCII) 7bit 3028 92L\n");
    CHECK_STRUCTURE("(\"application\" \"pdf\" NIL NIL NIL \"base64\" 40000000 \"md5sum\" NIL NIL "
                    "\"cid:x\" 7 (1 \"a\" (NIL 2)))",
                    50000000,
                    "[1]M basic application/pdf base64 40000000 md5=md5sum loc=cid:x ext=2\n");
}

TM_TEST(imap_bodystructure_leniencies_empty_params_and_message_without_envelope)
{
    /* "()" for no parameters (sent by some servers for NIL), and a message/rfc822 without its
     * envelope and body is read as a basic leaf. */
    CHECK_STRUCTURE("((\"text\" \"plain\" () NIL NIL \"7bit\" 1 1)(\"message\" \"rfc822\" () NIL "
                    "NIL \"7bit\" 5 NIL NIL NIL) \"mixed\" (\"boundary\" \"b\"))",
                    0,
                    "[]M multipart multipart/mixed p(boundary=b)\n"
                    "  [1] text text/plain 7bit 1 1L\n"
                    "  [2] basic message/rfc822 7bit 5\n");
}

TM_TEST(imap_bodystructure_refuses_hostile_sizes)
{
    char msg[512];
    /* 2^32 itself, a number near 2^63, and a part bigger than the message that holds it. */
    TM_CHECK_INT(
        parse_error("(\"text\" \"plain\" NIL NIL NIL \"7bit\" 4294967296 1)", 0, msg, sizeof(msg)),
        TM_EPARSE);
    TM_CHECK(strstr(msg, "4294967296 is past 2^32-1") != NULL);
    TM_CHECK(strstr(msg, "part 1") != NULL);
    TM_CHECK_INT(parse_error("((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)(\"text\" \"plain\" "
                             "NIL NIL NIL \"7bit\" 9223372036854775807 1) \"mixed\")",
                             0, msg, sizeof(msg)),
                 TM_EPARSE);
    TM_CHECK(strstr(msg, "part 2:") != NULL);
    TM_CHECK_INT(parse_error("(\"text\" \"plain\" NIL NIL NIL \"7bit\" 4294967295 1)", 300000, msg,
                             sizeof(msg)),
                 TM_EPARSE);
    TM_CHECK(strstr(msg, "more than the message's 300000 bytes") != NULL);
    /* exactly 2^32-1 is a valid number when the message may be that big */
    TM_CHECK_INT(
        parse_error("(\"text\" \"plain\" NIL NIL NIL \"7bit\" 4294967295 1)", 0, msg, sizeof(msg)),
        TM_OK);
    TM_CHECK_INT(
        parse_error("(\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 4294967296)", 0, msg, sizeof(msg)),
        TM_EPARSE);
}

TM_TEST(imap_bodystructure_refuses_malformed_structures)
{
    static const struct {
        const char *structure, *says;
    } bad[] = {
        {"()", "a body is not a list"},
        {"(\"text\" \"plain\" NIL NIL NIL \"7bit\" 1)", "text part without a line count"},
        {"(\"text\" \"plain\" NIL NIL NIL \"7bit\")", "fewer than seven fields"},
        {"(NIL \"plain\" NIL NIL NIL \"7bit\" 1 1)", "the type is not a string"},
        {"(\"text\" \"plain\" NIL NIL NIL NIL 1 1)", "the transfer encoding is not a string"},
        {"(\"text\" \"plain\" (\"charset\") NIL NIL \"7bit\" 1 1)", "not a list of pairs"},
        {"(\"text\" \"plain\" (\"a\" (\"b\")) NIL NIL \"7bit\" 1 1)", "a parameter value"},
        {"(\"text\" \"plain\" NIL NIL NIL \"7bit\" \"1\" 1)", "the size is not a number"},
        {"((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1))", "a multipart without a subtype"},
        {"((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1) \"mixed\" NIL \"inline\")",
         "disposition is not a (type parameters) list"},
        {"((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1) \"mixed\" NIL NIL ())",
         "empty language list"},
        {"((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1) \"mixed\" NIL NIL NIL NIL ())",
         "bad extension data"},
        {"(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 5 (NIL) (\"text\" \"plain\" NIL NIL NIL "
         "\"7bit\" 1 1) 1)",
         "envelope is not a list of ten fields"},
        {"(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 5 (NIL NIL ((NIL NIL \"a\")) NIL NIL NIL "
         "NIL NIL NIL NIL) (\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1) 1)",
         "envelope address is not four fields"},
        {"(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 5 (NIL NIL NIL NIL NIL NIL NIL NIL NIL "
         "NIL) (\"text\" \"plain\" NIL NIL NIL \"7bit\" 1) 1)",
         "part 1.1: a text part without a line count"},
        {"(\"text\" \"plain\" (\"name\" {3}\r\na\0b) NIL NIL \"7bit\" 1 1)", "NUL byte"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char msg[512];
        enum tm_status st;
        struct tm_error err;
        /* strlen stops at the NUL of the last one: measure its literal instead */
        size_t len = strlen(bad[i].structure);
        if (strstr(bad[i].structure, "{3}"))
            len += 1 + strlen(bad[i].structure + len + 1);
        char *got = parse_chunked(bad[i].structure, len, 0, 0, NULL, &st, &err);
        snprintf(msg, sizeof(msg), "%s", err.message);
        if (got || st != TM_EPARSE || !strstr(msg, bad[i].says))
            tm_test_fail(__FILE__, __LINE__, "case %zu: %s (%s), wanted \"%s\"", i,
                         tm_status_name(st), msg, bad[i].says);
        free(got);
    }
}

TM_TEST(imap_bodystructure_depth_limit)
{
    /* 32 multiparts nested below the top one are fine, 33 are refused, not cut. */
    struct imap_limits lim = {.max_depth = 200};
    for (int depth = 32; depth <= 33; depth++) {
        struct tm_buf s;
        tm_buf_init(&s, 0);
        for (int i = 0; i <= depth; i++)
            tm_buf_append_char(&s, '(');
        tm_buf_append_str(&s, "\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)");
        for (int i = 0; i < depth; i++)
            tm_buf_append_str(&s, " \"mixed\")");
        enum tm_status st;
        struct tm_error err;
        char *got = parse_chunked(s.data, s.len, 0, 0, &lim, &st, &err);
        if (depth == 32) {
            TM_CHECK(got != NULL);
            TM_CHECK(
                strstr(got, "[1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1]"));
        } else {
            TM_CHECK(got == NULL);
            TM_CHECK_INT(st, TM_ELIMIT);
            TM_CHECK(strstr(err.message, "nested deeper than 32 levels") != NULL);
        }
        free(got);
        tm_buf_cleanup(&s);
    }
}

TM_TEST(imap_bodystructure_part_limit)
{
    /* 9,999 parts and their multipart are 10,000 nodes: the limit; one more is refused. */
    for (int parts = 9999; parts <= 10000; parts++) {
        struct tm_buf s;
        tm_buf_init(&s, 0);
        tm_buf_append_char(&s, '(');
        for (int i = 0; i < parts; i++)
            tm_buf_append_str(&s, "(\"text\" \"plain\" NIL NIL NIL \"7bit\" 0 0)");
        tm_buf_append_str(&s, " \"mixed\")");
        enum tm_status st;
        struct tm_error err;
        char *got = parse_chunked(s.data, s.len, 0, 0, NULL, &st, &err);
        if (parts == 9999) {
            TM_CHECK(got != NULL);
            TM_CHECK(strstr(got, "[9999] text") != NULL);
        } else {
            TM_CHECK_INT(st, TM_ELIMIT);
            TM_CHECK(strstr(err.message, "more than 10000 parts") != NULL);
        }
        free(got);
        tm_buf_cleanup(&s);
    }
}

TM_TEST(imap_bodystructure_param_lookup_is_case_insensitive)
{
    struct imap_parser *p = NULL;
    struct imap_response r;
    struct imap_fetch f;
    struct imap_bodystructure *bs = NULL;
    TM_CHECK_INT(read_one("* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 "
                          "1) \"Mixed\" (\"BOUNDARY\" \"b1\" \"x\" NIL)))\r\n",
                          &p, &r, NULL),
                 TM_OK);
    TM_CHECK_INT(imap_fetch_decode(&r, &f, NULL), TM_OK);
    TM_CHECK_INT(imap_bodystructure_parse(f.bodystructure, 0, &bs, NULL), TM_OK);
    TM_CHECK_STR(imap_body_param(&bs->root, "boundary"), "b1");
    TM_CHECK(imap_body_param(&bs->root, "x") == NULL); /* NIL value */
    TM_CHECK(imap_body_param(&bs->root, "charset") == NULL);
    TM_CHECK(imap_body_is(&bs->root, "MULTIPART", "mixed"));
    TM_CHECK(imap_body_is(&bs->root.children[0], "text", NULL));
    TM_CHECK_INT(bs->n_parts, 2);
    imap_bodystructure_free(&bs);
    TM_CHECK(bs == NULL);
    imap_bodystructure_free(&bs); /* NULL is fine */
    imap_parser_free(&p);
}

TM_TEST(imap_fetch_decode_binary_size_and_literal8_section)
{
    struct imap_parser *p = NULL;
    struct imap_response r;
    struct imap_fetch f;
    static const char resp[] = "* 3 FETCH (UID 9 BINARY[2]<0> ~{4}\r\n\0\1\2\3 BINARY.SIZE[2] "
                               "70000)\r\n";
    TM_CHECK_INT(read_one_len(resp, sizeof(resp) - 1, &p, &r, NULL), TM_OK);
    TM_CHECK_INT(imap_fetch_decode(&r, &f, NULL), TM_OK);
    TM_CHECK(f.section && f.section_len == 1 && f.section[0] == '2');
    TM_CHECK_INT(f.section_data_len, 4);
    TM_CHECK(memcmp(f.section_data, "\0\1\2\3", 4) == 0);
    TM_CHECK(r.args[0].items[3].literal);
    TM_CHECK(f.has_binary_size);
    TM_CHECK_INT(f.binary_size, 70000);
    TM_CHECK(f.binary_size_section_len == 1 && f.binary_size_section[0] == '2');
    TM_CHECK_INT(read_one("* 3 FETCH (BINARY.SIZE[1] \"x\")\r\n", &p, &r, NULL), TM_OK);
    TM_CHECK_INT(imap_fetch_decode(&r, &f, NULL), TM_EPARSE);
    imap_parser_free(&p);
}

TM_TEST(imap_lists_side_by_side_need_no_space)
{
    /* RFC 3501's 1*body and RFC 2342's namespace lists: ")(" inside a list; anything else still
     * needs its space. */
    struct imap_parser *p = NULL;
    struct imap_response r;
    struct tm_buf out;
    tm_buf_init(&out, 0);
    TM_CHECK_INT(
        read_one("* NAMESPACE ((\"\" \"/\")(\"#x/\" \"/\")) NIL ((\"~\" \"/\"))\r\n", &p, &r, NULL),
        TM_OK);
    dump_response(&r, &out);
    TM_CHECK_STR(out.data, "* NAMESPACE ((\"\" \"/\") (\"#x/\" \"/\")) NIL ((\"~\" \"/\"))");
    TM_CHECK_INT(read_one("* X (a)(b)\r\n", &p, &r, NULL), TM_EPARSE); /* top level: a space */
    TM_CHECK_INT(read_one("* X (a(b))\r\n", &p, &r, NULL), TM_EPARSE);
    TM_CHECK_INT(read_one("* X ((a)b)\r\n", &p, &r, NULL), TM_EPARSE);
    TM_CHECK_INT(read_one("* X ((a)\"b\")\r\n", &p, &r, NULL), TM_EPARSE);
    tm_buf_cleanup(&out);
    imap_parser_free(&p);
}
