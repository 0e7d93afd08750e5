/* test_imap_parts.c - transcript tests of big messages read in parts: exactly what tmail sends
 * for a small message (unchanged: BODY.PEEK[]) and a big one (BODYSTRUCTURE and the header, then
 * the MIME headers and the shown text in one command), the skeleton built and cached, a part on
 * demand with BINARY and without, NO [UNKNOWN-CTE], a download cut by a dropped connection and
 * resumed, offline, a whole fetch replacing the skeleton, alternative_order, an attached message,
 * and a hostile structure falling back to the whole message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap_session_fixture.h"
#include "tm_test.h"
#include "tmail/mime.h"
#include "tmail/store.h"

#define BIG_STRUCTURE                                                                              \
    "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 19 1 NIL NIL NIL NIL)"       \
    "(\"application\" \"octet-stream\" (\"name\" \"b.bin\") NIL NIL \"base64\" 120 NIL "           \
    "(\"attachment\" (\"filename\" \"b.bin\")) NIL NIL) \"mixed\" (\"boundary\" \"b1\") NIL NIL "  \
    "NIL)"
/* the attachment: 90 bytes, and its base64 (120 bytes, one line) */
#define DIGITS90                                                                                   \
    "012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
#define B64_120                                                                                    \
    "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4" \
    "OTAxMjM0NTY3ODkwMTIzNDU2Nzg5"

static const char *const top_header[] = {"From: a@example.org",
                                         "Subject: two",
                                         "MIME-Version: 1.0",
                                         "Content-Type: multipart/mixed; boundary=\"b1\"",
                                         "",
                                         NULL};
static const char *const mime1[] = {"Content-Type: text/plain; charset=us-ascii", "", NULL};
static const char *const text1[] = {"Hello, big world.", NULL};
static const char *const mime2[] = {
    "Content-Type: application/octet-stream; name=\"b.bin\"", "Content-Transfer-Encoding: base64",
    "Content-Disposition: attachment; filename=\"b.bin\"", "", NULL};

#define SKELETON                                                                                   \
    "From: a@example.org\r\nSubject: two\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; "  \
    "boundary=\"b1\"\r\n\r\n"                                                                      \
    "--b1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nHello, big world.\r\n\r\n"          \
    "--b1\r\nContent-Type: application/octet-stream; name=\"b.bin\"\r\n"                           \
    "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; "                       \
    "filename=\"b.bin\"\r\n\r\n\r\n"                                                               \
    "--b1--\r\n"

/* ---- Script building: literals of whole lines (each "S: line" is line + CRLF) ---- */

static size_t lines_len(const char *const *lines)
{
    size_t n = 0;
    for (; *lines; lines++)
        n += strlen(*lines) + 2;
    return n;
}

/* "S: <before>{N}" then the lines, the response going on with the next S: line. */
static void add_literal(struct tm_buf *sc, const char *before, const char *const *lines)
{
    tm_buf_appendf(sc, "S: %s{%zu}\n", before, lines_len(lines));
    for (; *lines; lines++)
        tm_buf_appendf(sc, "S: %s\n", *lines);
}

/* The first round trip for the big message uid 2 (RFC822.SIZE size) with structure (tag t7). */
static void add_view_sized(struct tm_buf *sc, const char *structure, unsigned size)
{
    tm_buf_appendf(sc, "C: t7 UID FETCH 2 (UID RFC822.SIZE BODYSTRUCTURE BODY.PEEK[HEADER])\n");
    struct tm_buf before;
    tm_buf_init(&before, 0);
    tm_buf_appendf(&before, "* 2 FETCH (UID 2 RFC822.SIZE %u BODYSTRUCTURE %s BODY[HEADER] ", size,
                   structure);
    add_literal(sc, before.data, top_header);
    tm_buf_cleanup(&before);
    tm_buf_append_str(sc, "S: )\nS: t7 OK Fetch completed.\n");
}

static void add_view(struct tm_buf *sc, const char *structure)
{
    add_view_sized(sc, structure, 200);
}

static void add_big_view(struct tm_buf *sc)
{
    add_view(sc, BIG_STRUCTURE);
    tm_buf_append_str(sc, "C: t8 UID FETCH 2 (UID BODY.PEEK[1.MIME] BODY.PEEK[2.MIME] "
                          "BODY.PEEK[1])\n");
    add_literal(sc, "* 2 FETCH (UID 2 BODY[1.MIME] ", mime1);
    add_literal(sc, " BODY[2.MIME] ", mime2);
    add_literal(sc, " BODY[1] ", text1);
    tm_buf_append_str(sc, "S: )\nS: t8 OK Fetch completed.\n");
}

/* A session with INBOX synced (uid 2 has RFC822.SIZE 200) where messages over 150 bytes are big. */
static void open_big(struct fx *f)
{
    fx_open(f, TM_URL_IMAP);
    fx_first_sync(f);
    f->s->srv.fetch_whole_max = 150;
    f->s->part_chunk = 64;
}

static void play(struct fx *f, struct tm_buf *sc)
{
    fx_script(f, sc->data ? sc->data : "");
    tm_buf_reset(sc);
}

