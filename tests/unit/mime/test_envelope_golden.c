/* test_envelope_golden.c - golden checksums of the envelope and address-list parsers: a seeded
 * generator of address lists and whole headers (the grammar and the junk real mail carries), and
 * the public corpus next to the checkout, hashed (FNV-1a 64) over every output and status. The
 * checksums were recorded with the parsers before they were optimised: any change of output, even
 * a NULL becoming "", changes them. TM_GOLDEN_DUMP=FILE writes every case and its outputs to FILE,
 * to diff two builds when a checksum moves. */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/mime/private.h"
#include "tm_test.h"
#include "tmail/fsutil.h"

#define GOLDEN_SEED     0x746d61696c2d6831ULL
#define ADDRESS_CASES   24000
#define HEADER_CASES    12000
#define ADDRESS_GOLDEN  0x732582902b47d7c1ULL
#define HEADER_GOLDEN   0xae9c7e5236bb7eefULL
#define CORPUS_GOLDEN   0x08a18276218d7093ULL
#define CORPUS_MESSAGES 82

/* ---- the checksum ---- */

struct golden {
    uint64_t hash;
    FILE *dump; /* TM_GOLDEN_DUMP, or NULL */
};

static void hash_bytes(struct golden *g, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        g->hash ^= p[i];
        g->hash *= 0x100000001b3ULL;
    }
    if (g->dump)
        fwrite(data, 1, len, g->dump);
}

/* A string field: NULL and "" hash differently, and a separator ends each field. */
static void hash_str(struct golden *g, const char *s)
{
    static const char null_tag = 1, str_tag = 2, sep = 0;
    if (!s) {
        hash_bytes(g, &null_tag, 1);
    } else {
        hash_bytes(g, &str_tag, 1);
        hash_bytes(g, s, strlen(s));
    }
    hash_bytes(g, &sep, 1);
    if (g->dump)
        fputc('\n', g->dump);
}

static void hash_int(struct golden *g, long long v)
{
    char s[32];
    snprintf(s, sizeof(s), "%lld", v);
    hash_str(g, s);
}

static void golden_init(struct golden *g, const char *part)
{
    const char *path = getenv("TM_GOLDEN_DUMP");
    char name[1024];
    g->hash = 0xcbf29ce484222325ULL;
    g->dump = NULL;
    if (path) {
        snprintf(name, sizeof(name), "%s.%s", path, part);
        g->dump = fopen(name, "w");
    }
}

static uint64_t golden_done(struct golden *g, const char *part, int cases)
{
    if (g->dump)
        fclose(g->dump);
    printf("# golden %s: %d cases, checksum 0x%016" PRIx64 "\n", part, cases, g->hash);
    return g->hash;
}

/* ---- the generator: splitmix64, and pieces of the grammar ---- */

static uint64_t rng;

static unsigned rnd(unsigned n)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (unsigned)((z ^ (z >> 31)) % n);
}

#define PICK(arr) (arr)[rnd(sizeof(arr) / sizeof((arr)[0]))]

static void put(struct tm_buf *b, const char *s)
{
    tm_buf_append_str(b, s);
}

static void put_char(struct tm_buf *b, char c)
{
    tm_buf_append_char(b, c);
}

static void gen_blank(struct tm_buf *b)
{
    static const char *const blanks[] = {"", " ", " ", " ", "  ", "\t", " \t "};
    put(b, PICK(blanks));
}

static void gen_atom(struct tm_buf *b)
{
    static const char atext[] = "abcdefghijkXYZ0189!#$%&'*+-/=?^_`{|}~.";
    static const char *const words[] = {
        "John", "Q.",   "Doe", "O'Brien", "jane.doe", "MAILER-DAEMON",
        "x",    "info", "a.b", "=?",      "?=",       "Jr."};
    if (rnd(3) == 0) {
        put(b, PICK(words));
        return;
    }
    for (unsigned n = 1 + rnd(10); n > 0; n--)
        put_char(b, atext[rnd(sizeof(atext) - 1)]);
}

/* 8-bit text: valid UTF-8, Latin-1, and broken sequences. */
static void gen_8bit(struct tm_buf *b)
{
    static const char *const texts[] = {"M\xc3\xbcller",
                                        "Ren\xc3\xa9"
                                        "e",
                                        "\xe5\xb1\xb1\xe7\x94\xb0",
                                        "\xf0\x9f\x98\x80",
                                        "M\xfcller",
                                        "Ren\xe9",
                                        "\xc3",
                                        "\xff\xfe",
                                        "\xed\xa0\x80",
                                        "\xe2\x82",
                                        "\xc0\xaf",
                                        "\xf4\x90\x80\x80",
                                        "caf\xc3\xa9 \xe9t\xe9",
                                        "\xa4\xa4\xa4"};
    put(b, PICK(texts));
}

static void base64_encode(struct tm_buf *b, const unsigned char *in, size_t len, bool pad)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        v |= i + 1 < len ? (unsigned)in[i + 1] << 8 : 0;
        v |= i + 2 < len ? in[i + 2] : 0;
        put_char(b, abc[(v >> 18) & 63]);
        put_char(b, abc[(v >> 12) & 63]);
        if (i + 1 < len || pad)
            put_char(b, i + 1 < len ? abc[(v >> 6) & 63] : '=');
        if (i + 2 < len || pad)
            put_char(b, i + 2 < len ? abc[v & 63] : '=');
    }
}

/* The decoded bytes of an encoded word: text, 8-bit bytes, now and then a NUL. */
static size_t gen_payload(unsigned char *out, size_t cap)
{
    static const char *const texts[] = {"Andr\xc3\xa9", "Jos\xe9", "a b", "x_y", "\xe5\xb1\xb1",
                                        "\xc3",         "hello",   "?=",  "=?",  "\x1b$B$3\x1b(B"};
    size_t n = 0;
    for (unsigned k = 1 + rnd(3); k > 0; k--) {
        const char *t = rnd(6) ? PICK(texts) : NULL;
        size_t tl = t ? strlen(t) : 1;
        if (n + tl > cap)
            break;
        if (t)
            memcpy(out + n, t, tl);
        else
            out[n] = (unsigned char)rnd(256);
        n += tl;
    }
    return n;
}

static void gen_q_text(struct tm_buf *b, const unsigned char *p, size_t n)
{
    static const char hex[] = "0123456789ABCDEFabcdefXZ";
    for (size_t i = 0; i < n; i++) {
        if (p[i] == ' ' && rnd(2))
            put_char(b, '_');
        else if (p[i] > ' ' && p[i] < 0x7f && p[i] != '?' && p[i] != '=' && rnd(4))
            put_char(b, (char)p[i]);
        else if (rnd(20) == 0)
            put(b, rnd(2) ? "=" : "=G"); /* a bad escape */
        else
            tm_buf_appendf(b, "=%c%c", hex[p[i] >> 4], hex[rnd(3) ? p[i] & 15 : 16 + rnd(8)]);
    }
}

static void gen_encoded_word(struct tm_buf *b)
{
    static const char *const charsets[] = {
        "utf-8",    "UTF-8",       "iso-8859-1", "ISO-8859-15", "windows-1252", "koi8-r",
        "us-ascii", "utf-8*en",    "gb2312",     "shift_jis",   "x-bogus",      "",
        "utf 8",    "iso-2022-jp", "Big5",       "latin1",      "unknown-8bit"};
    static const char encs[] = "qQbBbqx";
    unsigned char payload[64];
    size_t n = gen_payload(payload, sizeof(payload));
    char enc = encs[rnd(sizeof(encs) - 1)];
    put(b, "=?");
    put(b, PICK(charsets));
    put_char(b, '?');
    put_char(b, enc);
    put_char(b, '?');
    if (enc == 'b' || enc == 'B')
        base64_encode(b, payload, n, rnd(4) != 0);
    else
        gen_q_text(b, payload, n);
    if (rnd(8) == 0)
        put(b, PICK(((const char *const[]){"!", "@#", " x", "\n"})));
    if (rnd(12))
        put(b, "?=");
    else if (rnd(2))
        put(b, "?");
}

static void gen_comment(struct tm_buf *b, int depth);

static void gen_comment_part(struct tm_buf *b, int depth)
{
    static const char *const bits[] = {" ",   "Bob", "<a@b>", ",",  ";", ":",   "\"", "@",
                                       "\\)", "\\(", "\\\\",  "\\", "[", "x y", "<"};
    switch (rnd(6)) {
    case 0:
        gen_comment(b, depth + 1);
        break;
    case 1:
        gen_encoded_word(b);
        break;
    case 2:
        gen_8bit(b);
        break;
    default:
        put(b, PICK(bits));
    }
}