static enum tm_status view(struct fx *f, int64_t uid, const char *order, struct tm_buf *out,
                           bool *partial, struct tm_error *err)
{
    struct tm_fetch_view_opts opts = {order};
    tm_buf_reset(out);
    tm_error_clear(err);
    return tm_imap_ops.fetch_view(f->s, fx_message_id(f, uid), &opts, out, partial, err);
}

struct part_list {
    char text[1024]; /* "section path octets encoding have/total decoded complete;" each */
};

static int list_part(void *ctx, const struct tm_store_part *p)
{
    struct part_list *l = ctx;
    size_t used = strlen(l->text);
    snprintf(l->text + used, sizeof(l->text) - used, "%s %s %lld %s %lld/%lld%s%s;", p->section,
             p->path, (long long)p->octets, p->encoding ? p->encoding : "-", (long long)p->have,
             (long long)p->total, p->decoded ? " decoded" : "", p->complete ? " complete" : "");
    return 0;
}

static const char *parts_of(struct fx *f, int64_t uid, struct part_list *l)
{
    l->text[0] = 0;
    if (tm_store_part_each(f->store, fx_message_id(f, uid), list_part, l, NULL) != TM_OK)
        return "(error)";
    return l->text;
}

struct progress_log {
    int calls;
    int64_t done, total;
    char section[16];
};

static void on_progress(void *ctx, const char *section, int64_t done, int64_t total)
{
    struct progress_log *p = ctx;
    p->calls++;
    p->done = done;
    p->total = total;
    snprintf(p->section, sizeof(p->section), "%s", section);
}

/* ---- Whole or in parts ---- */

TM_TEST(imap_small_message_is_still_fetched_whole)
{
    struct fx f;
    struct tm_buf sc, out;
    struct tm_error err;
    bool partial = true, has = false;
    open_big(&f);
    tm_buf_init(&sc, 0);
    tm_buf_init(&out, 0);
    tm_buf_append_str(&sc, "C: t7 UID FETCH 1 (UID BODY.PEEK[])\n"
                           "S: * 1 FETCH (UID 1 BODY[] {16}\n"
                           "S: Subject: one\n"
                           "S: \n"
                           "S: )\n"
                           "S: t7 OK Fetch completed.\n");
    play(&f, &sc);
    TM_CHECK_INT(view(&f, 1, NULL, &out, &partial, &err), TM_OK); /* 100 bytes: at most 150 */
    fx_finish(&f);
    TM_CHECK(!partial);
    TM_CHECK_STR(out.data, "Subject: one\r\n\r\n");
    TM_CHECK_INT(tm_store_body_has(f.store, fx_message_id(&f, 1), &has, NULL), TM_OK);
    TM_CHECK(has);
    /* fetch_whole_max 0: every message whole, as before there were parts */
    f.s->srv.fetch_whole_max = 0;
    tm_buf_append_str(&sc, "C: t8 UID FETCH 2 (UID BODY.PEEK[])\n"
                           "S: * 2 FETCH (UID 2 BODY[] {16}\n"
                           "S: Subject: two\n"
                           "S: \n"
                           "S: )\n"
                           "S: t8 OK Fetch completed.\n");
    play(&f, &sc);
    TM_CHECK_INT(view(&f, 2, NULL, &out, &partial, &err), TM_OK);
    fx_finish(&f);
    TM_CHECK(!partial);
    tm_buf_cleanup(&sc);
    tm_buf_cleanup(&out);
    fx_close(&f);
}

TM_TEST(imap_big_message_is_read_as_a_skeleton_in_two_commands)
{
    struct fx f;
    struct tm_buf sc, out;
    struct tm_error err;
    struct part_list l;
    bool partial = false, has = true;
    open_big(&f);
    tm_buf_init(&sc, 0);
    tm_buf_init(&out, 0);
    add_big_view(&sc);
    play(&f, &sc);
    TM_CHECK_INT(view(&f, 2, NULL, &out, &partial, &err), TM_OK);
    fx_finish(&f);
    TM_CHECK(partial);
    TM_CHECK_STR(out.data, SKELETON);
    TM_CHECK_STR(parts_of(&f, 2, &l), "2 2 120 base64 0/-1;");
    /* bodies keeps whole messages only */
    TM_CHECK_INT(tm_store_body_has(f.store, fx_message_id(&f, 2), &has, NULL), TM_OK);
    TM_CHECK(!has);
    /* read again: from the cache, nothing sent (the script is empty) */
    play(&f, &sc);
    TM_CHECK_INT(view(&f, 2, NULL, &out, &partial, &err), TM_OK);
    TM_CHECK(partial);
    TM_CHECK_STR(out.data, SKELETON);
    fx_finish(&f);
    tm_buf_cleanup(&sc);
    tm_buf_cleanup(&out);
    fx_close(&f);
}

TM_TEST(imap_big_message_skeleton_reads_offline)
{
    struct fx f;
    struct tm_buf sc, out;
    struct tm_error err;
    bool partial = false;
    open_big(&f);
    tm_buf_init(&sc, 0);
    tm_buf_init(&out, 0);
    add_big_view(&sc);
    play(&f, &sc);
    TM_CHECK_INT(view(&f, 2, NULL, &out, &partial, &err), TM_OK);
    fx_finish(&f);
    imap_disconnect(f.s); /* the server goes away */
    free(f.s->srv.host);
    f.s->srv.host = strdup("127.0.0.1");
    f.s->srv.port = 1;
    TM_CHECK_INT(view(&f, 2, NULL, &out, &partial, &err), TM_OK);
    TM_CHECK(partial);
    TM_CHECK_STR(out.data, SKELETON);
    /* the attachment is not here: said so, not an obscure failure */
    TM_CHECK_INT(tm_imap_ops.fetch_part(f.s, fx_message_id(&f, 2), "2", NULL, NULL, &err), TM_ENET);
    TM_CHECK(strstr(err.message, "The attachment is not downloaded yet and 127.0.0.1 cannot be "
                                 "reached") != NULL);
    tm_buf_cleanup(&sc);
    tm_buf_cleanup(&out);
    fx_close(&f);
}

TM_TEST(imap_whole_fetch_replaces_the_skeleton)
{
    struct fx f;
    struct tm_buf sc, out;
    struct tm_error err;
    struct part_list l;
    bool partial = false;
    open_big(&f);
    tm_buf_init(&sc, 0);
    tm_buf_init(&out, 0);
    add_big_view(&sc);
    play(&f, &sc);
    TM_CHECK_INT(view(&f, 2, NULL, &out, &partial, &err), TM_OK);
    fx_finish(&f);
    /* piping or forwarding needs it all: fetched whole, and the skeleton goes */
    tm_buf_append_str(&sc, "C: t9 UID FETCH 2 (UID BODY.PEEK[])\n"
                           "S: * 2 FETCH (UID 2 BODY[] {16}\n"
                           "S: Subject: two\n"
                           "S: \n"
                           "S: )\n"
                           "S: t9 OK Fetch completed.\n");
    play(&f, &sc);
    tm_buf_reset(&out);
    TM_CHECK_INT(tm_imap_ops.fetch_message(f.s, fx_message_id(&f, 2), &out, &err), TM_OK);
    fx_finish(&f);
    TM_CHECK_STR(out.data, "Subject: two\r\n\r\n");
    TM_CHECK_STR(parts_of(&f, 2, &l), "");
    tm_buf_reset(&out);
    TM_CHECK_INT(tm_store_partial_get(f.store, fx_message_id(&f, 2), &out, NULL), TM_ENOENT);
    TM_CHECK_INT(view(&f, 2, NULL, &out, &partial, &err), TM_OK); /* the whole one, cached */
    TM_CHECK(!partial);
    TM_CHECK_STR(out.data, "Subject: two\r\n\r\n");
    tm_buf_cleanup(&sc);
    tm_buf_cleanup(&out);
    fx_close(&f);
}

/* ---- Parts on demand ---- */

/* A session with uid 2's skeleton cached; binary: the server has BINARY. */
static void open_with_skeleton(struct fx *f, bool binary)
{
    struct tm_buf sc, out;
    struct tm_error err;
    bool partial = false;
    open_big(f);
    tm_buf_init(&sc, 0);
    tm_buf_init(&out, 0);
    add_big_view(&sc);
    play(f, &sc);
    TM_CHECK_INT(view(f, 2, NULL, &out, &partial, &err), TM_OK);
    fx_finish(f);
    if (binary)
        f->s->caps.bits |= (uint64_t)1 << IMAP_CAP_BINARY;
    tm_buf_cleanup(&sc);
    tm_buf_cleanup(&out);
}

static const char *content_of(struct fx *f, const char *section, bool *decoded, struct tm_buf *out)
{
    tm_buf_reset(out);
    enum tm_status st =
        tm_store_part_content(f->store, fx_message_id(f, 2), section, out, decoded, NULL);
    return st ? tm_status_name(st) : out->data ? out->data : "";
}

TM_TEST(imap_part_on_demand_uses_binary_in_chunks)
{
    struct fx f;
    struct tm_buf out;
    struct tm_error err;
    struct part_list l;
    struct progress_log pl = {0};
    bool decoded = false;
    open_with_skeleton(&f, true);
    tm_buf_init(&out, 0);
    fx_script(&f, "C: t9 UID FETCH 2 (UID BINARY.PEEK[2]<0.64> BINARY.SIZE[2])\n"
                  "S: * 2 FETCH (UID 2 BINARY[2]<0> ~{64}\n"
                  "S: 0123456789012345678901234567890123456789012345678901234567890123 "
                  "BINARY.SIZE[2] 90)\n"
                  "S: t9 OK Fetch completed.\n"
                  "C: t10 UID FETCH 2 (UID BINARY.PEEK[2]<64.64>)\n"
                  "S: * 2 FETCH (UID 2 BINARY[2]<64> ~{26}\n"
                  "S: 45678901234567890123456789)\n"
                  "S: t10 OK Fetch completed.\n");
    tm_error_clear(&err);
    TM_CHECK_INT(tm_imap_ops.fetch_part(f.s, fx_message_id(&f, 2), "2", on_progress, &pl, &err),
                 TM_OK);
    fx_finish(&f);
    TM_CHECK_STR(content_of(&f, "2", &decoded, &out), DIGITS90);
    TM_CHECK(decoded);
    TM_CHECK_STR(parts_of(&f, 2, &l), "2 2 120 base64 90/90 decoded complete;");
    TM_CHECK_INT(pl.calls, 2);
    TM_CHECK_INT(pl.done, 90);
    TM_CHECK_INT(pl.total, 90);
    TM_CHECK_STR(pl.section, "2");
    /* downloaded: asking again sends nothing */
    fx_script(&f, "");
    TM_CHECK_INT(tm_imap_ops.fetch_part(f.s, fx_message_id(&f, 2), "2", NULL, NULL, &err), TM_OK);
    fx_finish(&f);
    tm_buf_cleanup(&out);
    fx_close(&f);
}