static void gen_comment(struct tm_buf *b, int depth)
{
    put_char(b, '(');
    for (unsigned n = rnd(4); n > 0 && depth < 4; n--)
        gen_comment_part(b, depth);
    if (rnd(10))
        put_char(b, ')');
}

static void gen_quoted(struct tm_buf *b)
{
    static const char *const bits[] = {
        "Doe, John", " ", "\\\"JD\\\"", "\\\\", "\\x", "<a@b>", "(not a comment)",
        ";",         ":", "\t",         "@",    "\\",  "a  b"};
    put_char(b, '"');
    for (unsigned n = rnd(4); n > 0; n--) {
        unsigned k = rnd(8);
        if (k == 0)
            gen_encoded_word(b);
        else if (k == 1)
            gen_8bit(b);
        else
            put(b, PICK(bits));
    }
    if (rnd(12))
        put_char(b, '"');
}

/* One word of a display name. */
static void gen_phrase_word(struct tm_buf *b)
{
    switch (rnd(9)) {
    case 0:
    case 1:
    case 2:
        gen_atom(b);
        break;
    case 3:
    case 4:
        gen_quoted(b);
        break;
    case 5:
    case 6:
        gen_encoded_word(b);
        break;
    case 7:
        gen_8bit(b);
        break;
    default:
        gen_comment(b, 0);
    }
}

static void gen_phrase(struct tm_buf *b)
{
    for (unsigned n = 1 + rnd(4); n > 0; n--) {
        gen_phrase_word(b);
        if (n > 1)
            rnd(6) ? put_char(b, ' ') : gen_blank(b);
    }
}

static void gen_domain(struct tm_buf *b)
{
    static const char *const domains[] = {
        "example.com",  "x",           "[1.2.3.4]", "[IPv6:::1]",
        "[unclosed",    "a.b.c.d.e.f", "host.",     "xn--bcher-kva.ch",
        "b\xc3\xbc.de", "b\xfc.de",    "localhost", "[a\\]b]"};
    if (rnd(3))
        put(b, PICK(domains));
    else
        gen_atom(b);
    if (rnd(15) == 0)
        gen_comment(b, 0);
}

static void gen_local(struct tm_buf *b)
{
    switch (rnd(8)) {
    case 0:
        put(b, "\"john doe\"");
        break;
    case 1:
        put(b, "\"a\\\"b\"");
        break;
    case 2:
        gen_8bit(b);
        break;
    case 3:
        gen_atom(b);
        put(b, rnd(2) ? "(inner)" : " . ");
        gen_atom(b);
        break;
    default:
        gen_atom(b);
    }
}

static void gen_addr_spec(struct tm_buf *b)
{
    gen_local(b);
    unsigned k = rnd(12);
    if (k == 0)
        return; /* no domain: "MAILER-DAEMON" */
    put(b, k == 1 ? " @ " : "@");
    if (k == 2)
        put(b, "@");
    gen_domain(b);
}

/* <addr>, with obsolete routes, missing or doubled brackets and junk after it. */
static void gen_angle(struct tm_buf *b)
{
    static const char *const routes[] = {
        "@a,@b:", "@a.example:", "@a", "@a,,@b:", "@a, @b :", "@:", "@a>"};
    static const char *const after[] = {" junk", "<x@y>", " (c)", ">", " \"q\"", "<", ":"};
    put_char(b, '<');
    if (rnd(8) == 0)
        put(b, PICK(routes));
    if (rnd(12))
        gen_addr_spec(b);
    if (rnd(10))
        put_char(b, '>');
    if (rnd(10) == 0)
        put(b, PICK(after));
}

static void gen_mailbox(struct tm_buf *b)
{
    switch (rnd(10)) {
    case 0:
    case 1:
        gen_addr_spec(b);
        break;
    case 2:
        gen_addr_spec(b);
        put_char(b, ' ');
        gen_comment(b, 0);
        break;
    case 3:
        gen_angle(b);
        break;
    case 4:
        gen_phrase(b); /* a name with no address */
        break;
    default:
        gen_phrase(b);
        gen_blank(b);
        gen_angle(b);
    }
    if (rnd(10) == 0)
        gen_comment(b, 0);
}