TM_TEST(imap_part_without_binary_is_fetched_encoded_and_decoded_here)
{
    struct fx f;
    struct tm_buf out, dec;
    struct tm_error err;
    bool decoded = true;
    open_with_skeleton(&f, false);
    tm_buf_init(&out, 0);
    tm_buf_init(&dec, 0);
    fx_script(&f, "C: t9 UID FETCH 2 (UID BODY.PEEK[2]<0.64>)\n"
                  "S: * 2 FETCH (UID 2 BODY[2]<0> {64}\n"
                  "S: MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3)\n"
                  "S: t9 OK Fetch completed.\n"
                  "C: t10 UID FETCH 2 (UID BODY.PEEK[2]<64.64>)\n"
                  "S: * 2 FETCH (UID 2 BODY[2]<64> {56}\n"
                  "S: ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5)\n"
                  "S: t10 OK Fetch completed.\n");
    tm_error_clear(&err);
    TM_CHECK_INT(tm_imap_ops.fetch_part(f.s, fx_message_id(&f, 2), "2", NULL, NULL, &err), TM_OK);
    fx_finish(&f);
    TM_CHECK_STR(content_of(&f, "2", &decoded, &out), B64_120);
    TM_CHECK(!decoded);
    TM_CHECK_INT(tm_mime_transfer_decode("base64", out.data, out.len, &dec), TM_OK);
    TM_CHECK_STR(dec.data, DIGITS90);
    tm_buf_cleanup(&out);
    tm_buf_cleanup(&dec);
    fx_close(&f);
}

TM_TEST(imap_binary_refused_with_unknown_cte_falls_back_to_body)
{
    struct fx f;
    struct tm_buf out;
    struct tm_error err;
    struct part_list l;
    bool decoded = true;
    open_with_skeleton(&f, true);
    tm_buf_init(&out, 0);
    fx_script(&f, "C: t9 UID FETCH 2 (UID BINARY.PEEK[2]<0.64> BINARY.SIZE[2])\n"
                  "S: t9 NO [UNKNOWN-CTE] Can't decode this part\n"
                  "C: t10 UID FETCH 2 (UID BODY.PEEK[2]<0.64>)\n"
                  "S: * 2 FETCH (UID 2 BODY[2]<0> {64}\n"
                  "S: MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3)\n"
                  "S: t10 OK Fetch completed.\n"
                  "C: t11 UID FETCH 2 (UID BODY.PEEK[2]<64.64>)\n"
                  "S: * 2 FETCH (UID 2 BODY[2]<64> {56}\n"
                  "S: ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5)\n"
                  "S: t11 OK Fetch completed.\n");
    tm_error_clear(&err);
    TM_CHECK_INT(tm_imap_ops.fetch_part(f.s, fx_message_id(&f, 2), "2", NULL, NULL, &err), TM_OK);
    fx_finish(&f);
    TM_CHECK_STR(content_of(&f, "2", &decoded, &out), B64_120);
    TM_CHECK(!decoded);
    TM_CHECK_STR(parts_of(&f, 2, &l), "2 2 120 base64 120/120 complete;");
    tm_buf_cleanup(&out);
    fx_close(&f);
}

TM_TEST(imap_part_refused_for_another_reason_is_an_error)
{
    struct fx f;
    struct tm_error err;
    struct part_list l;
    open_with_skeleton(&f, true);
    fx_script(&f, "C: t9 UID FETCH 2 (UID BINARY.PEEK[2]<0.64> BINARY.SIZE[2])\n"
                  "S: t9 NO [SERVERBUG] Internal error\n");
    tm_error_clear(&err);
    TM_CHECK_INT(tm_imap_ops.fetch_part(f.s, fx_message_id(&f, 2), "2", NULL, NULL, &err),
                 TM_EPROTO);
    fx_finish(&f);
    TM_CHECK(strstr(err.server_reply, "SERVERBUG") != NULL);
    TM_CHECK_STR(parts_of(&f, 2, &l), "2 2 120 base64 0/-1 decoded;");
    fx_close(&f);
}

TM_TEST(imap_part_cut_by_a_dropped_connection_resumes_where_it_stopped)
{
    struct fx f;
    struct tm_buf out;
    struct tm_error err;
    struct part_list l;
    bool decoded = true;
    open_with_skeleton(&f, false);
    tm_buf_init(&out, 0);
    /* The second chunk breaks off in the middle of its literal. */
    fx_script(&f, "C: t9 UID FETCH 2 (UID BODY.PEEK[2]<0.64>)\n"
                  "S: * 2 FETCH (UID 2 BODY[2]<0> {64}\n"
                  "S: MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3)\n"
                  "S: t9 OK Fetch completed.\n"
                  "C: t10 UID FETCH 2 (UID BODY.PEEK[2]<64.64>)\n"
                  "S: * 2 FETCH (UID 2 BODY[2]<64> {56}\n"
                  "S: ODkwMTIzNDU2Nzg5\n"
                  "X:\n");
    tm_error_clear(&err);
    TM_CHECK_INT(tm_imap_ops.fetch_part(f.s, fx_message_id(&f, 2), "2", NULL, NULL, &err), TM_ENET);
    TM_CHECK(f.s->stream == NULL);
    /* nothing half-written: the first chunk whole, the second absent */
    TM_CHECK_STR(parts_of(&f, 2, &l), "2 2 120 base64 64/120;");
    TM_CHECK_STR(content_of(&f, "2", &decoded, &out), "TM_ENOENT");
    /* Back online: the download goes on from byte 64. */
    fx_script(&f, GREETING_STARTTLS STARTTLS_DONE LOGIN_DONE "C: t5 SELECT INBOX (QRESYNC (7 10))\n"
                                                             "S: * 2 EXISTS\n"
                                                             "S: * OK [UIDVALIDITY 7] ok\n"
                                                             "S: * OK [HIGHESTMODSEQ 10] ok\n"
                                                             "S: t5 OK [READ-WRITE] done\n"
                                                             "C: t6 UID FETCH 2 (UID "
                                                             "BODY.PEEK[2]<64.64>)\n"
                                                             "S: * 2 FETCH (UID 2 BODY[2]<64> "
                                                             "{56}\n"
                                                             "S: ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxM"
                                                             "jM0NTY3ODkwMTIzNDU2Nzg5)\n"
                                                             "S: t6 OK Fetch completed.\n");
    f.s->failures = 0;
    TM_CHECK_INT(imap_handshake(f.s, &err), TM_OK);
    TM_CHECK_INT(tm_imap_ops.fetch_part(f.s, fx_message_id(&f, 2), "2", NULL, NULL, &err), TM_OK);
    fx_finish(&f);
    TM_CHECK_STR(content_of(&f, "2", &decoded, &out), B64_120);
    TM_CHECK_STR(parts_of(&f, 2, &l), "2 2 120 base64 120/120 complete;");
    tm_buf_cleanup(&out);
    fx_close(&f);
}

TM_TEST(imap_part_that_is_not_left_out_is_refused_without_a_command)
{
    struct fx f;
    struct tm_error err;
    open_with_skeleton(&f, true);
    fx_script(&f, "");
    TM_CHECK_INT(tm_imap_ops.fetch_part(f.s, fx_message_id(&f, 2), "1", NULL, NULL, &err),
                 TM_ENOENT);
    fx_finish(&f);
    fx_close(&f);
}

/* ---- What comes with the structure ---- */

#define ALT_STRUCTURE                                                                              \
    "(((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 70000 1 NIL NIL NIL NIL)"   \
    "(\"text\" \"html\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 14 1 NIL NIL NIL NIL) "        \
    "\"alternative\" (\"boundary\" \"b2\") NIL NIL NIL)(\"image\" \"png\" NIL NIL NIL \"base64\" " \
    "100 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"b1\") NIL NIL NIL)"

TM_TEST(imap_alternative_order_decides_which_text_comes_first)
{
    /* html preferred: it comes; the 70,000-byte plain text is neither shown nor small, so it is
     * left out like the image. */
    static const char *const mime_alt[] = {"Content-Type: multipart/alternative; boundary=\"b2\"",
                                           "", NULL};
    static const char *const mime_plain[] = {"Content-Type: text/plain", "", NULL};
    static const char *const mime_html[] = {"Content-Type: text/html", "", NULL};
    static const char *const mime_png[] = {"Content-Type: image/png",
                                           "Content-Transfer-Encoding: base64", "", NULL};
    static const char *const html[] = {"<p>hello</p>", NULL};
    struct fx f;
    struct tm_buf sc, out;
    struct tm_error err;
    struct part_list l;
    bool partial = false;
    open_big(&f);
    tm_buf_init(&sc, 0);
    tm_buf_init(&out, 0);
    add_view_sized(&sc, ALT_STRUCTURE, 100000);
    tm_buf_append_str(&sc, "C: t8 UID FETCH 2 (UID BODY.PEEK[1.MIME] BODY.PEEK[1.1.MIME] "
                           "BODY.PEEK[1.2.MIME] BODY.PEEK[2.MIME] BODY.PEEK[1.2])\n");
    add_literal(&sc, "* 2 FETCH (UID 2 BODY[1.MIME] ", mime_alt);
    add_literal(&sc, " BODY[1.1.MIME] ", mime_plain);
    add_literal(&sc, " BODY[1.2.MIME] ", mime_html);
    add_literal(&sc, " BODY[2.MIME] ", mime_png);
    add_literal(&sc, " BODY[1.2] ", html);
    tm_buf_append_str(&sc, "S: )\nS: t8 OK Fetch completed.\n");
    play(&f, &sc);
    TM_CHECK_INT(view(&f, 2, "text/html text/plain", &out, &partial, &err), TM_OK);
    fx_finish(&f);
    TM_CHECK(partial);
    TM_CHECK(strstr(out.data, "Content-Type: text/html\r\n\r\n<p>hello</p>\r\n\r\n--b2--\r\n"));
    TM_CHECK_STR(parts_of(&f, 2, &l), "1.1 1.1 70000 7bit 0/-1;2 2 100 base64 0/-1;");
    tm_buf_cleanup(&sc);
    tm_buf_cleanup(&out);
    fx_close(&f);
}