static void gen_separator(struct tm_buf *b)
{
    static const char *const seps[] = {",", ", ", ", ", " ,", ",,", ";", " ; ", ":", ",\t", ", ,"};
    put(b, PICK(seps));
}

static void gen_group(struct tm_buf *b)
{
    if (rnd(6))
        gen_phrase(b);
    put(b, rnd(8) ? ":" : " : ");
    for (unsigned n = rnd(4); n > 0; n--) {
        gen_blank(b);
        gen_mailbox(b);
        if (n > 1)
            gen_separator(b);
    }
    if (rnd(6))
        put_char(b, ';');
}

/* Bytes 1..255, mostly the ones that mean something to the grammar. */
static void gen_junk(struct tm_buf *b, unsigned n)
{
    static const char meaningful[] = "<>()\"\\@,;:[]. \t=?_abcXYZ09";
    while (n-- > 0) {
        if (rnd(3))
            put_char(b, meaningful[rnd(sizeof(meaningful) - 1)]);
        else
            put_char(b, (char)(1 + rnd(255)));
    }
}

static void gen_entry(struct tm_buf *b)
{
    unsigned k = rnd(20);
    if (k < 13)
        gen_mailbox(b);
    else if (k < 16)
        gen_group(b);
    else if (k < 18)
        gen_junk(b, 1 + rnd(12));
    /* else: an empty entry */
}

static void gen_list(struct tm_buf *b, unsigned entries)
{
    if (rnd(8) == 0)
        gen_blank(b);
    for (unsigned i = 0; i < entries; i++) {
        if (i > 0)
            gen_separator(b);
        gen_entry(b);
    }
    if (rnd(10) == 0)
        gen_separator(b);
}

/* A long value: many entries (past MIME_ADDR_MAX now and then) or one very long name. */
static void gen_long(struct tm_buf *b)
{
    unsigned k = rnd(3);
    if (k == 0) { /* well formed: no unterminated quote ends it early */
        for (unsigned n = 800 + rnd(400); n > 0; n--) {
            gen_atom(b);
            put(b, rnd(2) ? "@x, " : " <y@z>; ");
        }
        return;
    }
    if (k == 1) {
        gen_list(b, 200 + rnd(rnd(4) ? 600 : 2600));
        return;
    }
    put_char(b, rnd(2) ? '"' : '(');
    for (unsigned n = 500 + rnd(3000); n > 0; n--)
        rnd(40) ? put_char(b, (char)('a' + rnd(26))) : gen_encoded_word(b);
    put(b, rnd(2) ? "\" <long@x>" : ") a@b");
}

static void gen_address_value(struct tm_buf *b)
{
    unsigned k = rnd(100);
    if (k < 75)
        gen_list(b, 1 + rnd(rnd(3) ? 3 : 8));
    else if (k < 87)
        gen_junk(b, rnd(rnd(4) ? 40 : 300));
    else if (k < 97)
        gen_entry(b);
    else
        gen_long(b);
}

static const char *gen_fallback(void)
{
    static const char *const fallbacks[] = {NULL,     NULL,         NULL,      "UTF-8",
                                            "KOI8-R", "ISO-8859-2", "no-such", "windows-1252"};
    return PICK(fallbacks);
}

/* ---- running the parsers ---- */

static void hash_list(struct golden *g, const char *value, const char *fb)
{
    struct mime_addr_list list;
    enum tm_status st = mime_addr_list_parse_fb(value, fb, &list);
    hash_int(g, st);
    hash_int(g, (long long)list.count);
    for (size_t i = 0; i < list.count; i++) {
        hash_int(g, list.items[i].kind);
        hash_str(g, list.items[i].name);
        hash_str(g, list.items[i].addr);
    }
    mime_addr_list_cleanup(&list);
}

static void hash_address(struct golden *g, const char *value, const char *fb)
{
    char *name = NULL, *addr = NULL, *display = NULL;
    hash_str(g, value);
    hash_str(g, fb);
    hash_list(g, value, fb);
    hash_int(g, mime_first_address_fb(value, fb, &name, &addr));
    hash_str(g, name);
    hash_str(g, addr);
    hash_int(g, mime_addr_display_fb(value, fb, &display));
    hash_str(g, display);
    free(name);
    free(addr);
    free(display);
}