TM_TEST(imap_attached_message_header_and_text_come_with_the_structure)
{
    /* A forwarded message with its own attachment: the outer text, the attached message's MIME
     * header, its header and its text come; its attachment is left out, found at its MIME
     * tree path (the attached message is one level of its own there). */
    static const char *const m1[] = {"Content-Type: text/plain", "", NULL};
    static const char *const t1[] = {"see below", NULL};
    static const char *const m2[] = {"Content-Type: message/rfc822", "", NULL};
    static const char *const h2[] = {"Subject: inner",
                                     "Content-Type: multipart/mixed; boundary=\"in\"", "", NULL};
    static const char *const m21[] = {"Content-Type: text/plain", "", NULL};
    static const char *const t21[] = {"inner text", NULL};
    static const char *const m22[] = {"Content-Type: application/zip",
                                      "Content-Transfer-Encoding: base64", "", NULL};
    struct fx f;
    struct tm_buf sc, out;
    struct tm_error err;
    struct part_list l;
    bool partial = false;
    open_big(&f);
    tm_buf_init(&sc, 0);
    tm_buf_init(&out, 0);
    add_view(&sc, "((\"text\" \"plain\" NIL NIL NIL \"7bit\" 11 1)(\"message\" \"rfc822\" NIL NIL "
                  "NIL \"7bit\" 150 (NIL \"inner\" NIL NIL NIL NIL NIL NIL NIL NIL) ((\"text\" "
                  "\"plain\" NIL NIL NIL \"7bit\" 12 1)(\"application\" \"zip\" NIL NIL NIL "
                  "\"base64\" 60) \"mixed\" (\"boundary\" \"in\")) 6) \"mixed\" (\"boundary\" "
                  "\"b1\"))");
    tm_buf_append_str(&sc, "C: t8 UID FETCH 2 (UID BODY.PEEK[1.MIME] BODY.PEEK[2.MIME] "
                           "BODY.PEEK[2.HEADER] BODY.PEEK[2.1.MIME] BODY.PEEK[2.2.MIME] "
                           "BODY.PEEK[1] BODY.PEEK[2.1])\n");
    add_literal(&sc, "* 2 FETCH (UID 2 BODY[1.MIME] ", m1);
    add_literal(&sc, " BODY[2.MIME] ", m2);
    add_literal(&sc, " BODY[2.HEADER] ", h2);
    add_literal(&sc, " BODY[2.1.MIME] ", m21);
    add_literal(&sc, " BODY[2.2.MIME] ", m22);
    add_literal(&sc, " BODY[1] ", t1);
    add_literal(&sc, " BODY[2.1] ", t21);
    tm_buf_append_str(&sc, "S: )\nS: t8 OK Fetch completed.\n");
    play(&f, &sc);
    TM_CHECK_INT(view(&f, 2, NULL, &out, &partial, &err), TM_OK);
    fx_finish(&f);
    TM_CHECK(partial);
    TM_CHECK_STR(parts_of(&f, 2, &l), "2.2 2.1.2 60 base64 0/-1;");
    TM_CHECK(strstr(out.data, "--b1\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n"
                              "Content-Type: multipart/mixed; boundary=\"in\"\r\n\r\n--in\r\n"
                              "Content-Type: text/plain\r\n\r\ninner text\r\n\r\n--in\r\n"
                              "Content-Type: application/zip\r\nContent-Transfer-Encoding: "
                              "base64\r\n\r\n\r\n--in--\r\n\r\n--b1--\r\n") != NULL);
    tm_buf_cleanup(&sc);
    tm_buf_cleanup(&out);
    fx_close(&f);
}

TM_TEST(imap_hostile_structure_falls_back_to_the_whole_message)
{
    struct fx f;
    struct tm_buf sc, out;
    struct tm_error err;
    bool partial = true;
    open_big(&f);
    tm_buf_init(&sc, 0);
    tm_buf_init(&out, 0);
    /* a part claiming 4 GB of a 200-byte message */
    add_view(&sc, "(\"application\" \"zip\" NIL NIL NIL \"base64\" 4294967295)");
    tm_buf_append_str(&sc, "C: t8 UID FETCH 2 (UID BODY.PEEK[])\n"
                           "S: * 2 FETCH (UID 2 BODY[] {16}\n"
                           "S: Subject: two\n"
                           "S: \n"
                           "S: )\n"
                           "S: t8 OK Fetch completed.\n");
    play(&f, &sc);
    TM_CHECK_INT(view(&f, 2, NULL, &out, &partial, &err), TM_OK);
    fx_finish(&f);
    TM_CHECK(!partial);
    TM_CHECK_STR(out.data, "Subject: two\r\n\r\n");
    tm_buf_cleanup(&sc);
    tm_buf_cleanup(&out);
    fx_close(&f);
}