static void hash_envelope(struct golden *g, const char *msg, size_t len, const char *fb)
{
    struct tm_envelope env;
    struct tm_error err;
    hash_int(g, tm_mime_envelope_parse_fb(msg, len, fb, &env, &err));
    hash_str(g, env.subject);
    hash_str(g, env.from_name);
    hash_str(g, env.from_addr);
    hash_str(g, env.to);
    hash_str(g, env.cc);
    hash_str(g, env.message_id);
    hash_str(g, env.in_reply_to);
    hash_str(g, env.references);
    hash_int(g, (long long)env.date);
    tm_mime_envelope_cleanup(&env);
}

TM_TEST(golden_address_lists)
{
    struct golden g;
    struct tm_buf v;
    golden_init(&g, "address");
    rng = GOLDEN_SEED;
    tm_buf_init(&v, 0);
    for (int i = 0; i < ADDRESS_CASES; i++) {
        tm_buf_reset(&v);
        gen_address_value(&v);
        hash_address(&g, v.data ? v.data : "", gen_fallback());
    }
    hash_address(&g, NULL, NULL);
    tm_buf_cleanup(&v);
    uint64_t h = golden_done(&g, "address", ADDRESS_CASES + 1);
    if (h != ADDRESS_GOLDEN)
        tm_test_fail(__FILE__, __LINE__, "address checksum 0x%016" PRIx64 ", recorded 0x%016llx", h,
                     (unsigned long long)ADDRESS_GOLDEN);
}

/* ---- whole headers ---- */

static void gen_date(struct tm_buf *b)
{
    static const char *const days[] = {"Mon, ", "Fri, ", "", "fri, ", "Xyz, ", "Sun,"};
    static const char *const months[] = {"Jan", "Feb", "feb", "Dec", "Foo", "SEPTEMBER", "Jun"};
    static const char *const zones[] = {"+0000", "-0800", "+1345", "GMT",         "UT",
                                        "EST",   "PDT",   "Z",     "A",           "(UTC)",
                                        "",      "+25",   "-0000", "+0100 (CET)", "junk"};
    static const char *const junk[] = {"",
                                       "not a date",
                                       "1234567890",
                                       "2009-02-13T23:31:30Z",
                                       "Fri Feb 13 23:31:30 2009",
                                       "13 Feb 2009"};
    if (rnd(8) == 0) {
        put(b, PICK(junk));
        return;
    }
    static const int years[] = {2009, 1999, 70, 49, 50, 99, 1900, 2038, 2107, 10000, 0, 3};
    /* one draw per statement: the order of a call's arguments is unspecified */
    const char *day = PICK(days);
    unsigned mday = rnd(34);
    const char *month = PICK(months);
    int year = PICK(years);
    unsigned hour = rnd(26);
    tm_buf_appendf(b, "%s%u %s %d %02u:%02u", day, mday, month, year, hour, rnd(61));
    if (rnd(4))
        tm_buf_appendf(b, ":%02u", rnd(62));
    put_char(b, ' ');
    put(b, PICK(zones));
}

static void gen_msg_id(struct tm_buf *b)
{
    static const char *const noise[] = {" ",
                                        " junk ",
                                        "(John <john@x>)",
                                        "\"Mon <q@x>\"",
                                        "(unclosed <c@x>",
                                        "\"unclosed <q@x>",
                                        "<",
                                        "<>",
                                        "< sp ace@x >",
                                        "<<a@b>>",
                                        "\t",
                                        "<a@b",
                                        "\\",
                                        "(a\\)b)"};
    unsigned k = rnd(10);
    if (k < 6) {
        put_char(b, '<');
        gen_local(b);
        put_char(b, '@');
        gen_domain(b);
        if (rnd(10))
            put_char(b, '>');
    } else if (k < 7) {
        put_char(b, '<');
        for (unsigned n = 900 + rnd(200); n > 0; n--)
            put_char(b, (char)('a' + rnd(26)));
        put(b, "@x>");
    } else if (k < 8) {
        gen_addr_spec(b); /* a bare id */
    } else {
        put(b, PICK(noise));
    }
}