TM_TEST(imap_skeleton_that_the_mime_layer_reads_otherwise_falls_back)
{
    /* The server says multipart/mixed, but the header sent has no boundary the parts use: the
     * skeleton would not read as the structure, so the message is fetched whole. */
    static const char *const bad_top[] = {"Subject: two", "Content-Type: text/plain", "", NULL};
    struct fx f;
    struct tm_buf sc, out;
    struct tm_error err;
    bool partial = true;
    open_big(&f);
    tm_buf_init(&sc, 0);
    tm_buf_init(&out, 0);
    tm_buf_appendf(&sc, "C: t7 UID FETCH 2 (UID RFC822.SIZE BODYSTRUCTURE BODY.PEEK[HEADER])\n");
    add_literal(&sc,
                "* 2 FETCH (UID 2 RFC822.SIZE 200 BODYSTRUCTURE " BIG_STRUCTURE " BODY[HEADER] ",
                bad_top);
    tm_buf_append_str(&sc, "S: )\nS: t7 OK Fetch completed.\n");
    tm_buf_append_str(&sc, "C: t8 UID FETCH 2 (UID BODY.PEEK[1.MIME] BODY.PEEK[2.MIME] "
                           "BODY.PEEK[1])\n");
    add_literal(&sc, "* 2 FETCH (UID 2 BODY[1.MIME] ", mime1);
    add_literal(&sc, " BODY[2.MIME] ", mime2);
    add_literal(&sc, " BODY[1] ", text1);
    tm_buf_append_str(&sc, "S: )\nS: t8 OK Fetch completed.\n"
                           "C: t9 UID FETCH 2 (UID BODY.PEEK[])\n"
                           "S: * 2 FETCH (UID 2 BODY[] {16}\n"
                           "S: Subject: two\n"
                           "S: \n"
                           "S: )\n"
                           "S: t9 OK Fetch completed.\n");
    play(&f, &sc);
    TM_CHECK_INT(view(&f, 2, NULL, &out, &partial, &err), TM_OK);
    fx_finish(&f);
    TM_CHECK(!partial);
    TM_CHECK_STR(out.data, "Subject: two\r\n\r\n");
    tm_buf_cleanup(&sc);
    tm_buf_cleanup(&out);
    fx_close(&f);
}

TM_TEST(imap_many_parts_take_several_commands_under_8000_bytes)
{
    /* 700 small text parts: every MIME header and text is fetched, in commands that each stay
     * under the line length servers accept, and every answer lands in the skeleton. */
    enum { N = 700 };
    struct fx f;
    struct tm_buf st, sc, out, cmd;
    struct tm_error err;
    bool partial = false;
    open_big(&f);
    f.s->srv.fetch_whole_max = 150;
    tm_buf_init(&st, 0);
    tm_buf_init(&sc, 0);
    tm_buf_init(&out, 0);
    tm_buf_init(&cmd, 0);
    tm_buf_append_char(&st, '(');
    for (int i = 0; i < N; i++)
        tm_buf_append_str(&st, "(\"text\" \"plain\" NIL NIL NIL \"7bit\" 0 0)");
    tm_buf_append_str(&st, "(\"image\" \"png\" NIL NIL NIL \"base64\" 100) \"mixed\" "
                           "(\"boundary\" \"b1\"))");
    add_view(&sc, st.data);
    /* items: N+1 MIME headers, then N contents, split where a command would pass 8000 bytes */
    int tag = 8, item = 0, total = 2 * N + 1;
    while (item < total) {
        tm_buf_reset(&cmd);
        tm_buf_appendf(&cmd, "t%d UID FETCH 2 (UID", tag);
        int first = item;
        for (; item < total; item++) {
            char key[32];
            if (item <= N)
                snprintf(key, sizeof(key), "%d.MIME", item + 1);
            else
                snprintf(key, sizeof(key), "%d", item - N);
            size_t add = strlen(" BODY.PEEK[]") + strlen(key);
            if (item > first && cmd.len + add + 1 > 8000)
                break;
            tm_buf_appendf(&cmd, " BODY.PEEK[%s]", key);
        }
        TM_CHECK(cmd.len + 1 <= 8000);                 /* with its ")" */
        TM_CHECK(cmd.len + 1 > 7900 || item == total); /* and full, but for the last */
        tm_buf_appendf(&sc, "C: %s)\n", cmd.data);
        tm_buf_appendf(&sc, "S: * 2 FETCH (UID 2");
        for (int k = first; k < item; k++) {
            if (k == N) /* the image's header, which must say what it is */
                tm_buf_appendf(&sc,
                               " BODY[%d.MIME] {27}\nS: Content-Type: image/png\nS: \nS: ", k + 1);
            else if (k < N)
                tm_buf_appendf(&sc, " BODY[%d.MIME] \"\"", k + 1);
            else
                tm_buf_appendf(&sc, " BODY[%d] \"\"", k - N);
        }
        tm_buf_appendf(&sc, ")\nS: t%d OK done\n", tag++);
    }
    TM_CHECK(tag > 9); /* more than one command */
    play(&f, &sc);
    TM_CHECK_INT(view(&f, 2, NULL, &out, &partial, &err), TM_OK);
    fx_finish(&f);
    TM_CHECK(partial);
    struct tm_mime_tree *tree = NULL;
    TM_CHECK_INT(tm_mime_parse(out.data, out.len, &tree, NULL), TM_OK);
    TM_CHECK_INT(tree->root.nchildren, N + 1);
    tm_mime_tree_free(&tree);
    tm_buf_cleanup(&st);
    tm_buf_cleanup(&sc);
    tm_buf_cleanup(&out);
    tm_buf_cleanup(&cmd);
    fx_close(&f);
}