static void gen_ids(struct tm_buf *b)
{
    unsigned n = rnd(4) ? 1 + rnd(3) : rnd(40);
    for (unsigned i = 0; i < n; i++) {
        if (i > 0)
            gen_blank(b);
        gen_msg_id(b);
    }
}

static void gen_subject(struct tm_buf *b)
{
    for (unsigned n = rnd(6); n > 0; n--) {
        unsigned k = rnd(6);
        if (k == 0)
            gen_encoded_word(b);
        else if (k == 1)
            gen_8bit(b);
        else if (k == 2)
            gen_junk(b, rnd(10));
        else
            gen_atom(b);
        gen_blank(b);
    }
}

enum hfield {
    H_DATE,
    H_FROM,
    H_TO,
    H_CC,
    H_SUBJECT,
    H_MSGID,
    H_IRT,
    H_REFS,
    H_CTYPE,
    H_LISTID,
    H_N
};

static const char *const field_names[H_N][3] = {
    {"Date", "DATE", "date"},
    {"From", "FROM", "from"},
    {"To", "TO", "to"},
    {"Cc", "CC", "cC"},
    {"Subject", "SUBJECT", "subject"},
    {"Message-ID", "Message-Id", "message-id"},
    {"In-Reply-To", "IN-REPLY-TO", "in-reply-to"},
    {"References", "REFERENCES", "references"},
    {"Content-Type", "content-type", "Content-type"},
    {"List-Id", "LIST-ID", "List-ID"},
};

static void gen_value(struct tm_buf *b, int field)
{
    static const char *const ctypes[] = {"text/plain; charset=utf-8", "multipart/mixed; boundary=x",
                                         "text/html; charset=\"iso-8859-1\"", ""};
    switch (field) {
    case H_DATE:
        gen_date(b);
        break;
    case H_FROM:
    case H_TO:
    case H_CC:
        gen_address_value(b);
        break;
    case H_SUBJECT:
        gen_subject(b);
        break;
    case H_MSGID:
    case H_IRT:
    case H_REFS:
        gen_ids(b);
        break;
    case H_CTYPE:
        put(b, PICK(ctypes));
        break;
    default:
        gen_phrase(b);
        put(b, " <list.example.org>");
    }
}

/* Folds the value at b[from..] now and then: a blank becomes a line break and that blank, or a
 * break is inserted where the grammar allows none. */
static void fold(struct tm_buf *b, size_t from, const char *eol)
{
    static const char *const breaks[] = {"\r\n", "\n", "\r", "\r\n\r\n"};
    struct tm_buf out;
    tm_buf_init(&out, 0);
    for (size_t i = from; i < b->len; i++) {
        bool blank = b->data[i] == ' ' || b->data[i] == '\t';
        if (blank && rnd(5) == 0)
            put(&out, eol);
        else if (rnd(1500) == 0)
            put(&out, rnd(3) ? PICK(breaks) : "\r\n  ");
        put_char(&out, b->data[i]);
    }
    b->len = from;
    tm_buf_append(b, out.data ? out.data : "", out.len);
    tm_buf_cleanup(&out);
}

static void gen_other_line(struct tm_buf *b, const char *eol)
{
    static const char *const lines[] = {
        "X-Mailer: tmail", "Received: from a by b; Fri, 13 Feb 2009 23:31:30 +0000",
        "no colon here",   " leading continuation",
        "Bad Name: x",     "From : spaced@x",
        "Reply-To: r@x",   "Subject\t: tabbed",
        ":empty name",     "X-\xe9: 8-bit name"};
    put(b, PICK(lines));
    put(b, eol);
}

static void gen_field(struct tm_buf *b, const char *eol)
{
    int field = (int)rnd(H_N);
    put(b, field_names[field][rnd(10) ? 0 : 1 + rnd(2)]);
    put(b, rnd(10) ? ": " : rnd(2) ? ":" : " :\t");
    size_t from = b->len;
    gen_value(b, field);
    if (rnd(3) == 0)
        fold(b, from, eol);
    if (rnd(50) == 0) /* NUL bytes are dropped by unfolding */
        tm_buf_append(b, "\0x", 2);
    put(b, eol);
}