TM_TEST(imap_boundary_with_a_line_break_is_never_written_into_a_skeleton)
{
    /* A boundary sent as a literal holding CRLF would put lines of the server's choosing into
     * the skeleton: the message is fetched whole instead. */
    struct fx f;
    struct tm_buf sc, out;
    struct tm_error err;
    bool partial = true;
    open_big(&f);
    tm_buf_init(&sc, 0);
    tm_buf_init(&out, 0);
    tm_buf_append_str(&sc,
                      "C: t7 UID FETCH 2 (UID RFC822.SIZE BODYSTRUCTURE BODY.PEEK[HEADER])\n"
                      "S: * 2 FETCH (UID 2 RFC822.SIZE 200 BODYSTRUCTURE ((\"text\" \"plain\" "
                      "NIL NIL NIL \"7bit\" 1 1)(\"image\" \"png\" NIL NIL NIL \"base64\" 100) "
                      "\"mixed\" (\"boundary\" {3}\n"
                      "S: a\n");
    add_literal(&sc, ")) BODY[HEADER] ", top_header);
    tm_buf_append_str(&sc, "S: )\nS: t7 OK Fetch completed.\n"
                           "C: t8 UID FETCH 2 (UID BODY.PEEK[])\n"
                           "S: * 2 FETCH (UID 2 BODY[] {16}\n"
                           "S: Subject: two\n"
                           "S: \n"
                           "S: )\n"
                           "S: t8 OK Fetch completed.\n");
    play(&f, &sc);
    TM_CHECK_INT(view(&f, 2, NULL, &out, &partial, &err), TM_OK);
    fx_finish(&f);
    TM_CHECK(!partial);
    TM_CHECK_STR(out.data, "Subject: two\r\n\r\n");
    tm_buf_cleanup(&sc);
    tm_buf_cleanup(&out);
    fx_close(&f);
}

TM_TEST(imap_part_chunks_are_cached_in_order_and_go_with_their_message)
{
    struct fx f;
    struct tm_buf out;
    struct tm_error err;
    struct part_list l;
    bool decoded = true;
    int64_t have = -1;
    open_with_skeleton(&f, false);
    tm_buf_init(&out, 0);
    int64_t id = fx_message_id(&f, 2);
    tm_error_clear(&err);
    /* a chunk that is not the next one changes nothing */
    TM_CHECK_INT(tm_store_part_add(f.store, id, "2", 10, "abc", 3, false, &err), TM_ESTORE);
    TM_CHECK(strstr(err.message, "a chunk at 10, but 0 bytes are held") != NULL);
    TM_CHECK_INT(tm_store_part_add(f.store, id, "9", 0, "abc", 3, false, NULL), TM_ENOENT);
    TM_CHECK_INT(tm_store_part_begin(f.store, id, "2", false, 6, &have, NULL), TM_OK);
    TM_CHECK_INT(have, 0);
    TM_CHECK_INT(tm_store_part_add(f.store, id, "2", 0, "abc", 3, false, NULL), TM_OK);
    TM_CHECK_STR(content_of(&f, "2", &decoded, &out), "TM_ENOENT"); /* not complete yet */
    TM_CHECK_INT(tm_store_part_add(f.store, id, "2", 3, "def", 3, true, NULL), TM_OK);
    TM_CHECK_STR(content_of(&f, "2", &decoded, &out), "abcdef");
    TM_CHECK_INT(tm_store_part_add(f.store, id, "2", 6, "g", 1, true, NULL), TM_ESTORE);
    /* a download in the other mode starts again */
    TM_CHECK_INT(tm_store_part_begin(f.store, id, "2", true, -1, &have, NULL), TM_OK);
    TM_CHECK_INT(have, 0);
    TM_CHECK_STR(parts_of(&f, 2, &l), "2 2 120 base64 0/-1 decoded;");
    /* the message goes: its skeleton, parts and chunks with it */
    TM_CHECK_INT(tm_store_part_add(f.store, id, "2", 0, "xyz", 3, false, NULL), TM_OK);
    TM_CHECK_INT(tm_store_message_delete(f.store, id, NULL), TM_OK);
    tm_buf_reset(&out);
    TM_CHECK_INT(tm_store_partial_get(f.store, id, &out, NULL), TM_ENOENT);
    l.text[0] = 0;
    TM_CHECK_INT(tm_store_part_each(f.store, id, list_part, &l, NULL), TM_OK);
    TM_CHECK_STR(l.text, "");
    tm_buf_cleanup(&out);
    fx_close(&f);
}