static void gen_header(struct tm_buf *b)
{
    static const char *const eols[] = {"\r\n", "\r\n", "\n", "\n"};
    const char *eol = PICK(eols);
    if (rnd(100) == 0)
        put(b, eol); /* an empty header */
    for (unsigned n = rnd(14); n > 0; n--) {
        if (rnd(8) == 0)
            gen_other_line(b, eol);
        else
            gen_field(b, eol);
    }
    if (rnd(5)) {
        put(b, eol);
        put(b, "Subject: body, not header");
        put(b, eol);
    }
}

TM_TEST(golden_headers)
{
    struct golden g;
    struct tm_buf m;
    golden_init(&g, "header");
    rng = GOLDEN_SEED ^ 0x5a5a5a5a5a5a5a5aULL;
    tm_buf_init(&m, 0);
    for (int i = 0; i < HEADER_CASES; i++) {
        tm_buf_reset(&m);
        gen_header(&m);
        const char *fb = gen_fallback();
        hash_bytes(&g, m.data ? m.data : "", m.len);
        hash_str(&g, fb);
        hash_envelope(&g, m.data ? m.data : "", m.len, fb);
    }
    hash_envelope(&g, NULL, 0, NULL);
    tm_buf_cleanup(&m);
    uint64_t h = golden_done(&g, "header", HEADER_CASES + 1);
    if (h != HEADER_GOLDEN)
        tm_test_fail(__FILE__, __LINE__, "header checksum 0x%016" PRIx64 ", recorded 0x%016llx", h,
                     (unsigned long long)HEADER_GOLDEN);
}

/* ---- the public corpus ---- */

/* One message: its envelope, and the address lists of its From, To and Cc in full. */
static void hash_message(struct golden *g, const char *msg, size_t len)
{
    static const char *const lists[] = {"From", "To", "Cc"};
    hash_envelope(g, msg, len, NULL);
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        char *value = tm_mime_header_get(msg, len, lists[i]);
        hash_str(g, value);
        hash_list(g, value, NULL);
        free(value);
    }
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static void hash_file(struct golden *g, const char *path, const char *name, int *messages)
{
    struct tm_buf data;
    tm_buf_init(&data, 0);
    if (tm_fs_read_file(path, 1 << 24, 0, &data, NULL) != TM_OK) {
        tm_buf_cleanup(&data);
        return;
    }
    hash_str(g, name);
    size_t pos = 0;
    struct tm_mbox_entry m;
    while (strstr(name, ".mbox") && tm_mbox_next(data.data, data.len, &pos, &m)) {
        struct tm_buf one;
        tm_buf_init(&one, 0);
        tm_mbox_unquote(data.data + m.start, m.end - m.start, &one);
        hash_message(g, one.data ? one.data : "", one.len);
        tm_buf_cleanup(&one);
        ++*messages;
    }
    if (!strstr(name, ".mbox")) {
        hash_message(g, data.data ? data.data : "", data.len);
        ++*messages;
    }
    tm_buf_cleanup(&data);
}

/* Every file under dir, in name order; mbox files (*.mbox*) message by message. */
static void hash_dir(struct golden *g, const char *dir, int *messages)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, by_name);
    for (int i = 0; i < n; i++) {
        char path[1024];
        const char *name = names[i]->d_name;
        if (name[0] != '.' && strcmp(name, "LICENSE") != 0 && strcmp(name, "README.md") != 0) {
            snprintf(path, sizeof(path), "%s/%s", dir, name);
            hash_dir(g, path, messages); /* fails on a file: then it is one */
            hash_file(g, path, name, messages);
        }
        free(names[i]);
    }
    if (n >= 0)
        free(names);
}

TM_TEST(golden_public_corpus)
{
    const char *dir = TM_TEST_SRCDIR "/../shared/corpus";
    struct golden g;
    int messages = 0;
    DIR *d = opendir(dir);
    if (!d) {
        printf("# golden corpus: skipped, no %s\n", dir);
        return;
    }
    closedir(d);
    golden_init(&g, "corpus");
    hash_dir(&g, dir, &messages);
    uint64_t h = golden_done(&g, "corpus", messages);
    TM_CHECK_INT(messages, CORPUS_MESSAGES);
    if (h != CORPUS_GOLDEN)
        tm_test_fail(__FILE__, __LINE__, "corpus checksum 0x%016" PRIx64 ", recorded 0x%016llx", h,
                     (unsigned long long)CORPUS_GOLDEN);
}
